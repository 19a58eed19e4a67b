package web

import (
	"html/template"
	"strings"
	"testing"

	"github.com/townhall/townhall"
)

// accountPartial is the layout's account menu as a template, before
// accountMenu wrote it out by hand: the reference it matches.
const accountPartial = `{{define "account"}}{{with .User}}
      {{if canManage .}}<a class="staff-link" href="/insights"{{if eq $.Nav "insights"}} aria-current="page"{{end}}>Insights</a>{{end}}
      {{if canModerate .}}<a class="staff-link" href="/review" data-testid="review-link">Review</a>{{end}}
      <a class="bell icon-button" href="/notifications" aria-label="Notifications{{if .Unread}}, {{.Unread}} unread{{end}}">{{icon "bell"}}{{if .Unread}}<span class="badge">{{.Unread}}</span>{{end}}</a>
      <details class="user-menu" data-menu>
        <summary class="user-menu-button" aria-label="Your account: {{.Name}}"><span class="avatar small" aria-hidden="true">{{initial .Name}}</span><span class="me" data-testid="current-user">{{.Name}}</span>{{icon "chevron"}}</summary>
        <ul class="menu-panel" role="list">
          <li><a href="/u/{{.Handle}}">Your profile <span class="muted">{{num .Reputation}} reputation</span></a></li>
          <li><a href="/settings/profile">Edit profile</a></li>
          <li><a href="/settings/account">Your account and data</a></li>
          <li><a href="/notifications">Notifications</a></li>
          <li><a href="/settings/notifications">Email settings</a></li>
          <li><a href="/trust">Your trust level</a></li>
          {{if canModerate .}}<li class="menu-staff"><a href="/review">Review queue</a></li>{{end}}
          {{if canManage .}}<li class="menu-staff"><a href="/insights">Insights</a></li>{{end}}
          {{if isAdmin .}}<li><a href="/admin/users">Admin</a></li>{{else if canModerate .}}<li><a href="/admin/log">Staff log</a></li>{{end}}
          <li><form action="/auth/logout" method="post"><button type="submit" class="link">Sign out</button></form></li>
        </ul>
      </details>
    {{else}}
      <a class="button" href="/signin?next={{.Path}}">Sign in</a>
{{end}}{{end}}`

func TestAccountMenuMatchesPartial(t *testing.T) {
	ref := template.Must(template.New("").Funcs(template.FuncMap{
		"icon": icon, "initial": initial, "num": thousands,
		"canManage":   func(u *townhall.User) bool { return u.HasRole(townhall.Role.CanManageProduct) },
		"canModerate": func(u *townhall.User) bool { return u.HasRole(townhall.Role.CanModerate) },
		"isAdmin":     func(u *townhall.User) bool { return u != nil && u.Role == townhall.RoleAdmin },
	}).Parse(accountPartial))
	var n int
	for _, path := range []string{"/t/abc", "/search?q=a b&x=<y>"} {
		for _, nav := range []string{"", "insights"} {
			v := &view{Path: path, Nav: nav}
			var want strings.Builder
			if err := ref.ExecuteTemplate(&want, "account", v); err != nil {
				t.Fatal(err)
			}
			if got := string(accountMenu(v)); got != want.String() {
				t.Fatalf("signed out at %q:\n got %q\nwant %q", path, got, want.String())
			}
		}
		for _, role := range townhall.Roles {
			for _, u := range []townhall.User{
				{Name: "Ann", Handle: "ann", Reputation: 0},
				{Name: `<b>"Mal" & 'co'+</b>`, Handle: "m<a>l é", Unread: 3, Reputation: 12345},
				{Name: "", Handle: "x", Unread: 1, Reputation: 1},
			} {
				for _, nav := range []string{"", "forum", "insights"} {
					u := u
					u.Role = role
					v := &view{User: &u, Path: path, Nav: nav}
					var want strings.Builder
					if err := ref.ExecuteTemplate(&want, "account", v); err != nil {
						t.Fatal(err)
					}
					n++
					if got := string(accountMenu(v)); got != want.String() {
						t.Fatalf("%s %q at %q:\n got %q\nwant %q", role, u.Name, nav, got, want.String())
					}
				}
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d menus compared", n)
	}
}
