package sqlite

import (
	"strings"
	"testing"

	"github.com/townhall/townhall/account"
)

// TestAccountQueriesUseIndexes checks that a person's data export reads
// each kind of their records through an index in id order, so a big
// account's export neither scans a table nor sorts one, and that deleting
// an account finds its content by index too.
func TestAccountQueriesUseIndexes(t *testing.T) {
	db := openInternal(t)
	shapes := []planShape{}
	for _, kind := range account.Kinds {
		shapes = append(shapes, planShape{"export " + kind, accountQueries[kind] + ` LIMIT ?`, []any{"u", "", 500}})
	}
	for _, table := range []string{"forum_threads", "forum_posts", "ideas", "reviews"} {
		shapes = append(shapes, planShape{"re-index " + table, `SELECT id FROM ` + table + ` WHERE author_id = ?`, []any{"u"}})
	}
	for _, table := range []string{"identities", "sessions", "notifications", "forum_follows"} {
		shapes = append(shapes, planShape{"delete from " + table, `DELETE FROM ` + table + ` WHERE user_id = ?`, []any{"u"}})
	}
	for _, s := range shapes {
		plan := explain(t, db, s.query, s.args...)
		all := strings.Join(plan, "; ")
		if testing.Verbose() {
			t.Logf("%s: %s", s.name, all)
		}
		for _, step := range plan {
			if strings.Contains(step, "TEMP B-TREE") || strings.HasPrefix(step, "SCAN") && !strings.Contains(step, "USING") {
				t.Errorf("%s: plan %q scans or sorts", s.name, all)
			}
		}
	}
}
