package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"

	"github.com/townhall/townhall"
)

// Progress reports a rebuild: done of total documents read from the store.
type Progress func(done, total int)

// Rebuild builds a new index of everything in src next to the live one in
// dir and then points CURRENT at it; a running server swaps it in within
// about a second (see the layout notes in index.go). It returns the new
// index's name. The feed position is recorded before anything is read, so
// changes made while it runs are applied by the server's Indexer after the
// swap, never lost. The new index is merged into one segment before it
// goes live (see compact), so the rebuild ends with a pause after the last
// document.
func Rebuild(ctx context.Context, dir string, src Source, progress Progress) (string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	seq, err := src.LastChange(ctx)
	if err != nil {
		return "", fmt.Errorf("search: read the change feed: %w", err)
	}
	type ref struct{ kind, id string }
	var refs []ref
	kinds := src.SearchKinds()
	sort.Strings(kinds)
	for _, kind := range kinds {
		after := ""
		for {
			ids, err := src.SearchIDs(ctx, kind, after, 5000)
			if err != nil {
				return "", fmt.Errorf("search: list %s ids: %w", kind, err)
			}
			for _, id := range ids {
				refs = append(refs, ref{kind, id})
			}
			if len(ids) == 0 {
				break
			}
			after = ids[len(ids)-1]
		}
	}
	id := townhall.NewID()
	building := filepath.Join(dir, buildingPrefix+id)
	b, err := create(building, 0)
	if err != nil {
		return "", err
	}
	ok := false
	defer func() {
		if !ok {
			b.Close()
			os.RemoveAll(building)
		}
	}()
	const batchSize = 1000
	if progress != nil {
		progress(0, len(refs))
	}
	batch := b.NewBatch()
	for i, r := range refs {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		if _, err := loadInto(ctx, src, batch, r.kind, r.id); err != nil {
			return "", err
		}
		if batch.Size() >= batchSize || i == len(refs)-1 {
			if i == len(refs)-1 {
				batch.SetInternal(keySeq, []byte(strconv.FormatInt(seq, 10)))
			}
			if err := b.Batch(batch); err != nil {
				return "", fmt.Errorf("search: write index: %w", err)
			}
			batch.Reset()
			if progress != nil {
				progress(i+1, len(refs))
			}
		}
	}
	if len(refs) == 0 {
		batch.SetInternal(keySeq, []byte(strconv.FormatInt(seq, 10)))
		if err := b.Batch(batch); err != nil {
			return "", err
		}
	}
	ok = true
	if err := b.Close(); err != nil {
		os.RemoveAll(building)
		return "", err
	}
	if err := compact(ctx, building); err != nil {
		os.RemoveAll(building)
		return "", fmt.Errorf("search: merge the new index: %w", err)
	}
	name := livePrefix + id
	if err := os.Rename(building, filepath.Join(dir, name)); err != nil {
		os.RemoveAll(building)
		return "", err
	}
	if err := writeCurrent(dir, name); err != nil {
		return "", err
	}
	return name, nil
}

// compact merges the closed index at path into a single segment. A bulk
// load leaves scorch with dozens of segments that its background merger
// only slowly combines (for minutes, while serving), and every query pays
// for every segment: at 1M documents a merged index answered broad queries
// several times faster (BENCHMARKS.md, "Search"). Reopening first makes
// sure every segment is on disk, because scorch merges only persisted ones.
func compact(ctx context.Context, path string) error {
	b, err := openIndex(path)
	if err != nil {
		return err
	}
	if err := forceMerge(ctx, b); err != nil {
		b.Close()
		return err
	}
	return b.Close()
}

func forceMerge(ctx context.Context, b bleve.Index) error {
	adv, err := b.Advanced()
	if err != nil {
		return err
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	// One forced merge combines up to SegmentsPerMergeTask segments per
	// task, so it may take a few rounds to reach one segment.
	for range 10 {
		if n, _ := s.StatsMap()["num_root_filesegments"].(uint64); n <= 1 {
			return nil
		}
		if err := s.ForceMerge(ctx, &mergeplan.SingleSegmentMergePlanOptions); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}
