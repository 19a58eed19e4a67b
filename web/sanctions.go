package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/moderation"
)

// Silences and suspensions (moderators and admins), and trust levels set
// by hand (admins): buttons on /admin/users and on review-queue entries,
// and the same through the API.
func (s *Server) sanctionRoutes(r *gin.Engine) {
	for _, what := range []moderation.Sanction{moderation.Silence, moderation.Suspend} {
		r.POST("/admin/users/:id/"+string(what), s.h(s.sanctionForm(what, true)))
		r.POST("/admin/users/:id/"+string(what)+"/lift", s.h(s.sanctionForm(what, false)))
		s.api().POST("/admin/users/:id/"+string(what), s.h(s.apiSanction(what, true)))
		s.api().DELETE("/admin/users/:id/"+string(what), s.h(s.apiSanction(what, false)))
	}
	r.POST("/admin/users/:id/trust", s.h(s.trustLevelForm))
	s.api().PUT("/admin/users/:id/trust_level", s.h(s.apiSetTrustLevel))
}

// sanctionJSON is a silence or suspension in force.
type sanctionJSON struct {
	Until  time.Time `json:"until"`
	Reason string    `json:"reason"`
}

func toSanctionJSON(active bool, until time.Time, reason string) *sanctionJSON {
	if !active {
		return nil
	}
	return &sanctionJSON{until, reason}
}

// sanctionDone finishes a sanction or trust-level form: back to the page it
// came from (the users admin or the review queue); refused input shows
// that page again with the message.
func (s *Server) sanctionDone(c *gin.Context, err error) error {
	back := localPath(c.PostForm("back"))
	fromQueue := back == "/review" || strings.HasPrefix(back, "/review?")
	if err == nil {
		if !fromQueue && !strings.HasPrefix(back, "/admin/") {
			back = "/admin/users"
		}
		return redirectBack(c, back)
	}
	switch townhall.ErrorCode(err) {
	case townhall.EINVALID, townhall.ECONFLICT, townhall.EFORBIDDEN:
		if fromQueue {
			c.Request.URL.Path, c.Request.URL.RawQuery = "/review", ""
			return s.reviewQueueView(c, err)
		}
		if currentUser(c).Role == townhall.RoleAdmin {
			return s.adminDone(c, townhall.Errorf(townhall.EINVALID, "%s", townhall.ErrorMessage(err)))
		}
	}
	return err
}

func (s *Server) sanctionForm(what moderation.Sanction, impose bool) handler {
	return func(c *gin.Context) error {
		u, err := requireUser(c)
		if err != nil {
			return err
		}
		if impose {
			days, derr := strconv.Atoi(strings.TrimSpace(c.PostForm("days")))
			if derr != nil {
				return s.sanctionDone(c, townhall.Errorf(townhall.EINVALID, "days must be a whole number of days."))
			}
			_, err = s.svc.Moderation.Impose(c.Request.Context(), u, c.Param("id"), what, moderation.SanctionInput{Days: days, Reason: c.PostForm("reason")})
		} else {
			_, err = s.svc.Moderation.Lift(c.Request.Context(), u, c.Param("id"), what)
		}
		return s.sanctionDone(c, err)
	}
}

func (s *Server) apiSanction(what moderation.Sanction, impose bool) handler {
	return func(c *gin.Context) error {
		var user *townhall.User
		var err error
		if impose {
			var req struct {
				Days   *int   `json:"days"`
				Reason string `json:"reason"`
			}
			if err := decodeJSON(c, &req); err != nil {
				return err
			}
			if req.Days == nil {
				return townhall.Errorf(townhall.EINVALID, `Field "days" is required: how many days, 1 to %d.`, moderation.MaxDays)
			}
			user, err = s.svc.Moderation.Impose(c.Request.Context(), currentUser(c), c.Param("id"), what,
				moderation.SanctionInput{Days: *req.Days, Reason: req.Reason})
		} else {
			user, err = s.svc.Moderation.Lift(c.Request.Context(), currentUser(c), c.Param("id"), what)
		}
		if err != nil {
			return err
		}
		return sendJSON(c, http.StatusOK, toUserJSON(user))
	}
}

// trustLevelForm sets a level by hand ("0" to "3") or lets activity decide
// again ("auto").
func (s *Server) trustLevelForm(c *gin.Context) error {
	var level *int
	if v := strings.TrimSpace(c.PostForm("level")); v != "auto" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return s.sanctionDone(c, townhall.Errorf(townhall.EINVALID, "level must be 0 to 3, or automatic."))
		}
		level = &n
	}
	_, err := s.svc.Moderation.SetTrustLevel(c.Request.Context(), currentUser(c), c.Param("id"), level)
	return s.sanctionDone(c, err)
}

func (s *Server) apiSetTrustLevel(c *gin.Context) error {
	var req struct {
		Level *int `json:"level"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.svc.Moderation.SetTrustLevel(c.Request.Context(), currentUser(c), c.Param("id"), req.Level)
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toUserJSON(u))
}
