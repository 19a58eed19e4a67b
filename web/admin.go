package web

import "github.com/gin-gonic/gin"

func (s *Server) adminRoutes(r *gin.Engine) {}
