package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	bbolterrors "go.etcd.io/bbolt/errors"

	"github.com/townhall/townhall"
)

// Layout of the search directory (DATA/search):
//
//	CURRENT         one line: the name of the live index directory
//	index-<id>/     a complete Bleve index; only the one CURRENT names is live
//	building-<id>/  an index `townhall reindex` is still filling
//
// A rebuild fills building-<id>, closes it, renames it to index-<id> and
// only then replaces CURRENT (write a temp file, rename over), so CURRENT
// always names a complete index. A running server notices the new name,
// opens that index, swaps it in under a lock that waits for in-flight
// searches, closes and deletes the old one, and its Indexer resumes from the
// new index's checkpoint (the feed position recorded before the rebuild
// read anything), so writes made during the rebuild are not lost.
const (
	currentFile    = "CURRENT"
	livePrefix     = "index-"
	buildingPrefix = "building-"
)

// Internal keys stored inside the index next to the documents.
var (
	keySeq     = []byte("townhall.feed_seq")
	keyMapping = []byte("townhall.mapping")
)

// Index is the live Bleve index of a search directory. Searches hold a read
// lock; swapping in a rebuilt index takes the write lock.
type Index struct {
	dir      string
	analyzer analysis.Analyzer

	mu   sync.RWMutex
	b    bleve.Index
	name string
	// removals counts index batches that removed documents and index
	// swaps, so caches of what the index held can tell they are outdated.
	// It is bumped after the change is applied.
	removals atomic.Uint64

	// legacy is set while the live index has mapping version 1 (see
	// analyzers), until `townhall reindex` replaces it.
	legacy bool
}

// pairs analyzes phrases into the terms of the pairs field.
var pairs = newMapping().AnalyzerNamed(pairsAnalyzer)

// Open opens the index CURRENT names in dir, creating an empty one (which
// the Indexer fills by replaying the feed from the start) when there is
// none. Leftover index directories from earlier swaps are removed.
func Open(dir string) (*Index, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("search: create %s: %w", dir, err)
	}
	x := &Index{dir: dir}
	name, err := readCurrent(dir)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = livePrefix + townhall.NewID()
		b, err := create(filepath.Join(dir, name), 0)
		if err != nil {
			return nil, err
		}
		if err := b.Close(); err != nil {
			return nil, err
		}
		if err := writeCurrent(dir, name); err != nil {
			return nil, err
		}
	}
	b, err := openIndex(filepath.Join(dir, name))
	if err != nil {
		return nil, fmt.Errorf("search: open index %s: %w", name, err)
	}
	x.b, x.name, x.legacy = b, name, isLegacy(b)
	x.analyzer = b.Mapping().AnalyzerNamed(en.AnalyzerName)
	x.removeStale()
	return x, nil
}

// Outdated reports whether the live index was built with an older mapping
// than this binary's, so `townhall reindex` should be run.
func (x *Index) Outdated() bool {
	var v []byte
	err := x.with(func(b bleve.Index) (err error) {
		v, err = b.GetInternal(keyMapping)
		return err
	})
	return err != nil || string(v) != mappingVersion
}

// isLegacy reports whether b has the version 1 layout: no text or pairs
// fields. Any other version is this binary's (an older binary never reads
// a newer index: reindexing with it writes its own version).
func isLegacy(b bleve.Index) bool {
	v, err := b.GetInternal(keyMapping)
	return err == nil && string(v) == "1"
}

// openIndex opens an existing index. Bleve locks it (a bolt file lock) and
// would otherwise wait forever for another process holding it, so a second
// server on the same data directory fails with a clear error instead.
func openIndex(path string) (bleve.Index, error) {
	b, err := bleve.OpenUsing(path, map[string]any{"bolt_timeout": "3s"})
	if errors.Is(err, bbolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%s is in use by another Townhall process on the same data directory", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%w (delete %s to rebuild the index from the store)", err, filepath.Dir(path))
	}
	return b, nil
}

// create makes a new index at path with the given feed checkpoint.
func create(path string, seq int64) (bleve.Index, error) {
	b, err := bleve.New(path, newMapping())
	if err != nil {
		return nil, fmt.Errorf("search: create index: %w", err)
	}
	batch := b.NewBatch()
	batch.SetInternal(keySeq, []byte(strconv.FormatInt(seq, 10)))
	batch.SetInternal(keyMapping, []byte(mappingVersion))
	if err := b.Batch(batch); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// Close closes the live index.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.b == nil {
		return nil
	}
	err := x.b.Close()
	x.b = nil
	return err
}

// Name is the directory name of the live index.
func (x *Index) Name() string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.name
}

// Checkpoint is the last feed sequence applied to the live index.
func (x *Index) Checkpoint() (seq int64, err error) {
	err = x.with(func(b bleve.Index) error {
		seq, err = checkpoint(b)
		return err
	})
	return seq, err
}

func checkpoint(b bleve.Index) (int64, error) {
	v, err := b.GetInternal(keySeq)
	if err != nil || len(v) == 0 {
		return 0, err
	}
	return strconv.ParseInt(string(v), 10, 64)
}

// DocCount is the number of documents in the live index.
func (x *Index) DocCount() (n uint64, err error) {
	err = x.with(func(b bleve.Index) error {
		n, err = b.DocCount()
		return err
	})
	return n, err
}

// with runs fn on the live index under the read lock.
func (x *Index) with(fn func(b bleve.Index) error) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.b == nil {
		return errors.New("search: index is closed")
	}
	return fn(x.b)
}

// withQuery is with for a search: fn also gets the analyzers that build
// queries for the live index's layout, read under the same lock.
func (x *Index) withQuery(fn func(b bleve.Index, a analyzers) error) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.b == nil {
		return errors.New("search: index is closed")
	}
	a := analyzers{words: x.analyzer, pairs: pairs}
	if x.legacy {
		a.pairs = nil
	}
	return fn(x.b, a)
}

// SwapIfChanged opens the index CURRENT names if it is not the live one,
// swaps it in and removes the old one. It reports whether it swapped.
func (x *Index) SwapIfChanged() (bool, error) {
	name, err := readCurrent(x.dir)
	if err != nil || name == "" || name == x.Name() {
		return false, err
	}
	b, err := openIndex(filepath.Join(x.dir, name))
	if err != nil {
		return false, fmt.Errorf("search: open rebuilt index %s: %w", name, err)
	}
	legacy := isLegacy(b)
	x.mu.Lock()
	old, oldName := x.b, x.name
	x.b, x.name, x.legacy = b, name, legacy
	x.mu.Unlock()
	x.removals.Add(1)
	if old != nil {
		old.Close()
	}
	os.RemoveAll(filepath.Join(x.dir, oldName))
	return true, nil
}

// removeStale deletes complete index directories older than the live one
// (left behind by a swap while the server was down). Names sort by creation
// time, so an index a concurrent rebuild has just renamed into place but not
// yet named in CURRENT is newer and survives; building-* directories may
// belong to a running rebuild and are left alone too.
func (x *Index) removeStale() {
	entries, _ := os.ReadDir(x.dir)
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), livePrefix) && e.Name() < x.name {
			os.RemoveAll(filepath.Join(x.dir, e.Name()))
		}
	}
}

func readCurrent(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, currentFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("search: %w", err)
	}
	name := strings.TrimSpace(string(b))
	if name != "" && (!strings.HasPrefix(name, livePrefix) || strings.ContainsAny(name, `/\`)) {
		return "", fmt.Errorf("search: %s names %q, which is not an index directory", filepath.Join(dir, currentFile), name)
	}
	return name, nil
}

// writeCurrent replaces CURRENT atomically: readers see the old or the new
// name, never a partial one.
func writeCurrent(dir, name string) error {
	tmp, err := os.CreateTemp(dir, ".current-*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(name + "\n"); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	tmp.Close()
	if err := os.Rename(tmp.Name(), filepath.Join(dir, currentFile)); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// loadInto reads the current document of kind/id into batch: indexed when
// visible, deleted (and reported) otherwise.
func loadInto(ctx context.Context, src Source, batch *bleve.Batch, kind, id string) (deleted bool, err error) {
	d, err := src.SearchDocument(ctx, kind, id)
	if err != nil {
		return false, fmt.Errorf("search: load %s %s: %w", kind, id, err)
	}
	if d == nil || !d.Visible {
		batch.Delete(docID(kind, id))
		return true, nil
	}
	return false, batch.Index(docID(kind, id), toDocument(d))
}
