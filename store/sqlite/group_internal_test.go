package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// holdWriter starts a write that blocks until release is called, and
// waits until n more writes have queued behind it, so those n go into one
// group commit together.
func holdWriter(t *testing.T, db *DB, n int) (release func()) {
	t.Helper()
	gate := make(chan struct{})
	started := make(chan struct{})
	go db.write(context.Background(), func(tx *sql.Tx) error {
		close(started)
		<-gate
		return nil
	})
	<-started
	return func() {
		deadline := time.Now().Add(10 * time.Second)
		for db.group.queued() < n {
			if time.Now().After(deadline) {
				t.Fatalf("only %d of %d writes queued", db.group.queued(), n)
			}
			time.Sleep(time.Millisecond)
		}
		close(gate)
	}
}

func (g *group) queued() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}

// TestGroupCommitIsolatesEachWrite queues writes into one group commit:
// one that fails after inserting, one whose caller gives up midway, one
// that panics and ones that succeed. Each failed write leaves nothing, its
// caller alone hears of it, and every other write of the group is there.
func TestGroupCommitIsolatesEachWrite(t *testing.T) {
	db := openInternal(t)
	ctx := context.Background()
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE scratch(k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	insert := func(ctx context.Context, tx *sql.Tx, k string) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO scratch(k) VALUES(?)`, k)
		return err
	}
	errRefused := errors.New("refused")
	cases := []struct {
		name    string
		write   func(ctx context.Context, cancel func(), tx *sql.Tx) error
		wantErr func(error) bool
		kept    []string
		gone    []string
	}{
		{"ok", func(ctx context.Context, _ func(), tx *sql.Tx) error {
			return errors.Join(insert(ctx, tx, "ok-1"), insert(ctx, tx, "ok-2"))
		}, func(err error) bool { return err == nil }, []string{"ok-1", "ok-2"}, nil},
		{"fails after writing", func(ctx context.Context, _ func(), tx *sql.Tx) error {
			if err := insert(ctx, tx, "failed-1"); err != nil {
				return err
			}
			return errRefused
		}, func(err error) bool { return errors.Is(err, errRefused) }, nil, []string{"failed-1"}},
		{"constraint violation", func(ctx context.Context, _ func(), tx *sql.Tx) error {
			if err := insert(ctx, tx, "dup-1"); err != nil {
				return err
			}
			return insert(ctx, tx, "dup-1")
		}, func(err error) bool { return err != nil }, nil, []string{"dup-1"}},
		{"caller gives up midway", func(ctx context.Context, cancel func(), tx *sql.Tx) error {
			if err := insert(ctx, tx, "cancelled-1"); err != nil {
				return err
			}
			cancel()
			return insert(ctx, tx, "cancelled-2")
		}, func(err error) bool { return errors.Is(err, context.Canceled) }, nil, []string{"cancelled-1", "cancelled-2"}},
		{"also ok", func(ctx context.Context, _ func(), tx *sql.Tx) error {
			return insert(ctx, tx, "ok-3")
		}, func(err error) bool { return err == nil }, []string{"ok-3"}, nil},
	}
	release := holdWriter(t, db, len(cases)+1)
	errs := make([]error, len(cases))
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			errs[i] = db.write(ctx, func(tx *sql.Tx) error { return c.write(ctx, cancel, tx) })
		}()
	}
	var panicked any
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() { panicked = recover() }()
		db.write(ctx, func(tx *sql.Tx) error {
			insert(ctx, tx, "panicked-1")
			panic("boom")
		})
	}()
	release()
	wg.Wait()

	if panicked != "boom" {
		t.Errorf("the panicking write's caller recovered %v, want boom", panicked)
	}
	has := func(k string) bool {
		var n int
		if err := db.reader(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM scratch WHERE k = ?`, k).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	if has("panicked-1") {
		t.Error("the panicking write's row is there")
	}
	for i, c := range cases {
		if !c.wantErr(errs[i]) {
			t.Errorf("%s: error %v", c.name, errs[i])
		}
		for _, k := range c.kept {
			if !has(k) {
				t.Errorf("%s: %s is missing", c.name, k)
			}
		}
		for _, k := range c.gone {
			if has(k) {
				t.Errorf("%s: %s was kept", c.name, k)
			}
		}
	}
}

// TestGroupCommitConcurrentCounter has many writers bump one counter and
// log each bump, half of them failing after the bump: the counter equals
// the log, and both equal the writes that succeeded.
func TestGroupCommitConcurrentCounter(t *testing.T) {
	db := openInternal(t)
	ctx := context.Background()
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE counter(n INTEGER); INSERT INTO counter VALUES(0); CREATE TABLE bumps(id TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	const writers, each = 16, 25
	var mu sync.Mutex
	succeeded := 0
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				fail := (w+i)%2 == 0
				err := db.write(ctx, func(tx *sql.Tx) error {
					if _, err := tx.ExecContext(ctx, `UPDATE counter SET n = n + 1`); err != nil {
						return err
					}
					if _, err := tx.ExecContext(ctx, `INSERT INTO bumps VALUES(?)`, fmt.Sprint(w, "-", i)); err != nil {
						return err
					}
					if fail {
						return errors.New("refused")
					}
					return nil
				})
				if (err == nil) == fail {
					t.Errorf("write %d-%d: error %v, fail %v", w, i, err, fail)
				}
				if err == nil {
					mu.Lock()
					succeeded++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	var n, bumps int
	if err := db.reader(ctx).QueryRowContext(ctx, `SELECT (SELECT n FROM counter), (SELECT COUNT(*) FROM bumps)`).Scan(&n, &bumps); err != nil {
		t.Fatal(err)
	}
	if n != succeeded || bumps != succeeded || succeeded != writers*each/2 {
		t.Errorf("counter %d, bumps %d, succeeded %d, want %d each", n, bumps, succeeded, writers*each/2)
	}
}

// TestGroupCommitAfterClose: a write to a closed store is refused.
func TestGroupCommitAfterClose(t *testing.T) {
	db, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := db.write(context.Background(), func(*sql.Tx) error { return nil }); !errors.Is(err, errClosed) {
		t.Errorf("write after close: %v", err)
	}
}
