package gate

import (
	"fmt"
	"strings"

	"github.com/vtui/vtui/internal/format"
)

// Runnable returns the actions that would send a change: not refused by a
// check and not no-ops.
func Runnable(actions []Action) []Action {
	var out []Action
	for _, a := range actions {
		if a.Noop == "" && len(a.Failed()) == 0 {
			out = append(out, a)
		}
	}
	return out
}

// BlastRadius says what actions would change, for a confirmation: "migrate
// 12 VMs from 3 hosts to esx-a-02", "power off 2 VMs on esx-a-01; enter
// maintenance mode on esx-a-03". A lone object is named rather than
// counted. Only runnable actions count; "" if none is.
func BlastRadius(actions []Action) string {
	type group struct {
		objects        int
		from, to       map[string]bool
		last, lastFrom string
		lastTo         string
		lastAction     Action
	}
	var order []Op
	groups := map[Op]*group{}
	for _, a := range Runnable(actions) {
		g := groups[a.Op]
		if g == nil {
			g = &group{from: map[string]bool{}, to: map[string]bool{}}
			groups[a.Op] = g
			order = append(order, a.Op)
		}
		g.objects++
		g.last, g.lastAction = a.Object, a
		if a.From != "" {
			g.from[a.From], g.lastFrom = true, a.From
		}
		if a.Target != "" {
			g.to[a.Target], g.lastTo = true, a.Target
		}
	}
	var parts []string
	for _, op := range order {
		g, in := groups[op], op.info()
		verb := op.verb()
		if g.objects > 1 {
			verb = op.verbMany()
		}
		if in.radius == named && g.objects == 1 {
			parts = append(parts, g.lastAction.String())
			continue
		}
		s := verb + " " + countOr(g.objects, in.noun, g.last)
		from := countOr(len(g.from), "host", g.lastFrom)
		switch {
		case in.radius == onHosts:
			s += " on " + from
		case in.radius == moves && len(g.to) == 1:
			s += fmt.Sprintf(" from %s to %s", from, g.lastTo)
		case in.radius == moves:
			s += fmt.Sprintf(" from %s to %s", from, format.Count(len(g.to), "target"))
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// countOr names the only object when there is one, else counts them.
func countOr(n int, noun, only string) string {
	if n == 1 && only != "" {
		return only
	}
	return format.Count(n, noun)
}
