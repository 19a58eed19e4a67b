package storetest

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/ideas"
)

// openIdeas opens a fresh backend for an ideas rule: the backend, its
// ideas.Store and a member, ann, to write ideas as.
func openIdeas(t *testing.T, open Opener) (Backend, ideas.Store, *townhall.User) {
	t.Helper()
	b := open(t)
	return b, As[ideas.Store](t, b), MustSignIn(t, b, "ann", "")
}

// newIdea stores an idea by author at the given time, the way the service does.
func newIdea(t *testing.T, s ideas.Store, author *townhall.User, title string, at time.Time, tags ...string) *ideas.Idea {
	t.Helper()
	if tags == nil {
		tags = []string{}
	}
	i := &ideas.Idea{ID: townhall.NewID(), Title: title, Body: "About " + title, BodyHTML: template.HTML("<p>About " + title + "</p>"),
		Tags: tags, Status: ideas.StatusOpen, AuthorID: author.ID, CreatedAt: at, UpdatedAt: at}
	if err := s.CreateIdea(context.Background(), i, ideas.TitleWords(title)); err != nil {
		t.Fatalf("create %q: %v", title, err)
	}
	return i
}

func mustIdea(t *testing.T, s ideas.Store, id, viewer string) *ideas.Idea {
	t.Helper()
	i, err := s.Idea(context.Background(), id, viewer)
	if err != nil {
		t.Fatalf("idea %s: %v", id, err)
	}
	return i
}

func ids(items []*ideas.Idea) []string {
	out := make([]string, len(items))
	for k, i := range items {
		out[k] = i.Title
	}
	return out
}

func wantTitles(t *testing.T, what string, items []*ideas.Idea, want ...string) {
	t.Helper()
	got := ids(items)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}

// lastChangeFor reports whether the change feed's newest entries include kind/id.
func changedSince(t *testing.T, b Backend, after int64, id string) bool {
	t.Helper()
	cs, err := b.Changes(context.Background(), after, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Kind == townhall.KindIdea && c.ID == id {
			return true
		}
	}
	return false
}

func lastSeq(t *testing.T, b Backend) int64 {
	t.Helper()
	cs, err := b.Changes(context.Background(), 0, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) == 0 {
		return 0
	}
	return cs[len(cs)-1].Seq
}

// ideaCases are the ideas rules of the contract, each run on a fresh backend.
var ideaCases = []Case{
	{"CreateCountsTheAuthorsVote", ideasCreateCountsTheAuthorsVote},
	{"VoteIsIdempotent", ideasVoteIsIdempotent},
	{"VotersAfterPagesInUserOrder", ideasVotersAfterPages},
	{"VotedAmongIsTheViewersVotes", ideasVotedAmong},
	{"ConcurrentVotersCountExactly", ideasConcurrentVotersCountExactly},
	{"BoardSortsFiltersAndPages", ideasBoardSortsFiltersAndPages},
	{"TrendFollowsVotes", ideasTrendFollowsVotes},
	{"StatusChangesKeepHistory", ideasStatusChangesKeepHistory},
	{"TeamCommentsAnswer", ideasTeamCommentsAnswer},
	{"MergeMovesVotesOnce", ideasMergeMovesVotesOnce},
	{"TriageWeighsDemand", ideasTriageWeighsDemand},
	{"SimilarByTitleWords", ideasSimilarByTitleWords},
}

// ideasCreateCountsTheAuthorsVote: create counts the author's vote and feeds search.
func ideasCreateCountsTheAuthorsVote(t *testing.T, open Opener) {
	ctx := context.Background()
	now := Now()
	b, s, ann := openIdeas(t, open)
	bob := MustSignIn(t, b, "bob", "")
	i := newIdea(t, s, ann, "Dark mode for the dashboard", now, "ui", "dark-mode")
	got := mustIdea(t, s, i.ID, ann.ID)
	if got.Votes != 1 || !got.Voted || got.Comments != 0 || got.Status != ideas.StatusOpen || got.AuthorName != "ann" ||
		fmt.Sprint(got.Tags) != "[ui dark-mode]" || got.Trend <= 0 || !got.CreatedAt.Equal(now) || got.Merged() {
		t.Fatalf("created idea = %+v", got)
	}
	if other := mustIdea(t, s, i.ID, bob.ID); other.Voted {
		t.Fatal("another viewer sees the author's vote as their own")
	}
	if !changedSince(t, b, 0, i.ID) {
		t.Fatal("creating an idea recorded no search change")
	}
	doc, err := b.SearchDocument(ctx, townhall.KindIdea, i.ID)
	if err != nil || !doc.Visible || doc.Title != i.Title || doc.Body != i.Body || doc.Status != "open" ||
		doc.Author != "ann" || doc.AuthorID != ann.ID || doc.URL != "/ideas/"+i.ID || fmt.Sprint(doc.Tags) != "[ui dark-mode]" || !doc.Created.Equal(now) {
		t.Fatalf("search doc = %+v, %v", doc, err)
	}
	missing, err := b.SearchDocument(ctx, townhall.KindIdea, townhall.NewID())
	if err != nil || missing.Visible {
		t.Fatalf("missing idea doc = %+v, %v; want invisible", missing, err)
	}
	_, err = s.Idea(ctx, townhall.NewID(), "")
	WantErr(t, err, ideas.ErrNotFound)
	tags, err := s.PopularTags(ctx, 10)
	if err != nil || len(tags) != 2 || tags[0].Ideas != 1 {
		t.Fatalf("popular tags = %v, %v", tags, err)
	}
}

// ideasVoteIsIdempotent: vote and unvote are idempotent and exact.
func ideasVoteIsIdempotent(t *testing.T, open Opener) {
	ctx := context.Background()
	now := Now()
	b, s, ann := openIdeas(t, open)
	bob := MustSignIn(t, b, "bob", "")
	i := newIdea(t, s, ann, "Export to CSV", now, "export")
	steps := []struct {
		vote    bool
		user    *townhall.User
		changed bool
		votes   int
	}{
		{true, bob, true, 2},
		{true, bob, false, 2},
		{false, bob, true, 1},
		{false, bob, false, 1},
		{false, ann, true, 0},
		{false, ann, false, 0},
		{true, ann, true, 1},
	}
	for k, st := range steps {
		var changed bool
		var err error
		if st.vote {
			changed, err = s.Vote(ctx, i.ID, st.user.ID, now.Add(time.Duration(k)*time.Hour))
		} else {
			changed, err = s.Unvote(ctx, i.ID, st.user.ID)
		}
		if err != nil || changed != st.changed {
			t.Fatalf("step %d: changed=%v err=%v, want %v", k, changed, err, st.changed)
		}
		got := mustIdea(t, s, i.ID, st.user.ID)
		if got.Votes != st.votes || got.Voted != st.vote {
			t.Fatalf("step %d: votes=%d voted=%v, want %d %v", k, got.Votes, got.Voted, st.votes, st.vote)
		}
		// The tag page reads copies of the sort keys; they must follow.
		tagged, _ := s.Ideas(ctx, ideas.Query{Sort: ideas.SortTop, Tag: "export", Limit: 5})
		if len(tagged) != 1 || tagged[0].Votes != st.votes {
			t.Fatalf("step %d: tag listing = %v", k, tagged)
		}
	}
	if _, err := s.Unvote(ctx, i.ID, ann.ID); err != nil {
		t.Fatal(err)
	}
	if got := mustIdea(t, s, i.ID, ""); got.Votes != 0 || got.Trend != 0 {
		t.Fatalf("no votes left: votes=%d trend=%v, want 0 and 0", got.Votes, got.Trend)
	}
	_, err := s.Vote(ctx, townhall.NewID(), bob.ID, now)
	WantErr(t, err, ideas.ErrNotFound)
	_, err = s.Unvote(ctx, townhall.NewID(), bob.ID)
	WantErr(t, err, ideas.ErrNotFound)
	_, err = s.Vote(ctx, i.ID, townhall.NewID(), now)
	WantErr(t, err, auth.ErrUserNotFound)
}

// ideasConcurrentVotersCountExactly: concurrent voting and unvoting keeps exact counts.
func ideasConcurrentVotersCountExactly(t *testing.T, open Opener) {
	ctx := context.Background()
	now := Now()
	b := open(t)
	s := As[ideas.Store](t, b)
	author := MustSignIn(t, b, "author", "")
	seg := &townhall.Segment{ID: townhall.NewID(), Name: "Pro", Weight: 3}
	if err := b.SaveSegment(ctx, seg); err != nil {
		t.Fatal(err)
	}
	i := newIdea(t, s, author, "Webhooks for every event", now, "api")
	const users = 24
	var voters []*townhall.User
	for k := range users {
		u := MustSignIn(t, b, fmt.Sprintf("voter%d", k), "")
		if k%2 == 0 {
			if err := b.SetUserSegment(ctx, u.ID, seg.ID); err != nil {
				t.Fatal(err)
			}
		}
		voters = append(voters, u)
	}
	// Two more users race themselves: one votes from six goroutines at
	// once, the other (who had voted) unvotes from six at once.
	twinVote := MustSignIn(t, b, "twin-vote", "")
	twinUnvote := MustSignIn(t, b, "twin-unvote", "")
	if _, err := s.Vote(ctx, i.ID, twinUnvote.ID, now); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for k, u := range voters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(k), 7))
			for n := range 12 {
				var err error
				// Random steps, then a last step known in advance: every
				// third user ends unvoted.
				vote := r.IntN(2) == 0
				if n == 11 {
					vote = k%3 != 0
				}
				if vote {
					_, err = s.Vote(ctx, i.ID, u.ID, now.Add(time.Duration(n)*time.Minute))
				} else {
					_, err = s.Unvote(ctx, i.ID, u.ID)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 6 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 10 {
				if _, err := s.Vote(ctx, i.ID, twinVote.ID, now); err != nil {
					t.Error(err)
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range 10 {
				if _, err := s.Unvote(ctx, i.ID, twinUnvote.ID); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	want := 2 // the author and twin-vote
	for k := range voters {
		if k%3 != 0 {
			want++
		}
	}
	voters = append(voters, twinVote, twinUnvote)
	got := mustIdea(t, s, i.ID, "")
	if got.Votes != want {
		t.Fatalf("votes = %d, want exactly %d", got.Votes, want)
	}
	counted := 0
	for _, u := range append(voters, author) {
		page, err := s.Ideas(ctx, ideas.Query{Sort: ideas.SortNew, VoterID: u.ID, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		counted += len(page)
	}
	demand, err := s.Demand(ctx, i.ID)
	if err != nil {
		t.Fatal(err)
	}
	bySegments := 0
	for _, d := range demand {
		if d.Votes <= 0 {
			t.Fatalf("segment counter %+v not positive", d)
		}
		bySegments += d.Votes
	}
	if counted != want || bySegments != want {
		t.Fatalf("votes %d, vote rows %d, segment counters %d: all must agree", want, counted, bySegments)
	}
	tagged, _ := s.Ideas(ctx, ideas.Query{Sort: ideas.SortTop, Tag: "api", Limit: 5})
	if len(tagged) != 1 || tagged[0].Votes != want {
		t.Fatalf("tag copy of votes = %v, want %d", tagged, want)
	}
}

// ideasBoardSortsFiltersAndPages: board sorts, filters and pages.
func ideasBoardSortsFiltersAndPages(t *testing.T, open Opener) {
	ctx := context.Background()
	now := Now()
	b, s, ann := openIdeas(t, open)
	var us []*townhall.User
	for k := range 4 {
		us = append(us, MustSignIn(t, b, fmt.Sprintf("u%d", k), ""))
	}
	old := now.Add(-90 * 24 * time.Hour)
	a := newIdea(t, s, ann, "Old favourite", old, "api")
	bb := newIdea(t, s, ann, "Recent buzz", now.Add(-time.Hour), "api", "ui")
	c := newIdea(t, s, ann, "Quiet one", now.Add(-2*time.Hour), "ui")
	for k, u := range us {
		if _, err := s.Vote(ctx, a.ID, u.ID, old.Add(time.Duration(k)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range us[:2] {
		if _, err := s.Vote(ctx, bb.ID, u.ID, now); err != nil {
			t.Fatal(err)
		}
	}
	list := func(q ideas.Query) []*ideas.Idea {
		t.Helper()
		if q.Limit == 0 {
			q.Limit = 10
		}
		items, err := s.Ideas(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
	wantTitles(t, "top", list(ideas.Query{Sort: ideas.SortTop}), "Old favourite", "Recent buzz", "Quiet one")
	// "new" is creation order, which ids keep.
	wantTitles(t, "new", list(ideas.Query{Sort: ideas.SortNew}), "Quiet one", "Recent buzz", "Old favourite")
	// Five votes 90 days ago weigh less than one vote two hours ago.
	wantTitles(t, "trending", list(ideas.Query{Sort: ideas.SortTrending}), "Recent buzz", "Quiet one", "Old favourite")
	wantTitles(t, "tag api top", list(ideas.Query{Sort: ideas.SortTop, Tag: "api"}), "Old favourite", "Recent buzz")
	wantTitles(t, "tag ui new", list(ideas.Query{Sort: ideas.SortNew, Tag: "ui"}), "Quiet one", "Recent buzz")
	wantTitles(t, "no such tag", list(ideas.Query{Sort: ideas.SortTop, Tag: "nope"}))
	ch := &ideas.StatusChange{ID: townhall.NewID(), IdeaID: c.ID, From: ideas.StatusOpen, To: ideas.StatusPlanned, ActorID: ann.ID, At: now,
		Response: "On the roadmap", ResponseHTML: "<p>On the roadmap</p>"}
	if err := s.ChangeStatus(ctx, ch); err != nil {
		t.Fatal(err)
	}
	// Cards are the same ideas, in the same order, without their texts.
	for _, q := range []ideas.Query{{Sort: ideas.SortTop, ViewerID: us[0].ID}, {Sort: ideas.SortNew, Tag: "ui"}, {Sort: ideas.SortNew, AuthorID: ann.ID}} {
		full := list(q)
		q.Cards = true
		cards := list(q)
		if len(cards) != len(full) || len(full) == 0 {
			t.Fatalf("%+v: %d cards for %d ideas", q, len(cards), len(full))
		}
		for k, f := range full {
			cd := cards[k]
			if f.Body == "" || f.BodyHTML == "" {
				t.Fatalf("%+v: the full listing lost %q's body", q, f.Title)
			}
			if cd.Body != "" || cd.BodyHTML != "" || cd.Response != nil {
				t.Fatalf("%+v: card %q carries body %q, html %q, response %+v", q, cd.Title, cd.Body, cd.BodyHTML, cd.Response)
			}
			if cd.ID != f.ID || cd.Title != f.Title || cd.Votes != f.Votes || cd.Comments != f.Comments || cd.Status != f.Status ||
				cd.Voted != f.Voted || cd.AuthorName != f.AuthorName || fmt.Sprint(cd.Tags) != fmt.Sprint(f.Tags) || !cd.CreatedAt.Equal(f.CreatedAt) {
				t.Fatalf("%+v: card %+v differs from its idea %+v", q, cd, f)
			}
		}
	}
	if got := mustIdea(t, s, c.ID, ""); got.Response == nil || got.Response.Body != "On the roadmap" {
		t.Fatalf("the planned idea's response = %+v", got.Response)
	}
	wantTitles(t, "planned", list(ideas.Query{Sort: ideas.SortTop, Status: ideas.StatusPlanned}), "Quiet one")
	wantTitles(t, "planned ui", list(ideas.Query{Sort: ideas.SortTrending, Status: ideas.StatusPlanned, Tag: "ui"}), "Quiet one")
	wantTitles(t, "open ui", list(ideas.Query{Sort: ideas.SortNew, Status: ideas.StatusOpen, Tag: "ui"}), "Recent buzz")
	// Walking every sort two at a time visits each idea exactly once.
	for _, sortBy := range ideas.Sorts {
		for _, tag := range []string{"", "ui"} {
			var seen []string
			q := ideas.Query{Sort: sortBy, Tag: tag, Limit: 2}
			for range 5 {
				page := list(q)
				seen = append(seen, ids(page)...)
				if len(page) < 2 {
					break
				}
				last := page[len(page)-1]
				q.After = &ideas.Cursor{ID: last.ID, Key: map[string]float64{ideas.SortTop: float64(last.Votes), ideas.SortTrending: last.Trend}[sortBy]}
			}
			want := map[string]int{"": 3, "ui": 2}[tag]
			if len(seen) != want || len(map[string]bool{seen[0]: true, seen[len(seen)-1]: true}) != min(2, want) {
				t.Fatalf("paging %s tag=%q saw %v", sortBy, tag, seen)
			}
		}
	}
	wantTitles(t, "mine", list(ideas.Query{Sort: ideas.SortNew, AuthorID: ann.ID}), "Quiet one", "Recent buzz", "Old favourite")
	mine := list(ideas.Query{Sort: ideas.SortNew, AuthorID: ann.ID, Limit: 1})
	wantTitles(t, "mine page 2", list(ideas.Query{Sort: ideas.SortNew, AuthorID: ann.ID, After: &ideas.Cursor{ID: mine[0].ID}}), "Recent buzz", "Old favourite")
	voted := list(ideas.Query{Sort: ideas.SortNew, VoterID: us[0].ID, ViewerID: us[0].ID})
	wantTitles(t, "voted", voted, "Recent buzz", "Old favourite")
	if !voted[0].Voted || !voted[1].Voted {
		t.Fatal("ideas I voted for do not show my vote")
	}
}

// ideasTrendFollowsVotes: trend score follows votes exactly.
func ideasTrendFollowsVotes(t *testing.T, open Opener) {
	ctx := context.Background()
	now := Now()
	b, s, ann := openIdeas(t, open)
	i := newIdea(t, s, ann, "Trend maths", now)
	var us []*townhall.User
	want := ideas.TrendExponent(now)
	for k := range 5 {
		u := MustSignIn(t, b, fmt.Sprintf("t%d", k), "")
		us = append(us, u)
		at := now.Add(time.Duration(k-2) * 24 * time.Hour)
		if _, err := s.Vote(ctx, i.ID, u.ID, at); err != nil {
			t.Fatal(err)
		}
		want = ideas.TrendAdd(want, ideas.TrendExponent(at))
	}
	if got := mustIdea(t, s, i.ID, "").Trend; math.Abs(got-want) > 1e-9 {
		t.Fatalf("trend %v, want %v", got, want)
	}
	// Removing the newest vote (the biggest share) and then all but the
	// author's must land back on the author's vote alone.
	for k := len(us) - 1; k >= 0; k-- {
		if _, err := s.Unvote(ctx, i.ID, us[k].ID); err != nil {
			t.Fatal(err)
		}
	}
	if got := mustIdea(t, s, i.ID, "").Trend; math.Abs(got-ideas.TrendExponent(now)) > 1e-9 {
		t.Fatalf("trend after unvotes %v, want %v", got, ideas.TrendExponent(now))
	}
}

// ideasStatusChangesKeepHistory: status changes keep history and responses.
func ideasStatusChangesKeepHistory(t *testing.T, open Opener) {
	ctx := context.Background()
	now := Now()
	b, s, ann := openIdeas(t, open)
	pat := MustSignIn(t, b, "pat", townhall.RoleProduct)
	i := newIdea(t, s, ann, "SSO with SAML", now)
	before := lastSeq(t, b)
	changes := []*ideas.StatusChange{
		{ID: townhall.NewID(), IdeaID: i.ID, From: ideas.StatusOpen, To: ideas.StatusUnderReview, Reason: "Looking into it", ActorID: pat.ID, At: now.Add(time.Hour)},
		{ID: townhall.NewID(), IdeaID: i.ID, From: ideas.StatusUnderReview, To: ideas.StatusPlanned, Response: "Coming in Q3", ResponseHTML: "<p>Coming in Q3</p>", ActorID: pat.ID, At: now.Add(2 * time.Hour)},
	}
	for _, ch := range changes {
		if err := s.ChangeStatus(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	got := mustIdea(t, s, i.ID, "")
	if got.Status != ideas.StatusPlanned || got.Response == nil || got.Response.Body != "Coming in Q3" ||
		got.Response.AuthorName != "pat" || !got.Response.At.Equal(now.Add(2*time.Hour)) ||
		!got.StatusAt.Equal(now.Add(2*time.Hour)) || !got.RespondedAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("after status changes: %+v (response %+v)", got, got.Response)
	}
	hist, err := s.StatusHistory(ctx, i.ID)
	if err != nil || len(hist) != 2 || hist[0].To != ideas.StatusUnderReview || hist[0].Reason != "Looking into it" ||
		hist[0].ActorName != "pat" || hist[1].ResponseHTML != "<p>Coming in Q3</p>" || !hist[1].At.Equal(now.Add(2*time.Hour)) {
		t.Fatalf("history = %+v, %v", hist, err)
	}
	if !changedSince(t, b, before, i.ID) {
		t.Fatal("a status change recorded no search change")
	}
	if doc, _ := b.SearchDocument(ctx, townhall.KindIdea, i.ID); doc.Status != "planned" {
		t.Fatalf("search doc status %q", doc.Status)
	}
	WantErr(t, s.ChangeStatus(ctx, &ideas.StatusChange{ID: townhall.NewID(), IdeaID: townhall.NewID(), To: ideas.StatusDone, ActorID: pat.ID, At: now}), ideas.ErrNotFound)
	if hist, _ := s.StatusHistory(ctx, i.ID); len(hist) != 2 {
		t.Fatal("a failed change wrote history")
	}
}

// ideasTeamCommentsAnswer: comments count and team comments answer.
func ideasTeamCommentsAnswer(t *testing.T, open Opener) {
	ctx := context.Background()
	now := Now()
	b, s, ann := openIdeas(t, open)
	pat := MustSignIn(t, b, "pat", townhall.RoleProduct)
	i := newIdea(t, s, ann, "Keyboard shortcuts", now)
	add := func(u *townhall.User, team bool, body string, at time.Time) *ideas.Comment {
		c := &ideas.Comment{ID: townhall.NewID(), IdeaID: i.ID, AuthorID: u.ID, Team: team, Body: body, BodyHTML: "<p>" + "x" + "</p>", CreatedAt: at}
		if err := s.AddComment(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	first := add(ann, false, "me too", now)
	if got := mustIdea(t, s, i.ID, ""); got.Comments != 1 || !got.RespondedAt.IsZero() {
		t.Fatalf("after a customer comment: %+v", got)
	}
	add(pat, true, "thanks!", now.Add(time.Minute))
	add(ann, false, "third", now.Add(2*time.Minute))
	got := mustIdea(t, s, i.ID, "")
	if got.Comments != 3 || !got.RespondedAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("after a team comment: comments=%d responded=%v", got.Comments, got.RespondedAt)
	}
	cs, err := s.Comments(ctx, i.ID, "", 2, false)
	if err != nil || len(cs) != 2 || cs[0].Body != "me too" || cs[0].AuthorName != "ann" || !cs[1].Team {
		t.Fatalf("comments page 1 = %v, %v", cs, err)
	}
	rest, err := s.Comments(ctx, i.ID, cs[1].ID, 2, false)
	if err != nil || len(rest) != 1 || rest[0].Body != "third" {
		t.Fatalf("comments page 2 = %v, %v", rest, err)
	}
	WantErr(t, s.AddComment(ctx, &ideas.Comment{ID: townhall.NewID(), IdeaID: townhall.NewID(), AuthorID: ann.ID, Body: "x", CreatedAt: now}), ideas.ErrNotFound)
	followers, err := s.Followers(ctx, i.ID)
	if err != nil || len(followers) != 2 {
		t.Fatalf("followers = %v, %v; want ann and pat", followers, err)
	}
	_ = first
}

// ideasMergeMovesVotesOnce: merge moves votes and comments once and is idempotent.
func ideasMergeMovesVotesOnce(t *testing.T, open Opener) {
	ctx := context.Background()
	now := Now()
	b, s, ann := openIdeas(t, open)
	bob := MustSignIn(t, b, "bob", "")
	cat := MustSignIn(t, b, "cat", "")
	dan := MustSignIn(t, b, "dan", "")
	mustSegment(t, b, "Enterprise", 10, cat)
	target := newIdea(t, s, ann, "Dark mode", now, "ui")
	dup := newIdea(t, s, bob, "Night theme please", now.Add(time.Minute), "ui", "theme")
	older := newIdea(t, s, dan, "Black background", now.Add(2*time.Minute))
	// bob voted for both (counts once), cat only for the duplicate.
	for _, v := range []struct{ idea, user string }{{target.ID, bob.ID}, {dup.ID, cat.ID}} {
		if _, err := s.Vote(ctx, v.idea, v.user, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	c := &ideas.Comment{ID: townhall.NewID(), IdeaID: dup.ID, AuthorID: cat.ID, Body: "Yes!", BodyHTML: "<p>Yes!</p>", CreatedAt: now}
	if err := s.AddComment(ctx, c); err != nil {
		t.Fatal(err)
	}
	// An idea merged into the duplicate earlier must follow it.
	if merged, err := s.Merge(ctx, older.ID, dup.ID, now); err != nil || !merged {
		t.Fatalf("first merge: %v %v", merged, err)
	}
	before := lastSeq(t, b)
	merged, err := s.Merge(ctx, dup.ID, target.ID, now.Add(2*time.Hour))
	if err != nil || !merged {
		t.Fatalf("merge: %v %v", merged, err)
	}
	check := func() {
		t.Helper()
		got := mustIdea(t, s, target.ID, "")
		// ann, bob (once), cat, dan (moved twice)
		if got.Votes != 4 || got.Comments != 1 {
			t.Fatalf("target votes=%d comments=%d, want 4 and 1", got.Votes, got.Comments)
		}
		d := mustIdea(t, s, dup.ID, cat.ID)
		if d.MergedInto != target.ID || d.MergedIntoTitle != "Dark mode" || d.Votes != 0 || d.Voted {
			t.Fatalf("duplicate = %+v", d)
		}
		if o := mustIdea(t, s, older.ID, ""); o.MergedInto != target.ID {
			t.Fatalf("earlier duplicate points at %q, want the final target", o.MergedInto)
		}
		if !mustIdea(t, s, target.ID, cat.ID).Voted {
			t.Fatal("cat's vote did not move")
		}
		cs, _ := s.Comments(ctx, target.ID, "", 10, false)
		if len(cs) != 1 || cs[0].MergedFrom != dup.ID || cs[0].MergedFromTitle != "Night theme please" {
			t.Fatalf("moved comments = %+v", cs)
		}
		board, _ := s.Ideas(ctx, ideas.Query{Sort: ideas.SortNew, Limit: 10})
		if len(board) == 0 || board[len(board)-1].ID != target.ID || len(board) > 2 {
			t.Fatalf("board after merge = %q; want the target (and later ideas) only", ids(board))
		}
		tagged, _ := s.Ideas(ctx, ideas.Query{Sort: ideas.SortTop, Tag: "theme", Limit: 10})
		wantTitles(t, "merged idea's tag", tagged)
		tags, _ := s.PopularTags(ctx, 10)
		if len(tags) != 1 || tags[0] != (ideas.TagCount{Tag: "ui", Ideas: 1}) {
			t.Fatalf("tag counts after merge = %v", tags)
		}
		demand, _ := s.Demand(ctx, target.ID)
		total, weighted := 0, 0.0
		for _, x := range demand {
			total += x.Votes
			weighted += x.Weighted()
		}
		if total != 4 || weighted != 13 {
			t.Fatalf("demand = %+v; want 4 votes weighing 13", demand)
		}
		from, _ := s.MergedFrom(ctx, target.ID)
		if len(from) != 2 {
			t.Fatalf("merged from = %v", from)
		}
		similar, _ := s.Similar(ctx, []string{"night", "theme"}, "", 5)
		wantTitles(t, "similar after merge", similar)
	}
	check()
	if !changedSince(t, b, before, dup.ID) || !changedSince(t, b, before, target.ID) {
		t.Fatal("merge recorded no search changes")
	}
	if doc, _ := b.SearchDocument(ctx, townhall.KindIdea, dup.ID); doc.Visible {
		t.Fatal("merged idea still visible to search")
	}
	again, err := s.Merge(ctx, dup.ID, target.ID, now.Add(3*time.Hour))
	if err != nil || again {
		t.Fatalf("re-running the merge: merged=%v err=%v; want a no-op", again, err)
	}
	check()
	other := newIdea(t, s, ann, "Something else", now)
	_, err = s.Merge(ctx, dup.ID, other.ID, now)
	WantErr(t, err, ideas.ErrAlreadyMerged)
	_, err = s.Merge(ctx, other.ID, dup.ID, now)
	WantErr(t, err, ideas.ErrTargetMerged(dup.Title))
	_, err = s.Merge(ctx, other.ID, townhall.NewID(), now)
	WantErr(t, err, ideas.ErrMergeTargetNotFound)
	_, err = s.Vote(ctx, dup.ID, dan.ID, now)
	WantErr(t, err, ideas.ErrMerged)
	WantErr(t, s.AddComment(ctx, &ideas.Comment{ID: townhall.NewID(), IdeaID: dup.ID, AuthorID: ann.ID, Body: "x", CreatedAt: now}), ideas.ErrMerged)
	WantErr(t, s.ChangeStatus(ctx, &ideas.StatusChange{ID: townhall.NewID(), IdeaID: dup.ID, To: ideas.StatusDone, ActorID: ann.ID, At: now}), ideas.ErrMerged)
	check()
}

// ideasTriageWeighsDemand: triage, weighted demand and export.
func ideasTriageWeighsDemand(t *testing.T, open Opener) {
	ctx := context.Background()
	now := Now()
	b, s, ann := openIdeas(t, open)
	pat := MustSignIn(t, b, "pat", townhall.RoleProduct)
	big := &townhall.Segment{ID: townhall.NewID(), Name: "Enterprise", Weight: 10}
	if err := b.SaveSegment(ctx, big); err != nil {
		t.Fatal(err)
	}
	ent := MustSignIn(t, b, "ent", "")
	if err := b.SetUserSegment(ctx, ent.ID, big.ID); err != nil {
		t.Fatal(err)
	}
	first := newIdea(t, s, ann, "First", now)
	second := newIdea(t, s, ann, "Second", now.Add(time.Minute))
	third := newIdea(t, s, ann, "Third", now.Add(2*time.Minute))
	answered := newIdea(t, s, ann, "Answered", now.Add(3*time.Minute))
	for k := range 3 {
		u := MustSignIn(t, b, fmt.Sprintf("v%d", k), "")
		if _, err := s.Vote(ctx, second.ID, u.ID, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Vote(ctx, third.ID, ent.ID, now); err != nil {
		t.Fatal(err)
	}
	if err := s.ChangeStatus(ctx, &ideas.StatusChange{ID: townhall.NewID(), IdeaID: answered.ID, From: ideas.StatusOpen, To: ideas.StatusDeclined, ActorID: pat.ID, At: now}); err != nil {
		t.Fatal(err)
	}
	tri := func(sortBy string, after *ideas.Cursor) []*ideas.Idea {
		items, err := s.Triage(ctx, ideas.TriageQuery{Sort: sortBy, After: after, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
	wantTitles(t, "triage oldest", tri(ideas.TriageOldest, nil), "First", "Second", "Third")
	wantTitles(t, "triage oldest after", tri(ideas.TriageOldest, &ideas.Cursor{ID: first.ID}), "Second", "Third")
	wantTitles(t, "triage votes", tri(ideas.TriageVotes, nil), "Second", "Third", "First")
	byDemand := tri(ideas.TriageDemand, nil)
	wantTitles(t, "triage demand", byDemand, "Third", "Second", "First")
	if byDemand[0].Weighted != 11 || byDemand[1].Weighted != 4 || byDemand[2].Weighted != 1 {
		t.Fatalf("weighted = %v %v %v; want 11 4 1", byDemand[0].Weighted, byDemand[1].Weighted, byDemand[2].Weighted)
	}
	wantTitles(t, "triage demand after", tri(ideas.TriageDemand, &ideas.Cursor{Key: 11, ID: third.ID}), "Second", "First")
	// Weights apply as they are today.
	big.Weight = 2
	if err := b.SaveSegment(ctx, big); err != nil {
		t.Fatal(err)
	}
	wantTitles(t, "triage demand after reweighting", tri(ideas.TriageDemand, nil), "Second", "Third", "First")
	all, err := s.ExportIdeas(ctx, "", 2)
	if err != nil || len(all) != 2 || all[0].ID != first.ID || all[1].Weighted != 4 {
		t.Fatalf("export page 1 = %v, %v", all, err)
	}
	rest, err := s.ExportIdeas(ctx, all[1].ID, 10)
	if err != nil || len(rest) != 2 || rest[0].Weighted != 3 || rest[1].Status != ideas.StatusDeclined {
		t.Fatalf("export page 2 = %v, %v", rest, err)
	}
}

// ideasSimilarByTitleWords: similar ideas by title words.
func ideasSimilarByTitleWords(t *testing.T, open Opener) {
	ctx := context.Background()
	now := Now()
	b, s, ann := openIdeas(t, open)
	newIdea(t, s, ann, "Dark mode for mobile", now)
	dm := newIdea(t, s, ann, "Dark mode everywhere", now)
	newIdea(t, s, ann, "Mobile offline sync", now)
	if _, err := s.Vote(ctx, dm.ID, MustSignIn(t, b, "x", "").ID, now); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		words  []string
		prefix string
		want   []string
	}{
		{[]string{"dark", "mobile"}, "", []string{"Dark mode for mobile", "Dark mode everywhere", "Mobile offline sync"}},
		{[]string{"dark"}, "", []string{"Dark mode everywhere", "Dark mode for mobile"}},
		{nil, "offl", []string{"Mobile offline sync"}},
		{[]string{"mode"}, "everyw", []string{"Dark mode everywhere", "Dark mode for mobile"}},
		{[]string{"nothing"}, "", nil},
	} {
		got, err := s.Similar(ctx, tc.words, tc.prefix, 5)
		if err != nil {
			t.Fatal(err)
		}
		wantTitles(t, fmt.Sprintf("similar %v %q", tc.words, tc.prefix), got, tc.want...)
	}
	// Editing the title re-indexes its words.
	dm.Title, dm.Tags = "Light theme", []string{"theme"}
	dm.UpdatedAt = now.Add(time.Hour)
	if err := s.UpdateIdea(ctx, dm, ideas.TitleWords(dm.Title)); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Similar(ctx, []string{"dark"}, "", 5)
	wantTitles(t, "similar after edit", got, "Dark mode for mobile")
	got, _ = s.Similar(ctx, nil, "lig", 5)
	wantTitles(t, "similar new title", got, "Light theme")
	if e := mustIdea(t, s, dm.ID, ""); fmt.Sprint(e.Tags) != "[theme]" || e.Votes != 2 {
		t.Fatalf("edited idea = %+v", e)
	}
	err := s.UpdateIdea(ctx, &ideas.Idea{ID: townhall.NewID(), Title: "x", Tags: []string{}}, nil)
	WantErr(t, err, ideas.ErrNotFound)
}

// ideasVotedAmong: a page members share reads one member's votes among
// its ideas in one call: only that member's, only the ideas asked about,
// an undone vote gone, and more ideas than one query's worth of ids.
func ideasVotedAmong(t *testing.T, open Opener) {
	ctx := context.Background()
	b, s, ann := openIdeas(t, open)
	bob := MustSignIn(t, b, "bob", "")
	var all []string
	want := map[string]bool{}
	for k := range 205 {
		i := newIdea(t, s, ann, fmt.Sprintf("Idea %d", k), Now())
		all = append(all, i.ID)
		if k%3 == 0 {
			if _, err := s.Vote(ctx, i.ID, bob.ID, Now()); err != nil {
				t.Fatal(err)
			}
			want[i.ID] = true
		}
	}
	if _, err := s.Unvote(ctx, all[3], bob.ID); err != nil {
		t.Fatal(err)
	}
	delete(want, all[3])
	got, err := s.VotedAmong(ctx, bob.ID, all)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("bob voted for %d of the ideas, VotedAmong says %d", len(want), len(got))
	}
	for id := range want {
		if !got[id] {
			t.Fatalf("VotedAmong misses bob's vote for %s", id)
		}
	}
	// Asked about two ideas, it answers about those two alone.
	if some, err := s.VotedAmong(ctx, bob.ID, []string{all[0], all[1]}); err != nil || len(some) != 1 || !some[all[0]] {
		t.Fatalf("VotedAmong(two ideas) = %v, %v; want only %s", some, err, all[0])
	}
	// Ann proposed them all, so her vote is on each; a stranger has none.
	if mine, err := s.VotedAmong(ctx, ann.ID, all[:10]); err != nil || len(mine) != 10 {
		t.Fatalf("VotedAmong(ann) = %d ideas, %v; want 10", len(mine), err)
	}
	if none, err := s.VotedAmong(ctx, townhall.NewID(), all); err != nil || len(none) != 0 {
		t.Fatalf("VotedAmong(a stranger) = %v, %v", none, err)
	}
}

// ideasVotersAfterPages: a fan-out pages through an idea's voters in user
// id order, and a merge brings the duplicate's voters along.
func ideasVotersAfterPages(t *testing.T, open Opener) {
	ctx := context.Background()
	b, s, ann := openIdeas(t, open)
	i := newIdea(t, s, ann, "Dark mode", Now())
	dup := newIdea(t, s, ann, "Night theme", Now())
	want := []string{ann.ID}
	for k := range 7 {
		u := MustSignIn(t, b, fmt.Sprintf("voter%d", k), "")
		target := i
		if k >= 5 {
			target = dup // two vote only for the duplicate
		}
		if _, err := s.Vote(ctx, target.ID, u.ID, Now()); err != nil {
			t.Fatal(err)
		}
		want = append(want, u.ID)
	}
	slices.Sort(want)
	if _, err := s.Merge(ctx, dup.ID, i.ID, Now()); err != nil {
		t.Fatal(err)
	}
	var got []string
	after := ""
	for {
		page, err := s.VotersAfter(ctx, i.ID, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
		if len(page) < 3 {
			break
		}
		after = page[len(page)-1]
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("voters paged by 3 = %v, want %v (the author, five voters and the duplicate's two)", got, want)
	}
	if other, _ := s.VotersAfter(ctx, dup.ID, "", 10); len(other) != 0 {
		t.Fatalf("the merged duplicate still lists voters: %v", other)
	}
}
