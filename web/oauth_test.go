package web_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	capoidc "github.com/hashicorp/cap/oidc"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/auth"
)

// fixedVerifier tells the test provider which PKCE verifier to expect.
type fixedVerifier string

func (v fixedVerifier) Verifier() string                { return string(v) }
func (v fixedVerifier) Challenge() string               { return s256(string(v)) }
func (v fixedVerifier) Method() capoidc.ChallengeMethod { return capoidc.S256 }
func (v fixedVerifier) Copy() capoidc.CodeVerifier      { return v }
func s256(v string) string {
	h := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// pkceCheck sits between Townhall and the test provider. The provider only
// compares the verifier with one it was told, so this transport checks the
// real PKCE property (S256(verifier) == the challenge sent to /authorize)
// and then tells the provider the verifier. It also counts token requests.
type pkceCheck struct {
	tp *capoidc.TestProvider
	t  *testing.T

	mu        sync.Mutex
	challenge string
	tokens    int
	verified  int
}

func (p *pkceCheck) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == "/token" {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		v := form.Get("code_verifier")
		p.mu.Lock()
		p.tokens++
		if v != "" && s256(v) == p.challenge {
			p.verified++
		}
		p.mu.Unlock()
		p.tp.SetPKCEVerifier(fixedVerifier(v))
	}
	return http.DefaultTransport.RoundTrip(req)
}

type oidcEnv struct {
	env  *apptest.Env
	tp   *capoidc.TestProvider
	pkce *pkceCheck
}

func startOIDC(t *testing.T) *oidcEnv {
	t.Helper()
	tp := capoidc.StartTestProvider(t, capoidc.WithNoTLS())
	tp.SetClientCreds("townhall-test", "test-secret")
	tp.SetSupportedScopes("openid", "email", "profile")
	tp.SetExpectedAuthCode("auth-code-1")
	tp.SetExpectedSubject("olive-123")
	tp.SetCustomClaims(map[string]any{"name": "Olive Oidc", "email": "olive@example.com"})
	pk := &pkceCheck{tp: tp, t: t}
	env := apptest.Start(t, apptest.WithConfig(func(c *app.Config) {
		c.OIDCIssuer, c.OIDCClientID, c.OIDCClientSecret, c.OIDCName = tp.Addr(), "townhall-test", "test-secret", "Acme SSO"
		c.OAuthHTTPClient = &http.Client{Transport: pk}
	}))
	tp.SetAllowedRedirectURIs([]string{env.URL + "/auth/oidc/callback"})
	return &oidcEnv{env: env, tp: tp, pkce: pk}
}

// begin starts a sign-in and returns the provider's authorization URL.
func (o *oidcEnv) begin(t *testing.T, c *apptest.Client, query string) *url.URL {
	t.Helper()
	res, body := c.Get("/auth/oidc" + query)
	if res.StatusCode != http.StatusFound {
		t.Fatalf("begin: status %d: %.500s", res.StatusCode, body)
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), o.tp.Addr()+"/authorize") {
		t.Fatalf("begin redirected to %q, want the provider's /authorize", res.Header.Get("Location"))
	}
	q := loc.Query()
	if q.Get("nonce") == "" || q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256" {
		t.Fatalf("authorization request lacks a nonce or S256 PKCE challenge: %s", loc.RawQuery)
	}
	o.pkce.mu.Lock()
	o.pkce.challenge = q.Get("code_challenge")
	o.pkce.mu.Unlock()
	o.tp.SetExpectedAuthNonce(q.Get("nonce"))
	return loc
}

// authorize plays the browser at the provider and returns the callback path.
func (o *oidcEnv) authorize(t *testing.T, authURL *url.URL) string {
	t.Helper()
	// The test provider reads each scope from its own scope parameter
	// rather than splitting the standard space-separated list; adapt.
	u := *authURL
	q := u.Query()
	q["scope"] = strings.Fields(q.Get("scope"))
	u.RawQuery = q.Encode()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cb := res.Header.Get("Location")
	if !strings.HasPrefix(cb, o.env.URL+"/auth/oidc/callback?") {
		t.Fatalf("provider redirected to %q", cb)
	}
	return strings.TrimPrefix(cb, o.env.URL)
}

func cookieNamed(res *http.Response, name string) *http.Cookie {
	for _, ck := range res.Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

func TestOIDCSignInEndToEnd(t *testing.T) {
	o := startOIDC(t)
	c := o.env.Anonymous(t)

	_, page := c.Get("/signin")
	if !strings.Contains(page, `href="/auth/oidc?next=%2f"`) || !strings.Contains(page, "Continue with Acme SSO") {
		t.Fatalf("sign-in page does not offer the OIDC provider:\n%.3000s", page)
	}

	authURL := o.begin(t, c, "?next=/notifications&state=attacker-chosen")
	if got := authURL.Query().Get("state"); got == "attacker-chosen" || len(got) < 32 {
		t.Fatalf("state %q: a client-supplied state was used, or it is too short", got)
	}
	res, body := c.Get(o.authorize(t, authURL))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/notifications" {
		t.Fatalf("callback: %d to %q, want 303 to /notifications: %.1000s", res.StatusCode, res.Header.Get("Location"), body)
	}
	ck := cookieNamed(res, "townhall_session")
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Value == "" {
		t.Fatalf("session cookie = %+v, want HttpOnly SameSite=Lax", ck)
	}
	if fc := cookieNamed(res, auth.FlowCookie); fc == nil || fc.MaxAge >= 0 {
		t.Fatalf("flow cookie not cleared after use: %+v", fc)
	}
	if o.pkce.verified != 1 {
		t.Fatalf("PKCE: %d token requests carried a verifier matching the challenge, want 1", o.pkce.verified)
	}
	var me struct{ ID, Name string }
	c.JSON("GET", "/api/v1/me", nil, http.StatusOK, &me)
	u, err := o.env.App.Auth.User(context.Background(), me.ID)
	if err != nil || u.Name != "Olive Oidc" || u.Email != "olive@example.com" || u.Role != townhall.RoleAdmin {
		t.Fatalf("user = %+v, %v; want Olive Oidc <olive@example.com>, admin as the first user", u, err)
	}

	// Signing in again finds the same user, keyed by provider and subject.
	c2 := o.env.Anonymous(t)
	c2.Get(o.authorize(t, o.begin(t, c2, "")))
	var me2 struct{ ID string }
	c2.JSON("GET", "/api/v1/me", nil, http.StatusOK, &me2)
	if me2.ID != me.ID {
		t.Fatalf("second sign-in made user %s, want the existing %s", me2.ID, me.ID)
	}
}

func TestOIDCRejectsBadCallbacks(t *testing.T) {
	o := startOIDC(t)
	otherKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		before func()                 // runs after the provider redirected back
		mangle func(cb string) string // changes the callback path
		client func(c *apptest.Client) *apptest.Client
		status int
		want   string
		tokens int // token requests expected
	}{
		{name: "tampered state", mangle: func(cb string) string {
			u, _ := url.Parse(cb)
			q := u.Query()
			q.Set("state", q.Get("state")+"x")
			u.RawQuery = q.Encode()
			return u.String()
		}, status: 400, want: "state did not match"},
		{name: "provider says access_denied", mangle: func(cb string) string {
			u, _ := url.Parse(cb)
			return u.Path + "?error=access_denied&state=" + url.QueryEscape(u.Query().Get("state"))
		}, status: 403, want: "Sign-in with Acme SSO was cancelled"},
		{name: "other provider error", mangle: func(cb string) string {
			u, _ := url.Parse(cb)
			return u.Path + "?error=server_error&error_description=boom&state=" + url.QueryEscape(u.Query().Get("state"))
		}, status: 400, want: "Acme SSO could not sign you in (server_error)"},
		{name: "callback in another browser", client: func(*apptest.Client) *apptest.Client { return o.env.Anonymous(t) },
			status: 400, want: "started in another browser"},
		{name: "ID token with a wrong nonce", before: func() { o.tp.SetExpectedAuthNonce("not-the-nonce-we-sent") },
			status: 400, want: "could not be completed", tokens: 1},
		{name: "ID token with a bad signature", before: func() {
			_, pub, alg, kid := o.tp.SigningKeys()
			o.tp.SetSigningKeys(otherKey, pub, alg, kid) // signs with a key the JWKS does not publish
		}, status: 400, want: "could not be completed", tokens: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o.pkce.mu.Lock()
			o.pkce.tokens = 0
			o.pkce.mu.Unlock()
			c := o.env.Anonymous(t)
			cb := o.authorize(t, o.begin(t, c, ""))
			if tc.before != nil {
				tc.before()
			}
			if tc.mangle != nil {
				cb = tc.mangle(cb)
			}
			if tc.client != nil {
				c = tc.client(c)
			}
			res, body := c.Get(cb)
			if res.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("callback: status %d, want %d with %q:\n%.3000s", res.StatusCode, tc.status, tc.want, body)
			}
			if !strings.Contains(body, `href="/auth/oidc?next=%2f"`) {
				t.Error("the error page does not offer signing in again")
			}
			if cookieNamed(res, "townhall_session") != nil {
				t.Fatal("a session cookie was set for a rejected sign-in")
			}
			c.WantError("GET", "/api/v1/me", nil, 401, townhall.EUNAUTHORIZED)
			if o.pkce.tokens != tc.tokens {
				t.Fatalf("%d token requests, want %d (no code may be exchanged before the callback is checked)", o.pkce.tokens, tc.tokens)
			}
		})
	}
}

func TestOAuthUnknownProviderAndOffsiteNext(t *testing.T) {
	o := startOIDC(t)
	c := o.env.Anonymous(t)
	for _, p := range []string{"/auth/nope", "/auth/github", "/auth/nope/callback?code=x&state=y", "/auth/google/callback"} {
		if res, _ := c.Get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404 (provider unknown or not configured)", p, res.StatusCode)
		}
	}
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example"} {
		c := o.env.Anonymous(t)
		res, _ := c.Get(o.authorize(t, o.begin(t, c, "?next="+url.QueryEscape(next))))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Errorf("next=%q: %d to %q, want 303 to /", next, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

// fakeGitHub implements the four GitHub endpoints goth's provider uses.
func fakeGitHub(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login/oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != "gh-id" || !strings.Contains(q.Get("scope"), "user:email") {
			http.Error(w, "bad authorize request", 400)
			return
		}
		http.Redirect(w, r, q.Get("redirect_uri")+"?code=gh-code&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("POST /login/oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Get("code") != "gh-code" || id != "gh-id" || secret != "gh-secret" {
			w.Write([]byte(`{"error":"bad_verification_code"}`))
			return
		}
		w.Write([]byte(`{"access_token":"gh-token","token_type":"bearer","scope":"read:user,user:email"}`))
	})
	authed := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer gh-token" {
				http.Error(w, `{"message":"Bad credentials"}`, 401)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			h(w, r)
		}
	}
	mux.HandleFunc("GET /api/v3/user", authed(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"id": 4242, "login": "octo", "name": "Octo Cat", "email": nil, "avatar_url": "https://avatars.example/octo.png"})
	}))
	mux.HandleFunc("GET /api/v3/user/emails", authed(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`[{"email":"old@example.com","primary":false,"verified":true},{"email":"octo@example.com","primary":true,"verified":true}]`))
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestGitHubSignIn(t *testing.T) {
	gh := fakeGitHub(t)
	env := apptest.Start(t, apptest.WithConfig(func(c *app.Config) {
		c.GitHubClientID, c.GitHubClientSecret, c.GitHubURL = "gh-id", "gh-secret", gh.URL
	}))
	env.Client(t, "First Admin", "") // so the GitHub user is an ordinary member
	c := env.Anonymous(t)
	_, page := c.Get("/signin?next=/ideas")
	if !strings.Contains(page, `href="/auth/github?next=%2fideas"`) || !strings.Contains(page, "Continue with GitHub") {
		t.Fatalf("sign-in page does not offer GitHub:\n%.3000s", page)
	}
	res, _ := c.Get("/auth/github?next=/ideas")
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(res.Header.Get("Location"), gh.URL+"/login/oauth/authorize?") {
		t.Fatalf("begin: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	pres, err := noFollow.Get(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	pres.Body.Close()
	cb := strings.TrimPrefix(pres.Header.Get("Location"), env.URL)
	if !strings.HasPrefix(cb, "/auth/github/callback?") {
		t.Fatalf("fake GitHub redirected to %q", pres.Header.Get("Location"))
	}
	res, body := c.Get(cb)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/ideas" {
		t.Fatalf("callback: %d to %q: %.1000s", res.StatusCode, res.Header.Get("Location"), body)
	}
	var me struct{ ID, Name, Handle, Role string }
	c.JSON("GET", "/api/v1/me", nil, http.StatusOK, &me)
	u, err := env.App.Auth.User(context.Background(), me.ID)
	if err != nil || u.Name != "Octo Cat" || u.Email != "octo@example.com" || u.AvatarURL != "https://avatars.example/octo.png" || u.Role != townhall.RoleMember {
		t.Fatalf("user = %+v, %v; want member Octo Cat <octo@example.com> with avatar", u, err)
	}

	// Replaying the used callback fails: the flow cookie was single-use.
	res, body = c.Get(cb)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "expired or was started in another browser") {
		t.Fatalf("replayed callback: %d: %.1000s", res.StatusCode, body)
	}
}

func TestOAuthFlowCookieAttributes(t *testing.T) {
	for _, base := range []string{"", "https://community.example.com"} {
		env := apptest.Start(t, apptest.WithConfig(func(c *app.Config) {
			c.GitHubClientID, c.GitHubClientSecret = "gh-id", "gh-secret"
			if base != "" {
				c.BaseURL = base
			}
		}))
		c := env.Anonymous(t)
		c.Base = "http://" + env.App.Config.Addr // the base URL is the public name, not where the test listens
		res, _ := c.Get("/auth/github")
		fc := cookieNamed(res, auth.FlowCookie)
		if res.StatusCode != http.StatusFound || fc == nil {
			t.Fatalf("base %q: begin %d without a flow cookie", base, res.StatusCode)
		}
		secure := base != ""
		if !fc.HttpOnly || fc.SameSite != http.SameSiteLaxMode || fc.Path != "/auth/" || fc.MaxAge != 600 || fc.Secure != secure {
			t.Fatalf("base %q: flow cookie %+v; want HttpOnly, SameSite=Lax, Path=/auth/, 10 minutes, Secure=%v", base, fc, secure)
		}
		loc, _ := url.Parse(res.Header.Get("Location"))
		if got, want := loc.Query().Get("redirect_uri"), env.URL+"/auth/github/callback"; got != want {
			t.Fatalf("redirect_uri %q, want %q (built from the base URL)", got, want)
		}
	}
}

// TestOIDCSignInAfterAccountDeletion: a person who deleted their account
// and signs in again with the same provider identity is told so, not given
// a new account silently; the offered "Start a new account" runs the
// sign-in again and only then makes one, empty, never the old one.
func TestOIDCSignInAfterAccountDeletion(t *testing.T) {
	o := startOIDC(t)
	o.env.Client(t, "Ada", "") // the first user is admin; Olive is a member
	c := o.env.Anonymous(t)
	c.Get(o.authorize(t, o.begin(t, c, "")))
	var old struct{ ID string }
	c.JSON("GET", "/api/v1/me", nil, http.StatusOK, &old)
	c.JSON("DELETE", "/api/v1/me", map[string]any{"confirm": "olive-oidc"}, http.StatusNoContent, nil)

	again := o.env.Anonymous(t)
	res, page := again.Get(o.authorize(t, o.begin(t, again, "?next=/ideas")))
	if res.StatusCode != http.StatusConflict || !strings.Contains(page, "You deleted the account of this sign-in") ||
		!strings.Contains(page, `href="/auth/oidc?fresh=1&amp;next=%2Fideas"`) {
		t.Fatalf("sign-in after deletion: %d\n%.3000s", res.StatusCode, page)
	}
	again.WantError("GET", "/api/v1/me", nil, http.StatusUnauthorized, townhall.EUNAUTHORIZED)

	res, _ = again.Get(o.authorize(t, o.begin(t, again, "?fresh=1&next=/ideas")))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/ideas" {
		t.Fatalf("fresh sign-in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var me struct{ ID, Name string }
	again.JSON("GET", "/api/v1/me", nil, http.StatusOK, &me)
	if me.ID == old.ID || me.Name != "Olive Oidc" {
		t.Fatalf("new account %+v, old %s", me, old.ID)
	}
}
