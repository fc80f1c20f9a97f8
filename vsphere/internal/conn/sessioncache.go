package conn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25/soap"
)

// sessionCache keeps the session cookie of one URL and user in a file, as
// govc's session cache does, so that a CLI call resumes the session the
// previous one opened instead of logging in (and out) again. The file
// holds the cookie only, never the password, has mode 0600, and one whose
// mode is looser or whose owner is another user is refused: a planted
// cookie would make vtui act in someone else's session.
type sessionCache struct {
	path string
}

// newSessionCache returns the cache of u and user under dir. The file name
// is a hash of both, so that it shows neither.
func newSessionCache(dir string, u *url.URL, user string) *sessionCache {
	sum := sha256.Sum256([]byte(u.String() + "\x00" + user))
	return &sessionCache{path: filepath.Join(dir, hex.EncodeToString(sum[:16])+".session")}
}

// load returns the cached cookie, "" if there is none.
func (c *sessionCache) load() (string, error) {
	info, err := os.Lstat(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("session cache: %w", err)
	}
	if err := c.check(info); err != nil {
		return "", err
	}
	data, err := os.ReadFile(c.path)
	if err != nil {
		return "", fmt.Errorf("session cache: %w", err)
	}
	if len(data) > 4096 {
		return "", fmt.Errorf("session cache %s is %d bytes, not a session cookie: remove it, or use --no-session-cache", c.path, len(data))
	}
	return strings.TrimSpace(string(data)), nil
}

// check refuses a file that is not a regular file of mode 0600 (or
// stricter) owned by the current user.
func (c *sessionCache) check(info fs.FileInfo) error {
	fix := fmt.Sprintf("remove it (rm %s), or use --no-session-cache", c.path)
	switch {
	case !info.Mode().IsRegular():
		return fmt.Errorf("session cache %s is not a regular file: %s", c.path, fix)
	case runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("session cache %s has mode %#o, others could use the session: it must be 0600; %s", c.path, info.Mode().Perm(), fix)
	case ownedByAnother(info):
		return fmt.Errorf("session cache %s belongs to another user: %s", c.path, fix)
	}
	return nil
}

// save writes the client's session cookie, replacing the file whole.
func (c *sessionCache) save(sc *soap.Client) error {
	cookie := sc.SessionCookie()
	if cookie == nil || cookie.Value == "" {
		return errors.New("session cache: the server set no session cookie")
	}
	dir := filepath.Dir(c.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("session cache: %w", err)
	}
	f, err := os.CreateTemp(dir, ".session-*")
	if err != nil {
		return fmt.Errorf("session cache: %w", err)
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	if _, err := f.WriteString(cookie.Value); err != nil {
		f.Close()
		return fmt.Errorf("session cache: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("session cache: %w", err)
	}
	if err := os.Rename(f.Name(), c.path); err != nil {
		return fmt.Errorf("session cache: %w", err)
	}
	return nil
}

// resume puts cookie, the cached one, on sc and reports whether the
// server still knows its session, with one cheap read of the current
// session. A stale cookie is dropped, so that the login that follows
// starts afresh.
func (c *sessionCache) resume(ctx context.Context, sc *soap.Client, sm *session.Manager, cookie string) (bool, error) {
	u := sc.URL()
	u.Path = "/"
	sc.Jar.SetCookies(u, []*http.Cookie{{Name: soap.SessionCookieName, Value: cookie}})
	us, err := sm.UserSession(ctx)
	if err != nil {
		return false, err
	}
	if us == nil {
		sc.Jar.SetCookies(u, []*http.Cookie{{Name: soap.SessionCookieName, Value: "", MaxAge: -1}})
		return false, nil
	}
	return true, nil
}

// HasCachedSession reports whether dir keeps a session of user at rawURL
// that Dial with WithSessionCache(dir) would try to resume, reading only
// the file: the session may have expired on the server since.
func HasCachedSession(dir, rawURL, user string) bool {
	u, err := ParseURL(rawURL)
	if err != nil || dir == "" {
		return false
	}
	cookie, err := newSessionCache(dir, u, user).load()
	return err == nil && cookie != ""
}
