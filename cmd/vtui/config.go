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
// A fresh viper per resolution applies that precedence (resolveSettings).
// The file itself is validated as a yaml.Node tree first, so that every
// error can name the file, the line and the key; only then are the selected
// context's values handed to viper as its config layer. viper reads the
// process environment itself, so tests set it with t.Setenv; the home
// directory is injected.

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
	"github.com/spf13/viper"
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

// flagKeys are the settings that only a flag sets.
var flagKeys = []string{"output", "dry-run", "yes", "simulator"}

// layeredKeys are the settings that a flag, a VTUI_* variable and the
// config file can set. config and context pick the file and the context;
// the others are read from the layers once the context is known.
var layeredKeys = []string{"config", "context", "url", "username", "insecure", "thumbprint", "ca-file", "readonly", "timeout", "log-file"}

// flagFor names the flag of a key whose flag is spelled differently: the
// connect timeout is --connect-timeout, so that commands can have a
// --timeout of their own (host maintenance), while the config key and
// VTUI_TIMEOUT keep the short name.
var flagFor = map[string]string{"timeout": "connect-timeout"}

// flagName is the flag that sets key.
func flagName(key string) string {
	if f, ok := flagFor[key]; ok {
		return f
	}
	return key
}

// govcEnv names govc's variable for the keys that have one. They are bound
// below the VTUI_* ones, and only when no context is selected.
var govcEnv = map[string]string{"url": "GOVC_URL", "username": "GOVC_USERNAME", "insecure": "GOVC_INSECURE"}

// envPrefix and envKeyReplacer make a key's variable name: ca-file is read
// from VTUI_CA_FILE.
const envPrefix = "VTUI"

var envKeyReplacer = strings.NewReplacer("-", "_")

// vtuiEnv is the VTUI_* variable viper reads for key.
func vtuiEnv(key string) string {
	return envKeyReplacer.Replace(strings.ToUpper(envPrefix + "_" + key))
}

// resolveInput is what resolution reads besides the process environment,
// which viper reads itself (tests set it with t.Setenv).
type resolveInput struct {
	// Flags are the parsed global flags; only flags the user set count.
	Flags *pflag.FlagSet
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
//
// A fresh viper does the layering: the flags are bound with BindPFlag, the
// VTUI_* (and, without a context, GOVC_*) variables with BindEnv, the
// selected context is its config layer and the flag defaults its defaults.
// Values are read as strings and parsed here, strictly, so that
// VTUI_READONLY=yes is an error naming the variable rather than false.
func resolveSettings(in resolveInput) (settings, *fileConfig, error) {
	s := settings{sources: map[string]string{}}
	r, err := newResolver(in, &s)
	if err != nil {
		return s, nil, err
	}

	// Non-connection settings first: they are cheap to validate.
	s.Output = r.v.GetString("output")
	if !slices.Contains(outputFormats, s.Output) {
		return s, nil, usageErrorf("invalid value %q for -o/--output (valid: %s)", s.Output, strings.Join(outputFormats, ", "))
	}
	// Flags only, so pflag has already parsed them strictly.
	s.DryRun = r.v.GetBool("dry-run")
	s.Yes = r.v.GetBool("yes")
	if in.Flags.Changed("simulator") && in.Context == nil {
		s.Simulator = r.v.GetString("simulator")
		if !slices.Contains(in.Presets, s.Simulator) {
			return s, nil, usageErrorf("invalid value %q for --simulator (valid: %s)", s.Simulator, strings.Join(in.Presets, ", "))
		}
	}

	// The config file. --config= (empty) reads none, e.g. to keep a
	// personal file out of a CI run.
	r.v.SetDefault("config", defaultConfigPath(os.LookupEnv, in.Home))
	path := r.v.GetString("config")
	optional := r.source("config") == "default"
	if path != "" && !optional {
		path = absPath(path, "", in.Home)
	}
	var fc *fileConfig
	if path != "" {
		if fc, err = loadConfigFile(path, optional, in.Home); err != nil {
			return s, nil, usageError{err}
		}
	}
	if fc != nil {
		s.ConfigFile = fc.Path
		if err := r.merge(map[string]string{"context": fc.CurrentContext, "log-file": fc.LogFile}); err != nil {
			return s, fc, err
		}
	}

	// The context, whose values become the config layer.
	cc, err := r.selectContext(fc)
	if err != nil {
		return s, fc, err
	}
	if err := r.merge(cc.values()); err != nil {
		return s, fc, err
	}
	useGOVC := s.ContextName == "" && in.Context == nil && s.Simulator == ""
	if useGOVC {
		for key, name := range govcEnv {
			if err := r.bindEnv(key, name); err != nil {
				return s, fc, err
			}
		}
	}

	// Connection settings.
	s.Conn.URL = r.str("url")
	s.Conn.Username = r.str("username")
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
	if s.Conn.Insecure, err = r.bool("insecure"); err != nil {
		return s, fc, err
	}
	s.Conn.Thumbprint = r.str("thumbprint")
	s.Conn.CAFile = r.str("ca-file")
	if s.Conn.CAFile != "" && s.sources["ca-file"] != r.contextSource() {
		s.Conn.CAFile = absPath(s.Conn.CAFile, "", in.Home)
	}
	if s.Conn.Timeout, err = r.duration("timeout"); err != nil {
		return s, fc, err
	}
	if s.ReadOnly, err = r.bool("readonly"); err != nil {
		return s, fc, err
	}
	s.LogFile = r.str("log-file")
	if s.LogFile != "" && s.sources["log-file"] != "config file" {
		s.LogFile = absPath(s.LogFile, "", in.Home)
	}

	// Where the password will come from; it is read only on connect, and
	// never through viper: it has no flag and no config-file value.
	switch {
	case in.Context == nil && hasEnv("VTUI_PASSWORD"):
		s.password = passwordSource{envVar: "VTUI_PASSWORD"}
	case useGOVC && hasEnv("GOVC_PASSWORD"):
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

func hasEnv(name string) bool {
	_, ok := nonEmptyEnv(os.LookupEnv, name)
	return ok
}

// resolver reads keys from one resolution's viper and records which layer
// each came from.
type resolver struct {
	in resolveInput
	v  *viper.Viper
	s  *settings
	// envs lists the variables bound to each key, in viper's order.
	envs map[string][]string
}

// newResolver binds every key's flag and VTUI_* variable, and its flag's
// default, to a fresh viper. A context switch leaves the connection keys'
// flags and variables unbound.
func newResolver(in resolveInput, s *settings) (*resolver, error) {
	v := viper.New()
	v.SetEnvPrefix(envPrefix)
	v.SetEnvKeyReplacer(envKeyReplacer)
	v.AllowEmptyEnv(false) // an empty variable counts as unset
	r := &resolver{in: in, v: v, s: s, envs: map[string][]string{}}
	for _, key := range slices.Concat(flagKeys, layeredKeys) {
		f := in.Flags.Lookup(flagName(key))
		if f == nil {
			return nil, fmt.Errorf("resolve settings: no flag --%s", flagName(key))
		}
		v.SetDefault(key, f.DefValue)
		if !r.userLayers(key) {
			continue
		}
		if err := v.BindPFlag(key, f); err != nil {
			return nil, fmt.Errorf("resolve settings: %w", err)
		}
		if slices.Contains(layeredKeys, key) {
			if err := v.BindEnv(key); err != nil {
				return nil, fmt.Errorf("resolve settings: %w", err)
			}
			r.envs[key] = append(r.envs[key], vtuiEnv(key))
		}
	}
	return r, nil
}

// bindEnv adds the variable name as key's lowest-ranked environment layer.
func (r *resolver) bindEnv(key, name string) error {
	if err := r.v.BindEnv(key, name); err != nil {
		return fmt.Errorf("resolve settings: %w", err)
	}
	r.envs[key] = append(r.envs[key], name)
	return nil
}

// merge adds the non-empty values to viper's config layer.
func (r *resolver) merge(values map[string]string) error {
	m := map[string]any{}
	for k, v := range values {
		if v != "" {
			m[k] = v
		}
	}
	if err := r.v.MergeConfigMap(m); err != nil {
		return fmt.Errorf("resolve settings: %w", err)
	}
	return nil
}

// values are the context's settings as viper's config layer sees them:
// strings, and only the keys the context sets. The password source is not
// among them; it is not a value to layer.
func (cc contextConfig) values() map[string]string {
	m := map[string]string{
		"url":        cc.URL,
		"username":   cc.Username,
		"thumbprint": cc.Thumbprint,
		"ca-file":    cc.CAFile,
	}
	if cc.Insecure != nil {
		m["insecure"] = strconv.FormatBool(*cc.Insecure)
	}
	if cc.ReadOnly != nil {
		m["readonly"] = strconv.FormatBool(*cc.ReadOnly)
	}
	if cc.Timeout != 0 {
		m["timeout"] = cc.Timeout.String()
	}
	return m
}

// source names the layer viper takes key from, as the user would write it:
// "--url", "VTUI_URL", "GOVC_URL", "context lab", "config file",
// "current-context" or "default". viper applies the same order but does not
// say which layer answered.
func (r *resolver) source(key string) string {
	if f := r.in.Flags.Lookup(flagName(key)); f != nil && f.Changed && r.userLayers(key) {
		return "--" + flagName(key)
	}
	for _, name := range r.envs[key] {
		if hasEnv(name) {
			return name
		}
	}
	if r.v.InConfig(key) {
		switch key {
		case "log-file":
			return "config file"
		case "context":
			return "current-context"
		}
		return r.contextSource()
	}
	return "default"
}

func (r *resolver) contextSource() string { return "context " + r.s.ContextName }

// selectContext picks the context: an explicit switch, else --context, else
// VTUI_CONTEXT, else current-context. --simulator selects none, so that a
// production context's settings never leak into a demo.
func (r *resolver) selectContext(fc *fileConfig) (contextConfig, error) {
	in := r.in
	if in.Context != nil {
		r.v.Set("context", *in.Context) // viper's override layer, above flags
	}
	name, from := r.v.GetString("context"), r.source("context")
	if in.Context != nil {
		from = "context switch"
	}
	if r.s.Simulator != "" {
		if from == "--context" && name != "" {
			return contextConfig{}, usageErrorf("--context and --simulator cannot be combined: the simulator is its own vCenter")
		}
		name = ""
	}
	if name == "" {
		return contextConfig{}, nil
	}
	if fc == nil {
		where := "no config file found"
		if p := defaultConfigPath(os.LookupEnv, in.Home); p != "" {
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

// userLayers reports whether flags and VTUI_* variables apply to key. A
// context switch drops them for connection keys.
func (r *resolver) userLayers(key string) bool {
	return r.in.Context == nil || !slices.Contains(connectionFlags, key)
}

// str returns key's value and records where it came from.
func (r *resolver) str(key string) string {
	r.s.sources[key] = r.source(key)
	return r.v.GetString(key)
}

// bool parses key's value itself: viper's GetBool would read "yes" as false.
func (r *resolver) bool(key string) (bool, error) {
	raw := r.str(key)
	b, err := strconv.ParseBool(raw)
	if err != nil {
		return false, usageErrorf("invalid value %q for %s (want true or false)", raw, r.s.sources[key])
	}
	return b, nil
}

func (r *resolver) duration(key string) (time.Duration, error) {
	d, err := parseTimeout(r.str(key))
	if err != nil {
		return 0, usageErrorf("invalid value for %s: %v", r.s.sources[key], err)
	}
	return d, nil
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
