package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
)

// A migration set is one component's schema history. Components migrate in
// order (core first, so later ones may reference its tables) and each keeps
// its own version, so features can add migrations without renumbering others.
type migrationSet struct {
	component string
	order     int
	steps     []string
}

var migrationSets []migrationSet

// registerMigrations adds a component's ordered schema steps. Steps are
// append-only: never edit one that has shipped, add a new one.
func registerMigrations(component string, order int, steps ...string) {
	migrationSets = append(migrationSets, migrationSet{component, order, steps})
}

func init() {
	registerMigrations("core", 0, `
CREATE TABLE changes (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	kind      TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	at        INTEGER NOT NULL
);
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);`)
}

// ErrSchemaTooNew is returned by Open for a database migrated by a newer
// Townhall: running an older binary on it could corrupt data.
type ErrSchemaTooNew struct {
	Component    string
	Have, Binary int
}

func (e *ErrSchemaTooNew) Error() string {
	if e.Binary == 0 {
		return fmt.Sprintf("the database has schema component %q that this Townhall does not know; it was written by a newer version — upgrade Townhall", e.Component)
	}
	return fmt.Sprintf("the database schema for %q is at version %d but this Townhall knows only %d; it was written by a newer version — upgrade Townhall", e.Component, e.Have, e.Binary)
}

func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		component TEXT PRIMARY KEY, version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	have := map[string]int{}
	rows, err := db.w.QueryContext(ctx, `SELECT component, version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for rows.Next() {
		var c string
		var v int
		if err := rows.Scan(&c, &v); err != nil {
			rows.Close()
			return err
		}
		have[c] = v
	}
	rows.Close()
	sets := append([]migrationSet(nil), migrationSets...)
	sort.SliceStable(sets, func(i, j int) bool {
		if sets[i].order != sets[j].order {
			return sets[i].order < sets[j].order
		}
		return sets[i].component < sets[j].component
	})
	known := map[string]bool{}
	for _, s := range sets {
		known[s.component] = true
		if have[s.component] > len(s.steps) {
			return &ErrSchemaTooNew{s.component, have[s.component], len(s.steps)}
		}
	}
	for c, v := range have {
		if !known[c] {
			return &ErrSchemaTooNew{c, v, 0}
		}
	}
	for _, s := range sets {
		for v := have[s.component]; v < len(s.steps); v++ {
			err := db.write(ctx, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, s.steps[v]); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(component, version) VALUES(?, ?)
					ON CONFLICT(component) DO UPDATE SET version = excluded.version`, s.component, v+1)
				return err
			})
			if err != nil {
				return fmt.Errorf("migrate %s to version %d: %w", s.component, v+1, err)
			}
		}
	}
	return nil
}
