package capacity

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vtui/vtui/internal/format"
)

// ScenarioColumns are the columns of a table of scenarios, for people:
// the hosts failed, how many VMs restarted, stayed down and were lost,
// and the memory left unreserved.
func ScenarioColumns() []format.Column[Scenario] {
	return []format.Column[Scenario]{
		{Title: "FAILED", Cell: func(s Scenario) string { return strings.Join(s.Failed, "+") }},
		{Title: "RESTARTED", Cell: func(s Scenario) string { return strconv.Itoa(len(s.Restarts)) }},
		{Title: "DOWN", Cell: func(s Scenario) string { return strconv.Itoa(len(s.Stranded)) }},
		{Title: "LOST", Cell: func(s Scenario) string { return strconv.Itoa(s.Lost) }},
		{Title: "UNRESERVED MEMORY", Cell: func(s Scenario) string { return format.MB(s.FreeMemoryMB) }},
	}
}

// WriteText renders the what-if for people: a line per scenario, the VMs
// left down, the cluster's numbers, the worst case and the Verdict last.
// A script reads the report's JSON instead.
func (r Report) WriteText(w io.Writer) error {
	if err := format.WriteTable(w, r.Scenarios, ScenarioColumns()); err != nil {
		return err
	}
	for _, s := range r.Scenarios {
		for _, v := range s.Stranded {
			fmt.Fprintf(w, "  %s down: %s (%s) is not restarted: %s\n", strings.Join(s.Failed, "+"), v.VM, v.Priority, v.Reason)
		}
	}
	fmt.Fprintf(w, "\n%s: %d hosts (%d usable), %d protected VMs; %s\n", r.Cluster, r.Hosts, r.Usable, r.Protected, r.Admission)
	if r.Worst != nil {
		fmt.Fprintf(w, "worst case: %s down, %d protected VMs not restarted, %s of memory left unreserved\n",
			strings.Join(r.Worst.Failed, "+"), r.Worst.Lost, format.MB(r.Worst.FreeMemoryMB))
	}
	_, err := fmt.Fprintln(w, r.Verdict())
	return err
}
