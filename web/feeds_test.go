package web_test

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
)

// atomHead is what feeds and entries both have.
type atomHead struct {
	ID      string `xml:"id"`
	Title   string `xml:"title"`
	Updated string `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Author struct {
		Name string `xml:"name"`
	} `xml:"author"`
}

// atom is what the tests read of a feed, with a real XML parser.
type atom struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	atomHead
	Entries []atomEntryOut `xml:"entry"`
}

type atomEntryOut struct {
	atomHead
	Content struct {
		Type string `xml:"type,attr"`
		Body string `xml:",chardata"`
	} `xml:"content"`
}

func (f *atom) link(rel string) string {
	for _, l := range f.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

// getFeed fetches and parses a feed, checking what RFC 4287 requires of
// the feed and of every entry.
func getFeed(t *testing.T, c *apptest.Client, base, path string) (*atom, *http.Response) {
	t.Helper()
	res, body := c.Get(path)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
		t.Fatalf("%s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
	}
	var f atom
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatalf("%s is not Atom: %v\n%s", path, err, body)
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil || f.ID == "" || f.Title == "" || f.Author.Name == "" ||
		f.link("self") != base+path || !strings.HasPrefix(f.link("alternate"), base+"/") {
		t.Fatalf("%s: feed head %+v", path, f)
	}
	ids := map[string]bool{}
	for _, e := range f.Entries {
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil || !strings.HasPrefix(e.ID, "tag:127.0.0.1,") || ids[e.ID] ||
			e.Title == "" || e.Author.Name == "" || e.Content.Type != "html" || len(e.Links) != 1 || !strings.HasPrefix(e.Links[0].Href, base+"/") {
			t.Fatalf("%s: entry %+v", path, e)
		}
		ids[e.ID] = true
	}
	return &f, res
}

func entryTitles(f *atom) []string {
	var out []string
	for _, e := range f.Entries {
		out = append(out, e.Title)
	}
	return out
}

func hasEntry(f *atom, title string) bool {
	for _, e := range f.Entries {
		if e.Title == title {
			return true
		}
	}
	return false
}

// TestFeeds: every feed is valid Atom with stable ids, absolute links and
// escaped content, shows only what visitors see (nothing hidden, even to
// a moderator), and is linked from its page.
func TestFeeds(t *testing.T) {
	s := newChangelogSite(t)
	env, base := s.env, s.env.URL
	var cat apiCategory
	s.admin.JSON("POST", "/api/v1/categories", map[string]any{"name": "Support"}, http.StatusCreated, &cat)
	var th, secret apiThread
	s.ann.JSON("POST", "/api/v1/threads", map[string]string{"category": cat.Slug, "title": "Export <b>bold</b> & more", "body": "How do I *export*?"}, http.StatusCreated, &th)
	s.bob.JSON("POST", "/api/v1/threads/"+th.ID+"/posts", map[string]string{"body": "Use the menu."}, http.StatusCreated, nil)
	var spam apiPost
	s.bob.JSON("POST", "/api/v1/threads/"+th.ID+"/posts", map[string]string{"body": "Buy pills"}, http.StatusCreated, &spam)
	s.mod.JSON("POST", "/api/v1/posts/"+spam.ID+"/hide", nil, http.StatusOK, nil)
	s.ann.JSON("POST", "/api/v1/threads", map[string]string{"category": cat.Slug, "title": "Secret thread", "body": "x"}, http.StatusCreated, &secret)
	s.mod.JSON("POST", "/api/v1/threads/"+secret.ID+"/hide", nil, http.StatusOK, nil)
	s.pm.JSON("PUT", "/api/v1/ideas/"+s.plan.ID+"/status", map[string]any{"status": "in_progress", "reason": "Started <today>"}, http.StatusOK, nil)
	// A moderator's cookie must not let hidden content into a feed.
	mod := s.mod

	t.Run("threads", func(t *testing.T) {
		f, _ := getFeed(t, mod, base, "/feeds/threads.atom")
		if !hasEntry(f, "Export <b>bold</b> & more") || hasEntry(f, "Secret thread") {
			t.Fatalf("entries %q", entryTitles(f))
		}
		_, raw := mod.Get("/feeds/threads.atom")
		if !strings.Contains(raw, "Export &lt;b&gt;bold&lt;/b&gt; &amp; more") || !strings.Contains(raw, "&lt;em&gt;export&lt;/em&gt;") {
			t.Fatal("titles and content are not escaped in the XML")
		}
	})
	t.Run("category", func(t *testing.T) {
		f, _ := getFeed(t, mod, base, "/feeds/c/"+cat.Slug+".atom")
		if len(f.Entries) != 1 || f.Entries[0].Title != "Export <b>bold</b> & more" || !strings.Contains(f.Entries[0].Content.Body, "<em>export</em>") {
			t.Fatalf("entries %q", entryTitles(f))
		}
		if res, _ := mod.Get("/feeds/c/nope.atom"); res.StatusCode != 404 {
			t.Fatalf("unknown category's feed: %d", res.StatusCode)
		}
	})
	t.Run("thread", func(t *testing.T) {
		f, _ := getFeed(t, mod, base, "/feeds/t/"+th.ID+".atom")
		if len(f.Entries) != 1 || f.Entries[0].Author.Name != "Bob" || !strings.Contains(f.Entries[0].Content.Body, "Use the menu.") {
			t.Fatalf("entries %+v", f.Entries)
		}
		for _, path := range []string{"/feeds/t/" + secret.ID + ".atom", "/feeds/t/" + th.ID, "/feeds/t/nope.atom"} {
			if res, _ := mod.Get(path); res.StatusCode != 404 {
				t.Errorf("%s: %d, want 404", path, res.StatusCode)
			}
		}
	})
	t.Run("ideas", func(t *testing.T) {
		f, _ := getFeed(t, mod, base, "/feeds/ideas.atom")
		if !hasEntry(f, "Dark mode") || hasEntry(f, "Hidden shipped idea") || hasEntry(f, "Export to spreadsheet") {
			t.Fatalf("entries %q", entryTitles(f))
		}
	})
	t.Run("idea status changes", func(t *testing.T) {
		f, _ := getFeed(t, mod, base, "/feeds/ideas/"+s.plan.ID+".atom")
		if got := entryTitles(f); len(got) != 2 || got[0] != "“Planned idea” is now In progress" || got[1] != "“Planned idea” is now Planned" {
			t.Fatalf("entries %q", got)
		}
		if !strings.Contains(f.Entries[0].Content.Body, "Started &lt;today&gt;") || f.Entries[0].Author.Name != "Pat" {
			t.Fatalf("entry %+v", f.Entries[0])
		}
		if res, _ := mod.Get("/feeds/ideas/" + s.hidden.ID + ".atom"); res.StatusCode != 404 {
			t.Fatalf("hidden idea's feed: %d", res.StatusCode)
		}
	})
	t.Run("changelog", func(t *testing.T) {
		f, _ := getFeed(t, mod, base, "/feeds/changelog.atom")
		if got := entryTitles(f); len(got) != 2 || got[0] != "Dark mode" || got[1] != "CSV export" || !strings.Contains(f.Entries[1].Content.Body, "3 customers asked for this") {
			t.Fatalf("entries %q", got)
		}
	})
	t.Run("pages link their feeds", func(t *testing.T) {
		for page, feed := range map[string]string{
			"/":                  "/feeds/threads.atom",
			"/forum":             "/feeds/threads.atom",
			"/c/" + cat.Slug:     "/feeds/c/" + cat.Slug + ".atom",
			"/t/" + th.ID:        "/feeds/t/" + th.ID + ".atom",
			"/ideas":             "/feeds/ideas.atom",
			"/ideas/" + s.csv.ID: "/feeds/ideas/" + s.csv.ID + ".atom",
			"/ideas/roadmap":     "/feeds/changelog.atom",
			"/changelog":         "/feeds/changelog.atom",
		} {
			_, body := env.Anonymous(t).Get(page)
			if !strings.Contains(body, `<link rel="alternate" type="application/atom+xml"`) || !strings.Contains(body, `href="`+feed+`">`) {
				t.Errorf("%s does not link %s", page, feed)
			}
		}
	})
}

// TestFeedConditionalGet: a reader sending back the ETag or the
// Last-Modified date gets 304 until the feed changes, also when the page
// cache serves the feed.
func TestFeedConditionalGet(t *testing.T) {
	for name, ttl := range map[string]time.Duration{"no cache": 0, "page cache": time.Minute} {
		t.Run(name, func(t *testing.T) {
			env := apptest.Start(t, apptest.WithConfig(func(c *app.Config) { c.AnonPageCache = ttl }))
			env.Client(t, "Ada", "")
			ann := env.Client(t, "Ann", "")
			pm := env.Client(t, "Pat", townhall.RoleProduct) // a staff write clears the page cache
			propose(t, ann, "First idea")
			reader := env.Anonymous(t)
			_, res := getFeed(t, reader, env.URL, "/feeds/ideas.atom")
			etag, modified := res.Header.Get("ETag"), res.Header.Get("Last-Modified")
			if etag == "" || modified == "" {
				t.Fatalf("ETag %q, Last-Modified %q", etag, modified)
			}
			for _, h := range []http.Header{{"If-None-Match": {etag}}, {"If-None-Match": {`"other", W/` + etag}}, {"If-Modified-Since": {modified}}} {
				reader.Header = h
				res, body := reader.Get("/feeds/ideas.atom")
				if res.StatusCode != http.StatusNotModified || body != "" || res.Header.Get("ETag") != etag {
					t.Fatalf("%v: %d, %d bytes", h, res.StatusCode, len(body))
				}
			}
			reader.Header = http.Header{"If-None-Match": {`"stale"`}}
			if res, _ := reader.Get("/feeds/ideas.atom"); res.StatusCode != 200 {
				t.Fatalf("a stale ETag: %d", res.StatusCode)
			}
			time.Sleep(1100 * time.Millisecond) // a second later, so Last-Modified moves too
			propose(t, pm, "Second idea")
			for _, h := range []http.Header{{"If-None-Match": {etag}}, {"If-Modified-Since": {modified}}} {
				reader.Header = h
				res, body := reader.Get("/feeds/ideas.atom")
				if res.StatusCode != 200 || !strings.Contains(body, "Second idea") || res.Header.Get("ETag") == etag {
					t.Fatalf("after a new idea, %v: %d", h, res.StatusCode)
				}
			}
		})
	}
}
