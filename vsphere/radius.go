package vsphere

import (
	"fmt"
	"strings"
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
// 12 VMs from 3 hosts to esx-a-02", "power off 2 VMs on 1 host; enter
// maintenance mode on 1 host". Only runnable actions count; "" if none is.
func BlastRadius(actions []Action) string {
	type group struct {
		objects  int
		from, to map[string]bool
		lastTo   string
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
		if a.From != "" {
			g.from[a.From] = true
		}
		if a.Target != "" {
			g.to[a.Target], g.lastTo = true, a.Target
		}
	}
	var parts []string
	for _, op := range order {
		g := groups[op]
		if op == OpEnterMaintenance || op == OpExitMaintenance || op == OpDisconnect || op == OpReconnect {
			parts = append(parts, fmt.Sprintf("%s %s", op.verb(), count(g.objects, "host")))
			continue
		}
		verb := op.verb()
		if op == OpShutdown {
			verb = "shut down the guests of"
		}
		s := verb + " " + count(g.objects, "VM")
		switch {
		case op != OpMigrate:
			s += " on " + count(len(g.from), "host")
		case len(g.to) == 1:
			s += fmt.Sprintf(" from %s to %s", count(len(g.from), "host"), g.lastTo)
		default:
			s += fmt.Sprintf(" from %s to %s", count(len(g.from), "host"), count(len(g.to), "target"))
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// count returns "1 VM", "3 VMs".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
