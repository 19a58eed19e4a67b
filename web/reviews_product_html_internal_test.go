package web

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/reviews"
)

// TestProductPageHTMLMatchesTemplate renders the product page with
// reviews_product.html as it was before SummaryHTML and ListHTML wrote
// most of it (testdata/reviews_product_before.html) and as it is, over
// ratings, filters, pages and viewers, shared or not, and requires the
// same bytes.
func TestProductPageHTMLMatchesTemplate(t *testing.T) {
	r, ref, now := pageBefore(t, "reviews_product")

	at := time.Date(2026, 11, 3, 10, 4, 5, 0, time.UTC)
	revs := []*reviews.Review{
		{ID: "r1", ProductID: "p1", AuthorID: "u1", AuthorName: "Ann <&>", Rating: 5, Title: `Great "tool" & more`, BodyHTML: "<p>yes</p>",
			Verified: true, Helpful: 3, CreatedAt: at, UpdatedAt: at.Add(time.Hour)},
		{ID: "r2", ProductID: "p1", AuthorID: "u2", AuthorName: "Bob", Rating: 1, BodyHTML: "<p>no</p>", Voted: true, CreatedAt: at, UpdatedAt: at,
			Response: &reviews.Response{AuthorName: "Team", BodyHTML: "<p>sorry</p>", CreatedAt: at, UpdatedAt: at}},
	}
	viewers := map[string]*townhall.User{
		"anonymous": nil,
		"author":    {ID: "u1", Name: "Ann", Role: townhall.RoleMember},
		"product":   {ID: "u9", Name: "Pat", Role: townhall.RoleProduct},
	}
	ratings := []reviews.Rating{{}, {Count: 1, Sum: 5, Histogram: [5]int{0, 0, 0, 0, 1}}, {Count: 7, Sum: 23, Histogram: [5]int{1, 1, 1, 1, 3}}}
	var n int
	for mask := 0; mask < 1<<4; mask++ {
		for _, rating := range ratings {
			for _, stars := range []int{0, 1, 4} {
				for vname, viewer := range viewers {
					for _, shared := range []bool{false, true} {
						if shared && (viewer == nil || viewer.Role.IsStaff()) {
							continue
						}
						p := &reviews.Product{ID: "p1", Slug: "road-bike", Name: "Road <bike> & co", Rating: rating, Archived: mask&1 != 0}
						d := &productPageData{Product: p, Sort: reviews.SortNewest, Stars: stars, Sorts: sortOptions, Shared: shared,
							viewer: viewer, holes: r.holes, site: "Townhall", canManage: viewer.HasRole(townhall.Role.CanManageProduct),
							JSONLD: map[string]any{"name": p.Name}}
						if mask&2 != 0 {
							d.Reviews = revs
						}
						if mask&4 != 0 {
							d.Next = "n<e>x&t'+"
						}
						if mask&8 != 0 && viewer != nil && !shared {
							d.Mine = revs[0]
						}
						d.URL, _ = url.Parse(fmt.Sprintf("/products/road-bike?sort=newest&stars=%d&x=%%3Cy%%3E", stars))
						v := &view{Site: "Townhall", Title: p.Name, User: viewer, Data: d, Shared: shared, Nav: "reviews"}
						n++
						sameContent(t, fmt.Sprintf("mask %d rating %d stars %d %s shared %v", mask, rating.Count, stars, vname, shared), ref, now, v)
					}
				}
			}
		}
	}
	if n < 500 {
		t.Fatalf("only %d cases compared", n)
	}
}
