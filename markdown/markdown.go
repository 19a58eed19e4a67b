// Package markdown turns user-written Markdown into HTML that is safe to put
// on a page. Services render once at write time and store the HTML next to
// the source, so pages never pay for rendering.
package markdown

import (
	"bytes"
	"html/template"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

var (
	md = goldmark.New(
		goldmark.WithExtensions(extension.GFM), // tables, strikethrough, autolinks, task lists
		// Raw HTML in the source is dropped by goldmark; bluemonday below is
		// the real guard, this only keeps the output tidy.
		goldmark.WithRendererOptions(html.WithHardWraps()),
	)
	policy = newPolicy()
)

func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[\w+-]{1,30}$`)).OnElements("code")
	p.AllowAttrs("type", "checked", "disabled").OnElements("input")
	return p
}

// Render converts Markdown source to sanitized HTML.
func Render(src string) template.HTML {
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		// goldmark only fails on writer errors; fall back to escaped text.
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(policy.SanitizeBytes(buf.Bytes()))
}

// Sanitize cleans HTML from any source with the same policy as Render.
func Sanitize(h string) template.HTML { return template.HTML(policy.Sanitize(h)) }

// Excerpt returns the first n runes of the Markdown source as plain text
// with Markdown punctuation collapsed, for cards and notifications.
func Excerpt(src string, n int) string {
	s := strings.Join(strings.Fields(stripMarks.Replace(src)), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

var stripMarks = strings.NewReplacer("#", "", "*", "", "`", "", ">", "", "_", " ", "[", "", "]", " ", "|", " ")

// Links counts the links the Markdown source renders to (written ones,
// bare URLs turned into links, and links around images), as a page would
// show them.
func Links(src string) int {
	return strings.Count(string(Render(src)), "<a ")
}
