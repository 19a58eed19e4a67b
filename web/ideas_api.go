package web

import (
	"encoding/csv"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall/ideas"
)

func (s *Server) ideaAPIRoutes() {
	api := s.api()
	api.GET("/ideas", s.apiListIdeas)
	api.POST("/ideas", s.apiProposeIdea)
	api.GET("/ideas.csv", s.apiExportIdeas)
	api.GET("/ideas/similar", s.apiSimilarIdeas)
	api.GET("/ideas/:id", s.apiIdea)
	api.PATCH("/ideas/:id", s.apiEditIdea)
	api.POST("/ideas/:id/vote", s.apiVote)
	api.DELETE("/ideas/:id/vote", s.apiVote)
	api.PUT("/ideas/:id/status", s.apiChangeStatus)
	api.POST("/ideas/:id/merge", s.apiMerge)
	api.GET("/ideas/:id/comments", s.apiComments)
	api.POST("/ideas/:id/comments", s.apiComment)
}

type ideaAuthorJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type ideaResponseJSON struct {
	Body     string         `json:"body"`
	BodyHTML template.HTML  `json:"body_html"`
	Author   ideaAuthorJSON `json:"author"`
	At       time.Time      `json:"at"`
}

type ideaJSON struct {
	ID          string            `json:"id"`
	Title       string            `json:"title"`
	Body        string            `json:"body"`
	BodyHTML    template.HTML     `json:"body_html"`
	Tags        []string          `json:"tags"`
	Status      ideas.Status      `json:"status"`
	StatusLabel string            `json:"status_label"`
	Votes       int               `json:"votes"`
	Comments    int               `json:"comments"`
	Voted       bool              `json:"voted"`
	Author      ideaAuthorJSON    `json:"author"`
	MergedInto  string            `json:"merged_into,omitempty"`
	Hidden      *hiddenJSON       `json:"hidden,omitempty"` // staff only see hidden ideas
	Response    *ideaResponseJSON `json:"response,omitempty"`
	URL         string            `json:"url"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

func toIdeaJSON(i *ideas.Idea) ideaJSON {
	out := ideaJSON{
		ID: i.ID, Title: i.Title, Body: i.Body, BodyHTML: i.BodyHTML, Tags: i.Tags, Status: i.Status,
		StatusLabel: i.Status.Label(), Votes: i.Votes, Comments: i.Comments, Voted: i.Voted,
		Author: ideaAuthorJSON{i.AuthorID, i.AuthorName}, MergedInto: i.MergedInto, URL: i.URL(),
		CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt, Hidden: toHiddenJSON(i.Hidden),
	}
	if r := i.Response; r != nil {
		out.Response = &ideaResponseJSON{r.Body, r.BodyHTML, ideaAuthorJSON{r.AuthorID, r.AuthorName}, r.At}
	}
	return out
}

func toIdeaJSONs(items []*ideas.Idea) []ideaJSON {
	out := make([]ideaJSON, len(items))
	for k, i := range items {
		out[k] = toIdeaJSON(i)
	}
	return out
}

type ideaPageJSON struct {
	Items []ideaJSON `json:"items"`
	Next  string     `json:"next"`
}

type commentJSON struct {
	ID         string         `json:"id"`
	IdeaID     string         `json:"idea_id"`
	Author     ideaAuthorJSON `json:"author"`
	Team       bool           `json:"team"`
	Body       string         `json:"body"`
	BodyHTML   template.HTML  `json:"body_html"`
	MergedFrom string         `json:"merged_from,omitempty"`
	CreatedAt  time.Time      `json:"created_at"`
	EditedAt   *time.Time     `json:"edited_at,omitempty"`
	Deleted    bool           `json:"deleted"`
	Hidden     *hiddenJSON    `json:"hidden,omitempty"`
}

func toCommentJSON(c *ideas.Comment) commentJSON {
	out := commentJSON{c.ID, c.IdeaID, ideaAuthorJSON{c.AuthorID, c.AuthorName}, c.Team, c.Body, c.BodyHTML, c.MergedFrom, c.CreatedAt,
		nil, c.Deleted, toHiddenJSON(c.Hidden)}
	if !c.EditedAt.IsZero() {
		out.EditedAt = &c.EditedAt
	}
	return out
}

func (s *Server) apiListIdeas(c *gin.Context) {
	page, err := s.svc.Ideas.List(c.Request.Context(), currentUser(c), ideas.ListParams{
		Sort: c.Query("sort"), Status: c.Query("status"), Tag: c.Query("tag"), After: c.Query("after"),
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ideaPageJSON{toIdeaJSONs(page.Items), page.Next})
}

type ideaInputJSON struct {
	Title *string  `json:"title"`
	Body  *string  `json:"body"`
	Tags  []string `json:"tags"`
}

func (s *Server) apiProposeIdea(c *gin.Context) {
	if _, ok := s.requireUser(c); !ok {
		return
	}
	var req ideaInputJSON
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	in := ideas.Input{Tags: req.Tags}
	if req.Title != nil {
		in.Title = *req.Title
	}
	if req.Body != nil {
		in.Body = *req.Body
	}
	i, err := s.svc.Ideas.Propose(c.Request.Context(), currentUser(c), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", i.URL())
	c.JSON(http.StatusCreated, toIdeaJSON(i))
}

// apiEditIdea changes the fields sent; the others keep their values.
func (s *Server) apiEditIdea(c *gin.Context) {
	u, ok := s.requireUser(c)
	if !ok {
		return
	}
	var req ideaInputJSON
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	old, err := s.svc.Ideas.Idea(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	in := ideas.Input{Title: old.Title, Body: old.Body, Tags: old.Tags}
	if req.Title != nil {
		in.Title = *req.Title
	}
	if req.Body != nil {
		in.Body = *req.Body
	}
	if req.Tags != nil {
		in.Tags = req.Tags
	}
	i, err := s.svc.Ideas.Edit(c.Request.Context(), u, old.ID, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toIdeaJSON(i))
}

func (s *Server) apiIdea(c *gin.Context) {
	i, err := s.svc.Ideas.Idea(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toIdeaJSON(i))
}

// apiVote adds (POST) or removes (DELETE) the caller's vote and answers the
// idea with its new count.
func (s *Server) apiVote(c *gin.Context) {
	var i *ideas.Idea
	var err error
	if c.Request.Method == http.MethodDelete {
		i, err = s.svc.Ideas.Unvote(c.Request.Context(), currentUser(c), c.Param("id"))
	} else {
		i, err = s.svc.Ideas.Vote(c.Request.Context(), currentUser(c), c.Param("id"))
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toIdeaJSON(i))
}

func (s *Server) apiChangeStatus(c *gin.Context) {
	if _, ok := s.requireUser(c); !ok {
		return
	}
	var req struct {
		Status   string `json:"status"`
		Reason   string `json:"reason"`
		Response string `json:"response"`
	}
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	i, err := s.svc.Ideas.ChangeStatus(c.Request.Context(), currentUser(c), c.Param("id"), req.Status, req.Reason, req.Response)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toIdeaJSON(i))
}

func (s *Server) apiMerge(c *gin.Context) {
	if _, ok := s.requireUser(c); !ok {
		return
	}
	var req struct {
		Into string `json:"into"`
	}
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	into, err := s.svc.Ideas.Merge(c.Request.Context(), currentUser(c), c.Param("id"), ideaIDFrom(req.Into))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toIdeaJSON(into))
}

func (s *Server) apiComments(c *gin.Context) {
	page, err := s.svc.Ideas.Comments(c.Request.Context(), currentUser(c), c.Param("id"), c.Query("after"))
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]commentJSON, len(page.Items))
	for k, cm := range page.Items {
		items[k] = toCommentJSON(cm)
	}
	c.JSON(http.StatusOK, struct {
		Items []commentJSON `json:"items"`
		Next  string        `json:"next"`
	}{items, page.Next})
}

func (s *Server) apiComment(c *gin.Context) {
	if _, ok := s.requireUser(c); !ok {
		return
	}
	var req struct {
		Body string `json:"body"`
	}
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	cm, err := s.svc.Ideas.Comment(c.Request.Context(), currentUser(c), c.Param("id"), req.Body)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toCommentJSON(cm))
}

type similarJSON struct {
	ID     string       `json:"id"`
	Title  string       `json:"title"`
	Status ideas.Status `json:"status"`
	Label  string       `json:"status_label"`
	Votes  int          `json:"votes"`
	URL    string       `json:"url"`
}

// apiSimilarIdeas suggests existing ideas for a title being typed.
func (s *Server) apiSimilarIdeas(c *gin.Context) {
	items, err := s.svc.Ideas.Similar(c.Request.Context(), c.Query("q"))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]similarJSON, len(items))
	for k, i := range items {
		out[k] = similarJSON{i.ID, i.Title, i.Status, i.Status.Label(), i.Votes, i.URL()}
	}
	c.JSON(http.StatusOK, struct {
		Items []similarJSON `json:"items"`
	}{out})
}

// apiExportIdeas streams every idea as CSV for the product team.
func (s *Server) apiExportIdeas(c *gin.Context) {
	u := currentUser(c)
	base := s.cfg.BaseURL.Scheme + "://" + s.cfg.BaseURL.Host
	var w *csv.Writer
	err := s.svc.Ideas.Export(c.Request.Context(), u, func(i *ideas.Idea) error {
		if w == nil {
			c.Header("Content-Type", "text/csv; charset=utf-8")
			c.Header("Content-Disposition", `attachment; filename="ideas.csv"`)
			c.Header("Cache-Control", "no-store")
			c.Status(http.StatusOK)
			w = csv.NewWriter(c.Writer)
			w.Write(csvHeader)
		}
		status := string(i.Status)
		if i.Merged() {
			status = "merged"
		}
		return w.Write([]string{
			i.ID, csvCell(i.Title), status, strconv.Itoa(i.Votes), strconv.FormatFloat(i.Weighted, 'f', -1, 64),
			i.CreatedAt.UTC().Format(time.RFC3339), csvCell(strings.Join(i.Tags, " ")), base + i.URL(),
		})
	})
	if err != nil {
		if w == nil {
			s.fail(c, err)
			return
		}
		s.log.Error("export ideas", "err", err, "request_id", c.GetString(ctxRequestID))
		return
	}
	if w == nil { // no ideas yet: still a valid file
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="ideas.csv"`)
		c.Status(http.StatusOK)
		w = csv.NewWriter(c.Writer)
		w.Write(csvHeader)
	}
	w.Flush()
}

var csvHeader = []string{"id", "title", "status", "votes", "weighted_score", "created", "tags", "url"}

// csvCell defuses spreadsheet formulas: a cell starting with = + - @ (or a
// tab or carriage return) gets a leading apostrophe so it stays text.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
