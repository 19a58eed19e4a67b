package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/audit"
)

type shippedResp struct {
	Idea        ideaResp
	ShippedAt   time.Time `json:"shipped_at"`
	AskedFor    int       `json:"asked_for"`
	ReleaseNote *struct {
		Body     string
		BodyHTML string `json:"body_html"`
	} `json:"release_note"`
}

// changelogSite has shipped ideas in two months (one with a merged
// duplicate, one with a release note), a hidden shipped idea and a
// planned one.
type changelogSite struct {
	env                      *apptest.Env
	admin, pm, ann, bob, mod *apptest.Client
	csv, dark, hidden, plan  ideaResp
}

func newChangelogSite(t *testing.T) *changelogSite {
	t.Helper()
	env := apptest.Start(t)
	s := &changelogSite{env: env, admin: env.Client(t, "Ada", "")}
	s.pm = env.Client(t, "Pat", townhall.RoleProduct)
	s.ann = env.Client(t, "Ann", "")
	s.bob = env.Client(t, "Bob", "")
	s.mod = env.Client(t, "Mo", townhall.RoleModerator)
	clk := newClock(time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC))
	env.App.Ideas.SetClock(clk.now)
	s.csv = propose(t, s.ann, "CSV export")
	s.bob.JSON("POST", "/api/v1/ideas/"+s.csv.ID+"/vote", nil, http.StatusOK, nil)
	dup := propose(t, s.bob, "Export to spreadsheet")
	s.ann.JSON("POST", "/api/v1/ideas/"+dup.ID+"/vote", nil, http.StatusOK, nil)
	s.mod.JSON("POST", "/api/v1/ideas/"+dup.ID+"/vote", nil, http.StatusOK, nil) // the one new voter the merge brings
	s.pm.JSON("POST", "/api/v1/ideas/"+dup.ID+"/merge", map[string]any{"into": s.csv.ID}, http.StatusOK, nil)
	s.dark = propose(t, s.ann, "Dark mode")
	s.hidden = propose(t, s.ann, "Hidden shipped idea")
	s.plan = propose(t, s.ann, "Planned idea")
	s.pm.JSON("PUT", "/api/v1/ideas/"+s.csv.ID+"/status", map[string]any{"status": "done", "response": "Shipped in **2.3**"}, http.StatusOK, nil)
	s.pm.JSON("PUT", "/api/v1/ideas/"+s.plan.ID+"/status", map[string]any{"status": "planned"}, http.StatusOK, nil)
	clk.set(time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC))
	s.pm.JSON("PUT", "/api/v1/ideas/"+s.dark.ID+"/status", map[string]any{"status": "done"}, http.StatusOK, nil)
	s.pm.JSON("PUT", "/api/v1/ideas/"+s.hidden.ID+"/status", map[string]any{"status": "done"}, http.StatusOK, nil)
	s.mod.JSON("PUT", "/api/v1/ideas/"+s.hidden.ID+"/hidden", map[string]any{"hidden": true, "reason": "spam"}, http.StatusOK, nil)
	return s
}

// TestChangelog: shipped ideas newest first, grouped by month, with their
// official responses and how many customers asked (merged duplicates'
// voters included, once each); hidden and unshipped ideas never appear.
func TestChangelog(t *testing.T) {
	s := newChangelogSite(t)
	var page struct {
		Items []shippedResp
		Next  string
	}
	s.env.Anonymous(t).JSON("GET", "/api/v1/changelog", nil, http.StatusOK, &page)
	if len(page.Items) != 2 || page.Items[0].Idea.ID != s.dark.ID || page.Items[1].Idea.ID != s.csv.ID {
		t.Fatalf("changelog = %+v", page.Items)
	}
	csv := page.Items[1]
	if csv.AskedFor != 3 || csv.Idea.Response == nil || !strings.Contains(csv.Idea.Response.BodyHTML, "<strong>2.3</strong>") ||
		!csv.ShippedAt.Equal(time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC)) || csv.ReleaseNote != nil {
		t.Fatalf("CSV entry = %+v", csv)
	}
	res, body := s.env.Anonymous(t).Get("/changelog")
	if res.StatusCode != 200 {
		t.Fatalf("changelog page: %d", res.StatusCode)
	}
	nov, oct := strings.Index(body, "<h2 id=\"month-"+s.dark.ID+"\">November 2026</h2>"), strings.Index(body, ">October 2026</h2>")
	if nov < 0 || oct < nov || strings.Index(body, "Dark mode") > oct || strings.Index(body, "CSV export") < oct {
		t.Fatal("the page does not group the ideas by month, newest first")
	}
	if !strings.Contains(body, "3 customers asked for this") || !strings.Contains(body, "1 customer asked for this") {
		t.Fatal("the page does not say how many customers asked")
	}
	for _, gone := range []string{"Hidden shipped idea", "Planned idea", "Export to spreadsheet"} {
		if strings.Contains(body, gone) {
			t.Fatalf("the changelog shows %q", gone)
		}
	}
	if !strings.Contains(body, `<link rel="alternate" type="application/atom+xml" title="Changelog" href="/feeds/changelog.atom">`) {
		t.Fatal("no feed link in the page head")
	}
}

// TestReleaseNotes: the product team adds a sanitized Markdown release
// note to a shipped idea, shown on the changelog and the idea; members
// cannot, and unshipped ideas take none.
func TestReleaseNotes(t *testing.T) {
	s := newChangelogSite(t)
	note := "/api/v1/ideas/" + s.csv.ID + "/release-note"
	wantAPIErrors(t, []apiErrorCase{
		{"member", s.ann, "PUT", note, map[string]any{"body": "x"}, 403, townhall.EFORBIDDEN},
		{"not shipped", s.pm, "PUT", "/api/v1/ideas/" + s.plan.ID + "/release-note", map[string]any{"body": "x"}, 409, townhall.ECONFLICT},
		{"too long", s.pm, "PUT", note, map[string]any{"body": strings.Repeat("x", 10001)}, 400, townhall.EINVALID},
		{"unknown idea", s.pm, "PUT", "/api/v1/ideas/" + townhall.NewID() + "/release-note", map[string]any{"body": "x"}, 404, townhall.ENOTFOUND},
	})
	var n struct {
		Body     string
		BodyHTML string `json:"body_html"`
	}
	s.pm.JSON("PUT", note, map[string]any{"body": "Exports now run **nightly**. <script>alert(1)</script>"}, http.StatusOK, &n)
	if !strings.Contains(n.BodyHTML, "<strong>nightly</strong>") || strings.Contains(n.BodyHTML, "<script") {
		t.Fatalf("note html %q", n.BodyHTML)
	}
	_, body := s.env.Anonymous(t).Get("/changelog")
	if !strings.Contains(body, "<strong>nightly</strong>") || strings.Contains(body, "<script>alert") {
		t.Fatal("the changelog does not show the sanitized note")
	}
	if _, body = s.ann.Get("/ideas/" + s.csv.ID); !strings.Contains(body, "Release note") || !strings.Contains(body, "<strong>nightly</strong>") {
		t.Fatal("the idea page does not show its release note")
	}
	res, _ := s.pm.Form("POST", "/ideas/"+s.dark.ID+"/release-note", map[string][]string{"release_note": {"Dark mode everywhere"}, "back": {"changelog"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/changelog") {
		t.Fatalf("form: %d to %s", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body = s.env.Anonymous(t).Get("/changelog"); !strings.Contains(body, "Dark mode everywhere") {
		t.Fatal("the form's note is not on the changelog")
	}
	if res, _ := s.pm.Do("DELETE", note, nil); res.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if _, body = s.env.Anonymous(t).Get("/changelog"); strings.Contains(body, "nightly") {
		t.Fatal("the removed note is still shown")
	}
	adminUser, _ := s.env.App.Auth.User(context.Background(), s.admin.User.ID)
	log, _ := s.env.App.StaffLog.Entries(context.Background(), adminUser, audit.Query{Action: "idea.release_note", TargetID: s.csv.ID})
	if len(log.Items) != 2 || log.Items[0].After != `""` || !strings.Contains(log.Items[1].After, "nightly") {
		t.Fatalf("staff log = %+v", log.Items)
	}
}
