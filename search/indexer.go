package search

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
)

// Indexer tails the store's change feed into the index. Run it in one
// goroutine per index; nothing else writes documents.
type Indexer struct {
	idx *Index
	src Source
	log *slog.Logger

	// BatchSize is how many feed entries go into one Bleve batch (1,000
	// measured fastest here; smaller batches are ~20% slower).
	BatchSize int
	// Poll is how often an idle indexer asks the feed for news. Reading the
	// feed is one primary-key range query, so polling often is cheap and
	// keeps new content searchable well within a second.
	Poll time.Duration
	// SwapCheck is how often Run looks for an index rebuilt by `townhall reindex`.
	SwapCheck time.Duration
	// MergeAfter is how many feed entries in one backlog (a first start on
	// a seeded store, a burst of imports) make Run merge the index into one
	// segment once the backlog is indexed, in the background and while
	// serving, as `townhall reindex` does (see compact); 0 never does.
	MergeAfter int

	wake    chan struct{}
	merging atomic.Bool
}

// NewIndexer returns an indexer of src into idx with the default settings.
func NewIndexer(idx *Index, src Source, log *slog.Logger) *Indexer {
	if log == nil {
		log = slog.Default()
	}
	return &Indexer{
		idx: idx, src: src, log: log,
		BatchSize:  1000,
		Poll:       150 * time.Millisecond,
		SwapCheck:  time.Second,
		MergeAfter: 100_000,
		wake:       make(chan struct{}, 1),
	}
}

// Wake makes an idle indexer look at the feed now instead of at the next poll.
func (ix *Indexer) Wake() {
	select {
	case ix.wake <- struct{}{}:
	default:
	}
}

// Run indexes until ctx ends. Errors (a busy store, a full disk) are logged
// and retried with backoff; the checkpoint guarantees nothing is skipped.
func (ix *Indexer) Run(ctx context.Context) {
	if seq, err := ix.idx.Checkpoint(); err == nil {
		if last, err := ix.src.LastChange(ctx); err == nil && seq > last {
			ix.log.Warn("search index is ahead of the store's change feed (was the database restored?); run `townhall reindex`", "index_seq", seq, "feed_seq", last)
		}
	}
	backoff := ix.Poll
	lastSwapCheck := time.Now()
	backlog := 0
	for {
		if time.Since(lastSwapCheck) >= ix.SwapCheck {
			lastSwapCheck = time.Now()
			if swapped, err := ix.idx.SwapIfChanged(); err != nil {
				ix.log.Error("search: swapping in the rebuilt index", "err", err)
			} else if swapped {
				ix.log.Info("search: now serving the rebuilt index", "index", ix.idx.Name())
			}
		}
		n, err := ix.Step(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := ix.Poll
		switch {
		case err != nil:
			ix.log.Error("search: indexing the change feed", "err", err)
			backoff = min(2*backoff, 30*time.Second)
			wait = backoff
		case n > 0:
			backoff = ix.Poll
			backlog += n
			continue // more may be waiting: drain before sleeping
		default:
			backoff = ix.Poll
			if ix.MergeAfter > 0 && backlog >= ix.MergeAfter {
				ix.mergeInBackground(ctx, backlog)
			}
			backlog = 0
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-ix.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// mergeInBackground merges the live index into one segment unless a merge
// is already running. Scorch merges while searches and batches go on, so
// new writes stay searchable at once; it runs outside the index lock so a
// swap is not held up (closing the index ends the merge).
func (ix *Indexer) mergeInBackground(ctx context.Context, backlog int) {
	if !ix.merging.CompareAndSwap(false, true) {
		return
	}
	var b bleve.Index
	ix.idx.with(func(live bleve.Index) error { b = live; return nil })
	if b == nil {
		ix.merging.Store(false)
		return
	}
	go func() {
		defer ix.merging.Store(false)
		start := time.Now()
		if err := forceMerge(ctx, b); err != nil && ctx.Err() == nil {
			ix.log.Warn("search: merging the index after a large backlog", "err", err)
			return
		}
		ix.log.Info("search: merged the index after a large backlog", "documents", backlog, "took", time.Since(start).Round(time.Millisecond))
	}()
}

// Step applies the next batch of feed entries and returns how many it read.
// Documents and the new checkpoint are written in one Bleve batch, so the
// index never holds one without the other.
func (ix *Indexer) Step(ctx context.Context) (int, error) {
	seq, err := ix.idx.Checkpoint()
	if err != nil {
		return 0, err
	}
	changes, err := ix.src.Changes(ctx, seq, ix.BatchSize)
	if err != nil || len(changes) == 0 {
		return 0, err
	}
	type key struct{ kind, id string }
	seen := make(map[key]bool, len(changes))
	known := map[string]bool{}
	for _, k := range ix.src.SearchKinds() {
		known[k] = true
	}
	removed := false
	err = ix.idx.with(func(b bleve.Index) error {
		batch := b.NewBatch()
		for _, c := range changes {
			k := key{c.Kind, c.ID}
			if seen[k] {
				continue // the document is re-read whole; once per batch is enough
			}
			seen[k] = true
			if !known[c.Kind] {
				// A kind this binary cannot load (e.g. written by a newer
				// version): skip it rather than stall the whole feed.
				batch.Delete(docID(c.Kind, c.ID))
				removed = true
				continue
			}
			deleted, err := loadInto(ctx, ix.src, batch, c.Kind, c.ID)
			if err != nil {
				return err
			}
			removed = removed || deleted
		}
		batch.SetInternal(keySeq, []byte(strconv.FormatInt(changes[len(changes)-1].Seq, 10)))
		return b.Batch(batch)
	})
	if err != nil {
		return 0, err
	}
	if removed {
		ix.idx.removals.Add(1) // after the batch: see Index.removals
	}
	return len(changes), nil
}

// CatchUp applies batches until the feed has nothing newer than the checkpoint.
func (ix *Indexer) CatchUp(ctx context.Context) error {
	for {
		n, err := ix.Step(ctx)
		if err != nil || n == 0 {
			return err
		}
	}
}
