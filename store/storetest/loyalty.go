package storetest

import (
	"context"
	"fmt"
	"html/template"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/loyalty"
	"github.com/townhall/townhall/reviews"
)

// loyaltyCases are the loyalty rules of the contract, each run on a fresh backend.
var loyaltyCases = []Case{
	{"LikesAreIdempotentAndCounted", loyaltyLikesAreIdempotentAndCounted},
	{"LikesRefuseOwnHiddenAndMissing", loyaltyLikesRefuseOwnHiddenAndMissing},
	{"ConcurrentLikesCountExactly", loyaltyConcurrentLikesCountExactly},
	{"LikePointsAreCappedPerDay", loyaltyLikePointsAreCappedPerDay},
	{"AcceptedAnswersMovePoints", loyaltyAcceptedAnswersMovePoints},
	{"HelpfulVotesEarnPoints", loyaltyHelpfulVotesEarnPoints},
	{"IdeaStatusesEarnPoints", loyaltyIdeaStatusesEarnPoints},
	{"ConcurrentAcceptsAndVotesKeepReputationExact", loyaltyConcurrentPointsStayExact},
	{"LedgerNamesOnlyVisibleContent", loyaltyLedgerNamesOnlyVisibleContent},
	{"StandingsByPeriodCategoryAndSegment", loyaltyStandingsByPeriodCategoryAndSegment},
	{"BadgesAwardedOnceWithHighlight", loyaltyBadgesAwardedOnceWithHighlight},
	{"BadgeFactsCountTheRules", loyaltyBadgeFactsCountTheRules},
	{"ConcurrentAwardsCountOnce", loyaltyConcurrentAwardsCountOnce},
	{"ProfileTabsListOnlyVisibleContent", loyaltyProfileTabsListOnlyVisibleContent},
	{"ProfileKeepsAChosenName", loyaltyProfileKeepsAChosenName},
}

// loyaltyFixture is a backend with a questions category, a thread by ann
// with a reply by bob, and an idea by ann with a comment by bob.
type loyaltyFixture struct {
	b      Backend
	s      loyalty.Store
	forum  forum.Store
	ideas  ideas.Store
	ann    *townhall.User
	bob    *townhall.User
	cat    *forum.Category
	thread *forum.Thread
	first  *forum.Post // ann's question
	reply  *forum.Post // bob's reply
	idea   *ideas.Idea
	note   *ideas.Comment // bob's comment on ann's idea
	at     time.Time
}

func newLoyaltyFixture(t *testing.T, open Opener) *loyaltyFixture {
	t.Helper()
	b := open(t)
	f := &loyaltyFixture{b: b, s: As[loyalty.Store](t, b), forum: As[forum.Store](t, b), ideas: As[ideas.Store](t, b),
		ann: MustSignIn(t, b, "ann", ""), bob: MustSignIn(t, b, "bob", ""), at: Now()}
	f.cat = &forum.Category{ID: townhall.NewID(), Slug: "help", Name: "Help", Questions: true, CreatedAt: Now()}
	if err := f.forum.SaveForumCategory(context.Background(), f.cat); err != nil {
		t.Fatal(err)
	}
	f.thread, f.first = f.newThread(t, f.cat, f.ann, "How do I export?")
	f.reply = f.newReply(t, f.thread.ID, f.bob, "Use the reports page.")
	f.idea = newIdea(t, f.ideas, f.ann, "Dark mode", Now())
	f.note = f.newComment(t, f.idea.ID, f.bob, "Yes please")
	return f
}

func (f *loyaltyFixture) tick() time.Time { f.at = f.at.Add(time.Second); return f.at }

func (f *loyaltyFixture) newThread(t *testing.T, cat *forum.Category, author *townhall.User, title string) (*forum.Thread, *forum.Post) {
	t.Helper()
	now := f.tick()
	th := &forum.Thread{ID: townhall.NewID(), CategoryID: cat.ID, Title: title, AuthorID: author.ID, LastActivity: now, CreatedAt: now}
	p := &forum.Post{ID: townhall.NewID(), AuthorID: author.ID, Source: "Asking: " + title, HTML: "<p>q</p>", CreatedAt: now}
	if err := f.forum.CreateThread(context.Background(), th, p); err != nil {
		t.Fatal(err)
	}
	return th, p
}

func (f *loyaltyFixture) newReply(t *testing.T, threadID string, author *townhall.User, body string) *forum.Post {
	t.Helper()
	p := &forum.Post{ID: townhall.NewID(), ThreadID: threadID, AuthorID: author.ID, Source: body, HTML: template.HTML("<p>" + body + "</p>"), CreatedAt: f.tick()}
	if err := f.forum.AddReply(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *loyaltyFixture) newComment(t *testing.T, ideaID string, author *townhall.User, body string) *ideas.Comment {
	t.Helper()
	c := &ideas.Comment{ID: townhall.NewID(), IdeaID: ideaID, AuthorID: author.ID, Body: body, BodyHTML: template.HTML("<p>" + body + "</p>"), CreatedAt: f.tick()}
	if err := f.ideas.AddComment(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *loyaltyFixture) like(t *testing.T, kind, id string, u *townhall.User, at time.Time) loyalty.LikeResult {
	t.Helper()
	res, err := f.s.Like(context.Background(), &loyalty.Like{ID: townhall.NewID(), Kind: kind, TargetID: id, UserID: u.ID, At: at})
	if err != nil {
		t.Fatalf("like %s %s by %s: %v", kind, id, u.Handle, err)
	}
	return res
}

func (f *loyaltyFixture) unlike(t *testing.T, kind, id string, u *townhall.User) loyalty.LikeResult {
	t.Helper()
	res, err := f.s.Unlike(context.Background(), kind, id, u.ID)
	if err != nil {
		t.Fatalf("unlike %s %s by %s: %v", kind, id, u.Handle, err)
	}
	return res
}

// reputation is a person's stored total, checked against their ledger:
// every point is explained by an entry.
func reputation(t *testing.T, b Backend, u *townhall.User) int {
	t.Helper()
	got, err := b.User(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, e := range ledger(t, b, u) {
		sum += e.Points
	}
	if sum != got.Reputation {
		t.Fatalf("%s: reputation %d, but the ledger sums to %d", u.Handle, got.Reputation, sum)
	}
	return got.Reputation
}

// ledger is all of a person's entries, newest first, paged as profiles do.
func ledger(t *testing.T, b Backend, u *townhall.User) []*loyalty.Entry {
	t.Helper()
	s := As[loyalty.Store](t, b)
	var all []*loyalty.Entry
	before := ""
	for {
		page, err := s.ReputationEntries(context.Background(), u.ID, before, 3)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < 3 {
			return all
		}
		before = page[len(page)-1].ID
	}
}

func wantReputation(t *testing.T, b Backend, u *townhall.User, want int) {
	t.Helper()
	if got := reputation(t, b, u); got != want {
		t.Fatalf("%s: reputation = %d, want %d", u.Handle, got, want)
	}
}

func (f *loyaltyFixture) likesOf(t *testing.T, p *forum.Post) int {
	t.Helper()
	got, err := f.forum.ForumPost(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got.Likes
}

// loyaltyLikesAreIdempotentAndCounted: one like per person, counted on the
// post or comment and in the author's reputation; unliking takes both back.
func loyaltyLikesAreIdempotentAndCounted(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newLoyaltyFixture(t, open)
	cy := MustSignIn(t, f.b, "cy", "")
	if res := f.like(t, loyalty.KindPost, f.reply.ID, f.ann, f.tick()); !res.Changed || !res.Liked || res.Target.Likes != 1 ||
		res.Target.AuthorID != f.bob.ID || res.Target.ParentID != f.thread.ID || res.Target.ParentTitle != f.thread.Title ||
		res.Target.Position != 1 || res.Target.CategoryID != f.cat.ID {
		t.Fatalf("first like = %+v; want changed, liked, 1 like, and bob's reply in its thread", res)
	}
	if res := f.like(t, loyalty.KindPost, f.reply.ID, f.ann, f.tick()); res.Changed || !res.Liked || res.Target.Likes != 1 {
		t.Fatalf("a repeated like = %+v; want unchanged and still 1", res)
	}
	f.like(t, loyalty.KindPost, f.reply.ID, cy, f.tick())
	if n := f.likesOf(t, f.reply); n != 2 {
		t.Fatalf("post likes = %d, want 2", n)
	}
	wantReputation(t, f.b, f.bob, 2)
	liked, err := f.s.LikedBy(ctx, f.ann.ID, []string{f.reply.ID, f.first.ID, f.note.ID})
	if err != nil || !liked[f.reply.ID] || liked[f.first.ID] || liked[f.note.ID] {
		t.Fatalf("ann likes %v (%v); want only bob's reply", liked, err)
	}
	if res := f.unlike(t, loyalty.KindPost, f.reply.ID, f.ann); !res.Changed || res.Liked || res.Target.Likes != 1 {
		t.Fatalf("unlike = %+v; want changed, 1 like left", res)
	}
	if res := f.unlike(t, loyalty.KindPost, f.reply.ID, f.ann); res.Changed || res.Target.Likes != 1 {
		t.Fatalf("a repeated unlike = %+v; want unchanged", res)
	}
	wantReputation(t, f.b, f.bob, 1)
	// Liking again is a new like with its own entry.
	f.like(t, loyalty.KindPost, f.reply.ID, f.ann, f.tick())
	wantReputation(t, f.b, f.bob, 2)
	reasons := map[loyalty.Reason]int{}
	for _, e := range ledger(t, f.b, f.bob) {
		reasons[e.Reason]++
		if e.SourceID != f.reply.ID || e.ParentID != f.thread.ID || e.Title != f.thread.Title || e.Position != 1 {
			t.Errorf("entry %+v does not name bob's reply in its thread", e)
		}
	}
	if reasons[loyalty.ReasonPostLiked] != 3 || reasons[loyalty.ReasonPostUnliked] != 1 {
		t.Fatalf("bob's ledger reasons = %v; want 3 likes and 1 taken back", reasons)
	}

	// Comments work the same way.
	if res := f.like(t, loyalty.KindComment, f.note.ID, f.ann, f.tick()); !res.Changed || res.Target.ParentID != f.idea.ID ||
		res.Target.ParentTitle != f.idea.Title || res.Target.Likes != 1 {
		t.Fatalf("comment like = %+v", res)
	}
	c, err := f.ideas.Comment(ctx, f.note.ID)
	if err != nil || c.Likes != 1 {
		t.Fatalf("comment likes = %v (%v), want 1", c, err)
	}
	wantReputation(t, f.b, f.bob, 3)
	f.unlike(t, loyalty.KindComment, f.note.ID, f.ann)
	if c, _ := f.ideas.Comment(ctx, f.note.ID); c.Likes != 0 {
		t.Fatalf("comment likes after unlike = %d", c.Likes)
	}
	wantReputation(t, f.b, f.bob, 2)
}

// loyaltyLikesRefuseOwnHiddenAndMissing: your own content, hidden or
// deleted content and missing ids are refused, and nothing is written.
func loyaltyLikesRefuseOwnHiddenAndMissing(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newLoyaltyFixture(t, open)
	like := func(kind, id string, u *townhall.User) error {
		_, err := f.s.Like(ctx, &loyalty.Like{ID: townhall.NewID(), Kind: kind, TargetID: id, UserID: u.ID, At: f.tick()})
		return err
	}
	WantErr(t, like(loyalty.KindPost, f.reply.ID, f.bob), loyalty.ErrOwnContent)
	WantErr(t, like(loyalty.KindComment, f.note.ID, f.bob), loyalty.ErrOwnContent)
	WantErr(t, like(loyalty.KindPost, townhall.NewID(), f.ann), loyalty.ErrPostNotFound)
	WantErr(t, like(loyalty.KindComment, townhall.NewID(), f.ann), loyalty.ErrCommentNotFound)
	// A hidden reply, a reply in a hidden thread.
	if err := f.forum.SetForumPostHidden(ctx, f.reply.ID, true); err != nil {
		t.Fatal(err)
	}
	WantErr(t, like(loyalty.KindPost, f.reply.ID, f.ann), loyalty.ErrPostNotFound)
	_, err := f.s.Unlike(ctx, loyalty.KindPost, f.reply.ID, f.ann.ID)
	WantErr(t, err, loyalty.ErrPostNotFound)
	if err := f.forum.SetForumPostHidden(ctx, f.reply.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := f.forum.SetThreadHidden(ctx, f.thread.ID, true); err != nil {
		t.Fatal(err)
	}
	WantErr(t, like(loyalty.KindPost, f.reply.ID, f.ann), loyalty.ErrPostNotFound)
	// A hidden comment, a deleted one, a comment of a hidden idea.
	if _, err := f.ideas.SetCommentHidden(ctx, f.note.ID, &ideas.Hidden{ByID: f.ann.ID, Reason: "spam", At: Now()}); err != nil {
		t.Fatal(err)
	}
	WantErr(t, like(loyalty.KindComment, f.note.ID, f.ann), loyalty.ErrCommentNotFound)
	other := f.newComment(t, f.idea.ID, f.bob, "Another")
	if _, err := f.ideas.DeleteComment(ctx, other.ID, f.bob.ID, Now()); err != nil {
		t.Fatal(err)
	}
	WantErr(t, like(loyalty.KindComment, other.ID, f.ann), loyalty.ErrCommentNotFound)
	third := f.newComment(t, f.idea.ID, f.bob, "A third")
	if _, err := f.ideas.SetIdeaHidden(ctx, f.idea.ID, &ideas.Hidden{ByID: f.ann.ID, Reason: "spam", At: Now()}); err != nil {
		t.Fatal(err)
	}
	WantErr(t, like(loyalty.KindComment, third.ID, f.ann), loyalty.ErrCommentNotFound)
	if n := f.likesOf(t, f.reply); n != 0 {
		t.Fatalf("likes after refused likes = %d", n)
	}
	wantReputation(t, f.b, f.bob, 0)
}

// loyaltyConcurrentLikesCountExactly: many people liking and unliking one
// reply at once end with the count, the like rows and the author's
// reputation in agreement, exactly.
func loyaltyConcurrentLikesCountExactly(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newLoyaltyFixture(t, open)
	const people = 16
	var likers []*townhall.User
	for k := range people {
		likers = append(likers, MustSignIn(t, f.b, fmt.Sprintf("liker%d", k), ""))
	}
	var wg sync.WaitGroup
	for k, u := range likers {
		wg.Go(func() {
			for n := range 8 {
				// Alternate, then a last step known in advance: every third
				// person ends not liking it.
				on := n%2 == 0
				if n == 7 {
					on = k%3 != 0
				}
				var err error
				if on {
					_, err = f.s.Like(ctx, &loyalty.Like{ID: townhall.NewID(), Kind: loyalty.KindPost, TargetID: f.reply.ID, UserID: u.ID, At: Now()})
				} else {
					_, err = f.s.Unlike(ctx, loyalty.KindPost, f.reply.ID, u.ID)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	// One more person likes from six goroutines at once.
	twin := MustSignIn(t, f.b, "twin", "")
	for range 6 {
		wg.Go(func() {
			if _, err := f.s.Like(ctx, &loyalty.Like{ID: townhall.NewID(), Kind: loyalty.KindPost, TargetID: f.reply.ID, UserID: twin.ID, At: Now()}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	want := 1
	for k := range people {
		if k%3 != 0 {
			want++
		}
	}
	if got := f.likesOf(t, f.reply); got != want {
		t.Fatalf("likes = %d, want exactly %d", got, want)
	}
	ids := []string{f.reply.ID}
	rows := 0
	for _, u := range append(likers, twin) {
		liked, err := f.s.LikedBy(ctx, u.ID, ids)
		if err != nil {
			t.Fatal(err)
		}
		if liked[f.reply.ID] {
			rows++
		}
	}
	if rows != want {
		t.Fatalf("%d people like it, the counter says %d", rows, want)
	}
	wantReputation(t, f.b, f.bob, want)
}

// loyaltyLikePointsAreCappedPerDay: the likes an author receives on one
// day earn at most LikePointsPerDay; an unlike takes back only what the
// remaining likes no longer earn, and another day starts afresh.
func loyaltyLikePointsAreCappedPerDay(t *testing.T, open Opener) {
	f := newLoyaltyFixture(t, open)
	n := loyalty.LikePointsPerDay + 2
	day := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	var likers []*townhall.User
	for k := range n {
		u := MustSignIn(t, f.b, fmt.Sprintf("fan%d", k), "")
		likers = append(likers, u)
		f.like(t, loyalty.KindPost, f.reply.ID, u, day.Add(time.Duration(k)*time.Minute))
	}
	wantReputation(t, f.b, f.bob, loyalty.LikePointsPerDay)
	// Two unlikes: the first leaves LikePointsPerDay+1 likes, still the
	// cap; the second leaves the cap; the third takes a point.
	f.unlike(t, loyalty.KindPost, f.reply.ID, likers[0])
	f.unlike(t, loyalty.KindPost, f.reply.ID, likers[1])
	wantReputation(t, f.b, f.bob, loyalty.LikePointsPerDay)
	f.unlike(t, loyalty.KindPost, f.reply.ID, likers[2])
	wantReputation(t, f.b, f.bob, loyalty.LikePointsPerDay-1)
	// The next day's like earns again, even from someone who liked before.
	f.like(t, loyalty.KindPost, f.first.ID, likers[3], day.Add(24*time.Hour))
	f.like(t, loyalty.KindPost, f.reply.ID, likers[0], day.Add(24*time.Hour))
	wantReputation(t, f.b, f.bob, loyalty.LikePointsPerDay)
	wantReputation(t, f.b, f.ann, 1)
}

// loyaltyAcceptedAnswersMovePoints: an accepted answer earns its author
// points, a replaced or withdrawn one loses them, an answer to your own
// question earns nothing, and hiding the accepted reply takes them back.
func loyaltyAcceptedAnswersMovePoints(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newLoyaltyFixture(t, open)
	cy := MustSignIn(t, f.b, "cy", "")
	other := f.newReply(t, f.thread.ID, cy, "Or use the API.")
	own := f.newReply(t, f.thread.ID, f.ann, "Found it myself.")
	accept := func(postID string) {
		t.Helper()
		if err := f.forum.AcceptAnswer(ctx, f.thread.ID, postID); err != nil {
			t.Fatal(err)
		}
	}
	accept(f.reply.ID)
	accept(f.reply.ID) // again: nothing moves
	wantReputation(t, f.b, f.bob, loyalty.PointsAccepted)
	accept(other.ID)
	wantReputation(t, f.b, f.bob, 0)
	wantReputation(t, f.b, cy, loyalty.PointsAccepted)
	accept(own.ID)
	wantReputation(t, f.b, cy, 0)
	wantReputation(t, f.b, f.ann, 0)
	accept("")
	accept(f.reply.ID)
	wantReputation(t, f.b, f.bob, loyalty.PointsAccepted)
	if err := f.forum.SetForumPostHidden(ctx, f.reply.ID, true); err != nil {
		t.Fatal(err)
	}
	if th, _ := f.forum.Thread(ctx, f.thread.ID); th.AcceptedPostID != "" {
		t.Fatalf("hidden reply still accepted")
	}
	wantReputation(t, f.b, f.bob, 0)
	var reasons []loyalty.Reason
	for _, e := range ledger(t, f.b, f.bob) {
		reasons = append(reasons, e.Reason)
		if e.Points != loyalty.PointsAccepted && e.Points != -loyalty.PointsAccepted || e.CategoryID != f.cat.ID {
			t.Errorf("entry %+v: want ±%d in the thread's category", e, loyalty.PointsAccepted)
		}
	}
	want := []loyalty.Reason{loyalty.ReasonUnaccepted, loyalty.ReasonAccepted, loyalty.ReasonUnaccepted, loyalty.ReasonAccepted}
	if !slices.Equal(reasons, want) {
		t.Fatalf("bob's ledger = %v, want (newest first) %v", reasons, want)
	}
	if entries := ledger(t, f.b, f.ann); len(entries) != 0 {
		t.Fatalf("ann's own answer earned %v", entries)
	}
}

// loyaltyHelpfulVotesEarnPoints: a helpful vote earns the reviewer points,
// taking it back or deleting the review takes them back.
func loyaltyHelpfulVotesEarnPoints(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newLoyaltyFixture(t, open)
	rs := As[reviews.Store](t, f.b)
	p := mustProduct(t, rs, "Acme Router", "acme-router")
	r := mustReview(t, rs, p.ID, f.bob.ID, 4)
	cy := MustSignIn(t, f.b, "cy", "")
	for _, u := range []*townhall.User{f.ann, cy, f.ann} {
		if _, _, err := rs.AddHelpful(ctx, r.ID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	wantReputation(t, f.b, f.bob, 2*loyalty.PointsHelpful)
	if _, _, err := rs.RemoveHelpful(ctx, r.ID, cy.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := rs.RemoveHelpful(ctx, r.ID, cy.ID); err != nil {
		t.Fatal(err)
	}
	wantReputation(t, f.b, f.bob, loyalty.PointsHelpful)
	entries := ledger(t, f.b, f.bob)
	if len(entries) != 3 || entries[0].Title != p.Name || entries[0].ProductSlug != p.Slug || entries[0].SourceID != r.ID {
		t.Fatalf("bob's ledger = %+v; want 3 entries naming the product", entries)
	}
	if err := rs.DeleteReview(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	wantReputation(t, f.b, f.bob, 0)
	if e := ledger(t, f.b, f.bob)[0]; e.Reason != loyalty.ReasonReviewDeleted || e.Points != -loyalty.PointsHelpful {
		t.Fatalf("newest entry after deleting the review = %+v", e)
	}
}

// loyaltyIdeaStatusesEarnPoints: an idea's author earns points when it is
// planned and shipped, and loses them when it moves back.
func loyaltyIdeaStatusesEarnPoints(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newLoyaltyFixture(t, open)
	team := MustSignIn(t, f.b, "team", townhall.RoleProduct)
	move := func(to ideas.Status) {
		t.Helper()
		if err := f.ideas.ChangeStatus(ctx, &ideas.StatusChange{ID: townhall.NewID(), IdeaID: f.idea.ID, To: to, ActorID: team.ID, At: f.tick()}); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		to   ideas.Status
		want int
	}{
		{ideas.StatusUnderReview, 0},
		{ideas.StatusPlanned, loyalty.PointsPlanned},
		{ideas.StatusInProgress, loyalty.PointsPlanned},
		{ideas.StatusDone, loyalty.PointsPlanned + loyalty.PointsShipped},
		{ideas.StatusDone, loyalty.PointsPlanned + loyalty.PointsShipped}, // a response only
		{ideas.StatusPlanned, loyalty.PointsPlanned},
		{ideas.StatusDone, loyalty.PointsPlanned + loyalty.PointsShipped},
		{ideas.StatusOpen, 0},
		{ideas.StatusDone, loyalty.PointsPlanned + loyalty.PointsShipped},
	} {
		move(step.to)
		wantReputation(t, f.b, f.ann, step.want)
	}
	e := ledger(t, f.b, f.ann)[0]
	if e.Reason != loyalty.ReasonShipped || e.SourceID != f.idea.ID || e.Title != f.idea.Title {
		t.Fatalf("newest entry = %+v; want the idea shipped, with its title", e)
	}
}

// loyaltyConcurrentPointsStayExact: accepts, helpful votes and likes that
// race on one person's reputation leave it equal to their ledger and to
// what the facts earn.
func loyaltyConcurrentPointsStayExact(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newLoyaltyFixture(t, open)
	rs := As[reviews.Store](t, f.b)
	p := mustProduct(t, rs, "Acme Router", "acme-router")
	r := mustReview(t, rs, p.ID, f.bob.ID, 5)
	var threads []*forum.Thread
	var answers []*forum.Post
	for k := range 6 {
		th, _ := f.newThread(t, f.cat, f.ann, fmt.Sprintf("Question %d", k))
		threads = append(threads, th)
		answers = append(answers, f.newReply(t, th.ID, f.bob, "An answer"))
	}
	var voters []*townhall.User
	for k := range 8 {
		voters = append(voters, MustSignIn(t, f.b, fmt.Sprintf("voter%d", k), ""))
	}
	var wg sync.WaitGroup
	for k, th := range threads {
		wg.Go(func() {
			for n := range 5 { // ends accepted when k is even
				target := answers[k].ID
				if n%2 == 1 || (n == 4 && k%2 == 1) {
					target = ""
				}
				if err := f.forum.AcceptAnswer(ctx, th.ID, target); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for _, u := range voters {
		wg.Go(func() {
			if _, _, err := rs.AddHelpful(ctx, r.ID, u.ID); err != nil {
				t.Error(err)
			}
			if _, err := f.s.Like(ctx, &loyalty.Like{ID: townhall.NewID(), Kind: loyalty.KindPost, TargetID: f.reply.ID, UserID: u.ID, At: Now()}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	want := 3*loyalty.PointsAccepted + len(voters)*loyalty.PointsHelpful + len(voters)*loyalty.PointsLiked
	wantReputation(t, f.b, f.bob, want)
}

// loyaltyLedgerNamesOnlyVisibleContent: an entry names its thread or idea
// only while that is visible to everyone.
func loyaltyLedgerNamesOnlyVisibleContent(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newLoyaltyFixture(t, open)
	f.like(t, loyalty.KindPost, f.reply.ID, f.ann, f.tick())
	f.like(t, loyalty.KindComment, f.note.ID, f.ann, f.tick())
	titles := func() []string {
		var out []string
		for _, e := range ledger(t, f.b, f.bob) {
			out = append(out, e.Title)
		}
		return out
	}
	if got := titles(); !slices.Equal(got, []string{f.idea.Title, f.thread.Title}) {
		t.Fatalf("titles = %q", got)
	}
	if err := f.forum.SetThreadHidden(ctx, f.thread.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ideas.SetCommentHidden(ctx, f.note.ID, &ideas.Hidden{ByID: f.ann.ID, Reason: "off topic", At: Now()}); err != nil {
		t.Fatal(err)
	}
	if got := titles(); !slices.Equal(got, []string{"", ""}) {
		t.Fatalf("titles with the thread and the comment hidden = %q; want none named", got)
	}
	// The points stay: hiding is not undoing the like.
	wantReputation(t, f.b, f.bob, 2)
}

// loyaltyStandingsByPeriodCategoryAndSegment: leaderboards rank what was
// gained in a week, a month and all time, overall, per category and per
// segment at the time.
func loyaltyStandingsByPeriodCategoryAndSegment(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newLoyaltyFixture(t, open)
	seg := &townhall.Segment{ID: townhall.NewID(), Name: "Pro", Weight: 3}
	if err := f.b.SaveSegment(ctx, seg); err != nil {
		t.Fatal(err)
	}
	if err := f.b.SetUserSegment(ctx, f.bob.ID, seg.ID); err != nil {
		t.Fatal(err)
	}
	tips := &forum.Category{ID: townhall.NewID(), Slug: "tips", Name: "Tips", CreatedAt: Now()}
	if err := f.forum.SaveForumCategory(ctx, tips); err != nil {
		t.Fatal(err)
	}
	_, tipFirst := f.newThread(t, tips, f.ann, "My macros")
	cy := MustSignIn(t, f.b, "cy", "")
	dee := MustSignIn(t, f.b, "dee", "")
	thisWeek := time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC) // a Wednesday
	lastMonth := time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC)
	// bob: 2 this week (help), 1 last month (help); ann: 3 this week (tips).
	f.like(t, loyalty.KindPost, f.reply.ID, cy, thisWeek)
	f.like(t, loyalty.KindPost, f.reply.ID, dee, thisWeek)
	f.like(t, loyalty.KindPost, f.reply.ID, f.ann, lastMonth)
	for _, u := range []*townhall.User{f.bob, cy, dee} {
		f.like(t, loyalty.KindPost, tipFirst.ID, u, thisWeek.Add(time.Hour))
	}
	day := thisWeek.Format(time.DateOnly)
	board := func(period, scope string) string {
		t.Helper()
		got, err := f.s.Standings(ctx, loyalty.PeriodKey(period, day), scope, 10)
		if err != nil {
			t.Fatal(err)
		}
		out := ""
		for _, s := range got {
			out += fmt.Sprintf("%s:%d ", s.Handle, s.Points)
			if s.Name == "" || s.UserID == "" {
				t.Errorf("standing %+v lacks the person", s)
			}
		}
		return out
	}
	for _, c := range []struct{ period, scope, want string }{
		{loyalty.PeriodWeek, loyalty.ScopeAll, "ann:3 bob:2 "},
		{loyalty.PeriodMonth, loyalty.ScopeAll, "ann:3 bob:2 "},
		{loyalty.PeriodAll, loyalty.ScopeAll, "bob:3 ann:3 "},
		{loyalty.PeriodWeek, loyalty.CategoryScope(f.cat.ID), "bob:2 "},
		{loyalty.PeriodAll, loyalty.CategoryScope(tips.ID), "ann:3 "},
		{loyalty.PeriodAll, loyalty.SegmentScope(seg.ID), "bob:3 "},
	} {
		got := board(c.period, c.scope)
		// Ties rank by user id; compare as sets where points tie.
		if c.period == loyalty.PeriodAll && c.scope == loyalty.ScopeAll {
			if got != "bob:3 ann:3 " && got != "ann:3 bob:3 " {
				t.Errorf("%s %q = %q, want %q", c.period, c.scope, got, c.want)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%s %q = %q, want %q", c.period, c.scope, got, c.want)
		}
	}
	// Taking a like back this week takes it off this week's board.
	f.unlike(t, loyalty.KindPost, f.reply.ID, cy)
	f.unlike(t, loyalty.KindPost, f.reply.ID, dee)
	if got, err := f.s.Standings(ctx, loyalty.PeriodKey(loyalty.PeriodWeek, time.Now().UTC().Format(time.DateOnly)), loyalty.ScopeAll, 10); err != nil {
		t.Fatal(err)
	} else {
		for _, s := range got {
			if s.Points <= 0 {
				t.Errorf("standing %+v without points gained", s)
			}
		}
	}
	wantReputation(t, f.b, f.bob, 1)
}

// loyaltyBadgesAwardedOnceWithHighlight: a badge is held once, counted
// once; the highest badge is highlighted unless the holder chose one;
// Champion sets the VIP mark and revoking it clears it.
func loyaltyBadgesAwardedOnceWithHighlight(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newLoyaltyFixture(t, open)
	award := func(u *townhall.User, badge string) bool {
		t.Helper()
		ok, err := f.s.AwardBadge(ctx, &loyalty.Award{ID: townhall.NewID(), UserID: u.ID, Badge: badge, At: f.tick()})
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	user := func(u *townhall.User) *townhall.User {
		t.Helper()
		got, err := f.b.User(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if !award(f.bob, loyalty.FirstPost) || award(f.bob, loyalty.FirstPost) {
		t.Fatal("First Post: want awarded once, then not again")
	}
	if got := user(f.bob).Badge; got != loyalty.FirstPost {
		t.Fatalf("highlight = %q, want first-post", got)
	}
	award(f.bob, loyalty.ProblemSolver)
	award(f.bob, loyalty.HelpfulBadge)
	if got := user(f.bob).Badge; got != loyalty.ProblemSolver {
		t.Fatalf("highlight = %q, want the silver problem-solver", got)
	}
	award(f.ann, loyalty.FirstPost)
	counts, err := f.s.BadgeCounts(ctx)
	if err != nil || counts[loyalty.FirstPost] != 2 || counts[loyalty.ProblemSolver] != 1 || counts[loyalty.Guru] != 0 {
		t.Fatalf("counts = %v (%v)", counts, err)
	}
	held, err := f.s.UserBadges(ctx, f.bob.ID)
	if err != nil || len(held) != 3 || held[0].Badge != loyalty.FirstPost || held[2].Badge != loyalty.HelpfulBadge {
		t.Fatalf("bob's badges = %v (%v); want three, oldest first", held, err)
	}
	holders, err := f.s.BadgeHolders(ctx, loyalty.FirstPost, "", 1)
	if err != nil || len(holders) != 1 || holders[0].Handle != "ann" {
		t.Fatalf("first holders page = %v (%v); want ann, the newest", holders, err)
	}
	holders, err = f.s.BadgeHolders(ctx, loyalty.FirstPost, holders[0].ID, 5)
	if err != nil || len(holders) != 1 || holders[0].Handle != "bob" || holders[0].Name == "" {
		t.Fatalf("second holders page = %v (%v); want bob", holders, err)
	}
	// A chosen highlight stays through later awards; "" goes back to the highest.
	if err := f.s.SetHighlight(ctx, f.bob.ID, loyalty.HelpfulBadge); err != nil {
		t.Fatal(err)
	}
	award(f.bob, loyalty.Guru)
	if got := user(f.bob).Badge; got != loyalty.HelpfulBadge {
		t.Fatalf("highlight = %q after a chosen one and a new award, want helpful", got)
	}
	WantErr(t, f.s.SetHighlight(ctx, f.bob.ID, loyalty.Champion), loyalty.ErrBadgeNotHeld)
	if err := f.s.SetHighlight(ctx, f.bob.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got := user(f.bob).Badge; got != loyalty.Guru {
		t.Fatalf("highlight = %q, want the gold guru", got)
	}
	if p, err := f.s.Profile(ctx, f.bob.ID); err != nil || p.BadgeChosen {
		t.Fatalf("profile = %+v (%v); want the highlight not chosen", p, err)
	}
	// Champion: the VIP mark, and the highest highlight.
	ok, err := f.s.AwardBadge(ctx, &loyalty.Award{ID: townhall.NewID(), UserID: f.ann.ID, Badge: loyalty.Champion, At: f.tick(), GrantedBy: f.bob.ID})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if u := user(f.ann); !u.Champion || u.Badge != loyalty.Champion {
		t.Fatalf("ann after Champion: champion %v, badge %q", u.Champion, u.Badge)
	}
	if held, _ := f.s.UserBadges(ctx, f.ann.ID); held[len(held)-1].GrantedBy != f.bob.ID {
		t.Fatalf("granted by = %q", held[len(held)-1].GrantedBy)
	}
	if ok, err := f.s.RevokeBadge(ctx, f.ann.ID, loyalty.Champion); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if ok, err := f.s.RevokeBadge(ctx, f.ann.ID, loyalty.Champion); err != nil || ok {
		t.Fatalf("revoking again: %v, %v; want nothing revoked", ok, err)
	}
	if u := user(f.ann); u.Champion || u.Badge != loyalty.FirstPost {
		t.Fatalf("ann after revoking: champion %v, badge %q", u.Champion, u.Badge)
	}
	if counts, _ := f.s.BadgeCounts(ctx); counts[loyalty.Champion] != 0 {
		t.Fatalf("champion holders = %d after revoking", counts[loyalty.Champion])
	}
}

// loyaltyBadgeFactsCountTheRules: the facts badge rules read.
func loyaltyBadgeFactsCountTheRules(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newLoyaltyFixture(t, open)
	cy := MustSignIn(t, f.b, "cy", "")
	rs := As[reviews.Store](t, f.b)
	p := mustProduct(t, rs, "Acme Router", "acme-router")
	r := mustReview(t, rs, p.ID, f.bob.ID, 5)
	for _, u := range []*townhall.User{f.ann, cy} {
		if _, _, err := rs.AddHelpful(ctx, r.ID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	for k := range 3 {
		th, _ := f.newThread(t, f.cat, f.ann, fmt.Sprintf("Question %d", k))
		a := f.newReply(t, th.ID, f.bob, "answer")
		if err := f.forum.AcceptAnswer(ctx, th.ID, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	own, _ := f.newThread(t, f.cat, f.bob, "Self-answered")
	if err := f.forum.AcceptAnswer(ctx, own.ID, f.newReply(t, own.ID, f.bob, "mine").ID); err != nil {
		t.Fatal(err)
	}
	team := MustSignIn(t, f.b, "team", townhall.RoleProduct)
	if err := f.ideas.ChangeStatus(ctx, &ideas.StatusChange{ID: townhall.NewID(), IdeaID: f.idea.ID, To: ideas.StatusDone, ActorID: team.ID, At: Now()}); err != nil {
		t.Fatal(err)
	}
	facts, err := f.s.BadgeFacts(ctx, loyalty.FactsQuery{UserIDs: []string{f.ann.ID, f.bob.ID, cy.ID}})
	if err != nil || len(facts) != 3 {
		t.Fatalf("facts = %v (%v)", facts, err)
	}
	by := map[string]loyalty.Facts{}
	for _, x := range facts {
		by[x.UserID] = x
	}
	if a := by[f.ann.ID]; a.Posts != 1 || a.Accepted != 0 || a.Shipped != 1 || a.CreatedAt.IsZero() {
		t.Errorf("ann's facts = %+v; want a post and a shipped idea", a)
	}
	if b := by[f.bob.ID]; b.Posts != 1 || b.Accepted != 3 || b.Helpful != 2 || b.Shipped != 0 {
		t.Errorf("bob's facts = %+v; want 3 answers in others' questions and 2 helpful votes", b)
	}
	if c := by[cy.ID]; c.Posts != 0 || c.Accepted != 0 || c.Helpful != 0 {
		t.Errorf("cy's facts = %+v; want none", c)
	}
	// Paging over everyone, in id order.
	var seen []string
	after := ""
	for {
		page, err := f.s.BadgeFacts(ctx, loyalty.FactsQuery{After: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range page {
			seen = append(seen, x.UserID)
		}
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1].UserID
	}
	if len(seen) != 4 || !slices.IsSorted(seen) {
		t.Fatalf("paged facts for %v; want the 4 people in id order", seen)
	}
}

// loyaltyConcurrentAwardsCountOnce: the same award raced from many
// goroutines is held once and counted once.
func loyaltyConcurrentAwardsCountOnce(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newLoyaltyFixture(t, open)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 8 {
		wg.Go(func() {
			ok, err := f.s.AwardBadge(ctx, &loyalty.Award{ID: townhall.NewID(), UserID: f.bob.ID, Badge: loyalty.FirstPost, At: Now()})
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	counts, err := f.s.BadgeCounts(ctx)
	if err != nil || won != 1 || counts[loyalty.FirstPost] != 1 {
		t.Fatalf("%d awards won, %d counted (%v); want exactly 1", won, counts[loyalty.FirstPost], err)
	}
}

// loyaltyProfileTabsListOnlyVisibleContent: each tab pages a person's own
// visible content, newest first; hidden, merged and deleted items never show.
func loyaltyProfileTabsListOnlyVisibleContent(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newLoyaltyFixture(t, open)
	tab := func(u *townhall.User, name string) []string {
		t.Helper()
		var out []string
		after := ""
		for {
			page, err := f.s.Activity(ctx, loyalty.ActivityQuery{UserID: u.ID, Tab: name, After: after, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range page {
				out = append(out, a.Title)
				if a.Kind != name || a.Source == "" && name != loyalty.TabIdeas || a.At.IsZero() {
					t.Errorf("%s item %+v incomplete", name, a)
				}
			}
			if len(page) < 2 {
				return out
			}
			after = page[len(page)-1].ID
		}
	}
	t2, _ := f.newThread(t, f.cat, f.ann, "Second question")
	t3, _ := f.newThread(t, f.cat, f.ann, "Spam question")
	if err := f.forum.SetThreadHidden(ctx, t3.ID, true); err != nil {
		t.Fatal(err)
	}
	r2 := f.newReply(t, t2.ID, f.bob, "Second answer")
	r3 := f.newReply(t, t2.ID, f.bob, "Rude answer")
	if err := f.forum.SetForumPostHidden(ctx, r3.ID, true); err != nil {
		t.Fatal(err)
	}
	f.newReply(t, t3.ID, f.bob, "Answer in a hidden thread")
	if err := f.forum.AcceptAnswer(ctx, t2.ID, r2.ID); err != nil {
		t.Fatal(err)
	}
	if got := tab(f.ann, loyalty.TabThreads); !slices.Equal(got, []string{"Second question", "How do I export?"}) {
		t.Errorf("ann's threads = %q", got)
	}
	if got := tab(f.bob, loyalty.TabReplies); !slices.Equal(got, []string{"Second question", "How do I export?"}) {
		t.Errorf("bob's replies = %q", got)
	}
	if got := tab(f.bob, loyalty.TabAnswers); !slices.Equal(got, []string{"Second question"}) {
		t.Errorf("bob's answers = %q", got)
	}
	page, _ := f.s.Activity(ctx, loyalty.ActivityQuery{UserID: f.bob.ID, Tab: loyalty.TabReplies, Limit: 5})
	if page[0].ParentID != t2.ID || page[0].Position != 1 || page[0].ID != r2.ID {
		t.Errorf("newest reply = %+v; want r2 at position 1 of t2", page[0])
	}
	hidden := newIdea(t, f.ideas, f.ann, "Hidden idea", Now())
	if _, err := f.ideas.SetIdeaHidden(ctx, hidden.ID, &ideas.Hidden{ByID: f.bob.ID, Reason: "spam", At: Now()}); err != nil {
		t.Fatal(err)
	}
	dup := newIdea(t, f.ideas, f.ann, "Dark theme", Now())
	if _, err := f.ideas.Merge(ctx, dup.ID, f.idea.ID, Now()); err != nil {
		t.Fatal(err)
	}
	newIdea(t, f.ideas, f.ann, "Offline mode", Now())
	if got := tab(f.ann, loyalty.TabIdeas); !slices.Equal(got, []string{"Offline mode", "Dark mode"}) {
		t.Errorf("ann's ideas = %q", got)
	}
	rs := As[reviews.Store](t, f.b)
	p := mustProduct(t, rs, "Acme Router", "acme-router")
	mustReview(t, rs, p.ID, f.bob.ID, 4)
	gone := mustReview(t, rs, mustProduct(t, rs, "Acme Chat", "acme-chat").ID, f.bob.ID, 2)
	if err := rs.DeleteReview(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	if got := tab(f.bob, loyalty.TabReviews); !slices.Equal(got, []string{"Acme Router"}) {
		t.Errorf("bob's reviews = %q", got)
	}
	if page, _ := f.s.Activity(ctx, loyalty.ActivityQuery{UserID: f.bob.ID, Tab: loyalty.TabReviews, Limit: 5}); page[0].Slug != "acme-router" || page[0].Count != 4 {
		t.Errorf("review item = %+v; want the product slug and 4 stars", page[0])
	}
}

// loyaltyProfileKeepsAChosenName: a display name chosen on the profile
// survives the next sign-in; the bio is stored with its HTML.
func loyaltyProfileKeepsAChosenName(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newLoyaltyFixture(t, open)
	if err := f.s.SaveProfile(ctx, f.bob.ID, "Bob the Builder", &loyalty.Profile{Bio: "I *build*", BioHTML: "<p>I <em>build</em></p>"}); err != nil {
		t.Fatal(err)
	}
	again := MustSignIn(t, f.b, "bob", "")
	if again.Name != "Bob the Builder" || again.ID != f.bob.ID {
		t.Fatalf("after signing in again: %q, want the chosen name kept", again.Name)
	}
	p, err := f.s.Profile(ctx, f.bob.ID)
	if err != nil || p.Bio != "I *build*" || p.BioHTML != "<p>I <em>build</em></p>" || !p.NameChosen {
		t.Fatalf("profile = %+v (%v)", p, err)
	}
	// Someone who never chose keeps the provider's name.
	if err := f.s.SaveProfile(ctx, f.ann.ID, f.ann.Name, &loyalty.Profile{Bio: "hi", BioHTML: "<p>hi</p>"}); err != nil {
		t.Fatal(err)
	}
	if p, _ := f.s.Profile(ctx, f.ann.ID); p.NameChosen {
		t.Fatal("saving the same name marked it chosen")
	}
	WantErr(t, f.s.SaveProfile(ctx, townhall.NewID(), "x", &loyalty.Profile{}), loyalty.ErrUserNotFound)
}
