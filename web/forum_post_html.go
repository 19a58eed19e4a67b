package web

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/townhall/townhall/forum"
)

// postSize is about what a post's block weighs: its text and, on a page
// members share, three variants of its footer.
func postSize(p *forum.Post, shared bool) int {
	if shared {
		return 4096 + len(p.HTML)
	}
	return 2048 + len(p.HTML)
}

// write puts a post's block on the thread page in w, written out
// directly. As a template it was some forty reflective calls and escapers
// per post on a page members share (header, three variants of the like
// button and links, the accept and flag holes), which made the post block
// most of a thread page's render. It writes exactly what html/template
// made of the old forum-post partial and those it called;
// forum_post_html_internal_test.go holds them and compares the two.
func (it *postItem) write(w htmlWriter) error {
	p := it.Post
	id := attrEscape(p.ID)
	w.WriteString("\n<article id=\"post-" + id + `" class="card forum-post`)
	if it.First {
		w.WriteString(" forum-first")
	}
	if p.Hidden {
		w.WriteString(" is-hidden")
	}
	if it.Accepted {
		w.WriteString(" is-accepted")
	}
	w.WriteString(`" data-post="` + id + "\">\n  <header class=\"forum-post-meta\">\n    <span class=\"avatar\" aria-hidden=\"true\">")
	w.WriteString(attrEscape(it.Initial))
	w.WriteString("</span>\n    <a class=\"author\" href=\"")
	w.WriteString(attrEscape(safeURL(it.ProfileURL)))
	w.WriteString(`">`)
	w.WriteString(attrEscape(p.AuthorName))
	w.WriteString("</a> ")
	w.WriteString(string(it.Marks))
	w.WriteString(` <span class="muted">@`)
	w.WriteString(attrEscape(p.AuthorHandle))
	w.WriteString("</span>\n    ")
	if p.Staff() {
		w.WriteString(`<span class="staff-badge" title="Team member">Staff</span>`)
	}
	w.WriteString("\n    ")
	if it.Accepted {
		w.WriteString(`<span class="pill forum-solved">✓ Accepted answer</span>`)
	}
	w.WriteString("\n    ")
	if p.Hidden {
		w.WriteString(`<span class="pill forum-hidden">Hidden</span>`)
	}
	w.WriteString("\n    <a class=\"muted forum-permalink\" href=\"/p/")
	w.WriteString(attrEscape(urlProcess(p.ID, true)))
	w.WriteString(`" title="Link to this post">`)
	w.WriteString(string(it.When))
	w.WriteString("</a>\n    ")
	if p.Edited() {
		w.WriteString(`<span class="muted forum-edited" title="Edited ` + p.EditedAt.UTC().Format(time.RFC3339) + `">· edited</span>`)
	}
	w.WriteString("\n  </header>\n  <div class=\"prose\">")
	w.WriteString(string(p.HTML))
	w.WriteString("</div>\n  <footer class=\"forum-post-actions\">\n    ")
	if len(it.Variants) > 0 {
		if err := it.holes.write(w, it.Hole); err != nil {
			return err
		}
		for _, v := range it.Variants {
			it.holes.writeVariant(w, v.Name)
			v.Actions.writeMain(w)
		}
		it.holes.writeClose(w)
		if it.AcceptHole != "" {
			if err := it.holes.write(w, it.AcceptHole); err != nil {
				return err
			}
			it.holes.writeVariant(w, "own")
			it.AcceptAs.writeAccept(w)
			it.holes.writeVariant(w, "other")
			it.holes.writeClose(w)
		}
		if it.FlagHole != "" {
			if err := it.holes.write(w, it.FlagHole); err != nil {
				return err
			}
			it.holes.writeVariant(w, "own")
			it.holes.writeVariant(w, "other")
			it.Flag.write(w)
			it.holes.writeClose(w)
		}
	} else {
		it.Actions.write(w)
	}
	w.WriteString("\n  </footer>\n</article>\n")
	return nil
}

// write is a post's footer as one viewer sees it.
func (a *postActions) write(w htmlWriter) {
	a.writeMain(w)
	a.writeAccept(w)
	w.WriteString("\n    ")
	if a.CanModerate {
		w.WriteString("\n    ")
		path := attrEscape(urlProcess(a.Post.ID, true))
		if a.Post.Edited() {
			w.WriteString(`<a class="button small" href="/p/` + path + `/history">History</a>`)
		}
		w.WriteString("\n    ")
		if !a.First {
			w.WriteString(`<form method="post" action="/p/` + path + `/hide" class="inline"><input type="hidden" name="on" value="` +
				strconv.FormatBool(!a.Post.Hidden) + `"><button type="submit" class="small danger">`)
			if a.Post.Hidden {
				w.WriteString("Unhide")
			} else {
				w.WriteString("Hide")
			}
			w.WriteString(`</button></form>`)
		}
		w.WriteString("\n    ")
	}
	w.WriteString("\n    ")
	if a.Flag != nil {
		a.Flag.write(w)
	}
	w.WriteString("\n")
}

// writeMain is the like button, quote and edit links: what differs
// between members on a shared page.
func (a *postActions) writeMain(w htmlWriter) {
	w.WriteString("\n    ")
	a.Like.write(w)
	w.WriteString("\n    ")
	if a.QuoteURL != "" {
		w.WriteString(`<a class="button small" href="` + attrEscape(safeURL(a.QuoteURL)) + `#reply" data-quote="` + attrEscape(a.Post.ID) + `">Quote</a>`)
	}
	w.WriteString("\n    ")
	if a.CanEdit {
		w.WriteString(`<a class="button small" href="/p/` + attrEscape(urlProcess(a.Post.ID, true)) + `/edit">Edit</a>`)
	}
	w.WriteString("\n")
}

// writeAccept is the accept button the thread's author sees on answers.
func (a *postActions) writeAccept(w htmlWriter) {
	if !a.CanAccept {
		return
	}
	w.WriteString("\n    <form method=\"post\" action=\"/p/" + attrEscape(urlProcess(a.Post.ID, true)) + "/accept\" class=\"inline\">\n      ")
	if a.Accepted {
		w.WriteString("<input type=\"hidden\" name=\"on\" value=\"false\"><button type=\"submit\" class=\"small\">Unaccept</button>\n      ")
	} else {
		w.WriteString(`<input type="hidden" name="on" value="true"><button type="submit" class="small" data-testid="accept">✓ Accept answer</button>`)
	}
	w.WriteString("\n    </form>\n")
}

// HTML is the flag box, written out like the like button: posts,
// comments and reviews each carry one.
func (f flagView) HTML() template.HTML {
	var w strings.Builder
	w.Grow(384)
	f.write(&w)
	return template.HTML(w.String())
}

func (f flagView) write(w htmlWriter) {
	kind, id, back := attrEscape(f.Kind), attrEscape(f.ID), attrEscape(f.Back)
	w.WriteString(`<details class="flag-box" data-testid="flag-` + kind + "-" + id + `" data-kind="` + kind + `" data-id="` + id + `" data-back="` + back + "\">\n  <summary>Flag</summary>\n  <p class=\"flag-fallback\"><a href=\"/flags/new?kind=")
	w.WriteString(urlProcess(f.Kind, false))
	w.WriteString("&amp;id=")
	w.WriteString(urlProcess(f.ID, false))
	w.WriteString("&amp;back=")
	w.WriteString(urlProcess(f.Back, false))
	w.WriteString("\">Tell the moderators what is wrong with it</a></p>\n</details>")
}
