package web

import (
	"html/template"
	"strconv"
	"strings"
)

// ItemsHTML is the leaderboard's ranks, or what it says when nobody is on
// it, written out directly: fifty rows of ten template actions each were
// most of the page's render. It writes exactly what html/template made of
// the old loyalty_leaderboard.html; leaderboard_html_internal_test.go
// holds that page and compares the two.
func (d *leaderboardData) ItemsHTML() template.HTML {
	var w strings.Builder
	if len(d.Items) == 0 {
		w.WriteString("\n<p class=\"empty\">Nobody has gained reputation ")
		if d.Period == "all" {
			w.WriteString("yet")
		} else {
			w.WriteString("in this period yet")
		}
		if d.Category != nil {
			w.WriteString(" in " + attrEscape(d.Category.Name))
		}
		w.WriteString(".</p>\n")
		return template.HTML(w.String())
	}
	w.Grow(128 + 512*len(d.Items))
	w.WriteString("\n<ol class=\"leaderboard\" data-testid=\"leaderboard\">\n  ")
	for _, s := range d.Items {
		handle := attrEscape(s.Handle)
		w.WriteString("\n  <li>\n    <span class=\"rank\">" + strconv.Itoa(s.Rank) + "</span>\n    <span class=\"avatar\" aria-hidden=\"true\">" +
			attrEscape(initial(s.Name)) + "</span>\n    <span class=\"who\"><a class=\"author\" href=\"/u/" + attrEscape(urlProcess(s.Handle, true)) +
			"\">" + attrEscape(s.Name) + "</a> " + string(marks(s.Badge, s.Champion)) + " <span class=\"muted\">@" + handle +
			"</span></span>\n    <span class=\"points plus\">+" + attrEscape(thousands(s.Points)) + "</span>\n  </li>\n  ")
	}
	w.WriteString("\n</ol>\n")
	return template.HTML(w.String())
}
