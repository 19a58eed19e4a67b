package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/account"
	"github.com/townhall/townhall/email"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/markdown"
	"github.com/townhall/townhall/notify"
)

// emailCases are the email rules of the contract, each run on a fresh backend.
var emailCases = []Case{
	{"PreferencesRoundTrip", emailPreferencesRoundTrip},
	{"PendingIsUnreadNotYetEmailedOfTheGroup", emailPending},
	{"ClaimIsExclusiveAndRepeatable", emailClaim},
	{"MessageIsSavedOncePerKey", emailMessages},
	{"DigestSources", emailDigestSources},
	{"DeletingAnAccountRemovesItsEmail", emailAccountDeletion},
}

// note is a notification of u in group at at, with an ID made at at.
func note(u *townhall.User, group string, at time.Time, n int) *notify.Notification {
	return &notify.Notification{ID: townhall.IDAt(at, uint64(n), 0), UserID: u.ID, Kind: "reply", Text: fmt.Sprintf("note %d", n),
		URL: "/t/x", CreatedAt: at, Group: group}
}

func mustInsert(t *testing.T, s notify.Store, ns ...*notify.Notification) int {
	t.Helper()
	n, err := s.InsertNotifications(context.Background(), ns)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func noteIDs(ns []*notify.Notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

func emailPreferencesRoundTrip(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[email.Store](t, b)
	ann, bob := MustSignIn(t, b, "ann", ""), MustSignIn(t, b, "bob", "")
	got, err := s.MailPreferences(ctx, []string{ann.ID, bob.ID})
	if err != nil || len(got) != 0 {
		t.Fatalf("before saving: %v, %v; want none stored", got, err)
	}
	p := email.DefaultPreferences()
	p.NoEmail, p.Digest, p.Kinds["reply"], p.UpdatedAt = true, email.Daily, email.Off, Now()
	if err := s.SaveMailPreferences(ctx, ann.ID, p); err != nil {
		t.Fatal(err)
	}
	p.NoEmail = false // saving replaces the whole document
	if err := s.SaveMailPreferences(ctx, ann.ID, p); err != nil {
		t.Fatal(err)
	}
	got, err = s.MailPreferences(ctx, []string{ann.ID, bob.ID, "nobody"})
	if err != nil || len(got) != 1 {
		t.Fatalf("after saving: %v, %v; want ann's only", got, err)
	}
	a := got[ann.ID]
	if a.NoEmail || a.Digest != email.Daily || a.Kinds["reply"] != email.Off || a.Kinds["mention"] != email.Instant || !a.UpdatedAt.Equal(Now()) {
		t.Fatalf("ann's preferences = %+v", a)
	}
}

func emailPending(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[email.Store](t, b)
	ann, bob := MustSignIn(t, b, "ann", ""), MustSignIn(t, b, "bob", "")
	now := Now()
	mustInsert(t, b, note(ann, "thread:a", now, 1), note(ann, "thread:a", now.Add(time.Second), 2),
		note(ann, "thread:b", now.Add(2*time.Second), 3), note(bob, "thread:a", now.Add(3*time.Second), 4))
	got, err := s.PendingMail(ctx, ann.ID, "thread:a", 10)
	if err != nil || fmt.Sprint(texts(got)) != "[note 1 note 2]" {
		t.Fatalf("pending of ann in thread:a = %v, %v; want note 1, note 2", texts(got), err)
	}
	if got[0].Group != "thread:a" || got[0].UserID != ann.ID || got[0].MailKey != "" {
		t.Fatalf("pending note = %+v", got[0])
	}
	// Reading the group on the site takes its notes out of email.
	if n, err := b.MarkGroupRead(ctx, ann.ID, "thread:a"); err != nil || n != 2 {
		t.Fatalf("mark thread:a read = %d, %v; want 2", n, err)
	}
	if got, _ := s.PendingMail(ctx, ann.ID, "thread:a", 10); len(got) != 0 {
		t.Fatalf("read notes are still pending: %v", texts(got))
	}
	u, _ := b.User(ctx, ann.ID)
	if u.Unread != 1 {
		t.Fatalf("ann's unread = %d after reading one group of two; want 1", u.Unread)
	}
	if got, _ := s.PendingMail(ctx, bob.ID, "thread:a", 10); len(got) != 1 {
		t.Fatalf("bob's note was touched: %v", texts(got))
	}
	// The digest reads a time range of the person's unread, unemailed notes.
	got, err = s.DigestMail(ctx, ann.ID, now, now.Add(time.Hour), 10)
	if err != nil || fmt.Sprint(texts(got)) != "[note 3]" {
		t.Fatalf("digest notes = %v, %v; want note 3", texts(got), err)
	}
	if got, _ := s.DigestMail(ctx, ann.ID, now.Add(3*time.Second), now.Add(time.Hour), 10); len(got) != 0 {
		t.Fatalf("a range after the note holds %v", texts(got))
	}
}

func texts(ns []*notify.Notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Text
	}
	return out
}

func emailClaim(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[email.Store](t, b)
	ann, bob := MustSignIn(t, b, "ann", ""), MustSignIn(t, b, "bob", "")
	now := Now()
	var ns []*notify.Notification
	for i := range 40 {
		ns = append(ns, note(ann, "thread:a", now.Add(time.Duration(i)*time.Millisecond), i))
	}
	mustInsert(t, b, ns...)
	// Two emails claim the same notes at once: each note goes to one.
	var wg sync.WaitGroup
	claimed := make([][]*notify.Notification, 2)
	errs := make([]error, 2)
	for k := range 2 {
		wg.Go(func() { claimed[k], errs[k] = s.ClaimMail(ctx, ann.ID, fmt.Sprintf("mail:%d", k), noteIDs(ns)) })
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	all := append(noteIDs(claimed[0]), noteIDs(claimed[1])...)
	slices.Sort(all)
	if len(all) != 40 || len(slices.Compact(all)) != 40 {
		t.Fatalf("two claims got %d and %d notes; want 40 in all, none twice", len(claimed[0]), len(claimed[1]))
	}
	// Claiming again returns the same set and takes nothing more.
	again, err := s.ClaimMail(ctx, ann.ID, "mail:0", nil)
	if err != nil || fmt.Sprint(noteIDs(again)) != fmt.Sprint(noteIDs(claimed[0])) {
		t.Fatalf("the repeated claim = %d notes, %v; want the first claim's %d", len(again), err, len(claimed[0]))
	}
	if len(again) > 0 && again[0].MailKey != "mail:0" {
		t.Fatalf("a claimed note's MailKey = %q", again[0].MailKey)
	}
	if got, _ := s.PendingMail(ctx, ann.ID, "thread:a", 100); len(got) != 0 {
		t.Fatalf("claimed notes are still pending: %d", len(got))
	}
	// Only the person's own unread notes can be claimed.
	read := note(ann, "thread:b", now.Add(time.Second), 100)
	other := note(bob, "thread:b", now.Add(time.Second), 101)
	mustInsert(t, b, read, other)
	if _, err := b.MarkGroupRead(ctx, ann.ID, "thread:b"); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimMail(ctx, ann.ID, "mail:2", []string{read.ID, other.ID})
	if err != nil || len(got) != 0 {
		t.Fatalf("claiming a read note and someone else's = %d notes, %v; want none", len(got), err)
	}
}

func emailMessages(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[email.Store](t, b)
	ann := MustSignIn(t, b, "ann", "")
	now := Now()
	msg := func(key, subject string, at time.Time) *email.Message {
		return &email.Message{ID: townhall.IDAt(at, uint64(len(key)), uint16(len(subject))), Key: key, UserID: ann.ID,
			To: "ann <ann@example.com>", Kind: "reply", Subject: subject, MessageID: key + "@example.com",
			Headers: []email.Header{{Name: "List-Id", Value: "Acme <n.example.com>"}}, Text: "text", HTML: "<p>html</p>",
			State: email.StateQueued, CreatedAt: at, UpdatedAt: at}
	}
	first, err := s.SaveMessage(ctx, msg("mail:a", "first", now))
	if err != nil || first.Subject != "first" || len(first.Headers) != 1 || first.Headers[0].Value != "Acme <n.example.com>" {
		t.Fatalf("save = %+v, %v", first, err)
	}
	// A job composing again keeps its first message.
	second, err := s.SaveMessage(ctx, msg("mail:a", "second", now.Add(time.Second)))
	if err != nil || second.ID != first.ID || second.Subject != "first" {
		t.Fatalf("saving the key again = %+v, %v; want the first message", second, err)
	}
	if _, err := s.MessageByKey(ctx, "mail:none"); err != email.ErrNotFound {
		t.Fatalf("unknown key: %v, want ErrNotFound", err)
	}
	if err := s.UpdateMessage(ctx, first.ID, email.Update{State: email.StateRetrying, Error: "421 busy", At: now.Add(time.Minute), Attempted: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateMessage(ctx, first.ID, email.Update{State: email.StateSent, At: now.Add(2 * time.Minute), Attempted: true}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Message(ctx, first.ID)
	if err != nil || got.State != email.StateSent || got.Attempts != 2 || got.Error != "421 busy" || !got.SentAt.Equal(now.Add(2*time.Minute)) {
		t.Fatalf("after two attempts: %+v, %v; want sent after 2 attempts, the last error kept", got, err)
	}
	if err := s.UpdateMessage(ctx, townhall.NewID(), email.Update{State: email.StateSent, At: now}); err != email.ErrNotFound {
		t.Fatalf("updating an unknown message: %v", err)
	}
	for i := range 4 {
		if _, err := s.SaveMessage(ctx, msg(fmt.Sprintf("mail:%d", i), fmt.Sprint(i), now.Add(time.Duration(i+1)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	page, err := s.Messages(ctx, email.Query{Limit: 2})
	if err != nil || len(page) != 2 || page[0].Subject != "3" || page[1].Subject != "2" {
		t.Fatalf("newest page = %v, %v", subjects(page), err)
	}
	rest, _ := s.Messages(ctx, email.Query{Before: page[1].ID, Limit: 10})
	if fmt.Sprint(subjects(rest)) != "[1 0 first]" {
		t.Fatalf("next page = %v", subjects(rest))
	}
	if sent, _ := s.Messages(ctx, email.Query{State: email.StateSent, Limit: 10}); fmt.Sprint(subjects(sent)) != "[first]" {
		t.Fatalf("sent messages = %v", subjects(sent))
	}
	if mine, _ := s.Messages(ctx, email.Query{UserID: ann.ID, Limit: 10}); len(mine) != 5 {
		t.Fatalf("ann's messages = %d, want 5", len(mine))
	}
	if n, err := s.PruneMessages(ctx, now.Add(90*time.Minute)); err != nil || n != 2 {
		t.Fatalf("prune = %d, %v; want the 2 older than 90 minutes", n, err)
	}
}

func subjects(ms []*email.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Subject
	}
	return out
}

func emailDigestSources(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[email.Store](t, b)
	fs := As[forum.Store](t, b)
	is := As[ideas.Store](t, b)
	ann, bob := MustSignIn(t, b, "ann", ""), MustSignIn(t, b, "bob", "")
	now := Now()
	cat := func(slug string) *forum.Category {
		c := &forum.Category{ID: townhall.NewID(), Slug: slug, Name: slug, CreatedAt: now}
		if err := fs.SaveForumCategory(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	help, news := cat("help"), cat("news")
	thread := func(c *forum.Category, title string, at time.Time, replies int) *forum.Thread {
		th := &forum.Thread{ID: townhall.IDAt(at, uint64(len(title)), 1), CategoryID: c.ID, Title: title, AuthorID: ann.ID, LastActivity: at, CreatedAt: at}
		p := &forum.Post{ID: townhall.NewID(), AuthorID: ann.ID, Source: title, HTML: markdown.Render(title), CreatedAt: at}
		if err := fs.CreateThread(ctx, th, p); err != nil {
			t.Fatal(err)
		}
		for range replies {
			if err := fs.AddReply(ctx, &forum.Post{ID: townhall.NewID(), ThreadID: th.ID, AuthorID: bob.ID, Source: "+1", HTML: "<p>+1</p>", CreatedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		return th
	}
	old := thread(help, "Old thread", now.Add(-48*time.Hour), 9)
	thread(help, "Quiet new thread", now.Add(time.Hour), 0)
	thread(help, "Busy new thread", now.Add(2*time.Hour), 3)
	hidden := thread(help, "Hidden new thread", now.Add(3*time.Hour), 5)
	thread(news, "News thread", now.Add(4*time.Hour), 1)
	if err := fs.SetThreadHidden(ctx, hidden.ID, true); err != nil {
		t.Fatal(err)
	}
	cy := MustSignIn(t, b, "cy", "")
	if err := fs.FollowThread(ctx, old.ID, cy.ID, true); err != nil {
		t.Fatal(err)
	}
	cats, err := s.FollowedCategories(ctx, cy.ID)
	if err != nil || fmt.Sprint(cats) != fmt.Sprint([]string{help.ID}) {
		t.Fatalf("cy's categories = %v, %v; want help (cy follows a thread there)", cats, err)
	}
	got, err := s.NewThreads(ctx, cats, now, now.Add(24*time.Hour), 10)
	if err != nil || fmt.Sprint(threadTitles(got)) != "[Busy new thread Quiet new thread]" {
		t.Fatalf("new threads in help = %v, %v; want the visible new ones, most replies first", threadTitles(got), err)
	}
	if got[0].Replies != 3 || got[0].AuthorName != "ann" {
		t.Fatalf("busy thread = %+v", got[0])
	}
	if all, _ := s.NewThreads(ctx, nil, now, now.Add(24*time.Hour), 2); fmt.Sprint(threadTitles(all)) != "[Busy new thread News thread]" {
		t.Fatalf("new threads anywhere = %v", threadTitles(all))
	}
	// Status changes of the period, newest first.
	i := newIdea(t, is, ann, "Dark mode", now.Add(-72*time.Hour))
	for k, st := range []ideas.Status{ideas.StatusPlanned, ideas.StatusInProgress, ideas.StatusDone} {
		at := now.Add(time.Duration(k*12-12) * time.Hour) // -12h, 0h, +12h
		if err := is.ChangeStatus(ctx, &ideas.StatusChange{ID: townhall.IDAt(at, uint64(k), 2), IdeaID: i.ID, To: st, ActorID: bob.ID, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	changes, err := s.StatusChanges(ctx, now, now.Add(24*time.Hour), 10)
	if err != nil || len(changes) != 2 || changes[0].To != ideas.StatusDone || changes[1].To != ideas.StatusInProgress || changes[0].IdeaID != i.ID {
		t.Fatalf("status changes of the day = %+v, %v; want done, then in progress", changes, err)
	}
}

func threadTitles(ts []*forum.Thread) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Title
	}
	return out
}

// emailAccountDeletion: a deleted account's email choices and the email
// composed for it (its address, its name) go with it; others' stay.
func emailAccountDeletion(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[email.Store](t, b)
	MustSignIn(t, b, "root", "") // the first user is the admin, who cannot be deleted
	ann, bob := MustSignIn(t, b, "ann", ""), MustSignIn(t, b, "bob", "")
	for _, u := range []*townhall.User{ann, bob} {
		if err := s.SaveMailPreferences(ctx, u.ID, email.DefaultPreferences()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveMessage(ctx, &email.Message{ID: townhall.NewID(), Key: "mail:" + u.ID, UserID: u.ID, To: u.Name + " <x@example.com>",
			Kind: "reply", Subject: "s", MessageID: u.ID + "@example.com", State: email.StateSent, CreatedAt: Now(), UpdatedAt: Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := As[account.Store](t, b).DeleteAccount(ctx, account.Deletion{UserID: ann.ID, Handle: account.DeletedHandle(ann.ID),
		Name: account.DeletedName, At: Now()}); err != nil {
		t.Fatal(err)
	}
	prefs, err := s.MailPreferences(ctx, []string{ann.ID, bob.ID})
	if err != nil || prefs[ann.ID] != nil || prefs[bob.ID] == nil {
		t.Fatalf("preferences after deleting ann = %v, %v; want bob's only", prefs, err)
	}
	if ms, _ := s.Messages(ctx, email.Query{UserID: ann.ID, Limit: 10}); len(ms) != 0 {
		t.Fatalf("ann's composed email survived her account: %v", subjects(ms))
	}
	if ms, _ := s.Messages(ctx, email.Query{UserID: bob.ID, Limit: 10}); len(ms) != 1 {
		t.Fatalf("bob's email went too: %v", subjects(ms))
	}
}
