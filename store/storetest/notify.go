package storetest

import (
	"context"
	"testing"

	"github.com/townhall/townhall/notify"
)

// notifyCases are the notify rules of the contract, each run on a fresh backend.
var notifyCases = []Case{
	{"FanOutUnreadAndMarkRead", notifyFanOutUnreadAndMarkRead},
}

// notifyFanOutUnreadAndMarkRead: notifications reach every recipient, page newest first, and marking read touches only the reader's.
func notifyFanOutUnreadAndMarkRead(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	a := MustSignIn(t, s, "a", "")
	b := MustSignIn(t, s, "b", "")
	for i, text := range []string{"first", "second", "third"} {
		n := notify.Notification{Kind: "reply", Text: text, URL: "/t/1", CreatedAt: Now()}
		to := []string{a.ID}
		if i == 2 {
			to = append(to, b.ID, "no-such-user")
		}
		if err := s.AddNotifications(ctx, to, n); err != nil {
			t.Fatal(err)
		}
	}
	u, _ := s.User(ctx, a.ID)
	if u.Unread != 3 {
		t.Fatalf("unread = %d, want 3", u.Unread)
	}
	list, err := s.Notifications(ctx, a.ID, "", 2)
	if err != nil || len(list) != 2 || list[0].Text != "third" || list[1].Text != "second" {
		t.Fatalf("first page = %v, %v; want third, second", list, err)
	}
	rest, err := s.Notifications(ctx, a.ID, list[1].ID, 10)
	if err != nil || len(rest) != 1 || rest[0].Text != "first" || rest[0].Read {
		t.Fatalf("second page = %v, %v; want unread first", rest, err)
	}
	if err := s.MarkNotificationsRead(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	u, _ = s.User(ctx, a.ID)
	all, _ := s.Notifications(ctx, a.ID, "", 10)
	if u.Unread != 0 || !all[0].Read || !all[2].Read {
		t.Fatalf("after mark read: unread %d, %v", u.Unread, all)
	}
	ub, _ := s.User(ctx, b.ID)
	if ub.Unread != 1 {
		t.Fatalf("b unread = %d, want 1 (marking a's must not touch b's)", ub.Unread)
	}
}
