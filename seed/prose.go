package seed

import (
	"fmt"
	"html/template"
	"math/rand/v2"
	"strings"

	"github.com/townhall/townhall/markdown"
)

// prose writes generated Markdown together with its HTML. markdown.Render
// costs about 175 µs for a short post (mostly sanitizing), which for a
// million posts is minutes of CPU; generated text is made of plain
// sentences from a fixed list, and such a paragraph renders to "<p>" + the
// sentences' own HTML joined by spaces + "</p>\n". So prose renders each
// sentence once and assembles the rest, and checks the assembly against
// markdown.Render on a sample of the texts it makes (and on every text in
// the tests), failing the seed rather than storing HTML the service would
// not have rendered.
type prose struct {
	rng   *rand.Rand
	inner map[string]string        // sentence → its HTML inside <p>
	whole map[string]template.HTML // fixed texts → markdown.Render
	made  int
	every int // check every n-th text with markdown.Render; 1 checks all
}

func newProse(rng *rand.Rand, every int) *prose {
	return &prose{rng: rng, inner: map[string]string{}, whole: map[string]template.HTML{}, every: max(1, every)}
}

// sentenceHTML is a sentence's HTML inside its paragraph.
func (p *prose) sentenceHTML(s string) string {
	if h, ok := p.inner[s]; ok {
		return h
	}
	full := string(markdown.Render(s))
	h, ok := strings.CutPrefix(full, "<p>")
	if h, ok2 := strings.CutSuffix(h, "</p>\n"); ok && ok2 {
		p.inner[s] = h
		return h
	}
	panic(fmt.Sprintf("seed: sentence %q does not render as one paragraph: %q", s, full))
}

// paragraphs makes n short paragraphs of customer-ish prose and their HTML.
func (p *prose) paragraphs(n int) (string, template.HTML, error) {
	var src, html strings.Builder
	for i := range n {
		if i > 0 {
			src.WriteString("\n\n")
		}
		html.WriteString("<p>")
		for j := range 2 + p.rng.IntN(3) {
			if j > 0 {
				src.WriteByte(' ')
				html.WriteByte(' ')
			}
			s := pick(p.rng, sentences)
			src.WriteString(s)
			html.WriteString(p.sentenceHTML(s))
		}
		html.WriteString("</p>\n")
	}
	return p.checked(src.String(), template.HTML(html.String()))
}

// fixed renders one of the generator's fixed texts (responses), once each.
func (p *prose) fixed(src string) (template.HTML, error) {
	h, ok := p.whole[src]
	if !ok {
		h = markdown.Render(src)
		p.whole[src] = h
	}
	_, h, err := p.checked(src, h)
	return h, err
}

// checked compares every n-th text's assembled HTML with markdown.Render.
func (p *prose) checked(src string, html template.HTML) (string, template.HTML, error) {
	p.made++
	if p.made%p.every == 0 {
		if want := markdown.Render(src); want != html {
			return "", "", fmt.Errorf("seed: generated HTML differs from markdown.Render for %q:\n got %q\nwant %q", src, html, want)
		}
	}
	return src, html, nil
}
