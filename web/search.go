package web

import "github.com/gin-gonic/gin"

func (s *Server) searchRoutes(r *gin.Engine) {}
