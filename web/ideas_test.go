package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
)

type ideaResp struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Body        string   `json:"body"`
	BodyHTML    string   `json:"body_html"`
	Tags        []string `json:"tags"`
	Status      string   `json:"status"`
	StatusLabel string   `json:"status_label"`
	Votes       int      `json:"votes"`
	Comments    int      `json:"comments"`
	Voted       bool     `json:"voted"`
	MergedInto  string   `json:"merged_into"`
	URL         string   `json:"url"`
	Author      struct {
		ID, Name string
	} `json:"author"`
	Response *struct {
		Body     string `json:"body"`
		BodyHTML string `json:"body_html"`
	} `json:"response"`
}

type ideaPage struct {
	Items []ideaResp `json:"items"`
	Next  string     `json:"next"`
}

func propose(t *testing.T, c *apptest.Client, title string, tags ...string) ideaResp {
	t.Helper()
	var out ideaResp
	c.JSON("POST", "/api/v1/ideas", map[string]any{"title": title, "body": "Because **" + title + "**", "tags": tags}, http.StatusCreated, &out)
	return out
}

func getIdea(t *testing.T, c *apptest.Client, id string) ideaResp {
	t.Helper()
	var out ideaResp
	c.JSON("GET", "/api/v1/ideas/"+id, nil, http.StatusOK, &out)
	return out
}

func TestIdeaAPIFlow(t *testing.T) {
	env := apptest.Start(t)
	env.Client(t, "root", "")
	ann := env.Client(t, "Ann", townhall.RoleMember)
	bob := env.Client(t, "Bob", townhall.RoleMember)
	pat := env.Client(t, "Pat", townhall.RoleProduct)

	i := propose(t, ann, "Dark mode for the dashboard", "UI", "Dark Mode")
	step(t, "ProposeCountsTheAuthorsVoteAndVotingIsIdempotent", func(t *testing.T) {
		if !townhall.ValidID(i.ID) || i.Title != "Dark mode for the dashboard" || i.Status != "open" || i.Votes != 1 || !i.Voted ||
			fmt.Sprint(i.Tags) != "[ui dark-mode]" || !strings.Contains(i.BodyHTML, "<strong>") || i.URL != "/ideas/"+i.ID || i.Author.Name != "Ann" {
			t.Fatalf("created idea = %+v", i)
		}
		if got := getIdea(t, bob, i.ID); got.Voted || got.Votes != 1 {
			t.Fatalf("Bob sees %+v", got)
		}
		var voted ideaResp
		bob.JSON("POST", "/api/v1/ideas/"+i.ID+"/vote", nil, http.StatusOK, &voted)
		bob.JSON("POST", "/api/v1/ideas/"+i.ID+"/vote", nil, http.StatusOK, &voted)
		if voted.Votes != 2 || !voted.Voted {
			t.Fatalf("after Bob's (double) vote: %+v", voted)
		}
		bob.JSON("DELETE", "/api/v1/ideas/"+i.ID+"/vote", nil, http.StatusOK, &voted)
		if voted.Votes != 1 || voted.Voted {
			t.Fatalf("after Bob's unvote: %+v", voted)
		}
		bob.JSON("POST", "/api/v1/ideas/"+i.ID+"/vote", nil, http.StatusOK, nil)
	})

	step(t, "CommentAndStatusChangeWithResponse", func(t *testing.T) {
		var cm struct {
			ID       string `json:"id"`
			BodyHTML string `json:"body_html"`
		}
		bob.JSON("POST", "/api/v1/ideas/"+i.ID+"/comments", map[string]string{"body": "Yes _please_"}, http.StatusCreated, &cm)
		if !strings.Contains(cm.BodyHTML, "<em>please</em>") {
			t.Fatalf("comment = %+v", cm)
		}
		var changed ideaResp
		pat.JSON("PUT", "/api/v1/ideas/"+i.ID+"/status", map[string]string{"status": "planned", "response": "Coming in **Q3**"}, http.StatusOK, &changed)
		if changed.Status != "planned" || changed.Response == nil || !strings.Contains(changed.Response.BodyHTML, "<strong>Q3</strong>") || changed.Comments != 1 {
			t.Fatalf("after status change: %+v", changed)
		}
	})

	step(t, "ListFiltersAndSorts", func(t *testing.T) {
		var list ideaPage
		bob.JSON("GET", "/api/v1/ideas?sort=top&status=planned&tag=ui", nil, http.StatusOK, &list)
		if len(list.Items) != 1 || list.Items[0].ID != i.ID || !list.Items[0].Voted || list.Next != "" {
			t.Fatalf("filtered list = %+v", list)
		}
		for _, q := range []string{"", "?sort=new", "?sort=trending", "?status=open", "?tag=nothing"} {
			var l ideaPage
			bob.JSON("GET", "/api/v1/ideas"+q, nil, http.StatusOK, &l)
			want := 1
			if q == "?status=open" || q == "?tag=nothing" {
				want = 0
			}
			if len(l.Items) != want || l.Items == nil {
				t.Errorf("list %q = %d items (%+v), want %d and a JSON array", q, len(l.Items), l, want)
			}
		}
	})

	step(t, "StatusChangeNotifiesVoters", func(t *testing.T) {
		// Bob and Ann hear about the status change.
		var notes struct {
			Items []struct{ Kind, Text, URL string }
		}
		env.WaitJobs(t) // voters are told in the background
		bob.JSON("GET", "/api/v1/notifications", nil, http.StatusOK, &notes)
		if len(notes.Items) != 1 || notes.Items[0].Kind != "status" || !strings.HasPrefix(notes.Items[0].URL, "/ideas/"+i.ID+"#status-") {
			t.Fatalf("Bob's notifications = %+v", notes)
		}
	})

	step(t, "MergeCountsEachVoterOnce", func(t *testing.T) {
		// Merge a duplicate: Ann voted for both (counts once), Cy only for the duplicate.
		dup := propose(t, bob, "Night theme")
		ann.JSON("POST", "/api/v1/ideas/"+dup.ID+"/vote", nil, http.StatusOK, nil)
		cy := env.Client(t, "Cy", townhall.RoleMember)
		cy.JSON("POST", "/api/v1/ideas/"+dup.ID+"/vote", nil, http.StatusOK, nil)
		var into ideaResp
		pat.JSON("POST", "/api/v1/ideas/"+dup.ID+"/merge", map[string]string{"into": env.URL + "/ideas/" + i.ID}, http.StatusOK, &into)
		if into.ID != i.ID || into.Votes != 3 {
			t.Fatalf("merge target = %+v; want 3 votes (Ann, Bob, Cy)", into)
		}
		pat.JSON("POST", "/api/v1/ideas/"+dup.ID+"/merge", map[string]string{"into": i.ID}, http.StatusOK, &into)
		if into.Votes != 3 {
			t.Fatalf("re-running the merge changed votes to %d", into.Votes)
		}
		if d := getIdea(t, cy, dup.ID); d.MergedInto != i.ID || d.Votes != 0 {
			t.Fatalf("duplicate = %+v", d)
		}
		res, _ := cy.Get("/ideas/" + dup.ID)
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/ideas/"+i.ID+"?merged_from="+dup.ID {
			t.Fatalf("duplicate page: %d → %q", res.StatusCode, res.Header.Get("Location"))
		}
		_, page := cy.Get("/ideas/" + i.ID + "?merged_from=" + dup.ID)
		if !strings.Contains(page, "“Night theme” was merged into this idea") {
			t.Fatal("target page does not say what was merged into it")
		}
		cy.WantError("POST", "/api/v1/ideas/"+dup.ID+"/vote", nil, http.StatusConflict, townhall.ECONFLICT)
	})

	step(t, "EditKeepsUnsentFieldsAndIsTheAuthors", func(t *testing.T) {
		// Editing through the API keeps unsent fields.
		var edited ideaResp
		ann.JSON("PATCH", "/api/v1/ideas/"+i.ID, map[string]any{"tags": []string{"ui"}}, http.StatusOK, &edited)
		if edited.Title != i.Title || fmt.Sprint(edited.Tags) != "[ui]" {
			t.Fatalf("edited = %+v", edited)
		}
		bob.WantError("PATCH", "/api/v1/ideas/"+i.ID, map[string]any{"title": "Mine now"}, http.StatusForbidden, townhall.EFORBIDDEN)
	})

	step(t, "SimilarIdeasWhileTyping", func(t *testing.T) {
		var similar struct{ Items []struct{ ID, Title string } }
		env.Anonymous(t).JSON("GET", "/api/v1/ideas/similar?q="+url.QueryEscape("dashboard da"), nil, http.StatusOK, &similar)
		if len(similar.Items) != 1 || similar.Items[0].ID != i.ID {
			t.Fatalf("similar = %+v", similar)
		}
	})
}

func TestIdeaAPIErrors(t *testing.T) {
	env := apptest.Start(t)
	env.Client(t, "root", "")
	ann := env.Client(t, "Ann", townhall.RoleMember)
	pat := env.Client(t, "Pat", townhall.RoleProduct)
	anon := env.Anonymous(t)
	i := propose(t, ann, "A fine idea")
	ghost := "/api/v1/ideas/" + townhall.NewID()
	base := "/api/v1/ideas/" + i.ID
	cases := []apiErrorCase{
		{"propose signed out", anon, "POST", "/api/v1/ideas", map[string]string{"title": "Hello there"}, 401, townhall.EUNAUTHORIZED},
		{"propose empty title", ann, "POST", "/api/v1/ideas", map[string]string{"title": ""}, 400, townhall.EINVALID},
		{"propose no title", ann, "POST", "/api/v1/ideas", map[string]string{"body": "x"}, 400, townhall.EINVALID},
		{"propose short title", ann, "POST", "/api/v1/ideas", map[string]string{"title": "ab"}, 400, townhall.EINVALID},
		{"propose six tags", ann, "POST", "/api/v1/ideas", map[string]any{"title": "Tags", "tags": []string{"a", "b", "c", "d", "e", "f"}}, 400, townhall.EINVALID},
		{"propose tags not a list", ann, "POST", "/api/v1/ideas", `{"title":"Tags","tags":"a"}`, 400, townhall.EINVALID},
		{"propose bad json", ann, "POST", "/api/v1/ideas", `{"title":`, 400, townhall.EINVALID},
		{"get garbage id", anon, "GET", "/api/v1/ideas/not-an-id", nil, 404, townhall.ENOTFOUND},
		{"get unknown id", anon, "GET", ghost, nil, 404, townhall.ENOTFOUND},
		{"list bad sort", anon, "GET", "/api/v1/ideas?sort=hot", nil, 400, townhall.EINVALID},
		{"list bad status", anon, "GET", "/api/v1/ideas?status=shipped", nil, 400, townhall.EINVALID},
		{"list bad cursor", anon, "GET", "/api/v1/ideas?after=zzz", nil, 400, townhall.EINVALID},
		{"vote signed out", anon, "POST", base + "/vote", nil, 401, townhall.EUNAUTHORIZED},
		{"vote unknown", ann, "POST", ghost + "/vote", nil, 404, townhall.ENOTFOUND},
		{"unvote unknown", ann, "DELETE", ghost + "/vote", nil, 404, townhall.ENOTFOUND},
		{"status signed out", anon, "PUT", base + "/status", map[string]string{"status": "planned"}, 401, townhall.EUNAUTHORIZED},
		{"status as member", ann, "PUT", base + "/status", map[string]string{"status": "planned"}, 403, townhall.EFORBIDDEN},
		{"status invalid", pat, "PUT", base + "/status", map[string]string{"status": "shipped", "response": "x"}, 400, townhall.EINVALID},
		{"status empty", pat, "PUT", base + "/status", map[string]string{}, 400, townhall.EINVALID},
		{"status unknown idea", pat, "PUT", ghost + "/status", map[string]string{"status": "planned"}, 404, townhall.ENOTFOUND},
		{"merge signed out", anon, "POST", base + "/merge", map[string]string{"into": i.ID}, 401, townhall.EUNAUTHORIZED},
		{"merge as member", ann, "POST", base + "/merge", map[string]string{"into": townhall.NewID()}, 403, townhall.EFORBIDDEN},
		{"merge into itself", pat, "POST", base + "/merge", map[string]string{"into": i.ID}, 400, townhall.EINVALID},
		{"merge into nothing", pat, "POST", base + "/merge", map[string]string{"into": ""}, 400, townhall.EINVALID},
		{"merge into unknown", pat, "POST", base + "/merge", map[string]string{"into": townhall.NewID()}, 404, townhall.ENOTFOUND},
		{"merge unknown", pat, "POST", ghost + "/merge", map[string]string{"into": i.ID}, 404, townhall.ENOTFOUND},
		{"comment signed out", anon, "POST", base + "/comments", map[string]string{"body": "hi"}, 401, townhall.EUNAUTHORIZED},
		{"comment empty", ann, "POST", base + "/comments", map[string]string{"body": "  "}, 400, townhall.EINVALID},
		{"comment unknown", ann, "POST", ghost + "/comments", map[string]string{"body": "hi"}, 404, townhall.ENOTFOUND},
		{"edit signed out", anon, "PATCH", base, map[string]string{"title": "New"}, 401, townhall.EUNAUTHORIZED},
		{"edit empty title", ann, "PATCH", base, map[string]string{"title": ""}, 400, townhall.EINVALID},
		{"export signed out", anon, "GET", "/api/v1/ideas.csv", nil, 401, townhall.EUNAUTHORIZED},
		{"export as member", ann, "GET", "/api/v1/ideas.csv", nil, 403, townhall.EFORBIDDEN},
	}
	wantAPIErrors(t, cases)
	// Nothing was partially written: one idea, unchanged, no history, no comments.
	var list ideaPage
	anon.JSON("GET", "/api/v1/ideas?sort=new", nil, http.StatusOK, &list)
	got := getIdea(t, anon, i.ID)
	if len(list.Items) != 1 || got.Status != "open" || got.Response != nil || got.Votes != 1 || got.Comments != 0 || got.Title != "A fine idea" {
		t.Fatalf("after refused writes: %d ideas, %+v", len(list.Items), got)
	}
	_, page := anon.Get("/ideas/" + i.ID)
	if strings.Contains(page, "Status history") {
		t.Fatal("a refused status change left history")
	}
}

func TestIdeaConcurrentVotesOverHTTP(t *testing.T) {
	env := apptest.Start(t)
	env.Client(t, "root", "")
	author := env.Client(t, "Author", "")
	i := propose(t, author, "Popular idea")
	var clients []*apptest.Client
	for k := range 12 {
		clients = append(clients, env.Client(t, fmt.Sprintf("fan%d", k), ""))
	}
	var wg sync.WaitGroup
	for k, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 6 {
				method := "POST"
				if n%2 == 1 {
					method = "DELETE"
				}
				if n == 5 && k%2 == 0 {
					method = "POST" // even fans end voted
				}
				if res, b := c.Do(method, "/api/v1/ideas/"+i.ID+"/vote", nil); res.StatusCode != 200 {
					t.Errorf("%s vote: %d %s", method, res.StatusCode, b)
				}
			}
		}()
	}
	wg.Wait()
	if got := getIdea(t, author, i.ID); got.Votes != 1+6 {
		t.Fatalf("votes = %d, want 7", got.Votes)
	}
}

func TestIdeaPages(t *testing.T) {
	env := apptest.Start(t)
	env.Client(t, "root", "")
	ann := env.Client(t, "Ann", "")
	bob := env.Client(t, "Bob", "")
	pat := env.Client(t, "Pat", townhall.RoleProduct)
	anon := env.Anonymous(t)
	// Each step builds on the idea and pages the ones before it made.
	var res *http.Response
	var page, id string

	step(t, "EmptyBoardAndSignInToPropose", func(t *testing.T) {
		res, page = anon.Get("/ideas")
		if res.StatusCode != 200 || !strings.Contains(page, "No ideas yet") || !strings.Contains(page, `aria-current="page">Ideas<`) {
			t.Fatalf("empty board: %d", res.StatusCode)
		}
		if res, _ := anon.Get("/ideas/new"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
			t.Fatalf("propose page signed out: %d", res.StatusCode)
		}
	})

	step(t, "ProposeFormKeepsWhatWasTyped", func(t *testing.T) {
		// A bad form keeps what was typed.
		res, page = ann.Form("POST", "/ideas", url.Values{"title": {"ab"}, "body": {"my details"}, "tags": {"api"}})
		if res.StatusCode != 400 || !strings.Contains(page, "at least 3 characters") || !strings.Contains(page, "my details") || !strings.Contains(page, `value="api"`) {
			t.Fatalf("bad proposal: %d", res.StatusCode)
		}
		res, _ = ann.Form("POST", "/ideas", url.Values{"title": {"Offline mode"}, "body": {"For *trains*"}, "tags": {"Mobile, sync"}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/ideas/") {
			t.Fatalf("proposal: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		id = strings.TrimPrefix(res.Header.Get("Location"), "/ideas/")
		_, page = anon.Get("/ideas/" + id)
		if !strings.Contains(page, "<em>trains</em>") || !strings.Contains(page, `href="/signin?next=/ideas/`+id+`"`) || strings.Contains(page, "Product team") {
			t.Fatal("idea page for a reader is missing the body or the sign-in prompt, or shows the team panel")
		}
	})

	step(t, "VoteFormWithoutJavaScriptReturnsToTheBoard", func(t *testing.T) {
		// Voting without JavaScript from the board returns to the board.
		req, _ := http.NewRequest("POST", env.URL+"/ideas/"+id+"/vote", nil)
		req.Header.Set("Referer", env.URL+"/ideas?sort=top")
		res, err := bob.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/ideas?sort=top" {
			t.Fatalf("vote form: %d → %q", res.StatusCode, res.Header.Get("Location"))
		}
		if res, _ := anon.Form("POST", "/ideas/"+id+"/vote", nil); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin?next=") {
			t.Fatalf("signed-out vote form: %d → %q", res.StatusCode, res.Header.Get("Location"))
		}
		_, page = bob.Get("/ideas?tag=mobile")
		if !strings.Contains(page, `data-testid="vote-count">2<`) || !strings.Contains(page, `aria-pressed="true"`) || !strings.Contains(page, "Offline mode") {
			t.Fatal("board card does not show Bob's vote and the count")
		}
		if res, _ := bob.Form("POST", "/ideas/"+id+"/unvote", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("unvote form: %d", res.StatusCode)
		}
	})

	step(t, "CommentAndStatusForms", func(t *testing.T) {
		// Comments and the team panel.
		res, _ = bob.Form("POST", "/ideas/"+id+"/comments", url.Values{"body": {"Would love it"}})
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "#comment-") {
			t.Fatalf("comment form: %d", res.StatusCode)
		}
		res, page = pat.Form("POST", "/ideas/"+id+"/status", url.Values{"status": {"bogus"}, "reason": {"kept reason"}})
		if res.StatusCode != 400 || !strings.Contains(page, "Status must be one of") || !strings.Contains(page, "kept reason") {
			t.Fatalf("bad status form: %d", res.StatusCode)
		}
		if res, _ := ann.Form("POST", "/ideas/"+id+"/status", url.Values{"status": {"planned"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("member status form: %d", res.StatusCode)
		}
		res, _ = pat.Form("POST", "/ideas/"+id+"/status", url.Values{"status": {"in_progress"}, "reason": {"Sprint 12"}, "response": {"Building it **now**"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status form: %d", res.StatusCode)
		}
		_, page = pat.Get("/ideas/" + id)
		for _, want := range []string{"Official", "<strong>now</strong>", "Status history", "Sprint 12", "Demand by segment", `data-testid="weighted-total">1<`, "Would love it", "Merge this duplicate"} {
			if !strings.Contains(page, want) {
				t.Errorf("team view of the idea lacks %q", want)
			}
		}
	})

	step(t, "RoadmapMineVotedAndNotifications", func(t *testing.T) {
		_, page = anon.Get("/ideas/roadmap")
		if !strings.Contains(page, "Offline mode") || !strings.Contains(page, "In progress") {
			t.Fatal("roadmap does not show the idea in progress")
		}
		_, page = ann.Get("/ideas/mine")
		if !strings.Contains(page, "Offline mode") {
			t.Fatal("my ideas lacks the idea")
		}
		_, page = bob.Get("/ideas/voted")
		if !strings.Contains(page, "voted for an idea yet") {
			t.Fatalf("Bob unvoted; his voted list should be empty:\n%s", page)
		}
		env.WaitJobs(t) // the status change's fan-out runs in the background
		_, page = bob.Get("/notifications")
		if !strings.Contains(page, "is now In progress") {
			t.Fatal("commenter was not notified of the status change")
		}
	})

	step(t, "TriageForTheProductTeamOnly", func(t *testing.T) {
		if res, _ := ann.Get("/ideas/triage"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("triage as member: %d", res.StatusCode)
		}
		res, page = pat.Get("/ideas/triage")
		if res.StatusCode != 200 || !strings.Contains(page, "Inbox zero") {
			t.Fatalf("triage after a response: %d", res.StatusCode)
		}
	})

	step(t, "EditFormForTheAuthorOnly", func(t *testing.T) {
		// Editing: the author gets the form with the current values.
		res, page = ann.Get("/ideas/" + id + "/edit")
		if res.StatusCode != 200 || !strings.Contains(page, `value="Offline mode"`) || !strings.Contains(page, `value="mobile, sync"`) {
			t.Fatalf("edit page: %d", res.StatusCode)
		}
		if res, _ := bob.Get("/ideas/" + id + "/edit"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("edit page for another member: %d", res.StatusCode)
		}
	})

	step(t, "UnknownIdeaAndBadSort", func(t *testing.T) {
		if res, _ := anon.Get("/ideas/" + townhall.NewID()); res.StatusCode != 404 {
			t.Fatalf("unknown idea page: %d", res.StatusCode)
		}
		if res, _ := anon.Get("/ideas?sort=hot"); res.StatusCode != 400 {
			t.Fatalf("bad sort page: %d", res.StatusCode)
		}
	})
}

// TestBrowserIdeaVoteWithoutReload proposes an idea in a real browser, then a
// second user votes for it and sees the count change in place: a marker set
// on window before the click survives, so no navigation happened.
func TestBrowserIdeaVoteWithoutReload(t *testing.T) {
	env := apptest.Start(t)
	env.Client(t, "root", "")
	ctx := apptest.Browser(t)
	env.BrowserSignIn(t, ctx, "Ann")
	err := chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/ideas/new"),
		chromedp.WaitVisible(chromedp.ID("idea-title")),
		chromedp.SendKeys(chromedp.ID("idea-title"), "Keyboard shortcuts everywhere"),
		chromedp.SendKeys(chromedp.ID("idea-tags"), "productivity"),
		chromedp.Submit(chromedp.ID("idea-title")),
		chromedp.WaitVisible(chromedp.ID("idea-title")),
	)
	if err != nil {
		t.Fatal(err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1#idea-title")))
	if err != nil || heading != "Keyboard shortcuts everywhere" {
		t.Fatalf("after proposing, heading = %q, %v", heading, err)
	}
	ideaURL, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}

	// Sign out and back in as Bob, who votes.
	env.BrowserSignOut(t, ctx)
	env.BrowserSignIn(t, ctx, "Bob")
	err = chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/ideas?sort=new"),
		chromedp.WaitVisible(chromedp.CSS(`.vote-form .vote-count`)),
		chromedp.Evaluate[chromedp.Void](`window.__noReload = "still here"`),
	)
	if err != nil {
		t.Fatal(err)
	}
	before, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="vote-count"]`)))
	if err != nil || before != "1" {
		t.Fatalf("count before = %q, %v; want the author's 1", before, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.vote-button`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('[data-testid="vote-count"]').textContent === "2"`),
	)
	if err != nil {
		t.Fatal(err)
	}
	marker, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.__noReload || "reloaded"`))
	if err != nil || marker != "still here" {
		t.Fatalf("window marker = %q, %v: the page navigated", marker, err)
	}
	pressed, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.vote-button').getAttribute('aria-pressed')`))
	if err != nil || pressed != "true" {
		t.Fatalf("aria-pressed = %q, %v", pressed, err)
	}
	// The server agrees, and clicking again takes the vote back, still in place.
	var got ideaResp
	env.Anonymous(t).JSON("GET", "/api/v1"+ideaURL, nil, http.StatusOK, &got)
	if got.Votes != 2 {
		t.Fatalf("server count = %d, want 2", got.Votes)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.vote-button`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('[data-testid="vote-count"]').textContent === "1" && window.__noReload === "still here"`),
	)
	if err != nil {
		t.Fatal(err)
	}

	// Similar ideas appear while typing a title.
	err = chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/ideas/new"),
		chromedp.WaitVisible(chromedp.ID("idea-title")),
		chromedp.SendKeys(chromedp.ID("idea-title"), "keyboard"),
		chromedp.WaitVisible(chromedp.CSS(`#similar-ideas a`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	suggestion, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#similar-ideas a`)))
	if err != nil || suggestion != "Keyboard shortcuts everywhere" {
		t.Fatalf("suggestion = %q, %v", suggestion, err)
	}
}
