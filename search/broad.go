package search

import (
	"context"

	"github.com/blevesearch/bleve/v2"
)

// DefaultBroadWord is how many documents a word must be in before a search
// for it alone lists title matches first. Scoring every match is what a broad
// word costs: at the 100k dataset a word in ~10% of 1.2M documents took
// most of a second of CPU per search and a third of the server's CPU in the
// mixed load, for results whose first pages are title matches anyway (the
// title boost puts them there).
const DefaultBroadWord = 5000

// titlesFirst answers a search for one broad word, with no phrase, no
// exclusion and no filter, from the documents with that word in their
// title: they are what the first pages show, ranked by how well the title
// matches. The total is still exact (the word's document count in the
// index), so the count and the pager are those of the full search; a page
// beyond the title matches, or a query the shortcut does not cover, gets
// nil and the full search. Facets are not counted here, so it only answers
// when none are asked for or they are cached.
func (s *Service) titlesFirst(ctx context.Context, p *parsed, q Query, needFacets bool) (*bleve.SearchResult, map[string]bool) {
	if s.BroadWord <= 0 || needFacets || len(p.words) != 1 || len(p.phrases) > 0 || len(p.exclude) > 0 ||
		q.Kind != "" || q.Tag != "" || q.Status != "" || q.Category != "" {
		return nil, nil
	}
	var res *bleve.SearchResult
	var term string
	err := s.idx.withQuery(func(b bleve.Index, a analyzers) error {
		if a.pairs == nil { // a version 1 index has no text field to count
			return nil
		}
		ts := terms(a.words, p.words[0])
		if len(ts) != 1 {
			return nil
		}
		term = ts[0]
		n, err := docCounts(ctx, b, term, fieldText, fieldTitle)
		if err != nil {
			return err
		}
		total, titles := n[0], n[1]
		if total < uint64(s.BroadWord) || titles < uint64(q.Page*q.PerPage) {
			return nil
		}
		ctx, cancel := context.WithTimeout(ctx, s.Timeout)
		defer cancel()
		req := bleve.NewSearchRequestOptions(termFilter(fieldTitle, term), q.PerPage, (q.Page-1)*q.PerPage, false)
		if res, err = b.SearchInContext(ctx, req); err != nil {
			return err
		}
		res.Total = total
		return nil
	})
	if err != nil || res == nil {
		return nil, nil // the full search answers, and reports its own errors
	}
	return res, map[string]bool{term: true}
}

// docCounts is how many live documents have term in each of fields, read
// through one index reader.
func docCounts(ctx context.Context, b bleve.Index, term string, fields ...string) ([]uint64, error) {
	ix, err := b.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := ix.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := make([]uint64, len(fields))
	for i, f := range fields {
		tfr, err := r.TermFieldReader(ctx, []byte(term), f, false, false, false)
		if err != nil {
			return nil, err
		}
		out[i] = tfr.Count()
		tfr.Close()
	}
	return out, nil
}
