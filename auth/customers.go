package auth

import (
	"context"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/townhall/townhall"
)

// Providers of accounts nobody signs in to with a provider of their own.
const (
	// ProviderBot is the provider of a site token's bot user.
	ProviderBot = "bot"
	// ProviderEmail is the provider of a customer the product team
	// recorded by email (a vote on their behalf) before they had an
	// account; its subject is the lowercased address. The customer's
	// first sign-in with that address takes the account over.
	ProviderEmail = "email"
)

// joins reports whether a new account from provider is a person joining
// (and so a user.joined event): bots and customers recorded by email are
// not, until they sign in.
func joins(provider string) bool { return provider != ProviderBot && provider != ProviderEmail }

func (s *Service) emitJoined(ctx context.Context, u *townhall.User) {
	townhall.Emit(ctx, s.Events, townhall.Event{Type: townhall.EventUserJoined, At: s.now(), Actor: u, URL: "/u/" + u.Handle,
		Summary: u.Name + " joined the community", Data: map[string]any{"user": townhall.UserData(u)}})
}

// CustomerStore finds people by email address, for votes the product team
// records on a customer's behalf. Both backends implement it.
type CustomerStore interface {
	// UserByEmail returns the oldest user whose email address is key
	// (lowercased), and whether it is a placeholder nobody has signed in
	// to yet (its identity is ProviderEmail's). ErrUserNotFound.
	UserByEmail(ctx context.Context, key string) (u *townhall.User, placeholder bool, err error)
}

// MaxEmail is the longest email address there is (RFC 5321 path limit).
const MaxEmail = 254

// EmailKey validates a bare email address and returns it lowercased, as
// accounts are found by it.
func EmailKey(addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != addr || len(addr) > MaxEmail || !utf8.ValidString(addr) {
		return "", townhall.Errorf(townhall.EINVALID, "%.80q is not an email address.", addr)
	}
	return strings.ToLower(addr), nil
}

// Customer returns the person with the given @handle or email address;
// an address nobody signed in with yet gets a placeholder account
// (pending true), which that person's first sign-in with the address takes
// over, with everything recorded for it. ideas.Service uses it to record
// votes on a customer's behalf.
func (s *Service) Customer(ctx context.Context, ref string) (*townhall.User, bool, error) {
	ref = strings.TrimSpace(ref)
	if strings.Contains(ref, "@") && !strings.HasPrefix(ref, "@") {
		key, err := EmailKey(ref)
		if err != nil {
			return nil, false, err
		}
		cs, ok := s.store.(CustomerStore)
		if !ok {
			return nil, false, townhall.Errorf(townhall.EINTERNAL, "auth: the store cannot find people by email")
		}
		u, placeholder, err := cs.UserByEmail(ctx, key)
		if townhall.ErrorCode(err) != townhall.ENOTFOUND {
			return u, placeholder, err
		}
		local, _, _ := strings.Cut(key, "@")
		u, err = s.SignIn(ctx, Identity{Provider: ProviderEmail, Subject: key, Name: local, Email: key})
		return u, true, err
	}
	handle := strings.TrimPrefix(ref, "@")
	if handle == "" || len(handle) > 60 {
		return nil, false, townhall.Errorf(townhall.EINVALID, "Customer must be a member's @handle or an email address.")
	}
	u, err := s.UserByHandle(ctx, handle)
	if townhall.ErrorCode(err) == townhall.ENOTFOUND {
		return nil, false, townhall.Errorf(townhall.EINVALID,
			"No member has the handle @%s. To record a customer who has no account yet, give their email address.", handle)
	}
	return u, false, err
}
