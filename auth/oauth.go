package auth

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/github"
	"github.com/markbates/goth/providers/gitlab"
	"github.com/markbates/goth/providers/google"

	"github.com/townhall/townhall"
)

// OAuthConfig holds the client settings of every provider; a provider is
// enabled when its client id and secret (and issuer, for OIDC) are set.
type OAuthConfig struct {
	GitHubClientID, GitHubClientSecret string
	GitHubURL                          string // GitHub Enterprise Server; empty or https://github.com for github.com
	GoogleClientID, GoogleClientSecret string
	GitLabClientID, GitLabClientSecret string
	GitLabURL                          string // self-managed GitLab; empty for gitlab.com
	OIDCIssuer, OIDCClientID           string
	OIDCClientSecret, OIDCName         string
	// HTTPClient makes the requests to providers; nil is a client with a
	// 15 s timeout.
	HTTPClient *http.Client
}

// ProviderInfo is a sign-in button: the provider's route name and label.
type ProviderInfo struct {
	Name  string
	Label string
}

// OAuth runs sign-in through external identity providers. It uses Goth's
// providers but not gothic or Goth's global registry: the flow state lives
// in an encrypted, short-lived cookie, state is always generated here, and
// provider errors are handled before any code is exchanged.
type OAuth struct {
	providers map[string]goth.Provider
	infos     []ProviderInfo
	sealer    *sealer
	now       func() time.Time
}

// NewOAuth builds the enabled providers. baseURL is the site's public URL;
// each provider's callback is BASE_URL/auth/NAME/callback.
func NewOAuth(cfg OAuthConfig, secret []byte, baseURL string) (*OAuth, error) {
	s, err := newSealer(secret)
	if err != nil {
		return nil, err
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	base := strings.TrimRight(baseURL, "/")
	callback := func(name string) string { return base + "/auth/" + name + "/callback" }
	o := &OAuth{providers: map[string]goth.Provider{}, sealer: s, now: time.Now}
	add := func(label string, p goth.Provider) {
		o.providers[p.Name()] = p
		o.infos = append(o.infos, ProviderInfo{Name: p.Name(), Label: label})
	}
	if cfg.GitHubClientID != "" && cfg.GitHubClientSecret != "" {
		var p *github.Provider
		if gh := strings.TrimRight(cfg.GitHubURL, "/"); gh == "" || gh == "https://github.com" {
			p = github.New(cfg.GitHubClientID, cfg.GitHubClientSecret, callback("github"), "read:user", "user:email")
		} else {
			p = github.NewCustomisedURL(cfg.GitHubClientID, cfg.GitHubClientSecret, callback("github"),
				gh+"/login/oauth/authorize", gh+"/login/oauth/access_token", gh+"/api/v3/user", gh+"/api/v3/user/emails",
				"read:user", "user:email")
		}
		p.HTTPClient = client
		add("GitHub", p)
	}
	if cfg.GoogleClientID != "" && cfg.GoogleClientSecret != "" {
		p := google.New(cfg.GoogleClientID, cfg.GoogleClientSecret, callback("google"), "openid", "email", "profile")
		p.HTTPClient = client
		add("Google", p)
	}
	if cfg.GitLabClientID != "" && cfg.GitLabClientSecret != "" {
		gl := strings.TrimRight(cfg.GitLabURL, "/")
		if gl == "" {
			gl = "https://gitlab.com"
		}
		// goth's default profile URL is the long-gone API v3; use v4.
		p := gitlab.NewCustomisedURL(cfg.GitLabClientID, cfg.GitLabClientSecret, callback("gitlab"),
			gl+"/oauth/authorize", gl+"/oauth/token", gl+"/api/v4/user", "read_user")
		p.HTTPClient = client
		add("GitLab", p)
	}
	if cfg.OIDCIssuer != "" && cfg.OIDCClientID != "" && cfg.OIDCClientSecret != "" {
		label := cfg.OIDCName
		if label == "" {
			label = "OpenID Connect"
		}
		add(label, newOIDCProvider(cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret, callback("oidc"), client))
	}
	return o, nil
}

// Providers lists the enabled providers in sign-in page order.
func (o *OAuth) Providers() []ProviderInfo { return o.infos }

// Begin starts a sign-in with the named provider: it returns the provider's
// authorization URL to redirect to and the flow cookie value to set. The
// state is always fresh randomness; a client cannot choose it. next must
// already be a local path.
func (o *OAuth) Begin(name, next string) (authURL, cookie string, err error) {
	return o.begin(name, next, false)
}

// BeginFresh starts a sign-in like Begin whose identity, once verified,
// starts a new account if its owner deleted the earlier one (Identity.Fresh):
// the sign-in page offers it after telling them so.
func (o *OAuth) BeginFresh(name, next string) (authURL, cookie string, err error) {
	return o.begin(name, next, true)
}

func (o *OAuth) begin(name, next string, fresh bool) (authURL, cookie string, err error) {
	p, ok := o.providers[name]
	if !ok {
		return "", "", townhall.Errorf(townhall.ENOTFOUND, "There is no sign-in provider called %q.", name)
	}
	state := randomString(32)
	sess, err := p.BeginAuth(state)
	if err != nil {
		return "", "", fmt.Errorf("%w (%v)", townhall.Errorf(townhall.EUNAVAILABLE, "%s sign-in is not reachable right now. Please try again later.", o.label(name)), err)
	}
	authURL, err = sess.GetAuthURL()
	if err != nil {
		return "", "", err
	}
	cookie, err = o.sealer.seal(&flow{Provider: name, State: state, Session: sess.Marshal(), Next: next, Fresh: fresh, Expires: o.now().Add(FlowTTL).Unix()})
	return authURL, cookie, err
}

// Complete finishes a sign-in at the provider's callback: query is the
// callback's query string and cookie the flow cookie value. It returns the
// verified identity and where to send the browser next. Errors carry a
// message for the sign-in page; the wrapped detail is for logs.
func (o *OAuth) Complete(name, cookie string, query url.Values) (Identity, string, error) {
	p, ok := o.providers[name]
	if !ok {
		return Identity{}, "", townhall.Errorf(townhall.ENOTFOUND, "There is no sign-in provider called %q.", name)
	}
	label := o.label(name)
	if e := query.Get("error"); e != "" {
		if e == "access_denied" {
			return Identity{}, "", townhall.Errorf(townhall.EFORBIDDEN, "Sign-in with %s was cancelled. You can try again, or choose another way to sign in.", label)
		}
		return Identity{}, "", fmt.Errorf("%w (%s: %.200s)", townhall.Errorf(townhall.EINVALID, "%s could not sign you in (%.60s). Please try again.", label, e), e, query.Get("error_description"))
	}
	expired := townhall.Errorf(townhall.EINVALID, "This sign-in expired or was started in another browser. Please try again.")
	if cookie == "" {
		return Identity{}, "", expired
	}
	f, err := o.sealer.open(cookie, o.now())
	if err != nil {
		return Identity{}, "", fmt.Errorf("%w (%v)", expired, err)
	}
	if f.Provider != name || subtle.ConstantTimeCompare([]byte(f.State), []byte(query.Get("state"))) != 1 {
		return Identity{}, "", townhall.Errorf(townhall.EINVALID, "This sign-in could not be verified (the state did not match). Please start again.")
	}
	if query.Get("code") == "" {
		return Identity{}, "", townhall.Errorf(townhall.EINVALID, "%s did not send a sign-in code. Please try again.", label)
	}
	failed := townhall.Errorf(townhall.EINVALID, "Sign-in with %s could not be completed. Please try again.", label)
	sess, err := p.UnmarshalSession(f.Session)
	if err != nil {
		return Identity{}, "", fmt.Errorf("%w (session: %v)", failed, err)
	}
	if _, err := sess.Authorize(p, query); err != nil {
		return Identity{}, "", fmt.Errorf("%w (%v)", failed, err)
	}
	u, err := p.FetchUser(sess)
	if err != nil {
		return Identity{}, "", fmt.Errorf("%w (fetch user: %v)", failed, err)
	}
	name2 := u.Name
	if strings.TrimSpace(name2) == "" {
		name2 = u.NickName
	}
	return Identity{Provider: name, Subject: u.UserID, Name: name2, Email: u.Email, AvatarURL: u.AvatarURL, Fresh: f.Fresh}, f.Next, nil
}

func (o *OAuth) label(name string) string {
	for _, i := range o.infos {
		if i.Name == name {
			return i.Label
		}
	}
	return name
}
