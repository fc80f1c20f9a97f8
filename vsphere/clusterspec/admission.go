package clusterspec

import (
	"fmt"
	"strconv"
	"strings"
)

// AdmissionMode is how HA admission control reserves failover capacity.
type AdmissionMode string

// The admission control modes.
const (
	// AdmissionDisabled reserves nothing: power-ons are never refused,
	// and restarts after a failure may not fit.
	AdmissionDisabled AdmissionMode = "disabled"
	// AdmissionFailures reserves enough capacity for N host failures,
	// as a percentage of the cluster's resources computed from N (the
	// vSphere Client's "cluster resource percentage", its default).
	AdmissionFailures AdmissionMode = "failures"
	// AdmissionSlots reserves N host failures' worth of slots (the slot
	// policy).
	AdmissionSlots AdmissionMode = "slots"
	// AdmissionPercent reserves fixed percentages of the cluster's CPU
	// and memory.
	AdmissionPercent AdmissionMode = "percent"
	// AdmissionHosts keeps dedicated failover hosts empty for restarts.
	AdmissionHosts AdmissionMode = "hosts"
)

// AdmissionControl is the HA admission control policy. In text it reads
// disabled, failures:N, slots:N, percent:CPU,MEM or hosts:H1,H2.
type AdmissionControl struct {
	Mode AdmissionMode
	// Failures is the number of host failures to tolerate, for failures
	// and slots.
	Failures int
	// CPUPercent and MemoryPercent are reserved, for percent.
	CPUPercent, MemoryPercent int
	// Hosts are the dedicated failover hosts, for hosts.
	Hosts []string
}

// Enabled reports whether admission control reserves anything.
func (a AdmissionControl) Enabled() bool { return a.Mode != AdmissionDisabled && a.Mode != "" }

// String is the text form: "failures:1", "percent:25,30", "hosts:a,b".
func (a AdmissionControl) String() string {
	switch a.Mode {
	case AdmissionFailures, AdmissionSlots:
		return fmt.Sprintf("%s:%d", a.Mode, a.Failures)
	case AdmissionPercent:
		return fmt.Sprintf("percent:%d,%d", a.CPUPercent, a.MemoryPercent)
	case AdmissionHosts:
		return "hosts:" + strings.Join(a.Hosts, ",")
	}
	return string(a.Mode)
}

// MarshalText writes the text form.
func (a AdmissionControl) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads the text form.
func (a *AdmissionControl) UnmarshalText(b []byte) error {
	v, err := ParseAdmissionControl(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// admissionForms is what ParseAdmissionControl accepts, for messages.
const admissionForms = "disabled, failures:N, slots:N, percent:CPU,MEM or hosts:H1,H2"

// ParseAdmissionControl parses disabled, failures:N (N host failures, by
// cluster resource percentage), slots:N (N host failures, by slots),
// percent:CPU,MEM (percentages reserved) or hosts:H1,H2 (dedicated
// failover hosts). Ranges against the cluster are Validate's to check.
func ParseAdmissionControl(s string) (AdmissionControl, error) {
	mode, arg, _ := strings.Cut(strings.TrimSpace(s), ":")
	bad := func(why string) (AdmissionControl, error) {
		return AdmissionControl{}, fmt.Errorf("invalid admission control %q: %s; want %s", s, why, admissionForms)
	}
	switch AdmissionMode(mode) {
	case AdmissionDisabled:
		if arg != "" {
			return bad("disabled takes no value")
		}
		return AdmissionControl{Mode: AdmissionDisabled}, nil
	case AdmissionFailures, AdmissionSlots:
		n, err := strconv.Atoi(arg)
		if err != nil {
			return bad(mode + " needs a number of host failures, e.g. " + mode + ":1")
		}
		return AdmissionControl{Mode: AdmissionMode(mode), Failures: n}, nil
	case AdmissionPercent:
		cpu, mem, ok := strings.Cut(arg, ",")
		c, err1 := strconv.Atoi(strings.TrimSpace(cpu))
		m, err2 := strconv.Atoi(strings.TrimSpace(mem))
		if !ok || err1 != nil || err2 != nil {
			return bad("percent needs a CPU and a memory percentage, e.g. percent:25,25")
		}
		return AdmissionControl{Mode: AdmissionPercent, CPUPercent: c, MemoryPercent: m}, nil
	case AdmissionHosts:
		var hosts []string
		for _, h := range strings.Split(arg, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hosts = append(hosts, h)
			}
		}
		if len(hosts) == 0 {
			return bad("hosts needs at least one host, e.g. hosts:esx-a-04.lab.local")
		}
		return AdmissionControl{Mode: AdmissionHosts, Hosts: hosts}, nil
	}
	return bad("unknown policy " + strconv.Quote(mode))
}
