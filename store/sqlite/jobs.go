package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/townhall/townhall/jobs"
)

func init() {
	// due_at is when a job next needs a worker: RunAt while pending, the
	// end of the lease while running, NULL once finished. One index on
	// (queue, due_at) then serves the claim, whichever of the two it is.
	registerMigrations("jobs", 90, `
CREATE TABLE jobs (
	id          TEXT PRIMARY KEY,
	key         TEXT NOT NULL UNIQUE,
	queue       TEXT NOT NULL,
	ref         TEXT NOT NULL DEFAULT '',
	payload     BLOB NOT NULL,
	state       TEXT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	run_at      INTEGER NOT NULL,
	due_at      INTEGER,
	lease_owner TEXT NOT NULL DEFAULT '',
	lease_until INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	finished_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_due ON jobs(queue, due_at, id) WHERE due_at IS NOT NULL;
CREATE INDEX jobs_queue ON jobs(queue, id DESC);
CREATE INDEX jobs_state ON jobs(queue, state, id DESC);
CREATE INDEX jobs_ref ON jobs(queue, ref, id DESC) WHERE ref <> '';
CREATE INDEX jobs_finished ON jobs(state, finished_at) WHERE due_at IS NULL;`)
}

var _ jobs.Store = (*DB)(nil)

const jobColumns = `id, key, queue, ref, payload, state, attempts, run_at, lease_owner, lease_until, last_error, created_at, updated_at, finished_at`

func scanJob(row scanner) (*jobs.Job, error) {
	var j jobs.Job
	var runAt, leaseUntil, created, updated, finished int64
	if err := row.Scan(&j.ID, &j.Key, &j.Queue, &j.Ref, &j.Payload, &j.State, &j.Attempts, &runAt,
		&j.LeaseOwner, &leaseUntil, &j.LastError, &created, &updated, &finished); err != nil {
		return nil, err
	}
	j.RunAt, j.CreatedAt, j.UpdatedAt = fromMS(runAt), fromMS(created), fromMS(updated)
	if leaseUntil != 0 {
		j.LeaseUntil = fromMS(leaseUntil)
	}
	if finished != 0 {
		j.FinishedAt = fromMS(finished)
	}
	return &j, nil
}

// EnqueueJobs implements jobs.Store: one transaction for the whole batch,
// so a fan-out to thousands of people is one commit.
func (db *DB) EnqueueJobs(ctx context.Context, js []*jobs.Job) (int, error) {
	added := 0
	err := db.write(ctx, func(tx *sql.Tx) error {
		added = 0
		ins, err := tx.PrepareContext(ctx, `INSERT INTO jobs(id, key, queue, ref, payload, state, run_at, due_at, created_at, updated_at)
			VALUES(?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, j := range js {
			payload := j.Payload
			if payload == nil {
				payload = []byte{}
			}
			res, err := ins.ExecContext(ctx, j.ID, j.Key, j.Queue, j.Ref, payload, ms(j.RunAt), ms(j.RunAt), ms(j.CreatedAt), ms(j.UpdatedAt))
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		return nil
	})
	return added, err
}

// ClaimJob implements jobs.Store. The writer connection serializes claims,
// so the UPDATE … RETURNING hands each job to one caller.
func (db *DB) ClaimJob(ctx context.Context, queue, owner string, now, leaseUntil time.Time) (*jobs.Job, error) {
	var j *jobs.Job
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		j, err = scanJob(tx.QueryRowContext(ctx, `UPDATE jobs SET state = 'running', lease_owner = ?, lease_until = ?,
			due_at = ?, attempts = attempts + 1, updated_at = ?
			WHERE id = (SELECT id FROM jobs WHERE queue = ? AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id LIMIT 1)
			RETURNING `+jobColumns, owner, ms(leaseUntil), ms(leaseUntil), ms(now), queue, ms(now)))
		if errors.Is(err, sql.ErrNoRows) {
			j, err = nil, nil
		}
		return err
	})
	return j, err
}

// FinishJob implements jobs.Store.
func (db *DB) FinishJob(ctx context.Context, id, owner string, o jobs.Outcome) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var due sql.NullInt64
		runAt := sql.NullInt64{}
		finished := int64(0)
		if o.State == jobs.StatePending {
			due = sql.NullInt64{Int64: ms(o.RunAt), Valid: true}
			runAt = due
		} else {
			finished = ms(o.At)
		}
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET state = ?, due_at = ?, run_at = COALESCE(?, run_at),
			last_error = CASE WHEN ? = '' THEN last_error ELSE ? END, updated_at = ?, finished_at = ?, lease_owner = '', lease_until = 0
			WHERE id = ? AND state = 'running' AND lease_owner = ?`,
			o.State, due, runAt, o.Error, o.Error, ms(o.At), finished, id, owner)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		return jobMissing(ctx, tx, id, jobs.ErrLeaseLost)
	})
}

// jobMissing tells an unknown job (ErrNotFound) from one in the wrong
// state (ifExists) after an UPDATE matched nothing.
func jobMissing(ctx context.Context, q querier, id string, ifExists error) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM jobs WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return jobs.ErrNotFound
	} else if err != nil {
		return err
	}
	return ifExists
}

// Job implements jobs.Store.
func (db *DB) Job(ctx context.Context, id string) (*jobs.Job, error) {
	j, err := scanJob(db.reader(ctx).QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, jobs.ErrNotFound
	}
	return j, err
}

// JobByKey implements jobs.Store.
func (db *DB) JobByKey(ctx context.Context, key string) (*jobs.Job, error) {
	j, err := scanJob(db.reader(ctx).QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, jobs.ErrNotFound
	}
	return j, err
}

// Jobs implements jobs.Store.
func (db *DB) Jobs(ctx context.Context, q jobs.Query) ([]*jobs.Job, error) {
	var where []string
	var args []any
	for _, f := range []struct {
		col, val string
	}{{"queue", q.Queue}, {"ref", q.Ref}, {"state", string(q.State)}} {
		if f.val != "" {
			where = append(where, f.col+" = ?")
			args = append(args, f.val)
		}
	}
	if q.Before != "" {
		where = append(where, "id < ?")
		args = append(args, q.Before)
	}
	query := `SELECT ` + jobColumns + ` FROM jobs`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY id DESC LIMIT ?"
	args = append(args, q.Limit)
	return queryAll(ctx, db.reader(ctx), scanJob, query, args...)
}

// CountJobs implements jobs.Store.
func (db *DB) CountJobs(ctx context.Context, queue string) (map[jobs.State]int, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT state, COUNT(*) FROM jobs WHERE queue = ? GROUP BY state`, queue)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[jobs.State]int{}
	for rows.Next() {
		var s jobs.State
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// RequeueJob implements jobs.Store.
func (db *DB) RequeueJob(ctx context.Context, id string, at time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'pending', run_at = ?, due_at = ?, attempts = 0,
			updated_at = ?, finished_at = 0 WHERE id = ? AND state IN ('done', 'failed')`, ms(at), ms(at), ms(at), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		return jobMissing(ctx, tx, id, jobs.ErrNotFinished)
	})
}

// PruneJobs implements jobs.Store.
func (db *DB) PruneJobs(ctx context.Context, state jobs.State, before time.Time) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM jobs WHERE state = ? AND due_at IS NULL AND finished_at < ?`, state, ms(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
