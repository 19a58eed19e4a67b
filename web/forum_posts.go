package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
)

// Single forum posts: permalinks, editing with history, accepted answers
// and hiding. Routes are in forum.go.

func (s *Server) permalink(c *gin.Context) error {
	to, err := s.svc.Forum.Location(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	c.Redirect(http.StatusFound, to)
	return nil
}

type editData struct {
	Post   *forum.Post
	Thread *forum.Thread
}

func (s *Server) editPostPage(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	p, t, err := s.svc.Forum.Post(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	if p.AuthorID != u.ID && !u.Role.CanModerate() {
		return townhall.Errorf(townhall.EFORBIDDEN, "You can only edit your own posts.")
	}
	v := s.forumView(c, "Edit post")
	v.Data = editData{p, t}
	v.Form = url.Values{"title": {t.Title}, "body": {p.Source}}
	return s.html(c, http.StatusOK, "forum_edit", v)
}

func (s *Server) editPostForm(c *gin.Context) error {
	u := currentUser(c)
	p, err := s.svc.Forum.EditPost(c.Request.Context(), u, c.Param("id"), forum.PostInput{Title: c.PostForm("title"), Body: c.PostForm("body")})
	if err != nil {
		old, t, lerr := s.svc.Forum.Post(c.Request.Context(), u, c.Param("id"))
		if lerr != nil {
			return lerr
		}
		v := s.forumView(c, "Edit post")
		v.Data = editData{old, t}
		return rerender("forum_edit", v, err)
	}
	s.changed(c, threadItem(p.ThreadID))
	return redirectBack(c, "/p/"+p.ID)
}

func (s *Server) postHistoryPage(c *gin.Context) error {
	p, revs, err := s.svc.Forum.Revisions(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	v := s.forumView(c, "Earlier versions")
	v.Data = map[string]any{"Post": p, "Revisions": revs}
	return s.html(c, http.StatusOK, "forum_history", v)
}

func (s *Server) acceptForm(c *gin.Context) error {
	t, err := s.svc.Forum.Accept(c.Request.Context(), currentUser(c), c.Param("id"), formOn(c))
	if err != nil {
		return err
	}
	s.changed(c, threadItem(t.ID))
	return redirectBack(c, t.URL())
}

func (s *Server) hidePostForm(c *gin.Context) error {
	p, err := s.svc.Forum.HidePost(c.Request.Context(), currentUser(c), c.Param("id"), formOn(c))
	if err != nil {
		return err
	}
	s.changed(c, threadItem(p.ThreadID))
	return redirectBack(c, "/p/"+p.ID)
}
