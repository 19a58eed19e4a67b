package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/audit"
)

type tokenResp struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Scopes     []string   `json:"scopes"`
	Prefix     string     `json:"prefix"`
	Token      string     `json:"token"`
	Site       bool       `json:"site"`
	Active     bool       `json:"active"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	User       *struct {
		ID, Handle, Name string
		Role             townhall.Role
	} `json:"user"`
}

func newToken(t *testing.T, c *apptest.Client, body map[string]any) tokenResp {
	t.Helper()
	var tok tokenResp
	c.JSON("POST", "/api/v1/tokens", body, http.StatusCreated, &tok)
	if !strings.HasPrefix(tok.Token, "th_") || tok.ID == "" || !strings.HasPrefix(tok.Token, tok.Prefix) {
		t.Fatalf("created token = %+v", tok)
	}
	return tok
}

func listTokens(t *testing.T, c *apptest.Client) []tokenResp {
	t.Helper()
	var out struct{ Items []tokenResp }
	b := c.JSON("GET", "/api/v1/tokens", nil, http.StatusOK, &out)
	if strings.Contains(string(b), `"token"`) {
		t.Fatalf("a token listing carries secrets: %s", b)
	}
	return out.Items
}

func me(t *testing.T, c *apptest.Client) townhall.User {
	t.Helper()
	var u townhall.User
	c.JSON("GET", "/api/v1/me", nil, http.StatusOK, &u)
	return u
}

// TestTokenLifecycle: a personal token is created (shown once), acts as
// its owner on every /api/v1 route, respects its scopes, records its last
// use to the minute, and stops working when revoked or expired.
func TestTokenLifecycle(t *testing.T) {
	env := apptest.Start(t)
	ada := env.Client(t, "Ada", "")
	ann := env.Client(t, "Ann", "")
	bob := env.Client(t, "Bob", "")
	clk := newClock(time.Now())
	env.App.Tokens.SetClock(clk.now)

	var tok tokenResp
	step(t, "created once, listed without its secret", func(t *testing.T) {
		tok = newToken(t, ann, map[string]any{"name": "script", "scopes": []string{"read", "write"}, "expires_in_days": 90})
		want := clk.now().Add(90 * 24 * time.Hour)
		if tok.ExpiresAt == nil || tok.ExpiresAt.Sub(want).Abs() > time.Second || !tok.Active || tok.LastUsedAt != nil {
			t.Fatalf("token = %+v", tok)
		}
		list := listTokens(t, ann)
		if len(list) != 1 || list[0].ID != tok.ID || list[0].Prefix != tok.Prefix || list[0].Token != "" {
			t.Fatalf("list = %+v", list)
		}
		if len(listTokens(t, bob)) != 0 {
			t.Fatal("Bob sees Ann's token")
		}
	})
	script := env.Bearer(t, tok.Token)
	step(t, "acts as its owner on reads and writes", func(t *testing.T) {
		if u := me(t, script); u.ID != ann.User.ID || u.Role != townhall.RoleMember {
			t.Fatalf("token acts as %+v", u)
		}
		i := propose(t, script, "Posted by a script")
		if i.Author.ID != ann.User.ID {
			t.Fatalf("idea author %s, want Ann", i.Author.ID)
		}
		// The same authorization as the person: a member cannot triage.
		script.WantError("PUT", "/api/v1/ideas/"+i.ID+"/status", map[string]any{"status": "planned"}, 403, townhall.EFORBIDDEN)
	})
	step(t, "last use is recorded, at most once a minute", func(t *testing.T) {
		first := listTokens(t, ann)[0].LastUsedAt
		if first == nil || first.Sub(clk.now()).Abs() > time.Second {
			t.Fatalf("last used = %v, want about %v", first, clk.now())
		}
		clk.add(30 * time.Second)
		me(t, script)
		if again := listTokens(t, ann)[0].LastUsedAt; !again.Equal(*first) {
			t.Fatalf("a use 30 s later moved last used from %v to %v", first, again)
		}
		clk.add(time.Minute)
		me(t, script)
		if later := listTokens(t, ann)[0].LastUsedAt; later.Sub(clk.now()).Abs() > time.Second {
			t.Fatalf("a use a minute later left last used at %v, want %v", later, clk.now())
		}
	})
	step(t, "a read-only token cannot write", func(t *testing.T) {
		ro := newToken(t, ann, map[string]any{"name": "dashboard", "scopes": []string{"read"}})
		reader := env.Bearer(t, ro.Token)
		me(t, reader)
		msg := reader.WantError("POST", "/api/v1/ideas", map[string]any{"title": "Nope"}, 403, townhall.EFORBIDDEN)
		if !strings.Contains(msg, "write scope") {
			t.Fatalf("scope message %q does not name the scope", msg)
		}
	})
	step(t, "bad tokens and headers get 401 with a clear error", func(t *testing.T) {
		for name, h := range map[string]string{
			"unknown token": "Bearer th_notatokenatall",
			"no th_ prefix": "Bearer abc",
			"basic auth":    "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
			"empty bearer":  "Bearer ",
		} {
			c := env.Anonymous(t)
			c.Header = http.Header{"Authorization": {h}}
			res, _ := c.Do("GET", "/api/v1/me", nil)
			if res.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s: no WWW-Authenticate header", name)
			}
			c.WantError("GET", "/api/v1/me", nil, 401, townhall.EUNAUTHORIZED)
		}
	})
	step(t, "the bearer decides, not a cookie sent along", func(t *testing.T) {
		mixed := env.Bearer(t, tok.Token)
		mixed.HTTP.Jar = bob.HTTP.Jar
		if u := me(t, mixed); u.ID != ann.User.ID {
			t.Fatalf("bearer with Bob's cookie acts as %s, want Ann", u.Name)
		}
		bad := env.Bearer(t, "th_revokedorwrong")
		bad.HTTP.Jar = bob.HTTP.Jar
		bad.WantError("GET", "/api/v1/me", nil, 401, townhall.EUNAUTHORIZED)
		// Pages ignore the header: they are for browsers.
		res, page := mixed.Get("/ideas")
		if res.StatusCode != 200 || !strings.Contains(page, `data-testid="current-user">Bob<`) {
			t.Fatalf("page with a bearer header: %d, not Bob's session", res.StatusCode)
		}
	})
	step(t, "a token makes tokens only within its own scopes and life", func(t *testing.T) {
		child := newToken(t, script, map[string]any{"name": "child", "scopes": []string{"read"}, "expires_in_days": 30})
		me(t, env.Bearer(t, child.Token))
		script.WantError("POST", "/api/v1/tokens", map[string]any{"name": "forever", "scopes": []string{"read"}, "expires_in_days": 0}, 403, townhall.EFORBIDDEN)
		ro := env.Bearer(t, child.Token)
		ro.WantError("POST", "/api/v1/tokens", map[string]any{"name": "x", "scopes": []string{"read"}}, 403, townhall.EFORBIDDEN)
	})
	step(t, "others cannot revoke it; an admin can, on the record", func(t *testing.T) {
		bob.WantError("DELETE", "/api/v1/tokens/"+tok.ID, nil, 404, townhall.ENOTFOUND)
		me(t, script)
		bobs := newToken(t, bob, map[string]any{"name": "bob's", "scopes": []string{"read"}})
		if res, _ := ada.Do("DELETE", "/api/v1/tokens/"+bobs.ID, nil); res.StatusCode != http.StatusNoContent {
			t.Fatalf("admin revoking Bob's token: %d", res.StatusCode)
		}
		env.Bearer(t, bobs.Token).WantError("GET", "/api/v1/me", nil, 401, townhall.EUNAUTHORIZED)
		adminUser, _ := env.App.Auth.User(context.Background(), ada.User.ID)
		log, _ := env.App.StaffLog.Entries(context.Background(), adminUser, audit.Query{Action: "token.revoke"})
		if len(log.Items) != 1 || log.Items[0].TargetID != bobs.ID || log.Items[0].ActorID != ada.User.ID || log.Items[0].After != `{"revoked":true}` {
			t.Fatalf("staff log = %+v", log.Items)
		}
	})
	step(t, "revoked, it gets 401 at once", func(t *testing.T) {
		res, _ := ann.Do("DELETE", "/api/v1/tokens/"+tok.ID, nil)
		if res.StatusCode != http.StatusNoContent {
			t.Fatalf("revoke: %d", res.StatusCode)
		}
		msg := script.WantError("GET", "/api/v1/me", nil, 401, townhall.EUNAUTHORIZED)
		if !strings.Contains(msg, "revoked") {
			t.Fatalf("message %q does not say revoked", msg)
		}
		list := listTokens(t, ann)
		for _, x := range list {
			if x.ID == tok.ID && (x.Active || x.RevokedAt == nil) {
				t.Fatalf("revoked token listed as %+v", x)
			}
		}
		res, _ = ann.Do("DELETE", "/api/v1/tokens/"+tok.ID, nil)
		if res.StatusCode != http.StatusNoContent {
			t.Fatalf("revoking again: %d", res.StatusCode)
		}
	})
	step(t, "expired, it gets 401", func(t *testing.T) {
		short := newToken(t, ann, map[string]any{"name": "short", "scopes": []string{"read"}, "expires_in_days": 1})
		c := env.Bearer(t, short.Token)
		me(t, c)
		clk.add(25 * time.Hour)
		msg := c.WantError("GET", "/api/v1/me", nil, 401, townhall.EUNAUTHORIZED)
		if !strings.Contains(msg, "expired") {
			t.Fatalf("message %q does not say expired", msg)
		}
	})
}

func TestTokenValidation(t *testing.T) {
	env := apptest.Start(t)
	env.Client(t, "Ada", "")
	ann := env.Client(t, "Ann", "")
	wantAPIErrors(t, []apiErrorCase{
		{"signed out", env.Anonymous(t), "POST", "/api/v1/tokens", map[string]any{"name": "x", "scopes": []string{"read"}}, 401, townhall.EUNAUTHORIZED},
		{"no name", ann, "POST", "/api/v1/tokens", map[string]any{"name": " ", "scopes": []string{"read"}}, 400, townhall.EINVALID},
		{"long name", ann, "POST", "/api/v1/tokens", map[string]any{"name": strings.Repeat("n", 61), "scopes": []string{"read"}}, 400, townhall.EINVALID},
		{"no scopes", ann, "POST", "/api/v1/tokens", map[string]any{"name": "x"}, 400, townhall.EINVALID},
		{"unknown scope", ann, "POST", "/api/v1/tokens", map[string]any{"name": "x", "scopes": []string{"admin"}}, 400, townhall.EINVALID},
		{"expiry too long", ann, "POST", "/api/v1/tokens", map[string]any{"name": "x", "scopes": []string{"read"}, "expires_in_days": 366}, 400, townhall.EINVALID},
		{"negative expiry", ann, "POST", "/api/v1/tokens", map[string]any{"name": "x", "scopes": []string{"read"}, "expires_in_days": -1}, 400, townhall.EINVALID},
		{"expiry not a number", ann, "POST", "/api/v1/tokens", `{"name":"x","scopes":["read"],"expires_in_days":"soon"}`, 400, townhall.EINVALID},
		{"scopes not a list", ann, "POST", "/api/v1/tokens", `{"name":"x","scopes":"read"}`, 400, townhall.EINVALID},
		{"revoke garbage id", ann, "DELETE", "/api/v1/tokens/nope", nil, 404, townhall.ENOTFOUND},
		{"member creates a site token", ann, "POST", "/api/v1/admin/tokens", map[string]any{"name": "x", "bot": "B", "scopes": []string{"read"}}, 403, townhall.EFORBIDDEN},
		{"member lists site tokens", ann, "GET", "/api/v1/admin/tokens", nil, 403, townhall.EFORBIDDEN},
	})
	// "never" is 0, and nothing stored for the refused ones.
	never := newToken(t, ann, map[string]any{"name": "cron", "scopes": []string{"read"}, "expires_in_days": 0})
	if never.ExpiresAt != nil {
		t.Fatalf("expires_in_days 0 expires at %v", never.ExpiresAt)
	}
	if n := len(listTokens(t, ann)); n != 1 {
		t.Fatalf("%d tokens stored, want only the valid one", n)
	}
}

// TestSiteTokenActsAsBot: an admin's site token acts as a bot user with
// the chosen role, and both its creation and revocation are in the staff log.
func TestSiteTokenActsAsBot(t *testing.T) {
	env := apptest.Start(t)
	ada := env.Client(t, "Ada", "")
	ann := env.Client(t, "Ann", "")
	i := propose(t, ann, "Sync with Salesforce")
	var tok tokenResp
	ada.JSON("POST", "/api/v1/admin/tokens", map[string]any{"name": "crm", "bot": "CRM Sync", "role": "product", "scopes": []string{"read", "write"}},
		http.StatusCreated, &tok)
	if !tok.Site || tok.User == nil || tok.User.Name != "CRM Sync" || tok.User.Role != townhall.RoleProduct || tok.Token == "" {
		t.Fatalf("site token = %+v", tok)
	}
	bot := env.Bearer(t, tok.Token)
	if u := me(t, bot); u.ID != tok.User.ID || u.Role != townhall.RoleProduct {
		t.Fatalf("site token acts as %+v", u)
	}
	var moved ideaResp
	bot.JSON("PUT", "/api/v1/ideas/"+i.ID+"/status", map[string]any{"status": "planned"}, http.StatusOK, &moved)
	if moved.Status != "planned" {
		t.Fatalf("status %s", moved.Status)
	}
	var list struct{ Items []tokenResp }
	ada.JSON("GET", "/api/v1/admin/tokens", nil, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].User.Handle != tok.User.Handle || len(listTokens(t, ada)) != 0 {
		t.Fatalf("site tokens = %+v", list.Items)
	}
	ann.WantError("DELETE", "/api/v1/admin/tokens/"+tok.ID, nil, 404, townhall.ENOTFOUND)
	if res, _ := ada.Do("DELETE", "/api/v1/admin/tokens/"+tok.ID, nil); res.StatusCode != http.StatusNoContent {
		t.Fatalf("revoke site token: %d", res.StatusCode)
	}
	bot.WantError("GET", "/api/v1/me", nil, 401, townhall.EUNAUTHORIZED)
	adminUser, _ := env.App.Auth.User(context.Background(), ada.User.ID)
	for _, action := range []string{"token.create_site", "token.revoke_site"} {
		page, err := env.App.StaffLog.Entries(context.Background(), adminUser, audit.Query{Action: action})
		if err != nil || len(page.Items) != 1 || page.Items[0].ActorID != ada.User.ID || page.Items[0].TargetID != tok.ID || page.Items[0].After == "" {
			t.Fatalf("staff log for %s = %+v, %v", action, page.Items, err)
		}
	}
}

// TestTokenRateLimitedPerToken: a token's writes have a budget of their
// own, apart from its owner's browser and other tokens.
func TestTokenRateLimitedPerToken(t *testing.T) {
	// Votes spend the reactions budget (ratelimit_kinds.go).
	env := apptest.Start(t, apptest.WithConfig(func(c *app.Config) { c.UserWritesPerMinute, c.ReactionsPerMinute = 30, 5 }))
	env.Client(t, "Ada", "")
	ann := env.Client(t, "Ann", "")
	i := propose(t, ann, "Rate limited votes")
	a := env.Bearer(t, newToken(t, ann, map[string]any{"name": "a", "scopes": []string{"read", "write"}}).Token)
	b := env.Bearer(t, newToken(t, ann, map[string]any{"name": "b", "scopes": []string{"read", "write"}}).Token)
	limited := false
	for range 8 {
		res, _ := a.Do("POST", "/api/v1/ideas/"+i.ID+"/vote", nil)
		if res.StatusCode == http.StatusTooManyRequests {
			limited = true
			if res.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
			break
		}
	}
	if !limited {
		t.Fatal("8 quick votes with one token were all allowed at 5 reactions a minute")
	}
	b.JSON("POST", "/api/v1/ideas/"+i.ID+"/vote", nil, http.StatusOK, nil)
	ann.JSON("DELETE", "/api/v1/ideas/"+i.ID+"/vote", nil, http.StatusOK, nil)
}

// TestTokenPages: the settings page creates a token, shows its secret
// once (never cached), lists and revokes it; the admin page does the same
// for site tokens.
func TestTokenPages(t *testing.T) {
	env := apptest.Start(t)
	ada := env.Client(t, "Ada", "")
	ann := env.Client(t, "Ann", "")
	res, page := ann.Get("/settings/tokens")
	if res.StatusCode != 200 || !strings.Contains(page, "No tokens yet") {
		t.Fatalf("settings page: %d", res.StatusCode)
	}
	res, page = ann.Form("POST", "/settings/tokens", url.Values{"name": {""}, "scopes": {"read"}})
	if res.StatusCode != 400 || !strings.Contains(page, "Name is required") {
		t.Fatalf("empty name: %d", res.StatusCode)
	}
	res, page = ann.Form("POST", "/settings/tokens", url.Values{"name": {"laptop"}, "scopes": {"read", "write"}, "expires_in_days": {"30"}})
	if res.StatusCode != http.StatusCreated || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	secret := "th_" + between(page, `value="th_`, `"`)
	if secret == "th_" {
		t.Fatal("the new token's secret is not on the page")
	}
	if u := me(t, env.Bearer(t, secret)); u.ID != ann.User.ID {
		t.Fatalf("the page's token acts as %s", u.Name)
	}
	_, page = ann.Get("/settings/tokens")
	if strings.Contains(page, secret) || !strings.Contains(page, "laptop") || !strings.Contains(page, "Active") {
		t.Fatal("the list page shows the secret again, or not the token")
	}
	id := listTokens(t, ann)[0].ID
	res, _ = ann.Form("POST", "/settings/tokens/"+id+"/revoke", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke form: %d", res.StatusCode)
	}
	if _, page = ann.Get("/settings/tokens"); !strings.Contains(page, "Revoked") {
		t.Fatal("revoked token not marked")
	}

	res, _ = ann.Get("/admin/tokens")
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("member on /admin/tokens: %d", res.StatusCode)
	}
	res, page = ada.Form("POST", "/admin/tokens", url.Values{"name": {"bi"}, "bot": {"Metabase"}, "role": {"moderator"}, "scopes": {"read"}, "expires_in_days": {"0"}})
	if res.StatusCode != http.StatusCreated || !strings.Contains(page, `value="th_`) {
		t.Fatalf("create site token: %d", res.StatusCode)
	}
	if _, page = ada.Get("/admin/tokens"); !strings.Contains(page, "Metabase") || !strings.Contains(page, "moderator") || !strings.Contains(page, "never") {
		t.Fatal("site token list misses the bot, its role or its expiry")
	}
}

// clock is a settable clock for services under test, safe to read from
// the server's goroutines.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// between returns what follows the first after in s, up to before ("" for
// the rest).
func between(s, after, before string) string {
	i := strings.Index(s, after)
	if i < 0 {
		return ""
	}
	s = s[i+len(after):]
	if before == "" {
		return s
	}
	if j := strings.Index(s, before); j >= 0 {
		return s[:j]
	}
	return s
}

// TestTokenEndsWithItsAccount: deleting an account stops its tokens.
func TestTokenEndsWithItsAccount(t *testing.T) {
	env := apptest.Start(t)
	env.Client(t, "Ada", "")
	ann := env.Client(t, "Ann", "")
	script := env.Bearer(t, newToken(t, ann, map[string]any{"name": "script", "scopes": []string{"read", "write"}}).Token)
	me(t, script)
	if res, body := ann.Do("DELETE", "/api/v1/me", map[string]any{"confirm": ann.User.Handle}); res.StatusCode != http.StatusNoContent {
		t.Fatalf("delete account: %d %s", res.StatusCode, body)
	}
	script.WantError("GET", "/api/v1/me", nil, 401, townhall.EUNAUTHORIZED)
}
