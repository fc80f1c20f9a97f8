// Package drillrun is the drill use case that both faces share: the CLI
// (vtui drill run and rollback) and the TUI's drill view are adapters
// over it, keeping only flags, prompts, printing and screens.
//
// It owns the files a drill writes and the order they are touched in:
// Paths.Resolve fills the default journal ($XDG_STATE_HOME/vtui/drills,
// else ~/.local/state/vtui/drills) and checks, before anything is
// injected, that the journal and every report can be written; Begin
// creates the journal only when the run can change vCenter (not under
// --dry-run or --readonly) and hands back the ha/drill Runner that
// records to it; WriteReports is the one writer of the JSON, JUnit and
// Markdown reports, each through a temporary file renamed into place;
// Rollback finishes a drill from its journal.
//
// It imports neither bubbletea nor cobra.
package drillrun
