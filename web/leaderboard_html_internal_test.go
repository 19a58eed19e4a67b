package web

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/loyalty"
)

// TestLeaderboardHTMLMatchesTemplate renders the leaderboard with
// loyalty_leaderboard.html as it was before ItemsHTML wrote its ranks
// (testdata/loyalty_leaderboard_before.html) and as it is, and requires
// the same bytes.
func TestLeaderboardHTMLMatchesTemplate(t *testing.T) {
	_, ref, now := pageBefore(t, "loyalty_leaderboard")

	items := []*loyalty.Standing{
		{Rank: 1, UserID: "u1", Handle: "ann", Name: "Ann <Lee> & 'co'+", Badge: "helpful", Champion: true, Points: 12345},
		{Rank: 2, UserID: "u2", Handle: "b\"o<b>", Name: "éve", Points: 7},
		{Rank: 3, UserID: "u3", Handle: "cy", Name: "", Points: -1200},
	}
	cats := []*forum.Category{{ID: "c1", Slug: "how-to", Name: "How <to>"}, {ID: "c2", Slug: "news", Name: "News"}}
	segs := []*townhall.Segment{{ID: "s1", Name: "Pro <plan>"}}
	var n int
	for mask := 0; mask < 1<<3; mask++ {
		for _, period := range []string{loyalty.PeriodWeek, loyalty.PeriodMonth, "all"} {
			lb := &loyalty.Leaderboard{Period: period}
			if mask&1 != 0 {
				lb.Items = items
			}
			if mask&2 != 0 {
				lb.Category = cats[0]
			}
			d := &leaderboardData{Leaderboard: lb, Periods: []string{loyalty.PeriodWeek, loyalty.PeriodMonth, "all"}, Categories: cats}
			if mask&4 != 0 {
				d.Segments, lb.Segment = segs, segs[0]
			}
			d.URL, _ = url.Parse("/leaderboard?period=" + period + "&x=%3Cy%3E")
			v := &view{Site: "Townhall", Title: "Leaderboard", Data: d, Nav: "people"}
			n++
			sameContent(t, fmt.Sprintf("mask %d period %s", mask, period), ref, now, v)
		}
	}
	if n != 24 {
		t.Fatalf("%d cases compared", n)
	}
}
