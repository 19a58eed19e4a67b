package sqlite

import (
	"context"
	"strings"
	"testing"
)

// openInternal opens a fresh store for tests inside the package.
func openInternal(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// planShape is one page query a plan test checks.
type planShape struct {
	name  string
	query string
	args  []any
}

// explain returns the steps of SQLite's EXPLAIN QUERY PLAN for query, so
// plan tests can assert that page queries walk indexes.
func explain(t *testing.T, db *DB, query string, args ...any) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.reader(ctx).QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", query, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// wantIndexedPlans fails for each shape whose plan reads a table without
// an index or sorts in a temp b-tree. A SCAN through an index (walking a
// small table in index order) passes.
func wantIndexedPlans(t *testing.T, db *DB, shapes []planShape) {
	t.Helper()
	for _, s := range shapes {
		plan := explain(t, db, s.query, s.args...)
		all := strings.Join(plan, "; ")
		if testing.Verbose() {
			t.Logf("%s: %s", s.name, all)
		}
		for _, step := range plan {
			if strings.Contains(step, "TEMP B-TREE") || strings.HasPrefix(step, "SCAN") && !strings.Contains(step, "USING INDEX") &&
				!strings.Contains(step, "USING COVERING INDEX") {
				t.Errorf("%s: plan %q scans or sorts", s.name, all)
			}
		}
	}
}
