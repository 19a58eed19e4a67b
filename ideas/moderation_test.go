package ideas_test

import (
	"context"
	"strings"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/ideas"
)

// moderator adds a moderator to the fixture.
func (f *fixture) moderator(t *testing.T) *townhall.User {
	t.Helper()
	u, err := auth.NewService(f.db).SignIn(context.Background(), auth.Identity{Provider: "dev", Subject: "Mo", Name: "Mo", Role: townhall.RoleModerator})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestHideIdeaThroughService(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	mo := f.moderator(t)
	i, err := f.svc.Propose(ctx, f.member, ideas.Input{Title: "Cheap watches", Tags: []string{"spam"}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		actor  *townhall.User
		id     string
		hidden bool
		reason string
		code   string
	}{
		{"anonymous", nil, i.ID, true, "spam", townhall.EUNAUTHORIZED},
		{"member", f.other, i.ID, true, "spam", townhall.EFORBIDDEN},
		{"author", f.member, i.ID, false, "", townhall.EFORBIDDEN},
		{"product team", f.team, i.ID, true, "spam", townhall.EFORBIDDEN},
		{"garbage id", mo, "nope", true, "spam", townhall.ENOTFOUND},
		{"unknown id", mo, townhall.NewID(), true, "spam", townhall.ENOTFOUND},
		{"no reason", mo, i.ID, true, "  ", townhall.EINVALID},
		{"long reason", mo, i.ID, true, strings.Repeat("x", ideas.MaxReason+1), townhall.EINVALID},
	}
	for _, tc := range cases {
		_, err := f.svc.SetIdeaHidden(ctx, tc.actor, tc.id, tc.hidden, tc.reason)
		if townhall.ErrorCode(err) != tc.code {
			t.Errorf("%s: error %v, want %s", tc.name, err, tc.code)
		}
	}
	if got, _ := f.svc.Idea(ctx, f.other, i.ID); got == nil || got.Hidden != nil {
		t.Fatal("refused hides changed the idea")
	}
	got, err := f.svc.SetIdeaHidden(ctx, mo, i.ID, true, "Spam")
	if err != nil || got.Hidden == nil || got.Hidden.ByName != "Mo" || got.Hidden.Reason != "Spam" {
		t.Fatalf("hide = %+v, %v", got, err)
	}
	// Gone for members and readers, the author included; staff see it.
	for _, u := range []*townhall.User{nil, f.member, f.other} {
		_, err := f.svc.Idea(ctx, u, i.ID)
		wantCode(t, err, townhall.ENOTFOUND)
		_, err = f.svc.Comments(ctx, u, i.ID, "")
		wantCode(t, err, townhall.ENOTFOUND)
	}
	for _, u := range []*townhall.User{mo, f.team} {
		if got, err := f.svc.Idea(ctx, u, i.ID); err != nil || got.Hidden == nil {
			t.Fatalf("staff %s: %+v, %v", u.Name, got, err)
		}
	}
	// Members cannot vote or comment on it (404); staff get a conflict.
	_, err = f.svc.Vote(ctx, f.other, i.ID)
	wantCode(t, err, townhall.ENOTFOUND)
	_, err = f.svc.Unvote(ctx, f.member, i.ID)
	wantCode(t, err, townhall.ENOTFOUND)
	_, err = f.svc.Comment(ctx, f.other, i.ID, "hello")
	wantCode(t, err, townhall.ENOTFOUND)
	_, err = f.svc.Vote(ctx, f.team, i.ID)
	wantCode(t, err, townhall.ECONFLICT)
	_, err = f.svc.Comment(ctx, mo, i.ID, "hello")
	wantCode(t, err, townhall.ECONFLICT)
	board, _ := f.svc.List(ctx, mo, ideas.ListParams{})
	tags, _ := f.svc.PopularTags(ctx, 10)
	similar, _ := f.svc.Similar(ctx, "cheap watches")
	if len(board.Items) != 0 || len(tags) != 0 || len(similar) != 0 {
		t.Fatalf("hidden idea still listed: board %d, tags %v, similar %d", len(board.Items), tags, len(similar))
	}
	got, err = f.svc.SetIdeaHidden(ctx, mo, i.ID, false, "")
	if err != nil || got.Hidden != nil {
		t.Fatalf("unhide = %+v, %v", got, err)
	}
	if _, err := f.svc.Vote(ctx, f.other, i.ID); err != nil {
		t.Fatal(err)
	}
}

func TestCommentModerationThroughService(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	mo := f.moderator(t)
	i, err := f.svc.Propose(ctx, f.member, ideas.Input{Title: "Comment rules"})
	if err != nil {
		t.Fatal(err)
	}
	mine, err := f.svc.Comment(ctx, f.other, i.ID, "First *thought*")
	if err != nil {
		t.Fatal(err)
	}
	// Edit: the author and moderators; not others, not the team, not anonymous.
	for _, tc := range []struct {
		actor *townhall.User
		id    string
		body  string
		code  string
	}{
		{nil, mine.ID, "x", townhall.EUNAUTHORIZED},
		{f.member, mine.ID, "x", townhall.EFORBIDDEN},
		{f.team, mine.ID, "x", townhall.EFORBIDDEN},
		{f.other, mine.ID, "  ", townhall.EINVALID},
		{f.other, "garbage", "x", townhall.ENOTFOUND},
		{f.other, townhall.NewID(), "x", townhall.ENOTFOUND},
	} {
		_, err := f.svc.EditComment(ctx, tc.actor, tc.id, tc.body)
		wantCode(t, err, tc.code)
	}
	edited, err := f.svc.EditComment(ctx, f.other, mine.ID, "Second **thought**")
	if err != nil || edited.Body != "Second **thought**" || !strings.Contains(string(edited.BodyHTML), "<strong>thought</strong>") || edited.EditedAt.IsZero() {
		t.Fatalf("edit = %+v, %v", edited, err)
	}
	if _, err := f.svc.EditComment(ctx, mo, mine.ID, "Moderated text"); err != nil {
		t.Fatal(err)
	}
	// Hide: moderators only, with a reason; the author no longer sees it.
	_, err = f.svc.SetCommentHidden(ctx, f.other, mine.ID, true, "mine")
	wantCode(t, err, townhall.EFORBIDDEN)
	_, err = f.svc.SetCommentHidden(ctx, mo, mine.ID, true, "")
	wantCode(t, err, townhall.EINVALID)
	hidden, err := f.svc.SetCommentHidden(ctx, mo, mine.ID, true, "Off topic")
	if err != nil || hidden.Hidden == nil || hidden.Hidden.Reason != "Off topic" {
		t.Fatalf("hide = %+v, %v", hidden, err)
	}
	count := func(u *townhall.User) (int, int) {
		t.Helper()
		idea, err := f.svc.Idea(ctx, u, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		page, err := f.svc.Comments(ctx, u, i.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		return idea.Comments, len(page.Items)
	}
	if n, listed := count(f.member); n != 0 || listed != 0 {
		t.Fatalf("member sees count %d and %d comments; want none", n, listed)
	}
	if n, listed := count(mo); n != 0 || listed != 1 {
		t.Fatalf("moderator sees count %d and %d comments; want 0 and the hidden one", n, listed)
	}
	_, err = f.svc.EditComment(ctx, f.other, mine.ID, "sneaky")
	wantCode(t, err, townhall.ENOTFOUND)
	_, err = f.svc.DeleteComment(ctx, f.other, mine.ID)
	wantCode(t, err, townhall.ENOTFOUND)
	if _, err := f.svc.SetCommentHidden(ctx, mo, mine.ID, false, ""); err != nil {
		t.Fatal(err)
	}
	// Delete: the author may, others may not; a deleted comment is closed.
	_, err = f.svc.DeleteComment(ctx, f.member, mine.ID)
	wantCode(t, err, townhall.EFORBIDDEN)
	_, err = f.svc.DeleteComment(ctx, nil, mine.ID)
	wantCode(t, err, townhall.EUNAUTHORIZED)
	gone, err := f.svc.DeleteComment(ctx, f.other, mine.ID)
	if err != nil || !gone.Deleted || gone.Body != "" {
		t.Fatalf("delete = %+v, %v", gone, err)
	}
	if _, err := f.svc.DeleteComment(ctx, f.other, mine.ID); err != nil {
		t.Fatalf("deleting again: %v", err)
	}
	_, err = f.svc.EditComment(ctx, f.other, mine.ID, "back")
	wantCode(t, err, townhall.ECONFLICT)
	_, err = f.svc.SetCommentHidden(ctx, mo, mine.ID, true, "x")
	wantCode(t, err, townhall.ECONFLICT)
	if n, listed := count(f.member); n != 0 || listed != 1 {
		t.Fatalf("after delete: count %d, %d listed; want 0 and the placeholder", n, listed)
	}
}

func TestCommentNotifiesAuthorAndEarlierCommenters(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	voter := f.moderator(t) // a voter who never commented hears nothing
	i, err := f.svc.Propose(ctx, f.member, ideas.Input{Title: "Talk about it"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Vote(ctx, voter, i.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Comment(ctx, f.other, i.ID, "one"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Comment(ctx, f.member, i.ID, "author replies"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Comment(ctx, f.team, i.ID, "team says"); err != nil {
		t.Fatal(err)
	}
	texts := func(u *townhall.User) []string {
		page, _ := f.notify.List(ctx, u, "", 10)
		var out []string
		for _, n := range page.Items {
			out = append(out, n.Text)
		}
		return out
	}
	// The author: Olu's and Pat's comments (never their own).
	if got := texts(f.member); len(got) != 2 || !strings.Contains(got[0], "Pat commented on your idea") || !strings.Contains(got[1], "Olu commented on your idea") {
		t.Fatalf("author's notifications = %q", got)
	}
	// Olu commented first: hears about the author's reply and Pat's comment.
	if got := texts(f.other); len(got) != 2 || !strings.Contains(got[0], "Pat also commented") || !strings.Contains(got[1], "Mia also commented") {
		t.Fatalf("earlier commenter's notifications = %q", got)
	}
	if got := texts(f.team); len(got) != 0 {
		t.Fatalf("the last commenter was notified: %q", got)
	}
	if got := texts(voter); len(got) != 0 {
		t.Fatalf("a voter who did not comment was notified: %q", got)
	}
}
