package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/loyalty"
)

type leaderboardData struct {
	*loyalty.Leaderboard
	Periods    []string
	Categories []*forum.Category
	Segments   []*townhall.Segment // staff only
	Query      loyalty.LeaderboardQuery
	URL        *url.URL
}

// PeriodLabel names a period on the page.
func (d *leaderboardData) PeriodLabel(p string) string {
	switch p {
	case loyalty.PeriodWeek:
		return "This week"
	case loyalty.PeriodMonth:
		return "This month"
	}
	return "All time"
}

func (s *Server) leaderboardQuery(c *gin.Context) loyalty.LeaderboardQuery {
	return loyalty.LeaderboardQuery{Period: c.Query("period"), Category: c.Query("category"), Segment: c.Query("segment")}
}

func (s *Server) leaderboardPage(c *gin.Context) error {
	ctx := c.Request.Context()
	viewer := currentUser(c)
	q := s.leaderboardQuery(c)
	lb, err := s.svc.Loyalty.Leaderboard(ctx, viewer, q)
	if err != nil {
		return err
	}
	d := &leaderboardData{Leaderboard: lb, Periods: loyalty.Periods, Query: q, URL: c.Request.URL}
	if d.Categories, err = s.svc.Forum.Categories(ctx); err != nil {
		return err
	}
	if viewer.HasRole(townhall.Role.IsStaff) {
		if d.Segments, err = s.svc.Auth.Segments(ctx); err != nil {
			return err
		}
	}
	v := s.view(c, "Leaderboard")
	v.Nav = "people"
	v.Data = d
	shareable(c) // the same for every member (staff never share)
	return s.html(c, http.StatusOK, "loyalty_leaderboard", v)
}

type standingJSON struct {
	Rank       int    `json:"rank"`
	UserID     string `json:"user_id"`
	Handle     string `json:"handle"`
	Name       string `json:"name"`
	AvatarURL  string `json:"avatar_url,omitempty"`
	Reputation int    `json:"reputation"` // gained in the period
	Badge      string `json:"badge,omitempty"`
	Champion   bool   `json:"champion,omitempty"`
	URL        string `json:"url"`
}

// apiLeaderboard: GET /api/v1/leaderboard?period=week|month|all
// &category=SLUG or (staff) &segment=ID.
func (s *Server) apiLeaderboard(c *gin.Context) error {
	lb, err := s.svc.Loyalty.Leaderboard(c.Request.Context(), currentUser(c), s.leaderboardQuery(c))
	if err != nil {
		return err
	}
	items := make([]standingJSON, len(lb.Items))
	for i, st := range lb.Items {
		items[i] = standingJSON{Rank: st.Rank, UserID: st.UserID, Handle: st.Handle, Name: st.Name, AvatarURL: st.AvatarURL,
			Reputation: st.Points, Badge: st.Badge, Champion: st.Champion, URL: "/u/" + st.Handle}
	}
	out := gin.H{"period": lb.Period, "items": items}
	if lb.Category != nil {
		out["category"] = lb.Category.Slug
	}
	if lb.Segment != nil {
		out["segment"] = lb.Segment.ID
	}
	return sendJSON(c, http.StatusOK, out)
}
