package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall/forum"
)

// TestForumQueriesUseIndexes checks the queries forum pages run: the
// category listing (every cursor and visibility shape), a thread page's
// position range, permalinks, followers and revisions must each walk an
// index, never scan a table or sort in a temp b-tree.
func TestForumQueriesUseIndexes(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type shape struct {
		name  string
		query string
		args  []any
	}
	var shapes []shape
	for _, after := range []*forum.ThreadCursor{nil, {Pinned: true, Activity: time.Now(), ID: "x"}} {
		for _, hidden := range []bool{false, true} {
			q, args := threadsQuery("c", after, 31, hidden)
			shapes = append(shapes, shape{fmt.Sprintf("threads after=%v hidden=%v", after != nil, hidden), q, args})
		}
	}
	shapes = append(shapes,
		shape{"thread", `SELECT ` + threadCols + threadFrom + `WHERE t.id = ?`, []any{"x"}},
		shape{"thread page", `SELECT ` + postCols + postFrom + `WHERE p.thread_id = ? AND p.position BETWEEN ? AND ? ORDER BY p.position`, []any{"x", 1, 20}},
		shape{"permalink", `SELECT ` + postCols + postFrom + `WHERE p.id = ?`, []any{"x"}},
		shape{"followers", `SELECT user_id FROM forum_follows WHERE thread_id = ?`, []any{"x"}},
		shape{"revisions", `SELECT r.id FROM forum_revisions r JOIN users u ON u.id = r.editor_id WHERE r.post_id = ? ORDER BY r.id DESC`, []any{"x"}},
		shape{"latest", latestThreadsQuery, []any{10}},
		shape{"categories", `SELECT ` + categoryCols + ` FROM forum_categories ORDER BY position, name`, nil},
	)
	for _, s := range shapes {
		plan := explain(t, db, s.query, s.args...)
		all := strings.Join(plan, "; ")
		if testing.Verbose() {
			t.Logf("%s: %s", s.name, all)
		}
		for _, step := range plan {
			// A SCAN without an index reads the whole table; the category
			// list may walk its (tiny) table in index order.
			if strings.Contains(step, "TEMP B-TREE") || strings.HasPrefix(step, "SCAN") && !strings.Contains(step, "USING INDEX") {
				t.Errorf("%s: plan %q scans or sorts", s.name, all)
			}
		}
	}
}
