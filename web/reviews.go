package web

import "github.com/gin-gonic/gin"

func (s *Server) reviewRoutes(r *gin.Engine) {}
