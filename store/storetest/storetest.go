// Package storetest is the contract every storage backend must honour. A
// backend's tests call Run with a function that opens a fresh, empty store;
// each domain lists its rules as named cases (ideaCases, forumCases, ...), so
// a backend that passes Run behaves the same as every other for every
// feature, and a failure names the rule that broke.
package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/notify"
)

// Backend is the part of a store every backend has; feature suites assert
// the backend to their own Store interface.
type Backend interface {
	auth.Store
	notify.Store
	Changes(ctx context.Context, after int64, limit int) ([]townhall.Change, error)
	SearchDocument(ctx context.Context, kind, id string) (*townhall.SearchDoc, error)
}

// Opener opens a fresh, empty backend that lives until the test ends.
type Opener func(t *testing.T) Backend

// A Case is one named rule of the contract; it opens its own backend.
type Case struct {
	Name string
	Test func(t *testing.T, open Opener)
}

// suites lists every feature's cases, so a failure reads
// "TestSQLite/ideas/VoteIsIdempotent": the rule that broke.
var suites = []struct {
	name  string
	cases []Case
}{
	{"accounts", accountCases},
	{"audit", auditCases},
	{"auth", authCases},
	{"changelog", changelogCases},
	{"email", emailCases},
	{"forum", forumCases},
	{"idea_moderation", ideaModerationCases},
	{"ideas", ideaCases},
	{"insights", insightCases},
	{"jobs", jobCases},
	{"loyalty", loyaltyCases},
	{"moderation", moderationCases},
	{"notify", notifyCases},
	{"on_behalf", onBehalfCases},
	{"reviews", reviewCases},
	{"tokens", tokenCases},
	{"visits", visitCases},
	{"webhooks", webhookCases},
}

// Run runs every case of every suite against the backend.
func Run(t *testing.T, open Opener) {
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) {
			for _, c := range s.cases {
				t.Run(c.Name, func(t *testing.T) { c.Test(t, open) })
			}
		})
	}
}

// MustSignIn creates (or finds) a user for a dev identity.
func MustSignIn(t *testing.T, s auth.Store, name string, role townhall.Role) *townhall.User {
	t.Helper()
	u, _, err := s.SignIn(context.Background(), auth.Identity{Provider: "dev", Subject: name, Name: name, Role: role}, Now())
	if err != nil {
		t.Fatalf("sign in %s: %v", name, err)
	}
	return u
}

// As asserts that b implements store interface S, failing the test otherwise.
func As[S any](t *testing.T, b Backend) S {
	t.Helper()
	s, ok := b.(S)
	if !ok {
		var zero *S
		t.Fatalf("backend %T does not implement %T", b, zero)
	}
	return s
}

// WantCode fails the test unless err carries the given townhall error code.
func WantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := townhall.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// WantErr fails the test unless err is want, the error value a domain
// package declares: the same code and the same words from every backend.
func WantErr(t *testing.T, err error, want *townhall.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %q (%v), want %q (%s)", townhall.ErrorMessage(err), err, want.Message, want.Code)
	}
}
