package search

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/townhall/townhall"
)

// TestVersion1IndexStillAnswers: an index built before mapping version 2
// (title and body fields with positions) keeps answering, the old way,
// until `townhall reindex` replaces it.
func TestVersion1IndexStillAnswers(t *testing.T) {
	dir := t.TempDir()
	name := livePrefix + townhall.NewID()
	text := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = en.AnalyzerName
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("title", text())
	doc.AddFieldMappingsAt("body", text())
	doc.AddFieldMappingsAt(fieldKind, bleve.NewKeywordFieldMapping())
	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	b, err := bleve.New(filepath.Join(dir, name), m)
	if err != nil {
		t.Fatal(err)
	}
	src := newMemSource()
	seed(src)
	batch := b.NewBatch()
	for _, d := range src.docs {
		if err := batch.Index(docID(d.Kind, d.ID), map[string]any{"title": d.Title, "body": plainText(d.Body), fieldKind: d.Kind}); err != nil {
			t.Fatal(err)
		}
	}
	batch.SetInternal(keyMapping, []byte("1"))
	batch.SetInternal(keySeq, []byte("1000"))
	if err := b.Batch(batch); err != nil {
		t.Fatal(err)
	}
	b.Close()
	if err := writeCurrent(dir, name); err != nil {
		t.Fatal(err)
	}

	x := openTest(t, dir)
	if !x.Outdated() {
		t.Fatal("a version 1 index is not reported as outdated")
	}
	svc := NewService(x, src)
	for q, want := range map[string]string{
		"dashboard seconds": "t1",
		`"dashboard takes"`: "t1",
		`"dark dashboard"`:  "",
		"dashboard -dark":   "t1",
		"exports":           "i2 r1",
	} {
		res, err := svc.Search(context.Background(), Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(res.Items); !sameSet(got, strings.Fields(want)) {
			t.Errorf("%s: got %v, want %v", q, got, want)
		}
	}
	// Its facets come from its own kind field.
	res, err := svc.Search(context.Background(), Query{Text: "exports", Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []Facet{{townhall.KindIdea, 1}, {townhall.KindReview, 1}}
	if !slices.Equal(res.Kinds, want) || res.FacetsSampled {
		t.Errorf("facets of a version 1 index: %+v (sampled %v), want %+v", res.Kinds, res.FacetsSampled, want)
	}
}
