package mongo

import (
	"context"
	"slices"
)

// StoredSchemaVersion reads the schema version recorded in the database.
func (db *DB) StoredSchemaVersion(ctx context.Context) (int, error) { return db.schemaVersion(ctx) }

// MigrateWithNextStep migrates as a Townhall one schema version newer would:
// this one's steps, then one more that calls next.
func (db *DB) MigrateWithNextStep(ctx context.Context, next func() error) error {
	steps := append(slices.Clip(schemaSteps), schemaStep{
		what:  "the next Townhall's step",
		apply: func(context.Context, *DB) error { return next() },
	})
	return db.migrate(ctx, steps)
}
