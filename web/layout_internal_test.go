package web

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/templates"
)

// oldLayout is layout.html as one template, before renderer.layout wrote
// it from parts: the reference that method matches.
const oldLayout = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Title}}{{.Title}} · {{end}}{{.Site}}</title>
<link rel="stylesheet" href="{{static "app.css"}}">
<link rel="icon" href="{{static "favicon.svg"}}" type="image/svg+xml">
{{with .Feed}}<link rel="alternate" type="application/atom+xml" title="{{.Title}}" href="{{.URL}}">{{end}}
{{block "head" .}}{{end}}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site-header">
  <div class="wrap header-row">
    <a class="brand" href="/">{{.Site}}</a>
    <nav class="main-nav" aria-label="Main">
      <ul class="nav">
        {{template "nav-links" .}}
      </ul>
    </nav>
    <form class="header-search" action="/search" method="get" role="search">
      <label class="visually-hidden" for="header-q">Search</label>
      <input id="header-q" type="search" name="q" placeholder="Search…" maxlength="200">
    </form>
    <div class="account">
    {{if .Shared}}{{holeOpen (print "account " .Nav)}}{{holeClose}}{{else}}{{template "account" .}}{{end}}
    </div>
    <details class="nav-menu" data-menu>
      <summary class="icon-button" aria-label="Menu">{{icon "menu"}}</summary>
      <div class="menu-panel">
        <form action="/search" method="get" role="search">
          <label class="visually-hidden" for="menu-q">Search</label>
          <input id="menu-q" type="search" name="q" placeholder="Search…" maxlength="200">
        </form>
        <nav aria-label="Main (menu)">
          <ul class="nav-stack">
            {{template "nav-links" .}}
          </ul>
        </nav>
      </div>
    </details>
  </div>
</header>
<main id="main" class="wrap">
{{template "sanction-notice" .}}
{{if .Error}}<div class="alert error" role="alert">{{.Error}}</div>{{end}}
{{block "content" .}}{{end}}
</main>
<footer class="site-footer">
  <div class="wrap">
    <p>{{.Site}}{{if ne .Site "Townhall"}} · powered by Townhall{{else}} · an open-source customer community{{end}}</p>
  </div>
</footer>
{{if .User}}{{template "flag-form-template"}}{{end}}
<script src="{{static "app.js"}}" defer></script>
{{block "scripts" .}}{{end}}
</body>
</html>
{{define "nav-links"}}
        <li><a href="/forum"{{if eq .Nav "forum"}} aria-current="page"{{end}}>Forum</a></li>
        <li><a href="/ideas"{{if eq .Nav "ideas"}} aria-current="page"{{end}}>Ideas</a></li>
        <li><a href="/products"{{if eq .Nav "reviews"}} aria-current="page"{{end}}>Reviews</a></li>
        <li><a href="/leaderboard"{{if eq .Nav "people"}} aria-current="page"{{end}}>Leaderboard</a></li>
        <li class="nav-search"><a href="/search"{{if eq .Nav "search"}} aria-current="page"{{end}}>Search</a></li>
{{end}}
{{define "account"}}{{accountMenu .}}{{end}}
`

// layoutTestPage fills every block a page may define with what its view
// holds, so a block that went to the wrong place, or was escaped in
// another context, shows.
const layoutTestPage = `{{define "head"}}<meta name="test" content="{{.Path}}">{{end}}
{{define "content"}}<p>{{.Title}} on {{.Path}}</p>{{end}}
{{define "scripts"}}<script src="{{static "ideas.js"}}" defer></script>{{end}}`

func TestLayoutMatchesTemplate(t *testing.T) {
	r, err := newRenderer()
	if err != nil {
		t.Fatal(err)
	}
	ref := template.Must(template.New("layout.html").Funcs(r.funcs()).Parse(oldLayout))
	ref = template.Must(ref.ParseFS(templates.FS, "partials/*.html"))
	errRef := template.Must(template.Must(ref.Clone()).ParseFS(templates.FS, "pages/error.html"))
	testRef := template.Must(template.Must(ref.Clone()).Parse(layoutTestPage))
	r.pages["layout-test"] = template.Must(template.Must(r.pages["error"].Clone()).Parse(layoutTestPage))
	pages := map[string]*template.Template{"error": errRef, "layout-test": testRef}

	member := &townhall.User{ID: "u1", Name: "Ann <Lee>", Handle: "ann", Role: townhall.RoleMember, Unread: 3}
	silenced := &townhall.User{ID: "u2", Name: "Bo", Handle: "bo", Role: townhall.RoleMember, SilencedUntil: time.Now().Add(time.Hour)}
	admin := &townhall.User{ID: "u3", Name: "Cy", Handle: "cy", Role: townhall.RoleAdmin}
	cases := []struct {
		name string
		v    view
	}{
		{"anonymous", view{Site: "Townhall", Title: "Hello & <welcome>", Path: "/forum", Nav: "forum"}},
		{"no title", view{Site: "Acme's \"Hub\" <+>", Path: "/", Nav: ""}},
		{"member", view{Site: "Townhall", Title: "Ideas", User: member, Path: "/ideas", Nav: "ideas"}},
		{"shared", view{Site: "Acme", Title: "T", User: member, Path: "/t/1", Nav: "forum", Shared: true}},
		{"silenced", view{Site: "Acme", Title: "T", User: silenced, Path: "/products", Nav: "reviews"}},
		{"staff", view{Site: "Acme", Title: "Insights", User: admin, Path: "/insights", Nav: "insights"}},
		{"error and feed", view{Site: "Townhall", Title: "Search", Path: "/search", Nav: "search", Error: "Too <long> & 'odd'",
			Feed: &feedLink{"Replies to “a <b>”", "/feeds/t/x&y.atom"}}},
		{"people", view{Site: "Townhall", Title: "Leaders", Path: "/leaderboard", Nav: "people", RequestID: "r1"}},
	}
	for _, tc := range cases {
		for page, ref := range pages {
			t.Run(tc.name+"/"+page, func(t *testing.T) {
				v := tc.v
				v.Data = map[string]any{"Status": 404, "Message": "gone <now>"}
				var want, got bytes.Buffer
				if err := ref.ExecuteTemplate(&want, "layout.html", &v); err != nil {
					t.Fatal(err)
				}
				if err := r.render(&got, page, &v); err != nil {
					t.Fatal(err)
				}
				sameHTML(t, "layout", got.String(), want.String())
				if !strings.Contains(got.String(), "<title>") || !strings.Contains(got.String(), "</html>") {
					t.Fatalf("not a whole page:\n%s", got.String())
				}
			})
		}
	}
}
