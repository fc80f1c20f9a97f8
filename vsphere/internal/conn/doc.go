// Package conn is the raw session with one vCenter: Dial checks the
// server's certificate (tls.go) and logs in; the Conn it returns keeps the
// session alive, logs in again when the server forgets it (relogin.go),
// can refuse every mutating request before it is sent (readonly.go),
// and can keep its session for the next process (sessioncache.go).
// It also holds the few request patterns every other package under
// vsphere/ builds on: a paged Retrieve, a Follow of property updates, a
// WaitTask and a WaitFor, each through a property collector of its own.
// Retrieve's and Follow's answers are decoded by a scanner that knows
// their shape (leanxml.go), with decoders built once per value type
// (leanvalue.go), several times faster than govmomi's decoder, into the
// same values.
//
// Its contract is reach, not behaviour: a *Conn has no method that hands
// out the govmomi client. Only packages under vsphere/ can import conn
// and call VIM, so code outside vsphere/ that holds a Conn (through
// vsphere.Client.Conn) cannot send a request with it; every change goes
// through vsphere's Gate. vsphere re-exports Config, Policy, Option, the
// connect errors and ParseURL, so callers never name this package.
package conn
