package web

import (
	"html/template"
	"strings"
	"testing"
)

// TestEscapersMatchHTMLTemplate holds the hand-written escapers to what
// html/template writes for the same value in the same place, including
// the strings their fast paths hand back unchanged.
func TestEscapersMatchHTMLTemplate(t *testing.T) {
	page := template.Must(template.New("").Parse(
		`<a title="{{.}}">{{.}}</a>|<a href="{{.}}">|<a href="/search?q={{.}}">`))
	for _, s := range []string{
		"",
		"plain",
		"01JF8ZK3W5Q6V7X8Y9ABCDEF",
		"/t/01JF8ZK3W5Q6V7X8Y9ABCDEF/how-to-export?page=3#post-9",
		"Ada & Grace's \"tips\" <b>+1</b>",
		"héllo wörld ✓",
		"nul\x00byte",
		"javascript:alert(1)",
		"JavaScript:alert(1)",
		"mailto:ada@example.com",
		"https://example.com/a b?x=1&y=<2>",
		"/p/100%25done%zz%4",
		"a/b:c",
		"'quoted'",
		"~tilde_and-dash.",
		"!#$&*+,/:;=?@[]",
	} {
		var want strings.Builder
		if err := page.Execute(&want, s); err != nil {
			t.Fatal(err)
		}
		got := `<a title="` + attrEscape(s) + `">` + attrEscape(s) + `</a>|<a href="` +
			attrEscape(safeURL(s)) + `">|<a href="/search?q=` + urlProcess(s, false) + `">`
		if got != want.String() {
			t.Errorf("%q:\n got %s\nwant %s", s, got, want.String())
		}
	}
}
