package apptest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// MongoDBURIEnv names the MongoDB server the tests run against. No MongoDB
// can be installed where Townhall is built, so without it the MongoDB
// tests skip and every app runs on the embedded store; CI points it at
// ../shared/mongo-engine.
const MongoDBURIEnv = "TOWNHALL_TEST_MONGODB_URI"

// MongoDBURI is the test server's URI, "" when MongoDB tests are off.
func MongoDBURI() string { return os.Getenv(MongoDBURIEnv) }

// FreshMongoDB returns the test server's URI naming a new database of its
// own (townhall_test_ and random hex), which is dropped when the test ends,
// after everything the test started on it has stopped.
func FreshMongoDB(t testing.TB) string {
	t.Helper()
	base := MongoDBURI()
	if base == "" {
		t.Fatalf("%s is not set", MongoDBURIEnv)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "townhall_test_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		client, err := mongo.Connect(options.Client().ApplyURI(base))
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer client.Disconnect(ctx)
		if err := client.Database(name).Drop(ctx); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	return withDatabase(base, name)
}

// withDatabase returns uri with its path naming database name, keeping the
// host list and the options after "?".
func withDatabase(uri, name string) string {
	query := ""
	if i := strings.Index(uri, "?"); i >= 0 {
		uri, query = uri[:i], uri[i:]
	}
	if i := strings.Index(uri, "://"); i >= 0 {
		if j := strings.Index(uri[i+3:], "/"); j >= 0 {
			uri = uri[:i+3+j]
		}
	}
	return uri + "/" + name + query
}
