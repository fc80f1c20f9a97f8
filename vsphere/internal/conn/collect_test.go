package conn_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/vsphere/internal/conn"
	"github.com/vtui/vtui/vsphere/internal/conntest"
	"github.com/vtui/vtui/vsphere/vspheretest"
)

// vmNamesSpec selects the name of every VM of a new container view.
func vmNamesSpec(t *testing.T, c *conn.Conn) types.PropertyFilterSpec {
	t.Helper()
	vim := conn.VIM(c)
	v, err := view.NewManager(vim).CreateContainerView(context.Background(), vim.ServiceContent.RootFolder, []string{"VirtualMachine"}, true)
	if err != nil {
		t.Fatal(err)
	}
	return types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: v.Reference(), Skip: types.NewBool(true),
			SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{Type: "ContainerView", Path: "view"}}}},
		PropSet: []types.PropertySpec{{Type: "VirtualMachine", PathSet: []string{"name"}}},
	}
}

// retrieveAll returns the objects Retrieve hands on, in order.
func retrieveAll(t *testing.T, c *conn.Conn, spec types.PropertyFilterSpec) []types.ObjectContent {
	t.Helper()
	var out []types.ObjectContent
	if err := conn.Retrieve(context.Background(), c, spec, func(oc types.ObjectContent) { out = append(out, oc) }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRetrieveHandsOnEveryPageInOrder: a retrieval in pages hands on
// the objects of one page, in the server's order, and asks for each page
// once.
func TestRetrieveHandsOnEveryPageInOrder(t *testing.T) {
	c := vspheretest.Connect(t, vspheretest.Start(t, "small")).Conn()
	spec := vmNamesSpec(t, c)
	whole := retrieveAll(t, c, spec)
	const page = 3
	if len(whole) < 3*page {
		t.Fatalf("%d VMs: too few for three pages of %d", len(whole), page)
	}
	conn.SetRetrievePage(t, page)
	rec := conntest.Record(c)
	paged := retrieveAll(t, c, spec)
	if !slices.EqualFunc(paged, whole, func(a, b types.ObjectContent) bool {
		return a.Obj == b.Obj && a.PropSet[0].Val == b.PropSet[0].Val
	}) {
		t.Errorf("in pages of %d: %d objects; want the %d of one page, in the same order", page, len(paged), len(whole))
	}
	want := (len(whole)+page-1)/page - 1
	if got := len(rec.Sent(func(m string) bool { return m == "ContinueRetrievePropertiesEx" })); got != want {
		t.Errorf("asked for %d pages after the first; want %d, each once", got, want)
	}
}

// TestRetrieveAsksForTheNextPageBeforeHandingOnTheLast: the next page
// is asked for as soon as a page's token is read, not once its objects
// are handed on; so the server works on it while the client decodes.
// While fn holds the first page's first object, the second page must be
// asked for (a Retrieve that asks only after would never be, and the
// wait would end at its bound).
func TestRetrieveAsksForTheNextPageBeforeHandingOnTheLast(t *testing.T) {
	c := vspheretest.Connect(t, vspheretest.Start(t, "small")).Conn()
	spec := vmNamesSpec(t, c)
	conn.SetRetrievePage(t, 3)
	rec := conntest.Record(c)
	continued := func() int {
		return len(rec.Sent(func(m string) bool { return m == "ContinueRetrievePropertiesEx" }))
	}
	first, ahead := true, false
	err := conn.Retrieve(context.Background(), c, spec, func(types.ObjectContent) {
		if !first {
			return
		}
		first = false
		for deadline := time.Now().Add(10 * time.Second); continued() == 0 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		ahead = continued() > 0
	})
	if err != nil {
		t.Fatal(err)
	}
	if !ahead {
		t.Fatal("while the first page was handed on, the second was not asked for")
	}
}

// TestRetrieveEndsWhenCancelledWithPagesAhead: cancelled while pages are
// asked for ahead, a retrieval returns the cancellation, having waited
// for those pages, and hands on no page after it.
func TestRetrieveEndsWhenCancelledWithPagesAhead(t *testing.T) {
	c := vspheretest.Connect(t, vspheretest.Start(t, "small")).Conn()
	spec := vmNamesSpec(t, c)
	conn.SetRetrievePage(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	handed := 0
	err := conn.Retrieve(ctx, c, spec, func(types.ObjectContent) {
		handed++
		cancel()
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Retrieve returned %v; want the cancellation", err)
	}
	if handed != 2 {
		t.Errorf("handed on %d objects; want the 2 of the page it was cancelled in, none of the pages asked for ahead", handed)
	}
}
