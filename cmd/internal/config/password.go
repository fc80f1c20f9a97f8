package config

// Passwords: where each comes from, and to which vCenter it may go.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"

	"github.com/vtui/vtui/internal/readlimit"
	"github.com/vtui/vtui/vsphere"
)

// passwordSource says where the password comes from; the password itself is
// read only when connecting.
type passwordSource struct {
	envVar    string // read this environment variable
	urlEnvVar string // or the password inside the URL held by this variable
	file      string // or read this file
	context   string // the context that named envVar or file, "" for VTUI_/GOVC_PASSWORD
	withheld  string // why a context's password source was not used
}

// ErrNoPassword means no password source is configured and vtui may not
// prompt. The terminal UI branches on it to ask in a dialog instead.
var ErrNoPassword = errors.New("no password")

// ReadPassword returns the password for s from its configured source, or
// from prompt when there is none (prompt nil: no terminal to ask on). ctx
// ends the read of a password file that blocks.
func ReadPassword(ctx context.Context, s Settings, env LookupEnvFunc, prompt func(string) (string, error)) (string, error) {
	src := s.password
	where := ""
	if src.context != "" {
		where = fmt.Sprintf("context %q: ", src.context)
	}
	switch {
	case src.envVar != "":
		v, ok := nonEmptyEnv(env, src.envVar)
		if !ok {
			return "", usageErrorf("%spassword-env names %s, which is not set", where, src.envVar)
		}
		return v, nil
	case src.urlEnvVar != "":
		raw, _ := env(src.urlEnvVar)
		if pw, ok := urlPassword(raw); ok && pw != "" {
			return pw, nil
		}
		return "", usageErrorf("%s no longer holds a password", src.urlEnvVar)
	case src.file != "":
		return readPasswordFile(ctx, where, src.file)
	case prompt != nil:
		pw, err := prompt(fmt.Sprintf("Password for %s at %s: ", s.Conn.Username, vsphere.RedactURL(s.Conn.URL)))
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if pw == "" {
			return "", usageErrorf("empty password")
		}
		return pw, nil
	}
	ways := "set VTUI_PASSWORD, or a context's password-env or password-file in the config file, or run on a terminal to be prompted"
	if s.ContextName != "" && s.Sources["url"] == "context "+s.ContextName {
		ways = fmt.Sprintf("set VTUI_PASSWORD, or password-env or password-file in context %q of %s, or run on a terminal to be prompted",
			s.ContextName, s.ConfigFile)
	} else if src.withheld != "" {
		ways = "set VTUI_PASSWORD, or run on a terminal to be prompted"
	}
	if src.withheld != "" {
		ways += " (" + src.withheld + ")"
	}
	return "", UsageError{fmt.Errorf("%w for %s at %s: %s", ErrNoPassword, s.Conn.Username, vsphere.RedactURL(s.Conn.URL), ways)}
}

// readPasswordFile reads a file that holds only the password, at most
// readlimit.Document bytes; where prefixes its errors. Like ssh and libpq,
// it refuses a file that others can read.
func readPasswordFile(ctx context.Context, where, path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", usageErrorf("%spassword-file: %w", where, err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return "", usageErrorf("%spassword-file %s is readable by others (mode %#o): run chmod 600 %s",
			where, path, info.Mode().Perm(), path)
	}
	data, err := readlimit.File(ctx, path, readlimit.Document)
	if err != nil {
		return "", usageErrorf("%spassword-file: %w", where, err)
	}
	pw := strings.TrimRight(string(data), "\r\n")
	if pw == "" {
		return "", usageErrorf("%spassword-file %s is empty", where, path)
	}
	return pw, nil
}

// splitURLUser removes user information from a URL such as govc's
// GOVC_URL=https://user:pass@vc01/sdk. It returns the URL without it, and
// the user name and whether a password was there. A URL that holds user
// information but does not parse is taken to hold a password, and comes
// back redacted, so that no message can show it.
func splitURLUser(raw string) (clean, user string, hasPassword bool) {
	if vsphere.RedactURL(raw) == raw {
		return raw, "", false
	}
	u, err := url.Parse(withScheme(raw))
	if err != nil || u.User == nil {
		return vsphere.RedactURL(raw), "", true
	}
	_, hasPassword = u.User.Password()
	user = u.User.Username()
	u.User = nil
	return u.String(), user, hasPassword
}

func urlHasPassword(raw string) bool {
	_, _, has := splitURLUser(raw)
	return has
}

// withScheme adds https:// to a URL without a scheme (govc's
// user:pass@host), so that its user information parses as such.
func withScheme(raw string) string {
	if strings.Contains(raw, "://") {
		return raw
	}
	return "https://" + raw
}

// urlPassword returns the password embedded in a URL, if any.
func urlPassword(raw string) (string, bool) {
	u, err := url.Parse(withScheme(raw))
	if err != nil || u.User == nil {
		return "", false
	}
	return u.User.Password()
}

// ReadSecret reads a password that is not vCenter's, such as a drill's
// BMC password: from the environment variable envVar, else from file
// (held to ReadPassword's rules: only the password, readable by its owner
// only), else from prompt with the text ask (nil: no terminal, an error
// naming the ways to give it). where names the setting in errors
// ("inject.bmc"); no error holds the password.
func ReadSecret(ctx context.Context, where, ask, envVar, file string, env LookupEnvFunc, prompt func(string) (string, error)) (string, error) {
	switch {
	case envVar != "":
		v, ok := nonEmptyEnv(env, envVar)
		if !ok {
			return "", usageErrorf("%s: password-env names %s, which is not set", where, envVar)
		}
		return v, nil
	case file != "":
		return readPasswordFile(ctx, where+": ", file)
	case prompt == nil:
		return "", UsageError{fmt.Errorf("%w for %s: name it with password-env or password-file in %s, or run on a terminal to be asked", ErrNoPassword, ask, where)}
	}
	pw, err := prompt(fmt.Sprintf("Password for %s: ", ask))
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	if pw == "" {
		return "", usageErrorf("empty password")
	}
	return pw, nil
}
