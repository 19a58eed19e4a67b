package web_test

import (
	"context"
	"testing"

	"github.com/townhall/townhall/app/apptest"
)

// TestSignedInRequestsRecordOneVisitADay: a signed-in person's requests
// count one day visited, however many pages they open; anonymous visitors
// record nothing.
func TestSignedInRequestsRecordOneVisitADay(t *testing.T) {
	env := apptest.Start(t)
	ann := env.Client(t, "Ann", "")
	for _, path := range []string{"/", "/ideas", "/forum", "/api/v1/me"} {
		ann.Get(path)
	}
	env.Anonymous(t).Get("/")
	u, err := env.App.Auth.User(context.Background(), ann.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.DaysVisited != 1 || u.LastSeenAt.IsZero() {
		t.Fatalf("after a day's requests: %d days visited, last seen %v; want 1 day, a time", u.DaysVisited, u.LastSeenAt)
	}
	if day := env.App.Auth.Day(u.LastSeenAt); day != env.App.Auth.Day(u.LastSeenAt.In(env.App.Location)) {
		t.Fatalf("day %s not in the site zone", day)
	}
}
