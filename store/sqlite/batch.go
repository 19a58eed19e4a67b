package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// BatchSize is how many Store writes a Batch groups into one commit.
const BatchSize = 1000

type batchKey struct{}

// batch is one goroutine's run of Store calls sharing transactions.
type batch struct {
	db  *DB
	tx  *sql.Tx
	ops int
}

// Batch runs fn with a context that makes every Store call of this DB made
// with it share one transaction, committed every BatchSize writes and at the
// end. Each Store method still runs whole or not at all (in a savepoint), and
// reads see the batch's own writes. Bulk loads (townhall seed) use it: a
// commit per write costs more than the write. The context must not be shared
// between goroutines; an error from fn rolls back only the writes not yet
// committed.
func (db *DB) Batch(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(batchKey{}).(*batch); ok {
		return fn(ctx) // already batching: join the outer batch
	}
	b := &batch{db: db}
	if err := b.begin(ctx); err != nil {
		return err
	}
	err := fn(context.WithValue(ctx, batchKey{}, b))
	if err != nil {
		b.tx.Rollback()
		return err
	}
	if err := b.tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (b *batch) begin(ctx context.Context) error {
	tx, err := b.db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	b.tx, b.ops = tx, 0
	return nil
}

// write runs fn in a savepoint, then commits the batch once it is full.
func (b *batch) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if _, err := b.tx.ExecContext(ctx, `SAVEPOINT op`); err != nil {
		return err
	}
	if err := fn(b.tx); err != nil {
		if _, rerr := b.tx.ExecContext(ctx, `ROLLBACK TO op`); rerr != nil {
			return fmt.Errorf("%w (and rolling back: %v)", err, rerr)
		}
		b.tx.ExecContext(ctx, `RELEASE op`)
		return err
	}
	if _, err := b.tx.ExecContext(ctx, `RELEASE op`); err != nil {
		return err
	}
	if b.ops++; b.ops >= BatchSize {
		if err := b.tx.Commit(); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		return b.begin(ctx)
	}
	return nil
}
