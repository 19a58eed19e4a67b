package search

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/townhall/townhall"
)

// MaxQueryRunes caps what one search may ask for; the header field has the
// same maxlength.
const MaxQueryRunes = 200

// parsed is a user's query in the small syntax the search page documents:
// words (all must match), "exact phrases", and -excluded words or phrases.
type parsed struct {
	words, phrases, exclude []string
}

func parseQuery(s string) (*parsed, error) {
	if !utf8.ValidString(s) {
		return nil, townhall.Errorf(townhall.EINVALID, "The search is not valid UTF-8.")
	}
	if n := utf8.RuneCountInString(s); n > MaxQueryRunes {
		return nil, townhall.Errorf(townhall.EINVALID, "The search is too long (%d characters); use at most %d.", n, MaxQueryRunes)
	}
	p := &parsed{}
	rest := strings.TrimSpace(s)
	for rest != "" {
		neg := false
		if rest[0] == '-' && len(rest) > 1 && rest[1] != ' ' {
			neg, rest = true, rest[1:]
		}
		if rest[0] == '"' {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return nil, townhall.Errorf(townhall.EINVALID, `A quotation mark is not closed. Put "exact phrases" between two quotation marks, or remove the quote.`)
			}
			phrase := strings.TrimSpace(rest[1 : end+1])
			rest = strings.TrimSpace(rest[end+2:])
			if phrase == "" {
				continue
			}
			if neg {
				p.exclude = append(p.exclude, phrase)
			} else {
				p.phrases = append(p.phrases, phrase)
			}
			continue
		}
		end := strings.IndexAny(rest, " \t\n\"")
		if end < 0 {
			end = len(rest)
		}
		word := rest[:end]
		rest = strings.TrimSpace(rest[end:])
		if neg {
			p.exclude = append(p.exclude, word)
		} else {
			p.words = append(p.words, word)
		}
	}
	return p, nil
}

// terms returns the analyzed terms of s, as the index holds them.
func terms(a analysis.Analyzer, s string) []string {
	var out []string
	for _, t := range a.Analyze([]byte(s)) {
		out = append(out, string(t.Term))
	}
	return out
}

// analyzers are the two analyses a query needs: words as the text field
// holds them, and word pairs as the pairs field holds them. pairs is nil
// for an index built with mapping version 1 (no text or pairs fields), which
// is still searched the old way until `townhall reindex` replaces it.
type analyzers struct {
	words, pairs analysis.Analyzer
}

// pairTerms returns the pairs-field terms of a phrase: its adjacent word
// pairs, without the pairs that only say a stop word comes before or after
// it (a leading "the" must not require a stop word in the document) and
// without pairs of two stop words, which nearly every document has.
func pairTerms(a analysis.Analyzer, phrase string) []string {
	ts := terms(a, phrase)
	for len(ts) > 0 && strings.HasPrefix(ts[0], "_ ") {
		ts = ts[1:]
	}
	for len(ts) > 0 && strings.HasSuffix(ts[len(ts)-1], " _") {
		ts = ts[:len(ts)-1]
	}
	return slices.DeleteFunc(ts, func(t string) bool { return t == "_ _" })
}

// textQuery matches s: every word of it (or, as a phrase, every adjacent
// pair of its words) somewhere in the title or body.
func (a analyzers) textQuery(s string, phrase bool) query.Query {
	if a.pairs == nil {
		return legacyTextQuery(s, phrase)
	}
	if phrase {
		var qs []query.Query
		for _, t := range pairTerms(a.pairs, s) {
			qs = append(qs, termFilter(fieldPairs, t))
		}
		switch len(qs) {
		case 0:
		case 1:
			return qs[0]
		default:
			return bleve.NewConjunctionQuery(qs...)
		}
	}
	// A match query wraps even a single term in a conjunction, which costs
	// a broad query ~10%; one term is a term query.
	if ts := terms(a.words, s); len(ts) == 1 {
		return termFilter(fieldText, ts[0])
	}
	q := bleve.NewMatchQuery(s)
	q.SetField(fieldText)
	q.SetOperator(query.MatchQueryOperatorAnd)
	return q
}

// titleBoost scores documents with any of the words in their title: one
// optional disjunction of title terms for all words (a clause per word
// cost more on broad queries).
func (a analyzers) titleBoost(words string) *query.DisjunctionQuery {
	var qs []query.Query
	seen := map[string]bool{}
	for _, t := range terms(a.words, words) {
		if !seen[t] {
			seen[t] = true
			q := bleve.NewTermQuery(t)
			q.SetField(fieldTitle)
			q.SetBoost(2)
			qs = append(qs, q)
		}
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// legacyTextQuery is textQuery for a mapping version 1 index: title or body,
// phrases by position.
func legacyTextQuery(s string, phrase bool) query.Query {
	field := func(f string, boost float64) query.Query {
		if phrase {
			q := bleve.NewMatchPhraseQuery(s)
			q.SetField(f)
			q.SetBoost(boost)
			return q
		}
		q := bleve.NewMatchQuery(s)
		q.SetField(f)
		q.SetOperator(query.MatchQueryOperatorAnd)
		q.SetBoost(boost)
		return q
	}
	return bleve.NewDisjunctionQuery(field(fieldTitle, 2), field("body", 1))
}

// compiled is a parsed query in Bleve's terms, before filters are added.
type compiled struct {
	must, mustNot []query.Query
	// boost ranks title matches first; it never decides what matches.
	boost *query.DisjunctionQuery
	// highlight holds the analyzed terms to mark in results.
	highlight map[string]bool
}

// query assembles the Bleve query, without a conjunction of one query (a
// wrapper Bleve would run on every hit for nothing: ~10% of a broad query).
// The optional clause must be a disjunction: Bleve v2.6.3 loses
// must-matches that follow a should-match when the should clause is a bare
// term query.
func (c *compiled) query() query.Query {
	if c.boost == nil && len(c.mustNot) == 0 {
		if len(c.must) == 1 {
			return c.must[0]
		}
		return bleve.NewConjunctionQuery(c.must...)
	}
	var must query.Query = bleve.NewConjunctionQuery(c.must...)
	if len(c.must) == 1 {
		must = c.must[0]
	}
	b := &query.BooleanQuery{Must: must}
	if c.boost != nil {
		b.Should = c.boost
	}
	if len(c.mustNot) > 0 {
		b.MustNot = bleve.NewDisjunctionQuery(c.mustNot...)
	}
	return b
}

// build turns the parsed query into a compiled one. Words the analyzer
// drops (stop words like "the") are ignored, so they cannot make an AND
// query match nothing.
func (p *parsed) build(a analyzers) (*compiled, error) {
	c := &compiled{highlight: map[string]bool{}}
	var positive []string
	for _, w := range p.words {
		ts := terms(a.words, w)
		if len(ts) == 0 {
			continue
		}
		for _, t := range ts {
			c.highlight[t] = true
		}
		c.must = append(c.must, a.textQuery(w, false))
		positive = append(positive, w)
	}
	for _, ph := range p.phrases {
		ts := terms(a.words, ph)
		if len(ts) == 0 {
			continue
		}
		for _, t := range ts {
			c.highlight[t] = true
		}
		c.must = append(c.must, a.textQuery(ph, len(ts) > 1))
		if len(ts) == 1 {
			positive = append(positive, ph)
		}
	}
	if len(c.must) == 0 {
		if len(p.words)+len(p.phrases) == 0 {
			return nil, townhall.Errorf(townhall.EINVALID, "Type at least one word to search for (a leading - only excludes words).")
		}
		return nil, townhall.Errorf(townhall.EINVALID, "Your search has only very common words (like “the” or “and”), which are not indexed. Add a more specific word.")
	}
	for _, ex := range p.exclude {
		ts := terms(a.words, ex)
		if len(ts) == 0 {
			continue
		}
		c.mustNot = append(c.mustNot, a.textQuery(ex, len(ts) > 1 && strings.ContainsAny(ex, " \t")))
	}
	// Phrases rank by how well their word pairs match (the title's pairs
	// count there too) without the title clause: its words are common
	// wherever phrases are (they are why people quote), and at 1M documents
	// the clause more than doubled the cost of a phrase over common words.
	if a.pairs != nil && len(positive) > 0 {
		c.boost = a.titleBoost(strings.Join(positive, " "))
	}
	return c, nil
}

// termFilter is an exact match on a keyword field.
func termFilter(field, value string) query.Query {
	q := bleve.NewTermQuery(value)
	q.SetField(field)
	return q
}
