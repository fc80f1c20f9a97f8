package conn

import (
	"cmp"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// retrievePage bounds the objects of one page of a retrieval.
var retrievePage int32 = 5000

// pagesAhead bounds the pages of a retrieval asked for or decoded and not
// yet handed to its caller.
const pagesAhead = 2

// Retrieve runs one RetrievePropertiesEx in pages of at most
// retrievePage objects and follows their continuation tokens, handing
// each object to fn, in order, on the caller's goroutine. A page's token
// comes before its objects, and the next page is asked for as soon as it
// is read: the server reads and encodes that page while this client
// decodes the one before, and two pages decode at once. (The 45,000 VM
// names of the first screen came in one answer, decoded on one core
// after the server had encoded all of it.) At most pagesAhead
// pages wait for fn. It returns the first error, once the pages asked
// for ahead are abandoned.
func Retrieve(ctx context.Context, c *Conn, spec types.PropertyFilterSpec, fn func(types.ObjectContent)) error {
	r := &retrieval{c: c, ahead: make(chan struct{}, pagesAhead)}
	ctx, cancel := context.WithCancel(ctx)
	defer r.wg.Wait()
	defer cancel()
	p := r.fetch(ctx, func(ctx context.Context) (*types.RetrieveResult, error) {
		res, err := methods.RetrievePropertiesEx(ctx, c.vim, &types.RetrievePropertiesEx{
			This:    c.vim.ServiceContent.PropertyCollector,
			SpecSet: []types.PropertyFilterSpec{spec},
			Options: types.RetrieveOptions{MaxObjects: retrievePage},
		})
		if err != nil {
			return nil, err
		}
		return res.Returnval, nil
	})
	for p != nil {
		<-p.done
		if p.slot {
			<-r.ahead
		}
		if p.err != nil {
			return p.err
		}
		if err := context.Cause(ctx); err != nil {
			return err // a page asked for ahead came in after all
		}
		if p.res == nil {
			return nil // nothing matched
		}
		for _, oc := range p.res.Objects {
			fn(oc)
		}
		if p.res.Token == "" {
			return nil
		}
		if token := p.res.Token; p.next != nil {
			p = p.next
		} else { // its token was not read early: govmomi decoded the page
			p = r.fetch(ctx, r.continuation(token))
		}
	}
	return nil
}

// retrieval is one Retrieve's pages in flight.
type retrieval struct {
	c     *Conn
	ahead chan struct{} // a slot per page asked for and not yet handed on
	wg    sync.WaitGroup
}

// page is one page of a retrieval, asked for; done is closed once res or
// err is set. next is the page after it, asked for as soon as this
// one's token was read, or nil; slot says it holds a slot of ahead.
type page struct {
	done chan struct{}
	res  *types.RetrieveResult
	err  error
	next *page
	slot bool
}

// fetch asks for a page by call, once a slot is free, and returns it at
// once.
func (r *retrieval) fetch(ctx context.Context, call func(context.Context) (*types.RetrieveResult, error)) *page {
	p := &page{done: make(chan struct{})}
	r.wg.Go(func() {
		defer close(p.done)
		select {
		case r.ahead <- struct{}{}:
			p.slot = true
		case <-ctx.Done():
			p.err = context.Cause(ctx)
			return
		}
		var once sync.Once
		early := withTokenSeen(ctx, func(token string) {
			once.Do(func() {
				if token != "" {
					p.next = r.fetch(ctx, r.continuation(token))
				}
			})
		})
		p.res, p.err = call(early)
	})
	return p
}

// continuation asks for the page after the one whose token is token.
func (r *retrieval) continuation(token string) func(context.Context) (*types.RetrieveResult, error) {
	return func(ctx context.Context) (*types.RetrieveResult, error) {
		res, err := methods.ContinueRetrievePropertiesEx(ctx, r.c.vim, &types.ContinueRetrievePropertiesEx{
			This: r.c.vim.ServiceContent.PropertyCollector, Token: token,
		})
		if err != nil {
			return nil, err
		}
		return &res.Returnval, nil
	}
}

// tokenSeenKey is the context key of a function called with a
// retrieval's token as soon as the lean decoder reads it.
type tokenSeenKey struct{}

// withTokenSeen returns ctx with fn to call with a retrieval's token as
// soon as it is read.
func withTokenSeen(ctx context.Context, fn func(token string)) context.Context {
	return context.WithValue(ctx, tokenSeenKey{}, fn)
}

// tokenSeen returns ctx's function of withTokenSeen, or nil.
func tokenSeen(ctx context.Context) func(string) {
	fn, _ := ctx.Value(tokenSeenKey{}).(func(string))
	return fn
}

// Follow streams what spec selects through a property collector of its
// own (WaitForUpdatesEx), handing each update set to fn, until fn or the
// server fails or ctx ends. maxObjects bounds one update set, zero leaves
// it to the server; truncated says more of the same load follows at once.
// The collector is destroyed on return.
func Follow(ctx context.Context, c *Conn, spec types.PropertyFilterSpec, maxObjects int32,
	fn func(updates []types.ObjectUpdate, truncated bool) error) error {
	return WithCollector(ctx, c, func(pc *property.Collector) error {
		if _, err := pc.CreateFilter(ctx, types.CreateFilter{Spec: spec}); err != nil {
			return fmt.Errorf("create property filter: %w", err)
		}
		wo := &property.WaitOptions{}
		if maxObjects > 0 {
			wo.Options = &types.WaitOptions{MaxObjectUpdates: maxObjects}
		}
		var fnErr error
		err := pc.WaitForUpdatesEx(ctx, wo, func(updates []types.ObjectUpdate) bool {
			fnErr = fn(updates, wo.Truncated)
			return fnErr != nil
		})
		switch {
		case fnErr != nil:
			return fnErr
		case err != nil:
			return fmt.Errorf("wait for updates: %w", err)
		}
		return nil
	})
}

// DestroyCollector destroys a history collector on a context of its own,
// since the caller's is often cancelled by then; servers allow only a few
// collectors per session. A failure is logged: the session's end removes
// the collector anyway.
func DestroyCollector(c *Conn, col types.ManagedObjectReference) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := methods.DestroyCollector(ctx, c.vim, &types.DestroyCollector{This: col}); err != nil {
		c.log.Debug("could not destroy history collector", "collector", col.Value, "err", err)
	}
}

// WaitFor waits, through property updates, until obj's property path has
// the value want; it fails when ctx ends first.
func WaitFor(ctx context.Context, c *Conn, obj types.ManagedObjectReference, path string, want any) error {
	reached := false
	err := WithCollector(ctx, c, func(pc *property.Collector) error {
		return property.Wait(ctx, pc, obj, []string{path}, func(changes []types.PropertyChange) bool {
			for _, ch := range changes {
				if ch.Val == want {
					reached = true
				}
			}
			return reached
		})
	})
	if err == nil && !reached {
		// A cancelled wait returns CancelWaitForUpdates's nil error.
		err = cmp.Or(ctx.Err(), fmt.Errorf("the wait ended before %s became %v", path, want))
	}
	return err
}
