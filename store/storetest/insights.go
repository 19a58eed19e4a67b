package storetest

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/insights"
	"github.com/townhall/townhall/reviews"
)

// insightCases are the insights rules of the contract: the fact scans,
// and every metric of a small hand-built community whose answers are
// known, computed by the insights service on the backend.
var insightCases = []Case{
	{"ForumFactsLeaveOutHiddenContent", insightsForumFacts},
	{"IdeaFactsLeaveOutHiddenAndMerged", insightsIdeaFacts},
	{"ReviewFactsAndLowestRatings", insightsReviewFacts},
	{"MembersVisitsAndCohorts", insightsMemberFacts},
	{"TopDemandBySegment", insightsTopDemand},
	{"RowsReplaceAndRange", insightsRows},
	{"MetricsOfAHandBuiltCommunity", insightsHandBuiltCommunity},
	{"LaterChangesReachOldDays", insightsLaterChanges},
}

// community writes a community with chosen times through the domains'
// Store verbs, the way their services do.
type community struct {
	t    *testing.T
	b    Backend
	ctx  context.Context
	s    insights.Store
	f    forum.Store
	i    ideas.Store
	r    reviews.Store
	a    auth.Store
	cats map[bool]*forum.Category // by questions
}

func newCommunity(t *testing.T, open Opener) *community {
	t.Helper()
	b := open(t)
	c := &community{t: t, b: b, ctx: context.Background(), s: As[insights.Store](t, b), f: As[forum.Store](t, b),
		i: As[ideas.Store](t, b), r: As[reviews.Store](t, b), a: b, cats: map[bool]*forum.Category{}}
	for _, q := range []bool{true, false} {
		cat := &forum.Category{ID: townhall.NewID(), Slug: fmt.Sprintf("q-%v", q), Name: fmt.Sprintf("Questions %v", q), Questions: q, CreatedAt: Now()}
		if err := c.f.SaveForumCategory(c.ctx, cat); err != nil {
			t.Fatal(err)
		}
		c.cats[q] = cat
	}
	return c
}

func (c *community) check(err error) {
	c.t.Helper()
	if err != nil {
		c.t.Fatal(err)
	}
}

func (c *community) user(name string, role townhall.Role, joined time.Time, seg *townhall.Segment) *townhall.User {
	c.t.Helper()
	u, _, err := c.a.SignIn(c.ctx, auth.Identity{Provider: "dev", Subject: name, Name: name, Role: role}, joined)
	c.check(err)
	if seg != nil {
		c.check(c.a.SetUserSegment(c.ctx, u.ID, seg.ID))
		u.SegmentID = seg.ID
	}
	return u
}

func (c *community) segment(name string, weight float64) *townhall.Segment {
	c.t.Helper()
	s := &townhall.Segment{ID: townhall.NewID(), Name: name, Weight: weight}
	c.check(c.a.SaveSegment(c.ctx, s))
	return s
}

func (c *community) thread(author *townhall.User, question bool, at time.Time) *forum.Thread {
	c.t.Helper()
	th := &forum.Thread{ID: townhall.NewID(), CategoryID: c.cats[question].ID, Title: "Thread at " + at.String(), AuthorID: author.ID, LastActivity: at, CreatedAt: at}
	p := &forum.Post{ID: townhall.NewID(), AuthorID: author.ID, Source: "first", HTML: "<p>first</p>", CreatedAt: at}
	c.check(c.f.CreateThread(c.ctx, th, p))
	return th
}

func (c *community) reply(th *forum.Thread, author *townhall.User, at time.Time) *forum.Post {
	c.t.Helper()
	p := &forum.Post{ID: townhall.NewID(), ThreadID: th.ID, AuthorID: author.ID, Source: "reply", HTML: "<p>reply</p>", CreatedAt: at}
	c.check(c.f.AddReply(c.ctx, p))
	return p
}

func (c *community) idea(author *townhall.User, at time.Time) *ideas.Idea {
	c.t.Helper()
	return newIdea(c.t, c.i, author, "Idea at "+at.String(), at)
}

func (c *community) vote(i *ideas.Idea, u *townhall.User, at time.Time) {
	c.t.Helper()
	_, err := c.i.Vote(c.ctx, i.ID, u.ID, at)
	c.check(err)
}

func (c *community) status(i *ideas.Idea, by *townhall.User, from, to ideas.Status, at time.Time) {
	c.t.Helper()
	c.check(c.i.ChangeStatus(c.ctx, &ideas.StatusChange{ID: townhall.NewID(), IdeaID: i.ID, From: from, To: to, ActorID: by.ID, At: at}))
}

func (c *community) product(name string) *reviews.Product {
	c.t.Helper()
	return mustProduct(c.t, c.r, name, slugOf(name))
}

func slugOf(name string) string {
	b := []rune{}
	for _, r := range name {
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		if r == ' ' {
			r = '-'
		}
		b = append(b, r)
	}
	return string(b)
}

func (c *community) review(p *reviews.Product, author *townhall.User, rating int, at time.Time) *reviews.Review {
	c.t.Helper()
	r := &reviews.Review{ID: townhall.NewID(), ProductID: p.ID, AuthorID: author.ID, Rating: rating, Title: fmt.Sprintf("%d stars from %s", rating, author.Name),
		Body: "body", BodyHTML: "<p>body</p>", CreatedAt: at, UpdatedAt: at}
	c.check(c.r.CreateReview(c.ctx, r))
	return r
}

func (c *community) respond(r *reviews.Review, by *townhall.User, at time.Time) {
	c.t.Helper()
	c.check(c.r.SetResponse(c.ctx, r.ID, &reviews.Response{AuthorID: by.ID, Body: "Thanks", BodyHTML: template.HTML("<p>Thanks</p>"), CreatedAt: at, UpdatedAt: at}))
}

// visit records u's visit on day at noon in loc.
func (c *community) visit(u *townhall.User, loc *time.Location, day string) {
	c.t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, day, loc)
	c.check(err)
	_, err = c.a.RecordVisit(c.ctx, u.ID, day, d.Add(12*time.Hour))
	c.check(err)
}

// insightsForumFacts: threads and replies of a range, with the first reply
// by someone else and the accepted answer; hidden threads and replies, and
// replies in hidden threads, are left out; the range is [from, to).
func insightsForumFacts(t *testing.T, open Opener) {
	c := newCommunity(t, open)
	pro := c.segment("Pro", 3)
	ann := c.user("ann", "", Now().Add(-time.Hour), pro)
	bob := c.user("bob", "", Now().Add(-time.Hour), nil)
	at := Now()
	q := c.thread(ann, true, at)
	c.reply(q, ann, at.Add(time.Minute)) // the author's own reply does not answer
	hidden := c.reply(q, bob, at.Add(2*time.Minute))
	c.check(c.f.SetForumPostHidden(c.ctx, hidden.ID, true))
	answer := c.reply(q, bob, at.Add(3*time.Minute))
	c.check(c.f.AcceptAnswer(c.ctx, q.ID, answer.ID))
	plain := c.thread(bob, false, at.Add(time.Hour))
	gone := c.thread(bob, false, at.Add(2*time.Hour))
	c.reply(gone, ann, at.Add(3*time.Hour))
	c.check(c.f.SetThreadHidden(c.ctx, gone.ID, true))
	c.thread(bob, false, at.Add(24*time.Hour)) // at the end of the range: outside

	threads, err := c.s.InsightThreads(c.ctx, at, at.Add(24*time.Hour))
	c.check(err)
	if len(threads) != 2 {
		t.Fatalf("threads = %+v; want the question and the plain thread", threads)
	}
	got, want := threads[0], insights.Thread{ID: q.ID, AuthorID: ann.ID, SegmentID: pro.ID, Question: true, CreatedAt: at,
		FirstReplyAt: at.Add(3 * time.Minute), SolvedAt: at.Add(3 * time.Minute)}
	if got != want {
		t.Errorf("question = %+v\nwant %+v", got, want)
	}
	if got, want := threads[1], (insights.Thread{ID: plain.ID, AuthorID: bob.ID, CreatedAt: at.Add(time.Hour)}); got != want {
		t.Errorf("unanswered thread = %+v\nwant %+v", got, want)
	}
	// Hiding the accepted answer un-solves the question.
	c.check(c.f.SetForumPostHidden(c.ctx, answer.ID, true))
	threads, err = c.s.InsightThreads(c.ctx, at, at.Add(time.Minute))
	c.check(err)
	if len(threads) != 1 || !threads[0].FirstReplyAt.IsZero() || !threads[0].SolvedAt.IsZero() {
		t.Errorf("after hiding the answer: %+v; want no reply and not solved", threads)
	}
	c.check(c.f.SetForumPostHidden(c.ctx, answer.ID, false))
	c.check(c.f.AcceptAnswer(c.ctx, q.ID, answer.ID))

	replies, err := c.s.InsightReplies(c.ctx, at, at.Add(24*time.Hour))
	c.check(err)
	var summary []string
	for _, r := range replies {
		summary = append(summary, fmt.Sprintf("%s/%s/%v", r.AuthorID, r.SegmentID, r.Accepted))
	}
	wantReplies := []string{ann.ID + "/" + pro.ID + "/false", bob.ID + "//true"}
	if !slices.Equal(summary, wantReplies) {
		t.Errorf("replies = %v; want the author's own and the accepted answer (not the hidden one, not in the hidden thread)", summary)
	}
	if replies[1].ID != answer.ID || replies[1].ThreadID != q.ID || !replies[1].CreatedAt.Equal(at.Add(3*time.Minute)) {
		t.Errorf("accepted reply = %+v", replies[1])
	}
}

// insightsIdeaFacts: ideas, status changes (with when the idea entered the
// status it left) and votes of a range, without hidden or merged ideas;
// votes count in the segment the voter had when voting.
func insightsIdeaFacts(t *testing.T, open Opener) {
	c := newCommunity(t, open)
	pro := c.segment("Pro", 3)
	ann := c.user("ann", "", Now().Add(-time.Hour), pro)
	bob := c.user("bob", "", Now().Add(-time.Hour), nil)
	pat := c.user("pat", townhall.RoleProduct, Now().Add(-time.Hour), nil)
	at := Now()
	shipped := c.idea(ann, at)
	c.vote(shipped, bob, at.Add(time.Minute))
	c.check(c.a.SetUserSegment(c.ctx, bob.ID, pro.ID)) // later votes of bob count in Pro
	c.status(shipped, pat, ideas.StatusOpen, ideas.StatusUnderReview, at.Add(time.Hour))
	c.status(shipped, pat, ideas.StatusUnderReview, ideas.StatusDone, at.Add(3*time.Hour))
	waiting := c.idea(bob, at.Add(2*time.Hour))
	hidden := c.idea(bob, at.Add(2*time.Hour))
	c.vote(hidden, ann, at.Add(3*time.Hour))
	_, err := c.i.SetIdeaHidden(c.ctx, hidden.ID, &ideas.Hidden{ByID: pat.ID, Reason: "spam", At: at.Add(4 * time.Hour)})
	c.check(err)
	dup := c.idea(ann, at.Add(2*time.Hour))
	_, err = c.i.Merge(c.ctx, dup.ID, waiting.ID, at.Add(4*time.Hour))
	c.check(err)

	got, err := c.s.InsightIdeas(c.ctx, at, at.Add(24*time.Hour))
	c.check(err)
	if len(got) != 2 {
		t.Fatalf("ideas = %+v; want the shipped and the waiting one", got)
	}
	s, w := got[0], got[1]
	if s.ID != shipped.ID || s.AuthorID != ann.ID || s.SegmentID != pro.ID || s.Status != ideas.StatusDone || !s.CreatedAt.Equal(at) ||
		!s.RespondedAt.Equal(at.Add(time.Hour)) || !slices.Equal(s.Entered, []ideas.Status{ideas.StatusUnderReview, ideas.StatusDone}) {
		t.Errorf("shipped idea = %+v", s)
	}
	if w.ID != waiting.ID || w.SegmentID != pro.ID || w.Status != ideas.StatusOpen || !w.RespondedAt.IsZero() || len(w.Entered) != 0 {
		t.Errorf("waiting idea = %+v", w)
	}

	changes, err := c.s.InsightStatusChanges(c.ctx, at, at.Add(24*time.Hour))
	c.check(err)
	want := []insights.StatusChange{
		{IdeaID: shipped.ID, Title: shipped.Title, SegmentID: pro.ID, From: ideas.StatusOpen, To: ideas.StatusUnderReview, At: at.Add(time.Hour), Since: at, Status: ideas.StatusDone, Votes: 2},
		{IdeaID: shipped.ID, Title: shipped.Title, SegmentID: pro.ID, From: ideas.StatusUnderReview, To: ideas.StatusDone, At: at.Add(3 * time.Hour), Since: at.Add(time.Hour), Status: ideas.StatusDone, Votes: 2},
	}
	if !slices.Equal(changes, want) {
		t.Errorf("status changes = %+v\nwant %+v", changes, want)
	}

	// ann's own (Pro) and bob's first (no segment) on the shipped idea;
	// bob's own on the waiting one, cast when he was in Pro, and ann's for
	// the duplicate, which the merge moved there. The hidden idea's votes
	// are left out.
	bySegment := func(from time.Time) map[string]int {
		votes, err := c.s.InsightVotes(c.ctx, from, at.Add(24*time.Hour))
		c.check(err)
		out := map[string]int{}
		for _, v := range votes {
			if v.CreatedAt.Before(from) {
				t.Errorf("vote of %v before %v", v.CreatedAt, from)
			}
			out[v.SegmentID]++
		}
		return out
	}
	if votes := bySegment(at); votes[pro.ID] != 3 || votes[""] != 1 || len(votes) != 2 {
		t.Errorf("votes by segment = %v; want 3 in Pro and 1 without", votes)
	}
	if later := bySegment(at.Add(time.Minute)); later[pro.ID] != 2 || later[""] != 1 {
		t.Errorf("votes from a minute on = %v; want all but ann's first", later)
	}
}

// insightsReviewFacts: reviews of a range with their product and response
// time (deleted ones gone), and the lowest-rated since a time.
func insightsReviewFacts(t *testing.T, open Opener) {
	c := newCommunity(t, open)
	pro := c.segment("Pro", 3)
	ann := c.user("ann", "", Now().Add(-time.Hour), pro)
	bob := c.user("bob", "", Now().Add(-time.Hour), nil)
	cy := c.user("cy", "", Now().Add(-time.Hour), nil)
	pat := c.user("pat", townhall.RoleProduct, Now().Add(-time.Hour), nil)
	widget, gadget := c.product("Widget"), c.product("Gadget")
	at := Now()
	old := c.review(widget, cy, 1, at.Add(-time.Hour))
	w2 := c.review(widget, ann, 2, at)
	c.respond(w2, pat, at.Add(3*time.Hour))
	c.respond(w2, pat, at.Add(5*time.Hour)) // an edit keeps the first answer's time
	g4 := c.review(gadget, ann, 4, at.Add(time.Minute))
	w5 := c.review(widget, bob, 5, at.Add(2*time.Minute))
	deleted := c.review(gadget, bob, 1, at.Add(3*time.Minute))
	c.check(c.r.DeleteReview(c.ctx, deleted.ID))

	got, err := c.s.InsightReviews(c.ctx, at, at.Add(time.Hour))
	c.check(err)
	want := []insights.Review{
		{ID: w2.ID, ProductID: widget.ID, ProductName: "Widget", ProductSlug: "widget", AuthorID: ann.ID, SegmentID: pro.ID, Rating: 2, CreatedAt: at, RespondedAt: at.Add(3 * time.Hour)},
		{ID: g4.ID, ProductID: gadget.ID, ProductName: "Gadget", ProductSlug: "gadget", AuthorID: ann.ID, SegmentID: pro.ID, Rating: 4, CreatedAt: at.Add(time.Minute)},
		{ID: w5.ID, ProductID: widget.ID, ProductName: "Widget", ProductSlug: "widget", AuthorID: bob.ID, Rating: 5, CreatedAt: at.Add(2 * time.Minute)},
	}
	if !slices.Equal(got, want) {
		t.Errorf("reviews = %+v\nwant %+v", got, want)
	}
	low, err := c.s.InsightLowestReviews(c.ctx, at, "", 2)
	c.check(err)
	if len(low) != 2 || low[0].ID != w2.ID || low[1].ID != g4.ID || low[0].Title != w2.Title || low[0].AuthorName != "ann" {
		t.Errorf("lowest two since at = %+v; want the 2 and the 4 stars", low)
	}
	all, err := c.s.InsightLowestReviews(c.ctx, at.Add(-time.Hour), widget.ID, 10)
	c.check(err)
	if len(all) != 3 || all[0].ID != old.ID || all[1].ID != w2.ID || all[2].ID != w5.ID {
		t.Errorf("lowest of Widget = %+v; want 1, 2, 5 stars", all)
	}
}

// insightsMemberFacts: new members by join time, members and recent
// visitors by segment, visits in day order, and cohorts.
func insightsMemberFacts(t *testing.T, open Opener) {
	c := newCommunity(t, open)
	pro := c.segment("Pro", 3)
	at := Now()
	admin := c.user("admin", "", at.Add(-48*time.Hour), nil)
	ann := c.user("ann", "", at, pro)
	bob := c.user("bob", "", at.Add(time.Hour), nil)
	c.user("cy", "", at.Add(25*time.Hour), pro)
	joined, err := c.s.InsightNewMembers(c.ctx, at, at.Add(24*time.Hour))
	c.check(err)
	want := []insights.Member{{ID: ann.ID, SegmentID: pro.ID, CreatedAt: at}, {ID: bob.ID, CreatedAt: at.Add(time.Hour)}}
	if !slices.Equal(joined, want) {
		t.Errorf("new members = %+v; want ann in Pro and bob", joined)
	}
	members, err := c.s.InsightMembers(c.ctx)
	c.check(err)
	if members[pro.ID] != 2 || members[""] != 2 {
		t.Errorf("members = %v; want 2 in Pro and 2 without", members)
	}
	for _, v := range []struct {
		u   *townhall.User
		day string
	}{{bob, "2026-11-03"}, {ann, "2026-11-01"}, {bob, "2026-11-01"}, {ann, "2026-11-05"}, {admin, "2026-10-31"}} {
		c.visit(v.u, time.UTC, v.day)
	}
	var seen []string
	c.check(c.s.InsightVisits(c.ctx, "2026-11-01", "2026-11-04", func(v insights.Visit) error {
		seen = append(seen, v.Day+" "+v.UserID+" "+v.SegmentID)
		return nil
	}))
	slices.Sort(seen[:2]) // one day's visits come in any order
	wantSeen := []string{"2026-11-01 " + ann.ID + " " + pro.ID, "2026-11-01 " + bob.ID + " ", "2026-11-03 " + bob.ID + " "}
	if !slices.Equal(seen, wantSeen) {
		t.Errorf("visits = %q\nwant %q", seen, wantSeen)
	}
	since, err := c.s.InsightSeenSince(c.ctx, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC))
	c.check(err)
	if since[pro.ID] != 1 || since[""] != 1 {
		t.Errorf("seen since 2 Nov = %v; want ann (5 Nov) and bob (3 Nov)", since)
	}
	n, active, err := c.s.InsightCohort(c.ctx, at, at.Add(24*time.Hour), "2026-11-02", "2026-11-30")
	c.check(err)
	if n != 2 || active != 2 {
		t.Errorf("cohort = %d joined, %d active; want ann and bob, both back", n, active)
	}
	n, active, err = c.s.InsightCohort(c.ctx, at, at.Add(24*time.Hour), "2026-11-04", "2026-11-04")
	c.check(err)
	if n != 2 || active != 0 {
		t.Errorf("cohort on 4 Nov = %d joined, %d active; want 2, 0", n, active)
	}
	n, _, err = c.s.InsightCohort(c.ctx, at.Add(-72*time.Hour), at, "", "")
	c.check(err)
	if n != 1 {
		t.Errorf("joined before = %d; want the admin", n)
	}
}

// insightsTopDemand: per segment, ideas still in play by that segment's
// votes; done, declined, hidden and merged ideas are not.
func insightsTopDemand(t *testing.T, open Opener) {
	c := newCommunity(t, open)
	pro := c.segment("Pro", 3)
	ann := c.user("ann", "", Now(), pro)
	bea := c.user("bea", "", Now(), pro)
	bob := c.user("bob", "", Now(), nil)
	pat := c.user("pat", townhall.RoleProduct, Now(), nil)
	at := Now()
	one := c.idea(bob, at)                  // bob (none)
	two := c.idea(bob, at.Add(time.Second)) // bob, ann, bea: 2 Pro
	c.vote(two, ann, at)
	c.vote(two, bea, at)
	c.vote(one, ann, at) // 1 Pro
	done := c.idea(ann, at.Add(2*time.Second))
	c.vote(done, bea, at)
	c.status(done, pat, ideas.StatusOpen, ideas.StatusDone, at)
	hidden := c.idea(ann, at.Add(3*time.Second))
	c.vote(hidden, bea, at)
	_, err := c.i.SetIdeaHidden(c.ctx, hidden.ID, &ideas.Hidden{ByID: pat.ID, Reason: "x", At: at})
	c.check(err)
	got, err := c.s.InsightTopDemand(c.ctx, 5)
	c.check(err)
	wantPro := []insights.DemandIdea{{ID: two.ID, Title: two.Title, Status: ideas.StatusOpen, Votes: 2, TotalVotes: 3},
		{ID: one.ID, Title: one.Title, Status: ideas.StatusOpen, Votes: 1, TotalVotes: 2}}
	if !slices.Equal(got[pro.ID], wantPro) {
		t.Errorf("Pro demand = %+v\nwant %+v", got[pro.ID], wantPro)
	}
	// Equal votes: newest first.
	if none := got[""]; len(none) != 2 || none[0].ID != two.ID || none[1].ID != one.ID || none[0].Votes != 1 {
		t.Errorf("demand without a segment = %+v", none)
	}
	if one, err := c.s.InsightTopDemand(c.ctx, 1); err != nil || len(one[pro.ID]) != 1 {
		t.Errorf("limit 1 = %+v, %v", one, err)
	}
}

// insightsRows: rows are replaced by key and read by key range.
func insightsRows(t *testing.T, open Opener) {
	c := newCommunity(t, open)
	at := Now()
	c.check(c.s.PutInsightRows(c.ctx, []insights.Row{{Key: "d:2026-11-02", Data: []byte(`{"a":1}`), UpdatedAt: at},
		{Key: "d:2026-11-01", Data: []byte(`{"a":0}`), UpdatedAt: at}, {Key: "state", Data: []byte(`{}`), UpdatedAt: at}}))
	c.check(c.s.PutInsightRows(c.ctx, []insights.Row{{Key: "d:2026-11-02", Data: []byte(`{"a":2}`), UpdatedAt: at.Add(time.Hour)}}))
	rows, err := c.s.InsightRows(c.ctx, "d:2026-11-01", "d:2026-11-30")
	c.check(err)
	if len(rows) != 2 || rows[0].Key != "d:2026-11-01" || string(rows[1].Data) != `{"a":2}` || !rows[1].UpdatedAt.Equal(at.Add(time.Hour)) {
		t.Errorf("rows = %+v", rows)
	}
	if rows, err := c.s.InsightRows(c.ctx, "state", "state"); err != nil || len(rows) != 1 {
		t.Errorf("state = %+v, %v", rows, err)
	}
}

// handBuilt is a small community in New York time, with "now" on
// Thursday 10 Dec 2026 at 15:00 there (20:00 UTC), so the 7-day period is
// 4–10 Dec and the one before 27 Nov–3 Dec. Some facts sit just before
// midnight there, on another day in UTC.
type handBuilt struct {
	*community
	loc                           *time.Location
	now                           time.Time
	pro, free                     *townhall.Segment
	ann, bob, cy, dee, pat, admin *townhall.User
	t2                            *forum.Thread
	i1                            *ideas.Idea
}

func (c *community) ny(loc *time.Location, day string, hour, minute int) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, day, loc)
	c.check(err)
	return d.Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
}

func buildHandBuilt(t *testing.T, open Opener) *handBuilt {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	h := &handBuilt{community: newCommunity(t, open), loc: loc}
	at := func(day string, hour, minute int) time.Time { return h.ny(loc, day, hour, minute) }
	h.now = at("2026-12-10", 15, 0)
	h.pro, h.free = h.segment("Pro", 3), h.segment("Free", 1)
	h.admin = h.user("Ada", townhall.RoleAdmin, at("2026-06-01", 9, 0), nil)
	h.pat = h.user("Pat", townhall.RoleProduct, at("2026-06-01", 10, 0), nil)
	h.ann = h.user("Ann", "", at("2026-10-15", 9, 0), h.pro)
	h.bob = h.user("Bob", "", at("2026-10-20", 9, 0), h.free)
	h.cy = h.user("Cy", "", at("2026-11-05", 9, 0), nil)
	h.dee = h.user("Dee", "", at("2026-12-03", 23, 30), h.free) // 4 Dec in UTC

	// Forum. Current period:
	t1 := h.thread(h.ann, true, at("2026-12-04", 9, 0)) // answered in 30 min, solved
	a1 := h.reply(t1, h.bob, at("2026-12-04", 9, 30))
	h.check(h.f.AcceptAnswer(h.ctx, t1.ID, a1.ID))
	h.t2 = h.thread(h.bob, true, at("2026-12-05", 10, 0)) // own reply, then Cy's after 2 h
	h.reply(h.t2, h.bob, at("2026-12-05", 10, 10))
	h.reply(h.t2, h.cy, at("2026-12-05", 12, 0))
	t3 := h.thread(h.cy, false, at("2026-12-06", 23, 50)) // only a hidden reply: unanswered
	hid := h.reply(t3, h.ann, at("2026-12-07", 0, 50))
	h.check(h.f.SetForumPostHidden(h.ctx, hid.ID, true))
	h.thread(h.ann, true, at("2026-12-10", 8, 0)) // today: unanswered, not 24 h old yet
	t5 := h.thread(h.bob, false, at("2026-12-08", 12, 0))
	h.reply(t5, h.ann, at("2026-12-08", 13, 0))
	h.check(h.f.SetThreadHidden(h.ctx, t5.ID, true))
	t6 := h.thread(h.dee, false, at("2026-12-09", 12, 0)) // answered after 26 h
	h.reply(t6, h.ann, at("2026-12-10", 14, 0))
	// The period before:
	t0 := h.thread(h.ann, true, at("2026-11-30", 10, 0))
	h.reply(t0, h.bob, at("2026-11-30", 11, 0))
	h.thread(h.bob, false, at("2026-12-03", 23, 45)) // 4 Dec in UTC; never answered

	// Ideas. Current period:
	i1 := h.idea(h.ann, at("2026-12-04", 10, 0))
	h.i1 = i1
	h.vote(i1, h.bob, at("2026-12-04", 11, 0))
	h.vote(i1, h.cy, at("2026-12-05", 9, 0))
	h.status(i1, h.pat, ideas.StatusOpen, ideas.StatusUnderReview, at("2026-12-05", 10, 0))
	h.status(i1, h.pat, ideas.StatusUnderReview, ideas.StatusPlanned, at("2026-12-06", 10, 0))
	h.status(i1, h.pat, ideas.StatusPlanned, ideas.StatusDone, at("2026-12-08", 10, 0))
	i2 := h.idea(h.bob, at("2026-12-06", 9, 0)) // waits
	i3 := h.idea(h.cy, at("2026-12-07", 9, 0))
	h.check(h.i.AddComment(h.ctx, &ideas.Comment{ID: townhall.NewID(), IdeaID: i3.ID, AuthorID: h.pat.ID, Team: true, Body: "Noted", BodyHTML: "<p>Noted</p>", CreatedAt: at("2026-12-07", 11, 0)}))
	i4 := h.idea(h.ann, at("2026-12-07", 9, 0))
	h.status(i4, h.pat, ideas.StatusOpen, ideas.StatusDeclined, at("2026-12-09", 9, 0))
	i5 := h.idea(h.dee, at("2026-12-05", 9, 0))
	_, err = h.i.SetIdeaHidden(h.ctx, i5.ID, &ideas.Hidden{ByID: h.admin.ID, Reason: "spam", At: at("2026-12-05", 10, 0)})
	h.check(err)
	i6 := h.idea(h.bob, at("2026-12-06", 9, 30))
	_, err = h.i.Merge(h.ctx, i6.ID, i1.ID, at("2026-12-06", 10, 0))
	h.check(err)
	_ = i2
	// The period before:
	h.idea(h.bob, at("2026-11-28", 9, 0))

	// Reviews.
	widget, gadget := h.product("Widget"), h.product("Gadget")
	r1 := h.review(widget, h.ann, 2, at("2026-12-05", 9, 0))
	h.respond(r1, h.pat, at("2026-12-05", 12, 0))
	h.review(widget, h.bob, 5, at("2026-12-06", 9, 0))
	h.review(widget, h.cy, 1, at("2026-12-09", 9, 0))
	r4 := h.review(gadget, h.ann, 4, at("2026-12-08", 9, 0))
	h.respond(r4, h.pat, at("2026-12-09", 9, 0))
	gone := h.review(widget, h.dee, 1, at("2026-12-07", 9, 0))
	h.check(h.r.DeleteReview(h.ctx, gone.ID))
	h.review(gadget, h.bob, 3, at("2026-11-29", 9, 0))

	// Visits, on days in New York.
	for _, v := range []struct {
		u    *townhall.User
		days []string
	}{
		{h.ann, []string{"2026-11-28", "2026-12-04", "2026-12-06", "2026-12-10"}},
		{h.bob, []string{"2026-11-28", "2026-12-01", "2026-12-05"}},
		{h.cy, []string{"2026-12-09"}},
		{h.dee, []string{"2026-12-06"}},
	} {
		for _, d := range v.days {
			h.visit(v.u, loc, d)
		}
	}
	return h
}

func (h *handBuilt) service() *insights.Service {
	s := insights.NewService(h.s, h.loc, nil)
	s.SetClock(func() time.Time { return h.now })
	return s
}

func (h *handBuilt) refresh(s *insights.Service) {
	h.t.Helper()
	for range 20 {
		more, err := s.Refresh(h.ctx)
		h.check(err)
		if !more {
			return
		}
	}
	h.t.Fatal("Refresh did not finish in 20 runs")
}

func (h *handBuilt) report(s *insights.Service, q insights.Query) *insights.Report {
	h.t.Helper()
	r, err := s.Report(h.ctx, h.pat, q)
	h.check(err)
	return r
}

// wantFigures compares headline figures with their known values (nil for
// nothing to measure).
func wantFigures(t *testing.T, what string, r *insights.Report, prev bool, want map[string]any) {
	t.Helper()
	for key, w := range want {
		f := r.Figure(key)
		if f == nil {
			t.Errorf("%s: no figure %s", what, key)
			continue
		}
		got := f.Value
		if prev {
			got = f.Previous
		}
		switch w := w.(type) {
		case nil:
			if got != nil {
				t.Errorf("%s: %s = %v; want nothing to measure", what, key, *got)
			}
		case float64:
			if got == nil || math.Abs(*got-w) > 1e-9 {
				t.Errorf("%s: %s = %v; want %v", what, key, deref(got), w)
			}
		case int:
			if got == nil || *got != float64(w) {
				t.Errorf("%s: %s = %v; want %d", what, key, deref(got), w)
			}
		}
	}
}

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// cells returns a table's rows as text for comparison.
func cells(t *insights.Table, rows [][]any, cols ...string) []string {
	var out []string
	for _, r := range rows {
		s := ""
		for i, c := range cols {
			if i > 0 {
				s += " "
			}
			v := r[t.Col(c)]
			switch v := v.(type) {
			case float64:
				s += fmt.Sprintf("%.4g", v)
			case nil:
				s += "-"
			default:
				s += fmt.Sprint(v)
			}
		}
		out = append(out, s)
	}
	return out
}

// insightsHandBuiltCommunity computes every metric of the hand-built
// community and compares it with the answers worked out by hand (see
// buildHandBuilt), for the 7-day period and the one before, for everyone
// and for one segment.
func insightsHandBuiltCommunity(t *testing.T, open Opener) {
	h := buildHandBuilt(t, open)
	s := h.service()
	if _, err := s.Report(h.ctx, h.bob, insights.Query{Period: 7}); townhall.ErrorCode(err) != townhall.EFORBIDDEN {
		t.Fatalf("a member's report: %v; want forbidden", err)
	}
	if _, err := s.Report(h.ctx, nil, insights.Query{Period: 7}); townhall.ErrorCode(err) != townhall.EUNAUTHORIZED {
		t.Fatalf("a visitor's report: %v; want unauthorized", err)
	}
	if r := h.report(s, insights.Query{Period: 7}); r.Ready {
		t.Fatal("ready before the first pass")
	}
	h.refresh(s)
	r := h.report(s, insights.Query{Period: 7})
	if !r.Ready || r.From != "2026-12-04" || r.To != "2026-12-10" || r.PrevFrom != "2026-11-27" || r.PrevTo != "2026-12-03" {
		t.Fatalf("period = %v %s..%s, before %s..%s", r.Ready, r.From, r.To, r.PrevFrom, r.PrevTo)
	}
	wantFigures(t, "7 days", r, false, map[string]any{
		"active_members": 4, "new_members": 0, "dau_mau": 6.0 / 21,
		"threads": 5, "replies": 4, "unanswered_threads": 2, "no_reply_24h_share": 0.5,
		"median_first_reply_seconds": 7200, "p90_first_reply_seconds": 26 * 3600,
		"questions": 3, "solved_share": 1.0 / 3, "median_solution_seconds": 1800,
		"ideas_proposed": 4, "votes": 6, "ideas_awaiting_response": 1,
		"median_first_response_seconds": 86400, "p90_first_response_seconds": 2 * 86400,
		"shipped_ideas": 1, "customers_served": 3, "weighted_demand_served": 5.0,
		"reviews": 4, "rating_average": 3.0, "review_response_share": 0.5, "median_review_response_seconds": 3 * 3600,
	})
	wantFigures(t, "the 7 days before", r, true, map[string]any{
		"active_members": 2, "new_members": 1,
		"threads": 2, "replies": 1, "unanswered_threads": 1, "no_reply_24h_share": 0.5,
		"median_first_reply_seconds": 3600, "questions": 1, "solved_share": 0.0, "median_solution_seconds": nil,
		"ideas_proposed": 1, "votes": 1, "ideas_awaiting_response": 1, "median_first_response_seconds": nil,
		"shipped_ideas": 0, "reviews": 1, "rating_average": 3.0, "review_response_share": 0.0,
	})

	// The funnel of the four ideas proposed in the period.
	funnel := r.Table("funnel")
	gotFunnel := cells(funnel, funnel.Rows, "status", "ideas", "conversion", "of_proposed", "median_seconds_in_status")
	wantFunnel := []string{"Proposed 4 - 1 8.64e+04", "Under review 1 0.25 0.25 8.64e+04", "Planned 1 1 0.25 1.728e+05",
		"In progress 1 1 0.25 -", "Done 1 1 0.25 -", "Declined 1 - 0.25 -"}
	if !slices.Equal(gotFunnel, wantFunnel) {
		t.Errorf("funnel =\n%q\nwant\n%q", gotFunnel, wantFunnel)
	}
	// Daily threads and replies, New York days.
	threads := r.Table("threads")
	if got := cells(threads, threads.Rows, "from", "threads", "replies"); !slices.Equal(got, []string{
		"2026-12-04 1 1", "2026-12-05 1 2", "2026-12-06 1 0", "2026-12-07 0 0", "2026-12-08 0 0", "2026-12-09 1 0", "2026-12-10 1 1"}) {
		t.Errorf("threads per day = %q", got)
	}
	if got := cells(threads, threads.Prev[6:], "from", "threads"); !slices.Equal(got, []string{"2026-12-03 1"}) {
		t.Errorf("the day before the period = %q; want the thread of 23:45", got)
	}
	activity := r.Table("activity")
	if got := cells(activity, activity.Rows, "active_members", "weekly_active", "monthly_active"); !slices.Equal(got, []string{
		"1 2 2", "1 2 2", "2 3 3", "0 3 3", "0 3 3", "1 4 4", "1 4 4"}) {
		t.Errorf("daily, weekly, monthly actives = %q", got)
	}
	shippedT := r.Table("shipped")
	if got := cells(shippedT, shippedT.Rows, "url", "shipped_on", "customers", "weighted_demand"); len(got) != 1 || got[0] != "/ideas/"+h.i1.ID+" 2026-12-08 3 5" {
		t.Errorf("shipped = %q", got)
	}
	low := r.Table("lowest-reviews")
	if got := cells(low, low.Rows, "rating", "product", "author", "answered"); !slices.Equal(got, []string{
		"1 Widget Cy no", "2 Widget Ann yes", "4 Gadget Ann yes", "5 Widget Bob no"}) {
		t.Errorf("lowest reviews = %q", got)
	}
	cohorts := r.Table("cohorts")
	if got := cells(cohorts, cohorts.Rows[:3], "month", "joined", "month_1", "month_2", "month_3"); !slices.Equal(got, []string{
		"2026-12 1 - - -", "2026-11 1 1 - -", "2026-10 2 1 1 -"}) {
		t.Errorf("cohorts = %q", got)
	}
	if got := cells(cohorts, cohorts.Rows[6:7], "month", "joined", "month_1", "month_6"); !slices.Equal(got, []string{"2026-06 2 0 0"}) {
		t.Errorf("June cohort = %q; want the team, never back", got)
	}
	segs := r.Table("segments")
	if got := cells(segs, segs.Rows, "segment", "members", "active_members", "active_share", "votes", "ideas", "threads", "rating_average", "waiting"); !slices.Equal(got, []string{
		"Free 2 2 1 2 1 2 5 1", "Pro 1 1 1 2 2 2 3 1", "No segment 3 1 0.3333 2 1 1 1 1"}) {
		t.Errorf("segments =\n%q", got)
	}
	contributors := r.Table("contributors")
	if got := cells(contributors, contributors.Rows, "name", "replies", "solutions", "score"); !slices.Equal(got, []string{
		"Bob 2 1 5", "Ann 1 0 1", "Cy 1 0 1"}) {
		t.Errorf("contributors = %q", got)
	}

	// One segment: Pro is Ann.
	pro := h.report(s, insights.Query{Period: 7, Segment: "pro"})
	wantFigures(t, "Pro", pro, false, map[string]any{"active_members": 1, "threads": 2, "replies": 1, "votes": 2, "ideas_proposed": 2,
		"reviews": 2, "rating_average": 3.0, "customers_served": 1, "weighted_demand_served": 3.0})
	if _, err := s.Report(h.ctx, h.pat, insights.Query{Period: 7, Segment: "gold"}); townhall.ErrorCode(err) != townhall.EINVALID {
		t.Errorf("unknown segment: %v; want invalid", err)
	}
	// One product's ratings.
	widget := h.report(s, insights.Query{Period: 7, Product: "widget"})
	ratings := widget.Table("ratings")
	total := 0.0
	for _, row := range ratings.Rows {
		total += row[ratings.Col("reviews")].(float64)
	}
	if total != 3 || widget.Product == nil || widget.Product.Name != "Widget" {
		t.Errorf("Widget's reviews in the period = %v (%+v); want 3", total, widget.Product)
	}
}

// insightsLaterChanges: a change to an old day's facts reaches its row
// when the pass revisits it, and today's figures move at once.
func insightsLaterChanges(t *testing.T, open Opener) {
	h := buildHandBuilt(t, open)
	s := h.service()
	h.refresh(s)
	before := h.report(s, insights.Query{Period: 7})
	wantFigures(t, "before", before, false, map[string]any{"threads": 5, "median_first_reply_seconds": 7200})
	// Five days later Thursday's thread by Bob is hidden; the pass
	// revisits older days round robin, so it is gone within a few passes.
	h.check(h.f.SetThreadHidden(h.ctx, h.t2.ID, true))
	s.SweepDays = 800
	h.refresh(s)
	s.CacheFor = 0
	after := h.report(s, insights.Query{Period: 7})
	wantFigures(t, "after hiding", after, false, map[string]any{"threads": 4, "replies": 2, "questions": 2, "median_first_reply_seconds": 1800})
}
