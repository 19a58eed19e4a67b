package web_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
)

func TestBrowserLikeWithoutReload(t *testing.T) {
	f := startForum(t)
	th := f.thread(t, f.bob, "questions", "Where is the export button?", "I cannot find it.")
	answer := f.reply(t, f.mod, th.ID, "Top right of the reports page.")
	ctx := apptest.Browser(t)
	f.env.BrowserSignIn(t, ctx, "Ann")
	button := `#post-` + answer.ID + ` .like-button`
	count := `#post-` + answer.ID + ` .like-count`
	likes := func() int {
		t.Helper()
		var p struct{ Likes int }
		f.anon.JSON("GET", "/api/v1/posts/"+answer.ID, nil, http.StatusOK, &p)
		return p.Likes
	}
	// read is the count shown and whether the page is the one loaded
	// (a reload loses the mark the test sets).
	read := func() (string, bool) {
		t.Helper()
		shown, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(count)))
		if err != nil {
			t.Fatal(err)
		}
		stayed, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.stayed === true`))
		if err != nil {
			t.Fatal(err)
		}
		return shown, stayed
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.env.URL+"/t/"+th.ID),
		chromedp.WaitVisible(chromedp.CSS(button)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.stayed = true`)); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(button)),
		chromedp.WaitVisible(chromedp.CSS(`#post-`+answer.ID+` .like-button[aria-pressed="true"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	shown, stayed := read()
	if shown != "1" || !stayed || likes() != 1 {
		t.Fatalf("after liking: count %q, page kept %v, %d likes stored; want 1, no reload, 1", shown, stayed, likes())
	}
	// And back, still without a reload.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(button)),
		chromedp.WaitVisible(chromedp.CSS(`#post-`+answer.ID+` .like-button[aria-pressed="false"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if shown, stayed = read(); shown != "0" || !stayed || likes() != 0 {
		t.Fatalf("after unliking: count %q, page kept %v, %d likes stored", shown, stayed, likes())
	}
}

func TestBrowserProfileTabsAndBadgePage(t *testing.T) {
	f := startForum(t)
	th := f.thread(t, f.ann, "questions", "How do I export invoices?", "I need CSV.")
	answer := f.reply(t, f.bob, th.ID, "Use the reports page, then Export.")
	f.ann.JSON("POST", "/api/v1/posts/"+answer.ID+"/accept", nil, http.StatusOK, nil)
	ctx := apptest.Browser(t)
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.env.URL+"/t/"+th.ID),
		// The author's name leads to the profile.
		chromedp.Click(chromedp.CSS(`#post-`+answer.ID+` a.author`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="profile"]`)),
		chromedp.Click(chromedp.CSS(`a[data-tab="replies"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[data-tab="replies"][aria-current="page"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	replies := text(`[data-testid="profile-tab"]`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[data-tab="reputation"]`)), chromedp.WaitVisible(chromedp.CSS(`.ledger`))); err != nil {
		t.Fatal(err)
	}
	reputation := text(`[data-testid="profile-tab"]`)
	// A badge on the profile leads to its page and holders.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="profile-badges"] a[href="/badges/helpful"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="holders"]`))); err != nil {
		t.Fatal(err)
	}
	holders := text(`[data-testid="holders"]`)
	if !strings.Contains(replies, "Use the reports page, then Export.") || !strings.Contains(replies, "How do I export invoices?") {
		t.Errorf("replies tab = %q", replies)
	}
	if !strings.Contains(reputation, "+15") || !strings.Contains(reputation, "answer accepted in How do I export invoices?") {
		t.Errorf("reputation tab = %q", reputation)
	}
	if !strings.Contains(holders, "Bob") || strings.Contains(holders, "Ann") {
		t.Errorf("holders of Helpful = %q, want Bob only", holders)
	}
	// The badges page lists every badge; its holder links work too.
	if err := chromedp.Do(ctx, chromedp.Navigate(f.env.URL+"/badges")); err != nil {
		t.Fatal(err)
	}
	grid := text(`[data-testid="badges"]`)
	for _, name := range []string{"First Post", "Helpful", "Problem Solver", "Guru", "Co-creator", "Trusted Reviewer", "Anniversary", "Champion"} {
		if !strings.Contains(grid, name) {
			t.Errorf("the badges page lacks %s", name)
		}
	}
}

// TestBrowserHeaderAtPhoneWidth checks the compact header at 390 px: one
// row, nothing touching the screen's edge, and the menu button opening
// the links and the search (without JavaScript too: it is a <details>).
// With TOWNHALL_SCREENSHOTS set to a directory, it saves header-390.png
// and header-390-menu.png there.
func TestBrowserHeaderAtPhoneWidth(t *testing.T) {
	env := apptest.Start(t)
	ctx := apptest.Browser(t)
	env.BrowserSignIn(t, ctx, "Grace Hopper With A Long Name")
	env.Client(t, "Ann", townhall.RoleMember)
	type box struct{ Left, Right, Top, Bottom, Height float64 }
	measure := func(sel string) box {
		t.Helper()
		b, err := chromedp.Run(ctx, chromedp.Evaluate[box](`(() => { const r = document.querySelector(`+"`"+sel+"`"+`).getBoundingClientRect();
			return {Left: r.left, Right: r.right, Top: r.top, Bottom: r.bottom, Height: r.height}; })()`))
		if err != nil {
			t.Fatalf("measure %s: %v", sel, err)
		}
		return b
	}
	js := func(expr string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	var shots [2][]byte
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(env.URL+"/forum"),
		chromedp.WaitVisible(chromedp.CSS(`.nav-menu summary`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if shots[0], err = chromedp.Run(ctx, chromedp.CaptureScreenshot()); err != nil {
		t.Fatal(err)
	}
	header, brand, menu, bell := measure(".site-header"), measure(".brand"), measure(".nav-menu summary"), measure(".bell")
	if header.Height > 64 {
		t.Errorf("header is %.0f px tall at 390 px; want one row", header.Height)
	}
	if brand.Left < 12 || menu.Right > 390-12 {
		t.Errorf("brand starts at %.0f px, menu button ends at %.0f px: too close to the edge", brand.Left, menu.Right)
	}
	if brand.Right > bell.Left || bell.Top > menu.Bottom || menu.Top > bell.Bottom {
		t.Errorf("brand %+v, bell %+v and menu %+v are not one row", brand, bell, menu)
	}
	navShown := js(`getComputedStyle(document.querySelector(".main-nav")).display !== "none"`)
	searchShown := js(`getComputedStyle(document.querySelector(".header-search")).display !== "none"`)
	if navShown || searchShown {
		t.Errorf("at 390 px the full nav (%v) or the header search (%v) still shows", navShown, searchShown)
	}
	// The menu opens with the links and the search, inside the screen.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.nav-menu summary`)),
		chromedp.WaitVisible(chromedp.ID("menu-q")),
	)
	if err != nil {
		t.Fatal(err)
	}
	links, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.nav-menu .nav-stack`)))
	if err != nil {
		t.Fatal(err)
	}
	if shots[1], err = chromedp.Run(ctx, chromedp.CaptureScreenshot()); err != nil {
		t.Fatal(err)
	}
	panel, search := measure(".nav-menu .menu-panel"), measure("#menu-q")
	if panel.Left < 8 || panel.Right > 390-8 || search.Left < 12 || search.Right > 390-12 {
		t.Errorf("menu %+v or its search %+v touches the edge", panel, search)
	}
	for _, l := range []string{"Forum", "Ideas", "Reviews", "Leaderboard"} {
		if !strings.Contains(links, l) {
			t.Errorf("the menu lacks %s: %q", l, links)
		}
	}
	// Searching from the menu works.
	// Wait for what only the search page has: the page searched from has
	// a main h1 too, and waiting for one read the old page's location.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("menu-q"), "export\n"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="results-summary"]`))); err != nil {
		t.Fatal(err)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.Contains(loc, "/search?q=export") {
		t.Errorf("search from the menu went to %q (%v)", loc, err)
	}
	// At desktop width the links are in the header again, and the menu button is gone.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1200, 900), chromedp.Navigate(env.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if !js(`getComputedStyle(document.querySelector(".nav-menu")).display === "none" &&
			getComputedStyle(document.querySelector(".main-nav")).display !== "none"`) {
		t.Error("at 1200 px the header still shows the compact menu")
	}
	if h := measure(".site-header").Height; h > 70 {
		t.Errorf("the desktop header is %.0f px tall; want one row", h)
	}
	dir := os.Getenv("TOWNHALL_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	for i, name := range []string{"header-390.png", "header-390-menu.png"} {
		if len(shots[i]) < 1000 {
			t.Fatalf("%s: %d bytes, no screenshot", name, len(shots[i]))
		}
		if err := os.WriteFile(filepath.Join(dir, name), shots[i], 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
