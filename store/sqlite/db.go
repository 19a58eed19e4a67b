// Package sqlite is Townhall's embedded default store: one SQLite file in WAL
// mode under the data directory, implementing every domain Store interface.
//
// Writes go through a single connection with BEGIN IMMEDIATE transactions, so
// writers queue in Go instead of failing with SQLITE_BUSY, and each Store
// method is one transaction: it either happens whole or not at all. Reads use
// a separate pool of read-only connections that WAL lets run beside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/townhall/townhall"
)

// cacheKiB is the page cache of each connection, as SQLite's cache_size
// (negative: KiB). A 256 MiB cache for bulk loads was tried: the 100k seed
// took 27% more CPU and 3.5× the memory, so batches keep this one.
const cacheKiB = -32000

// readerCacheKiB is each reader's page cache, smaller than the writer's:
// a reader drops its cache at the first read after any commit (WAL mode),
// so under a trickle of writes it rarely fills, and four readers' worth of
// 32 MB was most of the server's peak RSS above 400 MB in the 100k mix.
// At 8 MB the peak fell from 443-475 MB to 369-375 MB for 3,384-3,629
// page renders/s against 3,629-3,650 (BENCHMARKS.md, 2026-12-04 evening).
const readerCacheKiB = -8000

// FileName is the database file inside the data directory.
const FileName = "townhall.db"

// DB is an open embedded store.
type DB struct {
	path string
	w    *sql.DB // one connection: all writes, serialized
	r    *sql.DB // read-only pool
	now  func() time.Time
	// loc is the site's time zone: the day a like or a ledger entry
	// falls on (see SetLocation).
	loc *time.Location
	// group queues the writes waiting for the writer (see group.go).
	group *group
	ck    *checkpointer
}

// Open opens (creating if needed) the store in dir and migrates it. It
// refuses a database written by a newer Townhall.
func Open(ctx context.Context, dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	dsn := func(cacheKiB int, extra ...string) string {
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Add("_pragma", "foreign_keys(ON)")
		q.Add("_pragma", fmt.Sprintf("cache_size(%d)", cacheKiB))
		// Savepoints (one per Store call in a Batch) journal pages to a
		// temporary file; in memory that costs no system calls.
		q.Add("_pragma", "temp_store(MEMORY)")
		for i := 0; i+1 < len(extra); i += 2 {
			q.Add(extra[i], extra[i+1])
		}
		return "file:" + path + "?" + q.Encode()
	}
	w := sql.OpenDB(connector{dsn: dsn(cacheKiB, "_txlock", "immediate", "_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", writerAutoCheckpoint)),
		d: &sqlite.Driver{}, detached: true})
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	db := &DB{path: path, w: w, now: time.Now, loc: time.UTC, group: &group{}}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if err := db.backfillLedger(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("reputation ledger: %w", err)
	}
	// Readers do not map the file (mmap_size stays 0). In WAL mode a
	// connection that starts a read after any commit drops its page cache and,
	// when mapped, unmaps the whole region, so under a steady trickle of writes
	// every reader kept unmapping and faulting the same pages back in: on the
	// 100k mix, mapped readers made 8% fewer page renders per second than
	// readers that pread(2) into their page caches, and the server's peak RSS
	// was 1.6-1.7 GB of mapped file against 0.46-0.50 GB (BENCHMARKS.md,
	// 2026-12-04 evening). The kernel's page cache still holds the file once.
	r := sql.OpenDB(connector{dsn: dsn(readerCacheKiB, "_pragma", "query_only(1)"), d: &sqlite.Driver{}})
	n := max(4, 2*runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db.r = r
	db.ck = startCheckpointer(dsn(cacheKiB))
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	db.group.close()
	return errors.Join(db.ck.close(), db.r.Close(), db.w.Close())
}

// Path is the database file, for backups and diagnostics.
func (db *DB) Path() string { return db.path }

// SetClock replaces the clock; tests use it to make time-dependent rankings
// deterministic.
func (db *DB) SetClock(now func() time.Time) { db.now = now }

// SetLocation sets the site's time zone, in which the days of likes and
// reputation entries begin (UTC until set).
func (db *DB) SetLocation(loc *time.Location) { db.loc = loc }

// day is the site's calendar day of t.
func (db *DB) day(t time.Time) string { return t.In(db.loc).Format(time.DateOnly) }

// Ping reports whether the store answers; /healthz uses it.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.reader(ctx).QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// querier is what both *sql.DB and *sql.Tx offer, so read helpers work inside
// and outside write transactions.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// write runs fn in an immediate transaction on the writer connection:
// its own, or one it shares with the writes queued beside it, each in a
// savepoint (a group commit, see group.go). Either way fn happens whole or
// not at all, and write returns once it is committed.
// Inside a Batch it runs fn in a savepoint of the batch's transaction
// instead, so each Store method stays all-or-nothing while the batch saves
// the cost of a commit per method.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if b, ok := ctx.Value(batchKey{}).(*batch); ok && b.db == db {
		return b.write(ctx, fn)
	}
	return db.group.do(db, ctx, fn)
}

// reader is what read methods query: the read-only pool, or inside a Batch
// the batch's transaction, so a batch reads its own uncommitted writes (and
// does not wait on the writer connection it holds).
func (db *DB) reader(ctx context.Context) querier {
	if b, ok := ctx.Value(batchKey{}).(*batch); ok && b.db == db {
		return b.tx
	}
	return db.r
}

// ms and fromMS convert between times and the integer milliseconds stored in
// every time column: compact, sortable, and zone-free.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// nullMS is fromMS for nullable columns; NULL is the zero time.
func nullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// notFound turns sql.ErrNoRows into nf, the domain's not-found error.
func notFound(err error, nf *townhall.Error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return nf
	}
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// queryAll runs query and scans every row with scan: the one loop behind
// every listing, so none of them can forget rows.Err or Close.
func queryAll[T any](ctx context.Context, q querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// scanString scans a one-column row of text (ids, handles).
func scanString(row scanner) (string, error) {
	var s string
	err := row.Scan(&s)
	return s, err
}
