package drill

import "fmt"

// Where is the vCenter a drill would run on, as CheckContext sees it: the
// command's connection in the CLI, the current one in the terminal UI.
type Where struct {
	// Context is the vtui context it is, "" for a vCenter named otherwise
	// (the simulator, a URL).
	Context string
	// By is what chose it, as the user knows it: "--url", "VTUI_URL",
	// "--context", "the current connection". "" is a default (the config
	// file's current-context, GOVC_*), which gives way to a plan's context.
	By string
	// Names says what By names, following it: "names context \"prod\"",
	// "runs its own vCenter".
	Names string
	// Instead is how to use the plan's context in its place: "drop --url",
	// "unset VTUI_URL", "close the view and switch with :ctx lab".
	Instead string
}

// CheckContext is the one rule, for the CLI and the terminal UI, for a
// plan's context against where the drill would run. A plan without a
// context runs where it is. A plan's context is used there when it is
// that context, or when where is a default that gives way to it (By
// ""); the caller then connects to it. Anywhere else it returns an
// error that names both and says what to drop, rather than guess which
// vCenter the drill should fail a host of.
func CheckContext(planContext string, where Where) error {
	if planContext == "" || where.By == "" || where.Context == planContext {
		return nil
	}
	return fmt.Errorf("the plan names context %q, and %s %s: remove \"context: %s\" from the plan to use %s, or %s to use context %s",
		planContext, where.By, where.Names, planContext, where.By, where.Instead, planContext)
}
