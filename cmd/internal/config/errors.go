package config

import "fmt"

// UsageError is an error in what the user typed or wrote: a flag, an
// environment variable, the config file or a password source. vtui exits 2
// on it.
type UsageError struct {
	Err error
}

// Error returns the message of Err.
func (e UsageError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e UsageError) Unwrap() error { return e.Err }

// usageErrorf formats a UsageError; %w wraps as in fmt.Errorf.
func usageErrorf(format string, args ...any) error {
	return UsageError{fmt.Errorf(format, args...)}
}
