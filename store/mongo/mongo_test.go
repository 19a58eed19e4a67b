package mongo_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/account"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/store/mongo"
	"github.com/townhall/townhall/store/storetest"
)

// open connects to a fresh database that is dropped when the test ends.
func open(t *testing.T) *mongo.DB {
	t.Helper()
	db, err := mongo.OpenURI(context.Background(), apptest.FreshMongoDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestMongoDB runs everything that needs a server under one test, so a
// machine without one reports exactly one skip.
func TestMongoDB(t *testing.T) {
	if apptest.MongoDBURI() == "" {
		t.Skipf("%s is not set: the MongoDB backend was not tested (point it at a MongoDB replica set, e.g. mongodb://127.0.0.1:27017/?replicaSet=rs0)", apptest.MongoDBURIEnv)
	}
	t.Run("contract", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) storetest.Backend { return open(t) })
	})
	t.Run("rate limit across nodes", testRateLimitAcrossNodes)
	t.Run("settings", testSettings)
	t.Run("every page query uses an index", testIndexedQueries)
	t.Run("change feed waits for gaps", testChangeFeedGaps)
	t.Run("an interrupted merge converges when re-run", testMergeConverges)
	t.Run("an interrupted account deletion converges when re-run", testDeleteAccountConverges)
	t.Run("two app nodes on one database", testTwoNodes)
	t.Run("counters repaired after interrupted writes", testRepairCounters)
	t.Run("reputation, likes and badges repaired after interrupted writes", testRepairLoyalty)
	t.Run("two app nodes share one write budget", testTwoNodesShareRateLimits)
	t.Run("schema version", testSchemaVersion)
	t.Run("a newer schema is refused untouched", testSchemaNewerRefusedUntouched)
	t.Run("an unversioned database gets the version", testSchemaUnversioned)
}

func testRateLimitAcrossNodes(t *testing.T) {
	a := open(t)
	ctx := context.Background()
	// A second client on the same database stands in for a second app node.
	b, err := mongo.Open(ctx, apptest.MongoDBURI(), a.Database().Name())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	now := time.Date(2026, 11, 1, 12, 0, 10, 0, time.UTC)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			node := a
			if i%2 == 1 {
				node = b
			}
			ok, _, err := node.Allow(ctx, "user:1", 6, now)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if allowed != 6 {
		t.Fatalf("%d of 10 writes allowed across two nodes, want 6", allowed)
	}
	ok, retry, err := a.Allow(ctx, "user:1", 6, now)
	if err != nil || ok || retry != 50*time.Second {
		t.Fatalf("over the limit: ok=%v retry=%v err=%v; want refused, retry in 50s", ok, retry, err)
	}
	if ok, _, err := a.Allow(ctx, "user:2", 6, now); err != nil || !ok {
		t.Fatalf("another key: ok=%v err=%v; want allowed", ok, err)
	}
	if ok, _, err := a.Allow(ctx, "user:1", 6, now.Add(time.Minute)); err != nil || !ok {
		t.Fatalf("next window: ok=%v err=%v; want allowed", ok, err)
	}
}

func testSettings(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	if v, err := db.Setting(ctx, "k"); err != nil || v != "" {
		t.Fatalf("unset setting = %q, %v", v, err)
	}
	for _, want := range []string{"1", "2"} {
		if err := db.SetSetting(ctx, "k", want); err != nil {
			t.Fatal(err)
		}
		if v, err := db.Setting(ctx, "k"); err != nil || v != want {
			t.Fatalf("setting = %q, %v; want %q", v, err, want)
		}
	}
}

// testChangeFeedGaps shows why Changes stops at a gap: a sequence number
// allocated by another node whose entry is not inserted yet must not be
// skipped, or the indexer would checkpoint past it and lose it; once the gap
// is older than the grace period it is taken as lost and read past.
func testChangeFeedGaps(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })
	seqs := func(after int64) []int64 {
		t.Helper()
		ch, err := db.Changes(ctx, after, 100)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, c := range ch {
			out = append(out, c.Seq)
		}
		return out
	}
	for _, id := range []string{"a", "b"} {
		if err := db.RecordChange(ctx, "idea", id); err != nil {
			t.Fatal(err)
		}
	}
	pending, err := db.AllocateChange(ctx)
	if err != nil || pending != 3 {
		t.Fatalf("allocated %d, %v; want 3", pending, err)
	}
	if err := db.RecordChange(ctx, "idea", "d"); err != nil {
		t.Fatal(err)
	}
	if got := seqs(0); !slices.Equal(got, []int64{1, 2}) {
		t.Fatalf("with a fresh gap at 3: %v, want [1 2]", got)
	}
	if last, err := db.LastChange(ctx); err != nil || last != 4 {
		t.Fatalf("LastChange = %d, %v; want 4", last, err)
	}
	now = now.Add(mongo.GapGrace + time.Second)
	if got := seqs(2); !slices.Equal(got, []int64{4}) {
		t.Fatalf("after the grace period: %v, want [4]", got)
	}
}

// testMergeConverges interrupts a merge after its first vote moved and shows
// that votes on the duplicate are refused meanwhile and that re-running the
// merge finishes it with every voter counted once.
func testMergeConverges(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	now := storetest.Now()
	ann := storetest.MustSignIn(t, db, "ann", "")
	bob := storetest.MustSignIn(t, db, "bob", "")
	cy := storetest.MustSignIn(t, db, "cy", "")
	mk := func(title string, author *townhall.User) *ideas.Idea {
		i := &ideas.Idea{ID: townhall.NewID(), Title: title, Tags: []string{"x"}, Status: ideas.StatusOpen, AuthorID: author.ID, CreatedAt: now, UpdatedAt: now}
		if err := db.CreateIdea(ctx, i, ideas.TitleWords(title)); err != nil {
			t.Fatal(err)
		}
		return i
	}
	into, dup := mk("Export to CSV", ann), mk("CSV export", bob)
	for _, u := range []*townhall.User{ann, cy} { // ann votes for both
		if _, err := db.Vote(ctx, dup.ID, u.ID, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.InterruptMerge(ctx, dup.ID, into.ID); err != nil {
		t.Fatal(err)
	}
	_, err := db.Vote(ctx, dup.ID, storetest.MustSignIn(t, db, "dee", "").ID, now)
	storetest.WantErr(t, err, ideas.ErrMerged)
	for run, want := range []bool{true, false} {
		merged, err := db.Merge(ctx, dup.ID, into.ID, now)
		if err != nil || merged != want {
			t.Fatalf("run %d: merged=%v err=%v; want %v", run, merged, err, want)
		}
	}
	got, err := db.Idea(ctx, into.ID, "")
	if err != nil || got.Votes != 3 {
		t.Fatalf("target = %+v, %v; want 3 votes (ann, bob, cy once each)", got, err)
	}
	d, _ := db.Idea(ctx, dup.ID, "")
	if d.MergedInto != into.ID || d.Votes != 0 {
		t.Fatalf("duplicate = %+v; want merged with no votes", d)
	}
	tags, _ := db.PopularTags(ctx, 10)
	if len(tags) != 1 || tags[0].Ideas != 1 {
		t.Fatalf("tags = %+v; want x on one listed idea", tags)
	}
}

// testDeleteAccountConverges interrupts a deletion after its first step
// (the sign-ins recorded as deleted): the account still works as before,
// with its sign-in, and re-running the deletion finishes it. A session
// left by a deletion interrupted later never signs anyone in, and the
// re-run removes it.
func testDeleteAccountConverges(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	storetest.MustSignIn(t, db, "ada", "")
	ann := storetest.MustSignIn(t, db, "ann", "")
	d := account.Deletion{UserID: ann.ID, Handle: account.DeletedHandle(ann.ID), Name: account.DeletedName, At: storetest.Now()}
	if err := db.InterruptDeleteAccount(ctx, d); err != nil {
		t.Fatal(err)
	}
	u, created, err := db.SignIn(ctx, auth.Identity{Provider: "dev", Subject: "ann", Name: "ann"}, storetest.Now())
	if err != nil || created || u.ID != ann.ID || !u.DeletedAt.IsZero() {
		t.Fatalf("sign-in during the interrupted deletion: %+v created=%v, %v", u, created, err)
	}
	first, err := db.DeleteAccount(ctx, d)
	if err != nil || !first {
		t.Fatalf("re-run: first=%v, %v", first, err)
	}
	_, _, err = db.SignIn(ctx, auth.Identity{Provider: "dev", Subject: "ann", Name: "ann"}, storetest.Now())
	storetest.WantErr(t, err, auth.ErrAccountDeleted)

	if err := db.LeftoverSession(ctx, ann.ID, "left-over", storetest.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, _, err = db.SessionUser(ctx, "left-over", storetest.Now())
	storetest.WantErr(t, err, auth.ErrSessionNotFound)
	if first, err := db.DeleteAccount(ctx, d); err != nil || first {
		t.Fatalf("second re-run: first=%v, %v", first, err)
	}
	if err := db.LeftoverSession(ctx, ann.ID, "left-over", storetest.Now().Add(time.Hour)); err != nil {
		t.Fatalf("the re-run did not remove the left-over session: %v", err)
	}
	u, err = db.User(ctx, ann.ID)
	if err != nil || u.Name != account.DeletedName || u.Handle != d.Handle {
		t.Fatalf("after the re-runs: %+v, %v", u, err)
	}
}

// TestOpOutlivesCancellation: a store operation keeps running when its
// caller's context is cancelled (a write of several steps must not stop
// between them), but keeps the caller's deadline and its own.
func TestOpOutlivesCancellation(t *testing.T) {
	cases := []struct {
		name    string
		parent  func() (context.Context, context.CancelFunc)
		longest time.Duration
	}{
		{"cancelled", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, mongo.OpTimeout},
		{"sooner deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), time.Second)
		}, time.Second},
		{"later deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), time.Hour)
		}, mongo.OpTimeout},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parent, cancelParent := c.parent()
			ctx, cancel := mongo.Op(parent)
			defer cancel()
			cancelParent()
			if err := ctx.Err(); err != nil {
				t.Fatalf("the operation stopped with its caller: %v", err)
			}
			dl, ok := ctx.Deadline()
			if !ok || time.Until(dl) > c.longest {
				t.Fatalf("deadline in %v (%v), want at most %v", time.Until(dl), ok, c.longest)
			}
		})
	}
}
