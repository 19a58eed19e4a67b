package sqlite

import (
	"database/sql"
	"time"

	"modernc.org/sqlite"
)

// checkpointEvery is how often the checkpointer copies committed pages
// from the WAL into the database file.
const checkpointEvery = 250 * time.Millisecond

// writerAutoCheckpoint is the WAL size, in pages, at which the writer
// checkpoints itself: only when the checkpointer has fallen that far
// behind (80 MB), so the WAL stays bounded whatever happens to it.
const writerAutoCheckpoint = 20000

// checkpointer copies the WAL into the database file on a connection of
// its own. SQLite's default has the writer do it inside a commit every
// 1,000 pages: at 100k threads a fifth of the writer's time went to those
// copies (a page write each), while every other write queued behind it. A
// PASSIVE checkpoint beside the writer waits for no one and blocks no one,
// and copies a page written by many commits once.
type checkpointer struct {
	db   *sql.DB
	stop chan struct{}
	done chan struct{}
}

func startCheckpointer(dsn string) *checkpointer {
	c := &checkpointer{db: sql.OpenDB(connector{dsn: dsn, d: &sqlite.Driver{}}), stop: make(chan struct{}), done: make(chan struct{})}
	c.db.SetMaxOpenConns(1)
	go func() {
		defer close(c.done)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				// Busy (the writer's own checkpoint running) or failing, the
				// next tick tries again; the writer's autocheckpoint is the
				// backstop.
				c.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
			}
		}
	}()
	return c
}

func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.db.Close()
}
