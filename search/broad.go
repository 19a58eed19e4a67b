package search

import (
	"cmp"
	"context"
	"slices"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// DefaultBroadWord is how many documents a word must be in before a search
// for it alone lists title matches first. Scoring every match is what a broad
// word costs: at the 100k dataset a word in ~10% of 1.2M documents took
// most of a second of CPU per search and a third of the server's CPU in the
// mixed load, for results whose first pages are title matches anyway (the
// title boost puts them there).
const DefaultBroadWord = 5000

// maxTitleWords is how many words a search may have for titlesFirst.
const maxTitleWords = 4

// titlesFirst answers a search for broad words, with no phrase, no
// exclusion and no filter, from the documents with all the words in their
// title: they are what the first pages show, ranked by how well the title
// matches. The total is still exact (one word's document count, or the
// count of documents with all the words, walked without scoring), so the
// count and the pager are those of the full search. One word that too few
// titles have for the page goes on to bodiesSampled; several words beyond
// their title matches, or a query the shortcut does not cover, get nil and
// the full search.
func (s *Service) titlesFirst(ctx context.Context, p *parsed, q Query) (*bleve.SearchResult, map[string]bool) {
	if s.BroadWord <= 0 || len(p.words) == 0 || len(p.words) > maxTitleWords || len(p.phrases) > 0 || len(p.exclude) > 0 ||
		q.Kind != "" || q.Tag != "" || q.Status != "" || q.Category != "" {
		return nil, nil
	}
	var res *bleve.SearchResult
	hl := map[string]bool{}
	err := s.idx.withQuery(func(b bleve.Index, a analyzers) error {
		if a.pairs == nil { // a version 1 index has no text field to count
			return nil
		}
		var ts []string
		for _, w := range p.words {
			wt := terms(a.words, w)
			if len(wt) > 1 { // "e-mail": the full search matches its terms anywhere
				return nil
			}
			if len(wt) == 1 && !hl[wt[0]] { // a stop word is ignored, as build does
				hl[wt[0]] = true
				ts = append(ts, wt[0])
			}
		}
		if len(ts) == 0 {
			return nil
		}
		r, err := reader(b)
		if err != nil {
			return err
		}
		defer r.Close()
		// Every word must be broad: the documents with all of them are at
		// most the rarest word's.
		text := make([]query.Query, len(ts))
		title := make([]query.Query, len(ts))
		var total uint64 // exact for one word
		for i, t := range ts {
			n, err := docCount(ctx, r, t, fieldText)
			if err != nil || n < uint64(s.BroadWord) {
				return err
			}
			total = n
			text[i], title[i] = termFilter(fieldText, t), termFilter(fieldTitle, t)
		}
		ctx, cancel := context.WithTimeout(ctx, s.Timeout)
		defer cancel()
		// Every title match up to this page (Bleve collects as many to skip
		// the earlier ones anyway), so bodiesSampled can start from them.
		need := q.Page * q.PerPage
		found, err := b.SearchInContext(ctx, bleve.NewSearchRequestOptions(conjunction(title), need, 0, false))
		if err != nil {
			return err
		}
		if found.Total < uint64(need) {
			if len(ts) == 1 {
				res, err = s.bodiesSampled(ctx, b, r, ts[0], q, found.Hits, total)
			}
			return err
		}
		found.Hits = found.Hits[(q.Page-1)*q.PerPage:]
		if len(ts) > 1 {
			count := bleve.NewSearchRequestOptions(conjunction(text), 0, 0, false)
			count.Score = "none"
			all, err := b.SearchInContext(ctx, count)
			if err != nil {
				return err
			}
			total = all.Total
		}
		found.Total = total
		res = found
		return nil
	})
	if err != nil || res == nil {
		return nil, nil // the full search answers, and reports its own errors
	}
	return res, hl
}

// conjunction is all of qs, without a conjunction of one.
func conjunction(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return bleve.NewConjunctionQuery(qs...)
}

// reader is a reader of b's index, which the caller closes.
func reader(b bleve.Index) (index.IndexReader, error) {
	ix, err := b.Advanced()
	if err != nil {
		return nil, err
	}
	return ix.Reader()
}

// docCount is how many live documents have term in field.
func docCount(ctx context.Context, r index.IndexReader, term, field string) (uint64, error) {
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return 0, err
	}
	defer tfr.Close()
	return tfr.Count(), nil
}

// bodiesSampled answers one broad word that too few titles have for the
// page: the documents with it in their title first, then the others ranked
// by score among a sample of them (walkHits, as for facets), or nil for a
// page beyond the sample. Ranking every body cost 60-200 ms at the 100k
// dataset (a word in 200k-400k of them), the sample a few; and how often a
// word this common occurs in a body says little about which is the best.
// titles are all the documents with the word in their title, best first.
func (s *Service) bodiesSampled(ctx context.Context, b bleve.Index, r index.IndexReader, term string, q Query, titles []*bsearch.DocumentMatch, total uint64) (*bleve.SearchResult, error) {
	need := q.Page * q.PerPage
	hits := titles
	bodies := &query.BooleanQuery{Must: termFilter(fieldText, term), MustNot: bleve.NewDisjunctionQuery(termFilter(fieldTitle, term))}
	searcher, err := bodies.Searcher(ctx, r, b.Mapping(), bsearch.SearcherOptions{})
	if err != nil {
		return nil, err
	}
	defer searcher.Close()
	type scored struct {
		doc   uint64
		score float64
	}
	var found []scored
	sc := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(searcher.DocumentMatchPoolSize(), 0), IndexReader: r}
	limit := s.sample()
	_, complete, err := walkHits(ctx, searcher, sc, docSpan(r), int(total-min(uint64(len(titles)), total)), limit, func(d *bsearch.DocumentMatch) error {
		found = append(found, scored{docNum(d), d.Score})
		return nil
	})
	if err != nil {
		return nil, err
	}
	rest := need - len(hits)
	if rest > len(found) && !complete {
		return nil, nil
	}
	slices.SortFunc(found, func(a, b scored) int {
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		return cmp.Compare(a.doc, b.doc) // the full search's order for ties
	})
	for _, f := range found[:min(rest, len(found))] {
		id, err := r.ExternalID(index.NewIndexInternalID(nil, f.doc))
		if err != nil {
			return nil, err
		}
		hits = append(hits, &bsearch.DocumentMatch{ID: id, Score: f.score})
	}
	from := min((q.Page-1)*q.PerPage, len(hits))
	return &bleve.SearchResult{Hits: hits[from:], Total: total}, nil
}
