//go:build !unix

package drill

import "os/exec"

// ownGroup does nothing where there are no process groups.
func ownGroup(*exec.Cmd) {}

// killGroup kills the command alone where there are no process groups.
func killGroup(cmd *exec.Cmd) error { return cmd.Process.Kill() }
