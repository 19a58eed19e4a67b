package insights

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/townhall/townhall"
)

// state is the pass's checkpoint and what it derives for every report.
type state struct {
	Zone    string `json:"zone"`              // the zone the days were cut in
	Through string `json:"through,omitempty"` // the newest day computed
	Cursor  string `json:"cursor,omitempty"`  // the next older day to revisit
	// Updated is when a pass last finished.
	Updated time.Time `json:"updated"`
	// Members counts every member by segment, as of Updated.
	Members map[string]int `json:"members,omitempty"`
	// Cohorts are the retention cohorts of the last months.
	Cohorts []Cohort `json:"cohorts,omitempty"`
	// Top are the top contributors by period and segment ("30d/" + segment
	// id, "30d/*" for everyone).
	Top map[string][]Contributor `json:"top,omitempty"`
	// Demand are the top-demand ideas by segment, as of DemandAt.
	Demand   map[string][]DemandIdea `json:"demand,omitempty"`
	DemandAt time.Time               `json:"demand_at"`
}

// Cohort is the members who joined in one month and how many of them came
// back in each of the six months after it.
type Cohort struct {
	Month  string `json:"month"` // "2006-01"
	Joined int    `json:"joined"`
	// Active[k] counts those who visited in month k+1 after joining;
	// Months says how many of those months have begun (the last one may
	// still be running).
	Active [6]int `json:"active"`
	Months int    `json:"months"`
	// Final[k] is set once month k+1 is over, and JoinedFinal once the
	// month itself is, so they are not counted again.
	Final       [6]bool `json:"final"`
	JoinedFinal bool    `json:"joined_final"`
}

// Contributor is a member ranked among the period's top contributors.
type Contributor struct {
	UserID    string `json:"user_id"`
	Handle    string `json:"handle"`
	Name      string `json:"name"`
	SegmentID string `json:"segment_id,omitempty"`
	Replies   int    `json:"replies"`
	Solutions int    `json:"solutions"`
}

// Score ranks contributors: a reply counts 1, an accepted answer 3 more.
func (c Contributor) Score() int { return c.Replies + 3*c.Solutions }

// Tuning of the pass.
const (
	recentDays   = 3  // today and the two days before are recomputed every pass
	sweepDays    = 8  // older days revisited per pass, round robin
	chunkDays    = 60 // days computed together (one scan of each kind of fact)
	topN         = 10 // contributors kept per period and segment
	demandN      = 5  // top-demand ideas kept per segment
	cohortMonths = 12 // cohorts kept: this month and the eleven before
	demandEvery  = 15 * time.Minute
)

// Refresh runs one pass: it catches up on the days since the last one
// (all of the last two years on the first run), recomputes the recent
// days and a few older ones, and refreshes members, cohorts, contributors
// and demand. It stops within Budget and reports more when days remain
// to catch up; running it again continues. Several passes at once (two
// nodes) do the same idempotent work.
func (s *Service) Refresh(ctx context.Context) (more bool, err error) {
	began := s.now()
	deadline := time.Now().Add(s.Budget) // wall time: the job's lease runs on it
	st, err := s.loadState(ctx)
	if err != nil {
		return false, err
	}
	zone := s.clock.loc.String()
	if st.Zone != zone {
		// Days cut in another zone are other days: start over.
		st = &state{Zone: zone}
	}
	today := s.clock.day(began)
	first := addDays(today, -(history - 1))

	start := first
	if st.Through >= first {
		start = min(addDays(st.Through, 1), addDays(today, -(recentDays-1)))
	}
	for start <= today {
		end := min(addDays(start, chunkDays-1), today)
		done, err := s.computeDays(ctx, start, end, today)
		if err != nil {
			return false, err
		}
		st.Through = max(st.Through, done)
		start = addDays(end, 1)
		if start <= today && !time.Now().Before(deadline) {
			return true, s.saveState(ctx, st) // the next run goes on from here
		}
	}

	// Revisit older days, so later changes to old facts (a hidden thread,
	// a withdrawn vote, a late answer) reach them.
	oldest, newest := first, addDays(today, -recentDays)
	if st.Cursor < oldest || st.Cursor > newest {
		st.Cursor = oldest
	}
	if newest >= oldest && time.Now().Before(deadline) {
		end := min(addDays(st.Cursor, max(s.SweepDays, 1)-1), newest)
		done, err := s.computeDays(ctx, st.Cursor, end, today)
		if err != nil {
			return false, err
		}
		st.Cursor = addDays(done, 1)
	}

	if err := s.derive(ctx, st, today); err != nil {
		return false, err
	}
	st.Updated = s.now()
	if err := s.saveState(ctx, st); err != nil {
		return false, err
	}
	s.forget()
	return false, nil
}

// computeDays recomputes the days from..to and stores them; it returns
// the last day stored.
func (s *Service) computeDays(ctx context.Context, from, to, today string) (string, error) {
	old, err := s.rows(ctx, from, to)
	if err != nil {
		return "", err
	}
	zone := s.clock.loc.String()
	// The visits of a day that is over never change: sweep them once for
	// the days that have not had it.
	var need []string
	for d := from; d <= to && d < today; d = addDays(d, 1) {
		if r := old[d]; r == nil || !r.VisitsFinal || r.Zone != zone {
			need = append(need, d)
		}
	}
	var swept map[string]map[string][len(windows)]int
	if len(need) > 0 {
		if swept, err = s.sweepVisits(ctx, need[0], need[len(need)-1]); err != nil {
			return "", fmt.Errorf("visits: %w", err)
		}
	}
	var live map[string][len(windows)]int
	if to >= today {
		if live, err = s.activeNow(ctx, today); err != nil {
			return "", err
		}
	}
	now := s.now()
	days, contribs, err := s.computeFacts(ctx, from, to, now)
	if err != nil {
		return "", fmt.Errorf("insights for %s to %s: %w", from, to, err)
	}
	var put []Row
	for d := from; d <= to; d = addDays(d, 1) {
		r := days[d]
		var active map[string][len(windows)]int
		switch {
		case d >= today:
			active = live
		case old[d] != nil && old[d].VisitsFinal && old[d].Zone == zone:
			active = map[string][len(windows)]int{}
			for seg, t := range old[d].Segments {
				active[seg] = t.Active
			}
		default:
			active = swept[d]
		}
		r.VisitsFinal, r.Zone = d < today, zone
		for seg, a := range active {
			r.seg(seg).Active = a
		}
		data, err := json.Marshal(r)
		if err != nil {
			return "", err
		}
		cdata, err := json.Marshal(contribs[d])
		if err != nil {
			return "", err
		}
		put = append(put, Row{Key: dayKey(d), Data: data, UpdatedAt: now}, Row{Key: contribKey(d), Data: cdata, UpdatedAt: now})
	}
	if err := s.store.PutInsightRows(ctx, put); err != nil {
		return "", err
	}
	return to, nil
}

// sweepVisits counts, for every day from..to, the distinct visitors of the
// windows ending that day, by segment, in one pass over the visits from
// 364 days before from: for each member it keeps the day of their latest
// visit so far, and a window's visitors are those whose latest visit falls
// inside it.
func (s *Service) sweepVisits(ctx context.Context, from, to string) (map[string]map[string][len(windows)]int, error) {
	lo, hi := dayNum(from), dayNum(to)
	base := lo - (windows[len(windows)-1] - 1)
	last := map[string]int{}     // member → day of their latest visit
	segOf := map[string]string{} // member → segment
	hist := map[string][]int{}   // segment → members by day of latest visit (index day-base)
	out := map[string]map[string][len(windows)]int{}
	next := base // the next day to count
	count := func(upto int) {
		for ; next < upto && next <= hi; next++ {
			if next < lo {
				continue
			}
			m := map[string][len(windows)]int{}
			for seg, h := range hist {
				var a [len(windows)]int
				for i, w := range windows {
					for d := next - w + 1; d <= next; d++ {
						a[i] += h[d-base]
					}
				}
				if a != ([len(windows)]int{}) {
					m[seg] = a
				}
			}
			out[dayLabel(next)] = m
		}
	}
	err := s.store.InsightVisits(ctx, dayLabel(base), to, func(v Visit) error {
		d := dayNum(v.Day)
		if d < base || d > hi {
			return nil
		}
		count(d)
		if prev, ok := last[v.UserID]; ok {
			hist[segOf[v.UserID]][prev-base]--
		}
		h := hist[v.SegmentID]
		if h == nil {
			h = make([]int, hi-base+1)
			hist[v.SegmentID] = h
		}
		h[d-base]++
		last[v.UserID], segOf[v.UserID] = d, v.SegmentID
		return nil
	})
	if err != nil {
		return nil, err
	}
	count(hi + 1)
	return out, nil
}

// activeNow counts today's windows from each member's latest visit: the
// visitors of the w days ending today are those last seen since the
// window began.
func (s *Service) activeNow(ctx context.Context, today string) (map[string][len(windows)]int, error) {
	out := map[string][len(windows)]int{}
	for i, w := range windows {
		seen, err := s.store.InsightSeenSince(ctx, s.clock.start(addDays(today, -(w-1))))
		if err != nil {
			return nil, fmt.Errorf("members seen: %w", err)
		}
		for seg, n := range seen {
			a := out[seg]
			a[i] = n
			out[seg] = a
		}
	}
	return out, nil
}

// derive refreshes what the state keeps beside the days.
func (s *Service) derive(ctx context.Context, st *state, today string) error {
	var err error
	if st.Members, err = s.store.InsightMembers(ctx); err != nil {
		return fmt.Errorf("members: %w", err)
	}
	if err := s.cohorts(ctx, st, today); err != nil {
		return fmt.Errorf("cohorts: %w", err)
	}
	if err := s.contributors(ctx, st, today); err != nil {
		return fmt.Errorf("contributors: %w", err)
	}
	if now := s.now(); st.Demand == nil || now.Sub(st.DemandAt) >= demandEvery || now.Before(st.DemandAt) {
		if st.Demand, err = s.store.InsightTopDemand(ctx, demandN); err != nil {
			return fmt.Errorf("demand: %w", err)
		}
		st.DemandAt = now
	}
	return nil
}

// cohorts counts, for this month and the eleven before, who joined and who
// came back in each following month; figures of months that are over are
// kept from earlier passes.
func (s *Service) cohorts(ctx context.Context, st *state, today string) error {
	cur := month(today)
	kept := map[string]Cohort{}
	for _, c := range st.Cohorts {
		kept[c.Month] = c
	}
	var out []Cohort
	for i := cohortMonths - 1; i >= 0; i-- {
		m := addMonths(cur, -i)
		c, ok := kept[m]
		if !ok {
			c = Cohort{Month: m}
		}
		mFirst, _ := monthDays(m)
		next, _ := monthDays(addMonths(m, 1))
		if !c.JoinedFinal {
			joined, _, err := s.store.InsightCohort(ctx, s.clock.start(mFirst), s.clock.start(next), "", "")
			if err != nil {
				return err
			}
			c.Joined, c.JoinedFinal = joined, m < cur
		}
		c.Months = 0
		for k := 0; k < 6; k++ {
			am := addMonths(m, k+1)
			if am > cur {
				break
			}
			c.Months = k + 1
			if c.Final[k] {
				continue
			}
			aFirst, aLast := monthDays(am)
			_, active, err := s.store.InsightCohort(ctx, s.clock.start(mFirst), s.clock.start(next), aFirst, min(aLast, today))
			if err != nil {
				return err
			}
			c.Active[k], c.Final[k] = active, am < cur
		}
		out = append(out, c)
	}
	st.Cohorts = out
	return nil
}

// contributors ranks, for each period and segment, who helped most: from
// the contributions of the last 365 days.
func (s *Service) contributors(ctx context.Context, st *state, today string) error {
	longest := Periods[len(Periods)-1]
	from := addDays(today, -(int(longest) - 1))
	rows, err := s.store.InsightRows(ctx, contribKey(from), contribKey(today))
	if err != nil {
		return err
	}
	type key struct {
		p   Period
		seg string
	}
	sums := map[key]map[string]*Contributor{}
	add := func(k key, user string, c *contrib) {
		m := sums[k]
		if m == nil {
			m = map[string]*Contributor{}
			sums[k] = m
		}
		x := m[user]
		if x == nil {
			x = &Contributor{UserID: user, SegmentID: c.SegmentID}
			m[user] = x
		}
		x.Replies += c.Replies
		x.Solutions += c.Solutions
	}
	for _, row := range rows {
		day := strings.TrimPrefix(row.Key, "c:")
		var cs map[string]*contrib
		if err := json.Unmarshal(row.Data, &cs); err != nil {
			return fmt.Errorf("row %s: %w", row.Key, err)
		}
		age := dayNum(today) - dayNum(day)
		for _, p := range Periods {
			if age >= int(p) {
				continue
			}
			for user, c := range cs {
				add(key{p, "*"}, user, c)
				add(key{p, c.SegmentID}, user, c)
			}
		}
	}
	users := map[string]*townhall.User{}
	st.Top = map[string][]Contributor{}
	for k, m := range sums {
		list := make([]Contributor, 0, len(m))
		for _, c := range m {
			list = append(list, *c)
		}
		slices.SortFunc(list, func(a, b Contributor) int {
			return cmp.Or(cmp.Compare(b.Score(), a.Score()), cmp.Compare(b.Solutions, a.Solutions), strings.Compare(a.UserID, b.UserID))
		})
		list = list[:min(len(list), topN)]
		for i := range list {
			u, ok := users[list[i].UserID]
			if !ok {
				if u, err = s.store.User(ctx, list[i].UserID); err != nil && townhall.ErrorCode(err) != townhall.ENOTFOUND {
					return err
				}
				users[list[i].UserID] = u
			}
			if u != nil {
				list[i].Handle, list[i].Name = u.Handle, u.Name
			}
		}
		st.Top[k.p.String()+"/"+k.seg] = list
	}
	return nil
}

func (s *Service) loadState(ctx context.Context) (*state, error) {
	rows, err := s.store.InsightRows(ctx, stateKey, stateKey)
	if err != nil {
		return nil, err
	}
	st := &state{}
	if len(rows) == 1 {
		if err := json.Unmarshal(rows[0].Data, st); err != nil {
			return nil, fmt.Errorf("insights state: %w", err)
		}
	}
	return st, nil
}

func (s *Service) saveState(ctx context.Context, st *state) error {
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return s.store.PutInsightRows(ctx, []Row{{Key: stateKey, Data: data, UpdatedAt: s.now()}})
}

// rows reads the stored day rows from..to by day.
func (s *Service) rows(ctx context.Context, from, to string) (map[string]*dayRow, error) {
	rows, err := s.store.InsightRows(ctx, dayKey(from), dayKey(to))
	if err != nil {
		return nil, err
	}
	out := make(map[string]*dayRow, len(rows))
	for _, row := range rows {
		var r dayRow
		if err := json.Unmarshal(row.Data, &r); err != nil {
			return nil, fmt.Errorf("row %s: %w", row.Key, err)
		}
		out[r.Day] = &r
	}
	return out, nil
}
