package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
)

func TestSearchFollowsForum(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Ada", "")
	mod := env.Client(t, "Mo", townhall.RoleModerator)
	ann := env.Client(t, "Ann", townhall.RoleMember)
	var cat struct{ ID, Slug string }
	admin.JSON("POST", "/api/v1/categories", map[string]any{"name": "Help", "slug": "help"}, http.StatusCreated, &cat)
	var th struct{ ID string }
	ann.JSON("POST", "/api/v1/threads", map[string]any{"category": cat.Slug, "title": "Webhooks stop after an hour", "body": "The webhook retries give up."}, http.StatusCreated, &th)
	got := waitSearch(t, ann, "webhook retries", 1)
	if it := got.Items[0]; it.Kind != townhall.KindThread || it.ID != th.ID || it.URL != "/t/"+th.ID {
		t.Fatalf("thread hit %+v", it)
	}
	var p struct{ ID string }
	ann.JSON("POST", "/api/v1/threads/"+th.ID+"/posts", map[string]any{"body": "Rotate the signing secret, then toggle the xylophone setting."}, http.StatusCreated, &p)
	got = waitSearch(t, ann, "xylophone", 1)
	if it := got.Items[0]; it.Kind != townhall.KindPost || it.ID != p.ID || !strings.HasPrefix(it.URL, "/t/"+th.ID) {
		t.Fatalf("reply hit %+v", it)
	}
	// A hidden reply leaves search for everyone, moderators included.
	mod.JSON("POST", "/api/v1/posts/"+p.ID+"/hide", nil, http.StatusOK, nil)
	waitSearch(t, mod, "xylophone", 0)
	// Similar thread titles for the new-thread form.
	var sim struct {
		Items []struct{ ID, Title, URL string }
	}
	ann.JSON("GET", "/api/v1/search/similar?kind=thread&q="+url.QueryEscape("webhook stops"), nil, http.StatusOK, &sim)
	if len(sim.Items) != 1 || sim.Items[0].ID != th.ID {
		t.Fatalf("similar threads: %+v", sim.Items)
	}
}

func TestBrowserNewThreadSuggestsSimilar(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Ada", "")
	var cat struct{ ID, Slug string }
	admin.JSON("POST", "/api/v1/categories", map[string]any{"name": "Help", "slug": "help"}, http.StatusCreated, &cat)
	admin.JSON("POST", "/api/v1/threads", map[string]any{"category": cat.Slug, "title": "Invoices export as CSV", "body": "How do I export invoices?"}, http.StatusCreated, nil)
	waitSearch(t, admin, "invoices", 1)
	ctx := apptest.Browser(t)
	env.BrowserSignIn(t, ctx, "Ben")
	err := chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/forum/new"),
		chromedp.SendKeys(chromedp.ID("thread-title"), "How to export invoices"),
		chromedp.WaitVisible(chromedp.CSS(`#thread-title-similar a`)),
	)
	if err != nil {
		t.Fatalf("no similar-thread hint: %v", err)
	}
	title, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#thread-title-similar a`)))
	if err != nil || title != "Invoices export as CSV" {
		t.Fatalf("hint %q, %v", title, err)
	}
}
