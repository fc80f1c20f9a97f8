package main

// Passwords: where each comes from, and to which vCenter it may go.

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
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

// errNoPassword means no password source is configured and vtui may not
// prompt. The terminal UI branches on it to ask in a dialog instead.
var errNoPassword = errors.New("no password")

// readPassword returns the password for s from its configured source, or
// from prompt when there is none (prompt nil: no terminal to ask on).
func readPassword(s settings, env lookupEnvFunc, prompt func(string) (string, error)) (string, error) {
	src := s.password
	ctx := ""
	if src.context != "" {
		ctx = fmt.Sprintf("context %q: ", src.context)
	}
	switch {
	case src.envVar != "":
		v, ok := nonEmptyEnv(env, src.envVar)
		if !ok {
			return "", usageErrorf("%spassword-env names %s, which is not set", ctx, src.envVar)
		}
		return v, nil
	case src.urlEnvVar != "":
		raw, _ := env(src.urlEnvVar)
		if pw, ok := urlPassword(raw); ok && pw != "" {
			return pw, nil
		}
		return "", usageErrorf("%s no longer holds a password", src.urlEnvVar)
	case src.file != "":
		return readPasswordFile(ctx, src.file)
	case prompt != nil:
		pw, err := prompt(fmt.Sprintf("Password for %s at %s: ", s.Conn.Username, redactURL(s.Conn.URL)))
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if pw == "" {
			return "", usageErrorf("empty password")
		}
		return pw, nil
	}
	ways := "set VTUI_PASSWORD, or a context's password-env or password-file in the config file, or run on a terminal to be prompted"
	switch {
	case src.withheld != "":
		ways = "set VTUI_PASSWORD, or run on a terminal to be prompted (" + src.withheld + ")"
	case s.ContextName != "":
		ways = fmt.Sprintf("set VTUI_PASSWORD, or password-env or password-file in context %q of %s, or run on a terminal to be prompted",
			s.ContextName, s.ConfigFile)
	}
	return "", usageError{fmt.Errorf("%w for %s at %s: %s", errNoPassword, s.Conn.Username, redactURL(s.Conn.URL), ways)}
}

// readPasswordFile reads a file that holds only the password. Like ssh and
// libpq, it refuses a file that others can read.
func readPasswordFile(ctx, path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", usageErrorf("%spassword-file: %w", ctx, err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return "", usageErrorf("%spassword-file %s is readable by others (mode %#o): run chmod 600 %s",
			ctx, path, info.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", usageErrorf("%spassword-file: %w", ctx, err)
	}
	pw := strings.TrimRight(string(data), "\r\n")
	if pw == "" {
		return "", usageErrorf("%spassword-file %s is empty", ctx, path)
	}
	return pw, nil
}

// splitURLUser removes user information from a URL such as govc's
// GOVC_URL=https://user:pass@vc01/sdk. It returns the URL without it, and
// the user name and whether a password was there. A URL without a scheme is
// returned unchanged: there "@" may be part of the host syntax vsphere.Connect
// expands, not user information.
func splitURLUser(raw string) (clean, user string, hasPassword bool) {
	if !strings.Contains(raw, "://") {
		return raw, "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw, "", false
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

// urlPassword returns the password embedded in a URL, if any.
func urlPassword(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return "", false
	}
	return u.User.Password()
}

// redactURL drops any user information from a URL for messages and logs.
func redactURL(raw string) string {
	clean, _, _ := splitURLUser(raw)
	if i := strings.LastIndex(clean, "@"); i >= 0 && strings.Contains(clean, "://") {
		// Did not parse as a URL, but looks like it holds user information.
		j := strings.Index(clean, "://")
		if j < i {
			return clean[:j+3] + clean[i+1:]
		}
	}
	return clean
}
