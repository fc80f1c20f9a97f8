// Package history reads the JSON reports of past drills (those kept
// beside their journals in the state directory, or a directory of CI
// artifacts) and summarizes them per plan, cluster and vCenter: runs,
// pass rate, RTO statistics, the last failure and the RTO's trend. The
// CLI's `vtui drill history` and the terminal UI's drill view show it.
//
// Reports are read tolerantly: fields a report has that this vtui does
// not know are ignored, and a file that is not a drill report (not JSON,
// another tool's JSON, too large) is skipped and named, not fatal.
package history

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/vtui/vtui/ha/drill"
	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/internal/readlimit"
	"github.com/vtui/vtui/vsphere"
)

// Bounds of a search: how many levels of directories below the one named
// it looks in (DIR/a/b/c/x.json is read, DIR/a/b/c/d/x.json is not), and
// how many *.json files it reads at most, each at most readlimit.Report
// bytes.
const (
	MaxDepth = 3
	MaxFiles = 10000
)

// History is what Load found.
type History struct {
	// Dir is the directory searched.
	Dir string `json:"dir" yaml:"dir"`
	// Plans has a summary per plan, cluster and vCenter, sorted by them.
	Plans []Summary `json:"plans" yaml:"plans"`
	// Skipped names each file that was not read as a report, and why.
	Skipped []Skipped `json:"skipped" yaml:"skipped"`
}

// Skipped is a file Load did not count, and why.
type Skipped struct {
	Path   string `json:"path" yaml:"path"`
	Reason string `json:"reason" yaml:"reason"`
}

// Summary is the history of one plan on one cluster of one vCenter.
type Summary struct {
	Plan    string           `json:"plan" yaml:"plan"`
	Cluster string           `json:"cluster" yaml:"cluster"`
	VCenter vsphere.Identity `json:"vcenter" yaml:"vcenter"`
	// Runs counts the reports; Passed those whose result is pass, and
	// PassRate is their share (0 to 1).
	Runs     int     `json:"runs" yaml:"runs"`
	Passed   int     `json:"passed" yaml:"passed"`
	PassRate float64 `json:"pass_rate" yaml:"pass_rate"`
	// RTO is over the runs whose RTO was measured and bounded: not those
	// that could not run, were interrupted, or lost a protected VM.
	RTO Stats `json:"rto_seconds" yaml:"rto_seconds"`
	// LastFailure is the newest run that did not pass, if any.
	LastFailure *Run `json:"last_failure,omitempty" yaml:"last_failure,omitempty"`
	// Trend is every run, oldest first.
	Trend []Run `json:"trend" yaml:"trend"`
}

// Run is one drill as history keeps it.
type Run struct {
	Started time.Time    `json:"started" yaml:"started"`
	Result  drill.Result `json:"result" yaml:"result"`
	// RTOSeconds is nil when the RTO was not measured, or unbounded (a
	// protected VM was lost: see Lost).
	RTOSeconds *float64 `json:"rto_seconds" yaml:"rto_seconds"`
	// Lost and Late count the protected VMs that never ran again, and
	// those that did after expect.rto.
	Lost    int      `json:"lost" yaml:"lost"`
	Late    int      `json:"late" yaml:"late"`
	Seconds float64  `json:"wall_seconds" yaml:"wall_seconds"`
	Reasons []string `json:"reasons" yaml:"reasons"`
	// Report is the file it was read from.
	Report string `json:"report" yaml:"report"`
}

// Reason says why the run did not pass: its reasons, or its result.
func (r Run) Reason() string {
	if len(r.Reasons) == 0 {
		return string(r.Result)
	}
	return strings.Join(r.Reasons, "; ")
}

// RTOs returns the measured RTOs of the trend, oldest first.
func (s Summary) RTOs() []float64 {
	var out []float64
	for _, r := range s.Trend {
		if r.RTOSeconds != nil {
			out = append(out, *r.RTOSeconds)
		}
	}
	return out
}

// Describe says the summary in one line for people: "20 runs, 95%
// passed; RTO median 12.1s, p95 15.0s, max 16.0s".
func (s Summary) Describe() string {
	out := fmt.Sprintf("%s, %s passed", format.Count(s.Runs, "run"), format.Percent(int64(s.Passed), int64(s.Runs)))
	if s.RTO.Count == 0 {
		return out + "; no RTO measured"
	}
	out += fmt.Sprintf("; RTO median %.1fs, p95 %.1fs, max %.1fs", s.RTO.Median, s.RTO.P95, s.RTO.Max)
	if s.RTO.Count < s.Runs {
		out += fmt.Sprintf(" (of %d measured)", s.RTO.Count)
	}
	return out
}

// Load searches dir, and the directories below it to MaxDepth (hidden
// ones excepted), for drill reports (*.json) and summarizes them. The
// error is dir's (it does not exist, or is not a directory) or ctx's; a
// file that is not a report only goes into Skipped. A report found twice
// (the same plan, cluster, vCenter and start) counts once.
func Load(ctx context.Context, dir string) (History, error) {
	h := History{Dir: dir, Plans: []Summary{}, Skipped: []Skipped{}}
	if info, err := os.Stat(dir); err != nil {
		return h, fmt.Errorf("the drill reports' directory: %w", err)
	} else if !info.IsDir() {
		return h, fmt.Errorf("%s is not a directory: name the directory that holds the drills' JSON reports", dir)
	}
	groups := map[string]*Summary{}
	seen := map[string]string{} // a run's identity -> the file it was read from
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err != nil {
			h.Skipped = append(h.Skipped, Skipped{Path: path, Reason: err.Error()})
			return nil
		}
		if d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || strings.Count(rel, string(filepath.Separator))+1 > MaxDepth) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || filepath.Ext(path) != ".json" {
			return nil
		}
		if files++; files > MaxFiles {
			h.Skipped = append(h.Skipped, Skipped{Path: dir, Reason: fmt.Sprintf("more than %d JSON files: read the first %d; name a directory that holds fewer", MaxFiles, MaxFiles)})
			return filepath.SkipAll
		}
		rep, err := read(ctx, path)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			h.Skipped = append(h.Skipped, Skipped{Path: path, Reason: err.Error()})
			return nil
		}
		g, id := key(rep), runID(rep)
		if first, ok := seen[id]; ok {
			h.Skipped = append(h.Skipped, Skipped{Path: path, Reason: "the same drill as " + first})
			return nil
		}
		seen[id] = path
		s := groups[g]
		if s == nil {
			s = &Summary{Plan: rep.Plan.Name, Cluster: cluster(rep)}
			if rep.VCenter != nil {
				s.VCenter = *rep.VCenter
			}
			groups[g] = s
		}
		s.Trend = append(s.Trend, newRun(rep, path))
		return nil
	})
	if err != nil {
		return h, err
	}
	for _, s := range groups {
		h.Plans = append(h.Plans, s.summarize())
	}
	slices.SortFunc(h.Plans, func(a, b Summary) int {
		return cmp.Or(cmp.Compare(a.Plan, b.Plan), cmp.Compare(a.Cluster, b.Cluster), cmp.Compare(a.VCenter.URL, b.VCenter.URL),
			cmp.Compare(a.VCenter.InstanceUUID, b.VCenter.InstanceUUID))
	})
	return h, nil
}

// read reads one report, or says why path is not one.
func read(ctx context.Context, path string) (*drill.Report, error) {
	data, err := readlimit.File(ctx, path, readlimit.Report)
	var tooLarge *readlimit.TooLargeError
	switch {
	case errors.As(err, &tooLarge):
		return nil, fmt.Errorf("larger than a drill report may be (%s)", format.Bytes(tooLarge.Limit))
	case err != nil:
		return nil, err
	}
	var rep report
	var typeErr *json.UnmarshalTypeError
	err = json.Unmarshal(data, &rep)
	switch {
	case errors.As(err, &typeErr):
		return nil, fmt.Errorf("not a drill report: its %s is a JSON %s", typeErr.Field, typeErr.Value)
	case err != nil:
		return nil, fmt.Errorf("not a drill report: %w", err)
	}
	if rep.Plan.Name == "" || rep.Result == "" || rep.Started.IsZero() {
		return nil, errors.New("not a drill report: it has no plan.name, result or started")
	}
	return rep.report(), nil
}

// report is the part of a drill's JSON report (drill.Report) that
// history reads. It is decoded into types that check nothing, so that a
// report of another vtui version, whose plan has a scenario or method
// this one does not know, or whose VMs have fields it does not know,
// still counts.
type report struct {
	Plan struct {
		Name    string `json:"name"`
		Cluster string `json:"cluster"`
		Expect  struct {
			RTO drill.Duration `json:"rto"`
		} `json:"expect"`
	} `json:"plan"`
	Cluster    string            `json:"cluster"`
	VCenter    *vsphere.Identity `json:"vcenter"`
	Result     string            `json:"result"`
	Reasons    []string          `json:"reasons"`
	Started    time.Time         `json:"started"`
	Ended      time.Time         `json:"ended"`
	Seconds    float64           `json:"wall_seconds"`
	RTOSeconds *float64          `json:"rto_seconds"`
	RTOMet     bool              `json:"rto_met"`
	Lost       int               `json:"lost"`
	VMs        []struct {
		Name            string  `json:"name"`
		Protected       bool    `json:"protected"`
		Recovered       bool    `json:"recovered"`
		RecoverySeconds float64 `json:"recovery_seconds"`
	} `json:"vms"`
}

// report returns r as a drill.Report with only the fields history
// reads, for drill.Report's own arithmetic (Late, MeasuredRTO).
func (r *report) report() *drill.Report {
	rep := &drill.Report{Cluster: r.Cluster, VCenter: r.VCenter, Result: drill.Result(r.Result), Reasons: r.Reasons,
		Started: r.Started, Ended: r.Ended, Seconds: r.Seconds, RTOSeconds: r.RTOSeconds, RTOMet: r.RTOMet, Lost: r.Lost}
	rep.Plan.Name, rep.Plan.Cluster, rep.Plan.Expect.RTO = r.Plan.Name, r.Plan.Cluster, r.Plan.Expect.RTO
	for _, v := range r.VMs {
		rep.VMs = append(rep.VMs, drill.VMResult{Name: v.Name, Protected: v.Protected, Recovered: v.Recovered, RecoverySeconds: v.RecoverySeconds})
	}
	return rep
}

// cluster is the cluster a report ran on: the plan's, in a report of a
// drill that could not run far enough to find it.
func cluster(rep *drill.Report) string { return cmp.Or(rep.Cluster, rep.Plan.Cluster) }

// key is the group of a report: its plan, cluster and vCenter (by
// instance UUID when the report has one).
func key(rep *drill.Report) string {
	vc := ""
	if rep.VCenter != nil {
		vc = cmp.Or(rep.VCenter.InstanceUUID, rep.VCenter.URL)
	}
	return strings.Join([]string{rep.Plan.Name, cluster(rep), vc}, "\x00")
}

// runID tells one drill from another: its group and when it started.
func runID(rep *drill.Report) string {
	return key(rep) + "\x00" + rep.Started.UTC().Format(time.RFC3339Nano)
}

func newRun(rep *drill.Report, path string) Run {
	r := Run{Started: rep.Started, Result: rep.Result, Lost: rep.Lost, Late: rep.Late(), Seconds: rep.Seconds,
		Reasons: rep.Reasons, Report: path}
	if rto := rep.MeasuredRTO(); !math.IsNaN(rto) && !math.IsInf(rto, 0) {
		r.RTOSeconds = &rto
	}
	if r.Reasons == nil {
		r.Reasons = []string{}
	}
	return r
}

// summarize computes s's figures from its trend, which it sorts.
func (s Summary) summarize() Summary {
	slices.SortStableFunc(s.Trend, func(a, b Run) int { return a.Started.Compare(b.Started) })
	s.Runs = len(s.Trend)
	for i, r := range s.Trend {
		if r.Result.Passed() {
			s.Passed++
		} else {
			s.LastFailure = &s.Trend[i]
		}
	}
	s.PassRate = float64(s.Passed) / float64(s.Runs)
	s.RTO = Summarize(s.RTOs())
	return s
}

// For returns the summaries of drills on cluster of the vCenter vc.
func (h History) For(cluster string, vc vsphere.Identity) []Summary {
	var out []Summary
	for _, s := range h.Plans {
		if s.Cluster == cluster && s.VCenter.Same(vc) {
			out = append(out, s)
		}
	}
	return out
}
