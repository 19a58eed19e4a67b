package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall/moderation"
)

// Each person's trust level and what the next one needs: the /trust page
// (its body is the "trust-level" partial, for other pages to include) and
// GET /api/v1/me/trust.
func (s *Server) trustLevelRoutes(r *gin.Engine) {
	r.GET("/trust", s.h(s.trustPage))
	s.api().GET("/me/trust", s.h(s.apiMyTrust))
}

func (s *Server) trustPage(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	p, err := s.svc.Moderation.Progress(c.Request.Context(), u)
	if err != nil {
		return err
	}
	v := s.view(c, "Your trust level")
	v.Data = p
	return s.html(c, http.StatusOK, "moderation_trust", v)
}

type requirementJSON struct {
	What string `json:"what"`
	Have int    `json:"have"`
	Need int    `json:"need"`
}

type progressJSON struct {
	Level     int               `json:"level"`
	Name      string            `json:"name"`
	Locked    bool              `json:"locked"`
	Staff     bool              `json:"staff"`
	NextLevel *int              `json:"next_level"`
	Needs     []requirementJSON `json:"needs"`
}

func toProgressJSON(p *moderation.Progress) progressJSON {
	j := progressJSON{Level: p.Level, Name: p.Name, Locked: p.Locked, Staff: p.Staff, Needs: []requirementJSON{}}
	if p.Next > 0 {
		j.NextLevel = &p.Next
	}
	for _, n := range p.Needs {
		j.Needs = append(j.Needs, requirementJSON{n.What, n.Have, n.Need})
	}
	return j
}

func (s *Server) apiMyTrust(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	p, err := s.svc.Moderation.Progress(c.Request.Context(), u)
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toProgressJSON(p))
}
