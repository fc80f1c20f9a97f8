//go:build unix

package conn

import (
	"io/fs"
	"os"
	"syscall"
)

// ownedByAnother reports whether info's file belongs to another user.
func ownedByAnother(info fs.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) != os.Getuid()
}
