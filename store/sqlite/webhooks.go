package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/townhall/townhall/webhooks"
)

func init() {
	registerMigrations("webhooks", 111, `
CREATE TABLE webhook_endpoints (
	id                TEXT PRIMARY KEY,
	url               TEXT NOT NULL,
	events            TEXT NOT NULL, -- comma-separated
	secret            TEXT NOT NULL,
	format            TEXT NOT NULL,
	description       TEXT NOT NULL DEFAULT '',
	created_by        TEXT NOT NULL,
	created_at        INTEGER NOT NULL,
	updated_at        INTEGER NOT NULL,
	failures          INTEGER NOT NULL DEFAULT 0,
	failed_deliveries INTEGER NOT NULL DEFAULT 0,
	failing_since     INTEGER,
	last_attempt_at   INTEGER,
	last_success_at   INTEGER,
	last_status       INTEGER NOT NULL DEFAULT 0,
	last_error        TEXT NOT NULL DEFAULT '',
	disabled_at       INTEGER,
	disabled_reason   TEXT NOT NULL DEFAULT ''
);
CREATE TABLE webhook_attempts (
	id          TEXT PRIMARY KEY,
	endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
	job_id      TEXT NOT NULL,
	event_id    TEXT NOT NULL,
	event       TEXT NOT NULL,
	attempt     INTEGER NOT NULL,
	status_code INTEGER NOT NULL,
	error       TEXT NOT NULL,
	ok          INTEGER NOT NULL,
	final       INTEGER NOT NULL,
	duration_ms INTEGER NOT NULL,
	at          INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_job ON webhook_attempts(endpoint_id, job_id, id DESC);
CREATE INDEX webhook_attempts_at ON webhook_attempts(at);
-- The admins hear about disabled endpoints.
CREATE INDEX IF NOT EXISTS users_by_role ON users(role);`)
}

var _ webhooks.Store = (*DB)(nil)

const webhookCols = `id, url, events, secret, format, description, created_by, created_at, updated_at, failures, failed_deliveries,
	failing_since, last_attempt_at, last_success_at, last_status, last_error, disabled_at, disabled_reason`

func scanWebhook(row scanner) (*webhooks.Endpoint, error) {
	var e webhooks.Endpoint
	var events string
	var created, updated int64
	var failing, attempt, success, disabled sql.NullInt64
	if err := row.Scan(&e.ID, &e.URL, &events, &e.Secret, &e.Format, &e.Description, &e.CreatedBy, &created, &updated, &e.Failures,
		&e.FailedDeliveries, &failing, &attempt, &success, &e.LastStatus, &e.LastError, &disabled, &e.DisabledReason); err != nil {
		return nil, err
	}
	e.Events = strings.Split(events, ",")
	e.CreatedAt, e.UpdatedAt = fromMS(created), fromMS(updated)
	e.FailingSince, e.LastAttemptAt, e.LastSuccessAt, e.DisabledAt = nullMS(failing), nullMS(attempt), nullMS(success), nullMS(disabled)
	return &e, nil
}

func webhookTx(ctx context.Context, q querier, id string) (*webhooks.Endpoint, error) {
	e, err := scanWebhook(q.QueryRowContext(ctx, `SELECT `+webhookCols+` FROM webhook_endpoints WHERE id = ?`, id))
	return e, notFound(err, webhooks.ErrNotFound)
}

// CreateWebhook implements webhooks.Store.
func (db *DB) CreateWebhook(ctx context.Context, e *webhooks.Endpoint) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO webhook_endpoints(id, url, events, secret, format, description, created_by, created_at, updated_at)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.URL, strings.Join(e.Events, ","), e.Secret, e.Format, e.Description, e.CreatedBy,
			ms(e.CreatedAt), ms(e.UpdatedAt))
		return err
	})
}

// Webhook implements webhooks.Store.
func (db *DB) Webhook(ctx context.Context, id string) (*webhooks.Endpoint, error) {
	return webhookTx(ctx, db.reader(ctx), id)
}

// Webhooks implements webhooks.Store.
func (db *DB) Webhooks(ctx context.Context) ([]*webhooks.Endpoint, error) {
	return queryAll(ctx, db.reader(ctx), scanWebhook, `SELECT `+webhookCols+` FROM webhook_endpoints ORDER BY id`)
}

// UpdateWebhook implements webhooks.Store.
func (db *DB) UpdateWebhook(ctx context.Context, e *webhooks.Endpoint) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, webhooks.ErrNotFound, `UPDATE webhook_endpoints SET url = ?, events = ?, secret = ?, format = ?, description = ?,
			updated_at = ? WHERE id = ?`, e.URL, strings.Join(e.Events, ","), e.Secret, e.Format, e.Description, ms(e.UpdatedAt), e.ID)
	})
}

// DeleteWebhook implements webhooks.Store.
func (db *DB) DeleteWebhook(ctx context.Context, id string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_attempts WHERE endpoint_id = ?`, id); err != nil {
			return err
		}
		return execOne(ctx, tx, webhooks.ErrNotFound, `DELETE FROM webhook_endpoints WHERE id = ?`, id)
	})
}

// RecordWebhookAttempt implements webhooks.Store.
func (db *DB) RecordWebhookAttempt(ctx context.Context, a *webhooks.Attempt) (*webhooks.Endpoint, error) {
	var e *webhooks.Endpoint
	err := db.write(ctx, func(tx *sql.Tx) error {
		at := ms(a.At)
		var q string
		args := []any{at, a.StatusCode}
		if a.OK {
			q = `UPDATE webhook_endpoints SET last_attempt_at = ?, last_status = ?, last_success_at = ?, last_error = '',
				failures = 0, failed_deliveries = 0, failing_since = NULL WHERE id = ?`
			args = append(args, at, a.EndpointID)
		} else {
			q = `UPDATE webhook_endpoints SET last_attempt_at = ?, last_status = ?, last_error = ?, failures = failures + 1,
				failed_deliveries = failed_deliveries + ?, failing_since = MIN(COALESCE(failing_since, ?), ?) WHERE id = ?`
			args = append(args, a.Error, boolInt(a.Final), at, at, a.EndpointID)
		}
		if err := execOne(ctx, tx, webhooks.ErrNotFound, q, args...); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts(id, endpoint_id, job_id, event_id, event, attempt, status_code, error,
			ok, final, duration_ms, at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.EndpointID, a.JobID, a.EventID, a.Event, a.Attempt,
			a.StatusCode, a.Error, boolInt(a.OK), boolInt(a.Final), a.Duration.Milliseconds(), at); err != nil {
			return err
		}
		var err error
		e, err = webhookTx(ctx, tx, a.EndpointID)
		return err
	})
	return e, err
}

// DisableWebhook implements webhooks.Store.
func (db *DB) DisableWebhook(ctx context.Context, id, reason string, at time.Time) (bool, error) {
	var changed bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET disabled_at = ?, disabled_reason = ? WHERE id = ? AND disabled_at IS NULL`,
			ms(at), reason, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			changed = true
			return nil
		}
		_, err = webhookTx(ctx, tx, id)
		return err
	})
	return changed, err
}

// EnableWebhook implements webhooks.Store.
func (db *DB) EnableWebhook(ctx context.Context, id string, at time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, webhooks.ErrNotFound, `UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = '', failures = 0,
			failed_deliveries = 0, failing_since = NULL, updated_at = ? WHERE id = ?`, ms(at), id)
	})
}

func scanAttempt(row scanner) (*webhooks.Attempt, error) {
	var a webhooks.Attempt
	var dur, at int64
	if err := row.Scan(&a.ID, &a.EndpointID, &a.JobID, &a.EventID, &a.Event, &a.Attempt, &a.StatusCode, &a.Error, &a.OK, &a.Final,
		&dur, &at); err != nil {
		return nil, err
	}
	a.Duration, a.At = time.Duration(dur)*time.Millisecond, fromMS(at)
	return &a, nil
}

// WebhookAttempts implements webhooks.Store.
func (db *DB) WebhookAttempts(ctx context.Context, endpointID string, jobIDs []string) ([]*webhooks.Attempt, error) {
	if len(jobIDs) == 0 {
		return nil, nil
	}
	args := []any{endpointID}
	for _, id := range jobIDs {
		args = append(args, id)
	}
	return queryAll(ctx, db.reader(ctx), scanAttempt, `SELECT id, endpoint_id, job_id, event_id, event, attempt, status_code, error, ok, final,
		duration_ms, at FROM webhook_attempts WHERE endpoint_id = ? AND job_id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(jobIDs)), ", ")+`)
		ORDER BY id DESC`, args...)
}

// PruneWebhookAttempts implements webhooks.Store.
func (db *DB) PruneWebhookAttempts(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM webhook_attempts WHERE at < ?`, ms(before))
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return int(n), err
}

// AdminIDs implements webhooks.Store.
func (db *DB) AdminIDs(ctx context.Context) ([]string, error) {
	return queryAll(ctx, db.reader(ctx), scanString, `SELECT id FROM users WHERE role = 'admin' ORDER BY id`)
}
