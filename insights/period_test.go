package insights

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
)

func TestParsePeriod(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Period
	}{
		{"", 30}, {"7d", 7}, {"30d", 30}, {"90D", 90}, {" 365d ", 365}, {"7", 7},
	} {
		if got, err := ParsePeriod(tc.in); err != nil || got != tc.want {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"2w", "0d", "31d", "d", "-7d", strings.Repeat("9", 100)} {
		_, err := ParsePeriod(in)
		if townhall.ErrorCode(err) != townhall.EINVALID || !strings.Contains(townhall.ErrorMessage(err), "7d, 30d, 90d, 365d") ||
			len(townhall.ErrorMessage(err)) > 120 {
			t.Errorf("ParsePeriod(%q): %v; want invalid, listing the periods, briefly", in, err)
		}
	}
}

func TestParseChart(t *testing.T) {
	if k, err := ParseChart("funnel"); err != nil || k != "funnel" {
		t.Errorf("funnel: %q, %v", k, err)
	}
	if _, err := ParseChart("pie"); townhall.ErrorCode(err) != townhall.EINVALID || !strings.Contains(townhall.ErrorMessage(err), "cohorts") {
		t.Errorf("pie: %v", err)
	}
}

// TestPercentileIsNearestRank: the smallest value that at least p% of the
// values are at or below.
func TestPercentileIsNearestRank(t *testing.T) {
	for _, tc := range []struct {
		xs   []int64
		p    float64
		want int64
	}{
		{[]int64{4, 1, 3, 2}, 50, 2},
		{[]int64{4, 1, 3, 2}, 90, 4},
		{[]int64{4, 1, 3, 2}, 75, 3},
		{[]int64{7}, 50, 7},
		{[]int64{7}, 90, 7},
		{[]int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9},
		{[]int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 50, 5},
	} {
		if got, ok := percentile(slices.Clone(tc.xs), tc.p); !ok || got != tc.want {
			t.Errorf("p%v of %v = %d, %v; want %d", tc.p, tc.xs, got, ok, tc.want)
		}
	}
	if _, ok := percentile(nil, 50); ok {
		t.Error("the median of nothing exists")
	}
	if ratio(1, 0) != nil || *ratio(1, 4) != 0.25 {
		t.Error("ratio")
	}
}

// TestBuckets: up to 30 days a chart shows days; longer periods show
// weeks ending on the period's last day, the first one shorter.
func TestBuckets(t *testing.T) {
	for _, tc := range []struct {
		p           Period
		n, firstLen int
	}{{7, 7, 1}, {30, 30, 1}, {90, 13, 6}, {365, 53, 1}} {
		to := "2026-12-10"
		from := addDays(to, -(int(tc.p) - 1))
		b := buckets(from, to, tc.p)
		if len(b) != tc.n || b[0][0] != from || b[len(b)-1][1] != to || dayNum(b[0][1])-dayNum(b[0][0])+1 != tc.firstLen {
			t.Errorf("%v: %d buckets %v…%v; want %d, the first of %d days", tc.p, len(b), b[0], b[len(b)-1], tc.n, tc.firstLen)
		}
		days := 0
		for i, x := range b {
			days += dayNum(x[1]) - dayNum(x[0]) + 1
			if i > 0 && addDays(b[i-1][1], 1) != x[0] {
				t.Errorf("%v: gap between %v and %v", tc.p, b[i-1], x)
			}
		}
		if days != int(tc.p) {
			t.Errorf("%v: buckets cover %d days", tc.p, days)
		}
	}
}

// TestDaysFollowTheSiteZone: a day is the site's calendar day, 23 or 25
// hours long when the clocks change.
func TestDaysFollowTheSiteZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	c := clock{ny}
	for _, tc := range []struct {
		day   string
		hours int
	}{{"2026-03-08", 23}, {"2026-11-01", 25}, {"2026-12-10", 24}} {
		a, b := c.span(tc.day)
		if h := int(b.Sub(a).Hours()); h != tc.hours || a.In(ny).Format("15:04") != "00:00" {
			t.Errorf("%s: %d hours from %v; want %d from midnight", tc.day, h, a, tc.hours)
		}
	}
	lateEvening := time.Date(2026, 12, 4, 4, 30, 0, 0, time.UTC) // 23:30 on the 3rd in New York
	if got := c.day(lateEvening); got != "2026-12-03" {
		t.Errorf("day of %v in New York = %s", lateEvening, got)
	}
	if got := (clock{time.UTC}).day(lateEvening); got != "2026-12-04" {
		t.Errorf("day in UTC = %s", got)
	}
	if addDays("2026-12-30", 3) != "2027-01-02" || addDays("2026-03-01", -1) != "2026-02-28" {
		t.Error("addDays")
	}
	if addMonths("2026-11", 2) != "2027-01" || fmt.Sprint(monthDaysList("2026-02")) != "[2026-02-01 2026-02-28]" {
		t.Error("months")
	}
}

func monthDaysList(m string) []string {
	a, b := monthDays(m)
	return []string{a, b}
}
