package conn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/session/keepalive"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/vtui/vtui/internal/tlstrust"
)

const (
	defaultTimeout   = 30 * time.Second
	defaultKeepAlive = 5 * time.Minute
)

// Conn is a logged-in session with one vCenter. It keeps the session alive
// while idle, and when the server reports the session gone it logs in again
// and retries, once, requests that change nothing. It is safe for concurrent
// use. Its fields are unexported and no method hands out the govmomi
// client: packages under vsphere/ reach it through VIM, so code outside
// vsphere/ can hold a *Conn but not send a request through it.
type Conn struct {
	vim     *vim25.Client
	host    string
	user    string
	timeout time.Duration
	log     *slog.Logger
	soap    *soap.Client
	session *reloginRoundTripper
	http    *countingTransport
	lean    *leanStats
	policy  Policy
	// cache keeps the session for the next process; nil without one.
	cache *sessionCache
}

// Option tunes Dial.
type Option func(*options)

type options struct {
	log        *slog.Logger
	policy     Policy
	sessionDir string
	password   func(context.Context) (string, error)
}

// WithLogger sends the connection's log records (logins, re-logins, retries) to l.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithPolicy sets what the connection's gates let through: every
// change made through it obeys p, whichever face (CLI or terminal
// UI) plans it. With p.ReadOnly the transport also refuses every mutating
// method (RefuseMutations).
func WithPolicy(p Policy) Option { return func(o *options) { o.policy = p } }

// WithSessionCache keeps the session in a file under dir, keyed by URL
// and user, for the next Dial to resume (see sessionCache): that Dial
// checks the session with one read and logs in only if the server forgot
// it, and Close leaves a cached session logged in.
func WithSessionCache(dir string) Option { return func(o *options) { o.sessionDir = dir } }

// ErrNoSession is wrapped by Dial's error when it has no password and no
// cached session to resume.
var ErrNoSession = errors.New("no password and no cached session")

// WithPassword gives Dial a source of the password for a Config without
// one, asked only when a login needs it: a session resumed from the cache
// (WithSessionCache) needs none, so a call that resumes one reads no
// password file and prompts for nothing. The source is asked at most once
// per Conn; a re-login after the session expires uses its answer.
func WithPassword(source func(context.Context) (string, error)) Option {
	return func(o *options) { o.password = source }
}

// ErrClearText is wrapped by ParseURL's error for an http URL: logging in
// over it would send the password in clear text.
var ErrClearText = errors.New("http would send the password in clear text")

// ParseURL turns a user's endpoint into a vSphere SDK URL: a bare host name
// gets https:// and /sdk. Only https is accepted: http is refused (wrapping
// ErrClearText), on loopback too, where any local user who binds the port
// first would receive the password. User info in the URL is rejected,
// because a password in a URL ends up in shell history and logs; and no
// error ever repeats it, even for a URL that does not parse (see
// RedactURL).
func ParseURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("no vCenter URL: give --url, set VTUI_URL, or choose a context with --context")
	}
	shown := RedactURL(s)
	hasUser := shown != s
	u, err := soap.ParseURL(s)
	if err != nil {
		if hasUser {
			// The parser's words may quote a piece of the password.
			return nil, fmt.Errorf("invalid vCenter URL %q: it does not parse; put the user name in --username and the password in VTUI_PASSWORD, not in the URL", shown)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("invalid vCenter URL %q: %w", shown, err)
	}
	if u.User != nil && u.User.String() != ":" {
		return nil, fmt.Errorf("invalid vCenter URL %q: put the user name in --username and the password in VTUI_PASSWORD, not in the URL", shown)
	}
	u.User = nil
	if u.Hostname() == "" {
		return nil, fmt.Errorf("invalid vCenter URL %q: no host name", shown)
	}
	// url.Parse takes any digits, or none after the colon, for a port.
	if port := u.Port(); port != "" || strings.HasSuffix(u.Host, ":") {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("invalid vCenter URL %q: port %q is not a number from 1 to 65535 (leave it out for 443)", shown, port)
		}
	}
	switch u.Scheme {
	case "https":
	case "http":
		return nil, fmt.Errorf("invalid vCenter URL %q: %w; use https://%s (vtui verifies the certificate: pin a self-signed one with --thumbprint)",
			shown, ErrClearText, u.Host+u.EscapedPath())
	default:
		return nil, fmt.Errorf("invalid vCenter URL %q: scheme %q: use https", shown, u.Scheme)
	}
	return u, nil
}

// RedactURL returns s with any user information (user:password@) replaced
// by "***@", whether or not s parses as a URL: everything between the
// scheme's "//" (or the start) and the last "@" goes. Use it for every URL
// shown in a message or a log.
func RedactURL(s string) string {
	start := 0
	if i := strings.Index(s, "://"); i >= 0 {
		start = i + len("://")
	}
	at := strings.LastIndex(s[start:], "@")
	if at < 0 {
		return s
	}
	return s[:start] + "***@" + s[start+at+1:]
}

// Dial opens a session with the vCenter cfg describes: it checks the
// server's certificate (system roots, cfg.CAFile, a pinned cfg.Thumbprint,
// or none with cfg.Insecure), then logs in. Its errors are specific:
// *UnreachableError, *UntrustedCertError or *LoginError.
func Dial(ctx context.Context, cfg Config, opts ...Option) (*Conn, error) {
	o := options{log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	if err := cfg.Validate(ctx); err != nil {
		return nil, err
	}
	u, _ := ParseURL(cfg.URL)
	if cfg.Username == "" {
		return nil, fmt.Errorf("no user name for %s: give --username, set VTUI_USERNAME, or set username in the context", u.Host)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	password := lazyPassword(cfg.Password, o.password)
	var cache *sessionCache
	cookie := ""
	if o.sessionDir != "" {
		cache = newSessionCache(o.sessionDir, u, cfg.Username)
		var err error
		if cookie, err = cache.load(); err != nil {
			return nil, connectError(u, timeout, err)
		}
	}
	// The password is asked outside the time bound of connecting (a
	// person may be typing it), and before anything is sent unless a
	// cached session may spare it.
	parent := ctx
	askPassword := func() error {
		pw, err := password(parent)
		if err == nil && pw == "" { // never log in with an empty password
			err = fmt.Errorf("log in to %s as %s: %w", u.Host, cfg.Username, ErrNoSession)
		}
		if err != nil && cookie != "" {
			return fmt.Errorf("the cached session of %s at %s has expired, so a password is needed: %w", cfg.Username, u.Host, err)
		}
		return err
	}
	if cookie == "" {
		if err := askPassword(); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()

	d, err := tlstrust.NewDialer(ctx, cfg.CAFile, cfg.Thumbprint, cfg.Insecure, timeout)
	if err != nil {
		return nil, err
	}
	d.Advice = vcenterAdvice
	sc := soap.NewClient(u, cfg.Insecure)
	t := sc.DefaultTransport()
	t.DialTLSContext = d.DialTLSContext
	t.DialContext = (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext
	counter := &countingTransport{base: t}
	sc.Client.Transport = counter

	lean := leanRoundTripper{sc, new(leanStats)}
	keep := keepalive.NewHandlerSOAP(lean, defaultKeepAlive, nil)
	relogin := &reloginRoundTripper{rt: keep, log: o.log}
	vim, err := vim25.NewClient(ctx, relogin)
	if err != nil {
		return nil, connectError(u, timeout, err)
	}

	sm := session.NewManager(vim)
	resumed := false
	if cookie != "" {
		if resumed, err = cache.resume(ctx, sc, sm, cookie); err != nil {
			return nil, connectError(u, timeout, err)
		}
	}
	login := func(ctx context.Context) error {
		pw, err := password(ctx)
		if err != nil {
			return err
		}
		if err := sm.Login(ctx, url.UserPassword(cfg.Username, pw)); err != nil {
			return err
		}
		if cache != nil {
			if err := cache.save(sc); err != nil {
				o.log.Warn("the session is not cached", "err", err)
			}
		}
		return nil
	}
	relogin.login = login
	if resumed {
		o.log.Info("resumed the cached session", "url", u.Redacted(), "user", cfg.Username)
	} else {
		if err := askPassword(); err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(parent, timeout) // the time spent typing is not the login's
		defer cancel()
		if err := login(ctx); err != nil {
			if fault.Is(err, &types.InvalidLogin{}) {
				return nil, &LoginError{Host: u.Host, User: cfg.Username, Err: err}
			}
			return nil, connectError(u, timeout, fmt.Errorf("login to %s as %s: %w", u.Host, cfg.Username, err))
		}
		o.log.Info("logged in", "url", u.Redacted(), "user", cfg.Username)
	}
	c := &Conn{
		vim:     vim,
		host:    u.Host,
		user:    cfg.Username,
		timeout: timeout,
		log:     o.log,
		soap:    sc,
		session: relogin,
		http:    counter,
		lean:    lean.stats,
		policy:  o.policy,
		cache:   cache,
	}
	if o.policy.ReadOnly {
		c.RefuseMutations()
	}
	return c, nil
}

// lazyPassword returns a function that returns password, or else asks
// source once, keeping its answer (or its error).
func lazyPassword(password string, source func(context.Context) (string, error)) func(context.Context) (string, error) {
	var mu sync.Mutex
	var err error
	asked := password != "" || source == nil
	return func(ctx context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if !asked {
			password, err = source(ctx)
			asked = true
		}
		return password, err
	}
}

// Policy returns what the gates of c let through: the policy it was
// dialled with, read-only as well if its transport refuses mutations.
func (c *Conn) Policy() Policy {
	p := c.policy
	p.ReadOnly = p.ReadOnly || c.RefusesMutations()
	return p
}

// Host returns the server's host[:port], for display.
func (c *Conn) Host() string { return c.host }

// User returns the logged-in user name.
func (c *Conn) User() string { return c.user }

// RoundTrips returns how many HTTP requests c has sent, including
// the login. Benchmarks and the status bar use it.
func (c *Conn) RoundTrips() int64 { return c.http.count.Load() }

// Decodes counts how the connection's property answers were decoded.
func (c *Conn) Decodes() DecodeCounts { return c.lean.counts() }

// Relogins returns how many times the session was renewed after it expired.
func (c *Conn) Relogins() uint64 { return c.session.gen.Load() }

// KeepsSession reports whether Close leaves the session logged in for the
// next process (WithSessionCache): what the client created in it, such
// as views, outlives it unless destroyed.
func (c *Conn) KeepsSession() bool { return c.cache != nil }

// Close logs out and releases the connections; a cached session (see
// WithSessionCache) stays logged in for the next process. Later calls fail
// rather than log in again.
func (c *Conn) Close(ctx context.Context) error {
	c.session.closed.Store(true)
	if c.cache != nil {
		c.soap.CloseIdleConnections()
		return nil
	}
	err := session.NewManager(c.vim).Logout(ctx)
	c.soap.CloseIdleConnections()
	if err != nil {
		return fmt.Errorf("logout from %s: %w", c.host, err)
	}
	return nil
}

// connectError turns a failed first request into an error that says what to
// do: a certificate problem names the fingerprints, a network problem names
// the address and the timeout.
func connectError(u *url.URL, timeout time.Duration, err error) error {
	if ce, ok := tlstrust.AsUntrustedCert(err); ok {
		return ce
	}
	addr := hostPort(u)
	var netErr net.Error
	var opErr *net.OpError
	if errors.As(err, &opErr) || errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) {
		return &UnreachableError{Addr: addr, Timeout: timeout, Err: rootCause(err)}
	}
	return fmt.Errorf("connect to %s: %w", addr, err)
}

// rootCause strips url.Error and net.OpError wrappers, whose text repeats
// the URL and address the caller already prints.
func rootCause(err error) error {
	for {
		var ue *url.Error
		var oe *net.OpError
		switch {
		case errors.As(err, &oe) && oe.Err != nil:
			err = oe.Err
		case errors.As(err, &ue) && ue.Err != nil:
			err = ue.Err
		default:
			return err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return errors.New("timed out")
		}
	}
}

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	return u.Host + ":443"
}

// countingTransport counts HTTP requests and reads each response body to
// its end before closing it. govmomi stops reading at the end of the SOAP
// envelope, and a body closed unread makes net/http drop the connection, so
// without draining every large response costs a new TLS handshake.
type countingTransport struct {
	base  http.RoundTripper
	count atomic.Int64
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.count.Add(1)
	res, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	res.Body = &drainingBody{res.Body}
	return res, nil
}

type drainingBody struct{ io.ReadCloser }

// maxDrain bounds the bytes read to save a connection: past it, closing
// is cheaper than reading.
const maxDrain = 256 << 10

func (b *drainingBody) Close() error {
	_, _ = io.CopyN(io.Discard, b.ReadCloser, maxDrain)
	return b.ReadCloser.Close()
}

// VIM returns the govmomi client of c, for the packages under vsphere/
// that send requests. It is a function, not a method, so that only they
// can reach it: the package is internal.
func VIM(c *Conn) *vim25.Client { return c.vim }

// SOAP returns the SOAP client of c (its URL, its HTTP client), for the
// simulator door and the vCenter's identity.
func SOAP(c *Conn) *soap.Client { return c.soap }

// Log returns the logger c was dialled with.
func Log(c *Conn) *slog.Logger { return c.log }
