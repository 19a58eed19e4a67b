package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/store/sqlite"
)

// TestVisitCountsDaysInTheSiteZone: a visit writes once per calendar day of
// the site's time zone, and the day turns at local midnight, not UTC's.
func TestVisitCountsDaysInTheSiteZone(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := auth.NewService(db)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	s.SetLocation(berlin)
	u, err := s.SignIn(ctx, auth.Identity{Provider: "dev", Subject: "ann", Name: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		at        string // UTC
		wantFirst bool
		wantDays  int
	}{
		{"2026-12-01T08:00:00Z", true, 1},
		{"2026-12-01T20:00:00Z", false, 1}, // 21:00 in Berlin, same day
		{"2026-12-01T23:30:00Z", true, 2},  // 00:30 on the 2nd in Berlin, still the 1st in UTC
		{"2026-12-02T10:00:00Z", false, 2},
		{"2026-12-05T10:00:00Z", true, 3},
	}
	for _, st := range steps {
		at, _ := time.Parse(time.RFC3339, st.at)
		s.SetClock(func() time.Time { return at })
		// Each request loads the user afresh, as the session lookup does.
		cur, err := s.User(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		first, err := s.Visit(ctx, cur)
		if err != nil || first != st.wantFirst {
			t.Fatalf("%s: first = %v, %v; want %v", st.at, first, err, st.wantFirst)
		}
		stored, _ := s.User(ctx, u.ID)
		if stored.DaysVisited != st.wantDays {
			t.Fatalf("%s: %d days visited, want %d", st.at, stored.DaysVisited, st.wantDays)
		}
	}
	if got := s.Day(time.Date(2026, 12, 1, 23, 30, 0, 0, time.UTC)); got != "2026-12-02" {
		t.Fatalf("Day = %s, want 2026-12-02 in Berlin", got)
	}
}
