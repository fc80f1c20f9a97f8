// Package config resolves what every vtui command reads before it runs: the
// vCenter to reach and how, the safety switches (--readonly, --dry-run,
// --yes), the output format, the log file and the simulator preset.
//
// AddFlags declares the global flags; Resolve layers them over the
// environment, the selected context of the config file (File) and the
// defaults, and returns one typed Settings that records the layer each value
// came from. Precedence, per key: flag > VTUI_* environment > the selected
// context of the config file > default. GOVC_URL, GOVC_USERNAME,
// GOVC_PASSWORD and GOVC_INSECURE are fallbacks that are read only when no
// context is selected, so an ambient govc setup never mixes with a context's
// vCenter. An empty environment variable counts as unset.
//
// The password is not a setting: Settings says only where it comes from,
// and ReadPassword reads it when connecting, from there or from a prompt,
// and only for the vCenter it came with.
//
// A drill plan may name a context: ForPlan resolves the settings it runs
// with, and Settings.Where and Settings.Origin say what named the vCenter,
// for the rule that a plan's context never silently replaces another.
//
// Errors in what the user typed or wrote are UsageErrors (vtui exits 2 on
// them). The package never prints: notes for the user are in
// Settings.Notes.
package config
