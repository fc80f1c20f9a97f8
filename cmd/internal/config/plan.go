package config

import (
	"context"
	"fmt"
	"strings"

	"github.com/vtui/vtui/ha/drill"
	"github.com/vtui/vtui/vsphere"
)

// ForPlan returns the settings a drill runs with, given the command's
// settings cur (resolved from in) and the plan's context. A plan without a
// context runs on the command's vCenter. A plan's context is used as
// --context would use it, unless the command names a vCenter of its own:
// --simulator, --url or VTUI_URL, or another context by --context or
// VTUI_CONTEXT. Then it refuses with a UsageError, naming both and what to
// drop, rather than guess which one the drill should hurt. The config
// file's current-context and GOVC_* variables are defaults, and give way
// to the plan's context.
func ForPlan(ctx context.Context, cur Settings, in Input, planContext string) (Settings, error) {
	if planContext == "" {
		return cur, nil
	}
	if err := drill.CheckContext(planContext, cur.Where()); err != nil {
		return cur, UsageError{err}
	}
	in.PlanContext = planContext
	s, _, err := Resolve(ctx, in)
	return s, err
}

// Where is the vCenter the settings name, for drill.CheckContext: the
// setting that names it, or a default (the zero Where) that gives way to a
// plan's context.
func (s *Settings) Where() drill.Where {
	var w drill.Where
	switch urlSrc, ctxSrc := s.Sources["url"], s.Sources["context"]; {
	case s.Simulator != "":
		w = drill.Where{By: "--simulator", Names: "runs its own vCenter"}
	case strings.HasPrefix(urlSrc, "--") || strings.HasPrefix(urlSrc, "VTUI_"):
		w = drill.Where{By: urlSrc, Names: "names " + vsphere.RedactURL(s.Conn.URL)}
	case ctxSrc == "--context" || ctxSrc == "VTUI_CONTEXT":
		w = drill.Where{Context: s.ContextName, By: ctxSrc, Names: fmt.Sprintf("names context %q", s.ContextName)}
	default:
		return w
	}
	w.Instead = "drop " + w.By
	if !strings.HasPrefix(w.By, "--") {
		w.Instead = "unset " + w.By
	}
	return w
}

// Origin is what named the vCenter when it is not a context of the config
// file ("--simulator", "--url", "VTUI_URL", "GOVC_URL"), else "": the
// terminal UI's Config.Origin, by which its drill view refuses a plan's
// context.
func (s *Settings) Origin() string {
	switch {
	case s.Simulator != "":
		return "--simulator"
	case !s.URLFromContext():
		return s.Sources["url"]
	}
	return ""
}
