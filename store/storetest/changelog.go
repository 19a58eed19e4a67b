package storetest

import (
	"context"
	"html/template"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

// changelogCases are the changelog rules of the contract, each run on a fresh backend.
var changelogCases = []Case{
	{"ShippedNewestFirst", changelogShippedNewestFirst},
	{"ReleaseNotes", changelogReleaseNotes},
}

func changeStatus(t *testing.T, s ideas.Store, i *ideas.Idea, from, to ideas.Status, by *townhall.User, at time.Time, response string) {
	t.Helper()
	ch := &ideas.StatusChange{ID: townhall.NewID(), IdeaID: i.ID, From: from, To: to, ActorID: by.ID, At: at, Response: response}
	if response != "" {
		ch.ResponseHTML = template.HTML("<p>" + response + "</p>")
	}
	if err := s.ChangeStatus(context.Background(), ch); err != nil {
		t.Fatalf("status of %q to %s: %v", i.Title, to, err)
	}
}

func changelogTitles(t *testing.T, s ideas.Store, after *ideas.Cursor, limit int) []*ideas.Shipped {
	t.Helper()
	got, err := s.Changelog(context.Background(), after, limit)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func shippedTitles(list []*ideas.Shipped) []*ideas.Idea {
	out := make([]*ideas.Idea, len(list))
	for i, sh := range list {
		out[i] = sh.Idea
	}
	return out
}

// changelogShippedNewestFirst: the changelog lists done ideas by when they
// last became done, newest first and paged; responding to a shipped idea
// keeps its place, moving it away takes it off; hidden and merged ideas
// never appear, and a shipped idea counts its duplicates' votes.
func changelogShippedNewestFirst(t *testing.T, open Opener) {
	ctx := context.Background()
	b, s, ann := openIdeas(t, open)
	pm := MustSignIn(t, b, "pm", townhall.RoleProduct)
	bob := MustSignIn(t, b, "bob", "")
	t0 := Now()
	a := newIdea(t, s, ann, "CSV export", t0)
	bb := newIdea(t, s, ann, "Dark mode", t0.Add(time.Second))
	c := newIdea(t, s, ann, "Planned thing", t0.Add(2*time.Second))
	hidden := newIdea(t, s, ann, "Hidden shipped", t0.Add(3*time.Second))
	dup := newIdea(t, s, bob, "Export to CSV please", t0.Add(4*time.Second))
	changeStatus(t, s, a, ideas.StatusOpen, ideas.StatusDone, pm, t0.Add(time.Hour), "Shipped in 2.3")
	changeStatus(t, s, bb, ideas.StatusOpen, ideas.StatusDone, pm, t0.Add(2*time.Hour), "")
	changeStatus(t, s, c, ideas.StatusOpen, ideas.StatusPlanned, pm, t0.Add(3*time.Hour), "")
	changeStatus(t, s, hidden, ideas.StatusOpen, ideas.StatusDone, pm, t0.Add(4*time.Hour), "")
	if _, err := s.SetIdeaHidden(ctx, hidden.ID, &ideas.Hidden{ByID: pm.ID, Reason: "spam", At: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Merge(ctx, dup.ID, a.ID, t0.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got := changelogTitles(t, s, nil, 10)
	wantTitles(t, "changelog", shippedTitles(got), "Dark mode", "CSV export")
	if !got[0].ShippedAt.Equal(t0.Add(2*time.Hour)) || !got[1].ShippedAt.Equal(t0.Add(time.Hour)) || got[1].Idea.Votes != 2 ||
		got[1].Idea.Response == nil || got[1].Idea.Response.Body != "Shipped in 2.3" || got[0].Note != nil {
		t.Fatalf("entries = %+v, %+v", got[0], got[1])
	}
	first := changelogTitles(t, s, nil, 1)
	wantTitles(t, "page 1", shippedTitles(first), "Dark mode")
	next := &ideas.Cursor{Key: float64(first[0].ShippedAt.UnixMilli()), ID: first[0].Idea.ID}
	wantTitles(t, "page 2", shippedTitles(changelogTitles(t, s, next, 1)), "CSV export")

	// Responding again keeps the shipping date; reopening takes it off;
	// shipping again puts it first.
	changeStatus(t, s, a, ideas.StatusDone, ideas.StatusDone, pm, t0.Add(6*time.Hour), "Now with Excel too")
	wantTitles(t, "after a response", shippedTitles(changelogTitles(t, s, nil, 10)), "Dark mode", "CSV export")
	changeStatus(t, s, bb, ideas.StatusDone, ideas.StatusInProgress, pm, t0.Add(7*time.Hour), "")
	wantTitles(t, "after reopening", shippedTitles(changelogTitles(t, s, nil, 10)), "CSV export")
	changeStatus(t, s, bb, ideas.StatusInProgress, ideas.StatusDone, pm, t0.Add(8*time.Hour), "")
	again := changelogTitles(t, s, nil, 10)
	wantTitles(t, "shipped again", shippedTitles(again), "Dark mode", "CSV export")
	if !again[0].ShippedAt.Equal(t0.Add(8*time.Hour)) || !again[1].ShippedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("shipped at %v and %v", again[0].ShippedAt, again[1].ShippedAt)
	}
}

// changelogReleaseNotes: a release note is stored, replaced and removed,
// and comes with its idea in the changelog.
func changelogReleaseNotes(t *testing.T, open Opener) {
	ctx := context.Background()
	b, s, ann := openIdeas(t, open)
	pm := MustSignIn(t, b, "pm", townhall.RoleProduct)
	i := newIdea(t, s, ann, "CSV export", Now())
	changeStatus(t, s, i, ideas.StatusOpen, ideas.StatusDone, pm, Now().Add(time.Hour), "")
	if n, err := s.ReleaseNote(ctx, i.ID); err != nil || n != nil {
		t.Fatalf("no note yet: %+v, %v", n, err)
	}
	for _, body := range []string{"First **draft**", "Exports run nightly"} {
		n := &ideas.ReleaseNote{IdeaID: i.ID, Body: body, BodyHTML: template.HTML("<p>" + body + "</p>"), AuthorID: pm.ID, UpdatedAt: Now().Add(2 * time.Hour)}
		if err := s.SetReleaseNote(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.ReleaseNote(ctx, i.ID)
	if err != nil || n == nil || n.Body != "Exports run nightly" || n.BodyHTML != "<p>Exports run nightly</p>" || n.AuthorID != pm.ID ||
		n.AuthorName != "pm" || !n.UpdatedAt.Equal(Now().Add(2*time.Hour)) {
		t.Fatalf("note = %+v, %v", n, err)
	}
	got := changelogTitles(t, s, nil, 10)
	if len(got) != 1 || got[0].Note == nil || got[0].Note.Body != "Exports run nightly" || got[0].Note.AuthorName != "pm" {
		t.Fatalf("changelog entry = %+v", got)
	}
	if err := s.DeleteReleaseNote(ctx, i.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.ReleaseNote(ctx, i.ID); n != nil {
		t.Fatalf("deleted note = %+v", n)
	}
	err = s.SetReleaseNote(ctx, &ideas.ReleaseNote{IdeaID: townhall.NewID(), Body: "x", AuthorID: pm.ID, UpdatedAt: Now()})
	WantErr(t, err, ideas.ErrNotFound)
}
