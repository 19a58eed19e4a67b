package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
)

// TestBrowserFlagAndReviewQueue: a member flags a reply from the thread
// page, a moderator hides it from the review queue, and the member is told;
// all through forms, the way people click.
func TestBrowserFlagAndReviewQueue(t *testing.T) {
	f := startForum(t)
	q := f.thread(t, f.ann, "questions", "How do I export invoices?", "Where is the button?")
	spam := f.reply(t, f.bob, q.ID, "Cheap watches at example.com")
	f.env.Client(t, "Mia", townhall.RoleModerator) // exists, so the browser signs in as a moderator
	ctx := apptest.Browser(t)

	f.env.BrowserSignIn(t, ctx, "Ann")
	box := `[data-testid="flag-post-` + spam.ID + `"]`
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.env.URL+"/t/"+q.ID),
		chromedp.WaitVisible(chromedp.CSS(box+" summary")),
		chromedp.Click(chromedp.CSS(box+" summary")),
		chromedp.WaitVisible(chromedp.CSS(box+` input[value="spam"]`)),
		chromedp.Click(chromedp.CSS(box+` input[value="spam"]`)),
		chromedp.SendKeys(chromedp.CSS(box+" textarea"), "Selling watches"),
		chromedp.Click(chromedp.CSS(box+` button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flag-done"]`)),
	)
	if err != nil {
		t.Fatalf("flagging from the thread page: %v", err)
	}
	done, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="flag-done"]`)))
	if err != nil || !strings.Contains(done, "A moderator will look at it") {
		t.Fatalf("after flagging: %q, %v", done, err)
	}
	// Ann has no review queue.
	if has, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('[data-testid="review-link"]')`)); has {
		t.Fatal("a member sees the review queue link")
	}

	f.env.BrowserSignOut(t, ctx)
	f.env.BrowserSignIn(t, ctx, "Mia")
	entry := `[data-testid="queue-post-` + spam.ID + `"]`
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="review-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(entry)),
	)
	if err != nil {
		t.Fatalf("opening the queue: %v", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(entry)))
	if err != nil || !strings.Contains(text, "Cheap watches") || !strings.Contains(text, "Selling watches") || !strings.Contains(text, "from Ann") {
		t.Fatalf("queue entry: %q, %v", text, err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(entry+` input[name="reason"]`), "Spam"),
		chromedp.Click(chromedp.CSS(entry+` [data-testid="hide"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="queue-empty"]`)),
	)
	if err != nil {
		t.Fatalf("hiding from the queue: %v", err)
	}

	// The reply is gone for members, and Ann was told.
	if th := f.get(t, f.ann, q.ID); len(th.Posts) != 0 {
		t.Fatalf("the hidden reply still shows: %+v", th.Posts)
	}
	if ns := notificationsOf(t, f.ann, "flag_handled"); len(ns) != 1 || !strings.Contains(ns[0].Text, "hid it") {
		t.Fatalf("Ann's notifications: %+v", ns)
	}
}
