package search

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/townhall/townhall"
)

func TestFacetCacheWindowAndRemovals(t *testing.T) {
	src := newMemSource()
	for _, id := range []string{"i1", "i2", "i3"} {
		src.put(townhall.SearchDoc{Kind: townhall.KindIdea, ID: id, Title: "Webhook retries", Tags: []string{"api"}, Status: "open"})
	}
	src.put(townhall.SearchDoc{Kind: townhall.KindIdea, ID: "secret", Title: "Webhook for the unannounced product", Tags: []string{"project-x"}, Status: "planned"})
	x := openTest(t, t.TempDir())
	catchUp(t, x, src)
	svc := NewService(x, src)
	clock := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	svc.now = func() time.Time { return clock }
	search := func(q Query) *Results {
		t.Helper()
		q.Facets = true
		res, err := svc.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	hasTag := func(res *Results, tag string) bool {
		return slices.ContainsFunc(res.Tags, func(f Facet) bool { return f.Value == tag })
	}

	res := search(Query{Text: "webhook"})
	if len(res.Kinds) != 1 || res.Kinds[0] != (Facet{townhall.KindIdea, 4}) || !hasTag(res, "project-x") {
		t.Fatalf("facets %+v %+v", res.Kinds, res.Tags)
	}
	// Other pages and spellings of the same search reuse the counts.
	search(Query{Text: "webhook", Page: 2, PerPage: 2})
	search(Query{Text: "  webhook "})
	if svc.facets.computed != 1 {
		t.Fatalf("facets computed %d times for one search, want once", svc.facets.computed)
	}
	// Filters are a different search.
	if res := search(Query{Text: "webhook", Status: "planned"}); len(res.Kinds) != 1 || res.Kinds[0].Count != 1 {
		t.Fatalf("filtered facets %+v", res.Kinds)
	}

	// New content is found at once; within the window its counts may lag.
	src.put(townhall.SearchDoc{Kind: townhall.KindThread, ID: "t1", Title: "Webhook question"})
	catchUp(t, x, src)
	clock = clock.Add(DefaultFacetTTL - time.Millisecond)
	res = search(Query{Text: "webhook"})
	if res.Total != 5 || len(res.Kinds) != 1 {
		t.Fatalf("within the window: total %d (want 5, hits are never cached), kinds %+v (want the cached counts)", res.Total, res.Kinds)
	}
	// Never beyond it.
	clock = clock.Add(time.Millisecond)
	res = search(Query{Text: "webhook"})
	if len(res.Kinds) != 2 || res.Kinds[0] != (Facet{townhall.KindIdea, 4}) || res.Kinds[1] != (Facet{townhall.KindThread, 1}) {
		t.Fatalf("after the window: kinds %+v", res.Kinds)
	}

	// Removed content leaves the counts as soon as the index drops it,
	// even within the window: a hidden idea's tag must not show.
	src.setVisible(townhall.KindIdea, "secret", false, true)
	catchUp(t, x, src)
	res = search(Query{Text: "webhook"})
	if hasTag(res, "project-x") || res.Kinds[0] != (Facet{townhall.KindIdea, 3}) {
		t.Fatalf("after hiding: kinds %+v tags %+v", res.Kinds, res.Tags)
	}

	// FacetTTL 0 turns the cache off.
	svc.FacetTTL = 0
	before := svc.facets.computed
	search(Query{Text: "webhook"})
	search(Query{Text: "webhook"})
	if svc.facets.computed != before {
		t.Fatalf("a disabled cache stored facets")
	}
	if res := search(Query{Text: "webhook"}); len(res.Kinds) != 2 {
		t.Fatalf("uncached facets %+v", res.Kinds)
	}
}

func TestFacetCacheIsBounded(t *testing.T) {
	var c facetCache
	now := time.Now()
	for i := range maxFacetEntries + 10 {
		c.put(string(rune(i)), 1, now, time.Minute, facetCounts{})
	}
	if len(c.m) > maxFacetEntries {
		t.Fatalf("%d entries, want at most %d", len(c.m), maxFacetEntries)
	}
	if _, ok := c.get(string(rune(maxFacetEntries+9)), 1, now); !ok {
		t.Fatal("the newest entry is missing")
	}
	if _, ok := c.get(string(rune(maxFacetEntries+9)), 2, now); ok {
		t.Fatal("an entry survived a removal")
	}
}

// TestBroadSearchKeepsFacetsLonger: a search with BroadWord hits or more
// reuses its facet counts for broadFacetTTL, a narrower one for FacetTTL;
// a removal still empties both at once.
func TestBroadSearchKeepsFacetsLonger(t *testing.T) {
	src := newMemSource()
	for range 6 {
		src.put(townhall.SearchDoc{Kind: townhall.KindIdea, ID: townhall.NewID(), Title: "Webhook retries", Body: "rare"})
	}
	src.put(townhall.SearchDoc{Kind: townhall.KindIdea, ID: "gone", Title: "Webhook rare case"})
	x := openTest(t, t.TempDir())
	catchUp(t, x, src)
	svc := NewService(x, src)
	svc.BroadWord = 5
	clock := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	svc.now = func() time.Time { return clock }
	computed := func(text string) int {
		t.Helper()
		before := svc.facets.computed
		if _, err := svc.Search(context.Background(), Query{Text: text, Facets: true}); err != nil {
			t.Fatal(err)
		}
		return svc.facets.computed - before
	}
	for _, step := range []struct {
		after         time.Duration
		broad, narrow int // facet computations of "webhook" (7 hits) and "case" (1 hit)
	}{
		{0, 1, 1},
		{DefaultFacetTTL, 0, 1},
		{broadFacetTTL - DefaultFacetTTL - time.Millisecond, 0, 1},
		{time.Millisecond, 1, 0},
	} {
		clock = clock.Add(step.after)
		if b, n := computed("webhook"), computed("case"); b != step.broad || n != step.narrow {
			t.Fatalf("at +%v: broad computed %d, narrow %d; want %d, %d", step.after, b, n, step.broad, step.narrow)
		}
	}
	src.setVisible(townhall.KindIdea, "gone", false, true)
	catchUp(t, x, src)
	if b := computed("webhook"); b != 1 {
		t.Fatalf("after a removal the broad search's facets were reused")
	}
}

// TestFacetsOnASample: a search with more hits than FacetSample counts its
// facets on about FacetSample of them, spread over the whole index, and
// scales them to the total as rounded estimates; a narrower one counts
// every hit exactly.
func TestFacetsOnASample(t *testing.T) {
	src := newMemSource()
	// Indexed in two runs, like an import: every idea, then every thread,
	// so the first hits in index order are all ideas.
	x := openTest(t, t.TempDir())
	for i := range 300 {
		src.put(townhall.SearchDoc{Kind: townhall.KindIdea, ID: fmt.Sprintf("i%03d", i), Title: "Webhook idea", Tags: []string{"api"}, Status: "open"})
	}
	catchUp(t, x, src)
	for i := range 300 {
		src.put(townhall.SearchDoc{Kind: townhall.KindThread, ID: fmt.Sprintf("t%03d", i), Title: "Webhook thread", Tags: []string{"mobile"}})
	}
	catchUp(t, x, src)
	svc := NewService(x, src)
	svc.FacetTTL = 0
	p, err := parseQuery("webhook")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sample  int
		sampled bool
	}{{100, true}, {599, true}, {600, false}, {DefaultFacetSample, false}} {
		svc.FacetSample = tc.sample
		f, err := svc.countFacets(context.Background(), p, Query{Text: "webhook"}, 600)
		if err != nil {
			t.Fatal(err)
		}
		if f.sampled != tc.sampled || f.counted > tc.sample || (!tc.sampled && f.counted != 600) {
			t.Fatalf("sample %d: sampled %v after reading %d hits", tc.sample, f.sampled, f.counted)
		}
		if !tc.sampled {
			want := facetCounts{
				kinds:    []Facet{{townhall.KindIdea, 300}, {townhall.KindThread, 300}},
				tags:     []Facet{{"api", 300}, {"mobile", 300}},
				statuses: []Facet{{"open", 300}},
				counted:  600,
			}
			if !reflect.DeepEqual(f, want) {
				t.Fatalf("sample %d: exact counts %+v, want %+v", tc.sample, f, want)
			}
			continue
		}
		// Both runs are in the sample, in about their share.
		if len(f.kinds) != 2 {
			t.Fatalf("sample %d: kinds %+v, want both", tc.sample, f.kinds)
		}
		for _, k := range f.kinds {
			if k.Count < 200 || k.Count > 400 || k.Count%10 != 0 {
				t.Fatalf("sample %d: %s estimated at %d, want a round number near 300", tc.sample, k.Value, k.Count)
			}
		}
	}

	// The page says its counts are estimates.
	svc.FacetSample = 100
	res, err := svc.Search(context.Background(), Query{Text: "webhook", Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.FacetsSampled || res.Total != 600 || len(res.Kinds) != 2 {
		t.Fatalf("sampled search: total %d, kinds %+v, sampled %v", res.Total, res.Kinds, res.FacetsSampled)
	}
}

func TestRoughly(t *testing.T) {
	for n, want := range map[int]int{0: 0, 7: 7, 99: 99, 100: 100, 104: 100, 105: 110, 999: 1000, 123456: 120000, 2_950_000: 3_000_000} {
		if got := roughly(n); got != want {
			t.Errorf("roughly(%d) = %d, want %d", n, got, want)
		}
	}
}
