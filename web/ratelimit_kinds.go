package web

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
)

// Write budgets by kind of action. Creating content (threads, replies,
// ideas, comments, reviews, flags, edits) spends the strict budget
// (--rate-user); reactions (votes, helpful votes, follows, likes) and
// other light writes (marking notifications read, Markdown previews) spend
// the generous one (--rate-reactions), so a new customer can vote down a
// board without being told to slow down. Both scale with trust level.

// reactionRoutes are the writes on the reactions budget, by method and
// route pattern. Features classify their new write routes here; anything
// not listed is content.
var reactionRoutes = map[string]bool{
	"POST /ideas/:id/vote":               true,
	"POST /ideas/:id/unvote":             true,
	"POST /api/v1/ideas/:id/vote":        true,
	"DELETE /api/v1/ideas/:id/vote":      true,
	"POST /reviews/:id/helpful":          true,
	"POST /api/v1/reviews/:id/helpful":   true,
	"DELETE /api/v1/reviews/:id/helpful": true,
	"POST /t/:id/follow":                 true,
	"POST /api/v1/threads/:id/follow":    true,
	"DELETE /api/v1/threads/:id/follow":  true,
	"POST /notifications/read":           true,
	"POST /api/v1/notifications/read":    true,
	"POST /api/v1/preview":               true,
	"POST /settings/notifications":       true,
	"PUT /api/v1/settings/notifications": true,
	"POST /unsubscribe/:token":           true,
	"POST /p/:id/like":                   true,
	"POST /ideas/:id/comments/:cid/like": true,
	"POST /api/v1/posts/:id/like":        true,
	"DELETE /api/v1/posts/:id/like":      true,
	"POST /api/v1/comments/:id/like":     true,
	"DELETE /api/v1/comments/:id/like":   true,
}

// isReaction reports whether the matched route spends the reactions budget.
func isReaction(c *gin.Context) bool { return reactionRoutes[c.Request.Method+" "+c.FullPath()] }

// levelScale is how a trust level multiplies the write budgets, in
// quarters: new members get half, basic members the configured budget,
// members twice and regulars (and staff) three times as much.
var levelScale = [...]int{2, 4, 8, 12}

func scaled(perMinute, level int) int {
	level = min(max(level, 0), len(levelScale)-1)
	return max(1, perMinute*levelScale[level]/4)
}

// userBudget is the per-minute budget and burst of u's write of this kind.
// A reaction burst stays a quarter of the configured rate at every level
// (30 for 120 a minute), so even a new member can vote on a page of ideas
// in a row; content bursts are a fifth of the rate, at least 5.
// An API token has budgets of its own, apart from its owner's browser
// (writerKey).
func (s *Server) userBudget(c *gin.Context, u *townhall.User, reaction bool) (key string, perMinute int, size float64) {
	level := u.Level()
	key = writerKey(c, u)
	if reaction {
		base := s.cfg.UserReactionsPerMinute
		return "react:" + key, scaled(base, level), float64(max(5, base/4))
	}
	n := scaled(s.cfg.UserWritesPerMinute, level)
	return key, n, burst(n)
}

// limitUser applies the signed-in user's budget for this write.
func (s *Server) limitUser(c *gin.Context, u *townhall.User, now time.Time) error {
	reaction := isReaction(c)
	if reaction && s.cfg.UserReactionsPerMinute <= 0 || !reaction && s.cfg.UserWritesPerMinute <= 0 {
		return nil
	}
	key, n, size := s.userBudget(c, u, reaction)
	if ok, wait := s.limits.allowBurst(c.Request.Context(), key, n, size, now); !ok {
		return s.tooMany(c, wait)
	}
	return nil
}

// silencedMay are the writes a silenced person may still make: they can
// read, sign out and keep their own account in order, not post or react.
var silencedMay = map[string]bool{
	"POST /auth/logout":                  true,
	"POST /notifications/read":           true,
	"POST /api/v1/notifications/read":    true,
	"POST /api/v1/preview":               true,
	"POST /settings/notifications":       true,
	"PUT /api/v1/settings/notifications": true,
	"POST /unsubscribe/:token":           true,
	"POST /settings/tokens/:id/revoke":   true,
	"DELETE /api/v1/tokens/:id":          true,
	"POST /settings/account/delete":      true,
	"DELETE /api/v1/me":                  true,
}

// refuseSilenced answers a silenced (or, should a session outlive the
// suspension, suspended) person's writes with the reason and end date.
// The content services check again; this covers votes, follows and every
// other write in one place.
func (s *Server) refuseSilenced(c *gin.Context) error {
	u := currentUser(c)
	if u == nil || !isWrite(c.Request.Method) || s.svc.Moderation == nil || silencedMay[c.Request.Method+" "+c.FullPath()] {
		c.Next()
		return nil
	}
	if err := s.svc.Moderation.Writable(u); err != nil {
		return err
	}
	c.Next()
	return nil
}
