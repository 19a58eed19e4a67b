package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/townhall/townhall"
)

func TestRebuildSwapsWhileServing(t *testing.T) {
	src := newMemSource()
	for i := range 2500 {
		src.put(townhall.SearchDoc{Kind: townhall.KindIdea, ID: fmt.Sprintf("i%04d", i), Title: "Idea about widgets"})
	}
	dir := t.TempDir()
	x := openTest(t, dir)
	catchUp(t, x, src)
	oldName := x.Name()
	ix := NewIndexer(x, src, nil)
	ix.SwapCheck = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ix.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	// Searches keep running through the rebuild and the swap.
	svc := NewService(x, src)
	var searches, failures atomic.Int64
	stop := make(chan struct{})
	searching := make(chan struct{})
	go func() {
		defer close(searching)
		for {
			select {
			case <-stop:
				return
			default:
			}
			res, err := svc.Search(context.Background(), Query{Text: "widgets"})
			searches.Add(1)
			if err != nil || res.Total < 2500 {
				failures.Add(1)
			}
		}
	}()

	var calls []int
	name, err := Rebuild(context.Background(), dir, src, func(done, total int) {
		calls = append(calls, done)
		if done == 1000 {
			// Written after the rebuild recorded the feed position: the
			// server's indexer must pick it up after the swap.
			src.put(townhall.SearchDoc{Kind: townhall.KindIdea, ID: "late", Title: "Late widgets gizmo"})
		}
		if total != 2500 {
			t.Errorf("progress total %d, want 2500", total)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(calls) != "[0 1000 2000 2500]" {
		t.Fatalf("progress calls %v", calls)
	}
	deadline := time.Now().Add(5 * time.Second)
	for x.Name() != name {
		if time.Now().After(deadline) {
			t.Fatalf("still serving %s, want the rebuilt %s", x.Name(), name)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		res, err := svc.Search(context.Background(), Query{Text: "gizmo"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a document written during the rebuild never became searchable")
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	<-searching
	if failures.Load() > 0 || searches.Load() == 0 {
		t.Fatalf("%d of %d searches failed or came up short during the swap", failures.Load(), searches.Load())
	}
	for { // deleted right after the swap, once no search uses it
		if _, err := os.Stat(filepath.Join(dir, oldName)); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("old index %s still on disk", oldName)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n, _ := x.DocCount(); n != 2501 {
		t.Fatalf("rebuilt index has %d docs, want 2501", n)
	}
}

func TestOpenRefusesBadCurrent(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, currentFile), []byte("../../etc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil {
		t.Fatal("Open accepted a CURRENT naming a path outside the search directory")
	}
}

func TestOutdatedMapping(t *testing.T) {
	dir := t.TempDir()
	x := openTest(t, dir)
	if x.Outdated() {
		t.Fatal("a fresh index reports an outdated mapping")
	}
	if err := x.b.SetInternal(keyMapping, []byte("0")); err != nil {
		t.Fatal(err)
	}
	if !x.Outdated() {
		t.Fatal("an index from an older mapping is not reported")
	}
}

func TestOpenRemovesOnlyOlderIndexes(t *testing.T) {
	dir := t.TempDir()
	src := newMemSource()
	src.put(townhall.SearchDoc{Kind: townhall.KindIdea, ID: "i1", Title: "Hello"})
	older, err := Rebuild(context.Background(), dir, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	live, err := Rebuild(context.Background(), dir, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A rebuild that has renamed its index into place but not yet
	// written CURRENT: newer than the live one, so it must survive.
	newer := livePrefix + townhall.NewID()
	if err := os.Mkdir(filepath.Join(dir, newer), 0o750); err != nil {
		t.Fatal(err)
	}
	x := openTest(t, dir)
	if x.Name() != live {
		t.Fatalf("serving %s, want %s", x.Name(), live)
	}
	if _, err := os.Stat(filepath.Join(dir, older)); !os.IsNotExist(err) {
		t.Fatalf("older index kept: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, newer)); err != nil {
		t.Fatalf("newer index removed: %v", err)
	}
	if n, _ := x.DocCount(); n != 1 {
		t.Fatalf("live index has %d docs, want 1", n)
	}
}

func TestSecondOpenFailsClearly(t *testing.T) {
	dir := t.TempDir()
	openTest(t, dir)
	start := time.Now()
	_, err := Open(dir)
	if err == nil || !strings.Contains(err.Error(), "in use by another Townhall process") {
		t.Fatalf("second open: %v, want a clear in-use error", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("the second open waited far too long")
	}
}

func TestRebuildMergesIntoOneSegment(t *testing.T) {
	src := newMemSource()
	for i := range 3500 { // four batches, so at least four segments before merging
		src.put(townhall.SearchDoc{Kind: townhall.KindIdea, ID: fmt.Sprintf("i%04d", i), Title: fmt.Sprintf("Idea %d about widgets", i)})
	}
	dir := t.TempDir()
	if _, err := Rebuild(context.Background(), dir, src, nil); err != nil {
		t.Fatal(err)
	}
	x := openTest(t, dir)
	var segments any
	x.with(func(b bleve.Index) error {
		adv, err := b.Advanced()
		if err != nil {
			return err
		}
		segments = adv.(*scorch.Scorch).StatsMap()["num_root_filesegments"]
		return nil
	})
	if segments != uint64(1) {
		t.Fatalf("rebuilt index has %v segments, want 1", segments)
	}
	if n, _ := x.DocCount(); n != 3500 {
		t.Fatalf("%d documents after merging, want 3500", n)
	}
}

func TestIndexerMergesAfterALargeBacklog(t *testing.T) {
	src := newMemSource()
	for i := range 2500 {
		src.put(townhall.SearchDoc{Kind: townhall.KindIdea, ID: fmt.Sprintf("i%04d", i), Title: fmt.Sprintf("Idea %d about widgets", i)})
	}
	x := openTest(t, t.TempDir())
	ix := NewIndexer(x, src, nil)
	ix.BatchSize, ix.MergeAfter = 500, 2000 // five batches: five segments
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ix.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	segments := func() uint64 {
		var n uint64
		x.with(func(b bleve.Index) error {
			adv, err := b.Advanced()
			if err == nil {
				n, _ = adv.(*scorch.Scorch).StatsMap()["num_root_filesegments"].(uint64)
			}
			return err
		})
		return n
	}
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if n, _ := x.DocCount(); n == 2500 && segments() == 1 && !ix.merging.Load() {
			break
		}
		if time.Since(start) > 20*time.Second {
			n, _ := x.DocCount()
			t.Fatalf("after 20 s: %d documents in %d segments, want 2500 in one", n, segments())
		}
	}
	// Writes go on being indexed after the merge.
	src.put(townhall.SearchDoc{Kind: townhall.KindIdea, ID: "late", Title: "Late gizmo"})
	ix.Wake()
	svc := NewService(x, src)
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		if res, err := svc.Search(context.Background(), Query{Text: "gizmo"}); err == nil && res.Total == 1 {
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatal("a write after the merge was not indexed")
		}
	}
}
