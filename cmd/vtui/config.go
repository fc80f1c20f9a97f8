package main

// Configuration: where vtui finds a vCenter and how it logs in.
//
// Precedence, per key: flag > VTUI_* environment > the selected context of the
// config file > default. GOVC_URL, GOVC_USERNAME, GOVC_PASSWORD and
// GOVC_INSECURE are fallbacks that are read only when no context is selected,
// so an ambient govc setup never mixes with (or sends its password to) a
// context's vCenter. For the same reason a context's password-env or
// password-file is used only when the URL also comes from that context. An
// empty environment variable counts as unset.
//
// The file is parsed as a yaml.Node tree rather than through viper so that
// every error can name the file, the line and the key. Environment lookups
// and the home directory are injected, so resolution is testable without a
// real process environment.

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/vtui/vtui/vsphere"
)

// Keys of the config file. The example file must use every one of them
// (TestExampleConfig), so adding a key here without documenting it
// fails the tests.
var (
	topLevelKeys = []string{"current-context", "contexts", "log-file"}
	contextKeys  = []string{"url", "username", "password-env", "password-file", "insecure", "thumbprint", "ca-file", "readonly", "timeout"}
)

// Output formats accepted by -o/--output.
const (
	outputTable = "table"
	outputJSON  = "json"
	outputYAML  = "yaml"
)

// (outputFormats, the list of the three, is declared in output.go.)

// defaultTimeout bounds connecting and logging in when nothing else says so.
const defaultTimeout = 30 * time.Second

// lookupEnvFunc reads one environment variable, like os.LookupEnv.
type lookupEnvFunc func(string) (string, bool)

// fileConfig is a parsed and validated config file.
type fileConfig struct {
	// Path is the file it was read from.
	Path string
	// CurrentContext is the context used when neither --context nor
	// VTUI_CONTEXT names one; currentContextLine is where it was set.
	CurrentContext     string
	currentContextLine int
	// LogFile is the top-level log-file, already made absolute.
	LogFile string
	// Contexts maps a context name to its settings.
	Contexts map[string]contextConfig
}

// contextConfig is one named context of the config file; its fields are
// the keys of the same names. Paths are already expanded (~) and made
// absolute (relative to the config file's directory). A nil *bool was not
// set, so a lower layer (the default) applies.
type contextConfig struct {
	URL          string
	Username     string
	PasswordEnv  string
	PasswordFile string
	Insecure     *bool
	Thumbprint   string
	CAFile       string
	ReadOnly     *bool
	Timeout      time.Duration
}

// contextNames lists the contexts of the file, sorted. It is what `:ctx` in
// the terminal UI shows.
func (c *fileConfig) contextNames() []string {
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
func (c *fileConfig) context(name string) (contextConfig, error) {
	if c == nil {
		return contextConfig{}, fmt.Errorf("unknown context %q: no config file", name)
	}
	cc, ok := c.Contexts[name]
	if !ok {
		known := strings.Join(c.contextNames(), ", ")
		if known == "" {
			known = "none"
		}
		return contextConfig{}, fmt.Errorf("unknown context %q in %s (known: %s)", name, c.Path, known)
	}
	return cc, nil
}

// configError is a problem in the config file, located as file:line so an
// editor can jump to it.
type configError struct {
	Path string // the config file
	Line int    // 1-based; 0 if unknown
	Msg  string // what is wrong and, where it helps, what is valid
}

func (e *configError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("config %s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("config %s: %s", e.Path, e.Msg)
}

// defaultConfigPath is $XDG_CONFIG_HOME/vtui/config.yaml, or
// ~/.config/vtui/config.yaml when XDG_CONFIG_HOME is unset.
func defaultConfigPath(env lookupEnvFunc, home string) string {
	if dir, ok := nonEmptyEnv(env, "XDG_CONFIG_HOME"); ok && filepath.IsAbs(dir) {
		return filepath.Join(dir, "vtui", "config.yaml")
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".config", "vtui", "config.yaml")
}

// loadConfigFile reads and validates a config file. A missing file is not an
// error when it is only the default location (optional); then it returns nil.
func loadConfigFile(path string, optional bool, home string) (*fileConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if optional && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("read config: %w", err)
	}
	return parseConfig(path, data, home)
}

// yamlLineRE picks the line number out of go.yaml.in/yaml/v3 syntax errors,
// which it only reports as text ("yaml: line 7: did not find expected key").
var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseConfig validates data as a config file read from path. Relative paths
// in it are taken relative to the file's directory, like kubeconfig does.
func parseConfig(path string, data []byte, home string) (*fileConfig, error) {
	fc := &fileConfig{Path: path, Contexts: map[string]contextConfig{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := strings.ReplaceAll(err.Error(), "\n", " ")
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, &configError{Path: path, Line: line, Msg: "invalid YAML: " + m[2]}
		}
		return nil, &configError{Path: path, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return fc, nil // empty file, or only comments
	}
	p := configParser{path: path, dir: filepath.Dir(path), home: home}
	root := resolveAlias(doc.Content[0])
	if isNull(root) {
		return fc, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, p.errorf(root, "want a mapping with the keys %s", strings.Join(topLevelKeys, ", "))
	}
	err := p.eachKey(root, "", topLevelKeys, func(key string, v *yaml.Node) error {
		var err error
		switch key {
		case "current-context":
			fc.CurrentContext, err = p.str(v, key)
			fc.currentContextLine = v.Line
		case "log-file":
			fc.LogFile, err = p.filePath(v, key)
		case "contexts":
			err = p.contexts(v, fc.Contexts)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return fc, nil
}

// configParser walks the yaml.Node tree of one file.
type configParser struct {
	path, dir, home string
}

func (p *configParser) errorf(n *yaml.Node, format string, args ...any) error {
	return &configError{Path: p.path, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
}

// eachKey calls fn for each key of mapping m, after rejecting duplicate,
// unknown and password keys. where names the enclosing context, if any.
func (p *configParser) eachKey(m *yaml.Node, where string, valid []string, fn func(key string, v *yaml.Node) error) error {
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], resolveAlias(m.Content[i+1])
		key := k.Value
		in := ""
		if where != "" {
			in = fmt.Sprintf(" in context %q", where)
		}
		if line, dup := seen[key]; dup {
			return p.errorf(k, "key %q%s is repeated (first on line %d)", key, in, line)
		}
		seen[key] = k.Line
		if key == "password" {
			return p.errorf(k, "key \"password\"%s is not allowed: passwords never go in the config file; "+
				"use password-env (the name of an environment variable that holds it) or "+
				"password-file (a file that holds only the password)", in)
		}
		if !slices.Contains(valid, key) {
			return p.errorf(k, "unknown key %q%s (valid: %s)", key, in, strings.Join(valid, ", "))
		}
		if err := fn(key, v); err != nil {
			return err
		}
	}
	return nil
}

func (p *configParser) contexts(v *yaml.Node, into map[string]contextConfig) error {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return p.errorf(v, "contexts: want a mapping of context name to its settings, e.g.\n  contexts:\n    lab:\n      url: ...")
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, cv := v.Content[i], resolveAlias(v.Content[i+1])
		name := k.Value
		if k.Kind != yaml.ScalarNode || strings.TrimSpace(name) == "" {
			return p.errorf(k, "contexts: a context name must be a non-empty string")
		}
		if line, dup := seen[name]; dup {
			return p.errorf(k, "context %q is defined twice (first on line %d)", name, line)
		}
		seen[name] = k.Line
		cc, err := p.context(name, cv)
		if err != nil {
			return err
		}
		into[name] = cc
	}
	return nil
}

func (p *configParser) context(name string, v *yaml.Node) (contextConfig, error) {
	var cc contextConfig
	if isNull(v) {
		return cc, nil
	}
	if v.Kind != yaml.MappingNode {
		return cc, p.errorf(v, "context %q: want a mapping with the keys %s", name, strings.Join(contextKeys, ", "))
	}
	var pwEnvLine, pwFileLine int
	err := p.eachKey(v, name, contextKeys, func(key string, v *yaml.Node) error {
		var err error
		what := fmt.Sprintf("context %q: %s", name, key)
		switch key {
		case "url":
			cc.URL, err = p.str(v, what)
			if err == nil && urlHasPassword(cc.URL) {
				err = p.errorf(v, "%s holds a password: passwords never go in the config file; "+
					"use password-env or password-file", what)
			}
		case "username":
			cc.Username, err = p.str(v, what)
		case "password-env":
			cc.PasswordEnv, err = p.str(v, what)
			pwEnvLine = v.Line
		case "password-file":
			cc.PasswordFile, err = p.filePath(v, what)
			pwFileLine = v.Line
		case "insecure":
			cc.Insecure, err = p.bool(v, what)
		case "thumbprint":
			cc.Thumbprint, err = p.str(v, what)
		case "ca-file":
			cc.CAFile, err = p.filePath(v, what)
		case "readonly":
			cc.ReadOnly, err = p.bool(v, what)
		case "timeout":
			cc.Timeout, err = p.duration(v, what)
		}
		return err
	})
	if err != nil {
		return cc, err
	}
	if cc.PasswordEnv != "" && cc.PasswordFile != "" {
		return cc, &configError{Path: p.path, Line: max(pwEnvLine, pwFileLine),
			Msg: fmt.Sprintf("context %q: set password-env or password-file, not both", name)}
	}
	return cc, nil
}

// str accepts any scalar; null (an empty value) is "".
func (p *configParser) str(v *yaml.Node, what string) (string, error) {
	if isNull(v) {
		return "", nil
	}
	if v.Kind != yaml.ScalarNode {
		return "", p.errorf(v, "%s: want a single value, not a list or mapping", what)
	}
	return v.Value, nil
}

func (p *configParser) filePath(v *yaml.Node, what string) (string, error) {
	s, err := p.str(v, what)
	if err != nil || s == "" {
		return s, err
	}
	return absPath(s, p.dir, p.home), nil
}

func (p *configParser) bool(v *yaml.Node, what string) (*bool, error) {
	if isNull(v) {
		return nil, nil
	}
	var b bool
	if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil {
		return nil, p.errorf(v, "%s: want true or false, got %q", what, v.Value)
	}
	return &b, nil
}

func (p *configParser) duration(v *yaml.Node, what string) (time.Duration, error) {
	s, err := p.str(v, what)
	if err != nil || s == "" {
		return 0, err
	}
	d, err := parseTimeout(s)
	if err != nil {
		return 0, p.errorf(v, "%s: %v", what, err)
	}
	return d, nil
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
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

func nonEmptyEnv(env lookupEnvFunc, name string) (string, bool) {
	v, ok := env(name)
	if !ok || v == "" {
		return "", false
	}
	return v, true
}

// settings is the configuration every command reads, resolved once from
// flags, environment and config file before any command runs.
type settings struct {
	// ContextName is the config-file context in use, "" if none.
	ContextName string
	// ConfigFile is the config file that was read, "" if none.
	ConfigFile string
	// Conn says how to reach vCenter. Its Password stays empty until connect,
	// so settings can be logged or printed safely.
	Conn vsphere.Config
	// ReadOnly refuses every mutation before a request is sent.
	ReadOnly bool
	// DryRun shows what a mutation would do and changes nothing.
	DryRun bool
	// Yes answers yes to confirmations (required for mutations without a terminal).
	Yes bool
	// Output is one of "table", "json", "yaml".
	Output string
	// LogFile is where log/slog writes, "" for nowhere.
	LogFile string
	// Simulator is the simulator preset to run in-process, "" for a real vCenter.
	Simulator string

	// password says where connect finds the password.
	password passwordSource
	// sources records where each key came from ("--url", "VTUI_URL",
	// "GOVC_URL", "context lab", "config file", "default"), for the debug log.
	sources map[string]string
}

// passwordSource says where the password comes from; the password itself is
// read only when connecting.
type passwordSource struct {
	envVar    string // read this environment variable
	urlEnvVar string // or the password inside the URL held by this variable
	file      string // or read this file
	context   string // the context that named envVar or file, "" for VTUI_/GOVC_PASSWORD
	withheld  string // why a context's password source was not used
}

// connectionFlags are the flags and VTUI_* variables that describe one
// connection. Switching context in the terminal UI drops them, so that the
// new context's own values are used.
var connectionFlags = []string{"url", "username", "insecure", "thumbprint", "ca-file"}

// resolveInput is everything resolution reads. Tests fill it without a real
// process environment.
type resolveInput struct {
	// Flags are the parsed global flags; only flags the user set count.
	Flags *pflag.FlagSet
	// LookupEnv reads the environment.
	LookupEnv lookupEnvFunc
	// Home is the user's home directory, for ~ and the default config path.
	Home string
	// Presets are the valid --simulator names.
	Presets []string
	// Context, if non-nil, selects this context regardless of flags and
	// environment and ignores connection flags and VTUI_*/GOVC_* connection
	// variables (a context switch in the terminal UI).
	Context *string
}

// resolveSettings applies the precedence rules. Errors in what the user
// typed or wrote (flags, environment, config file) are usage errors.
func resolveSettings(in resolveInput) (settings, *fileConfig, error) {
	r := resolver{in: in}
	s := settings{sources: map[string]string{}}
	r.s = &s

	// Non-connection settings first: they are cheap to validate.
	s.Output = r.flagString("output")
	if !slices.Contains(outputFormats, s.Output) {
		return s, nil, usageErrorf("invalid value %q for -o/--output (valid: %s)", s.Output, strings.Join(outputFormats, ", "))
	}
	s.DryRun = r.flagBool("dry-run")
	s.Yes = r.flagBool("yes")
	if in.Flags.Changed("simulator") && in.Context == nil {
		s.Simulator = r.flagString("simulator")
		if !slices.Contains(in.Presets, s.Simulator) {
			return s, nil, usageErrorf("invalid value %q for --simulator (valid: %s)", s.Simulator, strings.Join(in.Presets, ", "))
		}
	}

	// The config file. --config= (empty) reads none, e.g. to keep a
	// personal file out of a CI run.
	path, optional := r.flagString("config"), false
	if in.Flags.Changed("config") {
		if path != "" {
			path = absPath(path, "", in.Home)
		}
	} else if v, ok := nonEmptyEnv(in.LookupEnv, "VTUI_CONFIG"); ok {
		path = absPath(v, "", in.Home)
	} else {
		path, optional = defaultConfigPath(in.LookupEnv, in.Home), true
	}
	var fc *fileConfig
	if path != "" {
		var err error
		if fc, err = loadConfigFile(path, optional, in.Home); err != nil {
			return s, nil, usageError{err}
		}
	}
	if fc != nil {
		s.ConfigFile = fc.Path
	}

	// The context.
	cc, err := r.selectContext(fc)
	if err != nil {
		return s, fc, err
	}
	useGOVC := s.ContextName == "" && in.Context == nil && s.Simulator == ""

	// Connection settings.
	s.Conn.URL = r.str("url", "VTUI_URL", govc(useGOVC, "GOVC_URL"), cc.URL)
	s.Conn.Username = r.str("username", "VTUI_USERNAME", govc(useGOVC, "GOVC_USERNAME"), cc.Username)
	// govc accepts user:password@ in the URL; a separate username wins
	// unless it comes from a lower layer than the URL.
	clean, urlUser, urlHasPw := splitURLUser(s.Conn.URL)
	urlSrc := s.sources["url"]
	if urlHasPw && !strings.HasPrefix(urlSrc, "VTUI_") && !strings.HasPrefix(urlSrc, "GOVC_") {
		return s, fc, usageErrorf("%s holds a password: passwords never go on the command line; "+
			"use VTUI_PASSWORD, a context's password-env or password-file, or the prompt", urlSrc)
	}
	s.Conn.URL = clean
	if urlUser != "" && sourceRank(s.sources["username"]) > sourceRank(urlSrc) {
		s.Conn.Username, s.sources["username"] = urlUser, urlSrc
	}
	if s.Conn.Insecure, err = r.bool("insecure", "VTUI_INSECURE", govc(useGOVC, "GOVC_INSECURE"), cc.Insecure); err != nil {
		return s, fc, err
	}
	s.Conn.Thumbprint = r.str("thumbprint", "VTUI_THUMBPRINT", "", cc.Thumbprint)
	s.Conn.CAFile = r.str("ca-file", "VTUI_CA_FILE", "", cc.CAFile)
	if s.Conn.CAFile != "" && s.sources["ca-file"] != r.contextSource() {
		s.Conn.CAFile = absPath(s.Conn.CAFile, "", in.Home)
	}
	if s.Conn.Timeout, err = r.duration("timeout", "VTUI_TIMEOUT", cc.Timeout, defaultTimeout); err != nil {
		return s, fc, err
	}
	if s.ReadOnly, err = r.bool("readonly", "VTUI_READONLY", "", cc.ReadOnly); err != nil {
		return s, fc, err
	}
	var fileLog string
	if fc != nil {
		fileLog = fc.LogFile
	}
	s.LogFile = r.str("log-file", "VTUI_LOG_FILE", "", fileLog)
	if s.LogFile != "" && s.sources["log-file"] != "config file" {
		s.LogFile = absPath(s.LogFile, "", in.Home)
	}

	// Where the password will come from; it is read only on connect.
	switch {
	case in.Context == nil && r.hasEnv("VTUI_PASSWORD"):
		s.password = passwordSource{envVar: "VTUI_PASSWORD"}
	case useGOVC && r.hasEnv("GOVC_PASSWORD"):
		s.password = passwordSource{envVar: "GOVC_PASSWORD"}
	case urlHasPw:
		s.password = passwordSource{urlEnvVar: urlSrc}
	case (cc.PasswordEnv != "" || cc.PasswordFile != "") && s.Conn.URL != "" && urlSrc != r.contextSource():
		// The context's password is for the context's vCenter: never send
		// it to a URL given by a flag or the environment.
		s.password = passwordSource{withheld: fmt.Sprintf("the password of context %q is only sent to its own url, not to %s from %s",
			s.ContextName, redactURL(s.Conn.URL), urlSrc)}
	case cc.PasswordEnv != "":
		s.password = passwordSource{envVar: cc.PasswordEnv, context: s.ContextName}
	case cc.PasswordFile != "":
		s.password = passwordSource{file: cc.PasswordFile, context: s.ContextName}
	}
	return s, fc, nil
}

// sourceRank orders the layers a value can come from: lower wins.
func sourceRank(src string) int {
	switch {
	case strings.HasPrefix(src, "--"):
		return 0
	case strings.HasPrefix(src, "VTUI_"):
		return 1
	case strings.HasPrefix(src, "GOVC_"):
		return 2
	case strings.HasPrefix(src, "context "), src == "config file":
		return 3
	}
	return 4
}

func govc(use bool, name string) string {
	if use {
		return name
	}
	return ""
}

// resolver reads one key from the layers in precedence order and records
// which layer it came from.
type resolver struct {
	in resolveInput
	s  *settings
}

func (r *resolver) contextSource() string { return "context " + r.s.ContextName }

// selectContext picks the context: an explicit switch, else --context, else
// VTUI_CONTEXT, else current-context. --simulator selects none, so that a
// production context's settings never leak into a demo.
func (r *resolver) selectContext(fc *fileConfig) (contextConfig, error) {
	in := r.in
	var name, from string
	switch {
	case in.Context != nil:
		name, from = *in.Context, "context switch"
	case in.Flags.Changed("context"):
		name, from = r.flagString("context"), "--context"
		if r.s.Simulator != "" && name != "" {
			return contextConfig{}, usageErrorf("--context and --simulator cannot be combined: the simulator is its own vCenter")
		}
	case r.s.Simulator != "":
		return contextConfig{}, nil
	default:
		if v, ok := nonEmptyEnv(in.LookupEnv, "VTUI_CONTEXT"); ok {
			name, from = v, "VTUI_CONTEXT"
		} else if fc != nil && fc.CurrentContext != "" {
			name, from = fc.CurrentContext, "current-context"
		}
	}
	if name == "" {
		return contextConfig{}, nil
	}
	if fc == nil {
		where := "no config file found"
		if p := defaultConfigPath(in.LookupEnv, in.Home); p != "" {
			where = "no config file at " + p
		}
		return contextConfig{}, usageErrorf("context %q (from %s): %s; create it (see config.example.yaml) or use --config", name, from, where)
	}
	cc, err := fc.context(name)
	if err != nil {
		if from == "current-context" {
			return contextConfig{}, usageError{&configError{Path: fc.Path, Line: fc.currentContextLine,
				Msg: fmt.Sprintf("current-context: %v", strings.Replace(err.Error(), " in "+fc.Path, "", 1))}}
		}
		return contextConfig{}, usageError{fmt.Errorf("%s: %w", from, err)}
	}
	r.s.ContextName = name
	return cc, nil
}

func (r *resolver) flagString(name string) string {
	v, _ := r.in.Flags.GetString(name)
	return v
}

func (r *resolver) flagBool(name string) bool {
	v, _ := r.in.Flags.GetBool(name)
	return v
}

func (r *resolver) hasEnv(name string) bool {
	_, ok := nonEmptyEnv(r.in.LookupEnv, name)
	return ok
}

// userLayers reports whether flags and VTUI_* variables apply to key. A
// context switch drops them for connection keys.
func (r *resolver) userLayers(key string) bool {
	return r.in.Context == nil || !slices.Contains(connectionFlags, key)
}

// raw returns the flag or environment value of key, if set.
func (r *resolver) raw(key, vtuiEnv, govcEnv string) (val, source string, ok bool) {
	if r.userLayers(key) {
		if f := r.in.Flags.Lookup(key); f != nil && f.Changed {
			return f.Value.String(), "--" + key, true
		}
		if v, ok := nonEmptyEnv(r.in.LookupEnv, vtuiEnv); ok {
			return v, vtuiEnv, true
		}
	}
	if govcEnv != "" {
		if v, ok := nonEmptyEnv(r.in.LookupEnv, govcEnv); ok {
			return v, govcEnv, true
		}
	}
	return "", "", false
}

func (r *resolver) str(key, vtuiEnv, govcEnv, fileVal string) string {
	if v, src, ok := r.raw(key, vtuiEnv, govcEnv); ok {
		r.s.sources[key] = src
		return v
	}
	if fileVal != "" {
		r.s.sources[key] = r.fileSource(key)
		return fileVal
	}
	r.s.sources[key] = "default"
	return r.flagString(key)
}

func (r *resolver) fileSource(key string) string {
	if key == "log-file" {
		return "config file"
	}
	return r.contextSource()
}

func (r *resolver) bool(key, vtuiEnv, govcEnv string, fileVal *bool) (bool, error) {
	if v, src, ok := r.raw(key, vtuiEnv, govcEnv); ok {
		r.s.sources[key] = src
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, usageErrorf("invalid value %q for %s (want true or false)", v, src)
		}
		return b, nil
	}
	if fileVal != nil {
		r.s.sources[key] = r.fileSource(key)
		return *fileVal, nil
	}
	r.s.sources[key] = "default"
	return r.flagBool(key), nil
}

func (r *resolver) duration(key, vtuiEnv string, fileVal, def time.Duration) (time.Duration, error) {
	if v, src, ok := r.raw(key, vtuiEnv, ""); ok {
		r.s.sources[key] = src
		d, err := parseTimeout(v)
		if err != nil {
			return 0, usageErrorf("invalid value for %s: %v", src, err)
		}
		return d, nil
	}
	if fileVal != 0 {
		r.s.sources[key] = r.fileSource(key)
		return fileVal, nil
	}
	r.s.sources[key] = "default"
	return def, nil
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
