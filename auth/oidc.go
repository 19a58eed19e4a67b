package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/markbates/goth"
	"golang.org/x/oauth2"
)

// oidcProvider is a goth.Provider for any OpenID Connect issuer. goth's own
// openidConnect provider sends neither PKCE nor a nonce and does not verify
// the ID token's signature; this one does all three, through go-oidc.
// Discovery happens on first use, so the site starts even while the
// identity provider is down.
type oidcProvider struct {
	name         string
	issuer       string
	clientID     string
	clientSecret string
	callbackURL  string
	client       *http.Client

	mu       sync.Mutex
	provider *oidc.Provider
}

func newOIDCProvider(issuer, clientID, clientSecret, callbackURL string, client *http.Client) *oidcProvider {
	return &oidcProvider{
		name:         "oidc",
		issuer:       issuer, // exactly as configured: go-oidc compares it with the discovered issuer, trailing slash included
		clientID:     clientID,
		clientSecret: clientSecret,
		callbackURL:  callbackURL,
		client:       client,
	}
}

func (p *oidcProvider) Name() string        { return p.name }
func (p *oidcProvider) SetName(name string) { p.name = name }
func (p *oidcProvider) Debug(bool)          {}

// RefreshTokenAvailable is false: Townhall only signs people in and keeps
// no provider tokens.
func (p *oidcProvider) RefreshTokenAvailable() bool { return false }

func (p *oidcProvider) RefreshToken(string) (*oauth2.Token, error) {
	return nil, errors.New("oidc: refresh tokens are not used")
}

// ctx returns a bounded context that makes go-oidc and x/oauth2 use our client.
func (p *oidcProvider) ctx() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	return oidc.ClientContext(ctx, p.client), cancel
}

// discover fetches the issuer's configuration once; a failure is retried
// on the next sign-in.
func (p *oidcProvider) discover() (*oidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.provider != nil {
		return p.provider, nil
	}
	ctx, cancel := p.ctx()
	defer cancel()
	prov, err := oidc.NewProvider(ctx, p.issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery at %s: %w", p.issuer, err)
	}
	p.provider = prov
	return prov, nil
}

func (p *oidcProvider) config(prov *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     p.clientID,
		ClientSecret: p.clientSecret,
		RedirectURL:  p.callbackURL,
		Endpoint:     prov.Endpoint(),
		Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

// BeginAuth starts the authorization code flow with a fresh PKCE verifier
// and nonce, both kept in the (encrypted) session.
func (p *oidcProvider) BeginAuth(state string) (goth.Session, error) {
	prov, err := p.discover()
	if err != nil {
		return nil, err
	}
	s := &oidcSession{Verifier: oauth2.GenerateVerifier(), Nonce: randomString(24)}
	s.AuthURL = p.config(prov).AuthCodeURL(state, oauth2.S256ChallengeOption(s.Verifier), oidc.Nonce(s.Nonce))
	return s, nil
}

func (p *oidcProvider) UnmarshalSession(data string) (goth.Session, error) {
	s := &oidcSession{}
	err := json.Unmarshal([]byte(data), s)
	return s, err
}

// FetchUser returns the person the verified ID token names.
func (p *oidcProvider) FetchUser(gs goth.Session) (goth.User, error) {
	s, ok := gs.(*oidcSession)
	if !ok || s.Subject == "" {
		return goth.User{}, errors.New("oidc: the session has no verified ID token")
	}
	name := s.Name
	if name == "" {
		name = s.PreferredUsername
	}
	return goth.User{
		Provider:  p.name,
		UserID:    s.Subject,
		Name:      name,
		NickName:  s.PreferredUsername,
		Email:     s.Email,
		AvatarURL: s.Picture,
	}, nil
}

// oidcSession is one sign-in in progress, then its verified claims.
type oidcSession struct {
	AuthURL  string `json:"auth_url"`
	Verifier string `json:"verifier"`
	Nonce    string `json:"nonce"`

	Subject           string `json:"sub,omitempty"`
	Name              string `json:"name,omitempty"`
	PreferredUsername string `json:"preferred_username,omitempty"`
	Email             string `json:"email,omitempty"`
	Picture           string `json:"picture,omitempty"`
}

func (s *oidcSession) GetAuthURL() (string, error) { return s.AuthURL, nil }

func (s *oidcSession) Marshal() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Authorize exchanges the code (proving the PKCE verifier), then verifies
// the ID token: signature against the issuer's keys, issuer, audience,
// expiry, and that its nonce is the one this session sent.
func (s *oidcSession) Authorize(gp goth.Provider, params goth.Params) (string, error) {
	p, ok := gp.(*oidcProvider)
	if !ok {
		return "", errors.New("oidc: wrong provider for session")
	}
	prov, err := p.discover()
	if err != nil {
		return "", err
	}
	ctx, cancel := p.ctx()
	defer cancel()
	tok, err := p.config(prov).Exchange(ctx, params.Get("code"), oauth2.VerifierOption(s.Verifier))
	if err != nil {
		return "", fmt.Errorf("oidc: exchange code: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", errors.New("oidc: the token response has no id_token")
	}
	idt, err := prov.Verifier(&oidc.Config{ClientID: p.clientID}).Verify(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("oidc: verify ID token: %w", err)
	}
	if idt.Nonce == "" || idt.Nonce != s.Nonce {
		return "", errors.New("oidc: the ID token's nonce does not match this sign-in")
	}
	var claims struct {
		Name              string `json:"name"`
		PreferredUsername string `json:"preferred_username"`
		Email             string `json:"email"`
		Picture           string `json:"picture"`
	}
	if err := idt.Claims(&claims); err != nil {
		return "", fmt.Errorf("oidc: ID token claims: %w", err)
	}
	s.Subject = idt.Subject
	s.Name, s.PreferredUsername, s.Email, s.Picture = claims.Name, claims.PreferredUsername, claims.Email, claims.Picture
	return tok.AccessToken, nil
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
