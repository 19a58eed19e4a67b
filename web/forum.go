package web

import "github.com/gin-gonic/gin"

func (s *Server) forumRoutes(r *gin.Engine) {}
