package conn_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"

	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/leanenc"
)

// FuzzLeanDecodeMatchesGovmomi: whatever a returnval of RetrievePropertiesEx
// or WaitForUpdatesEx holds, the lean decoder fails or decodes the values
// govmomi's decoder decodes, wherever that one succeeds too. The lean
// decoder is laxer where vSphere's answers never go (an end tag's name is
// not checked), so it may succeed where govmomi's fails; and it reads
// vSphere's dialect only, so returnvals outside it are skipped: a
// namespace declared, a prefixed attribute other than xsi:type, an
// attribute twice in a tag.
//
// As a normal test it runs its seeds (the vCenter-spelled answers of the
// tests, and the lean encoder's answers of each value of its table) and
// mutants of them made from a fixed seed; go test -fuzz
// FuzzLeanDecodeMatchesGovmomi ./vsphere/internal/conn/ explores further.
func FuzzLeanDecodeMatchesGovmomi(f *testing.F) {
	r := rand.New(rand.NewPCG(7, 11))
	add := func(updates bool, answer string, mutants int) {
		rv := returnvalOf(f, answer)
		f.Add(updates, rv)
		for range mutants {
			f.Add(updates, mutate(r, rv))
		}
	}
	add(false, vcenterRetrieveHead+strings.ReplaceAll(vcenterRetrieveReturnval, "{CR}", "\r")+vcenterRetrieveTail, 600)
	add(false, vcenterValuesAnswer, 600)
	add(true, vcenterUpdateSetAnswer, 600)
	vm := types.ManagedObjectReference{Type: "VirtualMachine", Value: "vm-1"}
	for _, v := range leanValues() {
		rr := &types.RetrieveResult{Objects: []types.ObjectContent{{Obj: vm, PropSet: []types.DynamicProperty{{Name: "p", Val: v.val}}}}}
		add(false, string(vcsimAnswer(f, "Res", leanenc.RetrievePropertiesEx(&types.RetrievePropertiesExResponse{Returnval: rr}))), 20)
		set := &types.UpdateSet{Version: "3", FilterSet: []types.PropertyFilterUpdate{{ObjectSet: []types.ObjectUpdate{{
			Kind: types.ObjectUpdateKindEnter, Obj: vm, ChangeSet: []types.PropertyChange{{Name: "p", Op: types.PropertyChangeOpAssign, Val: v.val}}}}}}}
		add(true, string(vcsimAnswer(f, "Res", leanenc.WaitForUpdatesEx(&types.WaitForUpdatesExResponse{Returnval: set}))), 20)
	}
	f.Fuzz(func(t *testing.T, updates bool, returnval []byte) {
		if outsideDialect(returnval) {
			t.Skip()
		}
		var answer []byte
		var got, want soap.HasFault
		var decode func() error
		if updates {
			answer = []byte(vcenterUpdateSetHead + string(returnval) + vcenterUpdateSetTail)
			res := new(methods.WaitForUpdatesExBody)
			got, want = res, new(methods.WaitForUpdatesExBody)
			decode = func() error { _, err := conn.DecodeUpdateSet(answer, res); return err }
		} else {
			answer = []byte(vcenterRetrieveHead + string(returnval) + vcenterRetrieveTail)
			res := new(methods.RetrievePropertiesExBody)
			got, want = res, new(methods.RetrievePropertiesExBody)
			decode = func() error { _, err := conn.DecodeRetrievePropertiesEx(answer, res, nil); return err }
		}
		err, leanPanic := catch(decode)
		govmomiErr, govmomiPanic := catch(func() error { return decodeWithGovmomi(answer, want) })
		switch {
		case leanPanic && !govmomiPanic:
			// The lean decoder's panics are govmomi's, on the parts it
			// leaves to it (a fault of a type that is no fault, say).
			t.Errorf("the lean decoder panicked on\n%s\nwhere govmomi's decoder did not: %v", answer, err)
		case err == nil && govmomiErr == nil && !reflect.DeepEqual(got, want):
			t.Errorf("lean decode of\n%s\nis\n%#v\nwant govmomi's\n%#v", answer, got, want)
		}
	})
}

// catch calls fn and returns its error, or its panic as one.
func catch(fn func() error) (err error, panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			err, panicked = fmt.Errorf("panic: %v", r), true
		}
	}()
	return fn(), false
}

// The envelope around a returnval of WaitForUpdatesEx, as vCenter writes
// it.
const (
	vcenterUpdateSetHead = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body>
<WaitForUpdatesExResponse xmlns="urn:vim25">`
	vcenterUpdateSetTail = "</WaitForUpdatesExResponse>\n</soapenv:Body>\n</soapenv:Envelope>"
)

// returnvalOf returns the returnval element of a SOAP answer.
func returnvalOf(tb testing.TB, answer string) []byte {
	i, j := strings.Index(answer, "<returnval>"), strings.LastIndex(answer, "</returnval>")
	if i < 0 || j < i {
		tb.Fatalf("no returnval in\n%s", answer)
	}
	return []byte(answer[i : j+len("</returnval>")])
}

// decodeWithGovmomi decodes answer into res with govmomi's decoder.
func decodeWithGovmomi(answer []byte, res soap.HasFault) error {
	dec := xml.NewDecoder(bytes.NewReader(answer))
	dec.TypeFunc = types.TypeFunc()
	return dec.Decode(&soap.Envelope{Body: res})
}

var (
	tagPattern      = regexp.MustCompile(`<[^<>]*>`)
	attrNamePattern = regexp.MustCompile(`([^\s<>"'=/]+)\s*=`)
)

// outsideDialect reports whether a returnval has what vSphere's answers do
// not (see FuzzLeanDecodeMatchesGovmomi).
func outsideDialect(returnval []byte) bool {
	if bytes.Contains(returnval, []byte("xmlns")) {
		return true
	}
	for _, tag := range tagPattern.FindAll(returnval, -1) {
		seen := map[string]bool{}
		for _, m := range attrNamePattern.FindAllSubmatch(tag, -1) {
			name := string(m[1])
			if seen[name] || strings.Contains(name, ":") && name != "xsi:type" {
				return true
			}
			seen[name] = true
		}
	}
	return false
}

// mutations are what mutate inserts: XML's markup, references, line ends,
// and pieces of property answers.
var mutations = []string{
	"<", ">", "&", ";", "&amp;", "&#xD;", "&#13;", "&bogus;", "&#xZZ;", "&#1", "&#xD800;", "&lt;&gt;", "\r", "\r\n", "\n", "\t", " ", "x", "-", ":", "/", "=", `"`, "'",
	"<!-- c -->", "<![CDATA[x\r\ny]]>", "<?pi x?>", "<!DOCTYPE x>", "<!-", "<![C", "]]>", "?>", "-->",
	"<x/>", "</x>", "<val>", "</val>", "<name>", "</name>", "<a:b>", "</a:b>", ` a='1'`, ` type="HostSystem"`, ` serverGuid="g&amp;"`,
	` xsi:type="xsd:int"`, ` xsi:type="xsd:string"`, ` xsi:type="ArrayOfManagedObjectReference"`, `<val xsi:type="xsd:long">`,
}

// mutate returns a copy of b with one to three changes: bytes deleted,
// inserted from mutations or changed, a span repeated, the end cut off;
// half of them just before a '<'.
func mutate(r *rand.Rand, b []byte) []byte {
	b = bytes.Clone(b)
	for range 1 + r.IntN(3) {
		p := r.IntN(len(b) + 1)
		if i := bytes.IndexByte(b[p:], '<'); i >= 0 && r.IntN(2) == 0 {
			p += i // where text, references and markup meet, half the time
		}
		switch r.IntN(6) {
		case 0:
			b = append(b[:p], b[min(p+1+r.IntN(4), len(b)):]...)
		case 1, 2:
			b = append(b[:p], append([]byte(mutations[r.IntN(len(mutations))]), b[p:]...)...)
		case 3:
			if r.IntN(8) == 0 {
				b = b[:p]
			}
		case 4:
			q := min(len(b), p+r.IntN(40))
			b = append(b[:q], append(bytes.Clone(b[p:q]), b[q:]...)...)
		case 5:
			if p < len(b) {
				b[p] = "<>&;/=\"' x\r"[r.IntN(11)]
			}
		}
		if len(b) == 0 {
			break
		}
	}
	return b
}
