package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
)

func TestBrowserAdminChangesRole(t *testing.T) {
	env := apptest.Start(t)
	ctx := apptest.Browser(t)
	env.BrowserSignIn(t, ctx, "Ada Admin") // the first user is admin
	mel := env.Client(t, "Mel", townhall.RoleMember)
	role := chromedp.ID("role-" + mel.User.ID)

	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.user-menu summary`)), // the account menu
		chromedp.Click(chromedp.CSS(`.account a[href="/admin/users"]`)),
		chromedp.WaitVisible(role),
		chromedp.SetValue(role, "moderator"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Submitting navigates (POST, then 303 back to the list); wait for it.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#user-`+mel.User.ID+` form[action$="/role"] button`))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(role)); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Value(role))
	if err != nil {
		t.Fatal(err)
	}
	var me struct{ Role string }
	mel.JSON("GET", "/api/v1/me", nil, 200, &me)
	if got != "moderator" || me.Role != "moderator" {
		t.Fatalf("after reload the select shows %q and Mel's role is %q; want moderator", got, me.Role)
	}
}
