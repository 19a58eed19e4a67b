package sqlite

import (
	"fmt"
	"testing"
	"time"

	"github.com/townhall/townhall/forum"
)

// TestForumQueriesUseIndexes checks the queries forum pages run: the
// category listing (every cursor and visibility shape), a thread page's
// position range, permalinks, followers and revisions must each walk an
// index, never scan a table or sort in a temp b-tree.
func TestForumQueriesUseIndexes(t *testing.T) {
	db := openInternal(t)
	var shapes []planShape
	for _, after := range []*forum.ThreadCursor{nil, {Pinned: true, Activity: time.Now(), ID: "x"}} {
		for _, hidden := range []bool{false, true} {
			q, args := threadsQuery("c", after, 31, hidden)
			shapes = append(shapes, planShape{fmt.Sprintf("threads after=%v hidden=%v", after != nil, hidden), q, args})
		}
	}
	shapes = append(shapes,
		planShape{"thread", `SELECT ` + threadCols + threadFrom + `WHERE t.id = ?`, []any{"x"}},
		planShape{"thread page", `SELECT ` + postCols + postFrom + `WHERE p.thread_id = ? AND p.position BETWEEN ? AND ? ORDER BY p.position`, []any{"x", 1, 20}},
		planShape{"permalink", `SELECT ` + postCols + postFrom + `WHERE p.id = ?`, []any{"x"}},
		planShape{"followers", `SELECT user_id FROM forum_follows WHERE thread_id = ?`, []any{"x"}},
		planShape{"revisions", `SELECT r.id FROM forum_revisions r JOIN users u ON u.id = r.editor_id WHERE r.post_id = ? ORDER BY r.id DESC`, []any{"x"}},
		planShape{"latest", latestThreadsQuery, []any{10}},
		planShape{"categories", `SELECT ` + categoryCols + ` FROM forum_categories ORDER BY position, name`, nil},
	)
	wantIndexedPlans(t, db, shapes)
}
