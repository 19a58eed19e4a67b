package insights

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/townhall/townhall/ideas"
)

// dayRow is one day's figures, by the segment of the member they are about
// ("" for members without one). Everything but the visits is recomputed
// from the facts whenever the pass revisits the day; the visits' figures
// are kept once the day is over (VisitsFinal).
type dayRow struct {
	Day         string            `json:"day"`
	Computed    time.Time         `json:"computed"`
	VisitsFinal bool              `json:"visits_final,omitempty"`
	Zone        string            `json:"zone,omitempty"` // the zone the day was cut in
	Segments    map[string]*tally `json:"segments"`
	// Shipped are the ideas moved to done that day (and done now).
	Shipped []shipped `json:"shipped,omitempty"`
	// Products are the day's reviews by product.
	Products map[string]*productTally `json:"products,omitempty"`
}

// tally is one segment's figures of one day.
type tally struct {
	NewMembers int `json:"new_members,omitempty"`
	// Active are the distinct visitors in the 1, 7, 30, 90 and 365 days
	// ending this day (see windows).
	Active [len(windows)]int `json:"active"`

	Threads    int `json:"threads,omitempty"`
	Replies    int `json:"replies,omitempty"`
	Unanswered int `json:"unanswered,omitempty"` // threads without a reply yet
	// Due24h counts the threads whose first 24 hours are over, or that
	// had a reply within them; Late24h those of them without one.
	Due24h     int     `json:"due_24h,omitempty"`
	Late24h    int     `json:"late_24h,omitempty"`
	FirstReply []int64 `json:"first_reply,omitempty"` // seconds, threads with a reply
	Questions  int     `json:"questions,omitempty"`
	Solved     int     `json:"solved,omitempty"`
	SolveTimes []int64 `json:"solve_times,omitempty"`

	Ideas         int     `json:"ideas,omitempty"`
	Awaiting      int     `json:"awaiting,omitempty"` // open, without a response yet
	ResponseTimes []int64 `json:"response_times,omitempty"`
	// Reached counts the day's ideas that got as far as under review,
	// planned, in progress and done (see funnel); Declined those declined now.
	Reached  [stages - 1]int `json:"reached"`
	Declined int             `json:"declined,omitempty"`
	// Stays are the seconds ideas spent in a status, for the status
	// changes made that day, by the status they left.
	Stays map[ideas.Status][]int64 `json:"stays,omitempty"`
	Votes int                      `json:"votes,omitempty"`

	Reviews         int     `json:"reviews,omitempty"`
	RatingSum       int     `json:"rating_sum,omitempty"`
	Stars           [5]int  `json:"stars"`
	Answered        int     `json:"answered,omitempty"`
	ReviewResponses []int64 `json:"review_responses,omitempty"` // seconds to the business response
}

// shipped is an idea that was moved to done.
type shipped struct {
	IdeaID   string    `json:"idea_id"`
	Title    string    `json:"title"`
	At       time.Time `json:"at"`
	Votes    int       `json:"votes"`
	Weighted float64   `json:"weighted"`
	// Voters are its votes by segment.
	Voters map[string]int `json:"voters,omitempty"`
}

// productTally is one product's reviews of one day.
type productTally struct {
	Name      string `json:"name"`
	Slug      string `json:"slug"`
	Reviews   int    `json:"reviews"`
	RatingSum int    `json:"rating_sum"`
	Stars     [5]int `json:"stars"`
}

// contrib is what one member did for others on one day.
type contrib struct {
	SegmentID string `json:"segment,omitempty"`
	Replies   int    `json:"replies,omitempty"`
	Solutions int    `json:"solutions,omitempty"` // replies accepted as the answer
}

// funnel is the order ideas move through; declined is off it.
var funnel = [stages]ideas.Status{ideas.StatusOpen, ideas.StatusUnderReview, ideas.StatusPlanned, ideas.StatusInProgress, ideas.StatusDone}

const stages = 5

func stage(s ideas.Status) int {
	for i, f := range funnel {
		if f == s {
			return i
		}
	}
	return -1
}

func dayKey(day string) string     { return "d:" + day }
func contribKey(day string) string { return "c:" + day }

const stateKey = "state"

func (r *dayRow) seg(id string) *tally {
	if r.Segments == nil {
		r.Segments = map[string]*tally{}
	}
	t := r.Segments[id]
	if t == nil {
		t = &tally{}
		r.Segments[id] = t
	}
	return t
}

func seconds(d time.Duration) int64 { return max(0, int64(d/time.Second)) }

// computeFacts recomputes the figures of the days from..to from their facts
// at now, reading each kind of fact once for the whole range. Visits'
// figures are not touched: the caller sets them.
func (s *Service) computeFacts(ctx context.Context, from, to string, now time.Time) (map[string]*dayRow, map[string]map[string]*contrib, error) {
	start, end := s.clock.start(from), s.clock.start(addDays(to, 1))
	rows := map[string]*dayRow{}
	contribs := map[string]map[string]*contrib{}
	for d := from; d <= to; d = addDays(d, 1) {
		rows[d] = &dayRow{Day: d, Computed: now, Segments: map[string]*tally{}}
		contribs[d] = map[string]*contrib{}
	}
	row := func(t time.Time) *dayRow { return rows[s.clock.day(t)] }

	threads, err := s.store.InsightThreads(ctx, start, end)
	if err != nil {
		return nil, nil, fmt.Errorf("threads: %w", err)
	}
	for _, t := range threads {
		r := row(t.CreatedAt)
		if r == nil {
			continue
		}
		x := r.seg(t.SegmentID)
		x.Threads++
		wait := t.FirstReplyAt.Sub(t.CreatedAt)
		if t.FirstReplyAt.IsZero() {
			x.Unanswered++
		} else {
			x.FirstReply = append(x.FirstReply, seconds(wait))
		}
		answeredInTime := !t.FirstReplyAt.IsZero() && wait <= 24*time.Hour
		if answeredInTime || now.Sub(t.CreatedAt) >= 24*time.Hour {
			x.Due24h++
			if !answeredInTime {
				x.Late24h++
			}
		}
		if t.Question {
			x.Questions++
			if !t.SolvedAt.IsZero() {
				x.Solved++
				x.SolveTimes = append(x.SolveTimes, seconds(t.SolvedAt.Sub(t.CreatedAt)))
			}
		}
	}

	replies, err := s.store.InsightReplies(ctx, start, end)
	if err != nil {
		return nil, nil, fmt.Errorf("replies: %w", err)
	}
	for _, p := range replies {
		r := row(p.CreatedAt)
		if r == nil {
			continue
		}
		r.seg(p.SegmentID).Replies++
		cs := contribs[r.Day]
		c := cs[p.AuthorID]
		if c == nil {
			c = &contrib{SegmentID: p.SegmentID}
			cs[p.AuthorID] = c
		}
		c.Replies++
		if p.Accepted {
			c.Solutions++
		}
	}

	ideaFacts, err := s.store.InsightIdeas(ctx, start, end)
	if err != nil {
		return nil, nil, fmt.Errorf("ideas: %w", err)
	}
	for _, i := range ideaFacts {
		r := row(i.CreatedAt)
		if r == nil {
			continue
		}
		x := r.seg(i.SegmentID)
		x.Ideas++
		if i.RespondedAt.IsZero() {
			if i.Status == ideas.StatusOpen {
				x.Awaiting++
			}
		} else {
			x.ResponseTimes = append(x.ResponseTimes, seconds(i.RespondedAt.Sub(i.CreatedAt)))
		}
		furthest := stage(i.Status)
		for _, st := range i.Entered {
			furthest = max(furthest, stage(st))
		}
		for k := 1; k <= furthest; k++ {
			x.Reached[k-1]++
		}
		if i.Status == ideas.StatusDeclined {
			x.Declined++
		}
	}

	changes, err := s.store.InsightStatusChanges(ctx, start, end)
	if err != nil {
		return nil, nil, fmt.Errorf("status changes: %w", err)
	}
	done := map[string]int{} // day and idea → index in the day's Shipped
	for _, c := range changes {
		r := row(c.At)
		if r == nil {
			continue
		}
		x := r.seg(c.SegmentID)
		if x.Stays == nil {
			x.Stays = map[ideas.Status][]int64{}
		}
		x.Stays[c.From] = append(x.Stays[c.From], seconds(c.At.Sub(c.Since)))
		if c.To != ideas.StatusDone || c.Status != ideas.StatusDone {
			continue
		}
		sh := shipped{IdeaID: c.IdeaID, Title: c.Title, At: c.At, Votes: c.Votes}
		demand, err := s.store.Demand(ctx, c.IdeaID)
		if err != nil {
			return nil, nil, fmt.Errorf("demand of %s: %w", c.IdeaID, err)
		}
		for _, d := range demand {
			sh.Weighted += d.Weighted()
			if sh.Voters == nil {
				sh.Voters = map[string]int{}
			}
			sh.Voters[d.SegmentID] += d.Votes
		}
		key := r.Day + "/" + c.IdeaID
		if k, ok := done[key]; ok {
			r.Shipped[k] = sh // moved to done twice that day: the later counts
		} else {
			done[key] = len(r.Shipped)
			r.Shipped = append(r.Shipped, sh)
		}
	}

	votes, err := s.store.InsightVotes(ctx, start, end)
	if err != nil {
		return nil, nil, fmt.Errorf("votes: %w", err)
	}
	for _, v := range votes {
		if r := row(v.CreatedAt); r != nil {
			r.seg(v.SegmentID).Votes++
		}
	}
	joined, err := s.store.InsightNewMembers(ctx, start, end)
	if err != nil {
		return nil, nil, fmt.Errorf("new members: %w", err)
	}
	for _, m := range joined {
		if r := row(m.CreatedAt); r != nil {
			r.seg(m.SegmentID).NewMembers++
		}
	}

	revs, err := s.store.InsightReviews(ctx, start, end)
	if err != nil {
		return nil, nil, fmt.Errorf("reviews: %w", err)
	}
	for _, v := range revs {
		r := row(v.CreatedAt)
		if r == nil || v.Rating < 1 || v.Rating > 5 {
			continue
		}
		x := r.seg(v.SegmentID)
		x.Reviews++
		x.RatingSum += v.Rating
		x.Stars[v.Rating-1]++
		if !v.RespondedAt.IsZero() {
			x.Answered++
			x.ReviewResponses = append(x.ReviewResponses, seconds(v.RespondedAt.Sub(v.CreatedAt)))
		}
		if r.Products == nil {
			r.Products = map[string]*productTally{}
		}
		p := r.Products[v.ProductID]
		if p == nil {
			p = &productTally{Name: v.ProductName, Slug: v.ProductSlug}
			r.Products[v.ProductID] = p
		}
		p.Reviews++
		p.RatingSum += v.Rating
		p.Stars[v.Rating-1]++
	}

	// Lists in value order, so a recomputation that finds the same facts
	// stores the same row whatever order the store returned them in.
	for _, r := range rows {
		for _, x := range r.Segments {
			for _, l := range [][]int64{x.FirstReply, x.SolveTimes, x.ResponseTimes, x.ReviewResponses} {
				slices.Sort(l)
			}
			for _, l := range x.Stays {
				slices.Sort(l)
			}
		}
		slices.SortFunc(r.Shipped, func(a, b shipped) int { return strings.Compare(a.IdeaID, b.IdeaID) })
	}
	return rows, contribs, nil
}

// sameFacts reports whether two rows of a day say the same, apart from
// when they were computed and the visits' figures; `townhall check` uses it.
func sameFacts(a, b *dayRow) bool { return string(factsJSON(a)) == string(factsJSON(b)) }

// factsJSON is r without its computing time and visits' figures, and
// without segments left with nothing else.
func factsJSON(r *dayRow) []byte {
	empty, _ := json.Marshal(tally{})
	c := *r
	c.Computed, c.VisitsFinal, c.Zone = time.Time{}, false, ""
	c.Segments = map[string]*tally{}
	for k, t := range r.Segments {
		x := *t
		x.Active = [len(windows)]int{}
		if b, _ := json.Marshal(x); string(b) != string(empty) {
			c.Segments[k] = &x
		}
	}
	b, _ := json.Marshal(c)
	return b
}
