package settings_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/settings"
	"github.com/townhall/townhall/store/sqlite"
)

func TestSettingsDefaultsUpdateAndCache(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	a, b := settings.NewService(db), settings.NewService(db) // two app nodes
	a.SetClock(clock)
	b.SetClock(clock)
	admin := &townhall.User{ID: "a", Role: townhall.RoleAdmin}

	got, err := a.Get(ctx)
	if err != nil || got != settings.Defaults() {
		t.Fatalf("fresh site = %+v, %v; want the defaults", got, err)
	}
	b.Get(ctx) // b caches the defaults

	for _, c := range []struct {
		name  string
		actor *townhall.User
		code  string
	}{
		{"anonymous", nil, townhall.EUNAUTHORIZED},
		{"moderator", &townhall.User{ID: "m", Role: townhall.RoleModerator}, townhall.EFORBIDDEN},
	} {
		_, _, err := a.Update(ctx, c.actor, func(s *settings.Site) error { s.SegmentsPublic = true; return nil })
		if townhall.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	refuse := errors.New("no")
	if _, _, err := a.Update(ctx, admin, func(s *settings.Site) error { s.SegmentsPublic = true; return refuse }); err != refuse {
		t.Fatalf("a failing change: %v", err)
	}
	if got, _ := a.Get(ctx); got.SegmentsPublic {
		t.Fatal("a failed change was stored")
	}

	before, after, err := a.Update(ctx, admin, func(s *settings.Site) error { s.SegmentsPublic = true; return nil })
	if err != nil || before.SegmentsPublic || !after.SegmentsPublic {
		t.Fatalf("update: before %+v after %+v, %v", before, after, err)
	}
	if got, _ := a.Get(ctx); !got.SegmentsPublic {
		t.Fatal("the node that changed it does not see the change")
	}
	if got, _ := b.Get(ctx); got.SegmentsPublic {
		t.Fatal("the other node's cache should still be serving within CacheFor")
	}
	now = now.Add(settings.CacheFor)
	if got, _ := b.Get(ctx); !got.SegmentsPublic {
		t.Fatal("the other node does not see the change after CacheFor")
	}
}
