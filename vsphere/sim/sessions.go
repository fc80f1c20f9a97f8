package sim

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Sessions end as on vCenter
//
// vCenter logs out a session left idle longer than its session timeout
// (30 minutes unless configured), and a session's end, by Logout or by
// timeout, destroys what it created: property collectors and their
// filters, views, event and task history collectors. vcsim expires no
// session unless told to, and even then only forgets the session: its
// collectors and views stay registered and keep listening to every
// change. Here every call notes its session's activity (route.go), a
// background loop logs out the sessions idle for longer than
// Options.SessionTimeout (not those with a wait in progress, which vCenter
// counts as activity), and both kinds of end destroy the session's
// objects.

// DefaultSessionTimeout is how long a session may stay idle before the
// simulator logs it out: vCenter's default.
const DefaultSessionTimeout = 30 * time.Minute

// sessions remembers when each session last called.
type sessions struct {
	mu      sync.Mutex
	timeout time.Duration
	seen    map[string]seenSession
}

type seenSession struct {
	session simulator.Session
	last    time.Time
}

// touch notes a call of s.
func (ss *sessions) touch(s *simulator.Session) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.seen == nil {
		ss.seen = map[string]seenSession{}
	}
	ss.seen[s.Key] = seenSession{*s, time.Now()}
}

// forget drops the session key.
func (ss *sessions) forget(key string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.seen, key)
}

// idle removes and returns the sessions idle for longer than the timeout
// at now, except those busy says are busy.
func (ss *sessions) idle(now time.Time, busy func(key string) bool) []simulator.Session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	var out []simulator.Session
	for _, key := range slices.Sorted(maps.Keys(ss.seen)) {
		s := ss.seen[key]
		if now.Sub(s.last) > ss.timeout && !busy(key) {
			out = append(out, s.session)
			delete(ss.seen, key)
		}
	}
	return out
}

// expireSessions logs out idle sessions, every tenth of the timeout (at
// least every minute), until the server closes.
func (vc *vcenter) expireSessions(life context.Context) {
	ss := &vc.feed.sessions
	t := time.NewTicker(min(max(ss.timeout/10, 10*time.Millisecond), time.Minute))
	defer t.Stop()
	for {
		select {
		case <-life.Done():
			return
		case now := <-t.C:
			for _, s := range ss.idle(now, vc.feed.collectors.waiting) {
				c := *vc.sctx // a context of its own, as the session
				c.Session = &s
				vc.endSession(&c, func() soap.HasFault {
					return c.Map.SessionManager().Logout(&c, &types.Logout{})
				})
			}
		}
	}
}

// Logout logs the calling session out, as vcsim does, and destroys what
// it created.
func (vc *vcenter) Logout(ctx *simulator.Context, req *types.Logout) soap.HasFault {
	return vc.endSession(ctx, func() soap.HasFault { return ctx.Map.SessionManager().Logout(ctx, req) })
}

// endSession ends ctx's session with logout (vcsim's, which removes the
// session and its views and filters from the registry's listeners), after
// destroying its history collectors, which vcsim would leave collecting,
// and forgets its collectors (ending their waits) and views.
func (vc *vcenter) endSession(ctx *simulator.Context, logout func() soap.HasFault) soap.HasFault {
	type historyCollector interface {
		DestroyCollector(*simulator.Context, *types.DestroyCollector) soap.HasFault
	}
	for _, obj := range ctx.Session.Registry.AllReference("") {
		if hc, ok := obj.(historyCollector); ok {
			ctx.WithLock(obj, func() { hc.DestroyCollector(ctx, &types.DestroyCollector{This: obj.Reference()}) })
		}
	}
	res := logout()
	key := ctx.Session.Key
	vc.feed.collectors.drop(func(k collectorKey) bool { return k.session == key })
	vc.feed.views.drop(func(_ types.ManagedObjectReference, kv keptView) bool { return kv.session == key })
	vc.feed.sessions.forget(key)
	vc.pages.drop(key)
	return res
}

// serveSessions starts logging out sessions idle for longer than timeout.
func (vc *vcenter) serveSessions(timeout time.Duration) {
	vc.feed.sessions.timeout = timeout
	vc.goBackground(vc.expireSessions)
}
