package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/ideas"
)

// onBehalfCases are the rules of votes recorded on a customer's behalf,
// each run on a fresh backend.
var onBehalfCases = []Case{
	{"CountsOnceWithTheCustomersOwnVote", onBehalfCountsOnce},
	{"ConcurrentVotesCountExactly", onBehalfConcurrent},
	{"MergeMovesTheRecord", onBehalfMerge},
	{"PlaceholderClaimedAtFirstSignIn", onBehalfClaim},
}

func proxyVote(i *ideas.Idea, customer, by *townhall.User, note string, at time.Time) *ideas.ProxyVote {
	return &ideas.ProxyVote{IdeaID: i.ID, UserID: customer.ID, RecordedBy: by.ID, Note: note, At: at}
}

func mustVoteOnBehalf(t *testing.T, s ideas.Store, v *ideas.ProxyVote) bool {
	t.Helper()
	added, err := s.VoteOnBehalf(context.Background(), v)
	if err != nil {
		t.Fatalf("vote on behalf of %s: %v", v.UserID, err)
	}
	return added
}

func proxyVotes(t *testing.T, s ideas.Store, ideaID string) []*ideas.ProxyVote {
	t.Helper()
	vs, err := s.ProxyVotes(context.Background(), ideaID, 100)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// segmentVotes is an idea's demand as "segment=votes" pairs.
func segmentVotes(t *testing.T, s ideas.Store, ideaID string) map[string]int {
	t.Helper()
	ds, err := s.Demand(context.Background(), ideaID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, d := range ds {
		out[d.Name] += d.Votes
	}
	return out
}

// onBehalfCountsOnce: a vote on a customer's behalf counts like their own
// (in their segment), the customer voting too changes nothing, and their
// taking it back removes it, record and all. Recording for a customer who
// voted already records nothing.
func onBehalfCountsOnce(t *testing.T, open Opener) {
	ctx := context.Background()
	now := Now()
	b, s, ann := openIdeas(t, open)
	pm := MustSignIn(t, b, "pm", townhall.RoleProduct)
	bob := MustSignIn(t, b, "bob", "")
	cat := MustSignIn(t, b, "cat", "")
	mustSegment(t, b, "Pro", 3, bob)
	i := newIdea(t, s, ann, "Salesforce sync", now)

	if !mustVoteOnBehalf(t, s, proxyVote(i, bob, pm, "From a sales call with Acme", now.Add(time.Minute))) {
		t.Fatal("the vote on behalf was not added")
	}
	if got := mustIdea(t, s, i.ID, bob.ID); got.Votes != 2 || !got.Voted {
		t.Fatalf("after the vote on behalf: votes %d, voted %v", got.Votes, got.Voted)
	}
	if d := segmentVotes(t, s, i.ID); d["Pro"] != 1 || d[""] != 1 {
		t.Fatalf("demand = %v; want the customer's vote in Pro", d)
	}
	vs := proxyVotes(t, s, i.ID)
	if len(vs) != 1 || vs[0].UserID != bob.ID || vs[0].UserName != "bob" || vs[0].UserHandle != "bob" || vs[0].RecordedBy != pm.ID ||
		vs[0].RecordedByName != "pm" || vs[0].Note != "From a sales call with Acme" || !vs[0].At.Equal(now.Add(time.Minute)) || vs[0].Pending {
		t.Fatalf("proxy votes = %+v", vs)
	}
	if added, err := s.Vote(ctx, i.ID, bob.ID, now.Add(2*time.Minute)); err != nil || added {
		t.Fatalf("the customer's own vote after it was recorded: added %v, %v; want a no-op", added, err)
	}
	if mustVoteOnBehalf(t, s, proxyVote(i, bob, pm, "again", now.Add(3*time.Minute))) {
		t.Fatal("a second vote on behalf of the same customer was added")
	}
	if got := mustIdea(t, s, i.ID, ""); got.Votes != 2 {
		t.Fatalf("votes = %d, want 2: each person counts once", got.Votes)
	}
	if removed, err := s.Unvote(ctx, i.ID, bob.ID); err != nil || !removed {
		t.Fatalf("unvote: %v, %v", removed, err)
	}
	if got := mustIdea(t, s, i.ID, ""); got.Votes != 1 || len(proxyVotes(t, s, i.ID)) != 0 || segmentVotes(t, s, i.ID)["Pro"] != 0 {
		t.Fatalf("after the customer took it back: votes %d, proxy votes %v", got.Votes, proxyVotes(t, s, i.ID))
	}
	// Voting again is their own vote now, not a recorded one.
	s.Vote(ctx, i.ID, bob.ID, now.Add(4*time.Minute))
	if len(proxyVotes(t, s, i.ID)) != 0 {
		t.Fatal("the customer's own vote shows as recorded on their behalf")
	}
	// A customer who voted already: nothing is recorded.
	s.Vote(ctx, i.ID, cat.ID, now.Add(5*time.Minute))
	if mustVoteOnBehalf(t, s, proxyVote(i, cat, pm, "too late", now.Add(6*time.Minute))) || len(proxyVotes(t, s, i.ID)) != 0 {
		t.Fatal("a vote on behalf of someone who had voted was recorded")
	}
	if got := mustIdea(t, s, i.ID, ""); got.Votes != 3 {
		t.Fatalf("votes = %d, want 3", got.Votes)
	}
	_, err := s.VoteOnBehalf(ctx, &ideas.ProxyVote{IdeaID: townhall.NewID(), UserID: bob.ID, RecordedBy: pm.ID, At: now})
	WantErr(t, err, ideas.ErrNotFound)
}

// onBehalfConcurrent: votes on behalf and the customers' own votes racing
// for the same ideas count each customer exactly once.
func onBehalfConcurrent(t *testing.T, open Opener) {
	ctx := context.Background()
	now := Now()
	b, s, ann := openIdeas(t, open)
	pm := MustSignIn(t, b, "pm", townhall.RoleProduct)
	pm2 := MustSignIn(t, b, "pm2", townhall.RoleProduct)
	i := newIdea(t, s, ann, "Concurrent demand", now)
	var customers []*townhall.User
	for k := range 15 {
		customers = append(customers, MustSignIn(t, b, fmt.Sprint("customer", k), ""))
	}
	var wg sync.WaitGroup
	for k, c := range customers {
		wg.Go(func() {
			if _, err := s.VoteOnBehalf(ctx, proxyVote(i, c, pm, "call", now.Add(time.Duration(k)*time.Millisecond))); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			if _, err := s.VoteOnBehalf(ctx, proxyVote(i, c, pm2, "other call", now.Add(time.Duration(k)*time.Millisecond))); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			if _, err := s.Vote(ctx, i.ID, c.ID, now.Add(time.Duration(k)*time.Millisecond)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got := mustIdea(t, s, i.ID, "")
	if got.Votes != 16 {
		t.Fatalf("votes = %d, want 16: the author and each customer once", got.Votes)
	}
	if d := segmentVotes(t, s, i.ID); d[""] != 16 {
		t.Fatalf("demand = %v, want 16 unsegmented", d)
	}
	seen := map[string]bool{}
	for _, v := range proxyVotes(t, s, i.ID) {
		if seen[v.UserID] {
			t.Fatalf("customer %s recorded twice", v.UserID)
		}
		seen[v.UserID] = true
	}
}

// onBehalfMerge: merging moves the record along with the vote.
func onBehalfMerge(t *testing.T, open Opener) {
	ctx := context.Background()
	b, s, ann := openIdeas(t, open)
	pm := MustSignIn(t, b, "pm", townhall.RoleProduct)
	bob := MustSignIn(t, b, "bob", "")
	into := newIdea(t, s, ann, "Original", Now())
	dup := newIdea(t, s, ann, "Duplicate", Now().Add(time.Second))
	mustVoteOnBehalf(t, s, proxyVote(dup, bob, pm, "support ticket 123", Now().Add(time.Minute)))
	if _, err := s.Merge(ctx, dup.ID, into.ID, Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	vs := proxyVotes(t, s, into.ID)
	if len(vs) != 1 || vs[0].UserID != bob.ID || vs[0].Note != "support ticket 123" || vs[0].IdeaID != into.ID {
		t.Fatalf("target's proxy votes = %+v", vs)
	}
	if len(proxyVotes(t, s, dup.ID)) != 0 {
		t.Fatal("the duplicate keeps a record")
	}
	if got := mustIdea(t, s, into.ID, ""); got.Votes != 2 {
		t.Fatalf("target votes = %d, want 2", got.Votes)
	}
}

// onBehalfClaim: a customer recorded by email is a placeholder account
// found by email in any case; their first sign-in with that address makes
// it theirs, votes and all, and later sign-ins find it as usual.
func onBehalfClaim(t *testing.T, open Opener) {
	ctx := context.Background()
	b, s, ann := openIdeas(t, open)
	cs := As[auth.CustomerStore](t, b)
	pm := MustSignIn(t, b, "pm", townhall.RoleProduct)
	i := newIdea(t, s, ann, "SSO", Now())
	_, _, err := cs.UserByEmail(ctx, "jane@acme.example")
	WantErr(t, err, auth.ErrUserNotFound)
	p, created, err := b.SignIn(ctx, auth.Identity{Provider: auth.ProviderEmail, Subject: "jane@acme.example", Name: "jane", Email: "jane@acme.example"}, Now())
	if err != nil || !created {
		t.Fatalf("placeholder: %v, created %v", err, created)
	}
	mustVoteOnBehalf(t, s, proxyVote(i, p, pm, "Acme renewal call", Now().Add(time.Minute)))
	found, placeholder, err := cs.UserByEmail(ctx, "jane@acme.example")
	if err != nil || found.ID != p.ID || !placeholder {
		t.Fatalf("by email before sign-in: %+v, placeholder %v, %v", found, placeholder, err)
	}
	if vs := proxyVotes(t, s, i.ID); len(vs) != 1 || !vs[0].Pending || vs[0].UserEmail != "jane@acme.example" {
		t.Fatalf("proxy votes before sign-in = %+v", vs)
	}

	jane, created, err := b.SignIn(ctx, auth.Identity{Provider: "oidc", Subject: "sub-jane", Name: "Jane Doe", Email: "Jane@Acme.example"}, Now().Add(time.Hour))
	if err != nil || !created || jane.ID != p.ID || jane.Name != "Jane Doe" || jane.Email != "Jane@Acme.example" {
		t.Fatalf("first sign-in: %+v, created %v, %v; want the placeholder %s, now hers", jane, created, err, p.ID)
	}
	if got := mustIdea(t, s, i.ID, jane.ID); !got.Voted || got.Votes != 2 {
		t.Fatalf("after sign-in: voted %v, votes %d", got.Voted, got.Votes)
	}
	found, placeholder, err = cs.UserByEmail(ctx, "jane@acme.example")
	if err != nil || found.ID != p.ID || placeholder {
		t.Fatalf("by email after sign-in: %+v, placeholder %v, %v", found, placeholder, err)
	}
	if vs := proxyVotes(t, s, i.ID); len(vs) != 1 || vs[0].Pending || vs[0].UserName != "Jane Doe" {
		t.Fatalf("proxy votes after sign-in = %+v", vs)
	}
	again, created, err := b.SignIn(ctx, auth.Identity{Provider: "oidc", Subject: "sub-jane", Name: "Jane Doe", Email: "jane@acme.example"}, Now().Add(2*time.Hour))
	if err != nil || created || again.ID != p.ID {
		t.Fatalf("second sign-in: %+v, created %v, %v", again, created, err)
	}
	// The placeholder is gone: another identity with the address is
	// another person, and the recorded address no longer finds anyone new.
	other, created, err := b.SignIn(ctx, auth.Identity{Provider: "github", Subject: "42", Name: "J", Email: "jane@acme.example"}, Now().Add(3*time.Hour))
	if err != nil || !created || other.ID == p.ID {
		t.Fatalf("another identity with the same address: %+v, created %v, %v", other, created, err)
	}
	if found, _, _ := cs.UserByEmail(ctx, "jane@acme.example"); found == nil || found.ID != p.ID {
		t.Fatalf("by email: %+v, want the oldest account", found)
	}
}
