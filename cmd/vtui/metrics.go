package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vtui/vtui/internal/format"
	"github.com/vtui/vtui/ui/trend"
	"github.com/vtui/vtui/vsphere"
)

// metricsResult is one entity's samples, as metrics prints them; the JSON
// and YAML field names are a stable contract.
type metricsResult struct {
	Kind     string           `json:"kind" yaml:"kind"`
	ID       string           `json:"id" yaml:"id"`
	Name     string           `json:"name" yaml:"name"`
	Interval string           `json:"interval" yaml:"interval"`
	Series   []vsphere.Series `json:"series" yaml:"series"`
}

func newMetricsCmd(a *app) *cobra.Command {
	var q vsphere.MetricsQuery
	var interval string
	cmd := &cobra.Command{
		Use:   "metrics host|vm NAME... [--counter C]... [--interval realtime|day|week] [--samples N]",
		Short: "Show performance samples of hosts or VMs: CPU, memory, disk, network",
		Long: `Show the performance samples vCenter keeps for hosts or VMs
(PerformanceManager), one table per object: each counter's latest value,
its lowest, average and highest over the samples, and a small chart of
them, oldest on the left. ` + nameRules + `

Counters (--counter, repeat or separate with commas; all unless given):
  cpu.usage     CPU usage, % of the object's CPU capacity
  cpu.ready     CPU ready, % of the interval its vCPUs waited for a
                physical CPU, summed over its vCPUs (above 5% per vCPU
                is worth a look)
  mem.active    memory the guest actively used, MB
  mem.balloon   memory reclaimed by the balloon driver, MB
  disk.latency  highest disk latency, ms
  net.usage     network throughput, received plus transmitted, KB/s

Intervals (--interval): realtime (20-second samples of the last hour, the
default), day (5-minute samples) and week (30-minute samples). --samples
says how many of the newest to show (default 60, at most 336; vCenter
keeps an hour of real-time samples, 180).

-o json prints an array of {kind, id, name, interval, series: [{counter,
title, unit, samples: [{time, value}]}]}, samples oldest first.`,
		Example: `  vtui metrics vm web-01
  vtui metrics vm web-01 --counter cpu.usage --counter cpu.ready
  vtui metrics host esx-a-01.lab.local --interval day -o json
  vtui metrics vm 'db-*' --counter mem.active,mem.balloon --samples 30
  vtui --simulator metrics host esx-a-01.lab.local`,
		Args:      cobra.MinimumNArgs(2),
		ValidArgs: []string{"host", "vm"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != "host" && args[0] != "vm" {
				return usageErrorf("unknown kind %q (valid: host, vm)", args[0])
			}
			if cmd.Flags().Changed("interval") {
				iv, err := vsphere.ParseInterval(interval)
				if err != nil {
					return usageError{err}
				}
				q.Interval = iv
			}
			if cmd.Flags().Changed("samples") && q.Samples < 1 {
				return usageErrorf("--samples %d: want 1 to %d", q.Samples, vsphere.MaxSamples)
			}
			if err := q.Validate(); err != nil {
				return usageError{err}
			}
			c, err := a.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close(context.WithoutCancel(cmd.Context()))
			results, err := readMetrics(cmd.Context(), c, args[0], args[1:], q)
			if err != nil {
				return err
			}
			return writeMetrics(cmd.OutOrStdout(), a.settings.Output, results)
		},
	}
	cmd.Flags().StringSliceVar(&q.Counters, "counter", nil, "only these counters: "+strings.Join(vsphere.CounterNames(), ", ")+" (repeat or separate with commas)")
	cmd.Flags().StringVar(&interval, "interval", string(vsphere.Realtime), "realtime, day or week")
	cmd.Flags().IntVar(&q.Samples, "samples", vsphere.DefaultSamples, fmt.Sprintf("how many of the newest samples (at most %d)", vsphere.MaxSamples))
	return cmd
}

// readMetrics resolves the names of kind (host or vm) and reads their
// samples; a name that does not resolve is bad input.
func readMetrics(ctx context.Context, c *vsphere.Client, kind string, names []string, q vsphere.MetricsQuery) ([]metricsResult, error) {
	load := vsphere.Load{VMs: vsphere.Names}
	if kind == "host" {
		load = vsphere.Load{Hosts: vsphere.Names}
	}
	inv, err := c.InventoryFor(ctx, load)
	if err != nil {
		return nil, err
	}
	var results []metricsResult
	var refs []vsphere.Ref
	resolve := vsphere.NewResolver(c, inv)
	if kind == "host" {
		hosts, err := resolve.Hosts(ctx, names)
		if err != nil {
			return nil, badName(err)
		}
		for _, h := range hosts {
			refs, results = append(refs, h.Ref), append(results, metricsResult{Kind: kind, ID: h.ID, Name: h.Name})
		}
	} else {
		vms, err := resolve.VMs(ctx, names)
		if err != nil {
			return nil, badName(err)
		}
		for _, v := range vms {
			refs, results = append(refs, v.Ref), append(results, metricsResult{Kind: kind, ID: v.ID, Name: v.Name})
		}
	}
	series, err := c.Metrics(ctx, refs, q)
	if err != nil {
		return nil, err
	}
	iv := q.Interval
	if iv == "" {
		iv = vsphere.Realtime
	}
	for i := range results {
		results[i].Interval, results[i].Series = string(iv), series[i]
	}
	return results, nil
}

// metricsChartWidth is how many samples the table's chart column draws.
const metricsChartWidth = 30

// metricsColumns are the table's columns for one object's series.
var metricsColumns = []format.Column[vsphere.Series]{
	{Title: "COUNTER", Cell: func(s vsphere.Series) string { return s.Counter }},
	{Title: "UNIT", Cell: func(s vsphere.Series) string { return s.Unit }},
	{Title: "LATEST", Cell: func(s vsphere.Series) string {
		v, ok := s.Latest()
		return figure(v, ok)
	}},
	{Title: "MIN", Cell: func(s vsphere.Series) string { lo, _, _, ok := s.Range(); return figure(lo, ok) }},
	{Title: "AVG", Cell: func(s vsphere.Series) string { _, avg, _, ok := s.Range(); return figure(avg, ok) }},
	{Title: "MAX", Cell: func(s vsphere.Series) string { _, _, hi, ok := s.Range(); return figure(hi, ok) }},
	{Title: "CHART", Cell: func(s vsphere.Series) string { return trend.Sparkline(s.Values(), metricsChartWidth, 1) }},
}

// figure formats a value with two decimals, or "-" for none.
func figure(v float64, ok bool) string {
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.2f", v)
}

// writeMetrics prints results: for people a heading and a table per
// object, for scripts one JSON array or YAML list.
func writeMetrics(w io.Writer, output string, results []metricsResult) error {
	if output != outputTable && output != "" {
		return writeRows(w, output, results, nil)
	}
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s %s (%s), %s: %s\n", r.Kind, r.Name, r.ID, r.Interval, span(r.Series))
		if err := format.WriteTable(w, r.Series, metricsColumns); err != nil {
			return err
		}
	}
	return nil
}

// span says which samples a table covers: how many, from when to when.
func span(series []vsphere.Series) string {
	for _, s := range series {
		if n := len(s.Samples); n > 0 {
			return fmt.Sprintf("%s from %s to %s UTC", format.Count(n, "sample"),
				s.Samples[0].Time.UTC().Format("2006-01-02 15:04:05"), s.Samples[n-1].Time.UTC().Format("2006-01-02 15:04:05"))
		}
	}
	return "no samples"
}
