// Package archtest holds no code: its test enforces vtui's import rules
// on the module as it stands, with `go list -json ./...`.
//
//   - govmomi is imported only under vsphere/ (a few tests outside are
//     listed in the rule's exceptions, each with why);
//   - cobra, viper and pflag only under cmd/;
//   - bubbletea, bubbles, lipgloss and teatest only in ui, ui/... and cmd/;
//   - no non-test package imports vsphere/vspheretest;
//   - no non-test package but ha/drill (the drill's command runner)
//     imports os/exec: nothing from vCenter reaches a shell;
//   - every package sits in one layer of the table in imports_test.go,
//     and imports only its own layer or lower ones. A package in no layer
//     fails, so a new package must be placed.
//
// A failure reads "pkg imports dep: rule". Moving or adding a package
// means editing the layers table, and nothing else.
package archtest
