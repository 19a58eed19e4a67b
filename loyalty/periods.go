package loyalty

import (
	"fmt"
	"time"
)

// Leaderboard periods: this calendar week (Monday to Sunday, ISO weeks),
// this calendar month, and all time, in the site's time zone.
const (
	PeriodWeek  = "week"
	PeriodMonth = "month"
	PeriodAll   = "all"
)

// Periods lists the leaderboard periods in the order pages offer them.
var Periods = []string{PeriodWeek, PeriodMonth, PeriodAll}

// PeriodKeys are the rollup keys a ledger entry of day ("2006-01-02")
// adds to: its ISO week ("w2026-49"), its month ("m2026-12") and all time
// ("all"). Rollups keep one row per key, scope and person, so a
// leaderboard is one indexed read of the rows of one key.
func PeriodKeys(day string) []string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return []string{PeriodAll}
	}
	y, w := t.ISOWeek()
	return []string{fmt.Sprintf("w%04d-%02d", y, w), "m" + day[:7], PeriodAll}
}

// PeriodKey is the rollup key of period (week, month, all) for day.
func PeriodKey(period, day string) string {
	keys := PeriodKeys(day)
	switch period {
	case PeriodWeek:
		return keys[0]
	case PeriodMonth:
		if len(keys) == 3 {
			return keys[1]
		}
	}
	return PeriodAll
}

// Rollup scopes: everyone, one forum category's threads, one customer
// segment's members (the earner's segment when the entry was written, as
// a vote counts in the voter's segment at the time).
const ScopeAll = ""

// CategoryScope is the rollup scope of a forum category.
func CategoryScope(categoryID string) string { return "c:" + categoryID }

// SegmentScope is the rollup scope of a customer segment.
func SegmentScope(segmentID string) string { return "s:" + segmentID }

// Scopes are the rollup scopes a ledger entry adds to.
func (e *Entry) Scopes() []string {
	out := []string{ScopeAll}
	if e.CategoryID != "" {
		out = append(out, CategoryScope(e.CategoryID))
	}
	if e.SegmentID != "" {
		out = append(out, SegmentScope(e.SegmentID))
	}
	return out
}

// Rollup is one leaderboard counter: what UserID gained in Period (a
// PeriodKeys key) within Scope.
type Rollup struct {
	Period string
	Scope  string
	UserID string
	Points int
}

// Rollups lists the counters an entry moves.
func (e *Entry) Rollups() []Rollup {
	var out []Rollup
	for _, p := range PeriodKeys(e.Day) {
		for _, s := range e.Scopes() {
			out = append(out, Rollup{Period: p, Scope: s, UserID: e.UserID, Points: e.Points})
		}
	}
	return out
}
