package storetest

import (
	"context"
	"fmt"
	"html/template"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/moderation"
	"github.com/townhall/townhall/reviews"
)

// moderationCases are the trust and safety rules of the contract, each run
// on a fresh backend.
var moderationCases = []Case{
	{"OneFlagPerPersonAndItem", moderationOneFlagPerPersonAndItem},
	{"ConcurrentFlagsCountExactly", moderationConcurrentFlagsCountExactly},
	{"ResolveClosesCaseAndFlagsOnce", moderationResolveClosesCaseAndFlagsOnce},
	{"AutoHideOnceAndHiddenCountsOncePerItem", moderationAutoHideOnceAndHiddenCountsOncePerItem},
	{"QueueIsOldestFirstAndPages", moderationQueueIsOldestFirstAndPages},
	{"TrustStatsCountVisibleContent", moderationTrustStatsCountVisibleContent},
	{"TrustLevelsSaveAndLock", moderationTrustLevelsSaveAndLock},
	{"SanctionsAndSuspensionEndsSessions", moderationSanctionsAndSuspensionEndsSessions},
	{"HiddenReviewsLeaveRatingAndListing", moderationHiddenReviewsLeaveRatingAndListing},
	{"ContentCreatedHiddenIsListedNowhere", moderationContentCreatedHiddenIsListedNowhere},
}

func newFlag(kind, itemID, userID, authorID string, counts bool, at time.Time) *moderation.Flag {
	return &moderation.Flag{ID: townhall.NewID(), Kind: kind, ItemID: itemID, UserID: userID, AuthorID: authorID,
		Reason: moderation.ReasonSpam, Counts: counts, CreatedAt: at}
}

func mustFlag(t *testing.T, s moderation.Store, f *moderation.Flag) *moderation.Case {
	t.Helper()
	c, err := s.AddFlag(context.Background(), f)
	if err != nil {
		t.Fatalf("flag %s by %s: %v", f.ItemID, f.UserID, err)
	}
	return c
}

func mustRecord(t *testing.T, s moderation.Store, userID string) *moderation.Record {
	t.Helper()
	r, err := s.UserRecord(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// moderationOneFlagPerPersonAndItem: a second flag by the same person on
// the same item is refused with the domain's error and counts nothing;
// flags that do not count toward the threshold are counted apart.
func moderationOneFlagPerPersonAndItem(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[moderation.Store](t, b)
	author, ann, bob := MustSignIn(t, b, "author", ""), MustSignIn(t, b, "ann", ""), MustSignIn(t, b, "bob", "")
	item := townhall.NewID()
	c := mustFlag(t, s, newFlag(moderation.KindPost, item, ann.ID, author.ID, true, Now()))
	if !c.Open || c.Flags != 1 || c.Counted != 1 || c.AuthorID != author.ID || !c.OpenedAt.Equal(Now()) {
		t.Fatalf("case after one flag = %+v", c)
	}
	_, err := s.AddFlag(ctx, newFlag(moderation.KindPost, item, ann.ID, author.ID, true, Now().Add(time.Minute)))
	WantErr(t, err, moderation.ErrAlreadyFlagged)
	c = mustFlag(t, s, newFlag(moderation.KindPost, item, bob.ID, author.ID, false, Now().Add(time.Minute)))
	if c.Flags != 2 || c.Counted != 1 || !c.OpenedAt.Equal(Now()) {
		t.Fatalf("case after a second person's uncounted flag = %+v", c)
	}
	// The same person may flag another item, and another kind with the same id.
	mustFlag(t, s, newFlag(moderation.KindIdea, item, ann.ID, author.ID, true, Now()))
	flags, err := s.Flags(ctx, moderation.KindPost, item, 10)
	if err != nil || len(flags) != 2 || flags[0].UserID != ann.ID || flags[0].UserName != "ann" || flags[1].Counts {
		t.Fatalf("flags = %+v, %v", flags, err)
	}
	if r := mustRecord(t, s, author.ID); r.FlagsReceived != 3 || r.Hidden != 0 {
		t.Fatalf("author record = %+v, want 3 flags received", r)
	}
	if r := mustRecord(t, s, ann.ID); r.FlagsReceived != 0 {
		t.Fatalf("a flagger's own record = %+v", r)
	}
}

// moderationConcurrentFlagsCountExactly: many people flagging one item at
// once leave exactly that many flags on the case and the author's record.
func moderationConcurrentFlagsCountExactly(t *testing.T, open Opener) {
	b := open(t)
	s := As[moderation.Store](t, b)
	author := MustSignIn(t, b, "author", "")
	item := townhall.NewID()
	const n = 12
	var users []*townhall.User
	for i := range n {
		users = append(users, MustSignIn(t, b, fmt.Sprint("flagger", i), ""))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for _, u := range users {
		for range 2 { // each person twice: one of the two is refused
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.AddFlag(context.Background(), newFlag(moderation.KindThread, item, u.ID, author.ID, true, Now()))
				if err != nil && townhall.ErrorCode(err) != townhall.ECONFLICT {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	c, err := s.Case(context.Background(), moderation.KindThread, item)
	if err != nil || c.Flags != n || c.Counted != n {
		t.Fatalf("case = %+v, %v; want %d flags", c, err, n)
	}
	if r := mustRecord(t, s, author.ID); r.FlagsReceived != n {
		t.Fatalf("flags received = %d, want %d", r.FlagsReceived, n)
	}
}

// moderationResolveClosesCaseAndFlagsOnce: resolving closes the case and
// every open flag, names the flaggers, and only once; a later flag reopens
// the case as new.
func moderationResolveClosesCaseAndFlagsOnce(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[moderation.Store](t, b)
	author, ann, bob, cy, mod := MustSignIn(t, b, "author", ""), MustSignIn(t, b, "ann", ""), MustSignIn(t, b, "bob", ""),
		MustSignIn(t, b, "cy", ""), MustSignIn(t, b, "mod", townhall.RoleModerator)
	item := townhall.NewID()
	mustFlag(t, s, newFlag(moderation.KindComment, item, ann.ID, author.ID, true, Now()))
	mustFlag(t, s, newFlag(moderation.KindComment, item, bob.ID, author.ID, true, Now().Add(time.Second)))
	at := Now().Add(time.Hour)
	flaggers, err := s.ResolveCase(ctx, moderation.Resolution{Kind: moderation.KindComment, ItemID: item, Decision: moderation.Approve, ByID: mod.ID, At: at})
	if err != nil || len(flaggers) != 2 {
		t.Fatalf("resolve = %v, %v; want the two flaggers", flaggers, err)
	}
	if got := fmt.Sprint(sortedStrings(flaggers)); got != fmt.Sprint(sortedStrings([]string{ann.ID, bob.ID})) {
		t.Fatalf("flaggers = %s", got)
	}
	_, err = s.ResolveCase(ctx, moderation.Resolution{Kind: moderation.KindComment, ItemID: item, Decision: moderation.Hide, ByID: mod.ID, At: at})
	WantErr(t, err, moderation.ErrNoOpenCase)
	_, err = s.ResolveCase(ctx, moderation.Resolution{Kind: moderation.KindComment, ItemID: townhall.NewID(), Decision: moderation.Hide, ByID: mod.ID, At: at})
	WantErr(t, err, moderation.ErrCaseNotFound)
	c, err := s.Case(ctx, moderation.KindComment, item)
	if err != nil || c.Open || c.Flags != 0 || c.Resolution != string(moderation.Approve) || c.ResolvedBy != mod.ID || !c.ResolvedAt.Equal(at) {
		t.Fatalf("resolved case = %+v, %v", c, err)
	}
	flags, _ := s.Flags(ctx, moderation.KindComment, item, 10)
	for _, f := range flags {
		if !f.ResolvedAt.Equal(at) || f.Resolution != string(moderation.Approve) {
			t.Fatalf("flag after resolve = %+v", f)
		}
	}
	open2, err := s.OpenCases(ctx, nil, 10)
	if err != nil || len(open2) != 0 {
		t.Fatalf("open cases after resolve = %d, %v", len(open2), err)
	}
	// A new person's flag reopens it, counted from zero, opened now.
	later := Now().Add(2 * time.Hour)
	c = mustFlag(t, s, newFlag(moderation.KindComment, item, cy.ID, author.ID, true, later))
	if !c.Open || c.Flags != 1 || c.Counted != 1 || !c.OpenedAt.Equal(later) || c.Resolution != "" || c.AutoHidden {
		t.Fatalf("reopened case = %+v", c)
	}
	if r := mustRecord(t, s, author.ID); r.FlagsReceived != 3 || r.Hidden != 0 {
		t.Fatalf("author record = %+v", r)
	}
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// moderationAutoHideOnceAndHiddenCountsOncePerItem: of two callers marking
// a case hidden by flags only one changes it; the author's record counts
// the item as hidden once, however often it is hidden again.
func moderationAutoHideOnceAndHiddenCountsOncePerItem(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[moderation.Store](t, b)
	author, ann, bob, mod := MustSignIn(t, b, "author", ""), MustSignIn(t, b, "ann", ""), MustSignIn(t, b, "bob", ""),
		MustSignIn(t, b, "mod", townhall.RoleModerator)
	item := townhall.NewID()
	_, err := s.MarkAutoHidden(ctx, moderation.KindPost, item)
	WantErr(t, err, moderation.ErrCaseNotFound)
	mustFlag(t, s, newFlag(moderation.KindPost, item, ann.ID, author.ID, true, Now()))
	var wg sync.WaitGroup
	var mu sync.Mutex
	changed := 0
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.MarkAutoHidden(ctx, moderation.KindPost, item)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				changed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if changed != 1 {
		t.Fatalf("%d callers hid it, want 1", changed)
	}
	if c, _ := s.Case(ctx, moderation.KindPost, item); !c.AutoHidden || !c.WasHidden {
		t.Fatalf("case = %+v", c)
	}
	if _, err := s.ResolveCase(ctx, moderation.Resolution{Kind: moderation.KindPost, ItemID: item, Decision: moderation.Hide, ByID: mod.ID,
		At: Now(), Hidden: true}); err != nil {
		t.Fatal(err)
	}
	mustFlag(t, s, newFlag(moderation.KindPost, item, bob.ID, author.ID, true, Now().Add(time.Hour)))
	if _, err := s.ResolveCase(ctx, moderation.Resolution{Kind: moderation.KindPost, ItemID: item, Decision: moderation.Hide, ByID: mod.ID,
		At: Now().Add(2 * time.Hour), Hidden: true}); err != nil {
		t.Fatal(err)
	}
	other := townhall.NewID()
	mustFlag(t, s, newFlag(moderation.KindPost, other, ann.ID, author.ID, true, Now()))
	if _, err := s.ResolveCase(ctx, moderation.Resolution{Kind: moderation.KindPost, ItemID: other, Decision: moderation.Delete, ByID: mod.ID,
		At: Now(), Hidden: true}); err != nil {
		t.Fatal(err)
	}
	if r := mustRecord(t, s, author.ID); r.Hidden != 2 || r.FlagsReceived != 3 {
		t.Fatalf("author record = %+v, want 2 items hidden, 3 flags", r)
	}
}

// moderationQueueIsOldestFirstAndPages: open cases, flagged and held, come
// oldest first and page by cursor; resolved ones are left out.
func moderationQueueIsOldestFirstAndPages(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[moderation.Store](t, b)
	author, ann, mod := MustSignIn(t, b, "author", ""), MustSignIn(t, b, "ann", ""), MustSignIn(t, b, "mod", townhall.RoleModerator)
	var items []string
	for i := range 5 {
		items = append(items, townhall.NewID())
		at := Now().Add(time.Duration(5-i) * time.Minute) // newest first, so the queue must reorder
		if i%2 == 0 {
			if err := s.HoldItem(ctx, moderation.KindIdea, items[i], author.ID, at); err != nil {
				t.Fatal(err)
			}
		} else {
			mustFlag(t, s, newFlag(moderation.KindThread, items[i], ann.ID, author.ID, true, at))
		}
	}
	// Two cases opened in the same millisecond are ordered by key.
	same := townhall.NewID()
	mustFlag(t, s, newFlag(moderation.KindReview, same, ann.ID, author.ID, true, Now().Add(time.Minute)))
	if _, err := s.ResolveCase(ctx, moderation.Resolution{Kind: moderation.KindThread, ItemID: items[3], Decision: moderation.Approve,
		ByID: mod.ID, At: Now()}); err != nil {
		t.Fatal(err)
	}
	held, err := s.Case(ctx, moderation.KindIdea, items[0])
	if err != nil || !held.Open || !held.Held || held.Flags != 0 {
		t.Fatalf("held case = %+v, %v", held, err)
	}
	var got []string
	var after *moderation.CaseCursor
	for page := 0; page < 10; page++ {
		cs, err := s.OpenCases(ctx, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			got = append(got, c.ItemID)
		}
		if len(cs) < 2 {
			break
		}
		last := cs[len(cs)-1]
		after = &moderation.CaseCursor{OpenedAt: last.OpenedAt, Key: last.Key()}
	}
	// Opened at 1 (review, idea 4) min, 3 (idea 2), 4 (thread 1), 5 (idea 0); thread 3 resolved.
	first := []string{same, items[4]}
	if moderation.CaseKey(moderation.KindIdea, items[4]) < moderation.CaseKey(moderation.KindReview, same) {
		first = []string{items[4], same}
	}
	want := append(first, items[2], items[1], items[0])
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("queue = %v, want %v", got, want)
	}
}

// moderationTrustStatsCountVisibleContent: a person's trust inputs count
// what of theirs is visible: replies, threads, ideas, comments, reviews,
// accepted answers, their days visited and their reputation.
func moderationTrustStatsCountVisibleContent(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newForumFixture(t, open)
	s := As[moderation.Store](t, f.b)
	is, rs := As[ideas.Store](t, f.b), As[reviews.Store](t, f.b)
	u := MustSignIn(t, f.b, "uma", "")
	wantStats := func(what string, want moderation.Stats) {
		t.Helper()
		got, err := s.CountStats(ctx, u.ID)
		if err != nil || got != want {
			t.Fatalf("%s: stats = %+v, %v; want %+v", what, got, err, want)
		}
	}
	wantStats("nothing yet", moderation.Stats{})
	_, err := s.CountStats(ctx, townhall.NewID())
	WantErr(t, err, moderation.ErrUserNotFound)

	// Uma's thread, two replies of hers in Fran's thread, one accepted.
	own := &forum.Thread{ID: townhall.NewID(), CategoryID: f.cat.ID, Title: "Uma asks", AuthorID: u.ID, LastActivity: f.tick(), CreatedAt: f.at}
	if err := f.s.CreateThread(ctx, own, &forum.Post{ID: townhall.NewID(), AuthorID: u.ID, Source: "q", HTML: "<p>q</p>", CreatedAt: f.at}); err != nil {
		t.Fatal(err)
	}
	fran, _ := f.thread(t, f.cat, "Fran asks")
	r1 := f.reply(t, fran.ID, u, "answer")
	r2 := f.reply(t, fran.ID, u, "more")
	if err := f.s.AcceptAnswer(ctx, fran.ID, r1.ID); err != nil {
		t.Fatal(err)
	}
	i := newIdea(t, is, u, "Dark mode", Now())
	if err := is.AddComment(ctx, &ideas.Comment{ID: townhall.NewID(), IdeaID: i.ID, AuthorID: u.ID, Body: "+1", BodyHTML: "<p>+1</p>", CreatedAt: Now()}); err != nil {
		t.Fatal(err)
	}
	p := mustProduct(t, rs, "Router", "router")
	rv := mustReview(t, rs, p.ID, u.ID, 4)
	if _, err := f.b.RecordVisit(ctx, u.ID, "2026-11-01", Now()); err != nil {
		t.Fatal(err)
	}
	// The accepted answer earned reputation (loyalty's ledger), which
	// counts too.
	earned, err := f.b.User(ctx, u.ID)
	if err != nil || earned.Reputation <= 0 {
		t.Fatalf("Uma's reputation after an accepted answer = %+v, %v", earned, err)
	}
	wantStats("all visible", moderation.Stats{DaysVisited: 1, Posts: 6, Topics: 3, AcceptedAnswers: 1, Reputation: earned.Reputation})

	// Hidden content counts no more.
	if err := f.s.SetForumPostHidden(ctx, r2.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetThreadHidden(ctx, own.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := is.SetIdeaHidden(ctx, i.ID, &ideas.Hidden{ByID: f.user.ID, Reason: "spam", At: Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := rs.SetReviewHidden(ctx, rv.ID, &reviews.Hidden{Reason: "spam", At: Now()}); err != nil {
		t.Fatal(err)
	}
	wantStats("after hiding", moderation.Stats{DaysVisited: 1, Posts: 2, Topics: 0, AcceptedAnswers: 1, Reputation: earned.Reputation})
}

// moderationTrustLevelsSaveAndLock: a computed level is stored with its
// inputs unless an admin locked the level by hand; the user reads both.
func moderationTrustLevelsSaveAndLock(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[moderation.Store](t, b)
	u := MustSignIn(t, b, "uma", "")
	if u.TrustLevel != 0 || u.TrustLocked {
		t.Fatalf("new user: level %d locked %v", u.TrustLevel, u.TrustLocked)
	}
	st := moderation.Stats{Posts: 7, Topics: 2, AcceptedAnswers: 1}
	if err := s.SaveTrust(ctx, u.ID, st, 2); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.User(ctx, u.ID); got.TrustLevel != 2 || got.TrustLocked {
		t.Fatalf("after save: level %d locked %v", got.TrustLevel, got.TrustLocked)
	}
	if r := mustRecord(t, s, u.ID); r.Stats != st {
		t.Fatalf("record stats = %+v, want %+v", r.Stats, st)
	}
	if err := s.SetTrustLevel(ctx, u.ID, 0, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveTrust(ctx, u.ID, moderation.Stats{Posts: 8}, 3); err != nil {
		t.Fatal(err)
	}
	got, _ := b.User(ctx, u.ID)
	if got.TrustLevel != 0 || !got.TrustLocked {
		t.Fatalf("a locked level moved: level %d locked %v", got.TrustLevel, got.TrustLocked)
	}
	if r := mustRecord(t, s, u.ID); r.Stats.Posts != 8 {
		t.Fatalf("the inputs are still saved while locked: %+v", r.Stats)
	}
	if err := s.SetTrustLevel(ctx, u.ID, 1, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.User(ctx, u.ID); got.TrustLevel != 1 || got.TrustLocked {
		t.Fatalf("after unlock: level %d locked %v", got.TrustLevel, got.TrustLocked)
	}
	WantErr(t, s.SetTrustLevel(ctx, townhall.NewID(), 1, true), moderation.ErrUserNotFound)
}

// moderationSanctionsAndSuspensionEndsSessions: silences and suspensions
// read back with their reasons; a suspension ends every session of the
// person (and only theirs) in the same step; lifting clears both.
func moderationSanctionsAndSuspensionEndsSessions(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[moderation.Store](t, b)
	u, other := MustSignIn(t, b, "uma", ""), MustSignIn(t, b, "otto", "")
	for i, who := range []string{u.ID, u.ID, other.ID} {
		if err := b.CreateSession(ctx, &auth.Session{TokenHash: fmt.Sprint("s", i), UserID: who, CreatedAt: Now(), ExpiresAt: Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	until := Now().Add(7 * 24 * time.Hour)
	if err := s.SetSilenced(ctx, u.ID, until, "cool off"); err != nil {
		t.Fatal(err)
	}
	got, _ := b.User(ctx, u.ID)
	if !got.SilencedUntil.Equal(until) || got.SilenceReason != "cool off" || !got.Silenced(Now()) || got.Suspended(Now()) {
		t.Fatalf("silenced user = %v %q", got.SilencedUntil, got.SilenceReason)
	}
	if _, _, err := b.SessionUser(ctx, "s0", Now()); err != nil {
		t.Fatalf("silencing ended a session: %v", err)
	}
	if err := s.SetSuspended(ctx, u.ID, until, "spam"); err != nil {
		t.Fatal(err)
	}
	got, _ = b.User(ctx, u.ID)
	if !got.SuspendedUntil.Equal(until) || got.SuspendReason != "spam" || !got.Suspended(Now()) {
		t.Fatalf("suspended user = %v %q", got.SuspendedUntil, got.SuspendReason)
	}
	for _, tok := range []string{"s0", "s1"} {
		_, _, err := b.SessionUser(ctx, tok, Now())
		WantErr(t, err, auth.ErrSessionNotFound)
	}
	if _, _, err := b.SessionUser(ctx, "s2", Now()); err != nil {
		t.Fatalf("someone else's session ended: %v", err)
	}
	if err := s.SetSuspended(ctx, u.ID, time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSilenced(ctx, u.ID, time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	got, _ = b.User(ctx, u.ID)
	if !got.SuspendedUntil.IsZero() || !got.SilencedUntil.IsZero() || got.SuspendReason != "" || got.Silenced(Now()) {
		t.Fatalf("lifted user = %+v", got)
	}
	WantErr(t, s.SetSuspended(ctx, townhall.NewID(), until, "x"), moderation.ErrUserNotFound)
}

// moderationHiddenReviewsLeaveRatingAndListing: a hidden review leaves the
// product's aggregates, listing and search in the same step and comes back
// on unhide; edits and deletes while hidden leave the aggregates alone; a
// review created hidden counts nowhere but still blocks a second review.
func moderationHiddenReviewsLeaveRatingAndListing(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[reviews.Store](t, b)
	ann, bob, cy, mod := MustSignIn(t, b, "ann", ""), MustSignIn(t, b, "bob", ""), MustSignIn(t, b, "cy", ""), MustSignIn(t, b, "mod", townhall.RoleModerator)
	p := mustProduct(t, s, "Router", "router")
	a := mustReview(t, s, p.ID, ann.ID, 5)
	mustReview(t, s, p.ID, bob.ID, 2)
	wantRating(t, s, p.ID, ratingOf(5, 2))
	listed := func() int {
		t.Helper()
		rs, err := s.Reviews(ctx, reviews.ReviewQuery{ProductID: p.ID, Sort: reviews.SortNewest, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return len(rs)
	}
	changed, err := s.SetReviewHidden(ctx, a.ID, &reviews.Hidden{ByID: mod.ID, Reason: "spam", At: Now()})
	if err != nil || !changed {
		t.Fatalf("hide = %v, %v", changed, err)
	}
	wantRating(t, s, p.ID, ratingOf(2))
	if n := listed(); n != 1 {
		t.Fatalf("listed %d reviews, want 1", n)
	}
	got, err := s.Review(ctx, a.ID, "")
	if err != nil || got.Hidden == nil || got.Hidden.ByID != mod.ID || got.Hidden.ByName != "mod" || got.Hidden.Reason != "spam" || !got.Hidden.At.Equal(Now()) {
		t.Fatalf("hidden review = %+v, %v", got, err)
	}
	if d, err := b.SearchDocument(ctx, townhall.KindReview, a.ID); err != nil || d.Visible {
		t.Fatalf("hidden review's search document visible: %+v, %v", d, err)
	}
	if changed, err := s.SetReviewHidden(ctx, a.ID, &reviews.Hidden{ByID: mod.ID, Reason: "really spam", At: Now()}); err != nil || changed {
		t.Fatalf("hiding again = %v, %v; want a new note only", changed, err)
	}
	wantRating(t, s, p.ID, ratingOf(2))
	a.Rating = 1
	if err := s.UpdateReview(ctx, a); err != nil {
		t.Fatal(err)
	}
	wantRating(t, s, p.ID, ratingOf(2))
	if changed, err := s.SetReviewHidden(ctx, a.ID, nil); err != nil || !changed {
		t.Fatalf("unhide = %v, %v", changed, err)
	}
	wantRating(t, s, p.ID, ratingOf(1, 2))
	if got, _ := s.Review(ctx, a.ID, ""); got.Hidden != nil {
		t.Fatalf("unhidden review still hidden: %+v", got.Hidden)
	}
	if d, _ := b.SearchDocument(ctx, townhall.KindReview, a.ID); !d.Visible {
		t.Fatal("unhidden review's search document is not visible")
	}
	if changed, err := s.SetReviewHidden(ctx, a.ID, nil); err != nil || changed {
		t.Fatalf("unhiding a visible review = %v, %v", changed, err)
	}
	// Created hidden (held): in no aggregate or listing, found by author.
	held := newReview(p.ID, cy.ID, 3)
	held.Hidden = &reviews.Hidden{Reason: "Waiting for review", At: Now()}
	if err := s.CreateReview(ctx, held); err != nil {
		t.Fatal(err)
	}
	wantRating(t, s, p.ID, ratingOf(1, 2))
	if n := listed(); n != 2 {
		t.Fatalf("listed %d reviews with a held one, want 2", n)
	}
	mine, err := s.ReviewByAuthor(ctx, p.ID, cy.ID)
	if err != nil || mine.Hidden == nil || mine.Hidden.ByID != "" || mine.Hidden.Reason != "Waiting for review" {
		t.Fatalf("held review by author = %+v, %v", mine, err)
	}
	WantErr(t, s.CreateReview(ctx, newReview(p.ID, cy.ID, 5)), reviews.ErrAlreadyReviewed)
	if err := s.DeleteReview(ctx, held.ID); err != nil {
		t.Fatal(err)
	}
	wantRating(t, s, p.ID, ratingOf(1, 2))
}

// moderationContentCreatedHiddenIsListedNowhere: a thread or an idea
// stored hidden from the start (held for review) is in no listing, tag
// count or similar-ideas, and its search document is not visible, until
// unhidden.
func moderationContentCreatedHiddenIsListedNowhere(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newForumFixture(t, open)
	now := f.tick()
	th := &forum.Thread{ID: townhall.NewID(), CategoryID: f.cat.ID, Title: "Held thread", AuthorID: f.user.ID, LastActivity: now, CreatedAt: now, Hidden: true}
	if err := f.s.CreateThread(ctx, th, &forum.Post{ID: townhall.NewID(), AuthorID: f.user.ID, Source: "buy", HTML: "<p>buy</p>", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, th.ID); !got.Hidden {
		t.Fatal("thread created hidden is not hidden")
	}
	if latest, _ := f.s.LatestThreads(ctx, 10); len(latest) != 0 {
		t.Fatalf("latest threads = %d, want none", len(latest))
	}
	if list, _ := f.s.Threads(ctx, f.cat.ID, nil, 10, false); len(list) != 0 {
		t.Fatalf("category threads = %d, want none", len(list))
	}
	if d := f.doc(t, townhall.KindThread, th.ID); d.Visible {
		t.Fatal("held thread's search document is visible")
	}
	if err := f.s.SetThreadHidden(ctx, th.ID, false); err != nil {
		t.Fatal(err)
	}
	if latest, _ := f.s.LatestThreads(ctx, 10); len(latest) != 1 {
		t.Fatalf("latest threads after unhide = %d, want 1", len(latest))
	}

	is := As[ideas.Store](t, f.b)
	i := &ideas.Idea{ID: townhall.NewID(), Title: "Held idea about exports", Body: "b", BodyHTML: template.HTML("<p>b</p>"), Tags: []string{"held"},
		Status: ideas.StatusOpen, AuthorID: f.user.ID, CreatedAt: Now(), UpdatedAt: Now(), Hidden: &ideas.Hidden{Reason: "Waiting for review", At: Now()}}
	if err := is.CreateIdea(ctx, i, ideas.TitleWords(i.Title)); err != nil {
		t.Fatal(err)
	}
	board, _ := is.Ideas(ctx, ideas.Query{Sort: ideas.SortNew, Limit: 10})
	tags, _ := is.PopularTags(ctx, 10)
	similar, _ := is.Similar(ctx, []string{"exports"}, "", 10)
	if len(board) != 0 || len(tags) != 0 || len(similar) != 0 {
		t.Fatalf("held idea listed: board %d, tags %v, similar %d", len(board), tags, len(similar))
	}
	got := mustIdea(t, is, i.ID, "")
	if got.Hidden == nil || got.Hidden.Reason != "Waiting for review" || got.Hidden.ByID != "" || got.Votes != 1 {
		t.Fatalf("held idea = %+v (hidden %+v)", got, got.Hidden)
	}
	if d, _ := f.b.SearchDocument(ctx, townhall.KindIdea, i.ID); d.Visible {
		t.Fatal("held idea's search document is visible")
	}
	if _, err := is.SetIdeaHidden(ctx, i.ID, nil); err != nil {
		t.Fatal(err)
	}
	board, _ = is.Ideas(ctx, ideas.Query{Sort: ideas.SortNew, Limit: 10})
	tags, _ = is.PopularTags(ctx, 10)
	similar, _ = is.Similar(ctx, []string{"exports"}, "", 10)
	if len(board) != 1 || len(tags) != 1 || tags[0].Ideas != 1 || len(similar) != 1 {
		t.Fatalf("published idea: board %d, tags %v, similar %d", len(board), tags, len(similar))
	}
}
