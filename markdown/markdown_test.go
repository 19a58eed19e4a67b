package markdown

import (
	"strings"
	"testing"
)

func TestRenderKeepsFormatting(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"**bold**", "<strong>bold</strong>"},
		{"```go\nx := 1\n```", `<code class="language-go">`},
		{"| a | b |\n|---|---|\n| 1 | 2 |", "<table>"},
		{"[site](https://example.com)", `href="https://example.com"`},
		{"[site](https://example.com)", `rel="nofollow noopener"`},
		{"- [x] done", `checked`},
	} {
		if got := string(Render(c.in)); !strings.Contains(got, c.want) {
			t.Errorf("Render(%q) = %q; want it to contain %q", c.in, got, c.want)
		}
	}
}

func TestRenderStripsHostileInput(t *testing.T) {
	for _, in := range []string{
		"<script>alert(1)</script>",
		"<img src=x onerror=alert(1)>",
		"[click](javascript:alert(1))",
		"[click](JaVaScRiPt:alert(1))",
		"[click](data:text/html;base64,PHNjcmlwdD4=)",
		"<a href=\"javascript:alert(1)\">x</a>",
		"<iframe src=\"https://evil.example\"></iframe>",
		"<div style=\"background:url(javascript:alert(1))\">x</div>",
		"![x](javascript:alert(1))",
		"<svg onload=alert(1)>",
		"<details open ontoggle=alert(1)>",
		"```\n</code><script>alert(1)</script>\n```",
		"<form action=https://evil.example><input name=x></form>",
	} {
		got := strings.ToLower(string(Render(in)))
		for _, bad := range []string{"<script", "onerror", "onload", "ontoggle", "javascript:", "<iframe", "style=", "<form", "data:text"} {
			if strings.Contains(got, bad) {
				t.Errorf("Render(%q) = %q contains %q", in, got, bad)
			}
		}
	}
}

func TestExcerpt(t *testing.T) {
	if got := Excerpt("# Title\n\nSome **bold** text", 100); got != "Title Some bold text" {
		t.Errorf("Excerpt = %q", got)
	}
	if got := Excerpt("abcdef", 4); got != "abc…" {
		t.Errorf("Excerpt = %q", got)
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{"**x**", "<script>x</script>", "[a](javascript:b)", "<img onerror=x>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := strings.ToLower(string(Render(in)))
		if strings.Contains(got, "<script") || strings.Contains(got, "javascript:") || strings.Contains(got, " onerror=") {
			t.Fatalf("unsafe output for %q: %q", in, got)
		}
	})
}
