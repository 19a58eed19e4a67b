package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/store/sqlite"
)

func TestBatchCommitsInChunksAndReadsItsOwnWrites(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	n := sqlite.BatchSize*2 + 10 // crosses two intermediate commits
	err := db.Batch(ctx, func(ctx context.Context) error {
		for i := range n {
			s := &townhall.Segment{ID: townhall.NewID(), Name: fmt.Sprintf("Segment %d", i), Weight: 1}
			if err := db.SaveSegment(ctx, s); err != nil {
				return err
			}
			// A read inside the batch sees the uncommitted write.
			if got, err := db.Segment(ctx, s.ID); err != nil || got.Name != s.Name {
				return fmt.Errorf("read back %d: %v, %v", i, got, err)
			}
		}
		// A failing Store call undoes only itself: the duplicate name is
		// rejected and the batch goes on.
		err := db.SaveSegment(ctx, &townhall.Segment{ID: townhall.NewID(), Name: "Segment 0", Weight: 1})
		if townhall.ErrorCode(err) != townhall.ECONFLICT {
			return fmt.Errorf("duplicate segment: %v, want ECONFLICT", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	segs, err := db.Segments(ctx)
	if err != nil || len(segs) != n {
		t.Fatalf("after the batch: %d segments, %v; want %d", len(segs), err, n)
	}
}

func TestBatchErrorRollsBackUncommittedWrites(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := db.Batch(ctx, func(ctx context.Context) error {
		for i := range 3 {
			if err := db.SaveSegment(ctx, &townhall.Segment{ID: townhall.NewID(), Name: fmt.Sprint(i), Weight: 1}); err != nil {
				return err
			}
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Batch = %v, want the callback's error", err)
	}
	segs, err := db.Segments(ctx)
	if err != nil || len(segs) != 0 {
		t.Errorf("after a failed batch: %d segments, %v; want none", len(segs), err)
	}
	// The writer is free again: a normal write works.
	if err := db.SaveSegment(ctx, &townhall.Segment{ID: townhall.NewID(), Name: "after", Weight: 1}); err != nil {
		t.Fatal(err)
	}
}
