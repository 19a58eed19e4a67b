package search

import (
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

// textQuery matches s in the title (boosted: a title hit says more) or body.
func textQuery(s string, phrase bool) query.Query {
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
	return bleve.NewDisjunctionQuery(field(fieldTitle, 2), field(fieldBody, 1))
}

// build turns the parsed query into a Bleve query and the set of terms to
// highlight. Words the analyzer drops (stop words like "the") are ignored,
// so they cannot make an AND query match nothing.
func (p *parsed) build(a analysis.Analyzer) (query.Query, map[string]bool, error) {
	must := []query.Query{}
	hl := map[string]bool{}
	for _, w := range p.words {
		ts := terms(a, w)
		if len(ts) == 0 {
			continue
		}
		for _, t := range ts {
			hl[t] = true
		}
		must = append(must, textQuery(w, false))
	}
	for _, ph := range p.phrases {
		ts := terms(a, ph)
		if len(ts) == 0 {
			continue
		}
		for _, t := range ts {
			hl[t] = true
		}
		if len(ts) == 1 {
			must = append(must, textQuery(ph, false))
		} else {
			must = append(must, textQuery(ph, true))
		}
	}
	if len(must) == 0 {
		if len(p.words)+len(p.phrases) == 0 {
			return nil, nil, townhall.Errorf(townhall.EINVALID, "Type at least one word to search for (a leading - only excludes words).")
		}
		return nil, nil, townhall.Errorf(townhall.EINVALID, "Your search has only very common words (like “the” or “and”), which are not indexed. Add a more specific word.")
	}
	var mustNot []query.Query
	for _, ex := range p.exclude {
		if len(terms(a, ex)) == 0 {
			continue
		}
		mustNot = append(mustNot, textQuery(ex, strings.ContainsAny(ex, " \t")))
	}
	return query.NewBooleanQuery(must, nil, mustNot), hl, nil
}

// termFilter is an exact match on a keyword field.
func termFilter(field, value string) query.Query {
	q := bleve.NewTermQuery(value)
	q.SetField(field)
	return q
}
