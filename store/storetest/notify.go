package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/notify"
)

// notifyCases are the notify rules of the contract, each run on a fresh backend.
var notifyCases = []Case{
	{"FanOutUnreadAndMarkRead", notifyFanOutUnreadAndMarkRead},
	{"InsertIsIdempotent", notifyInsertIsIdempotent},
	{"MarkGroupRead", notifyMarkGroupRead},
}

// notifyFanOutUnreadAndMarkRead: notifications reach every recipient, page newest first, and marking read touches only the reader's.
func notifyFanOutUnreadAndMarkRead(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	a := MustSignIn(t, s, "a", "")
	b := MustSignIn(t, s, "b", "")
	for i, text := range []string{"first", "second", "third"} {
		to := []string{a.ID}
		if i == 2 {
			to = append(to, b.ID, "no-such-user")
		}
		var ns []*notify.Notification
		for _, uid := range to {
			ns = append(ns, &notify.Notification{ID: townhall.NewID(), UserID: uid, Kind: "reply", Text: text, URL: "/t/1", CreatedAt: Now()})
		}
		mustInsert(t, s, ns...)
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

// notifyInsertIsIdempotent: a batch stored twice (a fan-out job run again)
// adds each notification once, skips unknown users, and counts unread by
// what was added, across the backends' statement and batch sizes.
func notifyInsertIsIdempotent(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	a := MustSignIn(t, s, "a", "")
	b := MustSignIn(t, s, "b", "")
	var ns []*notify.Notification
	for i := range 1100 {
		u := a
		if i%2 == 1 {
			u = b
		}
		ns = append(ns, note(u, "idea:x", Now().Add(time.Duration(i)*time.Millisecond), i))
	}
	ns = append(ns, note(&townhall.User{ID: "no-such-user"}, "idea:x", Now(), 5000))
	if n, err := s.InsertNotifications(ctx, ns); err != nil || n != 1100 {
		t.Fatalf("first insert added %d, %v; want 1100", n, err)
	}
	if n, err := s.InsertNotifications(ctx, ns[:700]); err != nil || n != 0 {
		t.Fatalf("inserting again added %d, %v; want 0", n, err)
	}
	extra := note(a, "idea:x", Now().Add(time.Hour), 9999)
	if n, err := s.InsertNotifications(ctx, append(ns[:3:3], extra)); err != nil || n != 1 {
		t.Fatalf("a batch with one new notification added %d, %v", n, err)
	}
	ua, _ := s.User(ctx, a.ID)
	ub, _ := s.User(ctx, b.ID)
	if ua.Unread != 551 || ub.Unread != 550 {
		t.Fatalf("unread = %d and %d, want 551 and 550", ua.Unread, ub.Unread)
	}
	got, err := s.Notifications(ctx, a.ID, "", 1)
	if err != nil || len(got) != 1 || got[0].ID != extra.ID || got[0].Group != "idea:x" || got[0].Text != extra.Text {
		t.Fatalf("a's newest = %+v, %v; want the extra one with its group", got, err)
	}
}

// notifyMarkGroupRead: reading one thread marks only its notifications
// read, and the unread count follows, never below zero.
func notifyMarkGroupRead(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	a := MustSignIn(t, s, "a", "")
	mustInsert(t, s, note(a, "thread:1", Now(), 1), note(a, "thread:1", Now().Add(time.Second), 2), note(a, "thread:2", Now().Add(2*time.Second), 3))
	if n, err := s.MarkGroupRead(ctx, a.ID, "thread:1"); err != nil || n != 2 {
		t.Fatalf("mark thread:1 = %d, %v", n, err)
	}
	if n, err := s.MarkGroupRead(ctx, a.ID, "thread:1"); err != nil || n != 0 {
		t.Fatalf("marking again = %d, %v; want 0", n, err)
	}
	u, _ := s.User(ctx, a.ID)
	list, _ := s.Notifications(ctx, a.ID, "", 10)
	if u.Unread != 1 || list[0].Read || !list[1].Read || !list[2].Read {
		t.Fatalf("unread %d, notifications %+v", u.Unread, list)
	}
	if err := s.MarkNotificationsRead(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	mustInsert(t, s, note(a, "thread:3", Now().Add(3*time.Second), 4))
	if _, err := s.MarkGroupRead(ctx, a.ID, "thread:3"); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.User(ctx, a.ID); u.Unread != 0 {
		t.Fatalf("unread = %d, want 0", u.Unread)
	}
}
