package search

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
)

func seed(src *memSource) {
	src.put(townhall.SearchDoc{Kind: townhall.KindIdea, ID: "i1", Title: "Dark mode for the dashboard", Body: "Please add a **dark** theme; my eyes hurt at night.", Tags: []string{"ui"}, Status: "planned"})
	src.put(townhall.SearchDoc{Kind: townhall.KindIdea, ID: "i2", Title: "Export reports to CSV", Body: "We need CSV export of monthly reports for finance.", Tags: []string{"reports"}, Status: "open"})
	src.put(townhall.SearchDoc{Kind: townhall.KindThread, ID: "t1", Title: "Dashboard is slow", Body: "Since the update the dashboard takes 10 seconds. Mode: compact.", Tags: []string{"performance", "ui"}, Category: "help"})
	src.put(townhall.SearchDoc{Kind: townhall.KindPost, ID: "p1", ParentID: "t1", Title: "Re: Dashboard is slow", Body: "Try clearing the cache. <script>alert(1)</script> the dark side of caching.", URL: "/t/t1#post-p1"})
	src.put(townhall.SearchDoc{Kind: townhall.KindReview, ID: "r1", Title: "Great product", Body: "Exporting is easy and the mobile app works offline.", Category: "acme-app"})
}

func ids(rs []Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestSearchQueries(t *testing.T) {
	src := newMemSource()
	seed(src)
	x := openTest(t, t.TempDir())
	catchUp(t, x, src)
	svc := NewService(x, src)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		q    Query
		want string
	}{
		{"one word, stemmed", Query{Text: "exports"}, "i2 r1"},
		{"words are ANDed", Query{Text: "dashboard seconds"}, "t1"},
		{"stop words ignored", Query{Text: "the dashboard"}, "i1 t1 p1"},
		{"phrase", Query{Text: `"dashboard takes"`}, "t1"},
		{"phrase does not match scattered words", Query{Text: `"dark dashboard"`}, ""},
		{"phrase in the title", Query{Text: `"dark mode"`}, "i1"},
		{"phrase keeps its word order", Query{Text: `"takes dashboard"`}, ""},
		{"phrase of several words", Query{Text: `"dashboard takes 10 seconds"`}, "t1"},
		{"phrase with a leading stop word", Query{Text: `"the dashboard takes"`}, "t1"},
		{"phrase across stop words", Query{Text: `"mode for the dashboard"`}, "i1"},
		{"phrase needs the stop words' gap", Query{Text: `"mode dashboard"`}, ""},
		{"phrase in different values", Query{Text: `"slow since"`}, ""},
		{"excluded phrase", Query{Text: `dashboard -"dashboard takes"`}, "i1 p1"},
		{"exclusion", Query{Text: "dashboard -dark"}, "t1"},
		{"kind filter", Query{Text: "dashboard", Kind: townhall.KindThread}, "t1"},
		{"tag filter", Query{Text: "dashboard", Tag: "ui"}, "i1 t1"},
		{"status filter", Query{Text: "dashboard", Status: "planned"}, "i1"},
		{"category filter", Query{Text: "export", Category: "acme-app"}, "r1"},
		{"markdown markers are not words", Query{Text: "dark theme"}, "i1"},
		{"no match", Query{Text: "kubernetes"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := svc.Search(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(res.Items)
			want := strings.Fields(tc.want)
			if !sameSet(got, want) || res.Total != len(want) {
				t.Fatalf("got %v (total %d), want %v", got, res.Total, want)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestMalformedQueriesAreInvalid(t *testing.T) {
	src := newMemSource()
	seed(src)
	x := openTest(t, t.TempDir())
	catchUp(t, x, src)
	svc := NewService(x, src)
	for _, tc := range []struct {
		q    Query
		want string
	}{
		{Query{Text: `"dark mode`}, "quotation mark"},
		{Query{Text: ""}, "at least one word"},
		{Query{Text: "-dark"}, "at least one word"},
		{Query{Text: "the and of"}, "common words"},
		{Query{Text: strings.Repeat("a", MaxQueryRunes+1)}, "too long"},
		{Query{Text: "bad\xff"}, "UTF-8"},
		{Query{Text: "dark", Kind: "user"}, "Unknown kind"},
		{Query{Text: "dark", Page: 1000}, "first 1000 results"},
		{Query{Text: "dark", Tag: "x\x00"}, "control characters"},
	} {
		_, err := svc.Search(context.Background(), tc.q)
		if townhall.ErrorCode(err) != townhall.EINVALID || !strings.Contains(townhall.ErrorMessage(err), tc.want) {
			t.Errorf("%+v: err %v, want EINVALID mentioning %q", tc.q, err, tc.want)
		}
	}
	// Query syntax of other engines is just text here, never an error.
	for _, q := range []string{"title:dark", "dark~2", "(dark", "+dark", "dark*", "/dar.*/", "dark AND", `\`} {
		if _, err := svc.Search(context.Background(), Query{Text: q}); err != nil && townhall.ErrorCode(err) != townhall.EINVALID {
			t.Errorf("%q: %v, want results or EINVALID", q, err)
		}
	}
}

func TestSnippetsAreEscapedAndMarked(t *testing.T) {
	src := newMemSource()
	seed(src)
	src.put(townhall.SearchDoc{Kind: townhall.KindThread, ID: "t2", Title: `<img src=x onerror=alert(1)> caching`, Body: strings.Repeat("filler words here. ", 40) + "The caching layer & <b>proxy</b> broke." + strings.Repeat(" more filler text.", 40)})
	x := openTest(t, t.TempDir())
	catchUp(t, x, src)
	res, err := NewService(x, src).Search(context.Background(), Query{Text: "caching"})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, r := range res.Items {
		for _, h := range []string{string(r.Snippet), string(r.TitleHTML)} {
			if strings.Contains(h, "<script") || strings.Contains(h, "<img") || strings.Contains(h, "<b>") {
				t.Fatalf("unescaped markup in %q", h)
			}
		}
		if r.ID == "t2" {
			found++
			if !strings.Contains(string(r.Snippet), "The <mark>caching</mark> layer &amp; &lt;b&gt;proxy&lt;/b&gt; broke.") {
				t.Errorf("snippet %q does not show the marked passage", r.Snippet)
			}
			if !strings.HasPrefix(string(r.Snippet), "… ") || !strings.HasSuffix(string(r.Snippet), " …") || len([]rune(string(r.Snippet))) > snippetRunes+80 {
				t.Errorf("snippet %q is not a cut window", r.Snippet)
			}
			if string(r.TitleHTML) != "&lt;img src=x onerror=alert(1)&gt; <mark>caching</mark>" {
				t.Errorf("title %q", r.TitleHTML)
			}
		}
		if r.ID == "p1" && !strings.Contains(string(r.Snippet), "&lt;script&gt;") {
			t.Errorf("post snippet %q", r.Snippet)
		}
	}
	if found != 1 {
		t.Fatalf("t2 not found: %v", ids(res.Items))
	}
}

func TestFacetsAndPages(t *testing.T) {
	src := newMemSource()
	for i := range 45 {
		kind := townhall.KindThread
		if i%3 == 0 {
			kind = townhall.KindIdea
		}
		src.put(townhall.SearchDoc{Kind: kind, ID: townhall.NewID(), Title: "Webhook question", Body: "webhooks retry", Tags: []string{"api"}, Status: map[bool]string{true: "open"}[kind == townhall.KindIdea]})
	}
	x := openTest(t, t.TempDir())
	catchUp(t, x, src)
	svc := NewService(x, src)
	seen := map[string]bool{}
	for page := 1; page <= 3; page++ {
		res, err := svc.Search(context.Background(), Query{Text: "webhook", Page: page, PerPage: 20, Facets: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 45 || res.Pages != 3 {
			t.Fatalf("total %d pages %d, want 45 and 3", res.Total, res.Pages)
		}
		if want := []int{20, 20, 5}[page-1]; len(res.Items) != want {
			t.Fatalf("page %d has %d items, want %d", page, len(res.Items), want)
		}
		for _, r := range res.Items {
			if seen[r.ID] {
				t.Fatalf("%s on two pages", r.ID)
			}
			seen[r.ID] = true
		}
		if page == 1 {
			if len(res.Kinds) != 2 || res.Kinds[0] != (Facet{"thread", 30}) || res.Kinds[1] != (Facet{"idea", 15}) {
				t.Fatalf("kind facet %+v", res.Kinds)
			}
			if len(res.Tags) != 1 || res.Tags[0] != (Facet{"api", 45}) || len(res.Statuses) != 1 || res.Statuses[0] != (Facet{"open", 15}) {
				t.Fatalf("tag/status facets %+v %+v", res.Tags, res.Statuses)
			}
		}
	}
}

func TestHiddenContentNeverAppears(t *testing.T) {
	src := newMemSource()
	seed(src)
	x := openTest(t, t.TempDir())
	catchUp(t, x, src)
	svc := NewService(x, src)
	ctx := context.Background()
	// Hidden in the store but the indexer has not run yet: re-checking
	// against the store must still hide it, from search and suggestions.
	src.setVisible(townhall.KindIdea, "i1", false, false)
	res, err := svc.Search(ctx, Query{Text: "dark"})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(res.Items); !sameSet(got, []string{"p1"}) {
		t.Fatalf("search after hide: %v, want only p1", got)
	}
	sim, err := svc.Similar(ctx, townhall.KindIdea, "dark mode please", 5)
	if err != nil || len(sim) != 0 {
		t.Fatalf("similar after hide: %v %v", ids(sim), err)
	}
	// Once the feed carries the hide, the document leaves the index.
	before, _ := x.DocCount()
	src.setVisible(townhall.KindIdea, "i1", false, true)
	catchUp(t, x, src)
	if after, _ := x.DocCount(); after != before-1 {
		t.Fatalf("doc count %d → %d, want one fewer", before, after)
	}
	// Unhiding brings it back.
	src.setVisible(townhall.KindIdea, "i1", true, true)
	catchUp(t, x, src)
	res, _ = svc.Search(ctx, Query{Text: "dark dashboard"})
	if got := ids(res.Items); !sameSet(got, []string{"i1", "p1"}) {
		t.Fatalf("after unhide: %v", got)
	}
}

func TestSimilarTitles(t *testing.T) {
	src := newMemSource()
	seed(src)
	src.put(townhall.SearchDoc{Kind: townhall.KindIdea, ID: "i3", Title: "Dark theme for mobile app"})
	src.put(townhall.SearchDoc{Kind: townhall.KindIdea, ID: "i4", Title: "Mobile app offline mode"})
	x := openTest(t, t.TempDir())
	catchUp(t, x, src)
	svc := NewService(x, src)
	for _, tc := range []struct {
		kind, text, want string
	}{
		{townhall.KindIdea, "Add a dark mode", "i1"},               // 2 words: both must match
		{townhall.KindIdea, "dark", "i1 i3"},                       // 1 word
		{townhall.KindIdea, "mobile app needs dark mode", "i3 i4"}, // 5 words: 3 must match
		{townhall.KindIdea, "slow dashboard", ""},                  // the thread matches, but only ideas count
		{townhall.KindThread, "slow dashboard", "t1"},
		{townhall.KindIdea, "the of and", ""},
		{townhall.KindIdea, "dashboard da", "i1"}, // an unfinished last word matches as a prefix
		{townhall.KindIdea, "dashboard da ", ""},  // a finished one does not
		{townhall.KindIdea, "dashboard fo", ""},   // "for" is a stop word, never indexed
		{townhall.KindIdea, "", ""},
	} {
		got, err := svc.Similar(context.Background(), tc.kind, tc.text, 5)
		if err != nil {
			t.Fatalf("%q: %v", tc.text, err)
		}
		want := strings.Fields(tc.want)
		if !sameSet(ids(got), want) {
			t.Errorf("similar %s %q = %v, want %v", tc.kind, tc.text, ids(got), want)
		}
	}
	if _, err := svc.Similar(context.Background(), "user", "x", 5); townhall.ErrorCode(err) != townhall.EINVALID {
		t.Fatalf("unknown kind: %v", err)
	}
}

func TestIndexerMakesWritesSearchableQuickly(t *testing.T) {
	src := newMemSource()
	x := openTest(t, t.TempDir())
	ix := NewIndexer(x, src, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ix.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	svc := NewService(x, src)
	waitFor := func(text string, want int) time.Duration {
		t.Helper()
		start := time.Now()
		for {
			res, err := svc.Search(context.Background(), Query{Text: text})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total == want {
				return time.Since(start)
			}
			if time.Since(start) > 5*time.Second {
				t.Fatalf("%q: %d hits after 5 s, want %d", text, res.Total, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	src.put(townhall.SearchDoc{Kind: townhall.KindIdea, ID: "n1", Title: "Zeppelin integration"})
	lag := waitFor("zeppelin", 1)
	src.setVisible(townhall.KindIdea, "n1", false, true)
	waitFor("zeppelin", 0)
	t.Logf("new content searchable after %v", lag)
}

func TestSearchTimeoutIsUnavailable(t *testing.T) {
	src := newMemSource()
	seed(src)
	x := openTest(t, t.TempDir())
	catchUp(t, x, src)
	svc := NewService(x, src)
	svc.Timeout = time.Nanosecond
	_, err := svc.Search(context.Background(), Query{Text: "dashboard"})
	if townhall.ErrorCode(err) != townhall.EUNAVAILABLE || !strings.Contains(townhall.ErrorMessage(err), "too long") {
		t.Fatalf("err %v, want EUNAVAILABLE saying the search took too long", err)
	}
}

func TestTitleMatchesRankFirst(t *testing.T) {
	src := newMemSource()
	// A short text mentioning the word once, and a much longer one with the
	// word only in its title: length normalization alone would put the
	// short one first.
	src.put(townhall.SearchDoc{Kind: townhall.KindThread, ID: "body", Title: "Question", Body: "Do webhooks retry?"})
	src.put(townhall.SearchDoc{Kind: townhall.KindThread, ID: "title", Title: "Webhooks",
		Body: "How often are deliveries attempted again, and for how long, when our server is down for maintenance during the night or over a long weekend? We would like to plan our maintenance windows around it."})
	x := openTest(t, t.TempDir())
	catchUp(t, x, src)
	res, err := NewService(x, src).Search(context.Background(), Query{Text: "webhook"})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(res.Items); len(got) != 2 || got[0] != "title" {
		t.Fatalf("got %v, want the title match first", got)
	}
}

// TestBroadWordListsTitlesFirst: broad words (each in many documents) are
// answered from the documents with all of them in the title while those
// fill the page: the same hits as the full search (whose title boost ranks
// them first), the same total and pages. Deeper pages, a narrow word,
// phrases and filters get the full search.
func TestBroadWordListsTitlesFirst(t *testing.T) {
	src := newMemSource()
	for i := range 5 {
		src.put(townhall.SearchDoc{Kind: townhall.KindThread, ID: townhall.NewID(), Title: "Export dashboard question " + string(rune('a'+i)), Body: "How does it work?"})
	}
	// "export" is in 25 documents, "dashboard" in 34, both in 22.
	for i := range 20 {
		body := "Export, export, export: export dashboard."
		if i < 3 {
			body = "Export, export, export: export."
		}
		src.put(townhall.SearchDoc{Kind: townhall.KindPost, ID: townhall.NewID(), Body: body, URL: "/t/x"})
	}
	for range 12 {
		src.put(townhall.SearchDoc{Kind: townhall.KindPost, ID: townhall.NewID(), Body: "The dashboard widget.", URL: "/t/y"})
	}
	x := openTest(t, t.TempDir())
	catchUp(t, x, src)
	full, broad := NewService(x, src), NewService(x, src)
	full.BroadWord, broad.BroadWord = 0, 10
	for _, tc := range []struct {
		name     string
		q        Query
		shortcut bool
	}{
		{"first page", Query{Text: "export", PerPage: 4}, true},
		{"the page the titles just fill", Query{Text: "export", PerPage: 5}, true},
		{"beyond the titles", Query{Text: "export", PerPage: 4, Page: 2}, true},
		{"a broad word in no title", Query{Text: "widget", PerPage: 4}, true},
		{"with facets", Query{Text: "export", PerPage: 4, Facets: true}, true},
		{"filtered", Query{Text: "export", PerPage: 4, Kind: townhall.KindPost}, false},
		{"a phrase", Query{Text: `"export question"`, PerPage: 4}, false},
		{"a broad and a narrow word", Query{Text: "export question", PerPage: 4}, false},
		{"two broad words", Query{Text: "dashboard export", PerPage: 4}, true},
		{"two broad words, the page the titles fill", Query{Text: "export dashboard", PerPage: 5}, true},
		{"two broad words beyond the titles", Query{Text: "export dashboard", PerPage: 4, Page: 2}, false},
		{"a stop word and a broad word", Query{Text: "the export", PerPage: 4}, true},
		{"a narrow word", Query{Text: "question", PerPage: 4}, false},
	} {
		q := tc.q
		if err := q.normalize(); err != nil {
			t.Fatal(err)
		}
		p, err := parseQuery(q.Text)
		if err != nil {
			t.Fatal(err)
		}
		if res, _ := broad.titlesFirst(context.Background(), p, q); (res != nil) != tc.shortcut {
			t.Errorf("%s: shortcut taken = %v, want %v", tc.name, res != nil, tc.shortcut)
		}
		got, err := broad.Search(context.Background(), tc.q)
		if err != nil {
			t.Fatal(err)
		}
		want, err := full.Search(context.Background(), tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != want.Total || got.Pages != want.Pages || !sameSet(ids(got.Items), ids(want.Items)) {
			t.Errorf("%s: total %d, %d pages, %v; the full search says %d, %d, %v", tc.name, got.Total, got.Pages, ids(got.Items), want.Total, want.Pages, ids(want.Items))
		}
		for _, r := range got.Items {
			if !strings.Contains(string(r.Snippet)+string(r.TitleHTML), "<mark>") {
				t.Errorf("%s: %s has no highlighted word", tc.name, r.ID)
			}
		}
	}

	// On a sample of 6 bodies, the titles come first, then bodies; a page
	// beyond the sample gets the full search.
	sampled := NewService(x, src)
	sampled.BroadWord, sampled.FacetSample = 10, 6
	for _, tc := range []struct {
		page     int
		shortcut bool
	}{{2, true}, {3, false}} {
		q := Query{Text: "export", PerPage: 4, Page: tc.page}
		want, err := full.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.normalize(); err != nil {
			t.Fatal(err)
		}
		p, _ := parseQuery(q.Text)
		if res, _ := sampled.titlesFirst(context.Background(), p, q); (res != nil) != tc.shortcut {
			t.Fatalf("page %d on a sample: shortcut taken = %v, want %v", tc.page, res != nil, tc.shortcut)
		}
		got, err := sampled.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != 25 || got.Total != want.Total || got.Pages != want.Pages || len(got.Items) != 4 {
			t.Fatalf("page %d on a sample: total %d, %d pages, %d items; the full search says %d, %d", tc.page, got.Total, got.Pages, len(got.Items), want.Total, want.Pages)
		}
		if tc.page == 2 && (got.Items[0].Kind != townhall.KindThread || got.Items[1].Kind != townhall.KindPost) {
			t.Fatalf("page 2 on a sample: %+v, want the last title match, then bodies", got.Items)
		}
	}
}
