package search

import (
	"html"
	"html/template"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

var (
	mdImage    = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	mdLink     = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	mdLineMark = regexp.MustCompile(`(?m)^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+|` + "```" + `[^\n]*|~~~[^\n]*)`)
	mdInline   = regexp.MustCompile("\\*+|__|~~|`")
)

// plainText turns Markdown source into the words a reader sees: link and
// image text without URLs, no heading, quote, list or emphasis markers. It
// is what gets indexed and what snippets are cut from, so offsets agree.
func plainText(md string) string {
	s := md
	if strings.Contains(s, "](") { // skip the regexps for the common case
		s = mdImage.ReplaceAllString(s, "$1")
		s = mdLink.ReplaceAllString(s, "$1")
	}
	if strings.ContainsAny(s, "#>-*+~`0123456789") {
		s = mdLineMark.ReplaceAllString(s, "")
	}
	if strings.ContainsAny(s, "*_~`") {
		s = mdInline.ReplaceAllString(s, "")
	}
	return strings.Join(strings.Fields(s), " ")
}

// snippetRunes is roughly how much text a result shows.
const snippetRunes = 220

// highlight returns text as HTML with every token whose analyzed term is in
// terms wrapped in <mark>. Everything else is escaped: indexed text is user
// content and never trusted as HTML. With max > 0 it cuts the window of
// about max runes holding the most matches, with ellipses.
func highlight(a analysis.Analyzer, text string, terms map[string]bool, max int) template.HTML {
	var hits []*analysis.Token
	if len(terms) > 0 && a != nil {
		for _, t := range a.Analyze([]byte(text)) {
			if terms[string(t.Term)] {
				hits = append(hits, t)
			}
		}
	}
	start, end := 0, len(text)
	if max > 0 && utf8.RuneCountInString(text) > max {
		start, end = window(text, hits, max)
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString("… ")
	}
	pos := start
	for _, t := range hits {
		if t.Start < pos || t.End > end {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:t.Start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[t.Start:t.End]))
		b.WriteString("</mark>")
		pos = t.End
	}
	b.WriteString(html.EscapeString(text[pos:end]))
	if end < len(text) {
		b.WriteString(" …")
	}
	return template.HTML(b.String()) // built only from escaped text and our own tags
}

// window picks byte offsets of a ~max-rune span covering the most hits,
// snapped to word boundaries.
func window(text string, hits []*analysis.Token, max int) (int, int) {
	// Work in bytes but budget in runes by measuring the chosen span.
	best, bestCount := 0, 0
	for i, h := range hits {
		n := 0
		for _, g := range hits[i:] {
			if utf8.RuneCountInString(text[h.Start:g.End]) > max {
				break
			}
			n++
		}
		if n > bestCount {
			best, bestCount = i, n
		}
	}
	start := 0
	if bestCount > 0 {
		// Give the first hit some leading context.
		start = hits[best].Start
		for back := 0; start > 0 && back < max/4; back++ {
			_, size := utf8.DecodeLastRuneInString(text[:start])
			start -= size
		}
		if i := strings.IndexByte(text[start:hits[best].Start], ' '); i >= 0 && start > 0 {
			start += i + 1
		}
	}
	end, n := start, 0
	for end < len(text) && n < max {
		_, size := utf8.DecodeRuneInString(text[end:])
		end += size
		n++
	}
	if end < len(text) {
		if i := strings.LastIndexByte(text[start:end], ' '); i > 0 {
			end = start + i
		}
	}
	return start, end
}
