package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/store/mongo"
	"github.com/townhall/townhall/store/sqlite"
)

// TestNewerSchemaExitsTwoWithOneLine starts every command that opens the
// store on a database a newer Townhall wrote: each refuses it with exit
// code 2 and one line saying to upgrade, on both stores.
func TestNewerSchemaExitsTwoWithOneLine(t *testing.T) {
	ctx := context.Background()
	stores := map[string]func(t *testing.T) []string{
		"embedded": func(t *testing.T) []string {
			dir := t.TempDir()
			db, err := sqlite.Open(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			raw, err := sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			if _, err := raw.Exec(`UPDATE schema_migrations SET version = version + 1 WHERE component = 'core'`); err != nil {
				t.Fatal(err)
			}
			return []string{"--data", dir}
		},
		"MongoDB": func(t *testing.T) []string {
			if apptest.MongoDBURI() == "" {
				t.Skipf("%s is not set: a newer MongoDB schema was not tried", apptest.MongoDBURIEnv)
			}
			uri := apptest.FreshMongoDB(t)
			db, err := mongo.OpenURI(ctx, uri)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Database().Collection("meta").UpdateOne(ctx, bson.D{{Key: "_id", Value: "schema"}},
				bson.D{{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}}); err != nil {
				t.Fatal(err)
			}
			return []string{"--mongodb-uri", uri, "--data", t.TempDir()}
		},
	}
	for name, newer := range stores {
		t.Run(name, func(t *testing.T) {
			store := newer(t)
			for _, cmd := range []string{"serve", "check", "reindex"} {
				var out, errOut bytes.Buffer
				code := run(ctx, append([]string{cmd, "--addr", "127.0.0.1:0"}, store...), &out, &errOut)
				if msg := errOut.String(); code != 2 || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "upgrade Townhall") {
					t.Errorf("%s on a newer %s database: exit %d, stderr %q; want 2 and one line saying to upgrade", cmd, name, code, msg)
				}
			}
		})
	}
}
