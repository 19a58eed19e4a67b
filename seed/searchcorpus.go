package seed

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/reviews"
)

// SearchCorpus generates the search documents a `Scale` community of about
// the same size would hold, without a store: search benchmarks need a
// million documents, which would take far too long to seed. Document i is
// computed from Seed and i alone (random access, no memory per document),
// with Scale's word lists, titles, prose and tags.
//
// The mix follows Scale per thread: 1 thread, ~10 replies, ½ idea and ⅕
// review, so in every block of 117 documents 10 are threads, 100 replies
// (ten per thread, carrying its title and category), 5 ideas and 2 reviews.
// Scale's prose repeats twenty sentences, which gives every common word a
// huge document frequency but no rare words at all; real communities also
// have a long tail (names, error codes, jargon), so about half of the
// bodies get one extra sentence of Zipf-distributed made-up words, see
// RareWord.
type SearchCorpus struct {
	Seed uint64
}

// Document positions inside one block of SearchCorpus.
const (
	corpusBlock      = 117
	corpusThreads    = 10
	corpusPostsPer   = 10
	corpusIdeasAt    = corpusThreads * (1 + corpusPostsPer) // 110
	corpusReviewsAt  = corpusIdeasAt + 5                    // 115
	corpusUsers      = 20000
	corpusProducts   = 900
	corpusRareWords  = 200000
	corpusFirstMilli = 1.7e12
)

// Kind is the kind of document i.
func (c SearchCorpus) Kind(i int) string {
	switch j := i % corpusBlock; {
	case j < corpusThreads:
		return townhall.KindThread
	case j < corpusIdeasAt:
		return townhall.KindPost
	case j < corpusReviewsAt:
		return townhall.KindIdea
	default:
		return townhall.KindReview
	}
}

// ID is document i's id: fixed-width, so ids sort like positions.
func (c SearchCorpus) ID(i int) string { return fmt.Sprintf("%09d", i) }

// Doc returns document i; it is always visible.
func (c SearchCorpus) Doc(i int) *townhall.SearchDoc {
	g := &gen{rng: rand.New(rand.NewPCG(c.Seed, uint64(i)))}
	u := g.rng.IntN(corpusUsers)
	d := &townhall.SearchDoc{Kind: c.Kind(i), ID: c.ID(i), Visible: true,
		Author: personName(u), AuthorID: fmt.Sprintf("u%05d", u),
		Created: time.UnixMilli(corpusFirstMilli + int64(i)*30_000)}
	block, j := i/corpusBlock, i%corpusBlock
	switch d.Kind {
	case townhall.KindThread:
		d.Title, d.Category = c.thread(block*corpusThreads + j)
		d.Body = paragraphsText(g.rng, 1+g.rng.IntN(3)) + c.rare(g)
		d.URL = "/t/" + d.ID
		if g.rng.IntN(5) == 0 {
			d.Status = "solved"
		}
	case townhall.KindPost:
		k := (j - corpusThreads) / corpusPostsPer
		parent := block*corpusBlock + k
		d.Title, d.Category = c.thread(block*corpusThreads + k)
		d.ParentID = c.ID(parent)
		d.Body = paragraphsText(g.rng, 1+g.rng.IntN(2)) + c.rare(g)
		d.URL = forum.PostURL(d.ParentID, &forum.Post{ID: d.ID, Position: 1 + (j-corpusThreads)%corpusPostsPer})
		if g.rng.IntN(25) == 0 {
			d.Status = "accepted"
		}
	case townhall.KindIdea:
		d.Title = g.title()
		d.Body = paragraphsText(g.rng, 1+g.rng.IntN(2)) + c.rare(g)
		d.Tags = g.tags()
		d.Status = string(g.status())
		d.URL = "/ideas/" + d.ID
	case townhall.KindReview:
		p := g.rng.IntN(corpusProducts)
		name := fmt.Sprintf("%s %s %d", productAdjectives[p%len(productAdjectives)], productNouns[p/len(productAdjectives)%len(productNouns)], p+1)
		d.Title = g.title()
		d.Body = paragraphsText(g.rng, 1+g.rng.IntN(2)) + c.rare(g)
		d.Category = reviews.Slugify(name)
		d.ParentID = fmt.Sprintf("p%04d", p)
		d.URL = "/products/" + d.Category + "#review-" + d.ID
	}
	return d
}

// thread returns the title and category slug of the t-th thread, which its
// replies share.
func (c SearchCorpus) thread(t int) (title, category string) {
	g := &gen{rng: rand.New(rand.NewPCG(c.Seed^0x7468726561, uint64(t)))}
	category = forum.Slugify(forumCategories[g.rng.IntN(len(forumCategories))])
	return g.title() + "?", category
}

// rare is, for about half of the documents, one more paragraph of 3–8
// long-tail words.
func (c SearchCorpus) rare(g *gen) string {
	if g.rng.IntN(2) == 0 {
		return ""
	}
	z := rand.NewZipf(g.rng, 1.07, 1, corpusRareWords-1)
	n := 3 + g.rng.IntN(6)
	words := make([]string, n)
	for k := range words {
		words[k] = RareWord(int(z.Uint64()))
	}
	return "\n\nAlso seen with " + strings.Join(words, ", ") + "."
}

// paragraphsText is the Markdown source prose.paragraphs writes (same
// random draws, so the same text), without the HTML a store needs.
func paragraphsText(rng *rand.Rand, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString("\n\n")
		}
		for j := range 2 + rng.IntN(3) {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(pick(rng, sentences))
		}
	}
	return b.String()
}

// rareSyllables build RareWord's made-up words.
var rareSyllables = strings.Fields("ka lo mi ne ru ta vo zi be da fo gu hi ja ke lu ma no pi qu ra se ti ve wo xa yu zo")

// RareWord is the k-th word of SearchCorpus' long tail (k = 0 is the most
// frequent; the frequency of rank k falls roughly as 1/k).
func RareWord(k int) string {
	var b strings.Builder
	n := len(rareSyllables)
	for k++; k > 0; k /= n {
		b.WriteString(rareSyllables[k%n])
	}
	return b.String() + "x"
}
