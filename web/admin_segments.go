package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
)

// Customer segments: admins name them and give them a weight, which the
// idea board's demand figures use. Routes are in admin.go.

type segmentJSON struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Weight   float64 `json:"weight"`
	Verified bool    `json:"verified"`
}

func toSegmentJSON(g *townhall.Segment) segmentJSON {
	return segmentJSON{ID: g.ID, Name: g.Name, Weight: g.Weight, Verified: g.Verified}
}

// segmentsView renders the segments page. editing names the form whose
// typed values are shown again with formErr (if any): a segment id, or "new".
func (s *Server) segmentsView(c *gin.Context, editing string, formErr error) error {
	actor := currentUser(c)
	if actor == nil || actor.Role != townhall.RoleAdmin {
		return adminOnly(actor)
	}
	segs, err := s.svc.Auth.Segments(c.Request.Context())
	if err != nil {
		return err
	}
	v := s.view(c, "Segments · Admin")
	v.Nav = "admin"
	v.Data = map[string]any{"Segments": segs, "Editing": editing}
	if formErr != nil {
		return rerender("admin_segments", v, formErr)
	}
	return s.html(c, http.StatusOK, "admin_segments", v)
}

// adminOnly is the error for non-admins on pages that list before any
// service call could refuse.
func adminOnly(u *townhall.User) error {
	if u == nil {
		return townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in.")
	}
	return townhall.Errorf(townhall.EFORBIDDEN, "Only admins can manage segments.")
}

func (s *Server) adminSegmentsPage(c *gin.Context) error { return s.segmentsView(c, "", nil) }

// parseWeight reads a weight field; blank means 1.
func parseWeight(v string) (float64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 1, nil
	}
	w, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, townhall.Errorf(townhall.EINVALID, "Weight must be a number from 0 to 1000.")
	}
	return w, nil
}

func (s *Server) adminSaveSegment(c *gin.Context) error {
	id := c.Param("id")
	editing := id
	if editing == "" {
		editing = "new"
	}
	w, err := parseWeight(c.PostForm("weight"))
	if err == nil {
		seg := &townhall.Segment{ID: id, Name: c.PostForm("name"), Weight: w, Verified: c.PostForm("verified") != ""}
		err = s.svc.Auth.SaveSegment(c.Request.Context(), currentUser(c), seg)
	}
	if err != nil {
		return s.segmentsView(c, editing, err)
	}
	return redirectBack(c, "/admin/segments")
}

func (s *Server) adminDeleteSegment(c *gin.Context) error {
	if err := s.svc.Auth.DeleteSegment(c.Request.Context(), currentUser(c), c.Param("id")); err != nil {
		return s.segmentsView(c, "", err)
	}
	return redirectBack(c, "/admin/segments")
}

func (s *Server) apiSegments(c *gin.Context) error {
	segs, err := s.svc.Auth.Segments(c.Request.Context())
	if err != nil {
		return err
	}
	out := make([]segmentJSON, 0, len(segs))
	for _, g := range segs {
		out = append(out, toSegmentJSON(g))
	}
	return sendJSON(c, http.StatusOK, gin.H{"items": out})
}

func (s *Server) apiSaveSegment(c *gin.Context) error {
	var req struct {
		Name     string   `json:"name"`
		Weight   *float64 `json:"weight"`
		Verified bool     `json:"verified"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	w := 1.0
	if req.Weight != nil {
		w = *req.Weight
	}
	seg := &townhall.Segment{ID: c.Param("id"), Name: req.Name, Weight: w, Verified: req.Verified}
	if err := s.svc.Auth.SaveSegment(c.Request.Context(), currentUser(c), seg); err != nil {
		return err
	}
	status := http.StatusOK
	if c.Param("id") == "" {
		status = http.StatusCreated
	}
	return sendJSON(c, status, toSegmentJSON(seg))
}

func (s *Server) apiDeleteSegment(c *gin.Context) error {
	if err := s.svc.Auth.DeleteSegment(c.Request.Context(), currentUser(c), c.Param("id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
