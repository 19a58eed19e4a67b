// Package storetest is the contract every storage backend must honour. A
// backend's tests call Run with a function that opens a fresh, empty store;
// each domain registers its own suite here, so a backend that passes Run
// behaves the same as every other for every feature.
package storetest

import (
	"context"
	"sort"
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

var suites = map[string]func(t *testing.T, open Opener){}

// register adds a feature's contract suite.
func register(name string, suite func(t *testing.T, open Opener)) { suites[name] = suite }

// Run runs every registered contract suite against the backend.
func Run(t *testing.T, open Opener) {
	names := make([]string, 0, len(suites))
	for n := range suites {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t.Run(n, func(t *testing.T) { suites[n](t, open) })
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
