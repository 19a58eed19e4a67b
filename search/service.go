package search

import (
	"context"
	"errors"
	"html/template"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/townhall/townhall"
)

// Limits on what one request may ask of the index.
const (
	DefaultPerPage = 20
	MaxPerPage     = 50
	// MaxResults bounds how deep pagination goes: deep pages cost the
	// index as much as all pages before them, and nobody reads them.
	MaxResults = 1000
	// snippetSource is how much of a body snippets look at: enough for any
	// post worth reading, bounded for the occasional huge one.
	snippetSource = 16 << 10
)

// Service answers searches from the live index, re-checking every hit
// against the store so content hidden since it was indexed never shows.
type Service struct {
	idx *Index
	src Source
	// Timeout bounds every search; a query that needs longer fails with
	// EUNAVAILABLE instead of tying up the server.
	Timeout time.Duration
	// FacetTTL is how long facet counts are reused (DefaultFacetTTL; 0
	// computes them on every request).
	FacetTTL time.Duration
	// BroadWord is how many documents a lone word must be in for its search
	// to list title matches first (DefaultBroadWord; 0 never does).
	BroadWord int
	// FacetSample is how many hits facets are counted on at most, and how
	// many bodies a broad word's ranking reads (DefaultFacetSample); a
	// search with more hits has estimated counts.
	FacetSample int

	facets facetCache
	now    func() time.Time
}

// NewService returns a search service over idx, re-reading hits from src.
func NewService(idx *Index, src Source) *Service {
	return &Service{idx: idx, src: src, Timeout: 3 * time.Second, FacetTTL: DefaultFacetTTL, BroadWord: DefaultBroadWord, FacetSample: DefaultFacetSample, now: time.Now}
}

// Query is one search as the user asked it.
type Query struct {
	Text     string
	Kind     string // "" for every kind
	Tag      string
	Status   string
	Category string
	Page     int // from 1
	PerPage  int
	// Facets asks for kind, tag and status counts; they cost several times
	// the search itself on broad queries, so only pages that show them ask,
	// and they are reused for FacetTTL (see DefaultFacetTTL).
	Facets bool
}

// Result is one hit, freshly loaded from the store.
type Result struct {
	Kind      string
	ID        string
	Title     string
	TitleHTML template.HTML // title with matches marked, everything else escaped
	Snippet   template.HTML // a passage of the body with matches marked, escaped
	URL       string
	Author    string
	Tags      []string
	Status    string
	Category  string
	Created   time.Time
}

// Facet is one value of a facet and how many hits have it.
type Facet struct {
	Value string
	Count int
}

// Results is one page of hits.
type Results struct {
	Query    Query
	Items    []Result
	Total    int // hits in the index; a few may since have been hidden
	Page     int
	Pages    int
	Kinds    []Facet
	Tags     []Facet
	Statuses []Facet
	// FacetsSampled is set when the facets were counted on a sample of the
	// hits (see DefaultFacetSample) and scaled to Total: estimates.
	FacetsSampled bool
}

// Kinds lists the kinds search knows, in the order pages show them.
var Kinds = []string{townhall.KindThread, townhall.KindPost, townhall.KindIdea, townhall.KindReview}

func validKind(k string) bool { return slices.Contains(Kinds, k) }

func (q *Query) normalize() error {
	if q.Kind != "" && !validKind(q.Kind) {
		return townhall.Errorf(townhall.EINVALID, "Unknown kind %q: use thread, post, idea or review.", q.Kind)
	}
	for _, f := range []struct{ name, v string }{{"tag", q.Tag}, {"status", q.Status}, {"category", q.Category}} {
		if _, err := townhall.CleanText(f.name, f.v, 0, 100); err != nil {
			return err
		}
	}
	if q.PerPage <= 0 {
		q.PerPage = DefaultPerPage
	}
	q.PerPage = min(q.PerPage, MaxPerPage)
	if q.Page <= 0 {
		q.Page = 1
	}
	if q.Page*q.PerPage > MaxResults {
		return townhall.Errorf(townhall.EINVALID, "Only the first %d results can be paged through; add words or a filter to narrow the search.", MaxResults)
	}
	return nil
}

// Search runs q and returns one page of visible hits with facets.
func (s *Service) Search(ctx context.Context, q Query) (*Results, error) {
	if err := q.normalize(); err != nil {
		return nil, err
	}
	p, err := parseQuery(q.Text)
	if err != nil {
		return nil, err
	}
	key, gen, now := facetKey(p, q), s.idx.removals.Load(), s.now()
	var counts facetCounts
	cached := false
	if q.Facets && s.FacetTTL > 0 {
		counts, cached = s.facets.get(key, gen, now)
	}
	res, hl := s.titlesFirst(ctx, p, q)
	if res == nil {
		res, err = s.run(ctx, func(a analyzers) (*bleve.SearchRequest, error) {
			pq, h, err := pageQuery(p, q, a)
			if err != nil {
				return nil, err
			}
			hl = h
			return bleve.NewSearchRequestOptions(pq, q.PerPage, (q.Page-1)*q.PerPage, false), nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := &Results{Query: q, Total: int(res.Total), Page: q.Page}
	out.Pages = int(math.Ceil(float64(min(out.Total, MaxResults)) / float64(q.PerPage)))
	out.Items, err = s.load(ctx, res, hl, snippetRunes)
	if err != nil {
		return nil, err
	}
	if q.Facets && !cached {
		if counts, err = s.countFacets(ctx, p, q, out.Total); err != nil {
			return nil, err
		}
		if s.FacetTTL > 0 {
			ttl := s.FacetTTL
			if s.BroadWord > 0 && out.Total >= s.BroadWord {
				ttl = max(ttl, broadFacetTTL)
			}
			s.facets.put(key, gen, now, ttl, counts)
		}
	}
	out.Kinds, out.Tags, out.Statuses, out.FacetsSampled = counts.kinds, counts.tags, counts.statuses, counts.sampled
	return out, nil
}

// pageQuery is the query of the search page: the parsed text with the
// filters, and the terms to highlight.
func pageQuery(p *parsed, q Query, a analyzers) (query.Query, map[string]bool, error) {
	c, err := p.build(a)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range []struct{ field, v string }{
		{fieldKind, q.Kind}, {fieldTags, q.Tag}, {fieldStatus, q.Status}, {fieldCategory, q.Category},
	} {
		if f.v != "" {
			c.must = append(c.must, termFilter(f.field, f.v))
		}
	}
	return c.query(), c.highlight, nil
}

// Similar returns up to limit visible items of kind whose titles share
// enough words with text: at least two when text has two or more indexed
// words, and at least half of them. It serves "is this already asked?" hints
// while someone types a new idea or thread title, so it never fails on
// odd input: anything unusable just finds nothing.
func (s *Service) Similar(ctx context.Context, kind, text string, limit int) ([]Result, error) {
	if !validKind(kind) {
		return nil, townhall.Errorf(townhall.EINVALID, "Unknown kind %q: use thread, post, idea or review.", kind)
	}
	if r := []rune(text); len(r) > MaxQueryRunes {
		text = string(r[:MaxQueryRunes])
	}
	limit = max(1, min(limit, 10))
	var words []query.Query
	hl := map[string]bool{}
	ts := terms(s.idx.analyzer, text)
	// While typing, the last word may be unfinished ("dashboard da"): it
	// also matches as a prefix of title words (prefix queries are cheap).
	partial := ""
	if f := strings.Fields(text); len(f) > 0 && !strings.HasSuffix(text, " ") {
		last := strings.ToLower(f[len(f)-1])
		if utf8.RuneCountInString(last) >= 2 && len(terms(s.idx.analyzer, last)) > 0 {
			partial = last
		}
	}
	for i, t := range ts {
		if hl[t] {
			continue
		}
		hl[t] = true
		var w query.Query = termFilter(fieldTitle, t)
		if i == len(ts)-1 && partial != "" {
			p := bleve.NewPrefixQuery(partial)
			p.SetField(fieldTitle)
			w = bleve.NewDisjunctionQuery(w, p)
		}
		words = append(words, w)
	}
	if len(words) == 0 {
		return []Result{}, nil
	}
	need := max(min(len(words), 2), (len(words)+1)/2)
	shared := bleve.NewDisjunctionQuery(words...)
	shared.SetMin(float64(need))
	res, err := s.run(ctx, func(analyzers) (*bleve.SearchRequest, error) {
		return bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(shared, termFilter(fieldKind, kind)), limit, 0, false), nil
	})
	if err != nil {
		return nil, err
	}
	return s.load(ctx, res, hl, 0)
}

// run builds a request for the live index's layout and runs it.
func (s *Service) run(ctx context.Context, build func(analyzers) (*bleve.SearchRequest, error)) (*bleve.SearchResult, error) {
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	var res *bleve.SearchResult
	err := s.idx.withQuery(func(b bleve.Index, a analyzers) error {
		req, err := build(a)
		if err != nil {
			return err
		}
		res, err = b.SearchInContext(ctx, req)
		return err
	})
	if err != nil {
		return nil, tooLong(ctx, err)
	}
	return res, nil
}

// tooLong turns a search that ran out of its time into EUNAVAILABLE.
func tooLong(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return townhall.Errorf(townhall.EUNAVAILABLE, "The search took too long. Try more specific words or a filter.")
	}
	return err
}

// load re-reads each hit from the store and drops the ones no longer
// visible, so the index can lag behind a hide without leaking it.
func (s *Service) load(ctx context.Context, res *bleve.SearchResult, hl map[string]bool, snippet int) ([]Result, error) {
	items := make([]Result, 0, len(res.Hits))
	known := map[string]bool{}
	for _, k := range s.src.SearchKinds() {
		known[k] = true
	}
	for _, h := range res.Hits {
		kind, id := splitDocID(h.ID)
		if !known[kind] {
			continue // indexed by a build that knew more kinds; cannot re-check, so never show
		}
		d, err := s.src.SearchDocument(ctx, kind, id)
		if err != nil {
			return nil, err
		}
		if d == nil || !d.Visible {
			continue
		}
		r := Result{
			Kind: d.Kind, ID: d.ID, Title: d.Title, URL: d.URL, Author: d.Author,
			Tags: d.Tags, Status: d.Status, Category: d.Category, Created: d.Created,
			TitleHTML: highlight(s.idx.analyzer, d.Title, hl, 0),
		}
		if snippet > 0 {
			body := d.Body
			if len(body) > snippetSource {
				body = body[:snippetSource] // may split a rune; ToValidUTF8 drops the half
			}
			r.Snippet = highlight(s.idx.analyzer, strings.ToValidUTF8(plainText(body), ""), hl, snippet)
		}
		items = append(items, r)
	}
	return items, nil
}
