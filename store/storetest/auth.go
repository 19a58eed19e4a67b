package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
)

// authCases are the auth rules of the contract, each run on a fresh backend.
var authCases = []Case{
	{"FirstUserIsAdmin", authFirstUserIsAdmin},
	{"HandlesAreUnique", authHandlesAreUnique},
	{"ConcurrentFirstSignInsMakeOneAdmin", authConcurrentFirstSignInsMakeOneAdmin},
	{"RolesKeepTheLastAdmin", authRolesKeepTheLastAdmin},
	{"SegmentsAndVerification", authSegmentsAndVerification},
	{"SessionsExpireAndDelete", authSessionsExpireAndDelete},
}

// authFirstUserIsAdmin: first user is admin, later ones members, identities stable.
func authFirstUserIsAdmin(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	first := MustSignIn(t, s, "Ada", "")
	second := MustSignIn(t, s, "Bob", "")
	if first.Role != townhall.RoleAdmin || second.Role != townhall.RoleMember {
		t.Fatalf("roles = %s, %s; want admin, member", first.Role, second.Role)
	}
	again, created, err := s.SignIn(ctx, auth.Identity{Provider: "dev", Subject: "Ada", Name: "Ada L."}, Now())
	if err != nil || created || again.ID != first.ID || again.Name != "Ada L." {
		t.Fatalf("re-sign-in = %+v created=%v err=%v; want same user, renamed", again, created, err)
	}
	other, created, err := s.SignIn(ctx, auth.Identity{Provider: "github", Subject: "Ada", Name: "Ada"}, Now())
	if err != nil || !created || other.ID == first.ID {
		t.Fatalf("same subject on another provider must be a new user: %+v %v %v", other, created, err)
	}
}

// authHandlesAreUnique: handles are unique.
func authHandlesAreUnique(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	cases := []struct{ subject, name, handle string }{
		{"1", "Jo Smith", "jo-smith"},
		{"2", "jo smith", "jo-smith-2"},
		{"3", "JO  SMITH!", "jo-smith-3"},
		{"4", "日本", "member"},
		{"6", "Lucía Núñez-Søren", "lucia-nunez-s-ren"},
		{"7", "Zoë", "zoe"},
		{"5", "", "member-2"},
	}
	for _, c := range cases {
		u, _, err := s.SignIn(ctx, auth.Identity{Provider: "dev", Subject: c.subject, Name: c.name}, Now())
		if err != nil {
			t.Fatal(err)
		}
		if u.Handle != c.handle {
			t.Errorf("name %q: handle %q, want %q", c.name, u.Handle, c.handle)
		}
		byHandle, err := s.UserByHandle(ctx, c.handle)
		if err != nil || byHandle.ID != u.ID {
			t.Errorf("UserByHandle(%q) = %v, %v", c.handle, byHandle, err)
		}
	}
}

// authConcurrentFirstSignInsMakeOneAdmin: concurrent first sign-ins make exactly one admin.
func authConcurrentFirstSignInsMakeOneAdmin(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("u%d", i)
			if _, _, err := s.SignIn(ctx, auth.Identity{Provider: "dev", Subject: name, Name: name}, Now()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	users, err := s.Users(ctx, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	admins := 0
	for _, u := range users {
		if u.Role == townhall.RoleAdmin {
			admins++
		}
	}
	if len(users) != 8 || admins != 1 {
		t.Fatalf("%d users, %d admins; want 8 and 1", len(users), admins)
	}
}

// authRolesKeepTheLastAdmin: roles and the last admin.
func authRolesKeepTheLastAdmin(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	admin := MustSignIn(t, s, "admin", "")
	member := MustSignIn(t, s, "member", "")
	WantErr(t, s.SetRole(ctx, admin.ID, townhall.RoleMember), auth.ErrLastAdmin)
	if err := s.SetRole(ctx, member.ID, townhall.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRole(ctx, admin.ID, townhall.RoleProduct); err != nil {
		t.Fatalf("demoting one of two admins: %v", err)
	}
	u, _ := s.User(ctx, admin.ID)
	if u.Role != townhall.RoleProduct {
		t.Fatalf("role = %s, want product", u.Role)
	}
	WantErr(t, s.SetRole(ctx, townhall.NewID(), townhall.RoleAdmin), auth.ErrUserNotFound)
	_, err := s.User(ctx, townhall.NewID())
	WantErr(t, err, auth.ErrUserNotFound)
}

// authSegmentsAndVerification: segments and verification.
func authSegmentsAndVerification(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	u := MustSignIn(t, s, "cust", "")
	seg := &townhall.Segment{ID: townhall.NewID(), Name: "Enterprise", Weight: 5, Verified: true}
	if err := s.SaveSegment(ctx, seg); err != nil {
		t.Fatal(err)
	}
	WantErr(t, s.SaveSegment(ctx, &townhall.Segment{ID: townhall.NewID(), Name: "enterprise", Weight: 1}), auth.ErrSegmentNameTaken("enterprise"))
	if err := s.SetUserSegment(ctx, u.ID, seg.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := s.User(ctx, u.ID)
	if got.SegmentID != seg.ID || !got.Verified {
		t.Fatalf("user = %+v; want in segment and verified through it", got)
	}
	if err := s.DeleteSegment(ctx, seg.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = s.User(ctx, u.ID)
	if got.SegmentID != "" || got.Verified {
		t.Fatalf("after segment deletion user = %+v; want unsegmented, unverified", got)
	}
	if err := s.SetUserVerified(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	got, _ = s.User(ctx, u.ID)
	if !got.Verified {
		t.Fatal("user flag did not verify")
	}
	_, err := s.Segment(ctx, seg.ID)
	WantErr(t, err, auth.ErrSegmentNotFound)
}

// authSessionsExpireAndDelete: sessions expire and delete.
func authSessionsExpireAndDelete(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	u := MustSignIn(t, s, "s", "")
	now := Now()
	for i, exp := range []time.Duration{time.Hour, -time.Hour} {
		if err := s.CreateSession(ctx, &auth.Session{TokenHash: fmt.Sprint("h", i), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(exp)}); err != nil {
			t.Fatal(err)
		}
	}
	got, sess, err := s.SessionUser(ctx, "h0", now)
	if err != nil || got.ID != u.ID || !sess.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("live session: %v %v %v", got, sess, err)
	}
	_, _, err = s.SessionUser(ctx, "h1", now)
	WantErr(t, err, auth.ErrSessionNotFound)
	if n, err := s.DeleteExpiredSessions(ctx, now); err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1", n, err)
	}
	if err := s.ExtendSession(ctx, "h0", now.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionUser(ctx, "h0", now.Add(24*time.Hour)); err != nil {
		t.Fatalf("extended session: %v", err)
	}
	if err := s.DeleteSession(ctx, "h0"); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.SessionUser(ctx, "h0", now)
	WantErr(t, err, auth.ErrSessionNotFound)
}
