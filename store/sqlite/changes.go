package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/townhall/townhall"
)

// recordChange appends to the change feed inside the caller's transaction,
// so a write and its feed entry commit or roll back together. Call it
// whenever the searchable text or visibility of kind/id changes.
func (db *DB) recordChange(ctx context.Context, tx *sql.Tx, kind, id string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO changes(kind, entity_id, at) VALUES(?, ?, ?)`, kind, id, ms(db.now()))
	return err
}

// Changes returns up to limit feed entries with a sequence above after, oldest first.
func (db *DB) Changes(ctx context.Context, after int64, limit int) ([]townhall.Change, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT seq, kind, entity_id, at FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []townhall.Change
	for rows.Next() {
		var c townhall.Change
		var at int64
		if err := rows.Scan(&c.Seq, &c.Kind, &c.ID, &at); err != nil {
			return nil, err
		}
		c.At = fromMS(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// LastChange is the newest feed sequence (0 for an empty feed); a reindex
// records it before reading so nothing written during the rebuild is missed.
func (db *DB) LastChange(ctx context.Context) (int64, error) {
	var seq sql.NullInt64
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT MAX(seq) FROM changes`).Scan(&seq)
	return seq.Int64, err
}

// A docSource loads search documents of one kind. Each domain file registers
// one per searchable kind it owns.
type docSource struct {
	// load returns the document for id; a missing entity is a document with
	// Visible false, so the indexer deletes it.
	load func(ctx context.Context, q querier, id string) (*townhall.SearchDoc, error)
	// list returns up to limit ids above after, in id order, for reindexing.
	list func(ctx context.Context, q querier, after string, limit int) ([]string, error)
}

var docSources = map[string]docSource{}

// listIDs is the list function of a docSource whose ids are table's id column.
func listIDs(table string) func(ctx context.Context, q querier, after string, limit int) ([]string, error) {
	return func(ctx context.Context, q querier, after string, limit int) ([]string, error) {
		return queryAll(ctx, q, scanString, `SELECT id FROM `+table+` WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	}
}

func registerDocSource(kind string, s docSource) { docSources[kind] = s }

// SearchDocument returns the current search document of kind/id.
func (db *DB) SearchDocument(ctx context.Context, kind, id string) (*townhall.SearchDoc, error) {
	s, ok := docSources[kind]
	if !ok {
		return nil, fmt.Errorf("no search source for kind %q", kind)
	}
	return s.load(ctx, db.reader(ctx), id)
}

// SearchKinds lists the kinds this store can produce documents for.
func (db *DB) SearchKinds() []string {
	kinds := make([]string, 0, len(docSources))
	for k := range docSources {
		kinds = append(kinds, k)
	}
	return kinds
}

// SearchIDs lists up to limit ids of kind above after, for a full reindex.
func (db *DB) SearchIDs(ctx context.Context, kind, after string, limit int) ([]string, error) {
	s, ok := docSources[kind]
	if !ok {
		return nil, fmt.Errorf("no search source for kind %q", kind)
	}
	return s.list(ctx, db.reader(ctx), after, limit)
}

// Setting reads a value from the settings table ("" when unset).
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return v, err
}

// SetSetting writes a value to the settings table.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES(?, ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
}
