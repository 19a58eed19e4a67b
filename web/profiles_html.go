package web

import (
	"html/template"
	"strconv"
	"strings"
)

// ActivityHTML is a profile's tab of threads, replies, answers, ideas or
// reviews, written out directly: twenty items of a dozen template actions
// each were most of the profile's render. It writes exactly what
// html/template made of the old loyalty_profile.html;
// profiles_html_internal_test.go holds that page and compares the two.
func (d *profileData) ActivityHTML() template.HTML {
	items := d.Activity.Items
	if len(items) == 0 {
		return `<p class="empty">Nothing here yet.</p>`
	}
	var w strings.Builder
	w.Grow(64 + 768*len(items))
	w.WriteString("\n  <ol class=\"activity-list\">\n    ")
	for _, a := range items {
		w.WriteString("\n    <li class=\"card activity\">\n      <h3 class=\"activity-title\"><a href=\"" + attrEscape(safeURL(a.URL())) + "\">" +
			attrEscape(a.Title) + "</a></h3>\n      ")
		if a.Excerpt != "" {
			w.WriteString(`<p class="activity-excerpt">` + attrEscape(a.Excerpt) + `</p>`)
		}
		w.WriteString("\n      <p class=\"muted activity-meta\">\n        ")
		switch a.Kind {
		case "threads":
			w.WriteString(attrEscape(countOf(a.Count, "reply", "replies")) + "\n        ")
		case "ideas":
			writeStatus(&w, a.Status)
			w.WriteString(" " + attrEscape(countOf(a.Count, "vote", "votes")) + "\n        ")
		case "reviews":
			w.WriteString(`<span class="stars" role="img" aria-label="` + strconv.Itoa(a.Count) + ` out of 5 stars">` +
				starText(float64(a.Count)) + "</span>\n        ")
		default:
			w.WriteString(attrEscape(countOf(a.Count, "like", "likes")))
		}
		w.WriteString("\n        · " + string(when(a.At)) + "\n      </p>\n    </li>\n    ")
	}
	w.WriteString("\n  </ol>\n  ")
	return template.HTML(w.String())
}
