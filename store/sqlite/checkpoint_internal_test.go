package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"modernc.org/sqlite"
)

// TestCheckpointerCopiesTheWAL writes far fewer pages than the writer's
// own checkpoint waits for, then reads the database file alone (no WAL
// beside it): the rows are there, so the checkpointer copied them.
func TestCheckpointerCopiesTheWAL(t *testing.T) {
	db := openInternal(t)
	ctx := context.Background()
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE scratch(k INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	const rows = 200
	for i := range rows {
		if err := db.write(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO scratch(k) VALUES(?)`, i)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	var n int
	for {
		n = countInFileAlone(t, db.path)
		if n == rows || time.Now().After(deadline) {
			break
		}
		time.Sleep(checkpointEvery)
	}
	if n != rows {
		t.Fatalf("the database file alone has %d of %d rows", n, rows)
	}
}

// countInFileAlone copies the database file without its WAL and counts
// the scratch rows in the copy (-1 when the copy has no such table yet).
func countInFileAlone(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(t.TempDir(), "alone.db")
	if err := os.WriteFile(cp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	c := sql.OpenDB(connector{dsn: "file:" + cp, d: &sqlite.Driver{}})
	defer c.Close()
	var n int
	if err := c.QueryRow(`SELECT COUNT(*) FROM scratch`).Scan(&n); err != nil {
		return -1
	}
	return n
}

// TestNoConnectionMapsTheFile checks no connection maps the database (a
// reader that did would unmap and fault its pages back in after every
// commit, see db.go; the writer must write through write(2) alone) and
// that readers and the writer got their own page cache sizes.
func TestNoConnectionMapsTheFile(t *testing.T) {
	db := openInternal(t)
	for name, pool := range map[string]*sql.DB{"readers": db.r, "writer": db.w} {
		var n int64
		if err := pool.QueryRowContext(context.Background(), `PRAGMA mmap_size`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("the %s map %d bytes of the file, want 0", name, n)
		}
	}
	for name, c := range map[string]struct {
		pool *sql.DB
		want int64
	}{"readers": {db.r, readerCacheKiB}, "writer": {db.w, cacheKiB}} {
		var n int64
		if err := c.pool.QueryRowContext(context.Background(), `PRAGMA cache_size`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != c.want {
			t.Errorf("the %s' cache_size is %d, want %d", name, n, c.want)
		}
	}
}
