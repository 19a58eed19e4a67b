package audit_test

import (
	"context"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/audit"
	"github.com/townhall/townhall/store/sqlite"
)

func TestRecordKeepsWhoWhatAndValues(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := audit.NewLog(db, nil)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	l.SetClock(func() time.Time { return at })
	mod := &townhall.User{ID: "m1", Name: "Mo", Role: townhall.RoleModerator}
	type lock struct {
		Locked bool `json:"locked"`
	}
	if err := l.Record(ctx, mod, audit.Action{Action: "thread.lock", TargetKind: "thread", TargetID: "t1", Target: "Heated",
		Before: lock{false}, After: lock{true}, Reason: "cooling off"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		actor *townhall.User
		code  string
	}{
		{"anonymous", nil, townhall.EUNAUTHORIZED},
		{"member", &townhall.User{ID: "u", Role: townhall.RoleMember}, townhall.EFORBIDDEN},
	} {
		if _, err := l.Entries(ctx, c.actor, audit.Query{}); townhall.ErrorCode(err) != c.code {
			t.Errorf("%s reads the log: %v, want %s", c.name, err, c.code)
		}
	}
	page, err := l.Entries(ctx, mod, audit.Query{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("entries = %+v, %v", page, err)
	}
	e := page.Items[0]
	if e.ActorID != "m1" || e.ActorName != "Mo" || e.ActorRole != townhall.RoleModerator || e.Action != "thread.lock" ||
		e.Target != "Heated" || e.Before != `{"locked":false}` || e.After != `{"locked":true}` || e.Reason != "cooling off" || !e.At.Equal(at) {
		t.Fatalf("entry = %+v", e)
	}
	var nilLog *audit.Log
	if err := nilLog.Record(ctx, mod, audit.Action{Action: "x"}); err != nil {
		t.Fatalf("a nil log must record nothing and not fail: %v", err)
	}
}

func TestEntriesPages(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := audit.NewLog(db, nil)
	admin := &townhall.User{ID: "a", Name: "Ada", Role: townhall.RoleAdmin}
	for range 5 {
		l.Record(ctx, admin, audit.Action{Action: "user.role", TargetKind: "user", TargetID: "u"})
	}
	p1, _ := l.Entries(ctx, admin, audit.Query{Limit: 3})
	p2, _ := l.Entries(ctx, admin, audit.Query{Limit: 3, Before: p1.Next})
	if len(p1.Items) != 3 || p1.Next == "" || len(p2.Items) != 2 || p2.Next != "" {
		t.Fatalf("pages of 3: %d (next %q), %d (next %q)", len(p1.Items), p1.Next, len(p2.Items), p2.Next)
	}
}
