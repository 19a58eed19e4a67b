package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) notificationRoutes(r *gin.Engine) {
	r.GET("/notifications", s.h(s.notificationsPage))
	r.POST("/notifications/read", s.h(s.markNotificationsRead))
	api := s.api()
	api.GET("/notifications", s.h(s.apiNotifications))
	api.POST("/notifications/read", s.h(s.markNotificationsRead))
}

func (s *Server) notificationsPage(c *gin.Context) error {
	page, err := s.svc.Notify.List(c.Request.Context(), currentUser(c), c.Query("before"), 30)
	if err != nil {
		return err
	}
	v := s.view(c, "Notifications")
	v.Data = page
	return s.html(c, http.StatusOK, "notifications", v)
}

func (s *Server) apiNotifications(c *gin.Context) error {
	page, err := s.svc.Notify.List(c.Request.Context(), currentUser(c), c.Query("before"), 30)
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, page)
}

// markNotificationsRead serves the page's button and the API alike.
func (s *Server) markNotificationsRead(c *gin.Context) error {
	if err := s.svc.Notify.MarkAllRead(c.Request.Context(), currentUser(c)); err != nil {
		return err
	}
	if isAPI(c.Request.URL.Path) {
		c.Status(http.StatusNoContent)
		return nil
	}
	return redirectBack(c, "/notifications")
}
