package sqlite

import (
	"fmt"
	"strings"
	"testing"

	"github.com/townhall/townhall/reviews"
)

// TestReviewQueriesUseIndexes checks every listing shape a page runs: each
// must walk an index in order, never scan the table or sort in a temp b-tree.
func TestReviewQueriesUseIndexes(t *testing.T) {
	db := openInternal(t)
	var shapes []planShape
	for _, sortBy := range reviews.Sorts {
		for _, stars := range []int{0, 4} {
			for _, after := range []*reviews.Cursor{nil, {Key: 3, ID: "x"}} {
				q, args := reviewsQuery(reviews.ReviewQuery{ProductID: "p", Sort: sortBy, Stars: stars, After: after, Limit: 21, ViewerID: "v"})
				shapes = append(shapes, planShape{fmt.Sprintf("reviews %s stars=%d after=%v", sortBy, stars, after != nil), q, args})
			}
		}
	}
	for _, archived := range []bool{false, true} {
		for _, after := range []string{"", "id"} {
			q, args := productsQuery(reviews.ProductQuery{IncludeArchived: archived, AfterName: "n", AfterID: after, Limit: 21})
			shapes = append(shapes, planShape{fmt.Sprintf("products archived=%v after=%q", archived, after), q, args})
		}
	}
	for _, s := range shapes {
		plan := explain(t, db, s.query, s.args...)
		all := strings.Join(plan, "; ")
		if strings.Contains(all, "TEMP B-TREE") || strings.Contains(all, "SCAN r ") || strings.HasSuffix(all, "SCAN r") ||
			strings.Contains(all, "SCAN products") && !strings.Contains(all, "USING") {
			t.Errorf("%s: plan %q scans or sorts", s.name, all)
		}
	}
}
