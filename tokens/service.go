package tokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/audit"
	"github.com/townhall/townhall/auth"
)

// Users is what tokens need of accounts: creating a site token's bot user
// and reading whom a token acts as; auth.Service implements it.
type Users interface {
	SignIn(ctx context.Context, id auth.Identity) (*townhall.User, error)
	User(ctx context.Context, id string) (*townhall.User, error)
}

// Service is the token rules: who may create, list and revoke which
// tokens, and what a presented secret is worth.
type Service struct {
	store Store
	users Users
	staff *audit.Log
	now   func() time.Time
	// OnTouchError is told when a token's last use could not be
	// recorded; nil ignores it.
	OnTouchError func(error)
}

// NewService returns a Service; staff (the staff log) may be nil.
func NewService(store Store, users Users, staff *audit.Log) *Service {
	return &Service{store: store, users: users, staff: staff, now: time.Now}
}

// SetClock replaces the clock; tests use it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Input is a token to create, as the settings form or the API sends it.
// ExpiresInDays nil means DefaultDays, 0 never.
type Input struct {
	Name          string
	Scopes        []string
	ExpiresInDays *int
}

// SiteInput is a site token to create: the token and the bot user it acts
// as, with that user's name and role.
type SiteInput struct {
	Input
	Bot  string
	Role townhall.Role
}

// Created is a new token with its secret, which exists only here: show it
// once, it cannot be read again.
type Created struct {
	Token  *Token
	Secret string
	User   *townhall.User // whom it acts as (the bot, for site tokens)
}

func days(n int) *int { return &n }

// clean validates in against the token the request came with (nil for a
// browser session): a token cannot make one with more scopes or a longer
// life than its own.
func (s *Service) clean(in Input, via *Token) (*Token, error) {
	name, err := townhall.CleanText("Name", in.Name, 1, MaxName)
	if err != nil {
		return nil, err
	}
	if len(in.Scopes) == 0 {
		return nil, townhall.Errorf(townhall.EINVALID, "Scopes must list at least one of read and write.")
	}
	var scopes []string
	for _, sc := range in.Scopes {
		sc = strings.ToLower(strings.TrimSpace(sc))
		if !slices.Contains(Scopes, sc) {
			return nil, townhall.Errorf(townhall.EINVALID, "Scopes: %.30q is not a scope; use read and/or write.", sc)
		}
		if via != nil && !via.Allows(sc) {
			return nil, townhall.Errorf(townhall.EFORBIDDEN, "A token can only create tokens with its own scopes; this one lacks %s.", sc)
		}
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	slices.Sort(scopes)
	if in.ExpiresInDays == nil {
		in.ExpiresInDays = days(DefaultDays)
	}
	d := *in.ExpiresInDays
	if d < 0 || d > MaxDays {
		return nil, townhall.Errorf(townhall.EINVALID, "Expires in days must be from 1 to %d, or 0 for a token that never expires.", MaxDays)
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	t := &Token{ID: townhall.NewID(), Name: name, Scopes: scopes, CreatedAt: now}
	if d > 0 {
		t.ExpiresAt = now.Add(time.Duration(d) * 24 * time.Hour)
	}
	if via != nil && !via.ExpiresAt.IsZero() && (t.ExpiresAt.IsZero() || t.ExpiresAt.After(via.ExpiresAt)) {
		return nil, townhall.Errorf(townhall.EFORBIDDEN, "A token can only create tokens that expire no later than itself (%s).", via.ExpiresAt.Format(time.DateOnly))
	}
	return t, nil
}

// newSecret makes a token's secret and its hash and list prefix.
func newSecret(t *Token) string {
	var b [20]byte
	rand.Read(b[:])
	secret := SecretPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
	t.Hash = Hash(secret)
	t.Prefix = secret[:len(SecretPrefix)+6]
	return secret
}

// Hash is what the store keeps of a secret.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Create makes a personal token for actor; via is the token the request
// was authenticated with, nil for a browser session.
func (s *Service) Create(ctx context.Context, actor *townhall.User, via *Token, in Input) (*Created, error) {
	if actor == nil {
		return nil, townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in to create API tokens.")
	}
	t, err := s.clean(in, via)
	if err != nil {
		return nil, err
	}
	mine, err := s.store.UserTokens(ctx, actor.ID, listTokensMost)
	if err != nil {
		return nil, err
	}
	active := 0
	for _, m := range mine {
		if m.Active(t.CreatedAt) {
			active++
		}
	}
	if active >= MaxActive {
		return nil, townhall.Errorf(townhall.ECONFLICT, "You have %d active tokens, the most one person can have; revoke one you no longer use first.", active)
	}
	t.UserID, t.CreatedBy = actor.ID, actor.ID
	secret := newSecret(t)
	if err := s.store.CreateToken(ctx, t); err != nil {
		return nil, err
	}
	return &Created{Token: t, Secret: secret, User: actor}, nil
}

func requireAdmin(actor *townhall.User) error {
	if actor == nil {
		return townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in.")
	}
	if actor.Role != townhall.RoleAdmin {
		return townhall.Errorf(townhall.EFORBIDDEN, "Only admins can manage site tokens.")
	}
	return nil
}

// CreateSite makes a site token and the bot user it acts as. Admins only;
// the staff log records it.
func (s *Service) CreateSite(ctx context.Context, actor *townhall.User, via *Token, in SiteInput) (*Created, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	t, err := s.clean(in.Input, via)
	if err != nil {
		return nil, err
	}
	bot, err := townhall.CleanText("Bot name", in.Bot, 1, 60)
	if err != nil {
		return nil, err
	}
	if in.Role == "" {
		in.Role = townhall.RoleMember
	}
	if !in.Role.Valid() {
		return nil, townhall.Errorf(townhall.EINVALID, "Role must be member, moderator, product or admin (got %.20q).", in.Role)
	}
	u, err := s.users.SignIn(ctx, auth.Identity{Provider: auth.ProviderBot, Subject: t.ID, Name: bot, Role: in.Role})
	if err != nil {
		return nil, err
	}
	t.UserID, t.CreatedBy, t.Site = u.ID, actor.ID, true
	t.UserName, t.UserHandle, t.UserRole = u.Name, u.Handle, u.Role
	secret := newSecret(t)
	if err := s.store.CreateToken(ctx, t); err != nil {
		return nil, err
	}
	s.staff.Record(ctx, actor, audit.Action{Action: "token.create_site", TargetKind: "token", TargetID: t.ID, Target: t.Name,
		After: map[string]any{"name": t.Name, "bot": "@" + u.Handle, "role": u.Role, "scopes": t.Scopes, "expires_at": t.ExpiresAt}})
	return &Created{Token: t, Secret: secret, User: u}, nil
}

// List returns actor's personal tokens, newest first.
func (s *Service) List(ctx context.Context, actor *townhall.User) ([]*Token, error) {
	if actor == nil {
		return nil, townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in to see your API tokens.")
	}
	return s.store.UserTokens(ctx, actor.ID, listTokensMost)
}

// SiteTokens returns the site tokens, newest first. Admins only.
func (s *Service) SiteTokens(ctx context.Context, actor *townhall.User) ([]*Token, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	return s.store.SiteTokens(ctx, listTokensMost)
}

// Revoke ends a token at once. People revoke their own tokens; admins
// revoke site tokens and anyone's (both kept in the staff log). Revoking a
// revoked token is harmless.
func (s *Service) Revoke(ctx context.Context, actor *townhall.User, id string) (*Token, error) {
	if actor == nil {
		return nil, townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in.")
	}
	if !townhall.ValidID(id) {
		return nil, ErrNotFound
	}
	t, err := s.store.Token(ctx, id)
	if err != nil {
		return nil, err
	}
	own := !t.Site && t.UserID == actor.ID
	if !own && actor.Role != townhall.RoleAdmin {
		return nil, ErrNotFound // others' tokens do not exist for you
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	revoked, err := s.store.RevokeToken(ctx, id, now)
	if err != nil {
		return nil, err
	}
	if revoked {
		t.RevokedAt = now
		if !own {
			action := "token.revoke"
			if t.Site {
				action = "token.revoke_site"
			}
			s.staff.Record(ctx, actor, audit.Action{Action: action, TargetKind: "token", TargetID: t.ID, Target: t.Name,
				Before: map[string]any{"revoked": false}, After: map[string]any{"revoked": true}})
		}
	}
	return t, nil
}

// Authenticate returns the user a bearer secret acts as, and its token:
// ErrInvalid, ErrRevoked or ErrExpired when it acts as nobody. A use is
// recorded at most once per TouchEvery.
func (s *Service) Authenticate(ctx context.Context, secret string) (*townhall.User, *Token, error) {
	if !strings.HasPrefix(secret, SecretPrefix) || len(secret) > 100 {
		return nil, nil, ErrInvalid
	}
	t, err := s.store.TokenByHash(ctx, Hash(secret))
	if townhall.ErrorCode(err) == townhall.ENOTFOUND {
		return nil, nil, ErrInvalid
	} else if err != nil {
		return nil, nil, err
	}
	now := s.now()
	switch {
	case t.Revoked():
		return nil, nil, ErrRevoked
	case t.Expired(now):
		return nil, nil, ErrExpired
	}
	u, err := s.users.User(ctx, t.UserID)
	if townhall.ErrorCode(err) == townhall.ENOTFOUND || err == nil && !u.DeletedAt.IsZero() {
		return nil, nil, ErrInvalid // a deleted account's tokens end with it
	} else if err != nil {
		return nil, nil, err
	}
	if u.Suspended(now) { // a suspended person's tokens rest with their sign-in
		return nil, nil, townhall.Errorf(townhall.EUNAUTHORIZED, "The account of this token is suspended until %s.",
			u.SuspendedUntil.UTC().Format("2 January 2006, 15:04 MST"))
	}
	if now.Sub(t.LastUsedAt) >= TouchEvery {
		// A lost "last used" must not fail the request it describes.
		if err := s.store.TouchToken(ctx, t.ID, now.UTC().Truncate(time.Millisecond), now.Add(-TouchEvery)); err != nil && s.OnTouchError != nil {
			s.OnTouchError(fmt.Errorf("record token use: %w", err))
		}
	}
	return u, t, nil
}
