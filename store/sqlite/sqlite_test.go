package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/townhall/townhall/store/sqlite"
	"github.com/townhall/townhall/store/storetest"
)

func open(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Backend { return open(t) })
}

func TestRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, stmt := range []string{
		`UPDATE schema_migrations SET version = version + 1 WHERE component = 'core'`,
		`INSERT INTO schema_migrations VALUES('from-the-future', 1)`,
	} {
		raw, err := sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		_, err = sqlite.Open(context.Background(), dir)
		var tooNew *sqlite.ErrSchemaTooNew
		if !errors.As(err, &tooNew) {
			t.Fatalf("after %q: Open error = %v, want ErrSchemaTooNew", stmt, err)
		}
		raw, _ = sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
		raw.Exec(`UPDATE schema_migrations SET version = version - 1 WHERE component = 'core'`)
		raw.Exec(`DELETE FROM schema_migrations WHERE component = 'from-the-future'`)
		raw.Close()
	}
}

func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	u := storetest.MustSignIn(t, db, "keep", "")
	db.Close()
	db, err = sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if got, err := db.User(ctx, u.ID); err != nil || got.Name != "keep" {
		t.Fatalf("after reopen: %v %v", got, err)
	}
}
