package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
)

type searchItem struct {
	Kind, ID, Title, Snippet, URL string
}

type searchPage struct {
	Items []searchItem
	Total int
	Page  int
	Pages int
}

func TestSearchMalformedQueriesAre400(t *testing.T) {
	env := apptest.Start(t)
	c := env.Anonymous(t)
	for _, tc := range []struct{ query, want string }{
		{`q="unclosed`, "quotation mark"},
		{"q=", "at least one word"},
		{"q=-alone", "at least one word"},
		{"q=" + strings.Repeat("x", 201), "too long"},
		{"q=the", "common words"},
		{"q=ok&kind=users", "Unknown kind"},
		{"q=ok&page=999", "first 1000"},
	} {
		msg := c.WantError("GET", "/api/v1/search?"+strings.ReplaceAll(tc.query, `"`, "%22"), nil, http.StatusBadRequest, townhall.EINVALID)
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s: message %q does not mention %q", tc.query, msg, tc.want)
		}
	}
	// Other engines' syntax is plain text here: never a 500.
	for _, q := range []string{"title:x", "a~2", "(a", "+a", "a*", "/a.*/", `\`, "a AND OR"} {
		res, body := c.Do("GET", "/api/v1/search?q="+url.QueryEscape(q), nil)
		if res.StatusCode != 200 && res.StatusCode != 400 {
			t.Errorf("%q: %d %s", q, res.StatusCode, body)
		}
	}
	// The page shows the message, keeps what was typed, and answers 400.
	res, body := c.Get("/search?q=" + url.QueryEscape(`"dark mode`))
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "quotation mark") || !strings.Contains(body, `value="&#34;dark mode"`) {
		t.Fatalf("page with a malformed query: %d\n%.3000s", res.StatusCode, body)
	}
}

func TestSearchPageWithoutQuery(t *testing.T) {
	env := apptest.Start(t)
	res, body := env.Anonymous(t).Get("/search")
	if res.StatusCode != 200 || !strings.Contains(body, `<label for="search-q">`) || !strings.Contains(body, `aria-current="page">Search<`) {
		t.Fatalf("search page: %d\n%.2000s", res.StatusCode, body)
	}
	if strings.Contains(body, "No results") {
		t.Fatal("an empty search must not say there are no results")
	}
}

func TestSimilarOnEmptySite(t *testing.T) {
	env := apptest.Start(t)
	c := env.Anonymous(t)
	var out struct{ Items []searchItem }
	b := c.JSON("GET", "/api/v1/search/similar?q=dark+mode&kind=idea", nil, 200, &out)
	if out.Items == nil || len(out.Items) != 0 || !strings.Contains(string(b), `"items":[]`) {
		t.Fatalf("similar on an empty site: %s", b)
	}
	c.WantError("GET", "/api/v1/search/similar?q=x&kind=bogus", nil, 400, townhall.EINVALID)
}
