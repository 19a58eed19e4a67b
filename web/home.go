package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// home is the community's front page.
func (s *Server) home(c *gin.Context) {
	v := s.view(c, "")
	s.html(c, http.StatusOK, "home", v)
}
