package config

// The layered settings (the precedence is in doc.go).
//
// A fresh viper per resolution applies that precedence (Resolve):
// the flags are bound with BindPFlag, the VTUI_* (and GOVC_*) variables
// with BindEnv, the selected context is its config layer. viper reads the
// process environment itself, so tests set it with t.Setenv; the home
// directory is injected.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/vtui/vtui/vsphere"
)

// Settings is the configuration every command reads, resolved once from
// flags, environment and config file before any command runs. Commands read
// it and never viper, flags or the environment directly.
type Settings struct {
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
	// Output is one of Input.Outputs: "table", "json", "yaml".
	Output string
	// LogFile is where log/slog writes, "" for nowhere.
	LogFile string
	// NoSessionCache makes each call log in and out, rather than reuse
	// the session the previous one kept in the user's cache directory.
	NoSessionCache bool
	// Simulator is the simulator preset to run in-process, "" for a real vCenter.
	Simulator string
	// Notes are things the user should know about how the settings were
	// resolved (an insecure setting ignored, say); the command prints them.
	Notes []string
	// Sources records where each key came from ("--url", "VTUI_URL",
	// "GOVC_URL", "context lab", "config file", "default"), for the debug
	// log and for rules that depend on the layer (a drill plan's context).
	Sources map[string]string

	// password says where ReadPassword finds the password.
	password passwordSource
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
var layeredKeys = []string{"config", "context", "url", "username", "insecure", "thumbprint", "ca-file", "readonly", "timeout", "log-file", "no-session-cache"}

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

// Input is what resolution reads besides the process environment,
// which viper reads itself (tests set it with t.Setenv).
type Input struct {
	// Flags are the parsed global flags; only flags the user set count.
	Flags *pflag.FlagSet
	// Home is the user's home directory, for ~ and the default config path.
	Home string
	// Presets are the valid --simulator names.
	Presets []string
	// Outputs are the valid -o/--output formats.
	Outputs []string
	// Context, if non-nil, selects this context regardless of flags and
	// environment and ignores connection flags and VTUI_*/GOVC_* connection
	// variables (a context switch in the terminal UI).
	Context *string
	// PlanContext, if not "", is the context a drill plan names. It is
	// selected as --context would select it, in place of the config
	// file's current-context; --context and VTUI_CONTEXT still win
	// (the drill command refuses them when they name another).
	PlanContext string
}

// Resolve resolves the settings of one command from in and the process
// environment, with the precedence of the package comment, and returns the config file
// it read (nil if none). Errors in what the user typed or wrote (flags,
// environment, config file) are UsageErrors. in.Flags must hold the flags
// AddFlags declares.
//
// A fresh viper does the layering: the flags are bound with BindPFlag, the
// VTUI_* (and, without a context, GOVC_*) variables with BindEnv, the
// selected context is its config layer and the flag defaults its defaults.
// Values are read as strings and parsed here, strictly, so that
// VTUI_READONLY=yes is an error naming the variable rather than false.
func Resolve(ctx context.Context, in Input) (Settings, *File, error) {
	s := Settings{Sources: map[string]string{}}
	r, err := newResolver(in, &s)
	if err != nil {
		return s, nil, err
	}

	// Non-connection settings first: they are cheap to validate.
	s.Output = r.v.GetString("output")
	if !slices.Contains(in.Outputs, s.Output) {
		return s, nil, usageErrorf("invalid value %q for -o/--output (valid: %s)", s.Output, strings.Join(in.Outputs, ", "))
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
	r.v.SetDefault("config", DefaultPath(os.LookupEnv, in.Home))
	path := r.v.GetString("config")
	optional := r.source("config") == "default"
	if path != "" && !optional {
		path = absPath(path, "", in.Home)
	}
	var fc *File
	if path != "" {
		if fc, err = loadConfigFile(ctx, path, optional, in.Home); err != nil {
			return s, nil, UsageError{err}
		}
	}
	if fc != nil {
		s.ConfigFile = fc.Path
		if err := r.merge(map[string]string{"context": fc.CurrentContext, "log-file": fc.LogFile, "no-session-cache": fc.NoSessionCache}); err != nil {
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

	// Connection settings; the simulator is its own vCenter.
	if s.Simulator != "" {
		err = r.simulatorOwnsConnection()
	} else {
		err = r.connection(cc, useGOVC)
	}
	if err != nil {
		return s, fc, err
	}
	if s.Conn.Timeout, err = r.duration("timeout"); err != nil {
		return s, fc, err
	}
	if s.ReadOnly, err = r.bool("readonly"); err != nil {
		return s, fc, err
	}
	if s.NoSessionCache, err = r.bool("no-session-cache"); err != nil {
		return s, fc, err
	}
	s.LogFile = r.str("log-file")
	if s.LogFile != "" && s.Sources["log-file"] != "config file" {
		s.LogFile = absPath(s.LogFile, "", in.Home)
	}
	return s, fc, nil
}

// simulatorOwnsConnection refuses, with --simulator, a flag that picks
// another vCenter or says how to reach one: the user typed both, so one
// is a mistake. The same settings in VTUI_* variables, and VTUI_PASSWORD,
// may be left over from another session (vtui sim prints them): they are
// ignored, with a note. The config file's current-context is the file's
// default, not the user's choice for this command, and is ignored quietly.
func (r *resolver) simulatorOwnsConnection() error {
	var ignored []string
	for _, key := range append([]string{"context"}, connectionFlags...) {
		switch src := r.source(key); {
		case strings.HasPrefix(src, "--"):
			return usageErrorf("%s and --simulator cannot be combined: the simulator is its own vCenter", src)
		case strings.HasPrefix(src, "VTUI_"):
			ignored = append(ignored, src)
		}
	}
	if hasEnv("VTUI_PASSWORD") {
		ignored = append(ignored, "VTUI_PASSWORD")
	}
	if len(ignored) > 0 {
		r.s.Notes = append(r.s.Notes, "--simulator connects to its own vCenter; ignoring "+strings.Join(ignored, ", "))
	}
	return nil
}

// CheckURL refuses a URL that vsphere.ParseURL refuses, naming the layer
// it came from (--url, VTUI_URL, a context, GOVC_URL). An http URL is
// refused as clear text; with a thumbprint, CA file or insecure, which
// all ask for TLS, as a contradiction as well. Commands check it when they
// connect, so that one that does not (drill validate) is not stopped by
// an unrelated GOVC_URL.
func (s Settings) CheckURL() error {
	urlSrc := s.Sources["url"]
	_, err := vsphere.ParseURL(s.Conn.URL)
	if err == nil {
		return nil
	}
	if errors.Is(err, vsphere.ErrClearText) {
		tls := []struct {
			key string
			set bool
		}{{"thumbprint", s.Conn.Thumbprint != ""}, {"ca-file", s.Conn.CAFile != ""}, {"insecure", s.Conn.Insecure}}
		for _, o := range tls {
			if o.set {
				return usageErrorf("%s is an http URL and %s is a TLS setting: they contradict each other; %w", urlSrc, s.Sources[o.key], err)
			}
		}
	}
	return usageErrorf("%s: %w", urlSrc, err)
}

// connection resolves the URL, the user, TLS and where the password
// comes from. Two rules keep a secret from going where it should not:
//
//   - TLS verification wins: a thumbprint or CA file verifies the server
//     even when insecure is set in another layer (a VTUI_INSECURE left over
//     from `vtui sim`, say); the same layer setting both is refused.
//   - A password goes only to the vCenter it came with: a context's
//     password-env or password-file only when the URL comes from that
//     context, GOVC_PASSWORD only when the URL comes from GOVC_URL, and
//     VTUI_PASSWORD whenever the URL does not come from a context that has
//     a password source of its own. Anything else is withheld, and the
//     prompt (or the error) says why. So does insecure: a context's only
//     to its own url, GOVC_INSECURE only to GOVC_URL.
func (r *resolver) connection(cc Context, useGOVC bool) error {
	s := r.s
	s.Conn.URL = r.str("url")
	s.Conn.Username = r.str("username")
	urlSrc := s.Sources["url"]
	// govc accepts user:password@ in the URL; a separate username wins
	// unless it comes from a lower layer than the URL.
	clean, urlUser, urlHasPw := splitURLUser(s.Conn.URL)
	if urlHasPw && !strings.HasPrefix(urlSrc, "VTUI_") && !strings.HasPrefix(urlSrc, "GOVC_") {
		return usageErrorf("%s holds a password: passwords never go on the command line; "+
			"use VTUI_PASSWORD, a context's password-env or password-file, or the prompt", urlSrc)
	}
	s.Conn.URL = clean
	if urlUser != "" && sourceRank(s.Sources["username"]) > sourceRank(urlSrc) {
		s.Conn.Username, s.Sources["username"] = urlUser, urlSrc
	}
	var err error
	if s.Conn.Insecure, err = r.bool("insecure"); err != nil {
		return err
	}
	s.Conn.Thumbprint = r.str("thumbprint")
	s.Conn.CAFile = r.str("ca-file")
	if s.Conn.CAFile != "" && s.Sources["ca-file"] != r.contextSource() {
		s.Conn.CAFile = absPath(s.Conn.CAFile, "", r.in.Home)
	}
	if err := r.verificationWins(); err != nil {
		return err
	}
	r.insecureStaysWithItsURL()

	// The password is read only on connect, and never through viper: it
	// has no flag and no config-file value.
	fromContext := s.URLFromContext()
	contextHasPw := cc.PasswordEnv != "" || cc.PasswordFile != ""
	var withheld []string
	switch {
	case fromContext && cc.PasswordEnv != "":
		s.password = passwordSource{envVar: cc.PasswordEnv, context: s.ContextName}
	case fromContext && cc.PasswordFile != "":
		s.password = passwordSource{file: cc.PasswordFile, context: s.ContextName}
	case r.in.Context == nil && hasEnv("VTUI_PASSWORD"):
		s.password = passwordSource{envVar: "VTUI_PASSWORD"}
	case useGOVC && urlSrc == "GOVC_URL" && hasEnv("GOVC_PASSWORD"):
		s.password = passwordSource{envVar: "GOVC_PASSWORD"}
	case urlHasPw:
		s.password = passwordSource{urlEnvVar: urlSrc}
	}
	if s.password == (passwordSource{}) && s.Conn.URL != "" {
		shown := vsphere.RedactURL(s.Conn.URL)
		if contextHasPw && !fromContext {
			withheld = append(withheld, fmt.Sprintf("the password of context %q is only sent to its own url, not to %s from %s", s.ContextName, shown, urlSrc))
		}
		if hasEnv("GOVC_PASSWORD") && urlSrc != "GOVC_URL" {
			withheld = append(withheld, fmt.Sprintf("GOVC_PASSWORD is only sent to GOVC_URL, not to %s from %s", shown, urlSrc))
		}
		s.password.withheld = strings.Join(withheld, "; ")
	}
	return nil
}

// verificationWins applies the TLS rule: a thumbprint or a CA file from
// any layer beats insecure from another; one layer setting both is an
// error.
func (r *resolver) verificationWins() error {
	s := r.s
	if !s.Conn.Insecure {
		return nil
	}
	insecureSrc := s.Sources["insecure"]
	for _, key := range []string{"thumbprint", "ca-file"} {
		value, src := s.Conn.Thumbprint, s.Sources["thumbprint"]
		if key == "ca-file" {
			value, src = s.Conn.CAFile, s.Sources["ca-file"]
		}
		if value == "" {
			continue
		}
		if src == insecureSrc {
			return usageErrorf("%s sets both insecure and %s, which contradict each other: insecure skips the certificate check that the %s asks for; set one of them",
				src, key, key)
		}
		if layer(src) == layer(insecureSrc) {
			return usageErrorf("%s and %s contradict each other: insecure skips the certificate check that the %s asks for; set one of them",
				insecureSrc, src, key)
		}
		s.Conn.Insecure = false
		s.Notes = append(s.Notes, fmt.Sprintf("%s is ignored: the certificate is verified with the %s from %s", insecureSrc, key, src))
	}
	return nil
}

// insecureStaysWithItsURL ignores, with a note, a context's insecure when
// the URL comes from elsewhere (--url, VTUI_URL), and GOVC_INSECURE when
// the URL is not GOVC_URL: each says how to reach its own vCenter, not
// another one that a password may then be sent to unverified. Insecure
// from a flag or VTUI_INSECURE applies to whichever URL is used.
func (r *resolver) insecureStaysWithItsURL() {
	s := r.s
	insecureSrc, urlSrc := s.Sources["insecure"], s.Sources["url"]
	if !s.Conn.Insecure || s.Conn.URL == "" || insecureSrc == urlSrc {
		return
	}
	var own string
	switch {
	case insecureSrc == "GOVC_INSECURE" && urlSrc != "GOVC_URL":
		own = "GOVC_URL"
	case insecureSrc == r.contextSource():
		own = "the context's own url"
	default:
		return
	}
	s.Conn.Insecure = false
	s.Notes = append(s.Notes, fmt.Sprintf("insecure from %s is ignored: it applies only to %s, not to %s from %s",
		insecureSrc, own, vsphere.RedactURL(s.Conn.URL), urlSrc))
}

// layer names the layer a source is: flag, VTUI_* variable, context or
// GOVC_* variable.
func layer(src string) string {
	switch {
	case strings.HasPrefix(src, "--"):
		return "flag"
	case strings.HasPrefix(src, "VTUI_"):
		return "VTUI_*"
	case strings.HasPrefix(src, "GOVC_"):
		return "GOVC_*"
	}
	return src
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
	in Input
	v  *viper.Viper
	s  *Settings
	// envs lists the variables bound to each key, in viper's order.
	envs map[string][]string
}

// newResolver binds every key's flag and VTUI_* variable, and its flag's
// default, to a fresh viper. A context switch leaves the connection keys'
// flags and variables unbound.
func newResolver(in Input, s *Settings) (*resolver, error) {
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

// values are the context's Settings as viper's config layer sees them:
// strings, and only the keys the context sets. The password source is not
// among them; it is not a value to layer.
func (cc Context) values() map[string]string {
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
		case "log-file", "no-session-cache":
			return "config file"
		case "context":
			return "current-context"
		}
		return r.contextSource()
	}
	return "default"
}

func (r *resolver) contextSource() string { return r.s.contextSource() }

// contextSource is the source the context's own values are recorded as.
func (s *Settings) contextSource() string { return "context " + s.ContextName }

// URLFromContext reports whether the URL is the context's own, not one
// that --url, VTUI_URL or GOVC_URL named.
func (s *Settings) URLFromContext() bool {
	return s.ContextName != "" && s.Sources["url"] == s.contextSource()
}

// selectContext picks the context: an explicit switch, else --context, else
// VTUI_CONTEXT, else current-context. --simulator selects none, so that a
// production context's Settings never leak into a demo.
func (r *resolver) selectContext(fc *File) (Context, error) {
	in := r.in
	if in.Context != nil {
		r.v.Set("context", *in.Context) // viper's override layer, above flags
	}
	name, from := r.v.GetString("context"), r.source("context")
	switch {
	case in.Context != nil:
		from = "context switch"
	case in.PlanContext != "" && (from == "default" || from == "current-context"):
		name, from = in.PlanContext, "the drill plan"
	}
	r.s.Sources["context"] = from
	if name == "" || r.s.Simulator != "" {
		return Context{}, nil
	}
	if fc == nil {
		where := "no config file found"
		if p := DefaultPath(os.LookupEnv, in.Home); p != "" {
			where = "no config file at " + p
		}
		return Context{}, usageErrorf("context %q (from %s): %s; create it (see config.example.yaml) or use --config", name, from, where)
	}
	cc, err := fc.context(name)
	if err != nil {
		return Context{}, UsageError{fmt.Errorf("%s: %w", from, err)}
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
	r.s.Sources[key] = r.source(key)
	return r.v.GetString(key)
}

// bool parses key's value itself: viper's GetBool would read "yes" as false.
func (r *resolver) bool(key string) (bool, error) {
	raw := r.str(key)
	b, err := strconv.ParseBool(raw)
	if err != nil {
		return false, usageErrorf("invalid value %q for %s (want true or false)", raw, r.s.Sources[key])
	}
	return b, nil
}

func (r *resolver) duration(key string) (time.Duration, error) {
	d, err := parseTimeout(r.str(key))
	if err != nil {
		return 0, usageErrorf("invalid value for %s: %v", r.s.Sources[key], err)
	}
	return d, nil
}
