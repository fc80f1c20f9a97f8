package ui

// The : commands: the kinds of the registry and the few that are not
// kinds, what ? and :alias list about them, and Tab's completion.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vtui/vtui/internal/kinds"
)

// command is one : command: its names, the first the one completion and
// the lists show, and what it does.
type command struct {
	names []string
	what  string
}

// commands lists every : command: the kinds of the registry, each by its
// first alias, then the commands that are not kinds.
func commands() []command {
	var cs []command
	for _, k := range kinds.All() {
		names := append(slices.Clone(k.Aliases[:1]), k.Name)
		names = append(names, k.Aliases[1:]...)
		cs = append(cs, command{names: names, what: "list the " + k.Name})
	}
	return append(cs,
		command{[]string{"overview", "pulse"}, "the whole vCenter at a glance: states, alarms, load, HA, tasks, events"},
		command{[]string{"ctx", "context"}, "list the contexts; :ctx NAME switches to one"},
		command{[]string{"drill"}, "plan, check and run an HA drill"},
		command{[]string{"alias"}, "list every command and its aliases"},
		command{[]string{"q", "quit"}, "quit vtui"},
	)
}

// commandLines are the commands a line each, aligned: ":vm   vms   list
// the vms". ? and :alias show them.
func commandLines() []string {
	cs := commands()
	nameW, aliasW := 0, 0
	for _, c := range cs {
		nameW = max(nameW, len(c.names[0])+1)
		aliasW = max(aliasW, len(strings.Join(c.names[1:], ", ")))
	}
	lines := make([]string, len(cs))
	for i, c := range cs {
		lines[i] = fmt.Sprintf("%-*s  %-*s  %s", nameW, ":"+c.names[0], aliasW, strings.Join(c.names[1:], ", "), c.what)
	}
	return lines
}

// commandNames are what Tab completes after ":": each command's first
// name, then a context to switch to.
func commandNames(contexts []string) []string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.names[0])
	}
	for _, c := range contexts {
		names = append(names, "ctx "+c)
	}
	return names
}

// completion is Tab's place among the completions of what was typed
// before the first Tab; any other key ends it.
type completion struct {
	active bool
	typed  string
	next   int
}

// complete puts the next completion of the typed prefix in the command
// line: each Tab the next one, round again after the last.
func (a *App) complete() {
	c := &a.completion
	if !c.active {
		*c = completion{active: true, typed: a.input.Value()}
	}
	var matches []string
	for _, n := range commandNames(a.cfg.Contexts) {
		if strings.HasPrefix(n, strings.ToLower(c.typed)) {
			matches = append(matches, n)
		}
	}
	if len(matches) == 0 {
		return
	}
	a.input.SetValue(matches[c.next%len(matches)])
	a.input.CursorEnd()
	c.next++
}
