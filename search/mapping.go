package search

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/shingle"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/townhall/townhall"
)

// mappingVersion is stored in every index; bump it when newMapping changes
// so operators know to run `townhall reindex`. Version 2 searches one
// combined text field, answers phrases from word pairs and drops positions
// and unused doc values (see newMapping).
const mappingVersion = "2"

// Field names in the index.
const (
	fieldTitle    = "title"
	fieldText     = "text"   // title and body: what words must match
	fieldPairs    = "pairs"  // adjacent word pairs of title and body: phrases
	fieldFacets   = "facets" // kind, status and tags as facet values
	fieldKind     = "kind"
	fieldTags     = "tags"
	fieldStatus   = "status"
	fieldCategory = "category"
	fieldAuthor   = "author"
	fieldCreated  = "created"
)

// pairsAnalyzer is the English analyzer followed by a 2-word shingle
// filter: "the dashboard takes ages" is indexed as "dashboard take" and
// "take age". A removed stop word leaves a "_" in its place ("export the
// report" gives "export _" and "_ report"), so pairs do not join words a
// stop word separated, and a phrase query analyzed the same way finds them.
const pairsAnalyzer = "en_pairs"

// toDocument is what one entity looks like to Bleve. Empty keyword values
// are left out so facets do not count a blank status. Nothing is stored:
// results are re-read from the store (which also re-checks visibility) and
// snippets are cut from that fresh text.
func toDocument(d *townhall.SearchDoc) map[string]any {
	body := plainText(d.Body)
	facets := []string{facetKind + d.Kind}
	doc := map[string]any{
		fieldTitle: d.Title,
		fieldText:  []string{d.Title, body},
		fieldPairs: []string{d.Title, body},
		fieldKind:  d.Kind,
	}
	if !d.Created.IsZero() {
		doc[fieldCreated] = d.Created
	}
	for k, v := range map[string]string{fieldStatus: d.Status, fieldCategory: d.Category, fieldAuthor: d.Author} {
		if v != "" {
			doc[k] = v
		}
	}
	if d.Status != "" {
		facets = append(facets, facetStatus+d.Status)
	}
	var tags []string
	for _, t := range d.Tags {
		if t != "" {
			tags = append(tags, t)
		}
	}
	if len(tags) > 0 {
		doc[fieldTags] = tags
		for _, t := range tags {
			facets = append(facets, facetTag+t)
		}
	}
	doc[fieldFacets] = facets
	return doc
}

// newMapping is the index mapping, shaped by measurements at 1M documents
// (BENCHMARKS.md, "Search"):
//
//   - Every word must match somewhere in title or body, so the words are
//     matched in one combined text field: one posting list per word instead
//     of a title-or-body disjunction per word. The title is also indexed on
//     its own, to rank title matches first (one optional clause) and for
//     "similar titles".
//   - Phrases are matched as word pairs (pairsAnalyzer) instead of with
//     positions: a positional phrase query over common words took hundreds
//     of milliseconds at 1M documents, a pair is one posting list. So no
//     field keeps term vectors (nothing else needs them: snippets are
//     highlighted from the store's text).
//   - Doc values only where facets read them: one field holding kind,
//     status and tags (see countFacets).
func newMapping() mapping.IndexMapping {
	text := func(analyzer string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	keyword := func(docValues bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = docValues
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldTitle, text(en.AnalyzerName))
	doc.AddFieldMappingsAt(fieldText, text(en.AnalyzerName))
	doc.AddFieldMappingsAt(fieldPairs, text(pairsAnalyzer))
	doc.AddFieldMappingsAt(fieldFacets, keyword(true))
	for _, f := range []string{fieldKind, fieldTags, fieldStatus, fieldCategory, fieldAuthor} {
		doc.AddFieldMappingsAt(f, keyword(false))
	}
	created := bleve.NewDateTimeFieldMapping()
	created.Store = false
	created.IncludeInAll = false
	created.DocValues = false
	doc.AddFieldMappingsAt(fieldCreated, created)

	m := bleve.NewIndexMapping()
	must(m.AddCustomTokenFilter("pairs", map[string]any{
		"type": shingle.Name, "min": 2.0, "max": 2.0, "output_original": false, "separator": " ", "filler": "_",
	}))
	must(m.AddCustomAnalyzer(pairsAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{en.PossessiveName, lowercase.Name, en.StopName, porter.Name, "pairs"},
	}))
	m.DefaultMapping = doc
	m.DefaultAnalyzer = en.AnalyzerName
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m
}

// must panics on an error in the constant mapping above: a programming
// error every test would hit at once.
func must(err error) {
	if err != nil {
		panic(err)
	}
}
