package web

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/townhall/townhall/ideas"
)

// HTML is the idea's card on the board and the other idea lists, written
// out directly: a board page is fifty of them, and as templates they were
// three quarters of its render. It writes exactly what html/template made
// of the old idea-card, idea-vote and idea-status partials;
// ideas_card_html_internal_test.go holds them and compares the two.
func (c ideaCard) HTML() (template.HTML, error) {
	i := c.Idea
	var w strings.Builder
	w.Grow(2048)
	path := "/ideas/" + attrEscape(urlProcess(i.ID, true))
	w.WriteString("\n<li class=\"idea-card\" id=\"idea-" + attrEscape(i.ID) + "\">\n  ")
	switch {
	case i.Merged():
		w.WriteString(`<div class="vote-box merged-box" aria-hidden="true">↪</div>` + "\n  ")
	case c.Shared:
		if err := c.holes.write(&w, "vote "+i.ID); err != nil {
			return "", err
		}
		c.holes.writeVariant(&w, "on")
		writeVote(&w, i, true)
		c.holes.writeVariant(&w, "off")
		writeVote(&w, i, false)
		c.holes.writeClose(&w)
		w.WriteString("\n  ")
	default:
		writeVote(&w, i, i.Voted)
	}
	w.WriteString("\n  <div class=\"idea-card-main\">\n    <h2 class=\"idea-card-title\"><a href=\"" + path + `">` + attrEscape(i.Title) + "</a></h2>\n    <p class=\"idea-meta\">\n      ")
	if i.Merged() {
		w.WriteString(`<span class="pill status status-merged">Merged</span> into <a href="/ideas/` + attrEscape(urlProcess(i.MergedInto, true)) + `">` +
			attrEscape(i.MergedIntoTitle) + "</a>\n      ")
	} else {
		writeStatus(&w, i.Status)
	}
	w.WriteString("\n      ")
	if h := i.Hidden; h != nil {
		w.WriteString(`<span class="pill status-hidden" title="Hidden by ` + attrEscape(h.ByName) + ": " + attrEscape(h.Reason) + `">Hidden</span>`)
	}
	w.WriteString("\n      ")
	for _, t := range i.Tags {
		w.WriteString(`<a class="tag" href="/ideas?tag=` + urlProcess(t, false) + `">` + attrEscape(t) + "</a> ")
	}
	w.WriteString("\n      <span class=\"muted\">" + countOf(i.Comments, "comment", "comments") + "</span>\n      <span class=\"muted\">" +
		string(when(i.CreatedAt)) + "</span>\n    </p>\n  </div>\n</li>\n")
	return template.HTML(w.String()), nil
}

// voteForm is an idea's vote button as the idea says its reader voted.
func voteForm(i *ideas.Idea) template.HTML {
	var w strings.Builder
	w.Grow(768)
	writeVote(&w, i, i.Voted)
	return template.HTML(w.String())
}

func writeVote(w htmlWriter, i *ideas.Idea, voted bool) {
	v := strconv.FormatBool(voted)
	w.WriteString("\n<form class=\"vote-form\" method=\"post\" action=\"/ideas/" + attrEscape(urlProcess(i.ID, true)) + "/")
	if voted {
		w.WriteString("unvote")
	} else {
		w.WriteString("vote")
	}
	w.WriteString(`" data-idea="` + attrEscape(i.ID) + `" data-voted="` + v + "\">\n  <button type=\"submit\" class=\"vote-button\" aria-pressed=\"" + v + `" title="`)
	if voted {
		w.WriteString("Remove your vote")
	} else {
		w.WriteString("Vote for this idea")
	}
	w.WriteString(`"`)
	if i.Merged() || i.Hidden != nil {
		w.WriteString(" disabled")
	}
	w.WriteString(">\n    <span class=\"vote-arrow\" aria-hidden=\"true\">▲</span>\n    <span class=\"vote-count\" data-testid=\"vote-count\">" +
		strconv.Itoa(i.Votes) + "</span>\n    <span class=\"visually-hidden\">")
	if i.Votes == 1 {
		w.WriteString("vote")
	} else {
		w.WriteString("votes")
	}
	w.WriteString(" for “" + attrEscape(i.Title) + "”</span>\n  </button>\n</form>\n")
}

// statusPill is an idea's status as a pill.
func statusPill(s ideas.Status) template.HTML {
	var w strings.Builder
	writeStatus(&w, s)
	return template.HTML(w.String())
}

func writeStatus(w htmlWriter, s ideas.Status) {
	w.WriteString(`<span class="pill status status-` + attrEscape(string(s)) + `">` + attrEscape(s.Label()) + "</span>")
}
