package drill

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
)

// Command is a command of method command, as the plan writes it. As a
// YAML list it is an argv, run directly, with no shell; as a string it is
// run by sh -c. Either way it is a template whose fields are the values
// of the host being failed: {{.Host}} and {{.Cluster}}, as they are, with
// no functions, pipes or conditions. Those values come from vCenter or
// the plan, so they are passed as data and never parsed by a shell: in an
// argv, a field expands to the raw value inside its own element; in a
// string, to a quoted reference to an environment variable that holds
// the value ("${VTUI_HOST}", "${VTUI_CLUSTER}"). Every command gets those
// variables.
type Command struct {
	argv  []string // the list form
	shell string   // the string form
}

// IsZero says the plan gives no command.
func (c Command) IsZero() bool { return c.argv == nil && c.shell == "" }

// String is the command as the plan writes it.
func (c Command) String() string {
	if c.argv != nil {
		return quoteArgv(c.argv)
	}
	return c.shell
}

// value is the command as YAML and JSON hold it: a list or a string.
func (c Command) value() any {
	if c.argv != nil {
		return c.argv
	}
	return c.shell
}

// MarshalJSON writes the list form as an array, the string form as a string.
func (c Command) MarshalJSON() ([]byte, error) { return json.Marshal(c.value()) }

// UnmarshalJSON reads what MarshalJSON writes (journals hold plans).
func (c *Command) UnmarshalJSON(b []byte) error {
	*c = Command{}
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) {
		return json.Unmarshal(b, &c.argv)
	}
	return json.Unmarshal(b, &c.shell)
}

// MarshalYAML writes the list form as a sequence, the string form as a string.
func (c Command) MarshalYAML() (any, error) { return c.value(), nil }

// UnmarshalYAML reads a string or a list of strings, each as written: a
// value YAML would read as a number or a boolean (0x1F, 1.50, true) is
// its text, as in every string of a plan. A list is decoded as strings,
// so that an item that is a list or a mapping is refused at its own line
// and key (inject.command[1]).
func (c *Command) UnmarshalYAML(unmarshal func(any) error) error {
	*c = Command{}
	var v any
	if err := unmarshal(&v); err != nil {
		return err
	}
	switch v.(type) {
	case nil:
		return nil
	case []any:
		return unmarshal(&c.argv)
	case map[string]any:
		return errors.New("want a string or a list of strings, got a mapping: write the command as a string (run by sh -c) or a list of strings (run directly)")
	}
	return unmarshal(&c.shell)
}

// commandFields maps each field a command may use to the environment
// variable that carries its value.
var commandFields = map[string]string{"Host": "VTUI_HOST", "Cluster": "VTUI_CLUSTER"}

// Invocation is a command ready to run: its argv, run directly, and the
// VTUI_* variables added to vtui's environment.
type Invocation struct {
	Argv []string `json:"argv"`
	Env  []string `json:"env"`
}

// String is the invocation as a shell would run it, every word quoted
// where it needs to be: VTUI_HOST=esx-01 VTUI_CLUSTER=c1 ipmitool -H esx-01-bmc …
func (inv Invocation) String() string {
	var words []string
	for _, kv := range inv.Env {
		k, v, _ := strings.Cut(kv, "=")
		words = append(words, k+"="+shellQuote(v))
	}
	return strings.Join(append(words, quoteArgv(inv.Argv)), " ")
}

// render makes the invocation of c for host of cluster.
func (c Command) render(host, cluster string) (Invocation, error) {
	values := map[string]string{"Host": host, "Cluster": cluster}
	inv := Invocation{Env: []string{"VTUI_HOST=" + host, "VTUI_CLUSTER=" + cluster}}
	if c.argv == nil {
		text, err := expand(c.shell, func(field string, q quoting) (string, error) {
			switch q {
			case quoteSingle:
				return "", fmt.Errorf("{{.%s}} is inside single quotes, where sh would not expand it: use double quotes, or none", field)
			case quoteEscaped:
				return "", fmt.Errorf("{{.%s}} follows a backslash: remove it", field)
			case quoteDouble:
				return "${" + commandFields[field] + "}", nil
			}
			return `"${` + commandFields[field] + `}"`, nil
		})
		if err != nil {
			return Invocation{}, err
		}
		if strings.TrimSpace(text) == "" {
			return Invocation{}, errors.New("the command is empty")
		}
		inv.Argv = []string{"sh", "-c", text}
		return inv, nil
	}
	if len(c.argv) == 0 {
		return Invocation{}, errors.New("the command is an empty list")
	}
	for i, e := range c.argv {
		word, err := expand(e, func(field string, _ quoting) (string, error) { return values[field], nil })
		if err != nil {
			return Invocation{}, fmt.Errorf("element %d: %w", i, err)
		}
		inv.Argv = append(inv.Argv, word)
	}
	if inv.Argv[0] == "" {
		return Invocation{}, errors.New("the command's first element, the program to run, is empty")
	}
	return inv, nil
}

// check refuses a command that could not run: a bad template, or a field
// vtui does not give.
func (c Command) check() error {
	_, err := c.render("esx-01", "cluster-01")
	return err
}

// quoting is where a field stands in shell text.
type quoting int

const (
	quoteNone    quoting = iota
	quoteSingle          // inside '…'
	quoteDouble          // inside "…"
	quoteEscaped         // right after a backslash
)

// expand parses text as a command template and writes it out, each field
// replaced by what value returns for it, given how the text before it
// leaves the shell's quoting. A template may hold only {{.Host}} and
// {{.Cluster}}, as they are.
func expand(text string, value func(field string, q quoting) (string, error)) (string, error) {
	t, err := template.New("command").Parse(text)
	if err != nil {
		return "", fmt.Errorf("not a valid template: %w", err)
	}
	var b strings.Builder
	q := quoteNone
	if t.Tree == nil {
		return "", nil
	}
	for _, n := range t.Tree.Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			b.Write(n.Text)
			q = scanQuoting(q, n.Text)
		case *parse.ActionNode:
			field, ok := plainField(n)
			if !ok {
				return "", fmt.Errorf("%s: a template may use {{.Host}} and {{.Cluster}} only, as they are (no functions, pipes or conditions)", n)
			}
			v, err := value(field, q)
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			if q == quoteEscaped {
				q = quoteNone
			}
		default:
			return "", fmt.Errorf("%s: a template may use {{.Host}} and {{.Cluster}} only, as they are (no functions, pipes or conditions)", n)
		}
	}
	return b.String(), nil
}

// plainField returns the field an action names, if it is {{.Field}}
// alone and a field vtui gives.
func plainField(n *parse.ActionNode) (string, bool) {
	p := n.Pipe
	if len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return "", false
	}
	f, ok := p.Cmds[0].Args[0].(*parse.FieldNode)
	if !ok || len(f.Ident) != 1 {
		return "", false
	}
	_, known := commandFields[f.Ident[0]]
	return f.Ident[0], known
}

// scanQuoting follows sh's quoting through text, from q: single and
// double quotes and backslashes. It is enough to place a field; it does
// not parse the shell's language.
func scanQuoting(q quoting, text []byte) quoting {
	for _, c := range text {
		switch q {
		case quoteEscaped:
			q = quoteNone
		case quoteSingle:
			if c == '\'' {
				q = quoteNone
			}
		case quoteDouble:
			if c == '"' {
				q = quoteNone
			}
		default:
			switch c {
			case '\\':
				q = quoteEscaped
			case '\'':
				q = quoteSingle
			case '"':
				q = quoteDouble
			}
		}
	}
	return q
}

// quoteArgv writes an argv as a shell would read it back.
func quoteArgv(argv []string) string {
	words := make([]string, len(argv))
	for i, a := range argv {
		words[i] = shellQuote(a)
	}
	return strings.Join(words, " ")
}

// shellQuote quotes s for sh: as it is if it holds only characters sh
// takes literally, else in single quotes, each single quote closing
// the quotes, escaped, and opening them again.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+:,./_-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// maxOutput is how much of a command's output a drill keeps: the end,
// where the errors are.
const maxOutput = 64 << 10

// commandWaitDelay is how long a command's output may stay open after
// the command ended or was killed: a process it left behind holding the
// pipe must not hang the drill.
const commandWaitDelay = 2 * time.Second

// runCommand runs inv in a process group of its own and returns its
// output (stdout and stderr, the last maxOutput bytes). When ctx ends,
// the whole group is killed; when the command ends, whatever it left
// running in its group is killed too.
func runCommand(ctx context.Context, inv Invocation) (string, error) {
	cmd := exec.CommandContext(ctx, inv.Argv[0], inv.Argv[1:]...)
	cmd.Env = append(os.Environ(), inv.Env...)
	out := &tail{max: maxOutput}
	cmd.Stdout, cmd.Stderr = out, out
	ownGroup(cmd)
	cmd.Cancel = func() error { return killGroup(cmd) }
	cmd.WaitDelay = commandWaitDelay
	err := cmd.Run()
	if cmd.Process != nil {
		_ = killGroup(cmd)
	}
	return out.String(), err
}

// tail keeps the last max bytes written to it.
type tail struct {
	buf   []byte
	max   int
	total int
}

func (t *tail) Write(p []byte) (int, error) {
	t.total += len(p)
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = t.buf[:copy(t.buf, t.buf[over:])]
	}
	return len(p), nil
}

// String is what was kept, saying what was cut.
func (t *tail) String() string {
	if t.total > len(t.buf) {
		return fmt.Sprintf("[output truncated: the last %d of %d bytes]\n%s", len(t.buf), t.total, t.buf)
	}
	return string(t.buf)
}

// Exec runs a command of the plan and returns its output; ctx carries
// the command's bound. Runner.Exec replaces runCommand in tests.
type Exec func(ctx context.Context, inv Invocation) (string, error)

// runPlanCommand runs cmd for host of cluster, for at most bound, and
// notes what it runs and what it printed. what names the command in the
// error: "inject", "recover".
func runPlanCommand(ctx context.Context, run Exec, what string, cmd Command, host, cluster string, bound time.Duration, note func(format string, args ...any)) error {
	inv, err := cmd.render(host, cluster)
	if err != nil {
		return fmt.Errorf("the %s command for %s: %w", what, host, err)
	}
	if run == nil {
		run = runCommand
	}
	note("run %s", inv)
	cctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	out, err := run(cctx, inv)
	if out = strings.TrimSpace(out); out != "" {
		note("output: %s", lastBytes(out, 2000))
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("the %s command for %s was stopped: %w", what, host, ctx.Err())
	case cctx.Err() != nil:
		return fmt.Errorf("the %s command for %s did not finish within detect-timeout %s: it was killed, with every process it started", what, host, bound)
	case err != nil:
		return fmt.Errorf("the %s command for %s failed: %w", what, host, err)
	}
	return nil
}

// lastBytes keeps the end of s, at most n bytes.
func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + strings.ToValidUTF8(s[len(s)-n:], "")
}
