package gate

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"
)

// ErrConnectionLost is wrapped by the errors of changes cut short because
// the client lost its connection to vCenter.
var ErrConnectionLost = errors.New("lost the connection to vCenter")

// IsConnectionLost reports whether err means the server stopped answering
// on the transport: the connection was refused, reset or closed, or ended
// in the middle of a response. A cancelled or timed-out context is not a
// lost connection: the client chose to stop.
func IsConnectionLost(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	for _, target := range []error{ErrConnectionLost, io.EOF, io.ErrUnexpectedEOF, net.ErrClosed, http.ErrServerClosed,
		syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE, syscall.EHOSTUNREACH, syscall.ENETUNREACH} {
		if errors.Is(err, target) {
			return true
		}
	}
	var opErr *net.OpError
	return errors.As(err, &opErr)
}

// notSent reports whether a lost connection certainly kept the request
// from the server: it was refused before anything was written.
func notSent(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }
