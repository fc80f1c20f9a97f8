package sim

import (
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vtui/vtui/internal/simdoor"
)

// TestDoorServesTheHAModel: GET /vtui/sim/v1 serves the HA emulation's
// parameters in effect, defaults filled in, and the list of what it does
// not model.
func TestDoorServesTheHAModel(t *testing.T) {
	spec, err := Preset("small")
	if err != nil {
		t.Fatal(err)
	}
	s, c := fastHAWith(t, spec, HAOptions{BootTime: 300 * time.Millisecond, BootTimeMax: 800 * time.Millisecond, Seed: 7, ToolsDelay: time.Second})
	code, body := door(t, s, c, "GET", "")
	raw, _ := json.Marshal(body["model"])
	var m Model
	if err := json.Unmarshal(raw, &m); code != http.StatusOK || err != nil {
		t.Fatalf("GET the door: %d, model %s: %v", code, raw, err)
	}
	want := simdoor.HA{DetectDelay: "100ms", ElectionDelay: "100ms", BootTime: "300ms-800ms", BootSeed: 7, ToolsDelay: "1s",
		RetryDelay: "800ms", MaxRestartCount: 5, Scale: 0.1 / 15}
	if m.HA != want {
		t.Errorf("model.ha = %+v; want %+v", m.HA, want)
	}
	if len(m.Unmodeled) == 0 || !reflect.DeepEqual(m.Unmodeled, unmodeled) {
		t.Errorf("model.unmodeled = %q; want the package's list %q", m.Unmodeled, unmodeled)
	}
}

// TestUnmodeledIsTheDocumentedList: the list the door serves is the one
// the package documentation states, item for item, so that neither can
// change alone.
func TestUnmodeledIsTheDocumentedList(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	const heading = "// # What the HA emulation does not model\n"
	_, section, ok := strings.Cut(string(src), heading)
	if !ok {
		t.Fatalf("doc.go has no section %q", strings.TrimSpace(heading))
	}
	section, _, _ = strings.Cut(section, "\n//\n// #") // up to the next heading
	var items []string
	for _, line := range strings.Split(section, "\n") {
		switch {
		case strings.HasPrefix(line, "//   - "):
			items = append(items, strings.TrimPrefix(line, "//   - "))
		case strings.HasPrefix(line, "//     ") && len(items) > 0:
			items[len(items)-1] += " " + strings.TrimPrefix(line, "//     ")
		}
	}
	if len(items) == 0 || !reflect.DeepEqual(items, unmodeled) {
		t.Errorf("doc.go lists as not modelled:\n%q\nthe door serves (model.go's unmodeled):\n%q\nmake them agree", items, unmodeled)
	}
}

// TestScaledDoesNotOverflow: vSphere's delays scale by DetectDelay / 15 s
// without the int64 product of two durations wrapping around (2 minutes
// at the default delay came out as -0.5 s before).
func TestScaledDoesNotOverflow(t *testing.T) {
	for _, tt := range []struct {
		detect, d, want time.Duration
	}{
		{0, 2 * time.Minute, 2 * time.Minute},
		{100 * time.Millisecond, 2 * time.Minute, 800 * time.Millisecond},
		{2 * time.Second, 600 * time.Second, 80 * time.Second},
	} {
		if got := (HAOptions{DetectDelay: tt.detect}).scaled(tt.d); got != tt.want {
			t.Errorf("DetectDelay %s: scaled(%s) = %s; want %s", tt.detect, tt.d, got, tt.want)
		}
	}
}
