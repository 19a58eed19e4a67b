package web

import (
	"html/template"
	"strconv"
	"strings"
)

// MainHTML is the idea board below its tabs: the sort and status filters,
// the cards and the tag cloud, written out directly. As a template its
// links and options were some two hundred reflective calls and escapers,
// most of the board's render. It writes exactly what html/template made of
// the old ideas_board.html; ideas_board_html_internal_test.go holds that
// page and compares the two.
func (d *boardData) MainHTML(shared bool) (template.HTML, error) {
	var w strings.Builder
	w.Grow(8192 + 2048*len(d.Page.Items))
	link := func(kv ...string) string { return attrEscape(safeURL(withQuery(d.URL, kv...))) }
	w.WriteString("<div class=\"page-head\">\n  <div>\n    <h1>Ideas</h1>\n" +
		"    <p class=\"muted\">Propose what would make the product better for you, and vote for the ideas you want most.</p>\n" +
		"  </div>\n  <a class=\"button primary\" href=\"/ideas/new\">Propose an idea</a>\n</div>\n" +
		"<div class=\"idea-board\">\n  <section class=\"idea-board-main\" aria-label=\"Ideas\">\n    <div class=\"idea-filters\">\n" +
		"      <nav aria-label=\"Sort ideas\">\n        <ul class=\"segmented\">\n          ")
	for _, s := range d.Sorts {
		w.WriteString("\n          <li><a href=\"" + link("sort", s, "after", "") + `"`)
		if s == d.Sort {
			w.WriteString(` aria-current="true"`)
		}
		w.WriteByte('>')
		switch s {
		case "top":
			w.WriteString("Top")
		case "new":
			w.WriteString("New")
		default:
			w.WriteString("Trending")
		}
		w.WriteString("</a></li>\n          ")
	}
	w.WriteString("\n        </ul>\n      </nav>\n      <form method=\"get\" action=\"/ideas\" class=\"row status-filter\">\n" +
		"        <input type=\"hidden\" name=\"sort\" value=\"" + attrEscape(d.Sort) + "\">\n        ")
	if d.Tag != "" {
		w.WriteString(`<input type="hidden" name="tag" value="` + attrEscape(d.Tag) + `">`)
	}
	w.WriteString("\n        <label for=\"status-filter\">Status</label>\n        <select id=\"status-filter\" name=\"status\">\n" +
		"          <option value=\"\">Any status</option>\n          ")
	for _, st := range d.Statuses {
		w.WriteString(`<option value="` + attrEscape(string(st)) + `"`)
		if string(st) == d.Status {
			w.WriteString(" selected")
		}
		w.WriteString(">" + attrEscape(st.Label()) + "</option>")
	}
	w.WriteString("\n        </select>\n        <button type=\"submit\">Filter</button>\n      </form>\n    </div>\n    ")
	if d.Tag != "" {
		w.WriteString(`<p class="active-filter">Tagged <span class="tag">` + attrEscape(d.Tag) + `</span> <a href="` +
			link("tag", "", "after", "") + `">Show all tags</a></p>`)
	}
	w.WriteString("\n    ")
	if len(d.Page.Items) > 0 {
		w.WriteString("\n    <ul class=\"idea-list\">")
		for _, i := range d.Page.Items {
			h, err := ideaCard{Idea: i, Shared: shared, holes: d.holes}.HTML()
			if err != nil {
				return "", err
			}
			w.WriteString(string(h))
		}
		w.WriteString("</ul>\n    ")
	} else {
		w.WriteString("\n    <div class=\"empty\">\n      ")
		if d.Tag != "" || d.Status != "" {
			w.WriteString("<p>No ideas match these filters.</p><p><a href=\"/ideas\">See all ideas</a></p>\n      ")
		} else {
			w.WriteString("<p>No ideas yet. Be the first to tell the product team what you'd like to see.</p>\n" +
				"      <p><a class=\"button primary\" href=\"/ideas/new\">Propose an idea</a></p>")
		}
		w.WriteString("\n    </div>\n    ")
	}
	w.WriteString("\n    ")
	if d.Page.Next != "" {
		w.WriteString(`<nav class="pager" aria-label="Pagination"><a class="button" rel="next" href="` + link("after", d.Page.Next) + `">More ideas →</a></nav>`)
	}
	w.WriteString("\n  </section>\n  <aside class=\"idea-aside\" aria-label=\"Tags and roadmap\">\n    <div class=\"card\">\n" +
		"      <h2>Popular tags</h2>\n      ")
	if len(d.Tags) > 0 {
		w.WriteString("\n      <ul class=\"tag-cloud\">\n        ")
		for _, t := range d.Tags {
			w.WriteString(`<li><a class="tag" href="` + link("tag", t.Tag, "after", "") + `"`)
			if t.Tag == d.Tag {
				w.WriteString(` aria-current="true"`)
			}
			w.WriteString(">" + attrEscape(t.Tag) + ` <span class="tag-count">` + strconv.Itoa(t.Ideas) + "</span></a></li>")
		}
		w.WriteString("\n      </ul>\n      ")
	} else {
		w.WriteString(`<p class="muted">Tags appear here once ideas have them.</p>`)
	}
	w.WriteString("\n    </div>\n    <div class=\"card\">\n      <h2>What's coming</h2>\n" +
		"      <p class=\"muted\">See what the product team has planned, is building and has shipped.</p>\n" +
		"      <a href=\"/ideas/roadmap\">View the roadmap →</a>\n    </div>\n  </aside>\n</div>")
	return template.HTML(w.String()), nil
}
