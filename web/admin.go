package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
)

// adminPageSize is how many users one admin page lists.
const adminPageSize = 50

func (s *Server) adminRoutes(r *gin.Engine) {
	r.GET("/admin", func(c *gin.Context) { c.Redirect(http.StatusFound, "/admin/users") })
	r.GET("/admin/users", s.h(s.adminUsersPage))
	r.POST("/admin/users/:id/role", s.h(s.adminSetRole))
	r.POST("/admin/users/:id/verified", s.h(s.adminSetVerified))
	r.POST("/admin/users/:id/segment", s.h(s.adminSetSegment))
	r.GET("/admin/segments", s.h(s.adminSegmentsPage))
	r.POST("/admin/segments", s.h(s.adminSaveSegment))
	r.POST("/admin/segments/:id", s.h(s.adminSaveSegment))
	r.POST("/admin/segments/:id/delete", s.h(s.adminDeleteSegment))

	api := s.api()
	api.GET("/admin/users", s.h(s.apiAdminUsers))
	api.PUT("/users/:id/role", s.h(s.apiSetRole))
	api.PUT("/users/:id/segment", s.h(s.apiSetSegment))
	api.PUT("/users/:id/verified", s.h(s.apiSetVerified))
	api.GET("/segments", s.h(s.apiSegments))
	api.POST("/segments", s.h(s.apiSaveSegment))
	api.PUT("/segments/:id", s.h(s.apiSaveSegment))
	api.DELETE("/segments/:id", s.h(s.apiDeleteSegment))
}

// userJSON is a user as admins see them.
type userJSON struct {
	ID        string        `json:"id"`
	Handle    string        `json:"handle"`
	Name      string        `json:"name"`
	Email     string        `json:"email,omitempty"`
	AvatarURL string        `json:"avatar_url,omitempty"`
	Role      townhall.Role `json:"role"`
	SegmentID string        `json:"segment_id"`
	Verified  bool          `json:"verified"`
	CreatedAt time.Time     `json:"created_at"`
	DeletedAt *time.Time    `json:"deleted_at,omitempty"` // set once the account was deleted
	// Trust and safety (see sanctions.go).
	TrustLevel  int           `json:"trust_level"`
	TrustLocked bool          `json:"trust_locked"`
	Silenced    *sanctionJSON `json:"silenced"`
	Suspended   *sanctionJSON `json:"suspended"`
}

func toUserJSON(u *townhall.User) userJSON {
	now := time.Now()
	out := userJSON{ID: u.ID, Handle: u.Handle, Name: u.Name, Email: u.Email, AvatarURL: u.AvatarURL,
		Role: u.Role, SegmentID: u.SegmentID, Verified: u.Verified, CreatedAt: u.CreatedAt,
		TrustLevel: u.Level(), TrustLocked: u.TrustLocked,
		Silenced:  toSanctionJSON(u.Silenced(now), u.SilencedUntil, u.SilenceReason),
		Suspended: toSanctionJSON(u.Suspended(now), u.SuspendedUntil, u.SuspendReason)}
	if !u.DeletedAt.IsZero() {
		out.DeletedAt = &u.DeletedAt
	}
	return out
}

// userPage loads one page of users.
func (s *Server) userPage(c *gin.Context) (townhall.Page[*townhall.User], error) {
	after := c.Query("after")
	if !townhall.ValidID(after) {
		after = ""
	}
	return townhall.Paginate(adminPageSize, func(n int) ([]*townhall.User, error) {
		return s.svc.Auth.Users(c.Request.Context(), currentUser(c), after, n)
	}, func(last *townhall.User) string { return last.ID })
}

// adminUsersView renders the users page; a refused form's err (if any)
// is shown on top.
func (s *Server) adminUsersView(c *gin.Context, formErr error) error {
	page, err := s.userPage(c)
	if err != nil {
		return err
	}
	segs, err := s.svc.Auth.Segments(c.Request.Context())
	if err != nil {
		return err
	}
	v := s.view(c, "Users · Admin")
	v.Nav = "admin"
	v.Data = map[string]any{"Users": page.Items, "Next": page.Next, "URL": c.Request.URL, "Segments": segs, "Pager": map[string]any{"Next": page.Next, "URL": c.Request.URL}}
	if formErr != nil {
		return rerender("admin_users", v, formErr)
	}
	return s.html(c, http.StatusOK, "admin_users", v)
}

func (s *Server) adminUsersPage(c *gin.Context) error { return s.adminUsersView(c, nil) }

// adminDone finishes an admin form: back to the page it came from on
// success; on bad input or a conflict, the page again with the message.
func (s *Server) adminDone(c *gin.Context, err error) error {
	if err == nil {
		back := localPath(c.PostForm("back"))
		if !strings.HasPrefix(back, "/admin/") {
			back = "/admin/users"
		}
		return redirectBack(c, back)
	}
	switch townhall.ErrorCode(err) {
	case townhall.EINVALID, townhall.ECONFLICT:
		// Re-render the list the form was on.
		if back := localPath(c.PostForm("back")); strings.HasPrefix(back, "/admin/users?") {
			c.Request.URL.RawQuery = strings.SplitN(back, "?", 2)[1]
		} else {
			c.Request.URL.RawQuery = ""
		}
		c.Request.URL.Path = "/admin/users"
		return s.adminUsersView(c, err)
	}
	return err
}

func (s *Server) adminSetRole(c *gin.Context) error {
	return s.adminDone(c, s.svc.Auth.SetRole(c.Request.Context(), currentUser(c), c.Param("id"), townhall.Role(c.PostForm("role"))))
}

func (s *Server) adminSetVerified(c *gin.Context) error {
	return s.adminDone(c, s.svc.Auth.SetVerified(c.Request.Context(), currentUser(c), c.Param("id"), c.PostForm("verified") != ""))
}

func (s *Server) adminSetSegment(c *gin.Context) error {
	return s.adminDone(c, s.svc.Auth.AssignSegment(c.Request.Context(), currentUser(c), c.Param("id"), c.PostForm("segment_id")))
}

func (s *Server) apiAdminUsers(c *gin.Context) error {
	page, err := s.userPage(c)
	if err != nil {
		return err
	}
	out := townhall.Page[userJSON]{Items: make([]userJSON, 0, len(page.Items)), Next: page.Next}
	for _, u := range page.Items {
		out.Items = append(out.Items, toUserJSON(u))
	}
	return sendJSON(c, http.StatusOK, out)
}

// apiUserChanged answers a user update with the user as it is now.
func (s *Server) apiUserChanged(c *gin.Context, err error) error {
	if err != nil {
		return err
	}
	u, err := s.svc.Auth.User(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toUserJSON(u))
}

func (s *Server) apiSetRole(c *gin.Context) error {
	var req struct {
		Role townhall.Role `json:"role"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.apiUserChanged(c, s.svc.Auth.SetRole(c.Request.Context(), currentUser(c), c.Param("id"), req.Role))
}

func (s *Server) apiSetSegment(c *gin.Context) error {
	var req struct {
		SegmentID *string `json:"segment_id"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.SegmentID == nil {
		return townhall.Errorf(townhall.EINVALID, `segment_id is required ("" removes the user from any segment).`)
	}
	return s.apiUserChanged(c, s.svc.Auth.AssignSegment(c.Request.Context(), currentUser(c), c.Param("id"), *req.SegmentID))
}

func (s *Server) apiSetVerified(c *gin.Context) error {
	var req struct {
		Verified *bool `json:"verified"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Verified == nil {
		return townhall.Errorf(townhall.EINVALID, "verified is required (true or false).")
	}
	return s.apiUserChanged(c, s.svc.Auth.SetVerified(c.Request.Context(), currentUser(c), c.Param("id"), *req.Verified))
}
