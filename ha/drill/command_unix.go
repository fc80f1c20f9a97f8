//go:build unix

package drill

import (
	"os/exec"
	"syscall"
)

// ownGroup puts the command in a process group of its own, so that
// killGroup reaches every process it starts.
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// killGroup kills the command's process group, the command and all it
// started.
func killGroup(cmd *exec.Cmd) error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
