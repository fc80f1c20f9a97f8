package sim

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Retrievals
//
// vcsim copies every object it reports by marshalling its properties to
// XML and decoding them back (simulator.deepCopy): at 10,000 VMs that is
// half of all the CPU of a load, on the server's side alone. Every server
// reads properties itself instead, for RetrievePropertiesEx (and the old
// RetrieveProperties) as for the property filters' waits: the same walk
// of the traversal as a filter's (filter.go), each object's properties
// read under its lock with vcsim's rules (content), and copied with
// reflection (clone.go). A retrieval answered in pages keeps the rest
// under a token until ContinueRetrievePropertiesEx takes it, or
// CancelRetrievePropertiesEx (which vcsim lacks) or the session's end
// drops it.

// retrievals are the property collector's methods served here. A call
// without a session stays vcsim's, which answers it as vCenter does (a
// missing property, NotAuthenticated, for each path): rerouting takes
// effect through the session's view of the target (see route.go), and
// such a call has none.
var retrievals = []string{"RetrievePropertiesEx", "ContinueRetrievePropertiesEx", "CancelRetrievePropertiesEx", "RetrieveProperties"}

// content reads the properties of ref that sp's specs ask for, under
// ref's lock, as vcsim's collector does: a property spec covers its own
// type and the types that embed it; all=true reads every property that is
// set; a path that names no property goes in the missing set as
// InvalidProperty; an unset one is left out. ok is false when ref does
// not exist (for the calling session) or no spec covers its type.
func content(ctx *simulator.Context, ref types.ManagedObjectReference, sp *specProps) (oc types.ObjectContent, ok bool) {
	obj := sessionObject(ctx, ref)
	if obj == nil {
		return oc, false
	}
	// Types whose registry object is not their managed object give it
	// (vcsim's event history collector).
	if g, is := obj.(interface{ Get() mo.Reference }); is {
		obj = g.Get()
	}
	oc.Obj = ref
	ctx.WithLock(ref, func() { // by reference, as vcsim locks what it collects
		v := moStruct(obj)
		if !v.IsValid() {
			return
		}
		tp := sp.of(ref.Type, v.Type())
		if ok = tp.covered; !ok {
			return
		}
		if tp.all {
			readAll(v, tp.specs, &oc)
			return
		}
		for i, c := range tp.read {
			val, valid := c.copy(v)
			switch {
			case !valid:
				oc.MissingSet = append(oc.MissingSet, invalidProperty(tp.paths[i]))
			case val != nil:
				if oc.PropSet == nil {
					oc.PropSet = make([]types.DynamicProperty, 0, len(tp.read))
				}
				oc.PropSet = append(oc.PropSet, types.DynamicProperty{Name: tp.paths[i], Val: val})
			}
		}
	})
	return oc, ok
}

// readAll reads into oc what specs ask of the managed object struct v
// when one asks for every property: each property once, in the order the
// specs name them, every property where all=true.
func readAll(v reflect.Value, specs []types.PropertySpec, oc *types.ObjectContent) {
	seen := map[string]bool{}
	add := func(name string, val any) {
		if !seen[name] && val != nil {
			oc.PropSet = append(oc.PropSet, types.DynamicProperty{Name: name, Val: clone(val)})
		}
		seen[name] = true
	}
	for _, p := range specs {
		if boolValue(p.All) {
			everyProperty(v, add)
			continue
		}
		for _, path := range p.PathSet {
			val, valid := propertyValue(v, path)
			if !valid {
				if !seen[path] {
					oc.MissingSet = append(oc.MissingSet, invalidProperty(path))
				}
				seen[path] = true
				continue
			}
			add(path, val)
		}
	}
}

// invalidProperty reports path as naming no property.
func invalidProperty(path string) types.MissingProperty {
	return types.MissingProperty{Path: path, Fault: types.LocalizedMethodFault{Fault: &types.InvalidProperty{Name: path}}}
}

// everyProperty hands add every property of the managed object struct v
// that is set, the embedded structs' included, as all=true reports them:
// an unset array is reported empty.
func everyProperty(v reflect.Value, add func(name string, val any)) {
	t := v.Type()
	for i := range v.NumField() {
		f, fv := t.Field(i), v.Field(i)
		switch {
		case f.Name == "Self":
		case f.Anonymous:
			everyProperty(fv, add)
		case fv.Kind() == reflect.Slice && fv.IsNil():
			add(strings.ToLower(f.Name[:1])+f.Name[1:], wrapProperty(reflect.MakeSlice(fv.Type(), 0, 0)))
		default:
			add(strings.ToLower(f.Name[:1])+f.Name[1:], wrapProperty(fv))
		}
	}
}

// retrieve returns the contents of the objects specs select, each once, in
// the order their traversals find them, or the fault vcsim gives, with its
// text: a root object that does not exist (unless the spec asks for it in
// the results), or an undefined traversal spec.
func retrieve(ctx *simulator.Context, specs []types.PropertyFilterSpec) ([]types.ObjectContent, *soap.Fault) {
	sel, fault := selectObjects(ctx, specs)
	if fault != nil {
		return nil, fault
	}
	objects, _ := sel.read(ctx, 0)
	return objects, nil
}

// selection is what a retrieval selects and has not read yet: the
// objects, in order, and the properties to read of each.
type selection struct {
	refs []types.ManagedObjectReference
	sp   *specProps
}

// selectObjects walks specs' traversals: the objects they select, each
// once, in the order found; or the fault of retrieve.
func selectObjects(ctx *simulator.Context, specs []types.PropertyFilterSpec) (selection, *soap.Fault) {
	var props []types.PropertySpec // as vcsim does, every spec's for every object
	for _, s := range specs {
		props = append(props, s.PropSet...)
	}
	sel := selection{sp: &specProps{specs: props}}
	seen := map[types.ManagedObjectReference]bool{} // across specs: a spec's walk finds each object once
	for _, spec := range specs {
		if fault := missingRoot(ctx, spec); fault != nil {
			return selection{}, simulator.Fault("The object has already been deleted or has not been completely created", fault)
		}
		found, fault := newFilter(spec).walk(ctx)
		if fault != nil {
			return selection{}, simulator.Fault("", fault)
		}
		if len(specs) == 1 {
			sel.refs = found.order
			break
		}
		for _, r := range found.order {
			if !seen[r] {
				seen[r] = true
				sel.refs = append(sel.refs, r)
			}
		}
	}
	return sel, nil
}

// read reads the properties of the selection's objects in order until it
// holds max objects (all of them, for max 0 or less), and returns them and
// what is left to read. An object deleted since it was selected is
// passed by. A retrieval answered in pages reads each page as it is asked
// for: the first comes without reading every object first (at 45,000
// VMs, 0.15 s), and the next is read while the client decodes this one.
func (sel selection) read(ctx *simulator.Context, max int32) ([]types.ObjectContent, selection) {
	n := len(sel.refs)
	if max > 0 {
		n = min(n, int(max))
	}
	out := make([]types.ObjectContent, 0, n)
	i := 0
	for ; i < len(sel.refs) && (max <= 0 || len(out) < int(max)); i++ {
		if oc, ok := content(ctx, sel.refs[i], sel.sp); ok {
			out = append(out, oc)
		}
	}
	return out, selection{refs: sel.refs[i:], sp: sel.sp}
}

// pageBook keeps the rest of retrievals answered in pages, by token.
type pageBook struct {
	mu   sync.Mutex
	rest map[string]pageRest
	last atomic.Int64
}

// pageRest is what a retrieval has still to hand out.
type pageRest struct {
	session string
	max     int32
	rest    selection
}

// page reads the first max objects of sel (all, for max 0 or less) and
// returns them with a token for the rest, if there is a rest.
func (b *pageBook) page(ctx *simulator.Context, session string, max int32, sel selection) types.RetrieveResult {
	objects, rest := sel.read(ctx, max)
	if len(rest.refs) == 0 {
		return types.RetrieveResult{Objects: objects}
	}
	token := fmt.Sprintf("vtui-page-%d", b.last.Add(1))
	b.mu.Lock()
	if b.rest == nil {
		b.rest = map[string]pageRest{}
	}
	b.rest[token] = pageRest{session: session, max: max, rest: rest}
	b.mu.Unlock()
	return types.RetrieveResult{Objects: objects, Token: token}
}

// take removes and returns the rest that token names, if session owns it.
func (b *pageBook) take(session, token string) (pageRest, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.rest[token]
	if !ok || r.session != session {
		return pageRest{}, false
	}
	delete(b.rest, token)
	return r, true
}

// drop forgets the rests of session's retrievals.
func (b *pageBook) drop(session string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for token, r := range b.rest {
		if r.session == session {
			delete(b.rest, token)
		}
	}
}

// RetrievePropertiesEx answers a retrieval, in pages of options.maxObjects.
func (vc *vcenter) RetrievePropertiesEx(ctx *simulator.Context, req *types.RetrievePropertiesEx) soap.HasFault {
	body := &methods.RetrievePropertiesExBody{}
	sel, fault := selectObjects(ctx, req.SpecSet)
	if body.Fault_ = fault; fault == nil {
		res := vc.pages.page(ctx, ctx.Session.Key, req.Options.MaxObjects, sel)
		body.Res = &types.RetrievePropertiesExResponse{Returnval: &res}
	}
	return vc.answer(ctx, body)
}

// ContinueRetrievePropertiesEx hands out the next page of a retrieval.
func (vc *vcenter) ContinueRetrievePropertiesEx(ctx *simulator.Context, req *types.ContinueRetrievePropertiesEx) soap.HasFault {
	body := &methods.ContinueRetrievePropertiesExBody{}
	rest, ok := vc.pages.take(ctx.Session.Key, req.Token)
	if !ok {
		body.Fault_ = simulator.Fault(fmt.Sprintf("token %q names no retrieval of this session in progress", req.Token), &types.InvalidPropertyFault{Name: "token"})
		return body
	}
	body.Res = &types.ContinueRetrievePropertiesExResponse{Returnval: vc.pages.page(ctx, rest.session, rest.max, rest.rest)}
	return vc.answer(ctx, body)
}

// CancelRetrievePropertiesEx drops the rest of a retrieval.
func (vc *vcenter) CancelRetrievePropertiesEx(ctx *simulator.Context, req *types.CancelRetrievePropertiesEx) soap.HasFault {
	body := &methods.CancelRetrievePropertiesExBody{}
	if _, ok := vc.pages.take(ctx.Session.Key, req.Token); !ok {
		body.Fault_ = simulator.Fault(fmt.Sprintf("token %q names no retrieval of this session in progress", req.Token), &types.InvalidPropertyFault{Name: "token"})
		return body
	}
	body.Res = &types.CancelRetrievePropertiesExResponse{}
	return body
}

// RetrieveProperties is the old form of RetrievePropertiesEx: every
// object in one answer.
func (vc *vcenter) RetrieveProperties(ctx *simulator.Context, req *types.RetrieveProperties) soap.HasFault {
	body := &methods.RetrievePropertiesBody{}
	objects, fault := retrieve(ctx, req.SpecSet)
	if body.Fault_ = fault; fault == nil {
		body.Res = &types.RetrievePropertiesResponse{Returnval: objects}
	}
	return body
}
