package ideas_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/notify"
	"github.com/townhall/townhall/store/sqlite"
)

type fixture struct {
	svc    *ideas.Service
	db     *sqlite.DB
	notify *notify.Service
	member *townhall.User
	other  *townhall.User
	team   *townhall.User
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := auth.NewService(db)
	user := func(name string, role townhall.Role) *townhall.User {
		u, err := a.SignIn(ctx, auth.Identity{Provider: "dev", Subject: name, Name: name, Role: role})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	user("root", "") // the first user is admin
	n := notify.NewService(db)
	f := &fixture{db: db, notify: n, svc: ideas.NewService(db, n)}
	f.svc.OnNotifyError = func(err error) { t.Errorf("notification failed: %v", err) }
	f.member, f.other, f.team = user("Mia", townhall.RoleMember), user("Olu", townhall.RoleMember), user("Pat", townhall.RoleProduct)
	return f
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := townhall.ErrorCode(err); got != code {
		t.Fatalf("error %v (code %q), want %q", err, got, code)
	}
}

func TestProposeValidation(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	cases := []struct {
		name string
		in   ideas.Input
		code string
		want string // part of the message
	}{
		{"short title", ideas.Input{Title: "ab"}, townhall.EINVALID, "Title must be at least 3"},
		{"blank title", ideas.Input{Title: "   "}, townhall.EINVALID, "Title"},
		{"long title", ideas.Input{Title: strings.Repeat("é", 141)}, townhall.EINVALID, "at most 140"},
		{"control chars", ideas.Input{Title: "Nice\x00idea"}, townhall.EINVALID, "control characters"},
		{"six tags", ideas.Input{Title: "Tags galore", Tags: []string{"a,b,c", "d", "e", "f"}}, townhall.EINVALID, "at most 5 tags"},
		{"long tag", ideas.Input{Title: "Long tag", Tags: []string{strings.Repeat("x", 31)}}, townhall.EINVALID, "too long"},
		{"odd tag", ideas.Input{Title: "Odd tag", Tags: []string{"a/b"}}, townhall.EINVALID, "may only hold"},
		{"body too long", ideas.Input{Title: "Long body", Body: strings.Repeat("x", ideas.MaxBody+1)}, townhall.EINVALID, "Description"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.Propose(ctx, f.member, tc.in)
			wantCode(t, err, tc.code)
			if !strings.Contains(townhall.ErrorMessage(err), tc.want) {
				t.Fatalf("message %q does not mention %q", townhall.ErrorMessage(err), tc.want)
			}
		})
	}
	_, err := f.svc.Propose(ctx, nil, ideas.Input{Title: "Anonymous"})
	wantCode(t, err, townhall.EUNAUTHORIZED)
	page, _ := f.svc.List(ctx, nil, ideas.ListParams{})
	if len(page.Items) != 0 {
		t.Fatalf("failed proposals wrote %d ideas", len(page.Items))
	}
	// 140 runes of a multi-byte letter is fine: the limit counts characters.
	i, err := f.svc.Propose(ctx, f.member, ideas.Input{
		Title: strings.Repeat("é", 140), Body: "**bold** <script>x</script>",
		Tags: []string{" Mobile App ", "#API", "api", "C++"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(i.Tags, " ") != "mobile-app api c++" || !strings.Contains(string(i.BodyHTML), "<strong>bold</strong>") ||
		strings.Contains(string(i.BodyHTML), "<script") || i.Votes != 1 || !i.Voted || i.Status != ideas.StatusOpen {
		t.Fatalf("proposed idea = %+v", i)
	}
}

func TestRolesAndNotFound(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	i, err := f.svc.Propose(ctx, f.member, ideas.Input{Title: "Role checks"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.ChangeStatus(ctx, f.member, i.ID, ideas.StatusUpdate{Status: "planned"})
	wantCode(t, err, townhall.EFORBIDDEN)
	_, err = f.svc.ChangeStatus(ctx, nil, i.ID, ideas.StatusUpdate{Status: "planned"})
	wantCode(t, err, townhall.EUNAUTHORIZED)
	_, err = f.svc.ChangeStatus(ctx, f.team, i.ID, ideas.StatusUpdate{Status: "shipped"})
	wantCode(t, err, townhall.EINVALID)
	_, err = f.svc.ChangeStatus(ctx, f.team, "garbage", ideas.StatusUpdate{Status: "planned"})
	wantCode(t, err, townhall.ENOTFOUND)
	_, err = f.svc.Merge(ctx, f.member, i.ID, townhall.NewID())
	wantCode(t, err, townhall.EFORBIDDEN)
	_, err = f.svc.Merge(ctx, f.team, i.ID, i.ID)
	wantCode(t, err, townhall.EINVALID)
	_, err = f.svc.Merge(ctx, f.team, i.ID, "not-an-id")
	wantCode(t, err, townhall.ENOTFOUND)
	_, err = f.svc.Triage(ctx, f.member, "", "")
	wantCode(t, err, townhall.EFORBIDDEN)
	_, err = f.svc.Demand(ctx, f.other, i.ID)
	wantCode(t, err, townhall.EFORBIDDEN)
	wantCode(t, f.svc.Export(ctx, f.member, func(*ideas.Idea) error { return nil }), townhall.EFORBIDDEN)
	_, err = f.svc.Edit(ctx, f.other, i.ID, ideas.Input{Title: "Hijacked"})
	wantCode(t, err, townhall.EFORBIDDEN)
	_, err = f.svc.Vote(ctx, nil, i.ID)
	wantCode(t, err, townhall.EUNAUTHORIZED)
	_, err = f.svc.Vote(ctx, f.other, "../etc")
	wantCode(t, err, townhall.ENOTFOUND)
	_, err = f.svc.Comment(ctx, f.other, i.ID, "  ")
	wantCode(t, err, townhall.EINVALID)
	_, err = f.svc.List(ctx, nil, ideas.ListParams{Sort: "hot"})
	wantCode(t, err, townhall.EINVALID)
	_, err = f.svc.List(ctx, nil, ideas.ListParams{Status: "shipped"})
	wantCode(t, err, townhall.EINVALID)
	_, err = f.svc.List(ctx, nil, ideas.ListParams{After: "zzz"})
	wantCode(t, err, townhall.EINVALID)
	got, _ := f.svc.Idea(ctx, nil, i.ID)
	if got.Title != "Role checks" || got.Status != ideas.StatusOpen {
		t.Fatalf("refused writes changed the idea: %+v", got)
	}
	// The author and the product team may edit.
	if _, err := f.svc.Edit(ctx, f.member, i.ID, ideas.Input{Title: "Role checks, edited"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Edit(ctx, f.team, i.ID, ideas.Input{Title: "Role checks, by the team", Tags: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
}

func TestStatusChangeNotifiesVotersAndCommenters(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	i, err := f.svc.Propose(ctx, f.member, ideas.Input{Title: "Notify me"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Vote(ctx, f.other, i.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Comment(ctx, f.other, i.ID, "Please!"); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.ChangeStatus(ctx, f.team, i.ID, ideas.StatusUpdate{Status: "In progress", Reason: "Started this sprint", Response: "We're **on it**."})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != ideas.StatusInProgress || got.Response == nil || !strings.Contains(string(got.Response.BodyHTML), "<strong>on it</strong>") {
		t.Fatalf("after change: %+v", got)
	}
	hist, _ := f.svc.History(ctx, i.ID)
	if len(hist) != 1 || hist[0].Reason != "Started this sprint" || hist[0].ActorName != "Pat" || hist[0].From != ideas.StatusOpen {
		t.Fatalf("history = %+v", hist)
	}
	for _, u := range []*townhall.User{f.member, f.other} {
		page, _ := f.notify.List(ctx, u, "", 10)
		found := false
		for _, n := range page.Items {
			found = found || n.Kind == "status" && strings.Contains(n.Text, "In progress") && n.URL == "/ideas/"+i.ID+"#status-"+hist[0].ID
		}
		if !found {
			t.Errorf("%s got no status notification: %+v", u.Name, page.Items)
		}
	}
	if page, _ := f.notify.List(ctx, f.team, "", 10); len(page.Items) != 0 {
		t.Fatal("the actor was notified of their own change")
	}
	// The author heard about the comment too.
	page, _ := f.notify.List(ctx, f.member, "", 10)
	if len(page.Items) != 2 {
		t.Fatalf("author notifications = %d, want status + comment", len(page.Items))
	}
}

func TestMergeThroughService(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	target, _ := f.svc.Propose(ctx, f.member, ideas.Input{Title: "Dark mode"})
	dup, _ := f.svc.Propose(ctx, f.other, ideas.Input{Title: "Night theme"})
	if _, err := f.svc.Vote(ctx, f.other, target.ID); err != nil {
		t.Fatal(err)
	}
	into, err := f.svc.Merge(ctx, f.team, dup.ID, target.ID)
	if err != nil || into.ID != target.ID || into.Votes != 2 {
		t.Fatalf("merge = %+v, %v; want target with 2 votes (Olu counted once)", into, err)
	}
	again, err := f.svc.Merge(ctx, f.team, dup.ID, target.ID)
	if err != nil || again.Votes != 2 {
		t.Fatalf("re-run = %+v, %v", again, err)
	}
	d, _ := f.svc.Idea(ctx, nil, dup.ID)
	if !d.Merged() || d.MergedInto != target.ID {
		t.Fatalf("duplicate = %+v", d)
	}
	_, err = f.svc.Edit(ctx, f.other, dup.ID, ideas.Input{Title: "Changed"})
	wantCode(t, err, townhall.EFORBIDDEN)
	_, err = f.svc.ChangeStatus(ctx, f.team, dup.ID, ideas.StatusUpdate{Status: "planned"})
	wantCode(t, err, townhall.ECONFLICT)
	page, _ := f.notify.List(ctx, f.other, "", 10)
	if len(page.Items) != 1 || page.Items[0].Kind != "merge" {
		t.Fatalf("duplicate's author notifications = %+v; want one merge notice", page.Items)
	}
}

func TestSimilarAndTriageAndExport(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	for _, title := range []string{"Dark mode for the app", "Export reports to CSV", "Darker charts"} {
		if _, err := f.svc.Propose(ctx, f.member, ideas.Input{Title: title}); err != nil {
			t.Fatal(err)
		}
	}
	for q, want := range map[string]int{"dark mode": 1, "export": 1, "da": 0, "dar": 2, "Dark": 1, "Darker": 1, "mode of the dark": 1, "": 0, "xyz qqq": 0} {
		got, err := f.svc.Similar(ctx, q)
		if err != nil || len(got) < want || want == 0 && len(got) != 0 {
			t.Errorf("similar %q = %d ideas, %v; want %d", q, len(got), err, want)
		}
	}
	if got, _ := f.svc.Similar(ctx, "dark"); len(got) != 2 {
		t.Errorf("prefix 'dark' should match Dark and Darker, got %d", len(got))
	}
	tri, err := f.svc.Triage(ctx, f.team, "", "")
	if err != nil || len(tri.Items) != 3 || tri.Items[0].Title != "Dark mode for the app" || tri.Items[0].Weighted != 1 {
		t.Fatalf("triage = %+v, %v", tri, err)
	}
	_, err = f.svc.Triage(ctx, f.team, "loudest", "")
	wantCode(t, err, townhall.EINVALID)
	var n int
	if err := f.svc.Export(ctx, f.team, func(*ideas.Idea) error { n++; return nil }); err != nil || n != 3 {
		t.Fatalf("export visited %d, %v", n, err)
	}
}

func TestBoardPagingThroughService(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	for range ideas.PageSize + 3 {
		if _, err := f.svc.Propose(ctx, f.member, ideas.Input{Title: "Same old idea"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, sortBy := range ideas.Sorts {
		p1, err := f.svc.List(ctx, nil, ideas.ListParams{Sort: sortBy})
		if err != nil || len(p1.Items) != ideas.PageSize || p1.Next == "" {
			t.Fatalf("%s page 1: %d items, next %q, %v", sortBy, len(p1.Items), p1.Next, err)
		}
		p2, err := f.svc.List(ctx, nil, ideas.ListParams{Sort: sortBy, After: p1.Next})
		if err != nil || len(p2.Items) != 3 || p2.Next != "" {
			t.Fatalf("%s page 2: %d items, next %q, %v", sortBy, len(p2.Items), p2.Next, err)
		}
		seen := map[string]bool{}
		for _, i := range append(p1.Items, p2.Items...) {
			seen[i.ID] = true
		}
		if len(seen) != ideas.PageSize+3 {
			t.Fatalf("%s: pages overlap (%d distinct)", sortBy, len(seen))
		}
	}
}

func TestTrendMaths(t *testing.T) {
	day := 24 * time.Hour
	now := ideas.TrendEpoch.Add(400 * day)
	x := ideas.TrendExponent(now)
	week := ideas.TrendExponent(now.Add(-7 * day))
	if math.Abs(x-week-1) > 1e-12 {
		t.Fatalf("a week-old vote should weigh half: exponents %v and %v", x, week)
	}
	// Two votes now equal four votes a week ago.
	a := ideas.TrendAdd(ideas.TrendAdd(0, x), x)
	b := 0.0
	for range 4 {
		b = ideas.TrendAdd(b, week)
	}
	if math.Abs(a-b) > 1e-9 {
		t.Fatalf("2 now = %v, 4 a week ago = %v", a, b)
	}
	s, ok := ideas.TrendRemove(a, x)
	if !ok || math.Abs(s-x) > 1e-9 {
		t.Fatalf("remove one of two = %v %v, want %v", s, ok, x)
	}
	if _, ok := ideas.TrendRemove(ideas.TrendAdd(0, x), x); ok {
		t.Fatal("removing the only vote must ask for a recompute")
	}
	if ideas.TrendExponent(ideas.TrendEpoch.Add(-day)) != 0 {
		t.Fatal("votes before the epoch must not go negative")
	}
	for _, c := range []string{"", "1.5_" + townhall.NewID(), "0_" + townhall.NewID()} {
		cur, ok := ideas.ParseCursor(c)
		if !ok || cur.String() != c {
			t.Fatalf("cursor %q round trip: %v %v", c, cur, ok)
		}
	}
	for _, c := range []string{"x", "NaN_" + townhall.NewID(), "1_short", "Inf_" + townhall.NewID()} {
		if _, ok := ideas.ParseCursor(c); ok {
			t.Fatalf("cursor %q accepted", c)
		}
	}
}

func TestParseStatus(t *testing.T) {
	for in, want := range map[string]ideas.Status{"open": ideas.StatusOpen, "Under review": ideas.StatusUnderReview,
		"in-progress": ideas.StatusInProgress, " DONE ": ideas.StatusDone, "declined": ideas.StatusDeclined} {
		if got, ok := ideas.ParseStatus(in); !ok || got != want {
			t.Errorf("ParseStatus(%q) = %q %v", in, got, ok)
		}
	}
	if _, ok := ideas.ParseStatus("merged"); ok {
		t.Error("merged is not a status")
	}
	if ideas.StatusInProgress.Label() != "In progress" || ideas.StatusPlanned.Label() != "Planned" {
		t.Error("labels")
	}
}
