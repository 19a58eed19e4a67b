package sqlite

import (
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
	wantIndexedPlans(t, db, shapes)
}
