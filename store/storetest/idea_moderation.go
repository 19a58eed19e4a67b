package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

// ideaModerationCases are the idea moderation rules of the contract, each run on a fresh backend.
var ideaModerationCases = []Case{
	{"HiddenIdeasLeaveListingsAndComeBack", ideaModerationHiddenIdeasLeaveListingsAndComeBack},
	{"CommentsHideEditDeleteCountExactly", ideaModerationCommentsHideEditDeleteCountExactly},
	{"ConcurrentHidesAndDeletesCountExactly", ideaModerationConcurrentHidesAndDeletesCountExactly},
}

// ideaModerationHiddenIdeasLeaveListingsAndComeBack: hidden ideas leave every listing and come back whole.
func ideaModerationHiddenIdeasLeaveListingsAndComeBack(t *testing.T, open Opener) {
	ctx := context.Background()
	now := Now()
	b, s, ann := openIdeas(t, open)
	mod := MustSignIn(t, b, "mod", townhall.RoleModerator)
	keep := newIdea(t, s, ann, "Dark mode please", now, "ui")
	spam := newIdea(t, s, ann, "Dark cheap watches", now.Add(time.Minute), "ui", "spam")
	ch := &ideas.StatusChange{ID: townhall.NewID(), IdeaID: spam.ID, From: ideas.StatusOpen, To: ideas.StatusPlanned, ActorID: mod.ID, At: now}
	if err := s.ChangeStatus(ctx, ch); err != nil {
		t.Fatal(err)
	}
	before := lastSeq(t, b)
	h := &ideas.Hidden{ByID: mod.ID, Reason: "Spam", At: now.Add(time.Hour)}
	changed, err := s.SetIdeaHidden(ctx, spam.ID, h)
	if err != nil || !changed {
		t.Fatalf("hide: %v %v", changed, err)
	}
	if !changedSince(t, b, before, spam.ID) {
		t.Fatal("hiding recorded no search change")
	}
	if doc, _ := b.SearchDocument(ctx, townhall.KindIdea, spam.ID); doc.Visible {
		t.Fatal("hidden idea still visible to search")
	}
	got := mustIdea(t, s, spam.ID, "")
	if got.Hidden == nil || got.Hidden.Reason != "Spam" || got.Hidden.ByName != "mod" || !got.Hidden.At.Equal(now.Add(time.Hour)) {
		t.Fatalf("hidden idea = %+v (hidden %+v)", got, got.Hidden)
	}
	listed := func(what string, want ...string) {
		t.Helper()
		for _, q := range []ideas.Query{
			{Sort: ideas.SortNew}, {Sort: ideas.SortTop}, {Sort: ideas.SortTrending},
			{Sort: ideas.SortTop, Tag: "ui"}, {Sort: ideas.SortNew, AuthorID: ann.ID}, {Sort: ideas.SortNew, VoterID: ann.ID},
		} {
			q.Limit = 10
			items, err := s.Ideas(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			wantTitles(t, fmt.Sprintf("%s: %+v", what, q), items, want...)
		}
	}
	listed("while hidden", "Dark mode please")
	hiddenList, err := s.Ideas(ctx, ideas.Query{Sort: ideas.SortNew, Hidden: true, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	wantTitles(t, "hidden list", hiddenList, "Dark cheap watches")
	if hiddenList[0].Hidden == nil || hiddenList[0].Hidden.Reason != "Spam" {
		t.Fatalf("hidden list item = %+v", hiddenList[0])
	}
	planned, _ := s.Ideas(ctx, ideas.Query{Sort: ideas.SortTop, Status: ideas.StatusPlanned, Limit: 10})
	wantTitles(t, "roadmap column while hidden", planned)
	similar, _ := s.Similar(ctx, []string{"dark"}, "", 5)
	wantTitles(t, "similar while hidden", similar, "Dark mode please")
	tags, _ := s.PopularTags(ctx, 10)
	if fmt.Sprint(tags) != "[{ui 1}]" {
		t.Fatalf("tag counts while hidden = %v", tags)
	}
	tri, _ := s.Triage(ctx, ideas.TriageQuery{Sort: ideas.TriageOldest, Limit: 10})
	wantTitles(t, "triage while hidden", tri, "Dark mode please")
	exported, _ := s.ExportIdeas(ctx, "", 10)
	wantTitles(t, "export while hidden", exported, "Dark mode please")
	// Frozen while hidden: no votes, comments, status changes or merges.
	_, err = s.Vote(ctx, spam.ID, mod.ID, now)
	WantErr(t, err, ideas.ErrHidden)
	_, err = s.Unvote(ctx, spam.ID, ann.ID)
	WantErr(t, err, ideas.ErrHidden)
	WantErr(t, s.AddComment(ctx, &ideas.Comment{ID: townhall.NewID(), IdeaID: spam.ID, AuthorID: ann.ID, Body: "x", CreatedAt: now}), ideas.ErrHidden)
	WantErr(t, s.ChangeStatus(ctx, &ideas.StatusChange{ID: townhall.NewID(), IdeaID: spam.ID, To: ideas.StatusDone, ActorID: mod.ID, At: now}), ideas.ErrHidden)
	_, err = s.Merge(ctx, spam.ID, keep.ID, now)
	WantErr(t, err, ideas.ErrHiddenMerge)
	_, err = s.Merge(ctx, keep.ID, spam.ID, now)
	WantErr(t, err, ideas.ErrHiddenMerge)
	// Editing a hidden idea (the team fixing it) keeps it out of listings.
	spam.Title, spam.Tags, spam.UpdatedAt = "Dark watches reworded", []string{"ui", "watches"}, now.Add(2*time.Hour)
	if err := s.UpdateIdea(ctx, spam, ideas.TitleWords(spam.Title)); err != nil {
		t.Fatal(err)
	}
	listed("after editing the hidden idea", "Dark mode please")
	if tags, _ := s.PopularTags(ctx, 10); fmt.Sprint(tags) != "[{ui 1}]" {
		t.Fatalf("tag counts after editing the hidden idea = %v", tags)
	}
	// Hiding again only updates the reason.
	changed, err = s.SetIdeaHidden(ctx, spam.ID, &ideas.Hidden{ByID: mod.ID, Reason: "Spam, twice", At: now})
	if err != nil || changed || mustIdea(t, s, spam.ID, "").Hidden.Reason != "Spam, twice" {
		t.Fatalf("re-hide: changed=%v err=%v", changed, err)
	}
	before = lastSeq(t, b)
	changed, err = s.SetIdeaHidden(ctx, spam.ID, nil)
	if err != nil || !changed {
		t.Fatalf("unhide: %v %v", changed, err)
	}
	if !changedSince(t, b, before, spam.ID) {
		t.Fatal("unhiding recorded no search change")
	}
	if doc, _ := b.SearchDocument(ctx, townhall.KindIdea, spam.ID); !doc.Visible || doc.Title != "Dark watches reworded" {
		t.Fatalf("unhidden idea's search doc = %+v", doc)
	}
	if got := mustIdea(t, s, spam.ID, ""); got.Hidden != nil || got.Votes != 1 || got.Status != ideas.StatusPlanned {
		t.Fatalf("unhidden idea = %+v", got)
	}
	listed("after unhiding", "Dark watches reworded", "Dark mode please")
	hiddenList, _ = s.Ideas(ctx, ideas.Query{Sort: ideas.SortNew, Hidden: true, Limit: 10})
	wantTitles(t, "hidden list after unhiding", hiddenList)
	if tags, _ := s.PopularTags(ctx, 10); fmt.Sprint(tags) != "[{ui 2} {watches 1}]" {
		t.Fatalf("tag counts after unhiding = %v", tags)
	}
	similar, _ = s.Similar(ctx, nil, "watch", 5)
	wantTitles(t, "similar after unhiding", similar, "Dark watches reworded")
	if changed, err := s.SetIdeaHidden(ctx, spam.ID, nil); err != nil || changed {
		t.Fatalf("unhiding a visible idea: changed=%v err=%v; want a no-op", changed, err)
	}
	_, err = s.SetIdeaHidden(ctx, townhall.NewID(), h)
	WantErr(t, err, ideas.ErrNotFound)
	dup := newIdea(t, s, ann, "Dark theme", now)
	if _, err := s.Merge(ctx, dup.ID, keep.ID, now); err != nil {
		t.Fatal(err)
	}
	_, err = s.SetIdeaHidden(ctx, dup.ID, h)
	WantErr(t, err, ideas.ErrMergedModerate)
	if mustIdea(t, s, dup.ID, "").Hidden != nil {
		t.Fatal("a refused hide wrote")
	}
}

// ideaModerationCommentsHideEditDeleteCountExactly: comments hide, edit and delete with exact counts.
func ideaModerationCommentsHideEditDeleteCountExactly(t *testing.T, open Opener) {
	ctx := context.Background()
	now := Now()
	b, s, ann := openIdeas(t, open)
	bob := MustSignIn(t, b, "bob", "")
	mod := MustSignIn(t, b, "mod", townhall.RoleModerator)
	i := newIdea(t, s, ann, "Keyboard shortcuts", now)
	add := func(u *townhall.User, body string) *ideas.Comment {
		t.Helper()
		c := &ideas.Comment{ID: townhall.NewID(), IdeaID: i.ID, AuthorID: u.ID, Body: body, BodyHTML: "<p>" + "x" + "</p>", CreatedAt: now}
		if err := s.AddComment(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	first, second, third := add(ann, "first"), add(bob, "buy watches"), add(bob, "third")
	count := func(want int) {
		t.Helper()
		if got := mustIdea(t, s, i.ID, "").Comments; got != want {
			t.Fatalf("comment count = %d, want %d", got, want)
		}
	}
	bodies := func(withHidden bool) string {
		t.Helper()
		cs, err := s.Comments(ctx, i.ID, "", 10, withHidden)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.Body)
		}
		return fmt.Sprint(out)
	}
	count(3)
	changed, err := s.SetCommentHidden(ctx, second.ID, &ideas.Hidden{ByID: mod.ID, Reason: "Spam", At: now})
	if err != nil || !changed {
		t.Fatalf("hide: %v %v", changed, err)
	}
	count(2)
	if got := bodies(false); got != "[first third]" {
		t.Fatalf("member view = %s", got)
	}
	if got := bodies(true); got != "[first buy watches third]" {
		t.Fatalf("staff view = %s", got)
	}
	c, err := s.Comment(ctx, second.ID)
	if err != nil || c.Hidden == nil || c.Hidden.ByName != "mod" || c.Hidden.Reason != "Spam" || c.AuthorName != "bob" {
		t.Fatalf("hidden comment = %+v, %v", c, err)
	}
	// Hiding twice, and unhiding twice, count once.
	if changed, err := s.SetCommentHidden(ctx, second.ID, &ideas.Hidden{ByID: mod.ID, Reason: "Spam!", At: now}); err != nil || changed {
		t.Fatalf("re-hide: %v %v", changed, err)
	}
	count(2)
	authors, _ := s.CommentAuthors(ctx, i.ID)
	if fmt.Sprint(authors) != fmt.Sprint([]string{ann.ID, bob.ID}) && fmt.Sprint(authors) != fmt.Sprint([]string{bob.ID, ann.ID}) {
		t.Fatalf("comment authors = %v", authors)
	}
	for range 2 {
		if _, err := s.SetCommentHidden(ctx, second.ID, nil); err != nil {
			t.Fatal(err)
		}
		count(3)
	}
	// Edit keeps the place and marks it edited.
	first.Body, first.BodyHTML, first.EditedAt = "first, edited", "<p>first, edited</p>", now.Add(time.Hour)
	if err := s.EditComment(ctx, first); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Comment(ctx, first.ID); c.Body != "first, edited" || string(c.BodyHTML) != "<p>first, edited</p>" || !c.EditedAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("edited comment = %+v", c)
	}
	// Delete: text gone, place kept, counted once; a hidden comment
	// deleted later does not count twice.
	for range 2 {
		if _, err := s.DeleteComment(ctx, third.ID, bob.ID, now); err != nil {
			t.Fatal(err)
		}
		count(2)
	}
	if c, _ := s.Comment(ctx, third.ID); !c.Deleted || c.Body != "" || c.BodyHTML != "" {
		t.Fatalf("deleted comment = %+v", c)
	}
	if got := bodies(false); got != "[first, edited buy watches ]" {
		t.Fatalf("after delete = %s", got)
	}
	if _, err := s.SetCommentHidden(ctx, second.ID, &ideas.Hidden{ByID: mod.ID, Reason: "Spam", At: now}); err != nil {
		t.Fatal(err)
	}
	count(1)
	if deleted, err := s.DeleteComment(ctx, second.ID, mod.ID, now); err != nil || !deleted {
		t.Fatalf("delete hidden: %v %v", deleted, err)
	}
	count(1)
	WantErr(t, s.EditComment(ctx, &ideas.Comment{ID: third.ID, Body: "back", EditedAt: now}), ideas.ErrCommentDeleted)
	_, err = s.SetCommentHidden(ctx, third.ID, &ideas.Hidden{ByID: mod.ID, Reason: "x", At: now})
	WantErr(t, err, ideas.ErrCommentDeleted)
	_, err = s.SetCommentHidden(ctx, second.ID, nil)
	WantErr(t, err, ideas.ErrCommentDeleted)
	count(1)
	if c, _ := s.Comment(ctx, third.ID); c.Body != "" {
		t.Fatal("a refused edit wrote")
	}
	WantErr(t, s.EditComment(ctx, &ideas.Comment{ID: townhall.NewID(), Body: "x", EditedAt: now}), ideas.ErrCommentNotFound)
	_, err = s.DeleteComment(ctx, townhall.NewID(), ann.ID, now)
	WantErr(t, err, ideas.ErrCommentNotFound)
	_, err = s.SetCommentHidden(ctx, townhall.NewID(), nil)
	WantErr(t, err, ideas.ErrCommentNotFound)
	_, err = s.Comment(ctx, townhall.NewID())
	WantErr(t, err, ideas.ErrCommentNotFound)
	if authors, _ := s.CommentAuthors(ctx, i.ID); fmt.Sprint(authors) != fmt.Sprint([]string{ann.ID}) {
		t.Fatalf("authors of visible comments = %v, want ann only", authors)
	}
	// Merging moves the comments and the exact count.
	target := newIdea(t, s, bob, "Shortcuts everywhere", now)
	if _, err := s.Merge(ctx, i.ID, target.ID, now); err != nil {
		t.Fatal(err)
	}
	if got := mustIdea(t, s, target.ID, "").Comments; got != 1 {
		t.Fatalf("target count after merge = %d, want 1", got)
	}
}

// ideaModerationConcurrentHidesAndDeletesCountExactly: concurrent hides, deletes and comments keep the count exact.
func ideaModerationConcurrentHidesAndDeletesCountExactly(t *testing.T, open Opener) {
	ctx := context.Background()
	now := Now()
	b, s, ann := openIdeas(t, open)
	mod := MustSignIn(t, b, "mod", townhall.RoleModerator)
	i := newIdea(t, s, ann, "Busy thread", now)
	var cs []*ideas.Comment
	for k := range 30 {
		c := &ideas.Comment{ID: townhall.NewID(), IdeaID: i.ID, AuthorID: ann.ID, Body: fmt.Sprint(k), BodyHTML: "<p>x</p>", CreatedAt: now}
		if err := s.AddComment(ctx, c); err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	var wg sync.WaitGroup
	// Every comment is hidden, unhidden and hidden again from two
	// goroutines at once; every third is also deleted twice; ten new
	// comments arrive meanwhile.
	for k, c := range cs {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h := &ideas.Hidden{ByID: mod.ID, Reason: "r", At: now}
				for _, hh := range []*ideas.Hidden{h, nil, h} {
					if _, err := s.SetCommentHidden(ctx, c.ID, hh); err != nil && townhall.ErrorCode(err) != townhall.ECONFLICT {
						t.Error(err)
					}
				}
				if k%3 == 0 {
					if _, err := s.DeleteComment(ctx, c.ID, mod.ID, now); err != nil {
						t.Error(err)
					}
				}
			}()
		}
	}
	for k := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &ideas.Comment{ID: townhall.NewID(), IdeaID: i.ID, AuthorID: ann.ID, Body: fmt.Sprint("new", k), BodyHTML: "<p>x</p>", CreatedAt: now}
			if err := s.AddComment(ctx, c); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	all, err := s.Comments(ctx, i.ID, "", 100, true)
	if err != nil {
		t.Fatal(err)
	}
	visible := 0
	for _, c := range all {
		if c.Visible() {
			visible++
		}
	}
	// Each old comment ends hidden (or deleted), so only the new ones count.
	if got := mustIdea(t, s, i.ID, "").Comments; got != visible || visible != 10 || len(all) != 40 {
		t.Fatalf("count = %d, visible rows = %d of %d; want 10 of 40", got, visible, len(all))
	}
}
