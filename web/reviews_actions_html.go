package web

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/townhall/townhall/reviews"
)

// ActionsHTML is what review r's footer holds on the product page: the
// reader's helpful button and controls, or on a page members share, a hole
// with each kind of member's. Written out directly like a thread's posts
// (forum_post_html.go); reviews_actions_html_internal_test.go holds the old
// partial and compares the two.
func (d *productPageData) ActionsHTML(r *reviews.Review) (template.HTML, error) {
	var w strings.Builder
	w.Grow(1536)
	it := d.Item(r)
	if len(it.Variants) == 0 {
		it.Actions.write(&w)
		return template.HTML(w.String()), nil
	}
	if err := d.holes.write(&w, it.Hole); err != nil {
		return "", err
	}
	for _, v := range it.Variants {
		w.WriteString(string(d.holes.variant(v.Name)))
		v.Actions.write(&w)
	}
	w.WriteString(string(d.holes.close()))
	return template.HTML(w.String()), nil
}

func (a *reviewActions) write(w *strings.Builder) {
	r := a.Review
	path := "/reviews/" + attrEscape(urlProcess(r.ID, true))
	count := `<span class="muted">` + countOf(r.Helpful, "person", "people") + " found this helpful</span>\n"
	w.WriteString("\n            ")
	switch {
	case a.Mine:
		w.WriteString("\n            " + count +
			"            <a href=\"" + path + "/edit\">Edit</a>\n" +
			"            <form class=\"inline\" method=\"post\" action=\"" + path + "/delete\"><button type=\"submit\" class=\"link danger\" data-confirm=\"Delete your review? This cannot be undone.\">Delete</button></form>\n            ")
	case a.SignedIn:
		w.WriteString("\n            <form class=\"inline helpful-form\" method=\"post\" action=\"" + path + "/helpful\" data-review=\"" + attrEscape(r.ID) + "\">\n              ")
		if a.Voted {
			w.WriteString(`<input type="hidden" name="undo" value="1">`)
		}
		w.WriteString("\n              <button type=\"submit\" class=\"helpful\" aria-pressed=\"" + strconv.FormatBool(a.Voted) + "\">Helpful <span class=\"helpful-count\">" +
			strconv.Itoa(r.Helpful) + "</span></button>\n            </form>\n            ")
	default:
		w.WriteString("\n            " + count + "            ")
	}
	w.WriteString("\n            ")
	if a.CanModerate && !a.Mine {
		w.WriteString("\n            <form class=\"inline\" method=\"post\" action=\"" + path + "/delete\"><button type=\"submit\" class=\"link danger\" data-confirm=\"Delete this review as a moderator?\">Delete</button></form>\n            ")
	}
	w.WriteString("\n            ")
	if a.SignedIn && !a.Mine {
		flagView{"review", r.ID, a.Back}.write(w)
	}
	w.WriteString("\n")
}
