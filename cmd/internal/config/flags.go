package config

import (
	"strings"

	"github.com/spf13/pflag"
)

// AddFlags declares the flags every command accepts, which Resolve reads:
// presets are the valid --simulator names, outputs the valid -o formats,
// the first of them the default. Their defaults never come from the
// environment, so help output can never show a secret.
func AddFlags(fs *pflag.FlagSet, presets, outputs []string) {
	fs.String("context", "", "config-file context to use (env VTUI_CONTEXT; default: the file's current-context)")
	fs.String("config", "", "config file; --config= reads none (env VTUI_CONFIG; default $XDG_CONFIG_HOME/vtui/config.yaml or ~/.config/vtui/config.yaml)")
	fs.String("url", "", "vCenter URL or host name, e.g. vc01.example.com (env VTUI_URL, GOVC_URL)")
	fs.String("username", "", "user name, e.g. administrator@vsphere.local (env VTUI_USERNAME, GOVC_USERNAME)")
	fs.Bool("insecure", false, "skip TLS certificate verification; prefer --thumbprint or --ca-file (env VTUI_INSECURE, GOVC_INSECURE)")
	fs.String("thumbprint", "", "trust the server certificate with this SHA-1 or SHA-256 fingerprint (env VTUI_THUMBPRINT)")
	fs.String("ca-file", "", "PEM file of CA certificates to trust besides the system ones (env VTUI_CA_FILE)")
	fs.Bool("readonly", false, "refuse every change before any request is sent (env VTUI_READONLY)")
	fs.Bool("dry-run", false, "show what would change and change nothing")
	fs.Bool("yes", false, "do not ask before changing something; required without a terminal")
	fs.String("simulator", "", "run against an in-process simulated vCenter; --simulator=PRESET picks one of "+
		strings.Join(presets, ", "))
	fs.Lookup("simulator").NoOptDefVal = "demo"
	fs.StringP("output", "o", outputs[0], "output format: "+strings.Join(outputs, ", "))
	fs.String("log-file", "", "write a log to this file; .json or .jsonl for JSON lines (env VTUI_LOG_FILE)")
	fs.Bool("no-session-cache", false, "log in afresh and log out at the end, rather than reuse the session of the previous call (env VTUI_NO_SESSION_CACHE)")
	fs.Duration("connect-timeout", defaultTimeout, "time limit for connecting and logging in (env VTUI_TIMEOUT)")
}
