package vsphere

import (
	"context"
	"log/slog"
	"net/url"
	"sync"

	"github.com/vmware/govmomi/vim25"

	"github.com/vtui/vtui/vsphere/internal/conn"
)

// Client is a logged-in session with one vCenter and the read model over
// it: inventory, live updates, events, tasks and cluster configuration. The
// session itself (TLS, keep-alive, re-login, read-only transport) is a
// *conn.Conn, which Conn hands to the packages under vsphere/ that change
// things. It is safe for concurrent use.
type Client struct {
	conn *conn.Conn
	vim  *vim25.Client // conn.VIM(conn), held for the many reads

	viewsMu sync.Mutex
	views   *viewSet

	perfState // performance charts (metrics.go)
}

// Connect opens a session with the vCenter cfg describes: it checks the
// server's certificate (system roots, cfg.CAFile, a pinned cfg.Thumbprint,
// or none with cfg.Insecure), then logs in. Its errors are specific:
// *UnreachableError, *UntrustedCertError or *LoginError.
func Connect(ctx context.Context, cfg Config, opts ...Option) (*Client, error) {
	cn, err := conn.Dial(ctx, cfg, opts...)
	if err != nil {
		return nil, err
	}
	return &Client{conn: cn, vim: conn.VIM(cn)}, nil
}

// Conn returns the session under c, for vsphere/gate and
// vsphere/drillkit. Outside vsphere/ it can be held but not used.
func (c *Client) Conn() *conn.Conn { return c.conn }

// Policy returns what the client's gates let through: the policy it was
// connected with, read-only as well if its transport refuses mutations.
func (c *Client) Policy() Policy { return c.conn.Policy() }

// Host returns the server's host[:port], for display.
func (c *Client) Host() string { return c.conn.Host() }

// User returns the logged-in user name.
func (c *Client) User() string { return c.conn.User() }

// RoundTrips returns how many HTTP requests the client has sent, including
// the login. Benchmarks and the status bar use it.
func (c *Client) RoundTrips() int64 { return c.conn.RoundTrips() }

// Relogins returns how many times the session was renewed after it expired.
func (c *Client) Relogins() uint64 { return c.conn.Relogins() }

// RefuseMutations makes the client's transport refuse every request that
// is not on the read-only list, before it is sent (ErrReadOnly).
func (c *Client) RefuseMutations() { c.conn.RefuseMutations() }

// RefusesMutations reports whether RefuseMutations is in effect.
func (c *Client) RefusesMutations() bool { return c.conn.RefusesMutations() }

// Close logs out and releases the connections; a cached session (see
// WithSessionCache) stays logged in, and then the container views the
// client's loads and watch created are destroyed first, as a logout would
// (on vCenter they would pile up in the session until it expires). Views
// are destroyed on a context of their own, bounded, even when ctx is
// cancelled. Later calls fail rather than log in again.
func (c *Client) Close(ctx context.Context) error {
	if c.conn.KeepsSession() {
		c.destroyViews()
	}
	return c.conn.Close(ctx)
}

// The connection's names, kept under vsphere so that cmd and ui need only
// this package to connect.
type (
	// Config says how to reach and log in to one vCenter (see conn.Config).
	Config = conn.Config
	// Policy says what the Gate lets through (see conn.Policy).
	Policy = conn.Policy
	// Option tunes Connect.
	Option = conn.Option
	// LoginError reports a rejected user name or password.
	LoginError = conn.LoginError
	// UnreachableError reports a server that could not be reached.
	UnreachableError = conn.UnreachableError
	// UntrustedCertError reports a server certificate that is not trusted.
	UntrustedCertError = conn.UntrustedCertError
)

var (
	// ErrClearText is wrapped by ParseURL's error for an http URL.
	ErrClearText = conn.ErrClearText
	// ErrNoSession is wrapped by Connect's error when it has no password
	// and no cached session to resume.
	ErrNoSession = conn.ErrNoSession
	// ErrInvalidConfig is wrapped by the errors of Config.Validate.
	ErrInvalidConfig = conn.ErrInvalidConfig
	// ErrReadOnly is wrapped by the error of a change refused in
	// read-only mode.
	ErrReadOnly = conn.ErrReadOnly
)

// ParseURL turns a user's endpoint into a vSphere SDK URL (see
// conn.ParseURL): https only, no user information.
func ParseURL(s string) (*url.URL, error) { return conn.ParseURL(s) }

// RedactURL returns s with any user information replaced by "***@".
func RedactURL(s string) string { return conn.RedactURL(s) }

// ReadOnlyMethod reports whether the SOAP method changes nothing, so that
// read-only mode lets it through.
func ReadOnlyMethod(method string) bool { return conn.ReadOnlyMethod(method) }

// WithLogger sends the client's log records (logins, re-logins, retries) to l.
func WithLogger(l *slog.Logger) Option { return conn.WithLogger(l) }

// WithSessionCache keeps the session in a file under dir (mode 0600,
// keyed by URL and user, holding the session cookie only) for the next
// Connect to resume; Close then leaves the session logged in.
func WithSessionCache(dir string) Option { return conn.WithSessionCache(dir) }

// HasCachedSession reports whether dir keeps a session of user at url
// that a client made WithSessionCache(dir) would try to resume. It reads
// only the file: the session may have expired on the server since.
func HasCachedSession(dir, url, user string) bool { return conn.HasCachedSession(dir, url, user) }

// WithPassword gives Connect a source of the password for a Config
// without one, asked only when a login needs it (not to resume a cached
// session), at most once per client.
func WithPassword(source func(context.Context) (string, error)) Option {
	return conn.WithPassword(source)
}

// WithPolicy sets what the client's gates let through (NewGate): every
// change made through the client obeys p, whichever face (CLI or terminal
// UI) plans it. With p.ReadOnly the transport also refuses every mutating
// method (RefuseMutations).
func WithPolicy(p Policy) Option { return conn.WithPolicy(p) }
