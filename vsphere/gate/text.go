package gate

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vtui/vtui/internal/format"
)

// ResultColumns are the columns of a table of results, for people: the
// object, the operation, where from and to, the status, the seconds it
// took and its Detail. A script reads the results' JSON instead.
func ResultColumns() []format.Column[Result] {
	return []format.Column[Result]{
		{Title: "OBJECT", Cell: func(r Result) string { return r.Object }},
		{Title: "OP", Cell: func(r Result) string { return string(r.Op) }},
		{Title: "FROM", Cell: func(r Result) string { return format.Dash(r.From) }},
		{Title: "TARGET", Cell: func(r Result) string { return format.Dash(r.Target) }},
		{Title: "STATUS", Cell: func(r Result) string { return string(r.Status) }},
		{Title: "SECONDS", Cell: func(r Result) string { return strconv.FormatFloat(r.Seconds, 'f', 1, 64) }},
		{Title: "MESSAGE", Cell: func(r Result) string { return format.Dash(r.Detail()) }},
	}
}

// Detail is the result's message followed by its warnings, in one line.
func (r Result) Detail() string {
	msg := r.Message
	if len(r.Warnings) > 0 {
		msg = strings.TrimPrefix(msg+"; warning: "+strings.Join(r.Warnings, "; "), "; ")
	}
	return msg
}

// WritePlan lists for people what actions would do, a line each, with
// their refusals ("x"), the ones with nothing to do ("=") and their
// warnings ("!").
func WritePlan(w io.Writer, actions []Action) {
	fmt.Fprintln(w, "Plan:")
	for _, a := range actions {
		switch failed := a.Failed(); {
		case len(failed) > 0:
			fmt.Fprintf(w, "  x %s: refused: %s\n", a, failed[0])
		case a.Noop != "":
			fmt.Fprintf(w, "  = %s: %s\n", a.Object, a.Noop)
		default:
			fmt.Fprintf(w, "  - %s\n", a)
		}
		for _, c := range a.Warnings() {
			fmt.Fprintf(w, "    ! %s\n", c)
		}
	}
}

// WriteText writes the progress as a line for people watching a run: a
// note, an action started, or an action done with its status and
// seconds. Other stages write nothing.
func (p Progress) WriteText(w io.Writer) {
	pos := fmt.Sprintf("[%d/%d]", p.Index+1, p.Total)
	switch p.Stage {
	case StageNote:
		fmt.Fprintf(w, "note: %s\n", p.Message)
	case StageStarted:
		fmt.Fprintf(w, "%s %s ...\n", pos, p.Message)
	case StageDone:
		r := p.Result
		fmt.Fprintf(w, "%s %s %s: %s (%.1fs)\n", pos, r.Op, r.Object, r.Status, r.Seconds)
	}
}
