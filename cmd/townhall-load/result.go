package main

import (
	"fmt"
	"io"
	"maps"
	"net/http"
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
	target  *target      // what discovery found
	users   []*user      // the signed-in users, with what they like and vote for at the end
	cache   *cacheCounts // the page cache's counters over the run; nil without /metrics
	nodes   []nodeCount  // requests by app node, when the run spread over several
}

// nodeCount is how many requests one app node answered.
type nodeCount struct {
	url string
	n   int
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
	sort.Slice(r.routes, func(i, j int) bool {
		if r.routes[i].n != r.routes[j].n {
			return r.routes[i].n > r.routes[j].n
		}
		return r.routes[i].name < r.routes[j].name
	})
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

// summary says what discovery found and how long it took.
func (t *target) summary() string {
	s := fmt.Sprintf("discovery: %d categories, %d threads (%d with more than one page), %d ideas, %d products, %d posts and %d comments to like, %d people; %d listing pages in %.1fs",
		len(t.categories), len(t.threads), len(t.deep), len(t.ideas), len(t.products), len(t.posts), len(t.comments), len(t.people),
		t.listed, t.took.Seconds())
	if len(t.truncated) > 0 {
		s += fmt.Sprintf(" (cut short by --discover-pages: %s)", strings.Join(t.truncated, ", "))
	}
	return s
}

func (r *result) print(w io.Writer) {
	secs := r.elapsed.Seconds()
	if r.target != nil {
		fmt.Fprintf(w, "\n%s\n", r.target.summary())
	}
	fmt.Fprintf(w, "\n%d requests in %.1fs: %.0f req/s\n", r.total, secs, float64(r.total)/secs)
	if len(r.nodes) > 0 {
		parts := make([]string, len(r.nodes))
		for i, n := range r.nodes {
			parts[i] = fmt.Sprintf("%s %d (%.0f/s)", n.url, n.n, float64(n.n)/secs)
		}
		fmt.Fprintf(w, "by node: %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "route\treq\treq/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\terrors\t")
	anon, signed := 0, 0
	for _, rr := range r.routes {
		if strings.HasPrefix(rr.name, "page ") {
			if strings.HasSuffix(rr.name, " (anon)") {
				anon += rr.n
			} else {
				signed += rr.n
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%s\t\n", rr.name, rr.n, float64(rr.n)/secs,
			ms(rr.p50), ms(rr.p95), ms(rr.p99), ms(rr.max), fmtErrs(rr.errors))
	}
	tw.Flush()
	fmt.Fprintf(w, "\npage renders: %.0f/s (anon %.0f/s, signed-in %.0f/s)\n", float64(anon+signed)/secs, float64(anon)/secs, float64(signed)/secs)
	switch {
	case r.cache == nil:
		fmt.Fprintln(w, "page cache: not measured (no /metrics)")
	case r.cache.rate() < 0:
		fmt.Fprintln(w, "page cache: 0 hits, 0 misses (off, or no anonymous page reads)")
	default:
		fmt.Fprintf(w, "page cache: %.1f%% hit rate (%.0f hits, %.0f misses; anonymous pages and public API reads, from /metrics)\n",
			100*r.cache.rate(), r.cache.hits, r.cache.misses)
	}
	if r.cache != nil && r.cache.memberRate() >= 0 {
		fmt.Fprintf(w, "member pages: %.1f%% shared (%.0f hits, %.0f misses; signed-in page views served from a shared render)\n",
			100*r.cache.memberRate(), r.cache.memberHits, r.cache.memberMisses)
	}
	if toggles := r.toggles(); len(toggles) > 0 {
		var parts []string
		for _, name := range slices.Sorted(maps.Keys(toggles)) {
			parts = append(parts, fmt.Sprintf("%s %d (%.0f/s)", name, toggles[name], float64(toggles[name])/secs))
		}
		fmt.Fprintf(w, "toggles that answered 200: %s\n", strings.Join(parts, ", "))
	}
	if len(r.routes) > 0 {
		if n := r.routes[len(r.routes)-1].errors[http.StatusTooManyRequests]; n > 0 {
			fmt.Fprintf(w, "%d requests were rate limited (429): start the server with --rate-user 0 --rate-ip 0 --rate-reactions 0\n", n)
		}
	}
}

// toggles counts the successful vote and like toggles by route.
func (r *result) toggles() map[string]int {
	out := map[string]int{}
	for _, u := range r.users {
		for name, n := range u.changes {
			out[name] += n
		}
	}
	return out
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
