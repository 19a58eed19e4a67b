package web

import (
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
)

func (s *Server) forumAPIRoutes() {
	api := s.api()
	api.GET("/categories", s.h(s.apiCategories))
	api.POST("/categories", s.h(s.apiSaveCategory))
	api.PATCH("/categories/:id", s.h(s.apiSaveCategory))
	api.GET("/categories/:id/threads", s.h(s.apiThreads))
	api.POST("/threads", s.h(s.apiCreateThread))
	api.GET("/threads/:id", s.h(s.apiThread))
	api.POST("/threads/:id/posts", s.h(s.apiReply))
	api.POST("/threads/:id/move", s.h(s.apiMove))
	for _, a := range []forum.ThreadAction{forum.Lock, forum.Pin, forum.Hide, forum.Follow} {
		api.POST("/threads/:id/"+string(a), s.h(s.apiThreadSwitch(a, true)))
		api.DELETE("/threads/:id/"+string(a), s.h(s.apiThreadSwitch(a, false)))
	}
	api.GET("/posts/:id", s.h(s.apiPost))
	api.PATCH("/posts/:id", s.h(s.apiEditPost))
	api.GET("/posts/:id/revisions", s.h(s.apiRevisions))
	api.POST("/posts/:id/accept", s.h(s.apiAccept(true)))
	api.DELETE("/posts/:id/accept", s.h(s.apiAccept(false)))
	api.POST("/posts/:id/hide", s.h(s.apiHidePost(true)))
	api.DELETE("/posts/:id/hide", s.h(s.apiHidePost(false)))
}

type categoryJSON struct {
	ID          string    `json:"id"`
	Slug        string    `json:"slug"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Position    int       `json:"position"`
	Questions   bool      `json:"questions"`
	Threads     int       `json:"threads"`
	URL         string    `json:"url"`
	CreatedAt   time.Time `json:"created_at"`
}

func toCategoryJSON(c *forum.Category) categoryJSON {
	return categoryJSON{c.ID, c.Slug, c.Name, c.Description, c.Position, c.Questions, c.Threads, "/c/" + c.Slug, c.CreatedAt}
}

type forumPersonJSON struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Handle string `json:"handle,omitempty"`
}

type threadJSON struct {
	ID             string          `json:"id"`
	Category       string          `json:"category"`
	CategoryID     string          `json:"category_id"`
	Title          string          `json:"title"`
	Author         forumPersonJSON `json:"author"`
	Replies        int             `json:"replies"`
	LastPoster     forumPersonJSON `json:"last_poster"`
	LastActivity   time.Time       `json:"last_activity"`
	Pinned         bool            `json:"pinned"`
	Locked         bool            `json:"locked"`
	Hidden         bool            `json:"hidden"`
	Held           bool            `json:"held,omitempty"` // waiting for review (its author and staff see it)
	Solved         bool            `json:"solved"`
	AcceptedPostID string          `json:"accepted_post_id,omitempty"`
	URL            string          `json:"url"`
	CreatedAt      time.Time       `json:"created_at"`
	// Set when one page of the thread is returned.
	Page      int        `json:"page,omitempty"`
	Pages     int        `json:"pages,omitempty"`
	Following *bool      `json:"following,omitempty"`
	Question  *postJSON  `json:"question,omitempty"`
	Accepted  *postJSON  `json:"accepted,omitempty"`
	Posts     []postJSON `json:"posts,omitempty"`
}

func toThreadJSON(t *forum.Thread) threadJSON {
	return threadJSON{
		ID: t.ID, Category: t.CategorySlug, CategoryID: t.CategoryID, Title: t.Title,
		Author: forumPersonJSON{ID: t.AuthorID, Name: t.AuthorName}, Replies: t.Replies,
		LastPoster: forumPersonJSON{ID: t.LastPosterID, Name: t.LastPosterName}, LastActivity: t.LastActivity,
		Pinned: t.Pinned, Locked: t.Locked, Hidden: t.Hidden, Held: t.Held, Solved: t.Solved(), AcceptedPostID: t.AcceptedPostID,
		URL: t.URL(), CreatedAt: t.CreatedAt,
	}
}

type postJSON struct {
	ID        string          `json:"id"`
	ThreadID  string          `json:"thread_id"`
	Position  int             `json:"position"`
	Author    forumPersonJSON `json:"author"`
	Staff     bool            `json:"staff"`
	Body      string          `json:"body"`
	BodyHTML  template.HTML   `json:"body_html"`
	Hidden    bool            `json:"hidden"`
	Edited    bool            `json:"edited"`
	EditedAt  *time.Time      `json:"edited_at,omitempty"`
	URL       string          `json:"url"`
	CreatedAt time.Time       `json:"created_at"`
	Likes     int             `json:"likes"`
	Liked     bool            `json:"liked"` // the viewer likes it
}

func toPostJSON(p *forum.Post) postJSON {
	out := postJSON{ID: p.ID, ThreadID: p.ThreadID, Position: p.Position,
		Author: forumPersonJSON{p.AuthorID, p.AuthorName, p.AuthorHandle}, Staff: p.Staff(), Body: p.Source, BodyHTML: p.HTML,
		Hidden: p.Hidden, Edited: p.Edited(), URL: "/p/" + p.ID, CreatedAt: p.CreatedAt, Likes: p.Likes, Liked: p.Liked}
	if p.Edited() {
		at := p.EditedAt
		out.EditedAt = &at
	}
	return out
}

func (s *Server) apiCategories(c *gin.Context) error {
	cats, err := s.svc.Forum.Categories(c.Request.Context())
	if err != nil {
		return err
	}
	out := make([]categoryJSON, len(cats))
	for i, cat := range cats {
		out[i] = toCategoryJSON(cat)
	}
	return sendJSON(c, http.StatusOK, gin.H{"categories": out})
}

type categoryInputJSON struct {
	Name        string `json:"name"`
	Slug        string `json:"slug"`
	Description string `json:"description"`
	Position    int    `json:"position"`
	Questions   bool   `json:"questions"`
}

func (s *Server) apiSaveCategory(c *gin.Context) error {
	var req categoryInputJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cat := &forum.Category{ID: c.Param("id"), Name: req.Name, Slug: req.Slug, Description: req.Description,
		Position: req.Position, Questions: req.Questions}
	status := http.StatusCreated
	if cat.ID != "" {
		status = http.StatusOK
	}
	if err := s.svc.Forum.SaveCategory(c.Request.Context(), currentUser(c), cat); err != nil {
		return err
	}
	return sendJSON(c, status, toCategoryJSON(cat))
}

func (s *Server) apiThreads(c *gin.Context) error {
	page, err := s.svc.Forum.Threads(c.Request.Context(), currentUser(c), c.Param("id"), c.Query("after"))
	if err != nil {
		return err
	}
	items := make([]threadJSON, len(page.Threads.Items))
	for i, t := range page.Threads.Items {
		items[i] = toThreadJSON(t)
	}
	return sendJSON(c, http.StatusOK, gin.H{"category": toCategoryJSON(page.Category), "items": items, "next": page.Threads.Next})
}

func (s *Server) apiCreateThread(c *gin.Context) error {
	if _, err := requireUser(c); err != nil {
		return err
	}
	var req struct {
		Category string `json:"category"`
		Title    string `json:"title"`
		Body     string `json:"body"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := s.svc.Forum.CreateThread(c.Request.Context(), currentUser(c), forum.ThreadInput{Category: req.Category, Title: req.Title, Body: req.Body})
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/threads/"+t.ID)
	return sendJSON(c, http.StatusCreated, toThreadJSON(t))
}

func (s *Server) apiThread(c *gin.Context) error {
	page := 1
	if q := c.Query("page"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 {
			return errInvalidPage
		}
		page = n
	}
	tv, err := s.svc.Forum.Thread(c.Request.Context(), currentUser(c), c.Param("id"), page)
	if err != nil {
		return err
	}
	if err := s.markPostsLiked(c.Request.Context(), currentUser(c), append([]*forum.Post{tv.First, tv.Accepted}, tv.Posts...)...); err != nil {
		return err
	}
	pageOf(c, threadItem(tv.Thread.ID))
	out := toThreadJSON(tv.Thread)
	out.Page, out.Pages = tv.Page, tv.Pages
	if currentUser(c) != nil {
		out.Following = &tv.Following
	}
	if tv.First != nil {
		q := toPostJSON(tv.First)
		out.Question = &q
	}
	if tv.Accepted != nil {
		a := toPostJSON(tv.Accepted)
		out.Accepted = &a
	}
	out.Posts = make([]postJSON, len(tv.Posts))
	for i, p := range tv.Posts {
		out.Posts[i] = toPostJSON(p)
	}
	return sendJSON(c, http.StatusOK, out)
}

type bodyJSON struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

func (s *Server) apiReply(c *gin.Context) error {
	if _, err := requireUser(c); err != nil {
		return err
	}
	var req bodyJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.svc.Forum.Reply(c.Request.Context(), currentUser(c), c.Param("id"), req.Body)
	if err != nil {
		return err
	}
	s.changed(c, threadItem(p.ThreadID))
	return sendJSON(c, http.StatusCreated, toPostJSON(p))
}

func (s *Server) apiMove(c *gin.Context) error {
	var req struct {
		Category string `json:"category"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := s.svc.Forum.Move(c.Request.Context(), currentUser(c), c.Param("id"), req.Category)
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toThreadJSON(t))
}

func (s *Server) apiThreadSwitch(what forum.ThreadAction, on bool) handler {
	return func(c *gin.Context) error {
		t, err := s.svc.Forum.Set(c.Request.Context(), currentUser(c), c.Param("id"), what, on)
		if err != nil {
			return err
		}
		if what != forum.Follow {
			s.changed(c, threadItem(t.ID))
		}
		out := toThreadJSON(t)
		if what == forum.Follow {
			out.Following = &on
		}
		return sendJSON(c, http.StatusOK, out)
	}
}

func (s *Server) apiPost(c *gin.Context) error {
	p, _, err := s.svc.Forum.Post(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	pageOf(c, threadItem(p.ThreadID))
	if err := s.markPostsLiked(c.Request.Context(), currentUser(c), p); err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toPostJSON(p))
}

func (s *Server) apiEditPost(c *gin.Context) error {
	if _, err := requireUser(c); err != nil {
		return err
	}
	var req bodyJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.svc.Forum.EditPost(c.Request.Context(), currentUser(c), c.Param("id"), forum.PostInput{Title: req.Title, Body: req.Body})
	if err != nil {
		return err
	}
	s.changed(c, threadItem(p.ThreadID))
	return sendJSON(c, http.StatusOK, toPostJSON(p))
}

type revisionJSON struct {
	ID        string          `json:"id"`
	Title     string          `json:"title,omitempty"`
	Body      string          `json:"body"`
	Editor    forumPersonJSON `json:"editor"`
	CreatedAt time.Time       `json:"created_at"`
}

func (s *Server) apiRevisions(c *gin.Context) error {
	_, revs, err := s.svc.Forum.Revisions(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	out := make([]revisionJSON, len(revs))
	for i, r := range revs {
		out[i] = revisionJSON{r.ID, r.Title, r.Source, forumPersonJSON{ID: r.EditorID, Name: r.EditorName}, r.CreatedAt}
	}
	return sendJSON(c, http.StatusOK, gin.H{"revisions": out})
}

func (s *Server) apiAccept(accept bool) handler {
	return func(c *gin.Context) error {
		t, err := s.svc.Forum.Accept(c.Request.Context(), currentUser(c), c.Param("id"), accept)
		if err != nil {
			return err
		}
		s.changed(c, threadItem(t.ID))
		return sendJSON(c, http.StatusOK, toThreadJSON(t))
	}
}

func (s *Server) apiHidePost(hidden bool) handler {
	return func(c *gin.Context) error {
		p, err := s.svc.Forum.HidePost(c.Request.Context(), currentUser(c), c.Param("id"), hidden)
		if err != nil {
			return err
		}
		s.changed(c, threadItem(p.ThreadID))
		return sendJSON(c, http.StatusOK, toPostJSON(p))
	}
}

var errInvalidPage = townhall.Errorf(townhall.EINVALID, "page must be a whole number from 1.")
