package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// maxGroup bounds how many writes share one commit, so a burst does not
// make its first caller wait for the last.
const maxGroup = 64

// errClosed answers writes that reach a closed store.
var errClosed = errors.New("the store is closed")

// group is the writer's queue. SQLite commits one transaction at a time,
// and under load most of a small write's cost is the commit: the WAL
// frames of every page it touched, written one system call each (a like
// touched eleven pages, 38% of the server's CPU in write calls at 700
// likes/s). So the writes that queued while a commit ran go together into
// the next transaction, each in its own savepoint: a write that fails rolls
// back to its savepoint and only its caller hears of it, the others commit,
// and pages they share (an index's last leaf, a popular author's rollups)
// are written once. Each caller returns after the commit that holds its
// write, so durability is what it was with one transaction each.
type group struct {
	mu      sync.Mutex
	queue   []*pending
	running bool // a goroutine is committing the queue
	closed  bool
	wg      sync.WaitGroup
}

// pending is one queued write and, once done is closed, its outcome.
type pending struct {
	ctx      context.Context
	fn       func(tx *sql.Tx) error
	err      error
	panicked bool
	panicVal any
	done     chan struct{}
}

// do queues fn and waits for its outcome. It waits even when ctx ends,
// because a write that was already under way is committed: the caller
// must not hear "cancelled" of a write that happened. A write whose
// context ended before its turn is not run.
func (g *group) do(db *DB, ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := &pending{ctx: ctx, fn: fn, done: make(chan struct{})}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return errClosed
	}
	g.queue = append(g.queue, p)
	if !g.running {
		g.running = true
		g.wg.Add(1)
		go g.run(db)
	}
	g.mu.Unlock()
	<-p.done
	if p.panicked {
		panic(p.panicVal) // where it would have been without the queue
	}
	return p.err
}

// close refuses new writes and waits for the queued ones.
func (g *group) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.wg.Wait()
}

// run commits the queue, up to maxGroup writes at a time, until it is
// empty; the next write starts it again.
func (g *group) run(db *DB) {
	defer g.wg.Done()
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxGroup)
		if n == 0 {
			g.running, g.queue = false, nil
			g.mu.Unlock()
			return
		}
		ps := g.queue[:n:n]
		g.queue = g.queue[n:]
		g.mu.Unlock()
		commitGroup(db, ps)
		for _, p := range ps {
			close(p.done)
		}
	}
}

// commitGroup runs ps in one transaction and records each one's outcome.
func commitGroup(db *DB, ps []*pending) {
	live := make([]*pending, 0, len(ps))
	for _, p := range ps {
		if p.err = p.ctx.Err(); p.err == nil {
			live = append(live, p)
		}
	}
	if len(live) == 0 {
		return
	}
	// The transaction is the group's, so no caller's context may end it;
	// each write's statements still carry their caller's context, which
	// database/sql checks before running each one.
	tx, err := db.w.BeginTx(context.Background(), nil)
	if err != nil {
		for _, p := range live {
			p.err = fmt.Errorf("begin: %w", err)
		}
		return
	}
	if len(live) == 1 { // alone: no savepoint needed
		p := live[0]
		if call(p, tx); p.err != nil {
			tx.Rollback()
			return
		}
		if err := tx.Commit(); err != nil {
			p.err = fmt.Errorf("commit: %w", err)
		}
		return
	}
	var written []*pending
	for i, p := range live {
		if _, err := tx.Exec(`SAVEPOINT op`); err != nil {
			abort(db, tx, written, live[i:], err)
			return
		}
		if call(p, tx); p.err != nil {
			if _, err := tx.Exec(`ROLLBACK TO op`); err != nil {
				abort(db, tx, written, live[i+1:], err)
				return
			}
		} else {
			written = append(written, p)
		}
		if _, err := tx.Exec(`RELEASE op`); err != nil {
			abort(db, tx, written, live[i+1:], err)
			return
		}
	}
	if err := tx.Commit(); err != nil {
		for _, p := range written {
			p.err = fmt.Errorf("commit: %w", err)
		}
	}
}

// abort ends a group whose transaction SQLite gave up (an I/O error or a
// full disk roll it back whole): the writes made in it are lost, so their
// callers hear the error; those not yet run get a transaction of their own.
func abort(db *DB, tx *sql.Tx, written, rest []*pending, err error) {
	tx.Rollback()
	for _, p := range written {
		p.err = fmt.Errorf("commit: %w", err)
	}
	if len(rest) > 0 {
		commitGroup(db, rest)
	}
}

// call runs p's write, keeping a panic for its caller to raise.
func call(p *pending, tx *sql.Tx) {
	defer func() {
		if r := recover(); r != nil {
			p.panicked, p.panicVal = true, r
			p.err = fmt.Errorf("panic in a write: %v", r)
		}
	}()
	p.err = p.fn(tx)
}
