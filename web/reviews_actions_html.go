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
	if err := d.writeActions(&w, r); err != nil {
		return "", err
	}
	return template.HTML(w.String()), nil
}

// writeActions puts review r's footer in w: ReviewHTML writes it in
// place, without a builder of its own.
func (d *productPageData) writeActions(w htmlWriter, r *reviews.Review) error {
	it := d.Item(r)
	if len(it.Variants) == 0 {
		it.Actions.write(w)
		return nil
	}
	if err := d.holes.write(w, it.Hole); err != nil {
		return err
	}
	for _, v := range it.Variants {
		d.holes.writeVariant(w, v.Name)
		v.Actions.write(w)
	}
	d.holes.writeClose(w)
	return nil
}

func (a *reviewActions) write(w htmlWriter) {
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

// ReviewHTML is review r's item on the product page, footer and all, for
// the same reason as its footer: the page lists twenty of them.
func (d *productPageData) ReviewHTML(r *reviews.Review) (template.HTML, error) {
	var w strings.Builder
	w.Grow(3072 + len(r.BodyHTML))
	name := attrEscape(r.AuthorName)
	w.WriteString(`<li id="review-` + attrEscape(r.ID) + "\">\n        <article class=\"card review\" aria-label=\"Review by " + name +
		"\">\n          <header class=\"review-head\">\n            <span class=\"stars\" role=\"img\" aria-label=\"" + strconv.Itoa(r.Rating) +
		` out of 5 stars">` + starText(float64(r.Rating)) + "</span>\n            ")
	if r.Title != "" {
		w.WriteString(`<h3 class="review-title">` + attrEscape(r.Title) + `</h3>`)
	}
	w.WriteString("\n          </header>\n          <p class=\"review-meta muted\">\n            <a class=\"review-author author\" href=\"" +
		attrEscape(safeURL("/users/"+r.AuthorID)) + `">` + name + "</a>\n            ")
	if r.Verified {
		w.WriteString(`<span class="verified" title="The product team verified this reviewer as a customer">✓ Verified customer</span>`)
	}
	w.WriteString("\n            · " + string(when(r.CreatedAt)))
	if r.Edited() {
		w.WriteString(" · edited")
	}
	w.WriteString("\n          </p>\n          ")
	if r.Body != "" {
		w.WriteString(`<div class="prose">` + string(r.BodyHTML) + `</div>`)
	}
	w.WriteString("\n          <footer class=\"review-foot row\">")
	if err := d.writeActions(&w, r); err != nil {
		return "", err
	}
	w.WriteString("</footer>\n          ")
	if resp := r.Response; resp != nil {
		w.WriteString("\n          <div class=\"review-response\">\n            <p class=\"review-meta\"><strong>Response from " + attrEscape(d.site) +
			`</strong> <span class="staff-badge">Staff</span> <span class="muted"><a class="author" href="` + attrEscape(safeURL("/users/"+resp.AuthorID)) + `">` +
			attrEscape(resp.AuthorName) + "</a> · " + string(when(resp.UpdatedAt)) + "</span></p>\n            <div class=\"prose\">" + string(resp.BodyHTML) +
			"</div>\n          </div>\n          ")
	}
	w.WriteString("\n          ")
	if d.canManage {
		path := "/reviews/" + attrEscape(urlProcess(r.ID, true))
		id := attrEscape(r.ID)
		w.WriteString("\n          <details class=\"respond\">\n            <summary>")
		if r.Response != nil {
			w.WriteString("Edit the response")
		} else {
			w.WriteString("Respond publicly")
		}
		w.WriteString("</summary>\n            <form class=\"stack\" method=\"post\" action=\"" + path + "/response\">\n" +
			"              <label for=\"response-" + id + "\">Response <span class=\"field-help\">(Markdown; the reviewer is notified)</span></label>\n" +
			"              <textarea id=\"response-" + id + "\" name=\"body\" required maxlength=\"20000\">")
		if r.Response != nil {
			w.WriteString(attrEscape(r.Response.Body))
		}
		w.WriteString("</textarea>\n              <button type=\"submit\" class=\"primary\">Publish response</button>\n            </form>\n            ")
		if r.Response != nil {
			w.WriteString("\n            <form class=\"inline\" method=\"post\" action=\"" + path + "/response/delete\"><button type=\"submit\" class=\"link danger\" data-confirm=\"Remove the response from this review?\">Remove the response</button></form>\n            ")
		}
		w.WriteString("\n          </details>\n          ")
	}
	w.WriteString("\n        </article>\n      </li>")
	return template.HTML(w.String()), nil
}
