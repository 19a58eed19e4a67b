package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
)

func TestNotificationsPageBadgeAndMarkRead(t *testing.T) {
	env := apptest.Start(t)
	bob := env.Client(t, "Bob", "")
	ann := env.Client(t, "Ann", townhall.RoleMember)

	_, page := ann.Get("/notifications")
	if !strings.Contains(page, "Nothing yet.") || strings.Contains(page, `class="badge"`) {
		t.Fatal("a new user's notifications page should be empty, without a badge")
	}
	err := env.App.Notify.Notify(context.Background(), bob.User.ID, []string{ann.User.ID, bob.User.ID},
		"reply", "Bob replied to “Dark mode?”", "/t/example#post-1")
	if err != nil {
		t.Fatal(err)
	}
	_, page = ann.Get("/notifications")
	for _, want := range []string{
		`<li class="unread">`,
		`<a href="/t/example#post-1">Bob replied to “Dark mode?”</a>`,
		`aria-label="Notifications, 1 unread"`,
		`<span class="badge">1</span>`,
		`<form action="/notifications/read" method="post"><button type="submit">Mark all read</button></form>`,
	} {
		if !strings.Contains(page, want) {
			t.Fatalf("notifications page lacks %s:\n%.4000s", want, page)
		}
	}
	// The actor is not told about their own action.
	if _, own := bob.Get("/notifications"); strings.Contains(own, "Bob replied") || strings.Contains(own, `class="badge"`) {
		t.Fatal("the actor got their own notification")
	}

	res, _ := ann.Form("POST", "/notifications/read", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/notifications" {
		t.Fatalf("mark all read: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, page = ann.Get("/notifications")
	if !strings.Contains(page, "Bob replied") || strings.Contains(page, `class="badge"`) ||
		strings.Contains(page, `<li class="unread">`) || strings.Contains(page, "Mark all read") ||
		!strings.Contains(page, `aria-label="Notifications"`) {
		t.Fatalf("after mark all read the badge, unread style or button remain:\n%.4000s", page)
	}
}
