package auth

import (
	"context"

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
