package web

import (
	"context"
	"html/template"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/loyalty"
)

// Loyalty: public profiles (/u/HANDLE), likes, the leaderboard and the
// badges. Handlers are in profiles.go, likes.go, leaderboard.go and
// badges.go.

func (s *Server) loyaltyRoutes(r *gin.Engine) {
	r.GET("/u/:handle", s.h(s.profilePage))
	r.GET("/users/:id", s.h(s.userRedirect))
	r.GET("/settings/profile", s.h(s.profileSettingsPage))
	r.POST("/settings/profile", s.h(s.profileSettingsForm))
	r.POST("/u/:handle/badges/:badge", s.h(s.grantForm))
	r.GET("/leaderboard", s.h(s.leaderboardPage))
	r.GET("/badges", s.h(s.badgesPage))
	r.GET("/badges/:slug", s.h(s.badgePage))
	r.POST("/p/:id/like", s.h(s.likeForm(loyalty.KindPost)))
	r.POST("/ideas/:id/comments/:cid/like", s.h(s.likeForm(loyalty.KindComment)))

	api := s.api()
	// Under /users/:id, where the admin API names people by id, a GET
	// names them by handle, as profile URLs do.
	api.GET("/users/:id", s.h(s.apiProfile))
	api.GET("/users/:id/:tab", s.h(s.apiProfileTab))
	api.PUT("/users/:id/badges/:badge", s.h(s.apiGrant(true)))
	api.DELETE("/users/:id/badges/:badge", s.h(s.apiGrant(false)))
	api.PATCH("/me", s.h(s.apiUpdateProfile))
	api.POST("/posts/:id/like", s.h(s.apiLike(loyalty.KindPost, true)))
	api.DELETE("/posts/:id/like", s.h(s.apiLike(loyalty.KindPost, false)))
	api.POST("/comments/:id/like", s.h(s.apiLike(loyalty.KindComment, true)))
	api.DELETE("/comments/:id/like", s.h(s.apiLike(loyalty.KindComment, false)))
	api.GET("/leaderboard", s.h(s.apiLeaderboard))
	api.GET("/badges", s.h(s.apiBadges))
	api.GET("/badges/:slug", s.h(s.apiBadge))
}

// loyaltyFuncs are the template functions of profiles and of author names
// on every page.
func loyaltyFuncs() template.FuncMap {
	return template.FuncMap{
		"icon": icon,
		// userURL links a name to its profile by the person's id (through
		// /users/ID, which redirects to /u/HANDLE) where only the id is at
		// hand; profileURL by handle.
		"userURL":    func(id string) string { return "/users/" + id },
		"profileURL": func(handle string) string { return "/u/" + handle },
		"marks":      marks,
		"badge":      loyalty.BadgeBySlug,
	}
}

// marks is what goes next to a name in posts and lists: the VIP mark of a
// Champion and the person's highlighted badge when it is silver or gold
// (a bronze one, which nearly everyone has, would only add noise; the
// profile shows it) and not Champion itself, shown once.
func marks(badge string, champion bool) template.HTML {
	var b strings.Builder
	if champion {
		b.WriteString(`<span class="vip-mark" title="Champion: recognised by the community team">`)
		b.WriteString(string(icon("crown")))
		b.WriteString(`<span class="visually-hidden">Champion</span></span>`)
	}
	if x := loyalty.BadgeBySlug(badge); x != nil && x.Tier > loyalty.Bronze && !(champion && badge == loyalty.Champion) {
		b.WriteString(`<a class="badge-mark tier-`)
		b.WriteString(x.Tier.String())
		b.WriteString(`" href="/badges/`)
		b.WriteString(x.Slug)
		b.WriteString(`" title="`)
		b.WriteString(template.HTMLEscapeString(x.Description))
		b.WriteString(`">`)
		b.WriteString(template.HTMLEscapeString(x.Name))
		b.WriteString(`</a>`)
	}
	return template.HTML(b.String())
}

// markPostsLiked fills Liked on posts for the viewer.
func (s *Server) markPostsLiked(ctx context.Context, viewer *townhall.User, posts ...*forum.Post) error {
	if viewer == nil || s.svc.Loyalty == nil {
		return nil
	}
	ids := make([]string, 0, len(posts))
	for _, p := range posts {
		if p != nil {
			ids = append(ids, p.ID)
		}
	}
	liked, err := s.svc.Loyalty.Liked(ctx, viewer, ids)
	if err != nil {
		return err
	}
	for _, p := range posts {
		if p != nil {
			p.Liked = liked[p.ID]
		}
	}
	return nil
}

// markCommentsLiked fills Liked on idea comments for the viewer.
func (s *Server) markCommentsLiked(ctx context.Context, viewer *townhall.User, comments []*ideas.Comment) error {
	if viewer == nil || s.svc.Loyalty == nil || len(comments) == 0 {
		return nil
	}
	ids := make([]string, len(comments))
	for i, c := range comments {
		ids[i] = c.ID
	}
	liked, err := s.svc.Loyalty.Liked(ctx, viewer, ids)
	if err != nil {
		return err
	}
	for _, c := range comments {
		c.Liked = liked[c.ID]
	}
	return nil
}
