package vsphere

import (
	"errors"
)

// Errors of name resolution. Each is bad input: the user named something
// wrongly, nothing was sent, and the message says what would do.
var (
	// ErrNotFound is wrapped by errors for names that match no object.
	ErrNotFound = errors.New("not found")
	// ErrAmbiguous is wrapped by errors for a name, without wildcards,
	// that several objects share; the message lists their IDs and paths.
	ErrAmbiguous = errors.New("ambiguous")
	// ErrInvalidPattern is wrapped by errors for a name pattern that is
	// not a valid glob.
	ErrInvalidPattern = errors.New("invalid name pattern")
)

// IsBadName reports whether err is a name that did not resolve: not found,
// ambiguous or an invalid pattern. Such errors are the user's input to fix.
func IsBadName(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrAmbiguous) || errors.Is(err, ErrInvalidPattern)
}
