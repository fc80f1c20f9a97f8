package config

// The config file: its contexts, read strictly, with paths made absolute.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vtui/vtui/internal/readlimit"
	"github.com/vtui/vtui/internal/strictyaml"
)

// defaultTimeout bounds connecting and logging in when nothing else says so.
const defaultTimeout = 30 * time.Second

// LookupEnvFunc reads one environment variable, like os.LookupEnv.
type LookupEnvFunc func(string) (string, bool)

// configFileYAML is the config file as written. Its keys are the
// contract that config.example.yaml documents, every one of them
// (TestExampleConfig).
type configFileYAML struct {
	CurrentContext string             `yaml:"current-context"`
	Contexts       map[string]Context `yaml:"contexts"`
	LogFile        string             `yaml:"log-file"`
	NoSessionCache *bool              `yaml:"no-session-cache"`
}

// File is a parsed and validated config file. A nil *File is no file.
type File struct {
	// Path is the file it was read from.
	Path string
	// CurrentContext is the context used when neither --context nor
	// VTUI_CONTEXT names one; it is one of Contexts, or "".
	CurrentContext string
	// LogFile is the top-level log-file, already made absolute.
	LogFile string
	// NoSessionCache is the top-level no-session-cache, as a setting
	// ("true", "false"), "" when not set.
	NoSessionCache string
	// Contexts maps a context name to its settings.
	Contexts map[string]Context
}

// Context is one named context of the config file. Paths are
// expanded (~) and made absolute (relative to the config file's directory)
// once read. A nil *bool was not set, so a lower layer (the default)
// applies.
type Context struct {
	URL          string        `yaml:"url"`
	Username     string        `yaml:"username"`
	PasswordEnv  string        `yaml:"password-env"`
	PasswordFile string        `yaml:"password-file"`
	Insecure     *bool         `yaml:"insecure"`
	Thumbprint   string        `yaml:"thumbprint"`
	CAFile       string        `yaml:"ca-file"`
	ReadOnly     *bool         `yaml:"readonly"`
	Timeout      time.Duration `yaml:"timeout"`
}

// ContextNames lists the contexts of the file, sorted; nil for a nil File.
// It is what `:ctx` in the terminal UI shows.
func (c *File) ContextNames() []string {
	if c == nil {
		return nil
	}
	names := make([]string, 0, len(c.Contexts))
	for n := range c.Contexts {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// context returns the named context or an error listing the known ones.
func (c *File) context(name string) (Context, error) {
	if c == nil {
		return Context{}, fmt.Errorf("unknown context %q: no config file", name)
	}
	cc, ok := c.Contexts[name]
	if !ok {
		return Context{}, fmt.Errorf("unknown context %q in %s (known: %s)", name, c.Path, c.known())
	}
	return cc, nil
}

// known lists the contexts for a message: "lab, prod", or "none".
func (c *File) known() string {
	if len(c.Contexts) == 0 {
		return "none"
	}
	return strings.Join(c.ContextNames(), ", ")
}

// DefaultPath is the config file read when neither --config nor
// VTUI_CONFIG names one: $XDG_CONFIG_HOME/vtui/config.yaml, or
// ~/.config/vtui/config.yaml when XDG_CONFIG_HOME is unset.
func DefaultPath(env LookupEnvFunc, home string) string {
	if dir, ok := nonEmptyEnv(env, "XDG_CONFIG_HOME"); ok && filepath.IsAbs(dir) {
		return filepath.Join(dir, "vtui", "config.yaml")
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".config", "vtui", "config.yaml")
}

// loadConfigFile reads and validates a config file, at most
// readlimit.Document bytes. A missing file is not an error when it is only
// the default location (optional); then it returns nil.
func loadConfigFile(ctx context.Context, path string, optional bool, home string) (*File, error) {
	data, err := readlimit.File(ctx, path, readlimit.Document)
	if err != nil {
		if optional && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("config file: %w", err)
	}
	return parseConfig(path, data, home)
}

// noPasswordHere is why the config file refuses a password key.
const noPasswordHere = "passwords never go in the config file; use password-env (the name of an " +
	"environment variable that holds it) or password-file (a file that holds only the password)"

// parseConfig validates data as a config file read from path: strictly
// (strictyaml), then the checks that span keys. Relative paths in it are
// taken relative to the file's directory, like kubeconfig does.
func parseConfig(path string, data []byte, home string) (*File, error) {
	var raw configFileYAML
	doc, err := strictyaml.Decode(path, data, &raw, strictyaml.Forbid("password", noPasswordHere))
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	fc := &File{
		Path:           path,
		CurrentContext: raw.CurrentContext,
		Contexts:       map[string]Context{},
	}
	if raw.NoSessionCache != nil {
		fc.NoSessionCache = strconv.FormatBool(*raw.NoSessionCache)
	}
	if raw.LogFile != "" {
		fc.LogFile = absPath(raw.LogFile, dir, home)
	}
	for name, cc := range raw.Contexts {
		keys := func(key ...string) []string { return append([]string{"contexts", name}, key...) }
		switch {
		case strings.TrimSpace(name) == "":
			return nil, doc.Errorf(keys(), "a context name must not be empty")
		case urlHasPassword(cc.URL):
			return nil, doc.Errorf(keys("url"), "holds a password: %s", noPasswordHere)
		case cc.PasswordEnv != "" && cc.PasswordFile != "":
			later := "password-file"
			if doc.Line(keys("password-env")...) > doc.Line(keys("password-file")...) {
				later = "password-env"
			}
			return nil, doc.Errorf(keys(later), "set password-env or password-file, not both")
		case doc.Has(keys("timeout")...) && cc.Timeout <= 0:
			return nil, doc.Errorf(keys("timeout"), "want a positive duration such as 30s or 2m")
		}
		if cc.PasswordFile != "" {
			cc.PasswordFile = absPath(cc.PasswordFile, dir, home)
		}
		if cc.CAFile != "" {
			cc.CAFile = absPath(cc.CAFile, dir, home)
		}
		fc.Contexts[name] = cc
	}
	// Refused even when --context picks another: the file is broken, and
	// would break the next command that relies on it.
	if _, ok := fc.Contexts[fc.CurrentContext]; fc.CurrentContext != "" && !ok {
		return nil, doc.Errorf([]string{"current-context"}, "unknown context %q (known: %s)", fc.CurrentContext, fc.known())
	}
	return fc, nil
}

// absPath expands a leading ~ and makes p absolute relative to dir.
func absPath(p, dir, home string) string {
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		if home != "" {
			p = filepath.Join(home, p[1:])
		}
	}
	if !filepath.IsAbs(p) && dir != "" {
		p = filepath.Join(dir, p)
	}
	return filepath.Clean(p)
}

func parseTimeout(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("want a duration such as 30s or 2m, got %q", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("want a positive duration, got %q", s)
	}
	return d, nil
}

func nonEmptyEnv(env LookupEnvFunc, name string) (string, bool) {
	v, ok := env(name)
	if !ok || v == "" {
		return "", false
	}
	return v, true
}
