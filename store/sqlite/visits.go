package sqlite

import (
	"context"
	"database/sql"
	"time"
)

func init() {
	// One row per person per day visited (days in the site's time zone),
	// so insights can count daily, weekly and monthly actives by range
	// scans on the day, and the users' counters move in the same step.
	registerMigrations("visits", 11, `
ALTER TABLE users ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN days_visited INTEGER NOT NULL DEFAULT 0;
CREATE TABLE visits (
	day     TEXT NOT NULL,
	user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	at      INTEGER NOT NULL,
	PRIMARY KEY (day, user_id)
) WITHOUT ROWID;
CREATE INDEX visits_user ON visits(user_id, day);`)
}

// RecordVisit implements auth.Store.
func (db *DB) RecordVisit(ctx context.Context, userID, day string, at time.Time) (bool, error) {
	first := false
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO visits(day, user_id, at) VALUES(?, ?, ?) ON CONFLICT DO NOTHING`, day, userID, ms(at))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			first = false
			return nil
		}
		first = true
		_, err = tx.ExecContext(ctx, `UPDATE users SET days_visited = days_visited + 1, last_seen_at = MAX(last_seen_at, ?) WHERE id = ?`, ms(at), userID)
		return err
	})
	return first, err
}
