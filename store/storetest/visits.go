package storetest

import (
	"context"
	"testing"
	"time"
)

func init() { register("visits", testVisits) }

// testVisits: the first visit of a day counts once and moves LastSeenAt;
// later visits that day change nothing; each person counts on their own.
func testVisits(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	a := MustSignIn(t, s, "a", "")
	b := MustSignIn(t, s, "b", "")
	if a.DaysVisited != 0 || !a.LastSeenAt.IsZero() {
		t.Fatalf("new user: %d days, last seen %v; want none", a.DaysVisited, a.LastSeenAt)
	}
	morning, noon := Now(), Now().Add(3*time.Hour)
	tomorrow := Now().Add(24 * time.Hour)
	steps := []struct {
		user, day string
		at        time.Time
		wantFirst bool
	}{
		{a.ID, "2026-11-01", morning, true},
		{a.ID, "2026-11-01", noon, false},
		{b.ID, "2026-11-01", noon, true},
		{a.ID, "2026-11-02", tomorrow, true},
		{a.ID, "2026-11-02", tomorrow.Add(time.Minute), false},
	}
	for i, st := range steps {
		first, err := s.RecordVisit(ctx, st.user, st.day, st.at)
		if err != nil || first != st.wantFirst {
			t.Fatalf("step %d: first = %v, %v; want %v", i, first, err, st.wantFirst)
		}
	}
	ua, _ := s.User(ctx, a.ID)
	if ua.DaysVisited != 2 || !ua.LastSeenAt.Equal(tomorrow) {
		t.Fatalf("a: %d days, last seen %v; want 2 days, %v", ua.DaysVisited, ua.LastSeenAt, tomorrow)
	}
	ub, _ := s.User(ctx, b.ID)
	if ub.DaysVisited != 1 || !ub.LastSeenAt.Equal(noon) {
		t.Fatalf("b: %d days, last seen %v; want 1 day, %v", ub.DaysVisited, ub.LastSeenAt, noon)
	}
}
