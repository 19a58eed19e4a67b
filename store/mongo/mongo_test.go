package mongo_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall/store/mongo"
	"github.com/townhall/townhall/store/storetest"
)

// uriEnv names the server the tests run against. No MongoDB server can be
// installed where Townhall is built, so without it these tests skip.
const uriEnv = "TOWNHALL_TEST_MONGODB_URI"

// open connects to a fresh database that is dropped when the test ends.
func open(t *testing.T) *mongo.DB {
	t.Helper()
	uri := os.Getenv(uriEnv)
	var b [6]byte
	rand.Read(b[:])
	name := "townhall_test_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	db, err := mongo.Open(ctx, uri, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Drop(context.Background()); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
		db.Close()
	})
	return db
}

// TestMongoDB runs everything that needs a server under one test, so a
// machine without one reports exactly one skip.
func TestMongoDB(t *testing.T) {
	if os.Getenv(uriEnv) == "" {
		t.Skipf("%s is not set: the MongoDB backend was not tested (point it at a MongoDB replica set, e.g. mongodb://127.0.0.1:27017/?replicaSet=rs0)", uriEnv)
	}
	t.Run("contract", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) storetest.Backend { return open(t) })
	})
	t.Run("rate limit across nodes", testRateLimitAcrossNodes)
	t.Run("settings", testSettings)
}

func testRateLimitAcrossNodes(t *testing.T) {
	a := open(t)
	ctx := context.Background()
	// A second client on the same database stands in for a second app node.
	b, err := mongo.Open(ctx, os.Getenv(uriEnv), a.Database().Name())
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
