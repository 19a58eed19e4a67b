package search

import (
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
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

// addFacets asks req for the counts of kinds, tags and statuses. They come
// from one field (kind, status and tags of a document as "kind:idea",
// "status:open", "tag:api"), so counting visits one field's doc values per
// hit instead of three; this costs most of what facets cost. The size is
// generous so that no tag or status among the most frequent is cut off by
// values of the other facets. A version 1 index has three fields.
func addFacets(req *bleve.SearchRequest, legacy bool) {
	if legacy {
		req.AddFacet(fieldKind, bleve.NewFacetRequest(fieldKind, len(Kinds)))
		req.AddFacet(fieldTags, bleve.NewFacetRequest(fieldTags, maxTagFacets))
		req.AddFacet(fieldStatus, bleve.NewFacetRequest(fieldStatus, maxStatusFacets))
		return
	}
	req.AddFacet(fieldFacets, bleve.NewFacetRequest(fieldFacets, 1000))
}

// readFacets splits what addFacets asked for into the three facets, most
// frequent values first.
func readFacets(res *bleve.SearchResult) facetCounts {
	var f facetCounts
	if r := res.Facets[fieldFacets]; r != nil && r.Terms != nil {
		for _, t := range r.Terms.Terms() {
			if v, ok := strings.CutPrefix(t.Term, facetKind); ok {
				f.kinds = append(f.kinds, Facet{v, t.Count})
			} else if v, ok := strings.CutPrefix(t.Term, facetTag); ok && len(f.tags) < maxTagFacets {
				f.tags = append(f.tags, Facet{v, t.Count})
			} else if v, ok := strings.CutPrefix(t.Term, facetStatus); ok && len(f.statuses) < maxStatusFacets {
				f.statuses = append(f.statuses, Facet{v, t.Count})
			}
		}
		return f
	}
	return facetCounts{kinds: facetTerms(res, fieldKind), tags: facetTerms(res, fieldTags), statuses: facetTerms(res, fieldStatus)}
}

func facetTerms(res *bleve.SearchResult, name string) []Facet {
	f, ok := res.Facets[name]
	if !ok || f.Terms == nil {
		return nil
	}
	var out []Facet
	for _, t := range f.Terms.Terms() {
		out = append(out, Facet{t.Term, t.Count})
	}
	return out
}

// facetCounts are the facets of one search.
type facetCounts struct {
	kinds, tags, statuses []Facet
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
