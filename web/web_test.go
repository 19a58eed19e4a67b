package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
)

// step runs one rule of a scenario as a named subtest, so a failure names
// the rule that broke. A failed step ends the scenario: later steps build
// on its state.
func step(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	if !t.Run(name, f) {
		t.FailNow()
	}
}

// apiErrorCase is one API call that must be refused: who sends what, and
// the status and error code it gets.
type apiErrorCase struct {
	name   string
	c      *apptest.Client
	method string
	path   string
	body   any
	status int
	code   string
}

// wantAPIErrors runs each case as a subtest named for it.
func wantAPIErrors(t *testing.T, cases []apiErrorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.c.WantError(tc.method, tc.path, tc.body, tc.status, tc.code) })
	}
}

func TestHealthzAndMetrics(t *testing.T) {
	env := apptest.Start(t)
	c := env.Anonymous(t)
	var h struct{ Status string }
	c.JSON("GET", "/healthz", nil, http.StatusOK, &h)
	if h.Status != "ok" {
		t.Fatalf("healthz status %q", h.Status)
	}
	res, body := c.Get("/metrics")
	if res.StatusCode != 200 || !strings.Contains(body, `townhall_http_requests_total{method="GET",route="/healthz",status="200"} 1`) {
		t.Fatalf("metrics: %d, missing the healthz request count:\n%.2000s", res.StatusCode, body)
	}
}

func TestDevLoginSessionAndLogout(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Ada Admin", "")
	if admin.User.Role != townhall.RoleAdmin || admin.User.Name != "Ada Admin" || admin.User.Handle != "ada-admin" {
		t.Fatalf("first user = %+v, want admin Ada Admin", admin.User)
	}
	prod := env.Client(t, "Pat", townhall.RoleProduct)
	if prod.User.Role != townhall.RoleProduct {
		t.Fatalf("role = %s, want product", prod.User.Role)
	}
	_, page := prod.Get("/")
	if !strings.Contains(page, `data-testid="current-user">Pat<`) {
		t.Fatal("header does not show the signed-in user")
	}
	u, _ := url.Parse(env.URL)
	var cookie *http.Cookie
	for _, ck := range prod.HTTP.Jar.Cookies(u) {
		if ck.Name == "townhall_session" {
			cookie = ck
		}
	}
	if cookie == nil {
		t.Fatal("no session cookie")
	}
	res, _ := prod.Form("POST", "/auth/logout", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout status %d", res.StatusCode)
	}
	prod.WantError("GET", "/api/v1/me", nil, 401, townhall.EUNAUTHORIZED)
	// The old cookie value must be dead on the server, not only deleted in the browser.
	replay := env.Anonymous(t)
	replay.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: "townhall_session", Value: cookie.Value}})
	replay.WantError("GET", "/api/v1/me", nil, 401, townhall.EUNAUTHORIZED)
}

func TestDevLoginValidation(t *testing.T) {
	env := apptest.Start(t)
	c := env.Anonymous(t)
	for _, tc := range []struct {
		name, role, email string
		want              string
	}{
		{"", "", "", "Name is required"},
		{"Eve", "superuser", "", "Unknown role"},
		{"bad\x00name", "", "", "control characters"},
		{"Eve", "", "eve@@example.com", "is not an address"},
		{"Eve", "", "Eve <eve@example.com>", "is not an address"},
	} {
		res, body := c.Form("POST", "/auth/dev/login", url.Values{"name": {tc.name}, "role": {tc.role}, "email": {tc.email}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("login %q/%q/%q: status %d, want 400 with %q", tc.name, tc.role, tc.email, res.StatusCode, tc.want)
		}
		if tc.name == "Eve" && !strings.Contains(body, `value="Eve"`) {
			t.Error("the form lost what the user typed")
		}
	}
	// The optional address is the one email goes to.
	eve := env.ClientWithEmail(t, "Eve", "", "eve@example.com")
	if u, err := env.App.Auth.User(context.Background(), eve.User.ID); err != nil || u.Email != "eve@example.com" {
		t.Fatalf("Eve's address = %v, %v", u, err)
	}
}

func TestDevLoginDisabledByDefault(t *testing.T) {
	env := apptest.Start(t, apptest.WithConfig(func(c *app.Config) { c.DevLogin = false }))
	res, _ := env.Anonymous(t).Form("POST", "/auth/dev/login", url.Values{"name": {"x"}})
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("dev login without --dev-login: status %d, want 404", res.StatusCode)
	}
}

func TestNextIsLocalOnly(t *testing.T) {
	env := apptest.Start(t)
	for next, want := range map[string]string{
		"/ideas?sort=new":      "/ideas?sort=new",
		"https://evil.example": "/",
		"//evil.example/x":     "/",
		"/\\evil.example":      "/",
		"":                     "/",
	} {
		res, _ := env.Anonymous(t).Form("POST", "/auth/dev/login", url.Values{"name": {"n"}, "next": {next}})
		if got := res.Header.Get("Location"); got != want {
			t.Errorf("next=%q redirected to %q, want %q", next, got, want)
		}
	}
}

func TestCrossSiteWritesRejected(t *testing.T) {
	env := apptest.Start(t)
	c := env.Client(t, "victim", "")
	for _, tc := range []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"cross-site fetch metadata", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"foreign origin", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"same origin", map[string]string{"Origin": env.URL, "Sec-Fetch-Site": "same-origin"}, http.StatusNoContent},
		{"non-browser client", nil, http.StatusNoContent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", env.URL+"/api/v1/notifications/read", nil)
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			res, err := c.HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.want)
			}
			if tc.want == http.StatusForbidden && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("API refusal is %s, want the JSON error body", res.Header.Get("Content-Type"))
			}
		})
	}
	// A cross-site form post to the page route gets the friendly page, and
	// the session is untouched.
	req, _ := http.NewRequest("POST", env.URL+"/auth/logout", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site logout: %d, want 403", res.StatusCode)
	}
	c.JSON("GET", "/api/v1/me", nil, http.StatusOK, nil)
}

func TestOversizedBodyRejected(t *testing.T) {
	env := apptest.Start(t, apptest.WithConfig(func(c *app.Config) { c.MaxBodyBytes = 4096 }))
	c := env.Client(t, "big", "")
	big := `{"x":"` + strings.Repeat("a", 10000) + `"}`
	c.WantError("POST", "/api/v1/notifications/read", big, http.StatusRequestEntityTooLarge, townhall.ETOOLARGE)
	// Chunked bodies have no Content-Length; the cap must still hold.
	req, _ := http.NewRequest("POST", env.URL+"/auth/dev/login", &slowReader{n: 10000})
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge && res.StatusCode != http.StatusBadRequest {
		t.Fatalf("chunked oversized form: %d, want 413 (or 400)", res.StatusCode)
	}
}

// slowReader yields n bytes of form data without announcing a length.
type slowReader struct{ n int }

func (r *slowReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errEOF
	}
	k := min(len(p), r.n, 512)
	for i := range k {
		p[i] = 'a'
	}
	r.n -= k
	return k, nil
}

func TestWriteRateLimit(t *testing.T) {
	env := apptest.Start(t, apptest.WithConfig(func(c *app.Config) { c.UserWritesPerMinute = 10 }))
	env.Client(t, "admin", "") // the first person is the admin, whose budget is larger
	c := env.Client(t, "spammer", "")
	other := env.Client(t, "calm", "")
	var limited *http.Response
	// Writing content spends the budget (reactions have their own, see
	// TestReactionsHaveTheirOwnBudget); a refused write spends it too.
	for i := range 20 {
		res, _ := c.Do("POST", "/api/v1/ideas", map[string]string{"title": "x"})
		if res.StatusCode == http.StatusTooManyRequests {
			limited = res
			if i < 5 {
				t.Fatalf("limited after %d writes; the burst should allow 5", i)
			}
			break
		}
	}
	if limited == nil {
		t.Fatal("20 quick writes were never rate limited")
	}
	if ra := limited.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After = %q", ra)
	}
	c.WantError("POST", "/api/v1/ideas", map[string]string{"title": "A good title"}, http.StatusTooManyRequests, townhall.ERATELIMIT)
	// Reads are never limited, and other users keep their own budget.
	c.JSON("GET", "/api/v1/me", nil, http.StatusOK, nil)
	other.JSON("POST", "/api/v1/ideas", map[string]string{"title": "A good title"}, http.StatusCreated, nil)
}

func TestIPRateLimit(t *testing.T) {
	env := apptest.Start(t, apptest.WithConfig(func(c *app.Config) { c.IPWritesPerMinute = 10 }))
	for i := 0; ; i++ {
		res, _ := env.Anonymous(t).Form("POST", "/auth/dev/login", url.Values{"name": {"n"}})
		if res.StatusCode == http.StatusTooManyRequests {
			break
		}
		if i > 20 {
			t.Fatal("per-IP limit never hit for anonymous sign-ins")
		}
	}
}

func TestErrorsAndNotFound(t *testing.T) {
	env := apptest.Start(t)
	c := env.Anonymous(t)
	c.WantError("GET", "/api/v1/nothing-here", nil, 404, townhall.ENOTFOUND)
	res, body := c.Get("/no/such/page")
	if res.StatusCode != 404 || !strings.Contains(body, "Page not found") || !strings.Contains(body, "<html") {
		t.Fatalf("404 page: %d %.300s", res.StatusCode, body)
	}
	res, _ = c.Get("/notifications")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin?next=") {
		t.Fatalf("signed-out page: %d to %q, want redirect to sign-in", res.StatusCode, res.Header.Get("Location"))
	}
	res, _ = c.Do("DELETE", "/healthz", nil)
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("DELETE /healthz: %d, want 405", res.StatusCode)
	}
}

func TestSecurityHeadersAndStatic(t *testing.T) {
	env := apptest.Start(t)
	c := env.Anonymous(t)
	res, body := c.Get("/")
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "X-Request-Id"} {
		if res.Header.Get(h) == "" {
			t.Errorf("missing %s", h)
		}
	}
	i := strings.Index(body, `/static/app.css?v=`)
	if i < 0 {
		t.Fatal("layout does not link the hashed stylesheet")
	}
	cssURL := body[i : i+strings.IndexByte(body[i:], '"')]
	res, css := c.Get(cssURL)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.Contains(css, "prefers-color-scheme") {
		t.Fatalf("static css: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	res, _ = c.Get("/static/../go.mod")
	if res.StatusCode == 200 {
		t.Fatal("static serves files outside its folder")
	}
}

func TestBrowserSignInAndOut(t *testing.T) {
	env := apptest.Start(t)
	ctx := apptest.Browser(t)
	env.BrowserSignIn(t, ctx, "Grace Hopper")
	name, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="current-user"]`)))
	if err != nil {
		t.Fatal(err)
	}
	env.BrowserSignOut(t, ctx)
	signedOut, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('[data-testid="current-user"]') === null`))
	if err != nil {
		t.Fatal(err)
	}
	if name != "Grace Hopper" || !signedOut {
		t.Fatalf("header showed %q, signed out = %v", name, signedOut)
	}
}
