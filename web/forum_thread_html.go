package web

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
)

// The thread page is the page people read most, and as a template its
// head, pager and reply box were over a third of its render once the
// posts were written out in Go: some hundred reflective calls and
// escapers for a thread of several pages, the pager twice. HeadHTML and
// BodyHTML write them directly, exactly as html/template made them of the
// old forum_thread.html; forum_thread_html_internal_test.go holds that
// page and compares the two. The moderation bar, which few see, stays a
// template.

// HeadHTML is the crumbs, the title with its marks and the follow button.
func (d *threadData) HeadHTML() (template.HTML, error) {
	t := d.Thread
	var w strings.Builder
	w.Grow(1536 + len(t.Title))
	w.WriteString(`<p class="crumbs"><a href="/forum">Forum</a> › <a href="/c/`)
	w.WriteString(attrEscape(urlProcess(d.Category.Slug, true)))
	w.WriteString(`">`)
	w.WriteString(attrEscape(d.Category.Name))
	w.WriteString("</a></p>\n<div class=\"page-head forum-head\">\n  <div>\n    <h1 class=\"forum-title\">")
	w.WriteString(attrEscape(t.Title))
	w.WriteString("</h1>\n    <div class=\"forum-marks\">\n      ")
	if t.Solved() {
		w.WriteString(`<span class="pill forum-solved" data-testid="solved">✓ Solved</span>`)
	}
	w.WriteString("\n      ")
	if t.Pinned {
		w.WriteString(`<span class="pill forum-pinned">` + string(icon("pin")) + ` Pinned</span>`)
	}
	w.WriteString("\n      ")
	if t.Locked {
		w.WriteString(`<span class="pill forum-locked">` + string(icon("lock")) + ` Locked</span>`)
	}
	w.WriteString("\n      ")
	switch {
	case t.Held:
		w.WriteString(`<span class="pill forum-hidden">Waiting for review</span>`)
	case t.Hidden:
		w.WriteString(`<span class="pill forum-hidden">Hidden from members</span>`)
	}
	w.WriteString("\n    </div>\n  </div>\n  ")
	switch {
	case d.Shared:
		if err := d.holes.write(&w, "follow "+t.ID); err != nil {
			return "", err
		}
		d.holes.writeVariant(&w, "on")
		d.Follow(true).write(&w)
		d.holes.writeVariant(&w, "off")
		d.Follow(false).write(&w)
		d.holes.writeClose(&w)
		w.WriteString("\n  ")
	case d.Viewer != nil:
		d.Follow(d.Following).write(&w)
	}
	w.WriteString("\n</div>")
	return template.HTML(w.String()), nil
}

func (f followButton) write(w htmlWriter) {
	w.WriteString("\n  <form method=\"post\" action=\"/t/")
	w.WriteString(attrEscape(urlProcess(f.ID, true)))
	w.WriteString("/follow\" class=\"inline\">\n    <input type=\"hidden\" name=\"on\" value=\"")
	if f.On {
		w.WriteString("false\">\n    <button type=\"submit\" aria-pressed=\"true\">" + string(icon("bell")) + " Following</button>\n  </form>\n")
	} else {
		w.WriteString("true\">\n    <button type=\"submit\" aria-pressed=\"false\">Follow</button>\n  </form>\n")
	}
}

// bodySize is about how many bytes writeBody writes.
func (d *threadData) bodySize() int {
	n := 4096
	for _, p := range d.Posts {
		n += postSize(p, d.Shared)
	}
	if d.First != nil {
		n += postSize(d.First, d.Shared)
	}
	if d.Accepted != nil {
		n += 512 + len(d.Accepted.HTML)
	}
	return n
}

// writeContentTail ends the page's content with its body (see layout):
// the opening post, the accepted answer, the page's replies between two
// pagers, and the reply box. It writes straight into the page's buffer:
// the last page of a long thread is some 100 KB, which printed through
// the template was built in a string, then copied into fmt's buffer (too
// large for fmt to keep, so new every time), then into the page's.
func (d *threadData) writeContentTail(w *bytes.Buffer) error {
	w.Grow(d.bodySize())
	if err := d.writeBody(w); err != nil {
		return err
	}
	w.WriteByte('\n')
	return nil
}

func (d *threadData) writeBody(w htmlWriter) error {
	t := d.Thread
	if d.First != nil {
		if err := d.Item(d.First).write(w); err != nil {
			return err
		}
	}
	w.WriteString("\n\n")
	if a := d.Accepted; a != nil {
		w.WriteString("\n<section class=\"forum-accepted\" aria-labelledby=\"accepted-head\" data-testid=\"accepted-answer\">\n" +
			"  <h2 id=\"accepted-head\" class=\"forum-accepted-head\">✓ Accepted answer</h2>\n" +
			`  <div class="forum-post-meta"><a class="author" href="`)
		w.WriteString(attrEscape(safeURL("/u/" + a.AuthorHandle)))
		w.WriteString(`">`)
		w.WriteString(attrEscape(a.AuthorName))
		w.WriteString("</a> ")
		w.WriteString(string(marks(a.AuthorBadge, a.AuthorChampion)))
		if a.Staff() {
			w.WriteString(` <span class="staff-badge">Staff</span>`)
		}
		w.WriteString(` · <a href="/p/`)
		w.WriteString(attrEscape(urlProcess(a.ID, true)))
		w.WriteString("\">jump to the reply</a></div>\n  <div class=\"prose\">")
		w.WriteString(string(a.HTML))
		w.WriteString("</div>\n</section>\n")
	}
	w.WriteString("\n\n<h2 class=\"forum-replies-head\">")
	w.WriteString(attrEscape(countOf(t.Replies, "reply", "replies")))
	w.WriteString("</h2>\n")
	// The pager is the same above and below the replies.
	var pager strings.Builder
	d.writePager(&pager)
	w.WriteString(pager.String())
	w.WriteByte('\n')
	if len(d.Posts) > 0 {
		for _, p := range d.Posts {
			if err := d.Item(p).write(w); err != nil {
				return err
			}
		}
	} else {
		w.WriteByte('\n')
		if d.Page == 1 {
			w.WriteString(`<p class="empty">No replies yet.`)
			if d.CanReply {
				w.WriteString(" Be the first to help.")
			}
			w.WriteString("</p>")
		}
		w.WriteByte('\n')
	}
	w.WriteByte('\n')
	w.WriteString(pager.String())
	w.WriteString("\n\n<section id=\"reply\" class=\"forum-reply\" aria-labelledby=\"reply-head\">\n")
	switch {
	case d.Viewer == nil:
		w.WriteString("\n  <p class=\"card\"><a href=\"/signin?next=/t/")
		w.WriteString(attrEscape(urlProcess(t.ID, false)))
		w.WriteString("%23reply\">Sign in</a> to reply.</p>\n")
	case t.Locked:
		w.WriteString("\n  <p class=\"card muted\">" + string(icon("lock")) + " This thread is locked. It takes no new replies.</p>\n")
	default:
		w.WriteString("\n  <h2 id=\"reply-head\">Your reply</h2>\n  <form method=\"post\" action=\"/t/")
		w.WriteString(attrEscape(urlProcess(t.ID, true)))
		w.WriteString("/reply\" class=\"card stack\">\n" +
			"    <label for=\"reply-body\" class=\"visually-hidden\">Reply (Markdown)</label>\n" +
			`    <textarea id="reply-body" name="body" required maxlength="20000" data-preview placeholder="Write your reply. Markdown works; @name mentions someone.">`)
		w.WriteString(attrEscape(d.Reply))
		w.WriteString("</textarea>\n" +
			"    <p class=\"field-help\">Markdown: **bold**, `code`, ```code blocks```, tables, &gt; quotes. Mention people with @handle.</p>\n" +
			"    <div class=\"row\"><button type=\"submit\" class=\"primary\">Post reply</button></div>\n  </form>\n")
	}
	w.WriteString("\n</section>")
	return nil
}

// writePager is the links to the thread's other pages, when it has more
// than one.
func (d *threadData) writePager(w htmlWriter) {
	if d.Pages <= 1 {
		return
	}
	cur := d.Page
	link := func(page int) string {
		return attrEscape(safeURL(withQuery(d.URL, "page", strconv.Itoa(page), "quote", "")))
	}
	w.WriteString("\n<nav class=\"pager forum-pager\" aria-label=\"Thread pages\">\n  \n  ")
	if cur > 1 {
		w.WriteString(`<a class="button" rel="prev" href="` + link(cur-1) + `">← Previous</a>`)
	}
	w.WriteString("\n  ")
	for _, n := range d.PageNumbers() {
		if n == 0 {
			w.WriteString(`<span class="pager-gap" aria-hidden="true">…</span>`)
			continue
		}
		num := strconv.Itoa(n)
		w.WriteString(`<a class="button`)
		if n == cur {
			w.WriteString(" primary")
		}
		w.WriteString(`" href="` + link(n) + `"`)
		if n == cur {
			w.WriteString(` aria-current="page"`)
		}
		w.WriteString(` aria-label="Page ` + num + `">` + num + `</a>`)
	}
	w.WriteString("\n  ")
	if cur < d.Pages {
		w.WriteString(`<a class="button" rel="next" href="` + link(cur+1) + `">Next →</a>`)
	}
	w.WriteString("\n</nav>\n")
}
