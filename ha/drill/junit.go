package drill

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vtui/vtui/vsphere/gate"
)

// The JUnit XML a drill writes, in the shape CI systems read: one suite,
// a test case for each preflight check, each protected VM, each
// expectation and the rollback.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Class   string        `xml:"classname,attr"`
	Name    string        `xml:"name,attr"`
	Time    string        `xml:"time,attr"`
	Failure *junitProblem `xml:"failure,omitempty"`
	Error   *junitProblem `xml:"error,omitempty"`
	Skipped *junitProblem `xml:"skipped,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }

// WriteJUnit writes the report as JUnit XML.
func (r *Report) WriteJUnit(w io.Writer) error {
	s := junitSuite{
		Name:      fmt.Sprintf("drill %s on %s", r.Plan.Name, r.Plan.Cluster),
		Time:      seconds(r.Seconds),
		Timestamp: r.Started.UTC().Format(time.RFC3339),
		Properties: []junitProperty{
			{"result", string(r.Result)}, {"ha", string(r.HA)}, {"targets", strings.Join(r.Targets, ",")},
			{"rto_seconds", seconds(r.RTOSeconds)}, {"rto_met", fmt.Sprint(r.RTOMet)}, {"expect_rto", r.Plan.Expect.RTO.String()},
			{"lost", fmt.Sprint(r.Lost)}, {"duplicated", fmt.Sprint(r.Duplicated)},
		},
	}
	for _, c := range r.Preflight {
		tc := junitCase{Class: "preflight", Name: c.Name, Time: seconds(0)}
		if c.Status == gate.CheckFail {
			tc.Failure = &junitProblem{Message: c.Reason, Text: c.String()}
		}
		s.Cases = append(s.Cases, tc)
	}
	for _, v := range r.VMs {
		if !v.Protected {
			continue
		}
		tc := junitCase{Class: "recovery", Name: v.Name, Time: seconds(v.RecoverySeconds)}
		switch {
		case !v.Recovered:
			tc.Failure = &junitProblem{Message: "not running again on a surviving host", Text: vmLine(v)}
		case v.RecoverySeconds > r.Plan.Expect.RTO.D().Seconds():
			tc.Failure = &junitProblem{Message: fmt.Sprintf("recovered in %.1fs, beyond the RTO of %s", v.RecoverySeconds, r.Plan.Expect.RTO), Text: vmLine(v)}
		case v.PowerOns > 1:
			tc.Failure = &junitProblem{Message: fmt.Sprintf("powered on %d times", v.PowerOns), Text: vmLine(v)}
		case v.Outcome != v.Expected:
			tc.Failure = &junitProblem{Message: "not as the preflight predicted: " + mismatch(v), Text: vmLine(v)}
		}
		s.Cases = append(s.Cases, tc)
	}
	if r.Result == ResultError || r.Result == ResultInterrupted {
		s.Cases = append(s.Cases, junitCase{Class: "drill", Name: "run", Time: seconds(r.Seconds),
			Error: &junitProblem{Message: string(r.Result), Text: strings.Join(r.Reasons, "\n")}})
	}
	rb := junitCase{Class: "rollback", Name: "baseline restored", Time: seconds(0)}
	switch {
	case r.Rollback.Skipped != "":
		rb.Skipped = &junitProblem{Message: r.Rollback.Skipped}
	case !r.Rollback.OK:
		rb.Failure = &junitProblem{Message: "the drill's changes are not all undone", Text: strings.Join(r.Rollback.Diffs, "\n")}
	}
	s.Cases = append(s.Cases, rb)
	for _, c := range s.Cases {
		s.Tests++
		switch {
		case c.Failure != nil:
			s.Failures++
		case c.Error != nil:
			s.Errors++
		case c.Skipped != nil:
			s.Skipped++
		}
	}
	out := junitSuites{Name: "vtui drill", Tests: s.Tests, Failures: s.Failures, Errors: s.Errors, Time: s.Time, Suites: []junitSuite{s}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// vmLine describes a VM's outcome in one line.
func vmLine(v VMResult) string {
	s := fmt.Sprintf("%s: from %s to %s, recovered %t after %.1fs, powered on %d times", v.Name, v.FromHost, v.ToHost, v.Recovered, v.RecoverySeconds, v.PowerOns)
	if v.Note != "" {
		s += "; " + v.Note
	}
	return s
}
