// Package overview is vtui's pulse (:overview, :pulse): one live screen
// of the whole vCenter. It counts VMs by power state and hosts by
// connection state, counts the triggered alarms by severity, draws each
// cluster's CPU and memory use as bars with its HA verdict (how many host
// failures it tolerates, from ha/capacity's what-if), and lists the
// running tasks and the latest events. Every row opens its view, narrowed
// to what the row counts, through an OpenMsg the root acts on.
//
// The counts, alarms, tasks and events come from the root's live data
// (Load); the HA verdicts, which need each cluster's configuration and
// reservations, are read in a tea.Cmd when the screen opens and again on
// r.
package overview

import (
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/vtui/vtui/ha/capacity"
	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/ui/common"
	"github.com/vtui/vtui/ui/listview"
	"github.com/vtui/vtui/vsphere"
)

// OpenMsg asks the root to open the view of Kind (a kind's name, as
// internal/kinds names it) narrowed to Scope, with Filter as its / filter;
// Label is its breadcrumb.
type OpenMsg struct {
	Kind   string
	Scope  vsphere.Filter
	Filter string
	Label  string
}

// Msg is what the overview's reads bring back; the root hands every Msg
// to it.
type Msg interface{ overview() }

// verdictsMsg brings the HA verdicts of read number seq.
type verdictsMsg struct {
	seq      int
	verdicts map[vsphere.Ref]string
}

func (verdictsMsg) overview() {}

// Conn is the connection the overview reads the HA verdicts through: the
// root's current one. A nil Client means there is none.
type Conn struct {
	Ctx    context.Context
	Client *vsphere.Client
	Inv    *vsphere.Inventory
}

// readTimeout bounds the reads of one cluster's HA verdict.
const readTimeout = time.Minute

// latestEvents is how many of the newest events the screen lists.
const latestEvents = 5

// row is one line of the screen; a row with a nil open is a heading.
type row struct {
	text string
	open *OpenMsg
}

// Model is the overview.
type Model struct {
	common common.Common
	help   help.Model
	conn   func() Conn
	keys   keyMap

	src      listview.Source
	cache    *verdictCache
	verdicts map[vsphere.Ref]string // by cluster; missing while read
	seq      int                    // the newest read of the verdicts
	stale    bool
	rows     []row
	cursor   int // index into rows, on a row that opens
	offset   int // the first row shown
}

type keyMap struct{ Up, Down, Open, Refresh key.Binding }

// New returns the overview; conn returns the root's connection when it
// reads the HA verdicts.
func New(c common.Common, conn func() Conn) *Model {
	t := c.Keys.Table
	return &Model{common: c, help: help.New(), conn: conn, cache: &verdictCache{kept: map[vsphere.Ref]keptVerdict{}}, keys: keyMap{
		Up: t.Up, Down: t.Down, Open: c.Keys.Enter,
		Refresh: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "read the HA verdicts again")),
	}}
}

// Open reads the clusters' HA verdicts, in the background, once the
// inventory is whole; the root calls it again when it becomes so.
func (m *Model) Open() tea.Cmd {
	c := m.conn()
	m.seq++
	m.verdicts = nil
	m.build()
	if c.Client == nil || c.Inv == nil || c.Inv.LoadingVMs > 0 {
		return nil
	}
	seq := m.seq
	cache := m.cache
	return func() tea.Msg {
		return verdictsMsg{seq: seq, verdicts: cache.verdicts(c.Ctx, c.Client, c.Inv)}
	}
}

// verdicts reads each cluster's HA verdict, a few clusters at once:
// "HA off", "tolerates 1 host failure", "tolerates no host failure", or
// why it could not be told. Each cluster's reads have their own time
// bound. Whether HA is on comes from the configuration read now, not
// from the inventory: a server that does not push configuration changes
// (govmomi's vcsim) would otherwise keep an old answer through r.
func (vc *verdictCache) verdicts(ctx context.Context, c *vsphere.Client, inv *vsphere.Inventory) map[vsphere.Ref]string {
	out := make([]string, len(inv.Clusters))
	var wg sync.WaitGroup
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, cl := range inv.Clusters {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			out[i] = vc.verdict(ctx, c, inv, cl)
		})
	}
	wg.Wait()
	m := make(map[vsphere.Ref]string, len(out))
	for i, cl := range inv.Clusters {
		m[cl.Ref] = out[i]
	}
	return m
}

// verdictCache keeps each cluster's last HA verdict with the fingerprint
// of the what-if's input (capacity.Fingerprint): the what-if of a large
// cluster takes seconds (96 hosts failing two at a time are 4,560
// scenarios), its reads a fraction of that, so the screen opened again on
// an unchanged cluster pays only the reads. It is safe for concurrent use.
type verdictCache struct {
	mu   sync.Mutex
	kept map[vsphere.Ref]keptVerdict
}

type keptVerdict struct {
	fingerprint [sha256.Size]byte
	verdict     string
}

func (vc *verdictCache) verdict(ctx context.Context, c *vsphere.Client, inv *vsphere.Inventory, cl vsphere.Cluster) string {
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	cfg, err := c.ClusterConfig(ctx, inv, cl.Ref)
	if err != nil {
		return "HA verdict unknown: " + err.Error()
	}
	if !cfg.Spec.HA.Enabled {
		return "HA off"
	}
	in, err := capacity.Gather(ctx, c, inv, cfg)
	if err != nil {
		return "HA verdict unknown: " + err.Error()
	}
	fp := capacity.Fingerprint(in)
	vc.mu.Lock()
	k, ok := vc.kept[cl.Ref]
	vc.mu.Unlock()
	if ok && k.fingerprint == fp {
		return k.verdict
	}
	t := capacity.Tolerate(in)
	var v string
	switch {
	case t.Tolerated == 0:
		v = "tolerates no host failure"
	case t.Tolerated == t.Checked && t.Checked < min(capacity.MaxFailures, len(in.Hosts)-1):
		v = "tolerates at least " + format.Count(t.Tolerated, "host failure")
	default:
		v = "tolerates " + format.Count(t.Tolerated, "host failure")
	}
	vc.mu.Lock()
	vc.kept[cl.Ref] = keptVerdict{fp, v}
	vc.mu.Unlock()
	return v
}

// Load takes the newest live data.
func (m *Model) Load(s listview.Source) {
	m.src = s
	m.build()
}

// SetStale marks what is shown as possibly old.
func (m *Model) SetStale(stale bool) { m.stale = stale }

// SetSize sets the screen's size.
func (m *Model) SetSize(w, h int) { m.common.SetSize(w, h) }

// Update moves the cursor, opens the row under it, reads the verdicts
// again, and takes their result.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case verdictsMsg:
		if msg.seq == m.seq {
			m.verdicts = msg.verdicts
			m.build()
		}
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, m.keys.Up):
			m.move(-1)
		case key.Matches(msg, m.keys.Down):
			m.move(1)
		case key.Matches(msg, m.keys.Open):
			if m.cursor < len(m.rows) && m.rows[m.cursor].open != nil {
				m.common.Emit(*m.rows[m.cursor].open)
			}
		case key.Matches(msg, m.keys.Refresh):
			return m.Open()
		}
	}
	return nil
}

// move moves the cursor by d rows that open, and scrolls it into sight.
func (m *Model) move(d int) {
	for i := m.cursor + d; i >= 0 && i < len(m.rows); i += d {
		if m.rows[i].open != nil {
			m.cursor = i
			break
		}
	}
	room := max(m.common.Height, 1)
	m.offset = min(max(m.offset, m.cursor-room+1), m.cursor)
}

// build lays the rows out from the data.
func (m *Model) build() {
	inv := m.src.Inventory
	if inv == nil {
		inv = &vsphere.Inventory{}
	}
	var rows []row
	heading := func(s string) { rows = append(rows, row{text: s}) }
	item := func(text string, o OpenMsg) { rows = append(rows, row{text: "  " + text, open: &o}) }

	heading(fmt.Sprintf("VMs (%d)", len(inv.VMs)))
	for _, s := range counts(inv.VMs, func(v vsphere.VM) string { return v.PowerState }, "poweredOn", "poweredOff", "suspended") {
		item(fmt.Sprintf("%-14s %6d", s.name, s.n), OpenMsg{Kind: "vms", Filter: s.name, Label: s.name})
	}
	heading(fmt.Sprintf("Hosts (%d)", len(inv.Hosts)))
	for _, s := range counts(inv.Hosts, func(h vsphere.Host) string { return h.ConnectionState }, "connected", "disconnected", "notResponding") {
		item(fmt.Sprintf("%-14s %6d", s.name, s.n), OpenMsg{Kind: "hosts", Filter: s.name, Label: s.name})
	}
	heading(fmt.Sprintf("Alarms (%d)", len(m.src.Alarms)))
	for _, s := range counts(m.src.Alarms, func(a vsphere.Alarm) string { return a.Status }, vsphere.AlarmRed, vsphere.AlarmYellow) {
		item(fmt.Sprintf("%-14s %6d", s.name, s.n), OpenMsg{Kind: "alarms", Filter: s.name, Label: s.name})
	}
	heading("Clusters: CPU and memory used, HA")
	width := 0
	for _, cl := range inv.Clusters {
		width = max(width, len(cl.Name))
	}
	for _, cl := range inv.Clusters {
		v := "HA verdict: reading…"
		if s, ok := m.verdicts[cl.Ref]; ok {
			v = s
		}
		item(fmt.Sprintf("%-*s  CPU %s  MEM %s  %s", width, cl.Name, bar(cl.CPUUsageMHz, cl.CPUMHz), bar(cl.MemoryUsageMB, cl.MemoryMB), v),
			OpenMsg{Kind: "hosts", Scope: vsphere.Filter{Cluster: cl.Name}, Label: cl.Name})
	}
	var running []vsphere.Task
	for _, t := range m.src.Tasks {
		if !t.Done() {
			running = append(running, t)
		}
	}
	heading(fmt.Sprintf("Running tasks (%d)", len(running)))
	for _, t := range running {
		item(fmt.Sprintf("%-20s %-20s %3d%%  %s", t.Name, format.Dash(t.Target), t.Progress, format.Dash(t.User)), OpenMsg{Kind: "tasks"})
	}
	if len(running) == 0 {
		item("none", OpenMsg{Kind: "tasks"})
	}
	heading("Latest events")
	for _, e := range m.src.Events[:min(latestEvents, len(m.src.Events))] {
		// An extension's event may come without a message (vcsim's do):
		// its type and object say what happened.
		item(fmt.Sprintf("%s  %s", e.Time.Local().Format("15:04:05"), cmp.Or(e.Message, strings.TrimSpace(e.Type+" "+e.Object))), OpenMsg{Kind: "events"})
	}
	if len(m.src.Events) == 0 {
		item("none", OpenMsg{Kind: "events"})
	}
	m.rows = rows
	if m.cursor >= len(rows) || rows[m.cursor].open == nil {
		m.cursor = 0
		m.move(1)
	}
}

// count is how many rows have one state.
type count struct {
	name string
	n    int
}

// counts counts rows by state, the states named first in their order,
// then any others in the order met.
func counts[T any](rows []T, state func(T) string, first ...string) []count {
	n := map[string]int{}
	order := append([]string{}, first...)
	for _, r := range rows {
		s := cmp.Or(state(r), "unknown")
		if n[s] == 0 && !slices.Contains(order, s) {
			order = append(order, s)
		}
		n[s]++
	}
	out := make([]count, len(order))
	for i, s := range order {
		out[i] = count{s, n[s]}
	}
	return out
}

// barCells is a bar's width.
const barCells = 10

// bar draws used of total in barCells cells with the percentage:
// "[####      ]  40%"; "[?         ]" when total is unknown.
func bar(used, total int64) string {
	if total <= 0 {
		return "[?" + strings.Repeat(" ", barCells-1) + "]    "
	}
	n := int(min(max(used*barCells/total, 0), barCells))
	return fmt.Sprintf("[%s%s] %3d%%", strings.Repeat("#", n), strings.Repeat(" ", barCells-n), used*100/total)
}

// View renders the rows that fit, each cut to the width, the cursor's
// reversed.
func (m *Model) View() string {
	room := max(m.common.Height, 1)
	cut := lipgloss.NewStyle().MaxWidth(max(m.common.Width, 1))
	var lines []string
	for i := m.offset; i < len(m.rows) && len(lines) < room; i++ {
		r := m.rows[i]
		text := cut.Render(r.text)
		switch {
		case r.open == nil:
			text = m.common.Styles.Title.Render(text)
		case i == m.cursor:
			text = m.common.Styles.Table.Selected.Render(text)
		case m.stale:
			text = m.common.Styles.Table.Stale.Render(text)
		}
		lines = append(lines, text)
	}
	for len(lines) < room {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Up, m.keys.Open, m.keys.Refresh}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
