package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/townhall/townhall/audit"
)

func init() {
	registerMigrations("audit", 95, `
CREATE TABLE audit_log (
	id          TEXT PRIMARY KEY,
	at          INTEGER NOT NULL,
	actor_id    TEXT NOT NULL,
	actor_name  TEXT NOT NULL,
	actor_role  TEXT NOT NULL,
	action      TEXT NOT NULL,
	target_kind TEXT NOT NULL,
	target_id   TEXT NOT NULL,
	target      TEXT NOT NULL,
	before      TEXT NOT NULL,
	after       TEXT NOT NULL,
	reason      TEXT NOT NULL
);
CREATE INDEX audit_actor ON audit_log(actor_id, id DESC);
CREATE INDEX audit_action ON audit_log(action, id DESC);
CREATE INDEX audit_target ON audit_log(target_kind, target_id, id DESC);`)
}

var _ audit.Store = (*DB)(nil)

// AppendAudit implements audit.Store.
func (db *DB) AppendAudit(ctx context.Context, e *audit.Entry) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_log(id, at, actor_id, actor_name, actor_role, action, target_kind,
			target_id, target, before, after, reason) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, ms(e.At), e.ActorID, e.ActorName, e.ActorRole, e.Action, e.TargetKind, e.TargetID, e.Target, e.Before, e.After, e.Reason)
		return err
	})
}

func scanAudit(row scanner) (*audit.Entry, error) {
	var e audit.Entry
	var at int64
	if err := row.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.ActorRole, &e.Action, &e.TargetKind, &e.TargetID, &e.Target,
		&e.Before, &e.After, &e.Reason); err != nil {
		return nil, err
	}
	e.At = fromMS(at)
	return &e, nil
}

// AuditEntries implements audit.Store.
func (db *DB) AuditEntries(ctx context.Context, q audit.Query) ([]*audit.Entry, error) {
	var where []string
	var args []any
	for _, f := range []struct{ col, val string }{
		{"actor_id", q.ActorID}, {"action", q.Action}, {"target_kind", q.TargetKind}, {"target_id", q.TargetID},
	} {
		if f.val != "" {
			where = append(where, f.col+" = ?")
			args = append(args, f.val)
		}
	}
	if !q.From.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, ms(q.From))
	}
	if !q.To.IsZero() {
		where = append(where, "at < ?")
		args = append(args, ms(q.To))
	}
	if q.Before != "" {
		where = append(where, "id < ?")
		args = append(args, q.Before)
	}
	query := `SELECT id, at, actor_id, actor_name, actor_role, action, target_kind, target_id, target, before, after, reason FROM audit_log`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY id DESC LIMIT ?"
	args = append(args, q.Limit)
	return queryAll(ctx, db.reader(ctx), scanAudit, query, args...)
}
