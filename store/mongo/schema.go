package mongo

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The schema version of a MongoDB database is the number of schema steps
// applied to it, kept in the meta collection ({_id: "schema", version: n}),
// like the embedded store's schema_migrations table. Indexes are not steps:
// every node creates the ones it needs on every start (see ensureIndexes).
// A step changes documents that exist: it backfills a field, reshapes an
// embedded value, removes what a newer model no longer reads.
//
// Open reads the version before it writes anything. A database at a
// version this Townhall does not know was written by a newer one, and
// running on it could corrupt it, so Open refuses it (ErrSchemaTooNew);
// otherwise it applies the missing steps in order, each recorded as soon
// as it is done. There are no transactions, and several nodes may start at
// once: a step must be safe to run twice and concurrently (filter on the
// old shape, $set the new one), and the version only ever moves up ($max).

// schemaStep is one step of the MongoDB schema's history.
type schemaStep struct {
	what  string
	apply func(ctx context.Context, db *DB) error // nil: nothing to change
}

// schemaSteps is the schema history; step i brings version i to i+1.
// Append only: never edit a step that has shipped, add a new one.
var schemaSteps = []schemaStep{
	{what: "the document model of the package doc, the first to be versioned; databases written before versions were recorded have it already"},
	{what: "users keep their email address lowercased in email_key, for finding customers by email", apply: backfillEmailKeys},
}

// SchemaVersion is the schema version this Townhall writes.
func SchemaVersion() int { return len(schemaSteps) }

// metaSchema is the meta document holding the schema version.
const metaSchema = "schema"

// ErrSchemaTooNew is returned by Open for a database whose schema a newer
// Townhall wrote.
type ErrSchemaTooNew struct {
	Database     string
	Have, Binary int
}

func (e *ErrSchemaTooNew) Error() string {
	return fmt.Sprintf("the MongoDB database %q is at schema version %d but this Townhall knows only %d; it was written by a newer version — upgrade Townhall", e.Database, e.Have, e.Binary)
}

// schemaVersion reads the stored version; 0 for a new database or one
// written before versions were recorded.
func (db *DB) schemaVersion(ctx context.Context) (int, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var doc struct {
		Version int `bson:"version"`
	}
	err := db.meta.FindOne(ctx, bson.D{{Key: "_id", Value: metaSchema}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	return doc.Version, err
}

// migrate refuses a database written by a newer Townhall, then applies
// the steps the database has not had yet, in order.
func (db *DB) migrate(ctx context.Context, steps []schemaStep) error {
	have, err := db.schemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("read the schema version: %w", err)
	}
	if have > len(steps) {
		return &ErrSchemaTooNew{Database: db.db.Name(), Have: have, Binary: len(steps)}
	}
	for v := have; v < len(steps); v++ {
		if f := steps[v].apply; f != nil {
			if err := f(ctx, db); err != nil {
				return fmt.Errorf("schema version %d (%s): %w", v+1, steps[v].what, err)
			}
		}
		if err := db.recordSchemaVersion(ctx, v+1); err != nil {
			return fmt.Errorf("record schema version %d: %w", v+1, err)
		}
	}
	return nil
}

// recordSchemaVersion raises the stored version to v (never lowers it: a
// node that finished fewer steps does not undo another's record).
func (db *DB) recordSchemaVersion(ctx context.Context, v int) error {
	ctx, cancel := op(ctx)
	defer cancel()
	var err error
	for range 2 { // two first upserts can race; the loser's retry finds the document
		_, err = db.meta.UpdateOne(ctx, bson.D{{Key: "_id", Value: metaSchema}},
			bson.D{{Key: "$max", Value: bson.D{{Key: "version", Value: v}}}}, options.UpdateOne().SetUpsert(true))
		if !mongo.IsDuplicateKeyError(err) {
			break
		}
	}
	return err
}
