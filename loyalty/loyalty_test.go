package loyalty

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall/ideas"
)

func TestStatusEntries(t *testing.T) {
	for _, c := range []struct {
		from, to ideas.Status
		want     string // suffix:points, in order
	}{
		{ideas.StatusOpen, ideas.StatusUnderReview, "[]"},
		{ideas.StatusOpen, ideas.StatusPlanned, "[planned:10]"},
		{ideas.StatusPlanned, ideas.StatusInProgress, "[]"},
		{ideas.StatusInProgress, ideas.StatusDone, "[shipped:25]"},
		{ideas.StatusOpen, ideas.StatusDone, "[planned:10 shipped:25]"},
		{ideas.StatusDone, ideas.StatusPlanned, "[unshipped:-25]"},
		{ideas.StatusDone, ideas.StatusDeclined, "[unplanned:-10 unshipped:-25]"},
		{ideas.StatusPlanned, ideas.StatusOpen, "[unplanned:-10]"},
		{ideas.StatusDone, ideas.StatusDone, "[]"},
	} {
		var got []string
		sum := 0
		for _, e := range StatusEntries("ch", "idea", "ann", c.from, c.to) {
			got = append(got, fmt.Sprintf("%s:%d", e.Key[len("status:ch:"):], e.Points))
			sum += e.Points
			if e.UserID != "ann" || e.SourceKind != KindIdea || e.SourceID != "idea" {
				t.Errorf("%s → %s: entry %+v", c.from, c.to, e)
			}
		}
		if fmt.Sprint(got) != c.want && !(got == nil && c.want == "[]") {
			t.Errorf("%s → %s = %v, want %s", c.from, c.to, got, c.want)
		}
		// The entries always move the author from what the old status
		// earns to what the new one does.
		if sum != StatusPoints(c.to)-StatusPoints(c.from) {
			t.Errorf("%s → %s moves %d points, want %d", c.from, c.to, sum, StatusPoints(c.to)-StatusPoints(c.from))
		}
	}
}

func TestLikePointsFollowTheDailyCap(t *testing.T) {
	// Liking n times then unliking k times leaves LikeDayPoints(n-k),
	// whatever the order, as the ledger and the check both assume.
	total := 0
	for nth := 1; nth <= LikePointsPerDay+5; nth++ {
		total += LikePoints(nth)
		if total != LikeDayPoints(nth) {
			t.Fatalf("after %d likes: %d points, want %d", nth, total, LikeDayPoints(nth))
		}
	}
	for had := LikePointsPerDay + 5; had > 0; had-- {
		total -= LikeDayPoints(had) - LikeDayPoints(had-1)
		if total != LikeDayPoints(had-1) {
			t.Fatalf("after unliking down to %d: %d points", had-1, total)
		}
	}
	if LikeDayPoints(1000) != LikePointsPerDay*PointsLiked {
		t.Fatal("the cap does not hold")
	}
}

func TestPeriodKeys(t *testing.T) {
	for day, want := range map[string]string{
		"2026-12-31": "[w2026-53 m2026-12 all]",
		"2027-01-01": "[w2026-53 m2027-01 all]", // ISO weeks: still the last week of 2026
		"2021-01-03": "[w2020-53 m2021-01 all]",
		"2026-06-10": "[w2026-24 m2026-06 all]",
		"nonsense":   "[all]",
	} {
		if got := fmt.Sprint(PeriodKeys(day)); got != want {
			t.Errorf("PeriodKeys(%s) = %s, want %s", day, got, want)
		}
	}
	if PeriodKey(PeriodWeek, "2026-06-10") != "w2026-24" || PeriodKey(PeriodMonth, "2026-06-10") != "m2026-06" || PeriodKey(PeriodAll, "x") != "all" {
		t.Error("PeriodKey picks the wrong key")
	}
	e := &Entry{UserID: "u", Points: 3, Day: "2026-06-10", CategoryID: "c", SegmentID: "s"}
	if rs := e.Rollups(); len(rs) != 9 || rs[0].Points != 3 || rs[8].Scope != "s:s" {
		t.Errorf("rollups = %+v, want 3 periods × 3 scopes", rs)
	}
	if rs := (&Entry{UserID: "u", Points: 1, Day: "2026-06-10"}).Rollups(); len(rs) != 3 {
		t.Errorf("an entry without category or segment has %d rollups, want 3", len(rs))
	}
}

func TestBadgeRules(t *testing.T) {
	now := time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC)
	earned := func(f Facts) []string {
		var out []string
		for _, b := range Badges {
			if b.Earned(f, now) {
				out = append(out, b.Slug)
			}
		}
		return out
	}
	for _, c := range []struct {
		f    Facts
		want string
	}{
		{Facts{CreatedAt: now}, "[]"},
		{Facts{Posts: 1, CreatedAt: now}, "[first-post]"},
		{Facts{Posts: 1, Accepted: 1, CreatedAt: now}, "[first-post helpful]"},
		{Facts{Accepted: 10, CreatedAt: now}, "[helpful problem-solver]"},
		{Facts{Accepted: 100, CreatedAt: now}, "[helpful problem-solver guru]"},
		{Facts{Helpful: 9, CreatedAt: now}, "[]"},
		{Facts{Helpful: 10, CreatedAt: now}, "[trusted-reviewer]"},
		{Facts{Shipped: 1, CreatedAt: now}, "[co-creator]"},
		{Facts{CreatedAt: now.AddDate(-1, 0, 0)}, "[anniversary]"},
		{Facts{CreatedAt: now.AddDate(-1, 0, 1)}, "[]"},
	} {
		got := fmt.Sprint(earned(c.f))
		if got == "[]" && c.want == "[]" {
			continue
		}
		if got != c.want {
			t.Errorf("facts %+v earn %s, want %s", c.f, got, c.want)
		}
	}
	if BadgeBySlug(Champion).Earned(Facts{Posts: 1, Accepted: 1000, Helpful: 1000, Shipped: 1}, now) {
		t.Error("Champion was earned by a rule; only admins grant it")
	}
}

func TestHighest(t *testing.T) {
	for _, c := range []struct {
		held []string
		want string
	}{
		{nil, ""},
		{[]string{FirstPost}, FirstPost},
		{[]string{FirstPost, HelpfulBadge}, HelpfulBadge}, // same tier: the later in the list
		{[]string{CoCreator, FirstPost, HelpfulBadge}, CoCreator},
		{[]string{Guru, Champion}, Champion},
		{[]string{"", "unknown", FirstPost}, FirstPost},
	} {
		if got := Highest(c.held); got != c.want {
			t.Errorf("Highest(%v) = %q, want %q", c.held, got, c.want)
		}
	}
}

func TestEntriesExplainThemselves(t *testing.T) {
	for _, c := range []struct {
		e          *Entry
		sign, url  string
		phraseHint string
	}{
		{Accepted("t.1", "bob", "p1", "t", "c", false), "+15", "/t/t#post-p1", "answer accepted"},
		{Accepted("t.1", "bob", "p1", "t", "c", true), "−15", "/t/t#post-p1", "no longer accepted"},
		{Helpful("k", "bob", "r", "prod", false), "+2", "/products/acme#review-r", "helpful"},
		{ReviewDeleted("r", "bob", "prod", 3), "−6", "/products/acme", "deleted"},
		{StatusEntries("ch", "i", "ann", ideas.StatusOpen, ideas.StatusPlanned)[0], "+10", "/ideas/i", "planned"},
		{Liked(&Like{ID: "l", Kind: KindComment, TargetID: "cm"}, &Target{AuthorID: "bob", ParentID: "i"}, 1, false), "+1", "/ideas/i#comment-cm", "comment liked"},
	} {
		c.e.Title, c.e.ProductSlug = "A title", "acme"
		if c.e.Signed() != c.sign || c.e.URL() != c.url || !strings.Contains(c.e.Phrase(), c.phraseHint) {
			t.Errorf("%s: %q %q %q; want %q %q and a phrase with %q", c.e.Key, c.e.Signed(), c.e.URL(), c.e.Phrase(), c.sign, c.url, c.phraseHint)
		}
		c.e.Title = ""
		if c.e.URL() != "" {
			t.Errorf("%s: a link without a visible title: %q", c.e.Key, c.e.URL())
		}
	}
	if Liked(&Like{ID: "l", Kind: KindPost}, &Target{AuthorID: "bob"}, 0, false) != nil || ReviewDeleted("r", "bob", "p", 0) != nil {
		t.Error("an entry worth nothing is written")
	}
	if a, b := Liked(&Like{ID: "l", Kind: KindPost}, &Target{}, 1, false), Liked(&Like{ID: "l", Kind: KindPost}, &Target{}, -1, true); a.Key == b.Key {
		t.Errorf("a like and its unlike share the key %q", a.Key)
	}
}
