package search

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
)

// memSource is an in-memory store with a change feed, for testing the Bleve
// layer before (and independently of) the real domain kinds.
type memSource struct {
	mu      sync.Mutex
	docs    map[string]*townhall.SearchDoc
	changes []townhall.Change
	loads   int
	failAt  int // SearchDocument fails on this call number (0: never)
}

func newMemSource() *memSource { return &memSource{docs: map[string]*townhall.SearchDoc{}} }

// put stores d (visible) and records a change, like a domain write would.
func (m *memSource) put(d townhall.SearchDoc) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d.Created.IsZero() {
		d.Created = time.Now()
	}
	if d.URL == "" {
		d.URL = "/" + d.Kind + "s/" + d.ID
	}
	d.Visible = true
	m.docs[docID(d.Kind, d.ID)] = &d
	m.changes = append(m.changes, townhall.Change{Seq: int64(len(m.changes) + 1), Kind: d.Kind, ID: d.ID, At: time.Now()})
}

// setVisible changes visibility; with record false it skips the feed, like
// a hide the indexer has not seen yet.
func (m *memSource) setVisible(kind, id string, v, record bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.docs[docID(kind, id)].Visible = v
	if record {
		m.changes = append(m.changes, townhall.Change{Seq: int64(len(m.changes) + 1), Kind: kind, ID: id})
	}
}

func (m *memSource) Changes(ctx context.Context, after int64, limit int) ([]townhall.Change, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []townhall.Change
	for _, c := range m.changes {
		if c.Seq > after && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

func (m *memSource) LastChange(ctx context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(len(m.changes)), nil
}

func (m *memSource) SearchDocument(ctx context.Context, kind, id string) (*townhall.SearchDoc, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loads++
	if m.failAt > 0 && m.loads == m.failAt {
		return nil, fmt.Errorf("injected failure at load %d", m.loads)
	}
	d, ok := m.docs[docID(kind, id)]
	if !ok {
		return &townhall.SearchDoc{Kind: kind, ID: id}, nil
	}
	c := *d
	return &c, nil
}

func (m *memSource) SearchKinds() []string { return slices.Clone(Kinds) }

func (m *memSource) SearchIDs(ctx context.Context, kind, after string, limit int) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []string
	for _, d := range m.docs {
		if d.Kind == kind && d.ID > after {
			ids = append(ids, d.ID)
		}
	}
	slices.Sort(ids)
	return ids[:min(limit, len(ids))], nil
}

// openTest opens an index in a temp dir and closes it when the test ends.
func openTest(t testing.TB, dir string) *Index {
	t.Helper()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func catchUp(t testing.TB, x *Index, src Source) {
	t.Helper()
	if err := NewIndexer(x, src, nil).CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
}
