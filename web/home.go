package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/reviews"
)

// homeData is what the front page shows: a little of everything, so a
// visitor sees at once that the community is alive.
type homeData struct {
	Latest   []*forum.Thread
	Trending []*ideas.Idea
	Shipped  []*ideas.Idea
	Products []*reviews.Product
}

const homeItems = 5

// home is the community's front page.
func (s *Server) home(c *gin.Context) error {
	ctx, u := c.Request.Context(), currentUser(c)
	var d homeData
	latest, err := s.svc.Forum.Latest(ctx, 8)
	if err != nil {
		return err
	}
	d.Latest = latest
	// Both lists show titles and counts only.
	board, err := s.svc.Ideas.List(ctx, u, ideas.ListParams{Sort: ideas.SortTrending, Cards: true})
	if err != nil {
		return err
	}
	d.Trending = firstN(board.Items, homeItems)
	// One query for the done column, not Roadmap's three.
	shipped, err := s.svc.Ideas.List(ctx, u, ideas.ListParams{Sort: ideas.SortTop, Status: string(ideas.StatusDone), Cards: true})
	if err != nil {
		return err
	}
	d.Shipped = firstN(shipped.Items, homeItems)
	products, err := s.svc.Reviews.Products(ctx, u, reviews.ProductFilter{})
	if err != nil {
		return err
	}
	d.Products = firstN(products.Items, 6)
	v := s.view(c, "")
	v.Feed = threadsFeed
	v.Data = d
	shareable(c) // nothing on it is the viewer's but the account menu
	return s.html(c, http.StatusOK, "home", v)
}

func firstN[T any](xs []T, n int) []T {
	if len(xs) > n {
		return xs[:n]
	}
	return xs
}
