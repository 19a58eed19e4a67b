package web

import (
	"html/template"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall/ideas"
)

func (s *Server) ideaAPIRoutes() {
	api := s.api()
	api.GET("/ideas", s.h(s.apiListIdeas))
	api.POST("/ideas", s.h(s.apiProposeIdea))
	api.GET("/ideas.csv", s.h(s.apiExportIdeas))
	api.GET("/ideas/similar", s.h(s.apiSimilarIdeas))
	api.GET("/ideas/:id", s.h(s.apiIdea))
	api.PATCH("/ideas/:id", s.h(s.apiEditIdea))
	api.POST("/ideas/:id/vote", s.h(s.apiVote))
	api.DELETE("/ideas/:id/vote", s.h(s.apiVote))
	api.PUT("/ideas/:id/status", s.h(s.apiChangeStatus))
	api.POST("/ideas/:id/merge", s.h(s.apiMerge))
	api.GET("/ideas/:id/comments", s.h(s.apiComments))
	api.POST("/ideas/:id/comments", s.h(s.apiComment))
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
	Held        bool              `json:"held,omitempty"`   // waiting for review (its author and staff see it)
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
		CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt, Hidden: toHiddenJSON(i.Hidden), Held: i.Held,
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
	Likes      int            `json:"likes"`
	Liked      bool           `json:"liked"` // the viewer likes it
}

func toCommentJSON(c *ideas.Comment) commentJSON {
	out := commentJSON{c.ID, c.IdeaID, ideaAuthorJSON{c.AuthorID, c.AuthorName}, c.Team, c.Body, c.BodyHTML, c.MergedFrom, c.CreatedAt,
		nil, c.Deleted, toHiddenJSON(c.Hidden), c.Likes, c.Liked}
	if !c.EditedAt.IsZero() {
		out.EditedAt = &c.EditedAt
	}
	return out
}

func (s *Server) apiListIdeas(c *gin.Context) error {
	page, err := s.svc.Ideas.List(c.Request.Context(), currentUser(c), ideas.ListParams{
		Sort: c.Query("sort"), Status: c.Query("status"), Tag: c.Query("tag"), After: c.Query("after"),
	})
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, ideaPageJSON{toIdeaJSONs(page.Items), page.Next})
}

type ideaInputJSON struct {
	Title *string  `json:"title"`
	Body  *string  `json:"body"`
	Tags  []string `json:"tags"`
}

func (s *Server) apiProposeIdea(c *gin.Context) error {
	if _, err := requireUser(c); err != nil {
		return err
	}
	var req ideaInputJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
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
		return err
	}
	c.Header("Location", i.URL())
	return sendJSON(c, http.StatusCreated, toIdeaJSON(i))
}

// apiEditIdea changes the fields sent; the others keep their values.
func (s *Server) apiEditIdea(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	var req ideaInputJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	old, err := s.svc.Ideas.Idea(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		return err
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
		return err
	}
	s.changed(c, ideaItem(i.ID))
	return sendJSON(c, http.StatusOK, toIdeaJSON(i))
}

func (s *Server) apiIdea(c *gin.Context) error {
	i, err := s.svc.Ideas.Idea(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	pageOf(c, ideaItem(i.ID))
	return sendJSON(c, http.StatusOK, toIdeaJSON(i))
}

// apiVote adds (POST) or removes (DELETE) the caller's vote and answers the
// idea with its new count.
func (s *Server) apiVote(c *gin.Context) error {
	var i *ideas.Idea
	var err error
	if c.Request.Method == http.MethodDelete {
		i, err = s.svc.Ideas.Unvote(c.Request.Context(), currentUser(c), c.Param("id"))
	} else {
		i, err = s.svc.Ideas.Vote(c.Request.Context(), currentUser(c), c.Param("id"))
	}
	if err != nil {
		return err
	}
	s.changed(c, ideaItem(i.ID))
	return sendJSON(c, http.StatusOK, toIdeaJSON(i))
}

func (s *Server) apiChangeStatus(c *gin.Context) error {
	if _, err := requireUser(c); err != nil {
		return err
	}
	var req struct {
		Status   string `json:"status"`
		Reason   string `json:"reason"`
		Response string `json:"response"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	i, err := s.svc.Ideas.ChangeStatus(c.Request.Context(), currentUser(c), c.Param("id"),
		ideas.StatusUpdate{Status: req.Status, Reason: req.Reason, Response: req.Response})
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toIdeaJSON(i))
}

func (s *Server) apiMerge(c *gin.Context) error {
	if _, err := requireUser(c); err != nil {
		return err
	}
	var req struct {
		Into string `json:"into"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	into, err := s.svc.Ideas.Merge(c.Request.Context(), currentUser(c), c.Param("id"), ideaIDFrom(req.Into))
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toIdeaJSON(into))
}

func (s *Server) apiComments(c *gin.Context) error {
	page, err := s.svc.Ideas.Comments(c.Request.Context(), currentUser(c), c.Param("id"), c.Query("after"))
	if err != nil {
		return err
	}
	pageOf(c, ideaItem(c.Param("id")))
	if err := s.markCommentsLiked(c.Request.Context(), currentUser(c), page.Items); err != nil {
		return err
	}
	items := make([]commentJSON, len(page.Items))
	for k, cm := range page.Items {
		items[k] = toCommentJSON(cm)
	}
	return sendJSON(c, http.StatusOK, struct {
		Items []commentJSON `json:"items"`
		Next  string        `json:"next"`
	}{items, page.Next})
}

func (s *Server) apiComment(c *gin.Context) error {
	if _, err := requireUser(c); err != nil {
		return err
	}
	var req struct {
		Body string `json:"body"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cm, err := s.svc.Ideas.Comment(c.Request.Context(), currentUser(c), c.Param("id"), req.Body)
	if err != nil {
		return err
	}
	s.changed(c, ideaItem(cm.IdeaID))
	return sendJSON(c, http.StatusCreated, toCommentJSON(cm))
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
func (s *Server) apiSimilarIdeas(c *gin.Context) error {
	items, err := s.svc.Ideas.Similar(c.Request.Context(), c.Query("q"))
	if err != nil {
		return err
	}
	out := make([]similarJSON, len(items))
	for k, i := range items {
		out[k] = similarJSON{i.ID, i.Title, i.Status, i.Status.Label(), i.Votes, i.URL()}
	}
	return sendJSON(c, http.StatusOK, struct {
		Items []similarJSON `json:"items"`
	}{out})
}
