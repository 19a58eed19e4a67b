package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall/notify"
)

func (s *Server) notificationRoutes(r *gin.Engine) {
	r.GET("/notifications", s.notificationsPage)
	r.POST("/notifications/read", s.markNotificationsRead)
	api := s.api()
	api.GET("/notifications", s.apiNotifications)
	api.POST("/notifications/read", s.markNotificationsRead)
}

func (s *Server) notificationsPage(c *gin.Context) {
	page, err := s.svc.Notify.List(c.Request.Context(), currentUser(c), c.Query("before"), 30)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := s.view(c, "Notifications")
	v.Data = page
	s.html(c, http.StatusOK, "notifications", v)
}

func (s *Server) apiNotifications(c *gin.Context) {
	page, err := s.svc.Notify.List(c.Request.Context(), currentUser(c), c.Query("before"), 30)
	if err != nil {
		s.fail(c, err)
		return
	}
	if page.Items == nil {
		page.Items = []*notify.Notification{} // [] rather than null, whichever store answered
	}
	c.JSON(http.StatusOK, page)
}

func (s *Server) markNotificationsRead(c *gin.Context) {
	if err := s.svc.Notify.MarkAllRead(c.Request.Context(), currentUser(c)); err != nil {
		s.fail(c, err)
		return
	}
	if isAPI(c.Request.URL.Path) {
		c.Status(http.StatusNoContent)
		return
	}
	redirectBack(c, "/notifications")
}
