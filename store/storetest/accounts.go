package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/account"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/markdown"
	"github.com/townhall/townhall/notify"
	"github.com/townhall/townhall/reviews"
)

// accountCases are the account data rights of the contract, each run on a
// fresh backend.
var accountCases = []Case{
	{"RecordsOfEveryKind", accountRecordsOfEveryKind},
	{"RecordsPageInIDOrder", accountRecordsPageInIDOrder},
	{"DeleteAnonymizesAndUnlinks", accountDeleteAnonymizesAndUnlinks},
	{"DeletedSignInsComeBackOnlyFresh", accountDeletedSignInsComeBackOnlyFresh},
	{"DeleteKeepsVotesAndCounters", accountDeleteKeepsVotesAndCounters},
	{"DeleteRefusesTheLastAdmin", accountDeleteRefusesTheLastAdmin},
	{"ConcurrentDeletesDeleteOnce", accountConcurrentDeletesDeleteOnce},
}

// accountWorld is a store in which Ann has one record of every kind and
// Bob has records of his own, which Ann's must never include.
type accountWorld struct {
	b                      Backend
	s                      account.Store
	admin, ann, bob        *townhall.User
	cat                    *forum.Category
	thread, bobThread      *forum.Thread
	first, reply, bobReply *forum.Post
	idea, bobIdea          *ideas.Idea
	comment                *ideas.Comment
	product                *reviews.Product
	review, bobReview      *reviews.Review
}

func newAccountWorld(t *testing.T, open Opener) *accountWorld {
	t.Helper()
	ctx := context.Background()
	b := open(t)
	w := &accountWorld{b: b, s: As[account.Store](t, b)}
	w.admin = MustSignIn(t, b, "Ada", "")
	w.ann = MustSignIn(t, b, "Ann", townhall.RoleMember)
	w.bob = MustSignIn(t, b, "Bob", townhall.RoleMember)
	fs, is, rs := As[forum.Store](t, b), As[ideas.Store](t, b), As[reviews.Store](t, b)
	at := Now()
	tick := func() time.Time { at = at.Add(time.Second); return at }

	w.cat = &forum.Category{ID: townhall.NewID(), Slug: "general", Name: "General", CreatedAt: Now()}
	must(t, fs.SaveForumCategory(ctx, w.cat))
	thread := func(u *townhall.User, title string) (*forum.Thread, *forum.Post) {
		now := tick()
		th := &forum.Thread{ID: townhall.NewID(), CategoryID: w.cat.ID, Title: title, AuthorID: u.ID, LastActivity: now, CreatedAt: now}
		p := &forum.Post{ID: townhall.NewID(), AuthorID: u.ID, Source: "About " + title, HTML: markdown.Render("About " + title), CreatedAt: now}
		must(t, fs.CreateThread(ctx, th, p))
		return th, p
	}
	reply := func(u *townhall.User, th *forum.Thread, body string) *forum.Post {
		p := &forum.Post{ID: townhall.NewID(), ThreadID: th.ID, AuthorID: u.ID, Source: body, HTML: markdown.Render(body), CreatedAt: tick()}
		must(t, fs.AddReply(ctx, p))
		return p
	}
	w.thread, w.first = thread(w.ann, "Printer jams")
	w.bobThread, _ = thread(w.bob, "Bob's question")
	w.reply = reply(w.ann, w.bobThread, "Ann answers Bob")
	w.bobReply = reply(w.bob, w.thread, "Bob answers Ann")
	must(t, fs.SetForumPostHidden(ctx, w.reply.ID, true)) // hidden, still Ann's
	must(t, fs.FollowThread(ctx, w.bobThread.ID, w.ann.ID, true))

	w.idea = newIdea(t, is, w.ann, "Dark mode", tick())
	w.bobIdea = newIdea(t, is, w.bob, "Offline mode", tick())
	if _, err := is.Vote(ctx, w.bobIdea.ID, w.ann.ID, tick()); err != nil {
		t.Fatal(err)
	}
	if _, err := is.Vote(ctx, w.idea.ID, w.bob.ID, tick()); err != nil {
		t.Fatal(err)
	}
	w.comment = &ideas.Comment{ID: townhall.NewID(), IdeaID: w.bobIdea.ID, AuthorID: w.ann.ID, Body: "Yes please", BodyHTML: "<p>Yes please</p>", CreatedAt: tick()}
	must(t, is.AddComment(ctx, w.comment))

	w.product = mustProduct(t, rs, "Router X2", "router-x2")
	w.review = mustReview(t, rs, w.product.ID, w.ann.ID, 4)
	w.bobReview = mustReview(t, rs, w.product.ID, w.bob.ID, 2)
	if _, _, err := rs.AddHelpful(ctx, w.bobReview.ID, w.ann.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := rs.AddHelpful(ctx, w.review.ID, w.bob.ID); err != nil {
		t.Fatal(err)
	}
	must(t, b.AddNotifications(ctx, []string{w.ann.ID}, notify.Notification{Kind: "reply", Text: "Bob replied", URL: "/t/x", CreatedAt: tick()}))
	must(t, b.AddNotifications(ctx, []string{w.bob.ID}, notify.Notification{Kind: "reply", Text: "For Bob", URL: "/t/y", CreatedAt: tick()}))
	return w
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// records reads all of a user's records of one kind in small pages.
func (w *accountWorld) records(t *testing.T, userID, kind string) []*account.Record {
	t.Helper()
	var out []*account.Record
	after := ""
	for {
		page, err := w.s.AccountRecords(context.Background(), userID, kind, after, 2)
		if err != nil {
			t.Fatalf("%s records: %v", kind, err)
		}
		out = append(out, page...)
		if len(page) < 2 {
			return out
		}
		after = page[len(page)-1].ID
	}
}

// accountRecordsOfEveryKind: a user's records of each kind are theirs
// alone, with the fields the kind documents.
func accountRecordsOfEveryKind(t *testing.T, open Opener) {
	w := newAccountWorld(t, open)
	one := func(kind string) *account.Record {
		t.Helper()
		rs := w.records(t, w.ann.ID, kind)
		if len(rs) != 1 {
			t.Fatalf("%s: %d records, want 1: %+v", kind, len(rs), rs)
		}
		return rs[0]
	}
	if r := one(account.SignIns); r.ID != "dev:Ann" || r.Provider != "dev" {
		t.Errorf("sign-in %+v", r)
	}
	if r := one(account.Threads); r.ID != w.thread.ID || r.Title != "Printer jams" || r.ParentID != w.cat.ID || r.ParentTitle != "General" ||
		r.Hidden || !r.CreatedAt.Equal(w.thread.CreatedAt) {
		t.Errorf("thread %+v", r)
	}
	posts := w.records(t, w.ann.ID, account.Posts)
	if len(posts) != 2 || posts[0].ID != w.first.ID || posts[0].Body != "About Printer jams" || posts[0].ParentID != w.thread.ID ||
		posts[1].ID != w.reply.ID || posts[1].ParentTitle != "Bob's question" || !posts[1].Hidden || posts[0].Hidden {
		t.Errorf("posts %+v %+v", posts[0], posts[len(posts)-1])
	}
	if r := one(account.Ideas); r.ID != w.idea.ID || r.Title != "Dark mode" || r.Body != "About Dark mode" || r.Status != "open" {
		t.Errorf("idea %+v", r)
	}
	if r := one(account.Comments); r.ID != w.comment.ID || r.ParentID != w.bobIdea.ID || r.ParentTitle != "Offline mode" || r.Body != "Yes please" {
		t.Errorf("comment %+v", r)
	}
	votes := w.records(t, w.ann.ID, account.IdeaVotes) // her own idea's vote and Bob's
	if len(votes) != 2 || !slices.ContainsFunc(votes, func(r *account.Record) bool { return r.ID == w.bobIdea.ID && r.Title == "Offline mode" }) {
		t.Errorf("idea votes %+v", votes)
	}
	if r := one(account.Reviews); r.ID != w.review.ID || r.Rating != 4 || r.ParentID != w.product.ID || r.ParentTitle != "Router X2" || r.Body != "body" {
		t.Errorf("review %+v", r)
	}
	if r := one(account.HelpfulVotes); r.ID != w.bobReview.ID || r.ParentID != w.product.ID || r.ParentTitle != "Router X2" || r.Title != "2 stars" {
		t.Errorf("helpful vote %+v", r)
	}
	follows := w.records(t, w.ann.ID, account.Follows) // her own thread's, and Bob's she replied in
	if len(follows) != 2 || !slices.ContainsFunc(follows, func(r *account.Record) bool { return r.ID == w.bobThread.ID && r.Title == "Bob's question" }) {
		t.Errorf("follows %+v", follows)
	}
	if r := one(account.Notifications); r.Kind != "reply" || r.Body != "Bob replied" || r.URL != "/t/x" || r.Read {
		t.Errorf("notification %+v", r)
	}
	if _, err := w.s.AccountRecords(context.Background(), w.ann.ID, "secrets", "", 10); !errors.Is(err, account.ErrUnknownKind) {
		t.Errorf("unknown kind: %v", err)
	}
}

// accountRecordsPageInIDOrder: pages follow each other in ID order with no
// record twice and none missing.
func accountRecordsPageInIDOrder(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[account.Store](t, b)
	ann := MustSignIn(t, b, "Ann", "")
	var want []string
	for i := range 7 {
		must(t, b.AddNotifications(ctx, []string{ann.ID}, notify.Notification{Kind: "k", Text: fmt.Sprint(i), CreatedAt: Now()}))
	}
	all, err := s.AccountRecords(ctx, ann.ID, account.Notifications, "", 100)
	if err != nil || len(all) != 7 {
		t.Fatalf("all: %d, %v", len(all), err)
	}
	for _, r := range all {
		want = append(want, r.ID)
	}
	if !slices.IsSorted(want) {
		t.Fatalf("not in id order: %v", want)
	}
	var got []string
	for after := ""; ; {
		page, err := s.AccountRecords(ctx, ann.ID, account.Notifications, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			got = append(got, r.ID)
		}
		if len(page) < 3 {
			break
		}
		after = page[len(page)-1].ID
	}
	if !slices.Equal(got, want) {
		t.Fatalf("paged %v, want %v", got, want)
	}
}

func deletion(u *townhall.User, byStaff bool) account.Deletion {
	return account.Deletion{UserID: u.ID, Handle: account.DeletedHandle(u.ID), Name: account.DeletedName, At: Now(), ByStaff: byStaff}
}

// accountDeleteAnonymizesAndUnlinks: deletion replaces the name and handle,
// clears the email, avatar, role and segment, ends sessions, removes
// notifications and follows, keeps content under the same author id, and
// puts the content on the change feed; a second call changes nothing.
func accountDeleteAnonymizesAndUnlinks(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newAccountWorld(t, open)
	seg := &townhall.Segment{ID: townhall.NewID(), Name: "Pro", Weight: 3}
	must(t, w.b.SaveSegment(ctx, seg))
	must(t, w.b.SetUserSegment(ctx, w.ann.ID, seg.ID))
	must(t, w.b.SetRole(ctx, w.ann.ID, townhall.RoleModerator))
	must(t, w.b.CreateSession(ctx, &auth.Session{TokenHash: "ann-token", UserID: w.ann.ID, CreatedAt: Now(), ExpiresAt: Now().Add(time.Hour)}))
	must(t, w.b.CreateSession(ctx, &auth.Session{TokenHash: "bob-token", UserID: w.bob.ID, CreatedAt: Now(), ExpiresAt: Now().Add(time.Hour)}))
	before := lastSeq(t, w.b)

	first, err := w.s.DeleteAccount(ctx, deletion(w.ann, false))
	if err != nil || !first {
		t.Fatalf("delete: first=%v, %v", first, err)
	}
	u, err := w.b.User(ctx, w.ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != account.DeletedName || u.Handle != account.DeletedHandle(w.ann.ID) || u.Email != "" || u.AvatarURL != "" ||
		u.Role != townhall.RoleMember || u.SegmentID != "" || u.Verified || u.Unread != 0 || !u.DeletedAt.Equal(Now()) {
		t.Fatalf("deleted user = %+v", u)
	}
	if _, err := w.b.UserByHandle(ctx, "ann"); !errors.Is(err, auth.ErrUserNotFound) {
		t.Errorf("the old handle still finds someone: %v", err)
	}
	if _, _, err := w.b.SessionUser(ctx, "ann-token", Now()); !errors.Is(err, auth.ErrSessionNotFound) {
		t.Errorf("Ann's session survived: %v", err)
	}
	if bob, _, err := w.b.SessionUser(ctx, "bob-token", Now()); err != nil || bob.ID != w.bob.ID {
		t.Errorf("Bob's session: %v", err)
	}
	for _, kind := range []string{account.SignIns, account.Notifications, account.Follows} {
		if rs := w.records(t, w.ann.ID, kind); len(rs) != 0 {
			t.Errorf("%s left: %+v", kind, rs)
		}
	}
	for kind, n := range map[string]int{account.Threads: 1, account.Posts: 2, account.Ideas: 1, account.Comments: 1,
		account.IdeaVotes: 2, account.Reviews: 1, account.HelpfulVotes: 1} {
		if rs := w.records(t, w.ann.ID, kind); len(rs) != n {
			t.Errorf("%s: %d records, want %d (content stays)", kind, len(rs), n)
		}
	}
	if rs := w.records(t, w.bob.ID, account.Notifications); len(rs) != 1 {
		t.Errorf("Bob's notifications: %+v", rs)
	}
	// New notifications do not reach a deleted account.
	must(t, w.b.AddNotifications(ctx, []string{w.ann.ID, w.bob.ID}, notify.Notification{Kind: "status", Text: "moved", CreatedAt: Now()}))
	if rs := w.records(t, w.ann.ID, account.Notifications); len(rs) != 0 {
		t.Errorf("a deleted account got a notification")
	}
	if u, _ := w.b.User(ctx, w.ann.ID); u.Unread != 0 {
		t.Errorf("deleted account's unread = %d", u.Unread)
	}
	th, err := As[forum.Store](t, w.b).Thread(ctx, w.thread.ID)
	if err != nil || th.AuthorID != w.ann.ID || th.AuthorName != account.DeletedName {
		t.Errorf("thread after deletion: %+v, %v", th, err)
	}
	d, err := w.b.SearchDocument(ctx, townhall.KindIdea, w.idea.ID)
	if err != nil || d.Author != account.DeletedName || !d.Visible {
		t.Errorf("idea search doc %+v, %v", d, err)
	}
	ch, err := w.b.Changes(ctx, before, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []townhall.Change{{Kind: townhall.KindThread, ID: w.thread.ID}, {Kind: townhall.KindPost, ID: w.first.ID},
		{Kind: townhall.KindPost, ID: w.reply.ID}, {Kind: townhall.KindIdea, ID: w.idea.ID}, {Kind: townhall.KindReview, ID: w.review.ID}} {
		if !slices.ContainsFunc(ch, func(c townhall.Change) bool { return c.Kind == want.Kind && c.ID == want.ID }) {
			t.Errorf("no change-feed entry for %s %s", want.Kind, want.ID)
		}
	}
	if slices.ContainsFunc(ch, func(c townhall.Change) bool { return c.ID == w.bobThread.ID || c.ID == w.bobIdea.ID }) {
		t.Errorf("Bob's content was re-recorded: %+v", ch)
	}

	again, err := w.s.DeleteAccount(ctx, account.Deletion{UserID: w.ann.ID, Handle: account.DeletedHandle(w.ann.ID), Name: account.DeletedName,
		At: Now().Add(time.Hour)})
	if err != nil || again {
		t.Fatalf("second delete: first=%v, %v", again, err)
	}
	if u, _ := w.b.User(ctx, w.ann.ID); !u.DeletedAt.Equal(Now()) || u.Name != account.DeletedName {
		t.Errorf("a second delete changed the account: %+v", u)
	}
	if _, err := w.s.DeleteAccount(ctx, account.Deletion{UserID: townhall.NewID(), Handle: "deleted-x", Name: account.DeletedName, At: Now()}); !errors.Is(err, auth.ErrUserNotFound) {
		t.Errorf("unknown user: %v", err)
	}
}

// accountDeletedSignInsComeBackOnlyFresh: a deleted account's sign-in never
// reaches it again; it starts a new account only when its owner deleted
// the old one and asks (Fresh), never after an admin deleted it.
func accountDeletedSignInsComeBackOnlyFresh(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newAccountWorld(t, open)
	annID := auth.Identity{Provider: "dev", Subject: "Ann", Name: "Ann"}
	bobID := auth.Identity{Provider: "dev", Subject: "Bob", Name: "Bob"}
	if _, err := w.s.DeleteAccount(ctx, deletion(w.ann, false)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.DeleteAccount(ctx, deletion(w.bob, true)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.b.SignIn(ctx, annID, Now()); !errors.Is(err, auth.ErrAccountDeleted) {
		t.Fatalf("Ann signs in again: %v, want ErrAccountDeleted", err)
	}
	bobID.Fresh = true
	if _, _, err := w.b.SignIn(ctx, bobID, Now()); !errors.Is(err, auth.ErrAccountRemoved) {
		t.Fatalf("Bob signs in fresh: %v, want ErrAccountRemoved", err)
	}
	annID.Fresh = true
	u, created, err := w.b.SignIn(ctx, annID, Now())
	if err != nil || !created || u.ID == w.ann.ID || u.Handle != "ann" || !u.DeletedAt.IsZero() {
		t.Fatalf("Ann starts afresh: %+v created=%v, %v", u, created, err)
	}
	// From now on the identity is the new account's, fresh or not.
	annID.Fresh = false
	again, created, err := w.b.SignIn(ctx, annID, Now())
	if err != nil || created || again.ID != u.ID {
		t.Fatalf("Ann's next sign-in: %+v created=%v, %v", again, created, err)
	}
	if old, _ := w.b.User(ctx, w.ann.ID); old.Name != account.DeletedName {
		t.Errorf("the old account came back: %+v", old)
	}
}

// accountDeleteKeepsVotesAndCounters: votes, helpful votes and content
// counters are the same after a deletion as before.
func accountDeleteKeepsVotesAndCounters(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newAccountWorld(t, open)
	is, rs, fs := As[ideas.Store](t, w.b), As[reviews.Store](t, w.b), As[forum.Store](t, w.b)
	ideaBefore := mustIdea(t, is, w.bobIdea.ID, "")
	own := mustIdea(t, is, w.idea.ID, "")
	bobReview, err := rs.Review(ctx, w.bobReview.ID, "")
	must(t, err)
	product, err := rs.Product(ctx, w.product.ID)
	must(t, err)
	thread, err := fs.Thread(ctx, w.bobThread.ID)
	must(t, err)
	if _, err := w.s.DeleteAccount(ctx, deletion(w.ann, false)); err != nil {
		t.Fatal(err)
	}
	if i := mustIdea(t, is, w.bobIdea.ID, ""); i.Votes != ideaBefore.Votes || i.Comments != ideaBefore.Comments || i.Votes != 2 {
		t.Errorf("Bob's idea: votes %d comments %d, want %d and %d", i.Votes, i.Comments, ideaBefore.Votes, ideaBefore.Comments)
	}
	if i := mustIdea(t, is, w.idea.ID, ""); i.Votes != own.Votes || i.AuthorID != w.ann.ID {
		t.Errorf("Ann's idea: votes %d, want %d", i.Votes, own.Votes)
	}
	if r, _ := rs.Review(ctx, w.bobReview.ID, ""); r.Helpful != bobReview.Helpful || r.Helpful != 1 {
		t.Errorf("helpful on Bob's review = %d, want 1", r.Helpful)
	}
	if p, _ := rs.Product(ctx, w.product.ID); p.Rating != product.Rating {
		t.Errorf("rating %+v, want %+v", p.Rating, product.Rating)
	}
	if th, _ := fs.Thread(ctx, w.bobThread.ID); th.Replies != thread.Replies || th.Posts != thread.Posts {
		t.Errorf("Bob's thread: %d replies, %d posts; want %d, %d", th.Replies, th.Posts, thread.Replies, thread.Posts)
	}
}

// accountDeleteRefusesTheLastAdmin: the only admin cannot be deleted and
// keeps everything; with a second admin, deleting one leaves the other.
func accountDeleteRefusesTheLastAdmin(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newAccountWorld(t, open)
	if _, err := w.s.DeleteAccount(ctx, deletion(w.admin, false)); !errors.Is(err, auth.ErrLastAdmin) {
		t.Fatalf("deleting the only admin: %v", err)
	}
	if u, _ := w.b.User(ctx, w.admin.ID); u.Name != "Ada" || u.Role != townhall.RoleAdmin || !u.DeletedAt.IsZero() {
		t.Fatalf("the refused deletion changed the admin: %+v", u)
	}
	if _, _, err := w.b.SignIn(ctx, auth.Identity{Provider: "dev", Subject: "Ada", Name: "Ada"}, Now()); err != nil {
		t.Fatalf("the refused deletion unlinked the sign-in: %v", err)
	}
	must(t, w.b.SetRole(ctx, w.bob.ID, townhall.RoleAdmin))
	if _, err := w.s.DeleteAccount(ctx, deletion(w.admin, true)); err != nil {
		t.Fatal(err)
	}
	if err := w.b.SetRole(ctx, w.bob.ID, townhall.RoleMember); !errors.Is(err, auth.ErrLastAdmin) {
		t.Fatalf("Bob is the last admin now: %v", err)
	}
}

// accountConcurrentDeletesDeleteOnce: of several deletions of one account
// at once, exactly one reports that it deleted it.
func accountConcurrentDeletesDeleteOnce(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newAccountWorld(t, open)
	var wg sync.WaitGroup
	var mu sync.Mutex
	firsts, errs := 0, []error{}
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first, err := w.s.DeleteAccount(ctx, deletion(w.ann, true))
			mu.Lock()
			defer mu.Unlock()
			if first {
				firsts++
			}
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	if firsts != 1 || len(errs) > 0 {
		t.Fatalf("%d deletions reported first, errors %v", firsts, errs)
	}
	if _, _, err := w.b.SignIn(ctx, auth.Identity{Provider: "dev", Subject: "Ann", Name: "Ann", Fresh: true}, Now()); !errors.Is(err, auth.ErrAccountRemoved) {
		t.Fatalf("sign-in after the deletions: %v", err)
	}
}
