package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// result is the merged measurements of a run.
type result struct {
	elapsed time.Duration
	total   int
	routes  []routeResult
}

type routeResult struct {
	name          string
	n             int
	errors        map[int]int
	p50, p95, p99 time.Duration
	max           time.Duration
}

func collect(ws []*worker, elapsed time.Duration) *result {
	lat := map[string][]time.Duration{}
	errs := map[string]map[int]int{}
	for _, w := range ws {
		for k, v := range w.lat {
			lat[k] = append(lat[k], v...)
		}
		for k, m := range w.errs {
			if errs[k] == nil {
				errs[k] = map[int]int{}
			}
			for s, n := range m {
				errs[k][s] += n
			}
		}
	}
	r := &result{elapsed: elapsed}
	var all []time.Duration
	for name, ds := range lat {
		slices.Sort(ds)
		all = append(all, ds...)
		r.total += len(ds)
		r.routes = append(r.routes, routeResult{name, len(ds), errs[name], pct(ds, 50), pct(ds, 95), pct(ds, 99), ds[len(ds)-1]})
	}
	sort.Slice(r.routes, func(i, j int) bool { return r.routes[i].n > r.routes[j].n })
	slices.Sort(all)
	if len(all) > 0 {
		r.routes = append(r.routes, routeResult{"ALL", len(all), sumErrs(errs), pct(all, 50), pct(all, 95), pct(all, 99), all[len(all)-1]})
	}
	return r
}

func sumErrs(errs map[string]map[int]int) map[int]int {
	out := map[int]int{}
	for _, m := range errs {
		for s, n := range m {
			out[s] += n
		}
	}
	return out
}

// pct is the p-th percentile of sorted durations (nearest rank).
func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[max(0, min(len(sorted)-1, i-1))]
}

func (r *result) print(w io.Writer) {
	secs := r.elapsed.Seconds()
	fmt.Fprintf(w, "\n%d requests in %.1fs: %.0f req/s\n\n", r.total, secs, float64(r.total)/secs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "route\treq\treq/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\terrors\t")
	pages := 0
	for _, rr := range r.routes {
		if strings.HasPrefix(rr.name, "page ") {
			pages += rr.n
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%s\t\n", rr.name, rr.n, float64(rr.n)/secs,
			ms(rr.p50), ms(rr.p95), ms(rr.p99), ms(rr.max), fmtErrs(rr.errors))
	}
	tw.Flush()
	fmt.Fprintf(w, "\npage renders: %.0f/s\n", float64(pages)/secs)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func fmtErrs(m map[int]int) string {
	if len(m) == 0 {
		return "0"
	}
	var parts []string
	for s, n := range m {
		label := fmt.Sprint(s)
		if s == 0 {
			label = "net"
		}
		parts = append(parts, fmt.Sprintf("%d×%s", n, label))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}
