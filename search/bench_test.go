package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
)

// corpusSource generates a synthetic community of n documents on the fly
// (no memory per document): a Zipf-distributed vocabulary, ~300-word
// bodies like forum posts, every kind, a few tags and statuses.
type corpusSource struct{ n int }

var benchVocab = func() []string {
	base := strings.Fields(`dashboard export import report chart login password account billing invoice
	mobile app android ios offline sync notification email webhook api token integration slack
	calendar reminder search filter sort label tag project task team permission role admin
	theme dark mode font layout sidebar widget performance slow crash error bug timeout upload
	download file attachment image video comment reply thread vote idea roadmap release update
	price plan trial upgrade downgrade refund support help question answer guide tutorial`)
	out := base
	for i := 0; len(out) < 5000; i++ {
		out = append(out, base[i%len(base)]+strconv.Itoa(i))
	}
	return out
}()

func (c corpusSource) words(r *rand.Rand, z *rand.Zipf, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(benchVocab[z.Uint64()])
	}
	return b.String()
}

func (c corpusSource) doc(i int) *townhall.SearchDoc {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	z := rand.NewZipf(r, 1.1, 2, uint64(len(benchVocab)-1))
	kind := Kinds[i%len(Kinds)]
	d := &townhall.SearchDoc{
		Kind: kind, ID: fmt.Sprintf("%08d", i), Visible: true,
		Title:   c.words(r, z, 6),
		Body:    c.words(r, z, 300),
		Tags:    []string{benchVocab[r.IntN(20)]},
		Created: time.Unix(1.7e9+int64(i), 0),
	}
	if kind == townhall.KindIdea {
		d.Status = []string{"open", "planned", "started", "done"}[r.IntN(4)]
	}
	d.URL = "/" + kind + "s/" + d.ID
	return d
}

func (c corpusSource) Changes(ctx context.Context, after int64, limit int) ([]townhall.Change, error) {
	var out []townhall.Change
	for s := int(after) + 1; s <= c.n && len(out) < limit; s++ {
		out = append(out, townhall.Change{Seq: int64(s), Kind: Kinds[(s-1)%len(Kinds)], ID: fmt.Sprintf("%08d", s-1)})
	}
	return out, nil
}

func (c corpusSource) LastChange(ctx context.Context) (int64, error) { return int64(c.n), nil }

func (c corpusSource) SearchDocument(ctx context.Context, kind, id string) (*townhall.SearchDoc, error) {
	i, err := strconv.Atoi(id)
	if err != nil || i >= c.n {
		return &townhall.SearchDoc{Kind: kind, ID: id}, nil
	}
	return c.doc(i), nil
}

func (c corpusSource) SearchKinds() []string { return Kinds }

func (c corpusSource) SearchIDs(ctx context.Context, kind, after string, limit int) ([]string, error) {
	return nil, nil // benchmarks index through the feed
}

// BenchmarkQuery measures query latency over a generated corpus of
// TOWNHALL_BENCH_DOCS documents (default 2,000 so CI stays fast). Set
// TOWNHALL_BENCH_INDEX to a directory to keep the index between runs: at 1M
// documents building it takes minutes.
func BenchmarkQuery(b *testing.B) {
	n := 2000
	if v := os.Getenv("TOWNHALL_BENCH_DOCS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("TOWNHALL_BENCH_DOCS=%q is not a positive number", v)
		}
	}
	dir := b.TempDir()
	if d := os.Getenv("TOWNHALL_BENCH_INDEX"); d != "" {
		dir = filepath.Join(d, fmt.Sprintf("zipf-%d", n)) // BenchmarkSearchMix has its own
	}
	src := corpusSource{n: n}
	x, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	start := time.Now()
	if err := NewIndexer(x, src, nil).CatchUp(context.Background()); err != nil {
		b.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		b.Logf("indexed %d docs in %v (%.0f docs/s)", n, d, float64(n)/d.Seconds())
	}
	svc := NewService(x, src)
	svc.Timeout = time.Minute // measure, do not cut off
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		q    Query
	}{
		{"term", Query{Text: "webhook"}},
		{"term-with-facets", Query{Text: "webhook", Facets: true}},
		{"two-terms-and", Query{Text: "export dashboard"}},
		{"phrase", Query{Text: `"dark mode"`}},
		{"kind-filter", Query{Text: "login", Kind: townhall.KindIdea}},
		{"tag-filter-page3", Query{Text: "sync", Tag: "login", Page: 3}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.Search(ctx, bc.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("similar-idea", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Similar(ctx, townhall.KindIdea, "export the dashboard report as csv", 5); err != nil {
				b.Fatal(err)
			}
		}
	})
}
