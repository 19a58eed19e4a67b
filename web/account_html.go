package web

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/townhall/townhall"
)

// accountMenu is the layout's account menu for v's user, or the sign-in
// link. Every member's page view on a shared page fills its account hole
// with one (overlay.go), so it is written out directly rather than
// executed as a template; account_html_internal_test.go holds the old
// partial and compares the two.
func accountMenu(v *view) template.HTML {
	var w strings.Builder
	w.Grow(2048)
	u := v.User
	if u == nil {
		w.WriteString("\n      <a class=\"button\" href=\"/signin?next=" + urlProcess(v.Path, false) + "\">Sign in</a>\n")
		return template.HTML(w.String())
	}
	manage, moderate := u.HasRole(townhall.Role.CanManageProduct), u.HasRole(townhall.Role.CanModerate)
	w.WriteString("\n      ")
	if manage {
		w.WriteString(`<a class="staff-link" href="/insights"`)
		if v.Nav == "insights" {
			w.WriteString(` aria-current="page"`)
		}
		w.WriteString(`>Insights</a>`)
	}
	w.WriteString("\n      ")
	if moderate {
		w.WriteString(`<a class="staff-link" href="/review" data-testid="review-link">Review</a>`)
	}
	w.WriteString("\n      <a class=\"bell icon-button\" href=\"/notifications\" aria-label=\"Notifications")
	unread := strconv.Itoa(u.Unread)
	if u.Unread != 0 {
		w.WriteString(", " + unread + " unread")
	}
	w.WriteString(`">` + bellIcon)
	if u.Unread != 0 {
		w.WriteString(`<span class="badge">` + unread + `</span>`)
	}
	name := attrEscape(u.Name)
	w.WriteString("</a>\n      <details class=\"user-menu\" data-menu>\n        <summary class=\"user-menu-button\" aria-label=\"Your account: " + name +
		`"><span class="avatar small" aria-hidden="true">` + attrEscape(initial(u.Name)) + `</span><span class="me" data-testid="current-user">` + name +
		"</span>" + chevronIcon + "</summary>\n        <ul class=\"menu-panel\" role=\"list\">\n" +
		"          <li><a href=\"/u/" + attrEscape(urlProcess(u.Handle, true)) + "\">Your profile <span class=\"muted\">" + thousands(u.Reputation) + " reputation</span></a></li>\n" +
		"          <li><a href=\"/settings/profile\">Edit profile</a></li>\n" +
		"          <li><a href=\"/settings/account\">Your account and data</a></li>\n" +
		"          <li><a href=\"/notifications\">Notifications</a></li>\n" +
		"          <li><a href=\"/settings/notifications\">Email settings</a></li>\n" +
		"          <li><a href=\"/trust\">Your trust level</a></li>\n          ")
	if moderate {
		w.WriteString(`<li class="menu-staff"><a href="/review">Review queue</a></li>`)
	}
	w.WriteString("\n          ")
	if manage {
		w.WriteString(`<li class="menu-staff"><a href="/insights">Insights</a></li>`)
	}
	w.WriteString("\n          ")
	if u.Role == townhall.RoleAdmin {
		w.WriteString(`<li><a href="/admin/users">Admin</a></li>`)
	} else if moderate {
		w.WriteString(`<li><a href="/admin/log">Staff log</a></li>`)
	}
	w.WriteString("\n          <li><form action=\"/auth/logout\" method=\"post\"><button type=\"submit\" class=\"link\">Sign out</button></form></li>\n        </ul>\n      </details>\n    ")
	return template.HTML(w.String())
}

// The menu's icons, drawn once.
var bellIcon, chevronIcon = string(icon("bell")), string(icon("chevron"))
