package web

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/tokens"
)

// API tokens: people create personal tokens at /settings/tokens (or with
// POST /api/v1/tokens); admins create site tokens, each acting as a bot
// user, at /admin/tokens. A request under /api/v1 with "Authorization:
// Bearer TOKEN" acts as the token's user, with that user's authorization.

const ctxToken = "api_token"

// currentToken is the token the request was authenticated with, or nil
// for a browser session or an anonymous request.
func currentToken(c *gin.Context) *tokens.Token {
	if t, ok := c.Get(ctxToken); ok {
		return t.(*tokens.Token)
	}
	return nil
}

// tokenReadsPerWrite is how many reads a token may make for each write of
// its budget: scripts poll.
const tokenReadsPerWrite = 10

// bearerUser authenticates an API request that carries an Authorization
// header. The header decides alone: a session cookie sent along is
// ignored, so a request is never both a token and a browser (and a site
// that cannot read the token cannot make one). Bad, expired and revoked
// tokens get 401, too small a scope 403, and a token's reads count against
// their own per-token budget (writes against rateLimitWrites').
func (s *Server) bearerUser(c *gin.Context) error {
	scheme, secret, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	c.Header("WWW-Authenticate", `Bearer realm="api"`)
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return tokens.ErrBadHeader
	}
	u, t, err := s.svc.Tokens.Authenticate(c.Request.Context(), strings.TrimSpace(secret))
	if err != nil {
		if townhall.ErrorCode(err) == townhall.EUNAUTHORIZED {
			c.Header("WWW-Authenticate", `Bearer realm="api", error="invalid_token"`)
		}
		return err
	}
	c.Writer.Header().Del("WWW-Authenticate")
	if scope := tokens.ScopeFor(c.Request.Method); !t.Allows(scope) {
		c.Header("WWW-Authenticate", `Bearer realm="api", error="insufficient_scope", scope="`+scope+`"`)
		return tokens.ErrScope(scope)
	}
	c.Set(ctxUser, u)
	c.Set(ctxToken, t)
	if n := s.cfg.UserWritesPerMinute; n > 0 && !isWrite(c.Request.Method) {
		if ok, wait := s.limits.allow(c.Request.Context(), "token-read:"+t.ID, n*tokenReadsPerWrite, time.Now()); !ok {
			return s.tooMany(c, wait)
		}
	}
	c.Next()
	return nil
}

// writerKey is whose write budget a request spends: its token's, for a
// token request (each integration has its own), else the person's.
func writerKey(c *gin.Context, u *townhall.User) string {
	if t := currentToken(c); t != nil {
		return "token:" + t.ID
	}
	return "user:" + u.ID
}

func (s *Server) tokenRoutes(r *gin.Engine) {
	r.GET("/settings/tokens", s.h(s.tokensPage))
	r.POST("/settings/tokens", s.h(s.createTokenForm))
	r.POST("/settings/tokens/:id/revoke", s.h(s.revokeTokenForm("/settings/tokens")))
	r.GET("/admin/tokens", s.h(s.siteTokensPage))
	r.POST("/admin/tokens", s.h(s.createSiteTokenForm))
	r.POST("/admin/tokens/:id/revoke", s.h(s.revokeTokenForm("/admin/tokens")))

	api := s.api()
	api.GET("/tokens", s.h(s.apiTokens))
	api.POST("/tokens", s.h(s.apiCreateToken))
	api.DELETE("/tokens/:id", s.h(s.apiRevokeToken))
	api.GET("/admin/tokens", s.h(s.apiSiteTokens))
	api.POST("/admin/tokens", s.h(s.apiCreateSiteToken))
	api.DELETE("/admin/tokens/:id", s.h(s.apiRevokeToken))
}

// tokenJSON is a token as its owner (or an admin) sees it: never the
// secret, except once in createdJSON.
type tokenJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Scopes     []string   `json:"scopes"`
	Prefix     string     `json:"prefix"`
	Site       bool       `json:"site"`
	Active     bool       `json:"active"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	User       any        `json:"user,omitempty"` // a site token's bot
}

type createdJSON struct {
	tokenJSON
	Token string `json:"token"`
}

// timePtr is an optional time for JSON: null when zero.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toTokenJSON(t *tokens.Token, now time.Time) tokenJSON {
	j := tokenJSON{ID: t.ID, Name: t.Name, Scopes: t.Scopes, Prefix: t.Prefix, Site: t.Site, Active: t.Active(now), CreatedAt: t.CreatedAt,
		ExpiresAt: timePtr(t.ExpiresAt), LastUsedAt: timePtr(t.LastUsedAt), RevokedAt: timePtr(t.RevokedAt)}
	if t.Site {
		j.User = map[string]any{"id": t.UserID, "handle": t.UserHandle, "name": t.UserName, "role": t.UserRole}
	}
	return j
}

func toTokenJSONs(ts []*tokens.Token) []tokenJSON {
	now := time.Now()
	out := make([]tokenJSON, len(ts))
	for i, t := range ts {
		out[i] = toTokenJSON(t, now)
	}
	return out
}

// tokenRequest is the body of POST /api/v1/tokens (and, with bot and role,
// of POST /api/v1/admin/tokens).
type tokenRequest struct {
	Name          string        `json:"name"`
	Scopes        []string      `json:"scopes"`
	ExpiresInDays *int          `json:"expires_in_days"`
	Bot           string        `json:"bot"`
	Role          townhall.Role `json:"role"`
}

func (r tokenRequest) input() tokens.Input {
	return tokens.Input{Name: r.Name, Scopes: r.Scopes, ExpiresInDays: r.ExpiresInDays}
}

// sendCreatedToken answers a new token with its secret, never cached.
func sendCreatedToken(c *gin.Context, cr *tokens.Created) error {
	c.Header("Cache-Control", "no-store")
	return sendJSON(c, http.StatusCreated, createdJSON{tokenJSON: toTokenJSON(cr.Token, time.Now()), Token: cr.Secret})
}

func (s *Server) apiTokens(c *gin.Context) error {
	ts, err := s.svc.Tokens.List(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, gin.H{"items": toTokenJSONs(ts)})
}

func (s *Server) apiCreateToken(c *gin.Context) error {
	var req tokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cr, err := s.svc.Tokens.Create(c.Request.Context(), currentUser(c), currentToken(c), req.input())
	if err != nil {
		return err
	}
	return sendCreatedToken(c, cr)
}

func (s *Server) apiSiteTokens(c *gin.Context) error {
	ts, err := s.svc.Tokens.SiteTokens(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, gin.H{"items": toTokenJSONs(ts)})
}

func (s *Server) apiCreateSiteToken(c *gin.Context) error {
	var req tokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cr, err := s.svc.Tokens.CreateSite(c.Request.Context(), currentUser(c), currentToken(c), tokens.SiteInput{Input: req.input(), Bot: req.Bot, Role: req.Role})
	if err != nil {
		return err
	}
	return sendCreatedToken(c, cr)
}

func (s *Server) apiRevokeToken(c *gin.Context) error {
	if _, err := s.svc.Tokens.Revoke(c.Request.Context(), currentUser(c), c.Param("id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// tokensData is what the token pages show: the tokens, and the secret of
// the one just created (shown once).
type tokensData struct {
	Tokens  []*tokens.Token
	Created *tokens.Created
	Now     time.Time
	Scopes  []string
	Roles   []townhall.Role
	Days    []expiryChoice
}

// expiryChoice is one option of the expiry menu.
type expiryChoice struct {
	Days  int
	Label string
}

var expiryChoices = []expiryChoice{{30, "30 days"}, {90, "90 days"}, {180, "180 days"}, {365, "1 year"}, {0, "Never"}}

func (s *Server) tokensView(c *gin.Context, site bool, cr *tokens.Created) (*view, error) {
	u := currentUser(c)
	var ts []*tokens.Token
	var err error
	if site {
		ts, err = s.svc.Tokens.SiteTokens(c.Request.Context(), u)
	} else {
		ts, err = s.svc.Tokens.List(c.Request.Context(), u)
	}
	if err != nil {
		return nil, err
	}
	title := "API tokens"
	if site {
		title = "Site tokens · Admin"
	}
	v := s.view(c, title)
	if site {
		v.Nav = "admin"
	}
	v.Data = &tokensData{Tokens: ts, Created: cr, Now: time.Now(), Scopes: tokens.Scopes, Roles: townhall.Roles, Days: expiryChoices}
	return v, nil
}

func (s *Server) tokensPage(c *gin.Context) error {
	v, err := s.tokensView(c, false, nil)
	if err != nil {
		return err
	}
	return s.html(c, http.StatusOK, "settings_tokens", v)
}

func (s *Server) siteTokensPage(c *gin.Context) error {
	v, err := s.tokensView(c, true, nil)
	if err != nil {
		return err
	}
	return s.html(c, http.StatusOK, "admin_tokens", v)
}

// formTokenInput reads the token form: name, scope checkboxes, expiry menu.
func formTokenInput(c *gin.Context) (tokens.Input, error) {
	in := tokens.Input{Name: c.PostForm("name"), Scopes: c.PostFormArray("scopes")}
	if d := c.PostForm("expires_in_days"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			return in, townhall.Errorf(townhall.EINVALID, "Expires in days must be a whole number.")
		}
		in.ExpiresInDays = &n
	}
	return in, nil
}

// createdPage answers a created token with its page showing the secret,
// which is why it is not a redirect: the secret must not be stored anywhere
// a later GET could read it.
func (s *Server) createdPage(c *gin.Context, page string, site bool, cr *tokens.Created) error {
	v, err := s.tokensView(c, site, cr)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.pages.render(&buf, page, v); err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusCreated, "text/html; charset=utf-8", buf.Bytes())
	return nil
}

func (s *Server) createTokenForm(c *gin.Context) error {
	in, err := formTokenInput(c)
	var cr *tokens.Created
	if err == nil {
		cr, err = s.svc.Tokens.Create(c.Request.Context(), currentUser(c), nil, in)
	}
	if err != nil {
		v, verr := s.tokensView(c, false, nil)
		if verr != nil {
			return verr
		}
		return rerender("settings_tokens", v, err)
	}
	return s.createdPage(c, "settings_tokens", false, cr)
}

func (s *Server) createSiteTokenForm(c *gin.Context) error {
	in, err := formTokenInput(c)
	var cr *tokens.Created
	if err == nil {
		cr, err = s.svc.Tokens.CreateSite(c.Request.Context(), currentUser(c), nil,
			tokens.SiteInput{Input: in, Bot: c.PostForm("bot"), Role: townhall.Role(c.PostForm("role"))})
	}
	if err != nil {
		v, verr := s.tokensView(c, true, nil)
		if verr != nil {
			return verr
		}
		return rerender("admin_tokens", v, err)
	}
	return s.createdPage(c, "admin_tokens", true, cr)
}

func (s *Server) revokeTokenForm(back string) handler {
	return func(c *gin.Context) error {
		if _, err := s.svc.Tokens.Revoke(c.Request.Context(), currentUser(c), c.Param("id")); err != nil {
			return err
		}
		return redirectBack(c, back+"#tokens")
	}
}

// dict builds a map from key/value pairs, for passing several values to
// a template partial.
func dict(kv ...any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
}

// hasValue reports whether a posted form had value among key's values
// (checkbox groups).
func hasValue(f url.Values, key, value string) bool {
	return f != nil && slices.Contains(f[key], value)
}
