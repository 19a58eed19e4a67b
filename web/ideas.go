package web

import "github.com/gin-gonic/gin"

func (s *Server) ideaRoutes(r *gin.Engine) {}
