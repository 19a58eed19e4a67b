package search_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/search"
	"github.com/townhall/townhall/seed"
)

// corpus serves seed.SearchCorpus documents as a search.Source: the index
// is built with search.Rebuild, the same path `townhall reindex` takes. Its
// change feed carries only the writes of the searchable-after-write
// benchmark, with sequence numbers from the clock so that they stay above
// the checkpoint an index reused from an earlier run holds.
type corpus struct {
	seed.SearchCorpus
	n int

	mu      sync.Mutex
	extra   map[string]*townhall.SearchDoc // by id
	changes []townhall.Change
}

// write stores d (visible or not) and appends it to the feed.
func (c *corpus) write(d townhall.SearchDoc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.extra == nil {
		c.extra = map[string]*townhall.SearchDoc{}
	}
	c.extra[d.ID] = &d
	c.changes = append(c.changes, townhall.Change{Seq: time.Now().UnixNano(), Kind: d.Kind, ID: d.ID})
}

func (c *corpus) Changes(_ context.Context, after int64, limit int) ([]townhall.Change, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []townhall.Change
	for _, ch := range c.changes {
		if ch.Seq > after && len(out) < limit {
			out = append(out, ch)
		}
	}
	return out, nil
}

func (c *corpus) LastChange(context.Context) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.changes) == 0 {
		return 0, nil
	}
	return c.changes[len(c.changes)-1].Seq, nil
}

func (c *corpus) SearchKinds() []string { return search.Kinds }

func (c *corpus) SearchDocument(_ context.Context, kind, id string) (*townhall.SearchDoc, error) {
	c.mu.Lock()
	d, ok := c.extra[id]
	c.mu.Unlock()
	if ok {
		cp := *d
		return &cp, nil
	}
	i, err := strconv.Atoi(id)
	if err != nil || i < 0 || i >= c.n || c.Kind(i) != kind {
		return &townhall.SearchDoc{Kind: kind, ID: id}, nil
	}
	return c.Doc(i), nil
}

func (c *corpus) SearchIDs(_ context.Context, kind, after string, limit int) ([]string, error) {
	start := 0
	if after != "" {
		i, err := strconv.Atoi(after)
		if err != nil {
			return nil, err
		}
		start = i + 1
	}
	var ids []string
	for i := start; i < c.n && len(ids) < limit; i++ {
		if c.Kind(i) == kind {
			ids = append(ids, c.ID(i))
		}
	}
	return ids, nil
}

// benchIndex opens the index of the first n corpus documents, building it
// first unless TOWNHALL_BENCH_INDEX holds a complete one with this
// binary's mapping (at 1M documents the build takes many minutes).
func benchIndex(b *testing.B, src *corpus) *search.Index {
	dir := b.TempDir()
	if d := os.Getenv("TOWNHALL_BENCH_INDEX"); d != "" {
		dir = filepath.Join(d, fmt.Sprintf("mix-%d", src.n))
	}
	x, err := search.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	if n, err := x.DocCount(); err == nil && n == uint64(src.n) && !x.Outdated() {
		return x
	}
	x.Close()
	start := time.Now()
	last := start
	_, err = search.Rebuild(context.Background(), dir, src, func(done, total int) {
		if time.Since(last) > 30*time.Second {
			last = time.Now()
			fmt.Fprintf(os.Stderr, "search bench: indexed %d of %d documents in %v\n", done, total, time.Since(start).Round(time.Second))
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		b.Logf("indexed %d documents in %v (%.0f docs/s)", src.n, d.Round(time.Second), float64(src.n)/d.Seconds())
	}
	if x, err = search.Open(dir); err != nil {
		b.Fatal(err)
	}
	return x
}

// BenchmarkSearchMix measures what the search page and API execute over
// the generated corpus of seed.SearchCorpus: TOWNHALL_BENCH_DOCS documents
// (default 2,000 so CI stays fast; the target is measured at 1,000,000),
// kept in TOWNHALL_BENCH_INDEX between runs. Each query type reports its
// latency percentiles (p50-ms, p95-ms), the CPU time per query (all of
// the process's, so garbage collection included) and its number of hits;
// run enough iterations for a p95 to mean something (-benchtime 100x).
func BenchmarkSearchMix(b *testing.B) {
	n := 2000
	if v := os.Getenv("TOWNHALL_BENCH_DOCS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("TOWNHALL_BENCH_DOCS=%q is not a positive number", v)
		}
	}
	src := &corpus{SearchCorpus: seed.SearchCorpus{Seed: 1}, n: n}
	x := benchIndex(b, src)
	defer x.Close()
	svc := search.NewService(x, src)
	svc.Timeout = time.Minute // measure, do not cut off
	// The same service without the facet cache: what the first request for
	// a search costs (the page/ cases mostly reuse cached facet counts).
	uncached := search.NewService(x, src)
	uncached.Timeout, uncached.FacetTTL = time.Minute, 0
	ctx := context.Background()

	// The page always asks for facets; the API never does.
	rare := seed.RareWord(2000)
	queries := []struct {
		name string
		q    search.Query
		svc  *search.Service
	}{
		{"api/common-term", search.Query{Text: "export"}, svc},
		{"api/rare-term", search.Query{Text: rare}, svc},
		{"api/two-words", search.Query{Text: "export dashboard"}, svc},
		{"api/phrase", search.Query{Text: `"dark mode"`}, svc},
		{"api/kind-filter", search.Query{Text: "login", Kind: townhall.KindIdea}, svc},
		{"api/page-2", search.Query{Text: "export", Page: 2}, svc},
		{"page/common-term", search.Query{Text: "export", Facets: true}, svc},
		{"page/rare-term", search.Query{Text: rare, Facets: true}, svc},
		{"page/two-words", search.Query{Text: "export dashboard", Facets: true}, svc},
		{"page/phrase", search.Query{Text: `"dark mode"`, Facets: true}, svc},
		{"page/kind-filter", search.Query{Text: "login", Kind: townhall.KindIdea, Facets: true}, svc},
		{"page/page-2", search.Query{Text: "export", Page: 2, Facets: true}, svc},
		{"page/tag-filter", search.Query{Text: "sync", Tag: "mobile", Facets: true}, svc},
		{"page-uncached/common-term", search.Query{Text: "export", Facets: true}, uncached},
		{"page-uncached/rare-term", search.Query{Text: rare, Facets: true}, uncached},
		{"page-uncached/two-words", search.Query{Text: "export dashboard", Facets: true}, uncached},
		{"page-uncached/phrase", search.Query{Text: `"dark mode"`, Facets: true}, uncached},
	}
	var all []time.Duration
	for _, bc := range queries {
		b.Run(bc.name, func(b *testing.B) {
			res, err := bc.svc.Search(ctx, bc.q) // warm up, and count hits
			if err != nil {
				b.Fatal(err)
			}
			lat := make([]time.Duration, 0, b.N)
			cpu := processCPU()
			for b.Loop() {
				t := time.Now()
				if _, err := bc.svc.Search(ctx, bc.q); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t))
			}
			b.ReportMetric(ms(processCPU()-cpu)/float64(len(lat)), "cpu-ms/op")
			if bc.svc == svc {
				all = append(all, lat...)
			}
			reportPercentiles(b, lat)
			b.ReportMetric(float64(res.Total), "hits")
		})
	}
	b.Run("similar-idea", func(b *testing.B) {
		var lat []time.Duration
		for b.Loop() {
			t := time.Now()
			if _, err := svc.Similar(ctx, townhall.KindIdea, "export the dashboard reports as csv", 5); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t))
		}
		reportPercentiles(b, lat)
	})
	b.Run("searchable-after-write", func(b *testing.B) {
		// The server's setup: an Indexer tailing the feed at its default
		// poll interval, woken by nothing. One new idea per iteration; the
		// latency is from the write to the first search that finds it.
		ix := search.NewIndexer(x, src, nil)
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { ix.Run(runCtx); close(done) }()
		var lat []time.Duration
		var written []townhall.SearchDoc
		for b.Loop() {
			word := fmt.Sprintf("zqfresh%dx", len(written))
			d := townhall.SearchDoc{Kind: townhall.KindIdea, ID: fmt.Sprintf("new-%d-%d", time.Now().UnixNano(), len(written)),
				Title: "Brand new " + word, Body: "Just written.", Visible: true, URL: "/ideas/new", Created: time.Now()}
			t := time.Now()
			src.write(d)
			written = append(written, d)
			for {
				res, err := svc.Search(ctx, search.Query{Text: word})
				if err != nil {
					b.Fatal(err)
				}
				if res.Total == 1 {
					break
				}
				if time.Since(t) > 10*time.Second {
					b.Fatalf("%s not searchable after 10 s", word)
				}
				time.Sleep(5 * time.Millisecond)
			}
			lat = append(lat, time.Since(t))
		}
		// Take them out again, so the index can be reused by the next run.
		for _, d := range written {
			d.Visible = false
			src.write(d)
		}
		for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
			if n, _ := x.DocCount(); n == uint64(src.n) {
				break
			}
			if time.Since(start) > time.Minute {
				b.Fatal("the written documents were not removed within a minute")
			}
		}
		cancel()
		<-done
		reportPercentiles(b, lat)
	})
	if len(all) > 0 {
		b.Logf("all search queries together (equal weight): %d runs, p50 %.1f ms, p95 %.1f ms",
			len(all), ms(percentile(all, 50)), ms(percentile(all, 95)))
	}
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	b.ReportMetric(ms(percentile(lat, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 95)), "p95-ms")
}

// percentile is the nearest-rank p-th percentile of lat.
func percentile(lat []time.Duration, p int) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	return s[max(0, (len(s)*p+99)/100-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
