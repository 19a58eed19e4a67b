package sqlite

import (
	"context"
	"database/sql"
	"testing"
)

// TestStatementCacheNestedQueries runs a query again while its first rows
// are still open: the cached statement is busy, so the second run must use
// its own and both must see every row.
func TestStatementCacheNestedQueries(t *testing.T) {
	db := openInternal(t)
	ctx := context.Background()
	const q = `WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < ?) SELECT value FROM s`
	err := db.write(ctx, func(tx *sql.Tx) error {
		outer, err := tx.QueryContext(ctx, q, 3)
		if err != nil {
			return err
		}
		defer outer.Close()
		sum := 0
		for outer.Next() {
			var v int
			if err := outer.Scan(&v); err != nil {
				return err
			}
			inner, err := tx.QueryContext(ctx, q, v)
			if err != nil {
				return err
			}
			for inner.Next() {
				var w int
				inner.Scan(&w)
				sum += w
			}
			inner.Close()
		}
		// 1 + (1+2) + (1+2+3)
		if sum != 10 {
			t.Errorf("nested sums = %d, want 10", sum)
		}
		return outer.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	// The statement is free again and cached: a third run works.
	var n int
	if err := db.reader(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+q+`)`, 5).Scan(&n); err != nil || n != 5 {
		t.Errorf("count = %d, %v", n, err)
	}
}
