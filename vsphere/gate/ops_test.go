package gate

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// declaredOps finds every constant of type Op in the package's sources,
// so that an op declared without an entry in the table fails the tests.
func declaredOps(t *testing.T) []Op {
	t.Helper()
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ops []Op
	for name, pkg := range pkgs {
		if name != "gate" {
			continue
		}
		for _, f := range pkg.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				vs, ok := n.(*ast.ValueSpec)
				if !ok || vs.Type == nil || len(vs.Values) != len(vs.Names) {
					return true
				}
				if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "Op" {
					for _, v := range vs.Values {
						if lit, ok := v.(*ast.BasicLit); ok {
							s, _ := strconv.Unquote(lit.Value)
							ops = append(ops, Op(s))
						}
					}
				}
				return true
			})
		}
	}
	return ops
}

func TestEveryOpHasAnEntryThatReadsWell(t *testing.T) {
	ops := declaredOps(t)
	if len(ops) < 11 {
		t.Fatalf("found only %d ops in the sources: %v", len(ops), ops)
	}
	for _, op := range ops {
		in, ok := operations[op]
		if !ok {
			t.Errorf("op %q has no entry in the table of operations (ops.go)", op)
			continue
		}
		if in.verb == "" || in.noun == "" || in.done == nil {
			t.Errorf("op %q: entry %+v lacks a verb, a noun or a done message", op, in)
		}
		one := Action{Op: op, Object: "obj-1", From: "esx-1", Target: "esx-2", run: refuse}
		three := []Action{one, {Op: op, Object: "obj-2", From: "esx-1", Target: "esx-2"}, {Op: op, Object: "obj-3", From: "esx-3", Target: "esx-2"}}
		r1, r3 := BlastRadius([]Action{one}), BlastRadius(three)
		if !strings.Contains(r1, "obj-1") || strings.Contains(r1, " 0 ") || strings.Contains(r1, " 1 ") {
			t.Errorf("op %q: blast radius of one action %q; want the object named, nothing counted", op, r1)
		}
		if !strings.Contains(r3, "3 "+in.noun+"s") || strings.Contains(r3, " 0 ") {
			t.Errorf("op %q: blast radius of three actions %q; want 3 %ss counted", op, r3, in.noun)
		}
		if s := one.String(); !strings.Contains(s, "obj-1") {
			t.Errorf("op %q: action reads %q; want its object named", op, s)
		}
		if d := in.done(one); d == "" || d == "done" {
			t.Errorf("op %q: done message %q", op, d)
		}
	}
}

func TestBlastRadiusWording(t *testing.T) {
	vm := func(op Op, name, from, to string) Action { return Action{Op: op, Object: name, From: from, Target: to} }
	for _, tc := range []struct {
		actions []Action
		want    string
	}{
		{[]Action{vm(OpMigrate, "web-01", "esx-1", "esx-2")}, "migrate web-01 from esx-1 to esx-2"},
		{[]Action{vm(OpMigrate, "a", "esx-1", "esx-3"), vm(OpMigrate, "b", "esx-2", "esx-3")}, "migrate 2 VMs from 2 hosts to esx-3"},
		{[]Action{vm(OpShutdown, "a", "esx-1", ""), vm(OpShutdown, "b", "esx-1", "")}, "shut down the guests of 2 VMs on esx-1"},
		{[]Action{vm(OpShutdown, "a", "esx-1", "")}, "shut down the guest of a on esx-1"},
		{[]Action{{Op: OpEnterMaintenance, Object: "esx-1"}, {Op: OpPowerOff, Object: "db-01", From: "esx-2"}},
			"enter maintenance mode on esx-1; power off db-01 on esx-2"},
		{[]Action{{Op: OpReconfigureCluster, Object: "cluster-a", Target: "3 changes"}}, "reconfigure cluster-a"},
		{[]Action{{Op: OpApplyRecommendation, Object: "cluster-a"}, {Op: OpApplyRecommendation, Object: "cluster-b"}},
			"apply DRS recommendations on 2 clusters"},
	} {
		if got := BlastRadius(tc.actions); got != tc.want {
			t.Errorf("BlastRadius = %q; want %q", got, tc.want)
		}
	}
}
