package insights

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

// Query is what a report is asked about.
type Query struct {
	Period Period
	// Segment narrows every figure to members of one segment: its id or
	// name, or "none" for members without one; "" is everyone.
	Segment string
	// Product narrows the ratings chart to one product (id or slug).
	Product string
}

// NoSegment is the Query.Segment of members without a segment.
const NoSegment = "none"

// Kind says what a figure or a table cell measures, so pages, the API and
// CSV format it right.
type Kind int

// The kinds of figures.
const (
	KindText    Kind = iota // words
	KindDate                // a "2006-01-02" day or a "2006-01" month
	KindCount               // a whole number
	KindFloat               // an average, to one decimal
	KindShare               // 0 to 1, shown as a percentage
	KindSeconds             // a duration in seconds
	KindURL                 // a path on the site
)

// Figure is one headline number for the period, with the period before.
type Figure struct {
	Key, Label, Section string
	Kind                Kind
	// Value and Previous are nil when there was nothing to measure.
	Value, Previous *float64
	// LowerIsBetter marks figures that improve when they fall (waiting
	// times, unanswered threads).
	LowerIsBetter bool
}

// Column is one column of a table.
type Column struct {
	Key, Label string
	Kind       Kind
	// Link names the KindURL column a text column links to.
	Link string
}

// Table is the data behind one chart, the same for its table view, its CSV
// and its API answer. Cells are a string, a float64, or nil for nothing to
// measure. Prev holds the period before in the same shape, for the charts
// that compare over time.
type Table struct {
	Key, Title, Section string
	Columns             []Column
	Rows, Prev          [][]any
}

// Col is the index of the column key, -1 for none.
func (t *Table) Col(key string) int {
	for i, c := range t.Columns {
		if c.Key == key {
			return i
		}
	}
	return -1
}

// ProductRef names a product.
type ProductRef struct {
	ID, Name, Slug string
	Reviews        int // in the period
}

// Report is every figure and table for one period.
type Report struct {
	Period                     Period
	From, To, PrevFrom, PrevTo string // days, inclusive
	Zone                       string
	// Segment is the filter: nil for everyone; ID "" for members without
	// a segment.
	Segment *townhall.Segment
	// Product narrows the ratings chart; nil for every product.
	Product *ProductRef
	// Segments and Products are what the filters offer.
	Segments []*townhall.Segment
	Products []ProductRef
	// Updated is when the background pass last finished; Ready is false
	// until its first pass.
	Updated time.Time
	Ready   bool
	Figures []Figure
	Tables  []*Table
}

// Table returns the report's table with the given key, nil for none.
func (r *Report) Table(key string) *Table {
	for _, t := range r.Tables {
		if t.Key == key {
			return t
		}
	}
	return nil
}

// Figure returns the headline figure with the given key, nil for none.
func (r *Report) Figure(key string) *Figure {
	for i := range r.Figures {
		if r.Figures[i].Key == key {
			return &r.Figures[i]
		}
	}
	return nil
}

// Sections of a report, in page order.
const (
	SectionHealth   = "health"
	SectionCreation = "cocreation"
	SectionReviews  = "reviews"
	SectionSegments = "segments"
)

// Charts lists the keys of a report's tables in page order.
var Charts = []string{"activity", "threads", "first-reply", "solved", "contributors",
	"ideas", "first-response", "funnel", "shipped", "demand",
	"ratings", "review-responses", "lowest-reviews",
	"segments", "cohorts"}

// ParseChart checks a chart key; anything else is EINVALID, naming the
// allowed values.
func ParseChart(s string) (string, error) {
	if slices.Contains(Charts, s) {
		return s, nil
	}
	return "", townhall.Errorf(townhall.EINVALID, "Unknown chart %q: use one of %s.", clip(s, 40), strings.Join(Charts, ", "))
}

// Report answers q for actor (product team and admins only), from the
// stored rollups; the same question within CacheFor gets the same report,
// which callers must not change.
func (s *Service) Report(ctx context.Context, actor *townhall.User, q Query) (*Report, error) {
	if err := authorize(actor); err != nil {
		return nil, err
	}
	if q.Period == 0 {
		q.Period = DefaultPeriod
	}
	if windowIndex(int(q.Period)) < 0 {
		_, err := ParsePeriod(q.Period.String())
		return nil, err
	}
	segs, err := s.store.Segments(ctx)
	if err != nil {
		return nil, err
	}
	seg, err := findSegment(segs, q.Segment)
	if err != nil {
		return nil, err
	}
	var product *ProductRef
	if q.Product != "" {
		if product, err = s.findProduct(ctx, q.Product); err != nil {
			return nil, err
		}
	}
	key := Query{Period: q.Period}
	if seg != nil {
		key.Segment = "=" + seg.ID
	}
	if product != nil {
		key.Product = product.ID
	}
	now := s.now()
	s.mu.Lock()
	c, ok := s.cache[key]
	s.mu.Unlock()
	if ok && now.Sub(c.at) < s.CacheFor && !now.Before(c.at) {
		return c.r, nil
	}
	r, err := s.build(ctx, now, q.Period, seg, product, segs)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.cache[key] = cached{r, now}
	s.mu.Unlock()
	return r, nil
}

// findSegment resolves a segment filter by id or name.
func findSegment(segs []*townhall.Segment, q string) (*townhall.Segment, error) {
	q = strings.TrimSpace(q)
	switch {
	case q == "":
		return nil, nil
	case strings.EqualFold(q, NoSegment):
		return &townhall.Segment{Name: "No segment"}, nil
	}
	for _, s := range segs {
		if s.ID == q || strings.EqualFold(s.Name, q) {
			return s, nil
		}
	}
	allowed := []string{NoSegment}
	for _, s := range segs {
		allowed = append(allowed, s.ID+" ("+s.Name+")")
	}
	return nil, townhall.Errorf(townhall.EINVALID, "Unknown segment %q: use one of %s.", clip(q, 40), strings.Join(allowed, ", "))
}

func (s *Service) findProduct(ctx context.Context, q string) (*ProductRef, error) {
	p, err := s.store.Product(ctx, q)
	if townhall.ErrorCode(err) == townhall.ENOTFOUND {
		p, err = s.store.ProductBySlug(ctx, strings.ToLower(q))
	}
	if townhall.ErrorCode(err) == townhall.ENOTFOUND {
		return nil, townhall.Errorf(townhall.EINVALID, "Unknown product %q: use a product's id or the slug in its address.", clip(q, 60))
	} else if err != nil {
		return nil, err
	}
	return &ProductRef{ID: p.ID, Name: p.Name, Slug: p.Slug}, nil
}

// sum adds up the figures of some days for the segments a report covers.
type sum struct {
	tally
	stays    map[ideas.Status][]int64
	days     int
	dau, mau int // summed over the days, for averages
	shipped  map[string]shipped
	products map[string]*productTally
}

// build computes a report from the stored rows.
func (s *Service) build(ctx context.Context, now time.Time, p Period, seg *townhall.Segment, product *ProductRef, segs []*townhall.Segment) (*Report, error) {
	n := int(p)
	today := s.clock.day(now)
	r := &Report{Period: p, To: today, From: addDays(today, -(n - 1)), Zone: s.clock.loc.String(), Segment: seg, Product: product, Segments: segs}
	r.PrevTo = addDays(r.From, -1)
	r.PrevFrom = addDays(r.From, -n)
	rows, err := s.rows(ctx, r.PrevFrom, today)
	if err != nil {
		return nil, err
	}
	st, err := s.loadState(ctx)
	if err != nil {
		return nil, err
	}
	r.Ready, r.Updated = st.Through != "", st.Updated

	known := map[string]bool{"": true}
	for _, x := range segs {
		known[x.ID] = true
	}
	// segOf folds the figures of deleted segments into "no segment".
	segOf := func(id string) string {
		if known[id] {
			return id
		}
		return ""
	}
	wants := func(id string) bool { return seg == nil || segOf(id) == seg.ID }
	w := windowIndex(n)

	total := func(from, to string) *sum {
		x := &sum{stays: map[ideas.Status][]int64{}, shipped: map[string]shipped{}, products: map[string]*productTally{}}
		for d := from; d <= to; d = addDays(d, 1) {
			x.days++
			row := rows[d]
			if row == nil {
				continue
			}
			for id, t := range row.Segments {
				if wants(id) {
					x.add(t)
				}
			}
			for _, sh := range row.Shipped {
				if seg != nil {
					voters := 0
					for id, v := range sh.Voters {
						if wants(id) {
							voters += v
						}
					}
					sh.Votes, sh.Weighted = voters, float64(voters)*seg.Weight
					if seg.ID == "" {
						sh.Weighted = float64(voters)
					}
				}
				x.shipped[sh.IdeaID] = sh // the latest day wins
			}
			for id, pt := range row.Products {
				y := x.products[id]
				if y == nil {
					y = &productTally{Name: pt.Name, Slug: pt.Slug}
					x.products[id] = y
				}
				y.Name, y.Slug = pt.Name, pt.Slug
				y.Reviews += pt.Reviews
				y.RatingSum += pt.RatingSum
				for i := range y.Stars {
					y.Stars[i] += pt.Stars[i]
				}
			}
		}
		return x
	}
	// activeAt is the distinct visitors of the w-window ending on day.
	activeAt := func(day string, idx int, only func(string) bool) int {
		row := rows[day]
		if row == nil {
			return 0
		}
		n := 0
		for id, t := range row.Segments {
			if only(id) {
				n += t.Active[idx]
			}
		}
		return n
	}

	cur, prev := total(r.From, r.To), total(r.PrevFrom, r.PrevTo)
	r.Figures = figures(cur, prev, activeAt(r.To, w, wants), activeAt(r.PrevTo, w, wants))

	curB, prevB := buckets(r.From, r.To, p), buckets(r.PrevFrom, r.PrevTo, p)
	series := func(bs [][2]string) []*sum {
		out := make([]*sum, len(bs))
		for i, b := range bs {
			out[i] = total(b[0], b[1])
		}
		return out
	}
	curS, prevS := series(curB), series(prevB)
	timeTable := func(key, title, section string, cols []Column, cell func(b [2]string, x *sum) []any) *Table {
		t := &Table{Key: key, Title: title, Section: section, Columns: append([]Column{
			{Key: "from", Label: "From", Kind: KindDate}, {Key: "to", Label: "To", Kind: KindDate}}, cols...)}
		for i, b := range curB {
			t.Rows = append(t.Rows, append([]any{b[0], b[1]}, cell(b, curS[i])...))
		}
		for i, b := range prevB {
			t.Prev = append(t.Prev, append([]any{b[0], b[1]}, cell(b, prevS[i])...))
		}
		return t
	}
	dauLabel := "Daily active members"
	if p.Weekly() {
		dauLabel = "Daily active members (average)"
	}
	r.Tables = append(r.Tables,
		timeTable("activity", "Active members", SectionHealth, []Column{
			{Key: "active_members", Label: dauLabel, Kind: KindFloat},
			{Key: "weekly_active", Label: "Weekly active members", Kind: KindCount},
			{Key: "monthly_active", Label: "Monthly active members", Kind: KindCount},
			{Key: "new_members", Label: "New members", Kind: KindCount},
			{Key: "dau_mau", Label: "DAU/MAU", Kind: KindShare},
		}, func(b [2]string, x *sum) []any {
			return []any{float64(x.dau) / float64(max(x.days, 1)), float64(activeAt(b[1], 1, wants)), float64(activeAt(b[1], 2, wants)),
				float64(x.NewMembers), num(ratio(float64(x.dau), float64(x.mau)))}
		}),
		timeTable("threads", "Threads and replies", SectionHealth, []Column{
			{Key: "threads", Label: "Threads", Kind: KindCount}, {Key: "replies", Label: "Replies", Kind: KindCount},
		}, func(_ [2]string, x *sum) []any { return []any{float64(x.Threads), float64(x.Replies)} }),
		timeTable("first-reply", "Time to first reply", SectionHealth, []Column{
			{Key: "threads", Label: "Threads", Kind: KindCount},
			{Key: "answered", Label: "With a reply", Kind: KindCount},
			{Key: "median_first_reply_seconds", Label: "Median time to first reply", Kind: KindSeconds},
			{Key: "p90_first_reply_seconds", Label: "90th percentile", Kind: KindSeconds},
			{Key: "no_reply_24h_share", Label: "No reply after 24 h", Kind: KindShare},
		}, func(_ [2]string, x *sum) []any {
			return []any{float64(x.Threads), float64(len(x.FirstReply)), secs(pct(x.FirstReply, 50)), secs(pct(x.FirstReply, 90)),
				num(ratio(float64(x.Late24h), float64(x.Due24h)))}
		}),
		timeTable("solved", "Questions solved", SectionHealth, []Column{
			{Key: "questions", Label: "Questions", Kind: KindCount},
			{Key: "solved", Label: "Solved", Kind: KindCount},
			{Key: "solved_share", Label: "Share solved", Kind: KindShare},
			{Key: "median_solution_seconds", Label: "Median time to solution", Kind: KindSeconds},
		}, func(_ [2]string, x *sum) []any {
			return []any{float64(x.Questions), float64(x.Solved), num(ratio(float64(x.Solved), float64(x.Questions))), secs(pct(x.SolveTimes, 50))}
		}),
		contributorsTable(st, p, seg),
		timeTable("ideas", "Ideas and votes", SectionCreation, []Column{
			{Key: "ideas_proposed", Label: "Ideas proposed", Kind: KindCount}, {Key: "votes", Label: "Votes cast", Kind: KindCount},
		}, func(_ [2]string, x *sum) []any { return []any{float64(x.Ideas), float64(x.Votes)} }),
		timeTable("first-response", "Time to first official response", SectionCreation, []Column{
			{Key: "ideas", Label: "Ideas", Kind: KindCount},
			{Key: "responded", Label: "Responded", Kind: KindCount},
			{Key: "awaiting", Label: "Still waiting", Kind: KindCount},
			{Key: "median_first_response_seconds", Label: "Median time to first response", Kind: KindSeconds},
			{Key: "p90_first_response_seconds", Label: "90th percentile", Kind: KindSeconds},
		}, func(_ [2]string, x *sum) []any {
			return []any{float64(x.Ideas), float64(len(x.ResponseTimes)), float64(x.Awaiting), secs(pct(x.ResponseTimes, 50)), secs(pct(x.ResponseTimes, 90))}
		}),
		funnelTable(cur, prev),
		shippedTable(cur),
		demandTable(st, segs, seg, segOf),
	)

	// Ratings: one product's when asked, otherwise everyone's (in the
	// segment filter).
	ratingCell := func(_ [2]string, x *sum) []any {
		count, total, stars := x.Reviews, x.RatingSum, x.Stars
		if product != nil {
			count, total, stars = 0, 0, [5]int{}
			if pt := x.products[product.ID]; pt != nil {
				count, total, stars = pt.Reviews, pt.RatingSum, pt.Stars
			}
		}
		out := []any{float64(count), num(ratio(float64(total), float64(count)))}
		for _, n := range stars {
			out = append(out, float64(n))
		}
		return out
	}
	ratingCols := []Column{{Key: "reviews", Label: "Reviews", Kind: KindCount}, {Key: "rating_average", Label: "Average rating", Kind: KindFloat}}
	for i := 1; i <= 5; i++ {
		ratingCols = append(ratingCols, Column{Key: "stars_" + string(rune('0'+i)), Label: string(rune('0'+i)) + "★", Kind: KindCount})
	}
	ratingsTitle := "Ratings"
	if product != nil {
		ratingsTitle = "Ratings of " + product.Name
	}
	r.Tables = append(r.Tables,
		timeTable("ratings", ratingsTitle, SectionReviews, ratingCols, ratingCell),
		timeTable("review-responses", "Business responses", SectionReviews, []Column{
			{Key: "reviews", Label: "Reviews", Kind: KindCount},
			{Key: "answered", Label: "Answered", Kind: KindCount},
			{Key: "answered_share", Label: "Share answered", Kind: KindShare},
			{Key: "median_response_seconds", Label: "Median response time", Kind: KindSeconds},
		}, func(_ [2]string, x *sum) []any {
			return []any{float64(x.Reviews), float64(x.Answered), num(ratio(float64(x.Answered), float64(x.Reviews))), secs(pct(x.ReviewResponses, 50))}
		}),
	)
	low, err := s.lowestTable(ctx, r.From, product)
	if err != nil {
		return nil, err
	}
	r.Tables = append(r.Tables, low, segmentsTable(rows, st, segs, segOf, r, w), cohortsTable(st))

	for id, pt := range cur.products {
		r.Products = append(r.Products, ProductRef{ID: id, Name: pt.Name, Slug: pt.Slug, Reviews: pt.Reviews})
	}
	slices.SortFunc(r.Products, func(a, b ProductRef) int {
		return cmp.Or(cmp.Compare(b.Reviews, a.Reviews), strings.Compare(a.Name, b.Name))
	})
	r.Products = r.Products[:min(len(r.Products), 50)]
	return r, nil
}

func (x *sum) add(t *tally) {
	x.NewMembers += t.NewMembers
	x.dau += t.Active[0]
	x.mau += t.Active[2]
	x.Threads += t.Threads
	x.Replies += t.Replies
	x.Unanswered += t.Unanswered
	x.Due24h += t.Due24h
	x.Late24h += t.Late24h
	x.FirstReply = append(x.FirstReply, t.FirstReply...)
	x.Questions += t.Questions
	x.Solved += t.Solved
	x.SolveTimes = append(x.SolveTimes, t.SolveTimes...)
	x.Ideas += t.Ideas
	x.Awaiting += t.Awaiting
	x.ResponseTimes = append(x.ResponseTimes, t.ResponseTimes...)
	for i := range x.Reached {
		x.Reached[i] += t.Reached[i]
	}
	x.Declined += t.Declined
	for st, l := range t.Stays {
		x.stays[st] = append(x.stays[st], l...)
	}
	x.Votes += t.Votes
	x.Reviews += t.Reviews
	x.RatingSum += t.RatingSum
	for i := range x.Stars {
		x.Stars[i] += t.Stars[i]
	}
	x.Answered += t.Answered
	x.ReviewResponses = append(x.ReviewResponses, t.ReviewResponses...)
}

// buckets cuts the days from..to into the chart's buckets: days, or weeks
// ending on to (the first one may be shorter).
func buckets(from, to string, p Period) [][2]string {
	size := 1
	if p.Weekly() {
		size = 7
	}
	var out [][2]string
	for end := to; end >= from; end = addDays(end, -size) {
		out = append(out, [2]string{max(addDays(end, -(size-1)), from), end})
	}
	slices.Reverse(out)
	return out
}

func num(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func secs(v *int64) any {
	if v == nil {
		return nil
	}
	return float64(*v)
}

func val(v float64) *float64 { return &v }

func secsVal(v *int64) *float64 {
	if v == nil {
		return nil
	}
	return val(float64(*v))
}

// figures are the headline numbers of the period and the one before.
func figures(cur, prev *sum, active, prevActive int) []Figure {
	type def struct {
		key, label, section string
		kind                Kind
		lower               bool
		val                 func(x *sum) *float64
	}
	shippedTotals := func(x *sum) (ideas, voters int, weighted float64) {
		for _, sh := range x.shipped {
			ideas++
			voters += sh.Votes
			weighted += sh.Weighted
		}
		return
	}
	defs := []def{
		{"active_members", "Active members", SectionHealth, KindCount, false, nil},
		{"new_members", "New members", SectionHealth, KindCount, false, func(x *sum) *float64 { return val(float64(x.NewMembers)) }},
		{"dau_mau", "DAU/MAU", SectionHealth, KindShare, false, func(x *sum) *float64 { return ratio(float64(x.dau), float64(x.mau)) }},
		{"threads", "Threads started", SectionHealth, KindCount, false, func(x *sum) *float64 { return val(float64(x.Threads)) }},
		{"replies", "Replies", SectionHealth, KindCount, false, func(x *sum) *float64 { return val(float64(x.Replies)) }},
		{"unanswered_threads", "Threads without a reply", SectionHealth, KindCount, true, func(x *sum) *float64 { return val(float64(x.Unanswered)) }},
		{"no_reply_24h_share", "No reply after 24 h", SectionHealth, KindShare, true, func(x *sum) *float64 { return ratio(float64(x.Late24h), float64(x.Due24h)) }},
		{"median_first_reply_seconds", "Median time to first reply", SectionHealth, KindSeconds, true, func(x *sum) *float64 { return secsVal(pct(x.FirstReply, 50)) }},
		{"p90_first_reply_seconds", "90th percentile time to first reply", SectionHealth, KindSeconds, true, func(x *sum) *float64 { return secsVal(pct(x.FirstReply, 90)) }},
		{"questions", "Questions asked", SectionHealth, KindCount, false, func(x *sum) *float64 { return val(float64(x.Questions)) }},
		{"solved_share", "Questions solved", SectionHealth, KindShare, false, func(x *sum) *float64 { return ratio(float64(x.Solved), float64(x.Questions)) }},
		{"median_solution_seconds", "Median time to solution", SectionHealth, KindSeconds, true, func(x *sum) *float64 { return secsVal(pct(x.SolveTimes, 50)) }},
		{"ideas_proposed", "Ideas proposed", SectionCreation, KindCount, false, func(x *sum) *float64 { return val(float64(x.Ideas)) }},
		{"votes", "Votes cast", SectionCreation, KindCount, false, func(x *sum) *float64 { return val(float64(x.Votes)) }},
		{"ideas_awaiting_response", "Ideas awaiting a response", SectionCreation, KindCount, true, func(x *sum) *float64 { return val(float64(x.Awaiting)) }},
		{"median_first_response_seconds", "Median time to first response", SectionCreation, KindSeconds, true, func(x *sum) *float64 { return secsVal(pct(x.ResponseTimes, 50)) }},
		{"p90_first_response_seconds", "90th percentile time to first response", SectionCreation, KindSeconds, true, func(x *sum) *float64 { return secsVal(pct(x.ResponseTimes, 90)) }},
		{"shipped_ideas", "Ideas shipped", SectionCreation, KindCount, false, func(x *sum) *float64 { n, _, _ := shippedTotals(x); return val(float64(n)) }},
		{"customers_served", "Customers served by shipped ideas", SectionCreation, KindCount, false, func(x *sum) *float64 { _, n, _ := shippedTotals(x); return val(float64(n)) }},
		{"weighted_demand_served", "Weighted demand served", SectionCreation, KindFloat, false, func(x *sum) *float64 { _, _, w := shippedTotals(x); return val(w) }},
		{"reviews", "Reviews", SectionReviews, KindCount, false, func(x *sum) *float64 { return val(float64(x.Reviews)) }},
		{"rating_average", "Average rating", SectionReviews, KindFloat, false, func(x *sum) *float64 { return ratio(float64(x.RatingSum), float64(x.Reviews)) }},
		{"review_response_share", "Reviews answered", SectionReviews, KindShare, false, func(x *sum) *float64 { return ratio(float64(x.Answered), float64(x.Reviews)) }},
		{"median_review_response_seconds", "Median response time", SectionReviews, KindSeconds, true, func(x *sum) *float64 { return secsVal(pct(x.ReviewResponses, 50)) }},
	}
	out := make([]Figure, len(defs))
	for i, d := range defs {
		out[i] = Figure{Key: d.key, Label: d.label, Section: d.section, Kind: d.kind, LowerIsBetter: d.lower}
		if d.val == nil {
			out[i].Value, out[i].Previous = val(float64(active)), val(float64(prevActive))
			continue
		}
		out[i].Value, out[i].Previous = d.val(cur), d.val(prev)
	}
	return out
}

func contributorsTable(st *state, p Period, seg *townhall.Segment) *Table {
	t := &Table{Key: "contributors", Title: "Top contributors", Section: SectionHealth, Columns: []Column{
		{Key: "rank", Label: "Rank", Kind: KindCount},
		{Key: "name", Label: "Member", Kind: KindText, Link: "url"},
		{Key: "url", Label: "Profile", Kind: KindURL},
		{Key: "replies", Label: "Replies", Kind: KindCount},
		{Key: "solutions", Label: "Accepted answers", Kind: KindCount},
		{Key: "score", Label: "Score", Kind: KindCount},
	}}
	key := p.String() + "/*"
	if seg != nil {
		key = p.String() + "/" + seg.ID
	}
	for i, c := range st.Top[key] {
		name, url := c.Name, ""
		if c.Handle != "" {
			url = "/u/" + c.Handle
		}
		if name == "" {
			name = "Former member"
		}
		t.Rows = append(t.Rows, []any{float64(i + 1), name, url, float64(c.Replies), float64(c.Solutions), float64(c.Score())})
	}
	return t
}

func funnelTable(cur, prev *sum) *Table {
	t := &Table{Key: "funnel", Title: "Status funnel", Section: SectionCreation, Columns: []Column{
		{Key: "status", Label: "Status", Kind: KindText},
		{Key: "ideas", Label: "Ideas that got this far", Kind: KindCount},
		{Key: "conversion", Label: "From the step before", Kind: KindShare},
		{Key: "of_proposed", Label: "Of all proposed", Kind: KindShare},
		{Key: "median_seconds_in_status", Label: "Median time in status", Kind: KindSeconds},
	}}
	rowsOf := func(x *sum) [][]any {
		var out [][]any
		reached := append([]int{x.Ideas}, x.Reached[:]...)
		for i, st := range funnel {
			var conv any
			if i > 0 {
				conv = num(ratio(float64(reached[i]), float64(reached[i-1])))
			}
			label := st.Label()
			if i == 0 {
				label = "Proposed"
			}
			out = append(out, []any{label, float64(reached[i]), conv, num(ratio(float64(reached[i]), float64(x.Ideas))), secs(pct(x.stays[st], 50))})
		}
		return append(out, []any{ideas.StatusDeclined.Label(), float64(x.Declined), nil, num(ratio(float64(x.Declined), float64(x.Ideas))), nil})
	}
	t.Rows, t.Prev = rowsOf(cur), rowsOf(prev)
	return t
}

func shippedTable(cur *sum) *Table {
	t := &Table{Key: "shipped", Title: "Shipped ideas", Section: SectionCreation, Columns: []Column{
		{Key: "title", Label: "Idea", Kind: KindText, Link: "url"},
		{Key: "url", Label: "Address", Kind: KindURL},
		{Key: "shipped_on", Label: "Shipped", Kind: KindDate},
		{Key: "customers", Label: "Customers who asked", Kind: KindCount},
		{Key: "weighted_demand", Label: "Weighted demand", Kind: KindFloat},
	}}
	list := make([]shipped, 0, len(cur.shipped))
	for _, sh := range cur.shipped {
		list = append(list, sh)
	}
	slices.SortFunc(list, func(a, b shipped) int {
		return cmp.Or(cmp.Compare(b.Weighted, a.Weighted), b.At.Compare(a.At), strings.Compare(a.IdeaID, b.IdeaID))
	})
	for _, sh := range list {
		t.Rows = append(t.Rows, []any{sh.Title, "/ideas/" + sh.IdeaID, sh.At.UTC().Format(time.DateOnly), float64(sh.Votes), math.Round(sh.Weighted*100) / 100})
	}
	return t
}

func demandTable(st *state, segs []*townhall.Segment, seg *townhall.Segment, segOf func(string) string) *Table {
	t := &Table{Key: "demand", Title: "Top demand by segment", Section: SectionCreation, Columns: []Column{
		{Key: "segment", Label: "Segment", Kind: KindText},
		{Key: "title", Label: "Idea", Kind: KindText, Link: "url"},
		{Key: "url", Label: "Address", Kind: KindURL},
		{Key: "status", Label: "Status", Kind: KindText},
		{Key: "segment_votes", Label: "Votes from the segment", Kind: KindCount},
		{Key: "total_votes", Label: "All votes", Kind: KindCount},
	}}
	all := append(append([]*townhall.Segment(nil), segs...), &townhall.Segment{Name: "No segment"})
	for _, sg := range all {
		if seg != nil && seg.ID != sg.ID {
			continue
		}
		for _, d := range st.Demand[sg.ID] {
			t.Rows = append(t.Rows, []any{sg.Name, d.Title, "/ideas/" + d.ID, d.Status.Label(), float64(d.Votes), float64(d.TotalVotes)})
		}
	}
	return t
}

func (s *Service) lowestTable(ctx context.Context, from string, product *ProductRef) (*Table, error) {
	t := &Table{Key: "lowest-reviews", Title: "Lowest-rated recent reviews", Section: SectionReviews, Columns: []Column{
		{Key: "rating", Label: "Rating", Kind: KindCount},
		{Key: "title", Label: "Review", Kind: KindText, Link: "url"},
		{Key: "url", Label: "Address", Kind: KindURL},
		{Key: "product", Label: "Product", Kind: KindText},
		{Key: "author", Label: "By", Kind: KindText},
		{Key: "written", Label: "Written", Kind: KindDate},
		{Key: "answered", Label: "Answered", Kind: KindText},
	}}
	pid := ""
	if product != nil {
		pid = product.ID
	}
	low, err := s.store.InsightLowestReviews(ctx, s.clock.start(from), pid, 10)
	if err != nil {
		return nil, err
	}
	for _, v := range low {
		title := v.Title
		if title == "" {
			title = "(no title)"
		}
		answered := "no"
		if !v.RespondedAt.IsZero() {
			answered = "yes"
		}
		t.Rows = append(t.Rows, []any{float64(v.Rating), title, "/products/" + v.ProductSlug + "#review-" + v.ID, v.ProductName, v.AuthorName,
			s.clock.day(v.CreatedAt), answered})
	}
	return t, nil
}

func segmentsTable(rows map[string]*dayRow, st *state, segs []*townhall.Segment, segOf func(string) string, r *Report, w int) *Table {
	t := &Table{Key: "segments", Title: "Segments", Section: SectionSegments, Columns: []Column{
		{Key: "segment", Label: "Segment", Kind: KindText},
		{Key: "members", Label: "Members", Kind: KindCount},
		{Key: "active_members", Label: "Active", Kind: KindCount},
		{Key: "active_share", Label: "Share active", Kind: KindShare},
		{Key: "votes", Label: "Votes", Kind: KindCount},
		{Key: "ideas", Label: "Ideas", Kind: KindCount},
		{Key: "threads", Label: "Threads", Kind: KindCount},
		{Key: "rating_average", Label: "Average rating", Kind: KindFloat},
		{Key: "waiting", Label: "Still waiting for an answer", Kind: KindCount},
	}}
	all := append(append([]*townhall.Segment(nil), segs...), &townhall.Segment{Name: "No segment"})
	members := map[string]int{}
	for id, n := range st.Members {
		members[segOf(id)] += n
	}
	for _, sg := range all {
		only := func(id string) bool { return segOf(id) == sg.ID }
		row := func(from, to string, members int) []any {
			var x sum
			x.stays = map[ideas.Status][]int64{}
			for d := from; d <= to; d = addDays(d, 1) {
				if rw := rows[d]; rw != nil {
					for id, tl := range rw.Segments {
						if only(id) {
							x.add(tl)
						}
					}
				}
			}
			active := 0
			if rw := rows[to]; rw != nil {
				for id, tl := range rw.Segments {
					if only(id) {
						active += tl.Active[w]
					}
				}
			}
			return []any{sg.Name, float64(members), float64(active), num(ratio(float64(active), float64(members))),
				float64(x.Votes), float64(x.Ideas), float64(x.Threads), num(ratio(float64(x.RatingSum), float64(x.Reviews))),
				float64(x.Unanswered + x.Awaiting), x.NewMembers}
		}
		cur := row(r.From, r.To, members[sg.ID])
		// Members at the end of the period before: today's, less those
		// who joined since.
		prevMembers := max(0, members[sg.ID]-cur[len(cur)-1].(int))
		prev := row(r.PrevFrom, r.PrevTo, prevMembers)
		t.Rows = append(t.Rows, cur[:len(cur)-1])
		t.Prev = append(t.Prev, prev[:len(prev)-1])
	}
	return t
}

func cohortsTable(st *state) *Table {
	t := &Table{Key: "cohorts", Title: "Retention by monthly cohort", Section: SectionSegments, Columns: []Column{
		{Key: "month", Label: "Joined in", Kind: KindDate},
		{Key: "joined", Label: "Members", Kind: KindCount},
	}}
	for k := 1; k <= 6; k++ {
		t.Columns = append(t.Columns, Column{Key: "month_" + string(rune('0'+k)), Label: "Month " + string(rune('0'+k)), Kind: KindShare})
	}
	for i := len(st.Cohorts) - 1; i >= 0; i-- { // newest first
		c := st.Cohorts[i]
		row := []any{c.Month, float64(c.Joined)}
		for k := 0; k < 6; k++ {
			if k < c.Months {
				row = append(row, num(ratio(float64(c.Active[k]), float64(c.Joined))))
			} else {
				row = append(row, nil)
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
