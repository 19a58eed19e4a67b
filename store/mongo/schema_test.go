package mongo_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/store/mongo"
	"github.com/townhall/townhall/store/storetest"
)

// testSchemaVersion follows a database through its schema's life: created
// at the current version, reopened without change, moved on by a newer
// Townhall's step exactly once (a failed step is not recorded), then
// refused by this one with one line saying why.
func testSchemaVersion(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	name := db.Database().Name()
	version := func(db *mongo.DB) int {
		t.Helper()
		v, err := db.StoredSchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	current := mongo.SchemaVersion()
	if v := version(db); current < 1 || v != current {
		t.Fatalf("a fresh database is at schema version %d; want the current one, %d (at least 1)", v, current)
	}
	user := storetest.MustSignIn(t, db, "ann", "")

	again, err := mongo.Open(ctx, apptest.MongoDBURI(), name)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if v := version(again); v != current {
		t.Fatalf("after a reopen the schema version is %d; want %d unchanged", v, current)
	}
	if u, err := again.User(ctx, user.ID); err != nil || u.Handle != user.Handle {
		t.Fatalf("after a reopen: user %+v, %v; want %s kept", u, err, user.Handle)
	}
	again.Close()

	failing := errors.New("disk on fire")
	if err := db.MigrateWithNextStep(ctx, func() error { return failing }); !errors.Is(err, failing) || !strings.Contains(err.Error(), fmt.Sprint(current+1)) {
		t.Fatalf("a failing step: %v; want its error, naming version %d", err, current+1)
	}
	if v := version(db); v != current {
		t.Fatalf("after a failed step the version is %d; want %d: a step is recorded only once it is done", v, current)
	}
	runs := 0
	for range 2 {
		if err := db.MigrateWithNextStep(ctx, func() error { runs++; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if v := version(db); runs != 1 || v != current+1 {
		t.Fatalf("the next version's step ran %d times and the version is %d; want once, and %d", runs, v, current+1)
	}

	_, err = mongo.Open(ctx, apptest.MongoDBURI(), name)
	var tooNew *mongo.ErrSchemaTooNew
	if !errors.As(err, &tooNew) || tooNew.Have != current+1 || tooNew.Binary != current {
		t.Fatalf("opening a newer database: %v; want ErrSchemaTooNew at %d, knowing %d", err, current+1, current)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, name) || !strings.Contains(msg, "upgrade Townhall") {
		t.Fatalf("refusal %q: want one line naming the database and saying to upgrade", msg)
	}
	if v := version(db); v != current+1 {
		t.Fatalf("the refusing open changed the version to %d", v)
	}
}

// testSchemaNewerRefusedUntouched shows that a database a newer Townhall
// wrote is refused before anything is written to it: no index, no
// collection appears.
func testSchemaNewerRefusedUntouched(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	fresh := db.Database().Client().Database(db.Database().Name() + "_newer")
	t.Cleanup(func() { fresh.Drop(context.Background()) })
	if _, err := fresh.Collection("meta").InsertOne(ctx, bson.D{{Key: "_id", Value: "schema"}, {Key: "version", Value: mongo.SchemaVersion() + 5}}); err != nil {
		t.Fatal(err)
	}
	_, err := mongo.Open(ctx, apptest.MongoDBURI(), fresh.Name())
	var tooNew *mongo.ErrSchemaTooNew
	if !errors.As(err, &tooNew) {
		t.Fatalf("open: %v; want ErrSchemaTooNew", err)
	}
	names, err := fresh.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"meta"}) {
		t.Fatalf("after the refusal the database has collections %v; want only meta, untouched", names)
	}
	ix, err := fresh.Collection("meta").Indexes().ListSpecifications(ctx)
	if err != nil || len(ix) != 1 {
		t.Fatalf("meta has indexes %v, %v; want only _id", ix, err)
	}
}

// testSchemaUnversioned opens a database written before schema versions
// were recorded (the current model, no schema document): its documents
// stay and it gets the current version.
func testSchemaUnversioned(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	user := storetest.MustSignIn(t, db, "ann", "")
	if _, err := db.Database().Collection("meta").DeleteOne(ctx, bson.D{{Key: "_id", Value: "schema"}}); err != nil {
		t.Fatal(err)
	}
	again, err := mongo.Open(ctx, apptest.MongoDBURI(), db.Database().Name())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if v, err := again.StoredSchemaVersion(ctx); err != nil || v != mongo.SchemaVersion() {
		t.Fatalf("an unversioned database got version %d, %v; want %d", v, err, mongo.SchemaVersion())
	}
	if u, err := again.User(ctx, user.ID); err != nil || u.Handle != user.Handle {
		t.Fatalf("user %+v, %v; want %s kept", u, err, user.Handle)
	}
}
