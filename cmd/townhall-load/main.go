// Command townhall-load drives a running Townhall over HTTP with a realistic
// mix of traffic — mostly page reads, some API reads, a few writes including
// votes and likes — at a chosen concurrency for a chosen time, then prints
// throughput and p50/p95/p99 latency per route, anonymous and signed-in
// apart, and the anonymous page cache's hit rate over the run.
//
// It discovers every thread, idea and product through the site's paged JSON
// listings and reads them with a Zipf-like popularity, deep pages of long
// threads included; signs its virtual users in through the dev login (start
// the server with --dev-login); and only targets loopback addresses.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// options are the harness settings.
type options struct {
	base *url.URL
	// nodes are more app nodes of the same site (one MongoDB behind them):
	// discovery and sign-in go through base, and the clients spread over
	// base and nodes, client i on node i mod their number.
	nodes       []*url.URL
	concurrency int
	duration    time.Duration
	users       int
	writes      float64 // share of requests that write
	apiReads    float64 // share of requests that read the JSON API
	seed        int64
	maxRequests int
	only        *regexp.Regexp // when set, only routes whose name matches run
	// discoverPages caps the pages read of each listing (a category's
	// threads, the ideas, the products) while discovering content.
	discoverPages int
	zipf          float64 // the popularity exponent: item k is read in proportion to 1/k^zipf
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("townhall-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rawURL := fs.String("url", "http://127.0.0.1:8080", "base URL of a running Townhall (loopback only); several, comma-separated, for app nodes of one site, which the clients share out")
	o := options{}
	fs.IntVar(&o.concurrency, "concurrency", 64, "concurrent clients")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long to run")
	fs.IntVar(&o.users, "users", 200, "distinct signed-in users the clients act as")
	fs.Float64Var(&o.writes, "writes", 0.05, "share of requests that write (votes, likes, replies, comments)")
	fs.Float64Var(&o.apiReads, "api-reads", 0.15, "share of requests that read the JSON API")
	fs.Int64Var(&o.seed, "seed", 1, "random seed for the request mix")
	fs.IntVar(&o.maxRequests, "max-requests", 5_000_000, "stop after this many requests even if time remains")
	fs.IntVar(&o.discoverPages, "discover-pages", 5000, "read at most this many pages of each listing (30 threads or 20 ideas a page) to find content")
	fs.Float64Var(&o.zipf, "zipf", 1, "popularity exponent: the k-th most popular thread, idea or product is read in proportion to 1/k^zipf (0 reads all alike)")
	only := fs.String("routes", "", `run only routes whose name matches this regular expression, e.g. "vote" or "^page"`)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var bases []*url.URL
	for raw := range strings.SplitSeq(*rawURL, ",") {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			fmt.Fprintf(stderr, "townhall-load: --url %q is not an http(s) URL\n", raw)
			return 2
		}
		if !loopbackHost(u.Hostname()) {
			fmt.Fprintf(stderr, "townhall-load: --url must point at this machine (127.0.0.1, ::1 or localhost), not %q\n", u.Hostname())
			return 2
		}
		bases = append(bases, u)
	}
	if o.concurrency < 1 || o.users < 1 || o.duration <= 0 || o.writes < 0 || o.apiReads < 0 || o.writes+o.apiReads > 1 ||
		o.discoverPages < 1 || o.zipf < 0 || o.zipf > 10 {
		fmt.Fprintln(stderr, "townhall-load: --concurrency, --users and --discover-pages must be ≥ 1, --duration > 0, --writes + --api-reads ≤ 1, and --zipf between 0 and 10")
		return 2
	}
	o.base, o.nodes = bases[0], bases[1:]
	if *only != "" {
		var err error
		if o.only, err = regexp.Compile(*only); err != nil {
			fmt.Fprintf(stderr, "townhall-load: --routes: %v\n", err)
			return 2
		}
	}
	res, err := load(ctx, o, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "townhall-load: %v\n", err)
		return 1
	}
	res.print(stdout)
	if res.total == 0 {
		return 1
	}
	return 0
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
