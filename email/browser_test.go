package email_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/email"
)

// emailView is what the browser reports about a rendered email.
type emailView struct {
	Heading  string   `json:"heading"`
	Links    []string `json:"links"`
	Width    float64  `json:"width"`
	Scripts  int      `json:"scripts"`
	Listed   int      `json:"listed"`
	BodyText string   `json:"body"`
}

// TestEmailHTMLInABrowser opens a composed email's HTML part in Chromium,
// as a mail client shows it (admins read it on /admin/email, sandboxed),
// checks what a reader sees, and saves a screenshot: in the test's
// directory, and in $TOWNHALL_EMAIL_SCREENSHOT when that names a file
// (email/testdata/instant-email.png was made that way).
func TestEmailHTMLInABrowser(t *testing.T) {
	s := newSite(t, nil, func(c *app.Config) { c.MailDelay = 2 * time.Minute })
	ann := s.user("Ann", "ann@example.com")
	bob := s.user("Bob", "bob@example.com")
	tid := thread(t, ann, s.category("Questions"), "How do I export my data to CSV?", "I need it in a spreadsheet.")
	reply(t, bob, tid, "Open **Reports**, then *Export*:\n\n1. Pick the date range\n2. Click `Download CSV`\n\nSee [the guide](/docs/export) <img src=x onerror=alert(1)>.")
	reply(t, s.admin, tid, "Thanks Bob! CSV export also works from the API.")
	s.advance(3 * time.Minute) // both replies, one email
	msg := s.waitState(email.StateKept)
	ctx := apptest.Browser(t)
	s.env.BrowserSignIn(t, ctx, "Admin")
	if err := chromedp.Do(ctx, chromedp.Navigate(s.env.URL+"/admin/email/"+msg.ID+"/html"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	view, err := chromedp.Run(ctx, chromedp.Evaluate[emailView](`({
		heading: document.querySelector("h1").textContent,
		links: [...document.querySelectorAll("a")].map(a => a.href),
		width: document.querySelector("body > div").getBoundingClientRect().width, // 600 and its padding
		scripts: document.scripts.length,
		listed: document.querySelectorAll("ol li").length,
		body: document.body.innerText,
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if view.Heading != "How do I export my data to CSV?" || view.Scripts != 0 || view.Listed != 2 || view.Width > 632 {
		t.Fatalf("the email shows %+v", view)
	}
	for _, l := range view.Links {
		if !strings.HasPrefix(l, s.env.URL+"/") {
			t.Fatalf("link %q is not an absolute link to the site", l)
		}
	}
	for _, want := range []string{"2 new updates", "Bob replied in", "Download CSV", "Open the thread", "Email settings", "Unsubscribe from replies in threads you started"} {
		if !strings.Contains(view.BodyText, want) {
			t.Fatalf("the email does not show %q:\n%s", want, view.BodyText)
		}
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil || img.Bounds().Dx() < 600 || img.Bounds().Dy() < 400 {
		t.Fatalf("screenshot: %v, %v", img, err)
	}
	path := filepath.Join(t.TempDir(), "instant-email.png")
	if p := os.Getenv("TOWNHALL_EMAIL_SCREENSHOT"); p != "" {
		path = p
	}
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the HTML part: %s", path)
}

// TestEmailSettingsInABrowser changes a setting the way a person does:
// clicks a choice, saves, and sees it kept.
func TestEmailSettingsInABrowser(t *testing.T) {
	s := newSite(t, nil)
	ctx := apptest.Browser(t)
	s.env.BrowserSignIn(t, ctx, "Mira")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(s.env.URL+"/notifications"),
		chromedp.Click(chromedp.CSS(`[data-testid="current-user"]`)), // the account menu
		chromedp.Click(chromedp.CSS(`.user-menu a[href="/settings/account"]`)),
		chromedp.WaitVisible(chromedp.ID("email-h")),
		chromedp.Click(chromedp.CSS(`main a[href="/settings/notifications"]`)),
		chromedp.WaitVisible(chromedp.ID("kind-mention-off")),
		chromedp.Click(chromedp.ID("kind-mention-off")),
		chromedp.SetValue(chromedp.ID("digest"), "daily"),
	); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`.email-settings button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	saved, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.alert.ok`)))
	if err != nil || !strings.Contains(saved, "saved") {
		t.Fatalf("after saving: %q, %v", saved, err)
	}
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("kind-mention-off").checked && !document.getElementById("kind-reply-off").checked && document.getElementById("digest").value === "daily"`))
	if err != nil || !checked {
		t.Fatalf("the page does not show the saved choices: %v", err)
	}
}
