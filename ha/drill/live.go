package drill

import (
	"slices"
	"strings"
	"time"
)

// Live follows a running drill through the moments Runner.OnMoment hands
// out, for a live display: when the injection was, and where each
// protected VM stands. It reads the same property changes the verdict
// rests on, but the verdict is the Report's: Live only shows the way to
// it. It is not safe for concurrent use; feed it from one goroutine.
type Live struct {
	targets map[string]bool // target host names
	// cut says the targets' network is cut: a VM may run on there, seen
	// through a host that does not answer.
	cut bool
	vms map[string]*LiveVM
	t0  time.Time
}

// LiveVM is a protected VM as the timeline has shown it so far.
type LiveVM struct {
	Name string
	// From is its host when the drill started; Host is where it is now.
	From, Host string
	// Down says it stopped running after the injection, DownAt seconds
	// after it. Back says it runs again on a surviving host (restarted,
	// or moved while running), BackAt seconds after the injection.
	Down, Back     bool
	DownAt, BackAt float64
	power, conn    string
}

// NewLive follows the protected VMs and the targets the preflight found.
func NewLive(pre *Preflight) *Live {
	l := &Live{targets: map[string]bool{}, vms: map[string]*LiveVM{}, cut: pre.Scenario.cutsNetwork()}
	for _, h := range pre.Targets {
		l.targets[h.Name] = true
	}
	for _, v := range pre.Protected {
		l.vms[v.Name] = &LiveVM{Name: v.Name, From: v.Host, Host: v.Host, power: v.PowerState, conn: "connected"}
	}
	return l
}

// Add takes the next moment of the timeline.
func (l *Live) Add(m Moment) {
	// A moment handed out before the injection has At 0; the first one
	// after it tells when the injection was.
	if l.t0.IsZero() && m.At != 0 {
		l.t0 = m.Time.Add(-time.Duration(m.At * float64(time.Second)))
	}
	v := l.vms[m.Object]
	if m.Kind != "vm" || v == nil {
		return
	}
	property, value, ok := strings.Cut(m.What, changeSep)
	if !ok {
		return
	}
	switch property {
	case "runtime.host":
		v.Host = value
	case "runtime.powerState":
		v.power = value
	case "runtime.connectionState":
		v.conn = value
	default:
		return
	}
	// As the tracker judges it: running means powered on, connected, and
	// not on a failed host; or, on a host whose network is cut, still
	// powered on where it was.
	running := v.power == "poweredOn" && v.conn == "connected" && !l.targets[v.Host]
	if l.cut && v.Host == v.From {
		running = v.power == "poweredOn"
	}
	switch {
	case !running && (!v.Down || v.Back):
		v.Down, v.DownAt, v.Back = true, m.At, false
	case running && !v.Back && (v.Down || v.Host != v.From):
		v.Back, v.BackAt = true, m.At
	}
}

// Since returns the seconds from the injection to m, negative before it;
// ok is false while the injection's time is not known yet.
func (l *Live) Since(m Moment) (seconds float64, ok bool) {
	switch {
	case m.At != 0:
		return m.At, true
	case l.t0.IsZero():
		return 0, false
	}
	return round(m.Time.Sub(l.t0).Seconds()), true
}

// VMs returns the protected VMs, by name.
func (l *Live) VMs() []LiveVM {
	out := make([]LiveVM, 0, len(l.vms))
	for _, v := range l.vms {
		out = append(out, *v)
	}
	slices.SortFunc(out, func(a, b LiveVM) int { return strings.Compare(a.Name, b.Name) })
	return out
}
