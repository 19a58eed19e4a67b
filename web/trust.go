package web

import "github.com/gin-gonic/gin"

// Trust and safety (package moderation): flags, the review queue, trust
// levels, silences and suspensions, and the site settings page. The
// handlers are in flags.go, review_queue.go, sanctions.go, trust_level.go
// and admin_settings.go.
func (s *Server) trustRoutes(r *gin.Engine) {
	s.flagRoutes(r)
	s.reviewQueueRoutes(r)
	s.sanctionRoutes(r)
	s.trustLevelRoutes(r)
	s.adminSettingsRoutes(r)
}
