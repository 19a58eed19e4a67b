package web

import (
	"html/template"
	"strings"
	"time"

	"github.com/townhall/townhall/ideas"
)

// CommentHTML is comment c's item on the idea page, written out directly
// like a thread's posts (forum_post_html.go) and for the same reason: on a
// page members share each comment carries three variants of its like
// button and links. It writes exactly what html/template made of the old
// partial; ideas_comment_html_internal_test.go holds it and compares the two.
func (d *ideaPageData) CommentHTML(c *ideas.Comment) (template.HTML, error) {
	var w strings.Builder
	w.Grow(2048 + len(c.BodyHTML))
	w.WriteString(`<li id="comment-` + attrEscape(c.ID) + `" class="comment`)
	if c.Team {
		w.WriteString(" team")
	}
	if c.Hidden != nil {
		w.WriteString(" is-hidden")
	}
	if c.Deleted {
		w.WriteString(" is-deleted")
	}
	w.WriteString("\">\n      ")
	if c.Deleted {
		w.WriteString("\n      <p class=\"comment-meta muted\">Comment deleted · " + string(when(c.CreatedAt)) + "</p>\n      ")
	} else {
		w.WriteString("\n      <p class=\"comment-meta\"><a class=\"author\" href=\"" + attrEscape(safeURL("/users/"+c.AuthorID)) + `">` + attrEscape(c.AuthorName) + `</a>`)
		if c.Team {
			w.WriteString(` <span class="staff-badge">Team</span>`)
		}
		w.WriteString("\n        <span class=\"muted\">· " + string(when(c.CreatedAt)))
		if !c.EditedAt.IsZero() {
			w.WriteString(` · <span class="edited" title="Edited ` + c.EditedAt.UTC().Format(time.RFC3339) + `">edited</span>`)
		}
		if c.MergedFromTitle != "" {
			w.WriteString(" · from the merged idea “" + attrEscape(c.MergedFromTitle) + "”")
		}
		w.WriteString("</span></p>\n      ")
	}
	w.WriteString("\n      ")
	if h := c.Hidden; h != nil {
		w.WriteString(`<p class="hidden-note"><span class="pill status-hidden">Hidden</span> `)
		if h.ByName != "" {
			w.WriteString(`by <a class="author" href="` + attrEscape(safeURL("/users/"+h.ByID)) + `">` + attrEscape(h.ByName) + `</a>`)
		} else {
			w.WriteString("by community flags")
		}
		w.WriteString(": " + attrEscape(h.Reason) + "</p>")
	}
	w.WriteString("\n      ")
	if !c.Deleted {
		w.WriteString(`<div class="prose">` + string(c.BodyHTML) + `</div>`)
	}
	w.WriteString("\n      ")
	if !c.Deleted {
		w.WriteString(`<div class="comment-actions">`)
		it := d.Item(c)
		if len(it.Variants) > 0 {
			if err := d.holes.write(&w, it.Hole); err != nil {
				return "", err
			}
			for _, v := range it.Variants {
				d.holes.writeVariant(&w, v.Name)
				v.Actions.write(&w)
			}
			d.holes.writeClose(&w)
		} else {
			it.Actions.write(&w)
		}
		w.WriteString(`</div>`)
	}
	w.WriteString("\n    </li>")
	return template.HTML(w.String()), nil
}

// write is a comment's like button and controls as one viewer sees them.
func (a *commentActions) write(w htmlWriter) {
	c := a.Comment
	base := "/ideas/" + attrEscape(urlProcess(a.IdeaID, true)) + "/comments/" + attrEscape(urlProcess(c.ID, true))
	by := attrEscape(c.AuthorName)
	w.WriteString("\n        ")
	a.Like.write(w)
	w.WriteString("\n        ")
	if a.CanChange {
		w.WriteString("\n        <a href=\"" + base + "/edit\">Edit<span class=\"visually-hidden\"> comment by " + by + "</span></a>\n" +
			"        <form method=\"post\" action=\"" + base + "/delete\">\n" +
			"          <button type=\"submit\" class=\"link danger\" data-confirm=\"Delete this comment? Its text will be gone for good.\">Delete<span class=\"visually-hidden\"> comment by " + by + "</span></button>\n" +
			"        </form>\n        ")
	}
	w.WriteString("\n        ")
	if a.CanModerate {
		w.WriteString("\n        ")
		if c.Hidden != nil {
			w.WriteString("\n        <form method=\"post\" action=\"" + base + "/hidden\">\n" +
				"          <input type=\"hidden\" name=\"hidden\" value=\"0\">\n" +
				"          <button type=\"submit\" class=\"link\">Unhide<span class=\"visually-hidden\"> comment by " + by + "</span></button>\n" +
				"        </form>\n        ")
		} else {
			id := attrEscape(c.ID)
			w.WriteString("\n        <details class=\"hide-comment\">\n" +
				"          <summary>Hide<span class=\"visually-hidden\"> comment by " + by + "</span></summary>\n" +
				"          <form class=\"row\" method=\"post\" action=\"" + base + "/hidden\">\n" +
				"            <input type=\"hidden\" name=\"hidden\" value=\"1\">\n" +
				"            <label for=\"hide-" + id + "\" class=\"visually-hidden\">Reason for hiding</label>\n" +
				"            <input id=\"hide-" + id + "\" name=\"comment_reason\" required maxlength=\"500\" placeholder=\"Reason (staff only)\">\n" +
				"            <button type=\"submit\" class=\"danger\">Hide comment</button>\n" +
				"          </form>\n" +
				"        </details>\n        ")
		}
		w.WriteString("\n        ")
	}
	w.WriteString("\n        ")
	if a.CanFlag {
		flagView{"comment", c.ID, "/ideas/" + a.IdeaID + "#comment-" + c.ID}.write(w)
	}
	w.WriteString("\n")
}
