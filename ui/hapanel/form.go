package hapanel

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/vsphere/clusterspec"
)

// setting is one field of the form: a cluster-wide HA or DRS setting.
type setting struct {
	section, label string
	// path names it as clusterspec.Diff and Validate do, so that a
	// problem Validate finds is shown next to it.
	path string
	// values are what the field cycles through; nil makes it a text
	// field.
	values []string
	hint   string
	get    func(clusterspec.Config) string
	set    func(*clusterspec.Config, string) error
}

// settings are the fields of the form, in the order of `ha set` and
// `drs set`.
func settings() []setting {
	return []setting{
		flag("HA", "enabled", "ha.enabled", func(c *clusterspec.Config) *bool { return &c.HA.Enabled }),
		flag("HA", "host monitoring", "ha.host_monitoring", func(c *clusterspec.Config) *bool { return &c.HA.HostMonitoring }),
		choice("HA", "VM monitoring", "ha.vm_monitoring", func(c *clusterspec.Config) *clusterspec.VMMonitoring { return &c.HA.VMMonitoring },
			clusterspec.ParseVMMonitoring),
		{section: "HA", label: "admission control", path: "ha.admission_control",
			hint: "disabled | failures:N | slots:N | percent:CPU,MEM | hosts:H1,H2",
			get:  func(c clusterspec.Config) string { return c.HA.AdmissionControl.String() },
			set: func(c *clusterspec.Config, v string) (err error) {
				c.HA.AdmissionControl, err = clusterspec.ParseAdmissionControl(v)
				return err
			}},
		choice("HA", "restart priority", "ha.restart_priority", func(c *clusterspec.Config) *clusterspec.RestartPriority { return &c.HA.RestartPriority },
			clusterspec.ParseRestartPriority),
		choice("HA", "isolation response", "ha.isolation_response", func(c *clusterspec.Config) *clusterspec.IsolationResponse { return &c.HA.IsolationResponse },
			clusterspec.ParseIsolationResponse),
		flag("DRS", "enabled", "drs.enabled", func(c *clusterspec.Config) *bool { return &c.DRS.Enabled }),
		choice("DRS", "automation", "drs.automation", func(c *clusterspec.Config) *clusterspec.Automation { return &c.DRS.Automation },
			clusterspec.ParseAutomation),
		{section: "DRS", label: "migration threshold", path: "drs.threshold", values: []string{"1", "2", "3", "4", "5"},
			hint: "1 conservative … 5 aggressive",
			get:  func(c clusterspec.Config) string { return strconv.Itoa(c.DRS.Threshold) },
			set: func(c *clusterspec.Config, v string) (err error) {
				c.DRS.Threshold, err = strconv.Atoi(v)
				return err
			}},
	}
}

// flag is a yes/no setting.
func flag(section, label, path string, field func(*clusterspec.Config) *bool) setting {
	return setting{section: section, label: label, path: path, values: []string{"yes", "no"},
		get: func(c clusterspec.Config) string { return format.YesNo(*field(&c)) },
		set: func(c *clusterspec.Config, v string) error { *field(c) = v == "yes"; return nil }}
}

// choice is an enumerated setting, offering the values parse accepts.
func choice[T interface {
	~string
	Values() []string
}](section, label, path string, field func(*clusterspec.Config) *T, parse func(string) (T, error)) setting {
	var zero T
	return setting{section: section, label: label, path: path, values: zero.Values(),
		get: func(c clusterspec.Config) string { return string(*field(&c)) },
		set: func(c *clusterspec.Config, v string) (err error) {
			*field(c), err = parse(v)
			return err
		}}
}

// valueWidth is the room a field's value takes, so that the hints beside
// the values line up: a text field's input and its brackets.
const valueWidth = 25

// entry is a setting being edited: its value, its input if it is a text
// field, and why the value was refused.
type entry struct {
	setting
	value string
	input *textinput.Model
	err   string
}

// form edits the HA and DRS settings of a configuration. Enumerated
// settings cycle through their values; admission control is typed in
// its text form. Nothing is checked until the changes are reviewed.
type form struct {
	keys    common.PanelKeyMap
	entries []*entry
	cursor  int
	// others are the problems of what the form does not show (the rules,
	// groups and overrides the configuration keeps as they are).
	others []string
	note   string // why the review did not open
}

func newForm(keys common.PanelKeyMap, cfg clusterspec.Config) *form {
	f := &form{keys: keys}
	for _, s := range settings() {
		e := &entry{setting: s, value: s.get(cfg)}
		if s.values == nil {
			in := textinput.New()
			in.Prompt = ""
			in.CharLimit = 256
			in.Width = 22
			in.SetValue(e.value)
			in.CursorEnd()
			e.input = &in
		}
		f.entries = append(f.entries, e)
	}
	f.focus()
	return f
}

func (f *form) current() *entry { return f.entries[f.cursor] }

// focus puts the text cursor in the current field, if it is a text one.
func (f *form) focus() {
	for i, e := range f.entries {
		if e.input == nil {
			continue
		}
		if i == f.cursor {
			e.input.Focus()
		} else {
			e.input.Blur()
		}
	}
}

// update handles a key; review is true when the changes are to be
// reviewed.
func (f *form) update(k tea.KeyMsg) (cmd tea.Cmd, review bool) {
	e := f.current()
	switch {
	case key.Matches(k, f.keys.Review):
		return nil, true
	case key.Matches(k, f.keys.Next):
		f.cursor = (f.cursor + 1) % len(f.entries)
	case key.Matches(k, f.keys.Prev):
		f.cursor = (f.cursor + len(f.entries) - 1) % len(f.entries)
	case e.input != nil:
		in, cmd := e.input.Update(k)
		*e.input = in
		e.value, e.err = in.Value(), ""
		return cmd, false
	case key.Matches(k, f.keys.Cycle):
		e.cycle(1)
	case key.Matches(k, f.keys.CycleBack):
		e.cycle(-1)
	}
	f.focus()
	return nil, false
}

func (e *entry) cycle(step int) {
	i := slices.Index(e.values, e.value)
	e.value = e.values[(i+step+len(e.values))%len(e.values)]
	e.err = ""
}

// desired returns cur with the form's values, checked against the
// cluster as ReconfigureCluster will check it: ok is false, and each
// problem is shown next to its field, if any value is refused.
func (f *form) desired(cur clusterspec.Config, scope clusterspec.Scope) (want clusterspec.Config, ok bool) {
	want = cur
	f.others, f.note = nil, ""
	bad := false
	for _, e := range f.entries {
		e.err = ""
		if err := e.set(&want, strings.TrimSpace(e.value)); err != nil {
			e.err, bad = err.Error(), true
		}
	}
	if bad {
		return want, false
	}
	var ve *clusterspec.ValidationError
	if err := clusterspec.Validate(want, scope); errors.As(err, &ve) {
		for _, p := range ve.Problems {
			i := slices.IndexFunc(f.entries, func(e *entry) bool { return e.path == p.Field })
			if i < 0 {
				f.others = append(f.others, p.String())
				continue
			}
			f.entries[i].err = p.Msg
		}
		return want, false
	}
	return want, true
}

// lines renders the form, a field a line, each problem under its field;
// at is the line of the field with the cursor, which must stay in view.
func (f *form) lines(st *common.Styles) (out []string, at int) {
	for _, p := range f.others {
		out = append(out, st.Bad.Render("✗ "+p))
	}
	if f.note != "" {
		out = append(out, st.Warn.Render(f.note))
	}
	for i, e := range f.entries {
		if i == 0 || e.section != f.entries[i-1].section {
			if i > 0 {
				out = append(out, "")
			}
			out = append(out, st.Title.Render(e.section))
		}
		cursor := "  "
		if i == f.cursor {
			cursor, at = "› ", len(out)
		}
		value := "‹ " + e.value + " ›"
		if e.input != nil {
			value = "[" + e.input.View() + "]"
		}
		value += strings.Repeat(" ", max(valueWidth-lipgloss.Width(value), 0))
		hint := e.hint
		if hint == "" && len(e.values) > 2 {
			hint = strings.Join(e.values, ", ")
		}
		if hint != "" {
			value += " " + st.Hint.Render(hint)
		}
		out = append(out, strings.TrimRight(fmt.Sprintf("%s%-20s %s", cursor, e.label, value), " "))
		if e.err != "" {
			out = append(out, st.Bad.Render(fmt.Sprintf("  %-20s ✗ %s", "", e.err)))
		}
	}
	return out, at
}
