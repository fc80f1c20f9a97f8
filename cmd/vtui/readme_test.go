package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
)

// The README's examples are run by TestREADMEExamples, so that they cannot
// drift from what vtui does. The HTML comment on the line before a fenced
// block (blank lines may come between) says what the block is:
//
//	<!-- readme-test: preset=NAME -->   commands run on a fresh `vtui sim --preset NAME`,
//	                                    reached through its sim.env as the README's recipe does
//	<!-- readme-test: run -->           commands that need no vCenter from the environment
//	                                    (they name their own --simulator)
//	<!-- readme-test: file=NAME -->     the block is the file NAME (a drill plan), written
//	                                    into the directory every block runs in
//	<!-- readme-test: skip: REASON -->  commands that are not run, and why (installation,
//	                                    a real vCenter)
//
// Every ```sh block has one, so that none is left out silently. A block
// that runs gets a fresh directory (holding the file blocks and the
// repository's docs/) as its working directory; each of its lines is a
// vtui command, run in-process in order with --yes (the README's reader
// answers y on a terminal) and expected to exit 0. A trailing "> FILE"
// writes the command's stdout to FILE. The few lines that are not vtui
// commands or cannot run in-process are in readmeNotRun, with why.

// readmeMarker is the marker comment; its group is what it says.
var readmeMarker = regexp.MustCompile(`^<!-- readme-test: (.*) -->$`)

// readmeBlock is one fenced block of the README and its marker.
type readmeBlock struct {
	line int    // the line of its opening fence, from 1
	lang string // sh, yaml, ...
	mode string // preset, run, file, skip; "" for an unmarked block that is not sh
	arg  string // the preset, the file's name or why it is skipped
	text string
}

// readmeBlocks returns the fenced blocks of a Markdown text. An sh block
// without a marker, an unknown marker and a marker that is not followed
// by a block are errors.
func readmeBlocks(markdown string) ([]readmeBlock, error) {
	var blocks []readmeBlock
	var marker *readmeBlock // a marker that waits for its block
	var open *readmeBlock   // the block being read
	var errs []error
	for i, line := range strings.Split(markdown, "\n") {
		n := i + 1
		switch fence := strings.HasPrefix(line, "```"); {
		case open != nil && fence:
			blocks = append(blocks, *open)
			open = nil
		case open != nil:
			open.text += line + "\n"
		case fence:
			open = &readmeBlock{line: n, lang: strings.TrimPrefix(line, "```")}
			if marker != nil {
				open.mode, open.arg = marker.mode, marker.arg
				marker = nil
			} else if open.lang == "sh" {
				errs = append(errs, fmt.Errorf("line %d: an sh block without a <!-- readme-test: ... --> marker", n))
			}
		case readmeMarker.MatchString(line):
			if marker != nil {
				errs = append(errs, fmt.Errorf("line %d: a readme-test marker with no block after it", marker.line))
			}
			m, err := parseReadmeMarker(readmeMarker.FindStringSubmatch(line)[1])
			if err != nil {
				errs = append(errs, fmt.Errorf("line %d: %w", n, err))
			}
			m.line = n
			marker = &m
		case marker != nil && strings.TrimSpace(line) != "":
			errs = append(errs, fmt.Errorf("line %d: a readme-test marker with no block after it", marker.line))
			marker = nil
		}
	}
	if open != nil {
		errs = append(errs, fmt.Errorf("line %d: a block that is not closed", open.line))
	}
	if marker != nil {
		errs = append(errs, fmt.Errorf("line %d: a readme-test marker with no block after it", marker.line))
	}
	return blocks, errors.Join(errs...)
}

// parseReadmeMarker reads what a marker says.
func parseReadmeMarker(s string) (readmeBlock, error) {
	if reason, ok := strings.CutPrefix(s, "skip:"); ok {
		if strings.TrimSpace(reason) == "" {
			return readmeBlock{}, errors.New("readme-test: skip needs a reason: skip: REASON")
		}
		return readmeBlock{mode: "skip", arg: strings.TrimSpace(reason)}, nil
	}
	if s == "run" {
		return readmeBlock{mode: "run"}, nil
	}
	for _, mode := range []string{"preset", "file"} {
		if arg, ok := strings.CutPrefix(s, mode+"="); ok && arg != "" && !strings.ContainsAny(arg, " /") {
			return readmeBlock{mode: mode, arg: arg}, nil
		}
	}
	return readmeBlock{}, fmt.Errorf("readme-test: %q: want preset=NAME, run, file=NAME or skip: REASON", s)
}

// readmeNotRun are the lines of runnable blocks that the test does not
// run, and why. Each must still be in the README.
var readmeNotRun = map[string]string{
	"vtui --simulator":                                     "opens the terminal UI, which needs a terminal",
	"vtui sim --listen 127.0.0.1:8989":                     "serves until interrupted; each preset block starts vtui sim as the recipe does",
	"vtui sim > sim.env &":                                 "the recipe, which the test follows for each preset block (serveSim, readSimEnv)",
	"until grep -q '^# serving' sim.env; do sleep 1; done": "the recipe (serveSim waits for the line)",
	"set -a; . ./sim.env; set +a":                          "the recipe (readSimEnv)",
}

// readmeHADetectDelay replaces vtui sim's 15 s HA detection delay in the
// test, so that the README's drill ends in seconds; it changes when HA
// restarts the VMs, not whether.
const readmeHADetectDelay = "2s"

// TestREADMEExamples runs every command of the README's runnable blocks
// as written, on the simulator preset each block names.
func TestREADMEExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("starts simulators")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := readmeBlocks(string(readme))
	if err != nil {
		t.Fatalf("README.md:\n%v", err)
	}
	files := map[string]string{}
	for _, b := range blocks {
		if b.mode == "file" {
			files[b.arg] = b.text
		}
	}
	seen := map[string]bool{}
	for _, b := range blocks {
		switch b.mode {
		case "skip":
			t.Logf("README.md:%d: not run: %s", b.line, b.arg)
			continue
		case "preset", "run":
		default:
			continue
		}
		t.Run(strings.TrimSpace(fmt.Sprintf("README.md:%d %s %s", b.line, b.mode, b.arg)), func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Symlink(filepath.Join(root, "docs"), filepath.Join(dir, "docs")); err != nil {
				t.Fatal(err)
			}
			for name, text := range files {
				configtest.WriteFile(t, filepath.Join(dir, name), text, 0o600)
			}
			var env configtest.Env
			if b.mode == "preset" {
				env = readSimEnv(t, serveSim(t, "--listen", "127.0.0.1:0", "--preset", b.arg, "--ha-detect-delay", readmeHADetectDelay))
			}
			t.Chdir(dir)
			for i, line := range strings.Split(b.text, "\n") {
				line = strings.TrimSpace(line)
				where := fmt.Sprintf("README.md:%d", b.line+1+i)
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				if key, why, ok := readmeNotRunReason(line); ok {
					seen[key] = true
					t.Logf("%s: not run: %s: %s", where, key, why)
					continue
				}
				args, out, err := readmeCommand(line)
				if err != nil {
					t.Fatalf("%s: %v; make it a vtui command, or add it to readmeNotRun with why", where, err)
				}
				r := runTest(t, append(args, "--yes"), env)
				if r.code != exitOK {
					t.Fatalf("%s: %s: exit %d; want 0\nstderr:\n%s", where, line, r.code, r.stderr)
				}
				if out != "" {
					configtest.WriteFile(t, out, r.stdout, 0o600)
				}
			}
		})
	}
	for key := range readmeNotRun {
		if !seen[key] {
			t.Errorf("readmeNotRun lists %q, which no runnable block of the README has: remove it", key)
		}
	}
}

// readmeNotRunReason reports whether line, but for a trailing comment, is
// one of readmeNotRun.
func readmeNotRunReason(line string) (key, why string, ok bool) {
	for key, why := range readmeNotRun {
		if rest, found := strings.CutPrefix(line, key); found && (rest == "" || strings.HasPrefix(strings.TrimSpace(rest), "#")) {
			return key, why, true
		}
	}
	return "", "", false
}

// readSimEnv reads sim.env as the recipe's `set -a; . ./sim.env` does:
// NAME=VALUE lines, and # comments.
func readSimEnv(t *testing.T, path string) configtest.Env {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := configtest.Env{}
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if name, value, ok := strings.Cut(lines.Text(), "="); ok && !strings.HasPrefix(name, "#") {
			env[name] = value
		}
	}
	if env["VTUI_URL"] == "" {
		t.Fatalf("%s sets no VTUI_URL", path)
	}
	return env
}

// readmeCommand splits a README line that runs vtui into vtui's
// arguments and the file its stdout goes to ("" for none), as sh would for
// the little shell the examples use: words, '...' and "..." quotes, a
// trailing # comment and "> FILE". Anything else (pipes, variables,
// globs, ;, &) is an error.
func readmeCommand(line string) (args []string, out string, err error) {
	var words []string
	var w strings.Builder
	inWord := false
	end := func() {
		if inWord {
			words = append(words, w.String())
			w.Reset()
			inWord = false
		}
	}
scan:
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == ' ' || c == '\t':
			end()
		case c == '#' && !inWord:
			break scan
		case c == '\'' || c == '"':
			j := strings.IndexByte(line[i+1:], c)
			if j < 0 {
				return nil, "", fmt.Errorf("%q: an unterminated %c", line, c)
			}
			quoted := line[i+1 : i+1+j]
			if c == '"' && strings.ContainsAny(quoted, "$`\\") {
				return nil, "", fmt.Errorf("%q: an expansion in double quotes", line)
			}
			w.WriteString(quoted)
			inWord = true
			i += j + 1
		case c == '>' && !inWord && (i+1 == len(line) || line[i+1] == ' '):
			words = append(words, ">")
		case strings.IndexByte("|&;<>$`\\(){}*?[]~", c) >= 0:
			return nil, "", fmt.Errorf("%q: shell syntax %q that the test does not run", line, c)
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	end()
	if n := len(words); n >= 2 && words[n-2] == ">" {
		words, out = words[:n-2], words[n-1]
	}
	if len(words) == 0 || words[0] != "vtui" || slices.Contains(words, ">") {
		return nil, "", fmt.Errorf("%q is not a vtui command (with at most a trailing > FILE)", line)
	}
	return words[1:], out, nil
}

// TestReadmeBlocks holds the marker rules: no sh block goes unmarked, a
// skip says why, and a marker belongs to the block after it.
func TestReadmeBlocks(t *testing.T) {
	tests := []struct {
		markdown string
		want     []readmeBlock
		wantErr  string
	}{
		{"<!-- readme-test: preset=demo -->\n```sh\nvtui get hosts\n```\n",
			[]readmeBlock{{line: 2, lang: "sh", mode: "preset", arg: "demo", text: "vtui get hosts\n"}}, ""},
		{"<!-- readme-test: skip: a real vCenter -->\n\n```sh\nvtui get vms\n```\n",
			[]readmeBlock{{line: 3, lang: "sh", mode: "skip", arg: "a real vCenter", text: "vtui get vms\n"}}, ""},
		{"<!-- readme-test: file=plan.yaml -->\n```yaml\nname: x\n```\n```\nplain\n```\n",
			[]readmeBlock{{line: 2, lang: "yaml", mode: "file", arg: "plan.yaml", text: "name: x\n"}, {line: 5, text: "plain\n"}}, ""},
		{"text\n```sh\nvtui get vms\n```\n", nil, "line 2: an sh block without a <!-- readme-test: ... --> marker"},
		{"<!-- readme-test: skip: -->\n```sh\nx\n```\n", nil, "skip needs a reason"},
		{"<!-- readme-test: preset -->\n```sh\nx\n```\n", nil, `"preset": want preset=NAME`},
		{"<!-- readme-test: run -->\ntext\n```sh\nx\n```\n", nil, "line 1: a readme-test marker with no block after it"},
		{"<!-- readme-test: run -->\n", nil, "line 1: a readme-test marker with no block after it"},
		{"```sh\nx\n", nil, "line 1: a block that is not closed"},
	}
	for _, tt := range tests {
		got, err := readmeBlocks(tt.markdown)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("readmeBlocks(%q): error %v; want one containing %q", tt.markdown, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("readmeBlocks(%q) = %+v, %v;\nwant %+v", tt.markdown, got, err, tt.want)
		}
	}
}

func TestReadmeCommand(t *testing.T) {
	tests := []struct {
		line     string
		wantArgs []string
		wantOut  string
		wantErr  string
	}{
		{"vtui vm power off 'web-*'   # on|off", []string{"vm", "power", "off", "web-*"}, "", ""},
		{`vtui get vms "web 01"`, []string{"get", "vms", "web 01"}, "", ""},
		{"vtui cluster config export cluster-a > cluster-a.yaml", []string{"cluster", "config", "export", "cluster-a"}, "cluster-a.yaml", ""},
		{"vtui get vms web-*", nil, "", "shell syntax '*'"},
		{"vtui get vms | jq .", nil, "", "shell syntax '|'"},
		{`vtui get vms "$X"`, nil, "", "an expansion in double quotes"},
		{"vtui get vms 'web", nil, "", "an unterminated '"},
		{"go test ./...", nil, "", "is not a vtui command"},
		{"vtui get > a > b", nil, "", "is not a vtui command"},
	}
	for _, tt := range tests {
		args, out, err := readmeCommand(tt.line)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("readmeCommand(%q): error %v; want one containing %q", tt.line, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(args, tt.wantArgs) || out != tt.wantOut {
			t.Errorf("readmeCommand(%q) = %q, %q, %v; want %q, %q", tt.line, args, out, err, tt.wantArgs, tt.wantOut)
		}
	}
}
