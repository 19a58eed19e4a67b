package insights

import (
	"strconv"
	"strings"
	"time"

	"github.com/townhall/townhall"
)

// Period is how many days a report covers: the days ending today, compared
// with as many days before them.
type Period int

// Periods lists the periods a report offers, shortest first.
var Periods = []Period{7, 30, 90, 365}

// DefaultPeriod is the period a report shows when none is asked for.
const DefaultPeriod Period = 30

// String is the period as URLs and the API write it: "30d".
func (p Period) String() string { return strconv.Itoa(int(p)) + "d" }

// Label is the period as people read it: "30 days".
func (p Period) Label() string { return strconv.Itoa(int(p)) + " days" }

// Weekly reports whether charts of the period show weeks rather than days.
func (p Period) Weekly() bool { return p > 30 }

// ParsePeriod reads "7d", "30d", "90d" or "365d" (a bare number of days is
// accepted too); "" is DefaultPeriod. Anything else is EINVALID, naming the
// allowed values.
func ParsePeriod(s string) (Period, error) {
	if s == "" {
		return DefaultPeriod, nil
	}
	n, err := strconv.Atoi(strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "d"))
	if err == nil {
		for _, p := range Periods {
			if int(p) == n {
				return p, nil
			}
		}
	}
	names := make([]string, len(Periods))
	for i, p := range Periods {
		names[i] = p.String()
	}
	return 0, townhall.Errorf(townhall.EINVALID, "Unknown period %q: use one of %s.", clip(s, 40), strings.Join(names, ", "))
}

// clip shortens what someone typed before it goes into a message.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// windows are the lengths, in days, of the trailing windows whose distinct
// visitors every day row keeps: daily, weekly, monthly, and the two longer
// periods, so a period's active members come from the row of its last day.
var windows = [...]int{1, 7, 30, 90, 365}

// windowIndex is the index in windows of a window length, -1 for none.
func windowIndex(days int) int {
	for i, w := range windows {
		if w == days {
			return i
		}
	}
	return -1
}

// history is how many days back the pass keeps rows current: the longest
// period and the one before it.
const history = 2 * 365

// A calendar day is its "2006-01-02" label; dayNum numbers days (Unix days
// of the civil date) so they can be added and compared.
func dayNum(day string) int {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return 0
	}
	return int(t.Unix() / 86400)
}

func dayLabel(n int) string { return time.Unix(int64(n)*86400, 0).UTC().Format(time.DateOnly) }

func addDays(day string, n int) string { return dayLabel(dayNum(day) + n) }

// clock turns days into instants in the site's zone.
type clock struct{ loc *time.Location }

// day is the calendar day of t in the site's zone.
func (c clock) day(t time.Time) string { return t.In(c.loc).Format(time.DateOnly) }

// start is the first instant of day in the site's zone (midnight, or the
// first moment after a daylight-saving gap).
func (c clock) start(day string) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, day, c.loc)
	return t
}

// span is the instants [start, end) of day: 23, 24 or 25 hours.
func (c clock) span(day string) (time.Time, time.Time) {
	return c.start(day), c.start(addDays(day, 1))
}

// month is the "2006-01" label of the month day falls in.
func month(day string) string { return day[:7] }

// addMonths moves a "2006-01" label by n months.
func addMonths(m string, n int) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return t.AddDate(0, n, 0).Format("2006-01")
}

// monthDays is the first and last day of a "2006-01" month.
func monthDays(m string) (string, string) {
	first := m + "-01"
	t, _ := time.Parse(time.DateOnly, first)
	return first, t.AddDate(0, 1, -1).Format(time.DateOnly)
}
