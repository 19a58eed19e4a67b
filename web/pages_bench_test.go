package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/townhall/townhall"
)

// BenchmarkPages measures the server's CPU for one render of each page the
// performance targets name, without the page cache, for an anonymous
// reader and for a signed-in one (who has voted on the idea and liked a
// post, so their own state is on the page): the request goes straight to
// the server's handler, without a network or a client in between, one at a
// time. Run it with -cpu 1 and ns/op is the CPU of a render (the target:
// ≤ 0.5 ms at TOWNHALL_BENCH_SCALE=10000).
func BenchmarkPages(b *testing.B) {
	site := openBenchSite(b)
	env := site.env
	reader := env.Client(b, "Bench Reader", townhall.RoleMember)
	for _, setup := range []string{"/api/v1/ideas/" + site.idea + "/vote", "/api/v1/posts/" + site.post + "/like"} {
		if res, body := reader.Do("POST", setup, nil); res.StatusCode != http.StatusOK {
			b.Fatalf("POST %s: %d %s", setup, res.StatusCode, body)
		}
	}
	base, _ := url.Parse(env.URL)
	cookies := reader.HTTP.Jar.Cookies(base)
	if len(cookies) == 0 {
		b.Fatal("the signed-in reader has no session cookie")
	}
	pages := []struct{ name, path string }{
		{"thread", "/t/" + site.thread},
		{"ideas-top", "/ideas?sort=top"},
		{"idea", "/ideas/" + site.idea},
		{"product", "/products/" + site.product},
		{"api-ideas-top", "/api/v1/ideas?sort=top"},
		{"profile", "/u/" + site.person},
		{"leaderboard", "/leaderboard"},
	}
	if site.longThread != "" {
		pages = append(pages, struct{ name, path string }{"thread-last-page", "/t/" + site.longThread + "?page=" + strconv.Itoa(site.longPages)})
	}
	h := env.App.Handler()
	render := func(path string, signedIn bool) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", env.URL+path, nil)
		req.RemoteAddr = "127.0.0.1:40000"
		if signedIn {
			for _, c := range cookies {
				req.AddCookie(c)
			}
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	// The signed-in renders must be the reader's own pages.
	if !strings.Contains(render("/ideas", true).Body.String(), reader.User.Name) || strings.Contains(render("/ideas", false).Body.String(), reader.User.Name) {
		b.Fatal("the cookie does not sign the reader in: their name is not on their page, or is on the anonymous one")
	}
	for _, p := range pages {
		for _, who := range []string{"anon", "signed-in"} {
			b.Run(p.name+"/"+who, func(b *testing.B) {
				for b.Loop() {
					if w := render(p.path, who == "signed-in"); w.Code != http.StatusOK {
						b.Fatalf("GET %s as %s: status %d", p.path, who, w.Code)
					}
				}
			})
		}
	}
}
