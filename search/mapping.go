package search

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/townhall/townhall"
)

// mappingVersion is stored in every index; bump it when newMapping changes
// so operators know to run `townhall reindex`.
const mappingVersion = "1"

// Field names in the index.
const (
	fieldTitle    = "title"
	fieldBody     = "body"
	fieldKind     = "kind"
	fieldTags     = "tags"
	fieldStatus   = "status"
	fieldCategory = "category"
	fieldAuthor   = "author"
	fieldCreated  = "created"
)

// toDocument is what one entity looks like to Bleve. Empty keyword values
// are left out so facets do not count a blank status. Only the title is
// stored: results are re-read from the store (which also re-checks
// visibility) and snippets are cut from that fresh text, so storing bodies
// would cost ~1.4 KB per document for nothing.
func toDocument(d *townhall.SearchDoc) map[string]any {
	doc := map[string]any{
		fieldTitle: d.Title,
		fieldBody:  plainText(d.Body),
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
	var tags []string
	for _, t := range d.Tags {
		if t != "" {
			tags = append(tags, t)
		}
	}
	if len(tags) > 0 {
		doc[fieldTags] = tags
	}
	return doc
}

// newMapping is the index mapping: English analysis (stemming, stop words)
// on title and body with term vectors so phrase queries work; exact
// keywords for filters and facets; the creation date.
func newMapping() mapping.IndexMapping {
	text := func(store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = en.AnalyzerName
		f.Store = store
		f.IncludeTermVectors = true
		f.IncludeInAll = false
		return f
	}
	keyword := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldTitle, text(true))
	doc.AddFieldMappingsAt(fieldBody, text(false))
	for _, f := range []string{fieldKind, fieldTags, fieldStatus, fieldCategory, fieldAuthor} {
		doc.AddFieldMappingsAt(f, keyword())
	}
	created := bleve.NewDateTimeFieldMapping()
	created.Store = false
	created.IncludeInAll = false
	doc.AddFieldMappingsAt(fieldCreated, created)

	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = en.AnalyzerName
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m
}
