// Package clusterconf is the use case of reconfiguring a cluster's HA and
// DRS: read its configuration, edit it (HA and DRS settings, rules,
// groups, per-VM overrides, a file's sections), see the difference, plan
// the change and pick DRS's recommendations. Both faces use it, the CLI
// (vtui cluster ...) and the TUI's HA panel, and keep only their input
// parsing, prompts and layout. The tables of a configuration (its
// settings, rules, groups, overrides, differences and recommendations)
// are declared here once, as row types whose JSON field names are a
// stable contract and their columns (tables.go).
//
// It plans and never sends: a change is a gate.Action
// (gate.ReconfigureCluster, Planner.ApplyRecommendation), which the face
// confirms and runs through the gate. The action reads the configuration
// again before it sends anything and refuses, unless forced, if it changed
// since the Session was read (its fingerprint), so another admin's change
// is never overwritten unseen.
//
// It imports neither bubbletea nor cobra.
package clusterconf
