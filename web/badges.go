package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/loyalty"
)

func (s *Server) badgesPage(c *gin.Context) error {
	all, err := s.svc.Loyalty.Badges(c.Request.Context())
	if err != nil {
		return err
	}
	v := s.view(c, "Badges")
	v.Nav = "people"
	v.Data = all
	return s.html(c, http.StatusOK, "loyalty_badges", v)
}

type badgePageData struct {
	*loyalty.BadgeSummary
	Page *townhall.Page[*loyalty.Holder] // the holders shown
	URL  *url.URL
}

func (s *Server) badgePage(c *gin.Context) error {
	b, holders, err := s.svc.Loyalty.BadgeHolders(c.Request.Context(), c.Param("slug"), c.Query("after"))
	if err != nil {
		return err
	}
	v := s.view(c, b.Name+" badge")
	v.Nav = "people"
	v.Data = &badgePageData{BadgeSummary: b, Page: &holders, URL: c.Request.URL}
	return s.html(c, http.StatusOK, "loyalty_badge", v)
}

type holderJSON struct {
	Handle    string    `json:"handle"`
	Name      string    `json:"name"`
	AvatarURL string    `json:"avatar_url,omitempty"`
	AwardedAt time.Time `json:"awarded_at"`
	URL       string    `json:"url"`
}

func toHolderJSONs(hs []*loyalty.Holder) []holderJSON {
	out := make([]holderJSON, len(hs))
	for i, h := range hs {
		out[i] = holderJSON{h.Handle, h.Name, h.AvatarURL, h.At, "/u/" + h.Handle}
	}
	return out
}

type badgeSummaryJSON struct {
	badgeJSON
	Recent []holderJSON `json:"recent"`
}

// apiBadges lists every badge with its holder count and latest holders.
func (s *Server) apiBadges(c *gin.Context) error {
	all, err := s.svc.Loyalty.Badges(c.Request.Context())
	if err != nil {
		return err
	}
	items := make([]badgeSummaryJSON, len(all))
	for i, b := range all {
		n := b.Holders
		items[i] = badgeSummaryJSON{toBadgeJSON(b.Badge), toHolderJSONs(b.Recent)}
		items[i].Holders = &n
	}
	return sendJSON(c, http.StatusOK, gin.H{"items": items})
}

// apiBadge is one badge with a page of its holders, newest first.
func (s *Server) apiBadge(c *gin.Context) error {
	b, page, err := s.svc.Loyalty.BadgeHolders(c.Request.Context(), c.Param("slug"), c.Query("after"))
	if err != nil {
		return err
	}
	out := toBadgeJSON(b.Badge)
	n := b.Holders
	out.Holders = &n
	return sendJSON(c, http.StatusOK, gin.H{"badge": out, "items": toHolderJSONs(page.Items), "next": page.Next})
}
