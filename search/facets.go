package search

import (
	"cmp"
	"context"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// DefaultFacetTTL is how long the search page reuses the facet counts of a
// search. Counting facets visits every hit's kind, tags and status, which
// at 1M documents cost several times the search itself on broad queries,
// while people page through, narrow and re-run the same searches within
// seconds. Within the window new or edited content is found at once but
// may be missing from the counts; anything removed from the index (hidden,
// deleted, merged) empties the cache at once, so counts never include it.
const DefaultFacetTTL = 10 * time.Second

// broadFacetTTL is how long the facets of a broad search (BroadWord hits or
// more) are reused instead. Their counts are in the thousands, which a
// minute of new posts barely moves, and counting them again is the most
// expensive thing the search page does: at the 100k dataset, a second of
// CPU for one broad word.
const broadFacetTTL = time.Minute

// maxFacetEntries bounds the cache; when full, expired entries go first,
// then everything (a burst of distinct queries is not worth more memory).
const maxFacetEntries = 2000

// How many values of each facet the page shows.
const (
	maxTagFacets    = 15
	maxStatusFacets = 10
)

// Prefixes of the values of the facets field (see toDocument).
const (
	facetKind   = "kind:"
	facetTag    = "tag:"
	facetStatus = "status:"
)

// DefaultFacetSample is how many hits facets are counted on. Counting
// reads every hit's facet values: at the 100k dataset a broad word has
// 230k–410k hits, whose counts took 140–230 ms on top of the search and
// were most of the search page's CPU under load. A page of results needs
// only rough proportions to offer "narrow to ideas (≈12,000)", so a search
// with more hits than this counts a sample of them spread over the index
// (see walkHits) and scales the counts to the total, marked as estimates;
// anything narrower is counted exactly.
const DefaultFacetSample = 10_000

// countFacets counts the kinds, tags and statuses of the search page's
// hits for p and q, which has total hits. It walks the hits in index order
// without scoring them, reading each one's values of the facets field (a
// version 1 index has three fields), at most about FacetSample of them.
func (s *Service) countFacets(ctx context.Context, p *parsed, q Query, total int) (facetCounts, error) {
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	limit := s.sample()
	counts := map[string]*int{}
	var seen int
	var complete bool
	err := s.idx.withQuery(func(b bleve.Index, a analyzers) error {
		pq, _, err := pageQuery(p, q, a)
		if err != nil {
			return err
		}
		r, err := reader(b)
		if err != nil {
			return err
		}
		defer r.Close()
		hits, err := pq.Searcher(ctx, r, b.Mapping(), bsearch.SearcherOptions{Score: "none"})
		if err != nil {
			return err
		}
		defer hits.Close()
		fields := []string{fieldFacets}
		if a.pairs == nil {
			fields = []string{fieldKind, fieldTags, fieldStatus}
		}
		dv, err := r.DocValueReader(fields)
		if err != nil {
			return err
		}
		visit := func(field string, term []byte) {
			if field == fieldFacets {
				if n, ok := counts[string(term)]; ok { // no string allocated
					*n++
					return
				}
			}
			key := string(term)
			switch field { // a version 1 index's values carry no prefix
			case fieldKind:
				key = facetKind + key
			case fieldTags:
				key = facetTag + key
			case fieldStatus:
				key = facetStatus + key
			}
			if n, ok := counts[key]; ok {
				*n++
			} else {
				one := 1
				counts[key] = &one
			}
		}
		sc := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(hits.DocumentMatchPoolSize(), 0), IndexReader: r}
		seen, complete, err = walkHits(ctx, hits, sc, docSpan(r), total, limit, func(d *bsearch.DocumentMatch) error {
			return dv.VisitDocValues(d.IndexInternalID, visit)
		})
		return err
	})
	if err != nil {
		return facetCounts{}, tooLong(ctx, err)
	}
	scale := 1.0
	if !complete && seen > 0 && total > seen {
		scale = float64(total) / float64(seen)
	}
	f := splitFacets(counts, scale)
	f.counted = seen
	return f, nil
}

// sample is how many hits a sampled count or ranking reads.
func (s *Service) sample() int {
	if s.FacetSample <= 0 {
		return DefaultFacetSample
	}
	return s.FacetSample
}

// sampleWindows is how many stretches of the index a sampled count reads.
// Hits come in index order, which is roughly the order documents were
// written in (a seeded or imported site has all its posts first), so the
// first hits of a broad word are of one kind and one age; stretches spread
// evenly over the document numbers see the whole history.
const sampleWindows = 200

// walkHits calls fn for hits in index order: all of them when total is
// within limit, otherwise about limit of them, read in sampleWindows equal
// stretches of the span of document numbers (or the first limit hits when
// the span is unknown). complete reports whether fn saw every hit.
func walkHits(ctx context.Context, hits bsearch.Searcher, sc *bsearch.SearchContext, span uint64, total, limit int, fn func(*bsearch.DocumentMatch) error) (seen int, complete bool, err error) {
	windows, per := uint64(1), limit
	switch {
	case total <= limit:
		per = math.MaxInt
	case span >= sampleWindows:
		windows = uint64(min(sampleWindows, limit))
		per = limit / int(windows)
	}
	d, err := hits.Next(sc)
	for w := uint64(0); w < windows && d != nil && err == nil; w++ {
		start, end := w*span/windows, (w+1)*span/windows
		if w == windows-1 {
			end = math.MaxUint64
		}
		if docNum(d) < start {
			sc.DocumentMatchPool.Put(d)
			if d, err = hits.Advance(sc, index.NewIndexInternalID(nil, start)); err != nil {
				break
			}
		}
		for k := 0; d != nil && docNum(d) < end && k < per; k++ {
			if seen%1024 == 0 && ctx.Err() != nil {
				return seen, false, ctx.Err()
			}
			if err = fn(d); err != nil {
				return seen, false, err
			}
			seen++
			sc.DocumentMatchPool.Put(d)
			if d, err = hits.Next(sc); err != nil {
				break
			}
		}
	}
	return seen, err == nil && d == nil && windows == 1, err
}

// docSpan is one past the highest document number of r's snapshot
// (deleted documents keep their numbers until a merge), or 0 when r is
// not a scorch snapshot.
func docSpan(r index.IndexReader) uint64 {
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return 0
	}
	var n uint64
	for _, s := range is.Segments() {
		n += s.Segment().Count()
	}
	return n
}

// docNum is a hit's document number: scorch's internal ids are the
// 8-byte big-endian numbers index.NewIndexInternalID makes.
func docNum(d *bsearch.DocumentMatch) uint64 {
	if len(d.IndexInternalID) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(d.IndexInternalID)
}

// splitFacets turns the counts of facet values ("kind:idea", "tag:api")
// into the three facets, most frequent first (ties by value), each count
// multiplied by scale; scaled counts are rounded to two significant
// digits, so they do not read as exact.
func splitFacets(counts map[string]*int, scale float64) facetCounts {
	type term struct {
		v string
		n int
	}
	terms := make([]term, 0, len(counts))
	for v, n := range counts {
		terms = append(terms, term{v, *n})
	}
	slices.SortFunc(terms, func(a, b term) int {
		if a.n != b.n {
			return cmp.Compare(b.n, a.n)
		}
		return strings.Compare(a.v, b.v)
	})
	f := facetCounts{sampled: scale != 1}
	count := func(n int) int {
		if !f.sampled {
			return n
		}
		return roughly(int(math.Round(float64(n) * scale)))
	}
	for _, t := range terms {
		if v, ok := strings.CutPrefix(t.v, facetKind); ok {
			f.kinds = append(f.kinds, Facet{v, count(t.n)})
		} else if v, ok := strings.CutPrefix(t.v, facetTag); ok && len(f.tags) < maxTagFacets {
			f.tags = append(f.tags, Facet{v, count(t.n)})
		} else if v, ok := strings.CutPrefix(t.v, facetStatus); ok && len(f.statuses) < maxStatusFacets {
			f.statuses = append(f.statuses, Facet{v, count(t.n)})
		}
	}
	return f
}

// roughly rounds n to two significant digits: 123,456 is 120,000.
func roughly(n int) int {
	p := 1
	for n/p >= 100 {
		p *= 10
	}
	return (n + p/2) / p * p
}

// facetCounts are the facets of one search.
type facetCounts struct {
	kinds, tags, statuses []Facet
	sampled               bool // counted on a sample and scaled: estimates
	counted               int  // hits read to count them
}

type facetEntry struct {
	facetCounts
	at  time.Time
	ttl time.Duration
	gen uint64
}

// facetCache holds facet counts per search (text and filters, not the
// page). Entries are tied to the index's removal generation (see
// Index.removals) so a removal invalidates them all.
type facetCache struct {
	mu sync.Mutex
	m  map[string]facetEntry
	// computed counts the facet computations, for tests.
	computed int
}

// facetKey identifies a search's facets: the parsed words, phrases and
// exclusions (so spacing and quoting variants share an entry) and filters.
func facetKey(p *parsed, q Query) string {
	var b strings.Builder
	for _, part := range [][]string{p.words, p.phrases, p.exclude, {q.Kind, q.Tag, q.Status, q.Category}} {
		for _, s := range part {
			b.WriteString(s)
			b.WriteByte(0)
		}
		b.WriteByte(1)
	}
	return b.String()
}

func (c *facetCache) get(key string, gen uint64, now time.Time) (facetCounts, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || e.gen != gen || now.Sub(e.at) >= e.ttl || now.Before(e.at) {
		return facetCounts{}, false
	}
	return e.facetCounts, true
}

func (c *facetCache) put(key string, gen uint64, now time.Time, ttl time.Duration, f facetCounts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.computed++
	if c.m == nil {
		c.m = map[string]facetEntry{}
	}
	if len(c.m) >= maxFacetEntries {
		for k, e := range c.m {
			if e.gen != gen || now.Sub(e.at) >= e.ttl {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxFacetEntries {
			clear(c.m)
		}
	}
	c.m[key] = facetEntry{facetCounts: f, at: now, ttl: ttl, gen: gen}
}
