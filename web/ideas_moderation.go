package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

// Moderation of the idea board: moderators hide and unhide ideas and
// comments; authors (and moderators) edit and delete comments.
func (s *Server) ideaModerationRoutes(r *gin.Engine) {
	r.POST("/ideas/:id/hidden", s.h(s.hideIdeaForm))
	r.GET("/ideas/:id/comments/:cid/edit", s.h(s.editCommentPage))
	r.POST("/ideas/:id/comments/:cid/edit", s.h(s.editCommentForm))
	r.POST("/ideas/:id/comments/:cid/delete", s.h(s.deleteCommentForm))
	r.POST("/ideas/:id/comments/:cid/hidden", s.h(s.hideCommentForm))

	api := s.api()
	api.PUT("/ideas/:id/hidden", s.h(apiSetHidden(s.svc.Ideas.SetIdeaHidden, toIdeaJSON)))
	// Idea comments live under their own prefix; forum posts are /posts.
	api.PATCH("/comments/:id", s.h(s.apiEditComment))
	api.DELETE("/comments/:id", s.h(s.apiDeleteComment))
	api.PUT("/comments/:id/hidden", s.h(apiSetHidden(s.svc.Ideas.SetCommentHidden, toCommentJSON)))
}

type hiddenJSON struct {
	By     ideaAuthorJSON `json:"by"`
	Reason string         `json:"reason"`
	At     time.Time      `json:"at"`
}

func toHiddenJSON(h *ideas.Hidden) *hiddenJSON {
	if h == nil {
		return nil
	}
	return &hiddenJSON{ideaAuthorJSON{h.ByID, h.ByName}, h.Reason, h.At}
}

// hiddenRequest is the body of the PUT .../hidden calls.
type hiddenRequest struct {
	Hidden *bool  `json:"hidden"`
	Reason string `json:"reason"`
}

func decodeHidden(c *gin.Context) (hidden bool, reason string, err error) {
	var req hiddenRequest
	if err := decodeJSON(c, &req); err != nil {
		return false, "", err
	}
	if req.Hidden == nil {
		return false, "", townhall.Errorf(townhall.EINVALID, `Field "hidden" is required (true or false).`)
	}
	return *req.Hidden, req.Reason, nil
}

// apiSetHidden serves PUT .../hidden for ideas and comments alike: set
// hides or unhides the item named in the URL, and the answer is the item
// as toJSON shows it.
func apiSetHidden[T, J any](set func(ctx context.Context, actor *townhall.User, id string, hidden bool, reason string) (T, error), toJSON func(T) J) handler {
	return func(c *gin.Context) error {
		u, err := requireUser(c)
		if err != nil {
			return err
		}
		hidden, reason, err := decodeHidden(c)
		if err != nil {
			return err
		}
		item, err := set(c.Request.Context(), u, c.Param("id"), hidden, reason)
		if err != nil {
			return err
		}
		return sendJSON(c, http.StatusOK, toJSON(item))
	}
}

func (s *Server) apiEditComment(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	var req struct {
		Body *string `json:"body"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Body == nil {
		return townhall.Errorf(townhall.EINVALID, `Field "body" is required.`)
	}
	cm, err := s.svc.Ideas.EditComment(c.Request.Context(), u, c.Param("id"), *req.Body)
	if err != nil {
		return err
	}
	s.changed(c, ideaItem(cm.IdeaID))
	return sendJSON(c, http.StatusOK, toCommentJSON(cm))
}

func (s *Server) apiDeleteComment(c *gin.Context) error {
	cm, err := s.svc.Ideas.DeleteComment(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	s.changed(c, ideaItem(cm.IdeaID))
	return sendJSON(c, http.StatusOK, toCommentJSON(cm))
}

// hideIdeaForm hides (hidden=1, with a reason) or unhides an idea.
func (s *Server) hideIdeaForm(c *gin.Context) error {
	i, err := s.svc.Ideas.SetIdeaHidden(c.Request.Context(), currentUser(c), c.Param("id"),
		c.PostForm("hidden") == "1", c.PostForm("reason"))
	if err != nil {
		return s.ideaFormError(c, err)
	}
	return redirectBack(c, i.URL())
}

func (s *Server) hideCommentForm(c *gin.Context) error {
	// The field has its own name so a refused hide does not prefill the
	// idea's hide form on the re-rendered page.
	cm, err := s.svc.Ideas.SetCommentHidden(c.Request.Context(), currentUser(c), c.Param("cid"),
		c.PostForm("hidden") == "1", c.PostForm("comment_reason"))
	if err != nil {
		return s.ideaFormError(c, err)
	}
	return redirectBack(c, "/ideas/"+cm.IdeaID+"#comment-"+cm.ID)
}

func (s *Server) deleteCommentForm(c *gin.Context) error {
	cm, err := s.svc.Ideas.DeleteComment(c.Request.Context(), currentUser(c), c.Param("cid"))
	if err != nil {
		return s.ideaFormError(c, err)
	}
	s.changed(c, ideaItem(cm.IdeaID))
	return redirectBack(c, "/ideas/"+cm.IdeaID+"#comment-"+cm.ID)
}

type commentEditData struct {
	ideasSection
	Comment *ideas.Comment
}

func (s *Server) editCommentPage(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	cm, err := s.svc.Ideas.CommentByID(c.Request.Context(), u, c.Param("cid"))
	if err != nil {
		return err
	}
	if !ideas.CanChangeComment(u, cm) {
		return townhall.Errorf(townhall.EFORBIDDEN, "Only the author and moderators can edit this comment.")
	}
	v := s.view(c, "Edit comment")
	v.Nav = "ideas"
	v.Data = &commentEditData{Comment: cm}
	v.Form = url.Values{"body": {cm.Body}}
	return s.html(c, http.StatusOK, "ideas_comment_edit", v)
}

func (s *Server) editCommentForm(c *gin.Context) error {
	u := currentUser(c)
	cm, err := s.svc.Ideas.EditComment(c.Request.Context(), u, c.Param("cid"), c.PostForm("body"))
	if err != nil {
		old, lookupErr := s.svc.Ideas.CommentByID(c.Request.Context(), u, c.Param("cid"))
		if lookupErr != nil {
			return lookupErr
		}
		v := s.view(c, "Edit comment")
		v.Nav = "ideas"
		v.Data = &commentEditData{Comment: old}
		return rerender("ideas_comment_edit", v, err)
	}
	s.changed(c, ideaItem(cm.IdeaID))
	return redirectBack(c, "/ideas/"+cm.IdeaID+"#comment-"+cm.ID)
}
