package web

import (
	"html/template"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall/ideas"
)

// The public changelog (/changelog): shipped ideas by month, newest
// first, with their official responses, release notes and how many
// customers asked for each.

func (s *Server) changelogRoutes(r *gin.Engine) {
	r.GET("/changelog", s.h(s.changelogPage))
	r.POST("/ideas/:id/release-note", s.h(s.releaseNoteForm))
	api := s.api()
	api.GET("/changelog", s.h(s.apiChangelog))
	api.PUT("/ideas/:id/release-note", s.h(s.apiSetReleaseNote))
	api.DELETE("/ideas/:id/release-note", s.h(s.apiSetReleaseNote))
}

type releaseNoteJSON struct {
	Body      string         `json:"body"`
	BodyHTML  template.HTML  `json:"body_html"`
	Author    ideaAuthorJSON `json:"author"`
	UpdatedAt time.Time      `json:"updated_at"`
}

func toReleaseNoteJSON(n *ideas.ReleaseNote) *releaseNoteJSON {
	if n == nil {
		return nil
	}
	return &releaseNoteJSON{n.Body, n.BodyHTML, ideaAuthorJSON{n.AuthorID, n.AuthorName}, n.UpdatedAt}
}

type shippedJSON struct {
	Idea        ideaJSON         `json:"idea"`
	ShippedAt   time.Time        `json:"shipped_at"`
	AskedFor    int              `json:"asked_for"` // customers who voted, merged duplicates' voters included
	ReleaseNote *releaseNoteJSON `json:"release_note"`
}

func (s *Server) apiChangelog(c *gin.Context) error {
	page, err := s.svc.Ideas.Changelog(c.Request.Context(), c.Query("after"))
	if err != nil {
		return err
	}
	out := make([]shippedJSON, len(page.Items))
	for i, sh := range page.Items {
		out[i] = shippedJSON{toIdeaJSON(sh.Idea), sh.ShippedAt, sh.Idea.Votes, toReleaseNoteJSON(sh.Note)}
	}
	return sendJSON(c, http.StatusOK, gin.H{"items": out, "next": page.Next})
}

// apiSetReleaseNote writes (PUT {"body"}) or removes (DELETE, or an empty
// body) a shipped idea's release note.
func (s *Server) apiSetReleaseNote(c *gin.Context) error {
	var req struct {
		Body string `json:"body"`
	}
	if c.Request.Method == http.MethodPut {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	n, err := s.svc.Ideas.SetReleaseNote(c.Request.Context(), currentUser(c), c.Param("id"), req.Body)
	if err != nil {
		return err
	}
	if n == nil {
		c.Status(http.StatusNoContent)
		return nil
	}
	return sendJSON(c, http.StatusOK, toReleaseNoteJSON(n))
}

// changelogMonth is one month of the changelog page.
type changelogMonth struct {
	Label   string // "November 2026"
	Entries []*ideas.Shipped
}

type changelogData struct {
	ideasSection
	Months []changelogMonth
	Next   string
	Empty  bool
}

func (s *Server) changelogPage(c *gin.Context) error {
	page, err := s.svc.Ideas.Changelog(c.Request.Context(), c.Query("after"))
	if err != nil {
		return err
	}
	loc := s.svc.Auth.Location()
	d := &changelogData{ideasSection: ideasSection{"changelog"}, Next: page.Next, Empty: len(page.Items) == 0 && c.Query("after") == ""}
	for _, sh := range page.Items {
		label := sh.ShippedAt.In(loc).Format("January 2006")
		if n := len(d.Months); n == 0 || d.Months[n-1].Label != label {
			d.Months = append(d.Months, changelogMonth{Label: label})
		}
		m := &d.Months[len(d.Months)-1]
		m.Entries = append(m.Entries, sh)
	}
	v := s.view(c, "Changelog")
	v.Nav = "ideas"
	v.Feed = changelogFeed
	v.Data = d
	return s.html(c, http.StatusOK, "changelog", v)
}

// releaseNoteForm is the release-note form of a shipped idea's page (and
// of the changelog, which sends back=changelog).
func (s *Server) releaseNoteForm(c *gin.Context) error {
	_, err := s.svc.Ideas.SetReleaseNote(c.Request.Context(), currentUser(c), c.Param("id"), c.PostForm("release_note"))
	if err != nil {
		return s.ideaFormError(c, err)
	}
	if c.PostForm("back") == "changelog" {
		return redirectBack(c, "/changelog#idea-"+c.Param("id"))
	}
	return redirectBack(c, "/ideas/"+c.Param("id")+"#release-note")
}
