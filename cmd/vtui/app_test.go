package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vtui/vtui/cmd/internal/config/configtest"
)

func TestLogFile(t *testing.T) {
	const secret = "s3cr3t-Pa55"
	dir := t.TempDir()
	for _, name := range []string{"sub/vtui.log", "vtui.jsonl"} {
		path := filepath.Join(dir, name)
		// Nothing listens on port 1: the connect fails, after logging.
		sys := testSys(t, configtest.Env{"VTUI_URL": "127.0.0.1:1", "VTUI_USERNAME": "u", "VTUI_PASSWORD": secret})
		r := runSys(t, []string{"--log-file", path, "--connect-timeout", "2s", "get", "vms"}, sys)
		if r.code != exitFailed || strings.Contains(r.stderr, secret) {
			t.Fatalf("vtui --log-file %s get vms: exit %d, stderr %q; want 1 without the password", path, r.code, r.stderr)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		log := string(data)
		if !strings.Contains(log, "settings resolved") || !strings.Contains(log, "VTUI_URL") {
			t.Errorf("log %s: got %q; want the resolved settings and their sources", name, log)
		}
		if strings.Contains(log, secret) {
			t.Errorf("log %s shows the password: %q", name, log)
		}
		if json := strings.HasPrefix(log, "{"); json != strings.HasSuffix(name, ".jsonl") {
			t.Errorf("log %s: got %q; want JSON only for .json/.jsonl", name, log)
		}
	}
}
