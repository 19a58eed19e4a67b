package search

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/townhall/townhall"
)

// genSource is a deterministic feed of n changes: change i creates idea
// "d<i>", except every tenth, which edits the idea of change i-5 again. Two
// processes building it agree on every document without sharing a store.
type genSource struct {
	n     int
	delay time.Duration // per document load, to let a test kill mid-batch
}

func (g genSource) target(seq int) string {
	if seq%10 == 0 {
		seq -= 5
	}
	return fmt.Sprintf("d%05d", seq)
}

func (g genSource) Changes(ctx context.Context, after int64, limit int) ([]townhall.Change, error) {
	var out []townhall.Change
	for s := int(after) + 1; s <= g.n && len(out) < limit; s++ {
		out = append(out, townhall.Change{Seq: int64(s), Kind: townhall.KindIdea, ID: g.target(s)})
	}
	return out, nil
}

func (g genSource) LastChange(ctx context.Context) (int64, error) { return int64(g.n), nil }

func (g genSource) SearchDocument(ctx context.Context, kind, id string) (*townhall.SearchDoc, error) {
	time.Sleep(g.delay)
	return &townhall.SearchDoc{Kind: kind, ID: id, Title: "Generated idea " + id, Body: "unique" + id + " common words", Visible: true}, nil
}

func (g genSource) SearchKinds() []string { return []string{townhall.KindIdea} }

func (g genSource) SearchIDs(ctx context.Context, kind, after string, limit int) ([]string, error) {
	var ids []string
	for s := 1; s <= g.n && len(ids) < limit; s++ {
		if id := g.target(s); s%10 != 0 && id > after {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// wantIDs is the set of documents the feed up to seq creates.
func (g genSource) wantIDs(seq int64) []string {
	var ids []string
	for s := 1; s <= int(seq); s++ {
		if s%10 != 0 {
			ids = append(ids, g.target(s))
		}
	}
	return ids
}

// indexedIDs lists every document id in the live index, sorted.
func indexedIDs(t *testing.T, x *Index) []string {
	t.Helper()
	var out []string
	err := x.with(func(b bleve.Index) error {
		n, _ := b.DocCount()
		res, err := b.Search(bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), int(n)+10, 0, false))
		if err != nil {
			return err
		}
		for _, h := range res.Hits {
			_, id := splitDocID(h.ID)
			out = append(out, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// checkConsistent asserts the index holds exactly the documents of the feed
// up to its checkpoint: a batch is all in or all out, with its checkpoint.
func checkConsistent(t *testing.T, x *Index, g genSource) int64 {
	t.Helper()
	seq, err := x.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	got, want := indexedIDs(t, x), g.wantIDs(seq)
	if !slices.Equal(got, want) {
		t.Fatalf("checkpoint %d: index has %d docs, the feed up to it creates %d", seq, len(got), len(want))
	}
	return seq
}

// TestCrashResumeChild is the indexing process TestCrashResume kills; it
// does nothing unless started by that test.
func TestCrashResumeChild(t *testing.T) {
	dir := os.Getenv("TOWNHALL_SEARCH_CRASH_DIR")
	if dir == "" {
		return
	}
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndexer(x, genSource{n: 3000, delay: 300 * time.Microsecond}, nil)
	ix.BatchSize = 100
	for {
		n, err := ix.Step(context.Background())
		if err != nil || n == 0 {
			t.Fatal("the parent should have killed this process", err)
		}
		seq, _ := x.Checkpoint()
		fmt.Printf("checkpoint %d\n", seq)
	}
}

func TestCrashResume(t *testing.T) {
	dir := t.TempDir()
	g := genSource{n: 3000}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashResumeChild$")
	cmd.Env = append(os.Environ(), "TOWNHALL_SEARCH_CRASH_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	var printed int64
	for sc.Scan() {
		var seq int64
		if _, err := fmt.Sscanf(sc.Text(), "checkpoint %d", &seq); err == nil {
			printed = seq
		}
		if printed >= 1000 {
			break
		}
	}
	// SIGKILL in the middle of the next batch: no chance to close anything.
	cmd.Process.Kill()
	cmd.Wait()
	if printed < 1000 {
		t.Fatalf("child stopped early at checkpoint %d", printed)
	}
	x := openTest(t, dir)
	seq := checkConsistent(t, x, g)
	// Scorch's Batch returns only once the batch is on disk (the default,
	// not unsafe_batch), so every checkpoint the child reported survives.
	if seq < printed || seq%100 != 0 || seq >= int64(g.n) {
		t.Fatalf("recovered checkpoint %d: want a batch boundary from %d (last reported) to below %d", seq, printed, g.n)
	}
	t.Logf("killed after printing checkpoint %d; recovered at %s", printed, strconv.FormatInt(seq, 10))
	ix := NewIndexer(x, g, nil)
	if err := ix.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if seq := checkConsistent(t, x, g); seq != int64(g.n) {
		t.Fatalf("after resuming, checkpoint %d, want %d", seq, g.n)
	}
	// Every document is there exactly once and findable by its own word.
	svc := NewService(x, g)
	for _, id := range []string{"d00001", "d01005", "d02999"} {
		res, err := svc.Search(context.Background(), Query{Text: "unique" + id})
		if err != nil || res.Total != 1 || len(res.Items) != 1 || res.Items[0].ID != id {
			t.Fatalf("%s: %+v %v", id, res, err)
		}
	}
}

func TestFailedBatchIsNotApplied(t *testing.T) {
	src := newMemSource()
	for i := range 25 {
		src.put(townhall.SearchDoc{Kind: townhall.KindThread, ID: fmt.Sprintf("t%02d", i), Title: "Thread"})
	}
	x := openTest(t, t.TempDir())
	ix := NewIndexer(x, src, nil)
	ix.BatchSize = 10
	src.failAt = 15 // fifth document of the second batch
	if _, err := ix.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Step(context.Background()); err == nil {
		t.Fatal("the injected failure was not reported")
	}
	if seq, _ := x.Checkpoint(); seq != 10 {
		t.Fatalf("checkpoint %d after a failed batch, want 10", seq)
	}
	if n, _ := x.DocCount(); n != 10 {
		t.Fatalf("%d docs after a failed batch, want the first batch's 10", n)
	}
	if err := ix.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, _ := x.DocCount(); n != 25 {
		t.Fatalf("%d docs after resuming, want 25", n)
	}
	if seq, _ := x.Checkpoint(); seq != 25 {
		t.Fatalf("checkpoint %d after resuming, want 25", seq)
	}
}
