package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/townhall/townhall/app/apptest"
)

// TestBrowserDeleteOwnAccount clicks through deleting one's account: from
// the name in the header to the account page, the refused confirmation
// (what was typed kept), and the typed handle that deletes it and signs
// the browser out.
func TestBrowserDeleteOwnAccount(t *testing.T) {
	env := apptest.Start(t)
	env.Client(t, "Ada", "") // the admin, so Ann is not the last one
	ctx := apptest.Browser(t)
	env.BrowserSignIn(t, ctx, "Ann")
	confirm := chromedp.ID("confirm")
	submit := chromedp.CSS(`form[action="/settings/account/delete"] button`)
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.account a[href="/settings/account"]`)),
		chromedp.WaitVisible(confirm),
		chromedp.SendKeys(confirm, "anne"),
	); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(submit)); err != nil {
		t.Fatal(err)
	}
	alert, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.alert.error`)))
	if err != nil || !strings.Contains(alert, "@ann") {
		t.Fatalf("after a wrong handle: %q, %v", alert, err)
	}
	if typed, _ := chromedp.Run(ctx, chromedp.Value(confirm)); typed != "anne" {
		t.Fatalf("the form lost what was typed: %q", typed)
	}
	if err := chromedp.Do(ctx, chromedp.SetValue(confirm, "@ann")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(submit)); err != nil {
		t.Fatal(err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main h1`)))
	if err != nil || heading != "Your account is deleted" {
		t.Fatalf("after deleting: %q, %v", heading, err)
	}
	signIn, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.account`)))
	if err != nil || !strings.Contains(signIn, "Sign in") {
		t.Fatalf("the browser is still signed in: header %q, %v", signIn, err)
	}
}
