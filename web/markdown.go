package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/markdown"
)

// MaxMarkdown is the longest Markdown body any feature accepts, in runes.
const MaxMarkdown = 20000

func (s *Server) markdownRoutes(r *gin.Engine) {
	s.api().POST("/preview", s.h(s.preview))
}

// preview renders Markdown exactly as a saved post would look, for the
// editor's Preview tab. Signed-in only, so it is no free rendering service.
func (s *Server) preview(c *gin.Context) error {
	if _, err := requireUser(c); err != nil {
		return err
	}
	var req struct {
		Body string `json:"body"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	body, err := townhall.CleanText("Body", req.Body, 0, MaxMarkdown)
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, gin.H{"html": markdown.Render(body)})
}
