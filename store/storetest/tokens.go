package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/tokens"
)

// tokenCases are the API-token rules of the contract, each run on a fresh backend.
var tokenCases = []Case{
	{"StoreFindAndList", tokensStoreFindAndList},
	{"RevokeOnce", tokensRevokeOnce},
	{"TouchOncePerWindow", tokensTouchOncePerWindow},
}

func newToken(user *townhall.User, name, hash string, site bool, at time.Time) *tokens.Token {
	return &tokens.Token{ID: townhall.NewID(), UserID: user.ID, Name: name, Scopes: []string{"read", "write"}, Hash: hash,
		Prefix: "th_" + hash[:6], Site: site, CreatedBy: user.ID, CreatedAt: at, ExpiresAt: at.Add(90 * 24 * time.Hour)}
}

func mustCreateToken(t *testing.T, s tokens.Store, tok *tokens.Token) *tokens.Token {
	t.Helper()
	if err := s.CreateToken(context.Background(), tok); err != nil {
		t.Fatalf("create token %s: %v", tok.Name, err)
	}
	return tok
}

func tokenNames(ts []*tokens.Token) string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return fmt.Sprint(out)
}

// tokensStoreFindAndList: a token reads back exactly as written, by id and
// by hash; personal and site tokens list apart, newest first; hashes are
// unique.
func tokensStoreFindAndList(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[tokens.Store](t, b)
	ann := MustSignIn(t, b, "ann", "")
	bot := MustSignIn(t, b, "CRM sync", townhall.RoleProduct)
	now := Now()
	first := mustCreateToken(t, s, newToken(ann, "laptop", "aaaaaaaa01", false, now))
	never := newToken(ann, "cron", "aaaaaaaa02", false, now.Add(time.Second))
	never.ExpiresAt, never.Scopes = time.Time{}, []string{"read"}
	mustCreateToken(t, s, never)
	mustCreateToken(t, s, newToken(bot, "crm", "aaaaaaaa03", true, now.Add(2*time.Second)))

	got, err := s.Token(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "laptop" || got.UserID != ann.ID || fmt.Sprint(got.Scopes) != "[read write]" || got.Hash != first.Hash ||
		got.Prefix != first.Prefix || got.Site || got.CreatedBy != ann.ID || !got.CreatedAt.Equal(now) || !got.ExpiresAt.Equal(first.ExpiresAt) ||
		!got.LastUsedAt.IsZero() || got.Revoked() || got.UserName != "ann" || got.UserHandle != "ann" {
		t.Fatalf("token = %+v", got)
	}
	byHash, err := s.TokenByHash(ctx, never.Hash)
	if err != nil || byHash.ID != never.ID || !byHash.ExpiresAt.IsZero() || fmt.Sprint(byHash.Scopes) != "[read]" {
		t.Fatalf("by hash = %+v, %v", byHash, err)
	}
	_, err = s.TokenByHash(ctx, "nope")
	WantErr(t, err, tokens.ErrNotFound)
	_, err = s.Token(ctx, townhall.NewID())
	WantErr(t, err, tokens.ErrNotFound)

	mine, err := s.UserTokens(ctx, ann.ID, 10)
	if err != nil || tokenNames(mine) != "[cron laptop]" {
		t.Fatalf("ann's tokens = %s, %v", tokenNames(mine), err)
	}
	if one, _ := s.UserTokens(ctx, ann.ID, 1); tokenNames(one) != "[cron]" {
		t.Fatalf("limit 1 = %s", tokenNames(one))
	}
	site, err := s.SiteTokens(ctx, 10)
	if err != nil || tokenNames(site) != "[crm]" || !site[0].Site || site[0].UserName != "CRM sync" || site[0].UserRole != townhall.RoleProduct {
		t.Fatalf("site tokens = %+v, %v", site, err)
	}
	if bots, _ := s.UserTokens(ctx, bot.ID, 10); len(bots) != 0 {
		t.Fatalf("a site token listed as its bot's personal token: %s", tokenNames(bots))
	}
	if err := s.CreateToken(ctx, newToken(ann, "copy", first.Hash, false, now)); err == nil {
		t.Fatal("a second token with the same hash was stored")
	}
}

// tokensRevokeOnce: revoking records the time once, even when two revoke
// at once; unknown ids are ErrNotFound.
func tokensRevokeOnce(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[tokens.Store](t, b)
	ann := MustSignIn(t, b, "ann", "")
	tok := mustCreateToken(t, s, newToken(ann, "laptop", "bbbbbbbb01", false, Now()))
	if won := wins(t, 8, func(i int) (bool, error) {
		return s.RevokeToken(ctx, tok.ID, Now().Add(time.Duration(i+1)*time.Minute))
	}); won != 1 {
		t.Fatalf("%d revocations won, want exactly 1", won)
	}
	got, _ := s.Token(ctx, tok.ID)
	if !got.Revoked() || got.RevokedAt.Before(Now().Add(time.Minute)) {
		t.Fatalf("revoked at %v", got.RevokedAt)
	}
	_, err := s.RevokeToken(ctx, townhall.NewID(), Now())
	WantErr(t, err, tokens.ErrNotFound)
}

// tokensTouchOncePerWindow: a use is recorded unless one at or after
// "since" is already; many concurrent touches leave one of their times.
func tokensTouchOncePerWindow(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[tokens.Store](t, b)
	ann := MustSignIn(t, b, "ann", "")
	tok := mustCreateToken(t, s, newToken(ann, "laptop", "cccccccc01", false, Now()))
	used := func() time.Time {
		t.Helper()
		got, err := s.Token(ctx, tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.LastUsedAt
	}
	t1 := Now().Add(time.Hour)
	for _, st := range []struct {
		at, since, want time.Time
	}{
		{t1, t1.Add(-time.Minute), t1},                                          // never used: recorded
		{t1.Add(30 * time.Second), t1.Add(-30 * time.Second), t1},               // within the minute: kept
		{t1.Add(2 * time.Minute), t1.Add(time.Minute), t1.Add(2 * time.Minute)}, // later: moves
	} {
		if err := s.TouchToken(ctx, tok.ID, st.at, st.since); err != nil {
			t.Fatal(err)
		}
		if got := used(); !got.Equal(st.want) {
			t.Fatalf("touch at %v since %v: last used %v, want %v", st.at, st.since, got, st.want)
		}
	}
	t2 := t1.Add(time.Hour)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			if err := s.TouchToken(ctx, tok.ID, t2.Add(time.Duration(i)*time.Millisecond), t2.Add(-time.Minute)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := used(); got.Before(t2) || got.After(t2.Add(10*time.Millisecond)) {
		t.Fatalf("after concurrent touches last used %v, want one of theirs", got)
	}
}
