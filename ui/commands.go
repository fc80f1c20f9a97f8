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
	// usage, if set, is how the lists show a command that takes an
	// argument: ":login NAME".
	usage string
	// form is a form of other commands, which their own completions
	// offer (":vm @all").
	form bool
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
		command{names: []string{"overview", "pulse"}, what: "the whole vCenter at a glance: states, alarms, load, HA, tasks, events"},
		command{names: []string{"KIND @all"}, usage: ":KIND " + allContexts, form: true,
			what: "list an inventory kind of every context at once: " + ":" + kinds.VMList().Aliases[0] + " " + allContexts + ", …"},
		command{names: []string{"ctx", "context"}, what: "list the contexts; :ctx NAME switches to one"},
		command{names: []string{"login"}, usage: ":login NAME", what: "log in again to a context of :KIND " + allContexts + " that failed or needs a password"},
		command{names: []string{"drill"}, what: "plan, check and run an HA drill"},
		command{names: []string{"alias"}, what: "list every command and its aliases"},
		command{names: []string{"q", "quit"}, what: "quit vtui"},
	)
}

// commandLines are the commands a line each, aligned: ":vm   vms   list
// the vms". ? and :alias show them.
func commandLines() []string {
	cs := commands()
	nameW, aliasW := 0, 0
	for _, c := range cs {
		nameW = max(nameW, len(c.shown()))
		aliasW = max(aliasW, len(strings.Join(c.names[1:], ", ")))
	}
	lines := make([]string, len(cs))
	for i, c := range cs {
		lines[i] = fmt.Sprintf("%-*s  %-*s  %s", nameW, c.shown(), aliasW, strings.Join(c.names[1:], ", "), c.what)
	}
	return lines
}

// shown is how the lists name the command.
func (c command) shown() string {
	if c.usage != "" {
		return c.usage
	}
	return ":" + c.names[0]
}

// commandNames are what Tab completes after ":": each command's first
// name, a kind's followed by its view across contexts, then a context to
// switch to and to log in to.
func commandNames(contexts []string) []string {
	var names []string
	across := acrossCommands()
	for _, c := range commands() {
		if c.form {
			continue
		}
		names = append(names, c.names[0])
		if all := c.names[0] + " " + allContexts; slices.Contains(across, ":"+all) {
			names = append(names, all)
		}
	}
	for _, c := range contexts {
		names = append(names, "ctx "+c)
	}
	for _, c := range contexts {
		names = append(names, "login "+c)
	}
	return names
}

// acrossCommands are the commands that open the views across contexts:
// ":vm @all" and the other inventory kinds', in the registry's order.
func acrossCommands() []string {
	var out []string
	for _, k := range kinds.All() {
		if !k.Stream {
			out = append(out, ":"+k.Aliases[0]+" "+allContexts)
		}
	}
	return out
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
