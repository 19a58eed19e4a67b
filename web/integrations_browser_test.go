package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/townhall/townhall/app/apptest"
)

// TestBrowserWebhookTestEvent: an admin adds an endpoint with the form,
// sends a test event and sees it delivered in the log; the receiver got
// it signed.
func TestBrowserWebhookTestEvent(t *testing.T) {
	env := apptest.Start(t, apptest.WithConfig(privateWebhooks))
	rcv := newReceiver(t, nil)
	ctx := apptest.Browser(t)
	env.BrowserSignIn(t, ctx, "Ada Admin")
	err := chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/admin/webhooks"),
		chromedp.WaitVisible(chromedp.ID("wh-url")),
		chromedp.SendKeys(chromedp.ID("wh-url"), rcv.srv.URL+"/hook"),
		chromedp.Click(chromedp.CSS(`input[name=events][value="idea.created"]`)),
		chromedp.SendKeys(chromedp.ID("wh-secret"), "browser-secret-12345"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/admin/webhooks"] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action$="/test"] button`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the test delivery", func() bool { return rcv.count() == 1 })
	checkSignature(t, rcv.all()[0], "browser-secret-12345")
	var log string
	waitFor(t, "the log to show it delivered", func() bool {
		if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("deliveries-head"))); err != nil {
			t.Fatal(err)
		}
		log, err = chromedp.Run(ctx, chromedp.Text(chromedp.ID("deliveries")))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Contains(log, "Delivered")
	})
	if !strings.Contains(log, "webhook.test") || !strings.Contains(log, "HTTP 200") {
		t.Fatalf("delivery log reads %q", log)
	}
}

// TestBrowserVoteOnBehalf: on an idea's page the product team records a
// customer's vote and sees it listed with the note.
func TestBrowserVoteOnBehalf(t *testing.T) {
	env := apptest.Start(t)
	ctx := apptest.Browser(t)
	env.BrowserSignIn(t, ctx, "Ada Admin") // admins act for the product team too
	ann := env.Client(t, "Ann", "")
	env.Client(t, "Bob", "")
	i := propose(t, ann, "Browser extension")
	err := chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/ideas/"+i.ID),
		chromedp.WaitVisible(chromedp.ID("ob-user")),
		chromedp.SendKeys(chromedp.ID("ob-user"), "@bob"),
		chromedp.SendKeys(chromedp.ID("ob-note"), "Asked on a support call"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Submit(chromedp.ID("ob-note"))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(".on-behalf-list li"))); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("on-behalf")))
	if err != nil {
		t.Fatal(err)
	}
	count, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.idea-head [data-testid="vote-count"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Vote recorded for @bob") || !strings.Contains(text, "Asked on a support call") || strings.TrimSpace(count) != "2" {
		t.Fatalf("after recording: %q, count %q", text, count)
	}
}
