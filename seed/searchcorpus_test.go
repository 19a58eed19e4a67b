package seed

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/townhall/townhall"
)

func TestSearchCorpusWritesScalesProse(t *testing.T) {
	for n := 1; n <= 3; n++ {
		got := paragraphsText(rand.New(rand.NewPCG(7, uint64(n))), n)
		want, _, err := newProse(rand.New(rand.NewPCG(7, uint64(n))), 1).paragraphs(n)
		if err != nil || got != want {
			t.Fatalf("%d paragraphs: got %q, want Scale's %q (%v)", n, got, want, err)
		}
	}
}

func TestSearchCorpusIsDeterministicAndMixed(t *testing.T) {
	c := SearchCorpus{Seed: 1}
	kinds := map[string]int{}
	for i := range 2 * corpusBlock {
		d := c.Doc(i)
		if !reflect.DeepEqual(d, c.Doc(i)) || d.Kind != c.Kind(i) || d.ID != c.ID(i) || !d.Visible || d.Title == "" || d.Body == "" || d.URL == "" {
			t.Fatalf("document %d: %+v", i, d)
		}
		kinds[d.Kind]++
		if d.Kind == townhall.KindPost && c.Doc(i).Title != c.Doc(corpusBlock*(i/corpusBlock)+(i%corpusBlock-corpusThreads)/corpusPostsPer).Title {
			t.Fatalf("reply %d does not carry its thread's title", i)
		}
	}
	want := map[string]int{townhall.KindThread: 20, townhall.KindPost: 200, townhall.KindIdea: 10, townhall.KindReview: 4}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("mix %v, want %v", kinds, want)
	}
}
