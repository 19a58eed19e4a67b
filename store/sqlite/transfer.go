package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"

	"github.com/townhall/townhall/store/transfer"
)

// The embedded store as a source and destination of `townhall
// migrate-store`. The transfer records mirror this store's tables column
// for column, so both directions are generic: the record's col tags name
// the columns, and the Type's key is the primary key.

var (
	_ transfer.Source      = (*DB)(nil)
	_ transfer.Destination = (*DB)(nil)
)

// field is one column of a record type.
type field struct {
	index []int
	col   string
	null  bool // the zero value is stored as NULL
	kind  reflect.Kind
}

func fieldsOf(rec transfer.Record) []field {
	t := reflect.TypeOf(rec).Elem()
	out := make([]field, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("col")
		if !ok {
			continue
		}
		name, opt, _ := strings.Cut(tag, ",")
		out = append(out, field{f.Index, name, opt == "null", f.Type.Kind()})
	}
	return out
}

func columns(fs []field) []string {
	cols := make([]string, len(fs))
	for i, f := range fs {
		cols[i] = f.col
	}
	return cols
}

// Export implements transfer.Source: every table in one read transaction,
// so the copy is one consistent snapshot even while the site keeps serving.
func (db *DB) Export(ctx context.Context, start func(total int), emit func(transfer.Batch) error) error {
	tx, err := db.r.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	total := 0
	for _, t := range transfer.Types {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.Name).Scan(&n); err != nil {
			return fmt.Errorf("count %s: %w", t.Name, err)
		}
		total += n
	}
	start(total)
	for _, t := range transfer.Types {
		if err := exportType(ctx, tx, t, emit); err != nil {
			return fmt.Errorf("export %s: %w", t.Name, err)
		}
	}
	return nil
}

// exportType pages through one table in key order (keyset pagination on
// the primary key, so each page is an index seek).
func exportType(ctx context.Context, tx *sql.Tx, t transfer.Type, emit func(transfer.Batch) error) error {
	fs := fieldsOf(t.New())
	cols := columns(fs)
	keyAt := make([]int, len(t.Key))
	for i, k := range t.Key {
		keyAt[i] = -1
		for j, c := range cols {
			if c == k {
				keyAt[i] = j
			}
		}
		if keyAt[i] < 0 {
			return fmt.Errorf("key %s is not a field", k)
		}
	}
	key := strings.Join(t.Key, ", ")
	base := `SELECT ` + strings.Join(cols, ", ") + ` FROM ` + t.Name
	var after []any
	for {
		q, args := base, []any{}
		if after != nil {
			q += ` WHERE (` + key + `) > (` + strings.TrimSuffix(strings.Repeat("?, ", len(after)), ", ") + `)`
			args = append(args, after...)
		}
		q += ` ORDER BY ` + key + ` LIMIT ?`
		args = append(args, transfer.BatchSize)
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		b := transfer.Batch{Type: t}
		raw := make([]any, len(fs))
		ptrs := make([]any, len(fs))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
			rec := t.New()
			if err := setFields(rec, fs, raw); err != nil {
				rows.Close()
				return err
			}
			b.Records = append(b.Records, rec)
			after = after[:0]
			for _, i := range keyAt {
				after = append(after, raw[i])
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(b.Records) == 0 {
			return nil
		}
		if t.Name == "users" {
			if err := exportIdentities(ctx, tx, b.Records); err != nil {
				return err
			}
		}
		if err := emit(b); err != nil {
			return err
		}
		if len(b.Records) < transfer.BatchSize {
			return nil
		}
	}
}

// setFields stores one row's values into rec; NULL becomes the zero value.
func setFields(rec transfer.Record, fs []field, raw []any) error {
	v := reflect.ValueOf(rec).Elem()
	for i, f := range fs {
		dst := v.FieldByIndex(f.index)
		switch x := raw[i].(type) {
		case nil:
		case int64:
			switch f.kind {
			case reflect.Bool:
				dst.SetBool(x != 0)
			case reflect.Float64:
				dst.SetFloat(float64(x))
			case reflect.Int, reflect.Int64:
				dst.SetInt(x)
			default:
				return fmt.Errorf("column %s: integer for a %s field", f.col, f.kind)
			}
		case float64:
			if f.kind != reflect.Float64 {
				return fmt.Errorf("column %s: real for a %s field", f.col, f.kind)
			}
			dst.SetFloat(x)
		case string:
			if f.kind == reflect.Slice {
				dst.SetBytes([]byte(x))
			} else {
				dst.SetString(x)
			}
		case []byte:
			if f.kind == reflect.Slice { // a BLOB column: copy, the driver reuses its buffer
				dst.SetBytes(append([]byte{}, x...))
			} else {
				dst.SetString(string(x))
			}
		default:
			return fmt.Errorf("column %s: unexpected %T", f.col, x)
		}
	}
	return nil
}

// values lists rec's fields as SQL arguments.
func values(rec transfer.Record, fs []field) []any {
	v := reflect.ValueOf(rec).Elem()
	out := make([]any, len(fs))
	for i, f := range fs {
		x := v.FieldByIndex(f.index)
		if f.null && x.IsZero() {
			continue // nil: NULL
		}
		if f.kind == reflect.Bool {
			out[i] = boolInt(x.Bool())
		} else {
			out[i] = x.Interface()
		}
	}
	return out
}

// Empty implements transfer.Destination.
func (db *DB) Empty(ctx context.Context) (bool, error) {
	var used bool
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM users) OR EXISTS(SELECT 1 FROM changes)`).Scan(&used)
	return !used, err
}

// BeginImport implements transfer.Destination: foreign keys are checked
// once, in FinishImport, because a record may arrive before what it refers
// to (an idea merged into a newer one, a batch committed before the next).
// The writer is one connection, so the pragma holds for every import.
func (db *DB) BeginImport(ctx context.Context) error {
	_, err := db.w.ExecContext(ctx, `PRAGMA foreign_keys = OFF`)
	return err
}

// FinishImport implements transfer.Destination: it turns foreign keys back
// on and fails if any copied record refers to one that is missing.
func (db *DB) FinishImport(ctx context.Context) error {
	if _, err := db.w.ExecContext(ctx, `PRAGMA foreign_keys = ON`); err != nil {
		return err
	}
	rows, err := db.w.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	n, first := 0, ""
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return err
		}
		if n == 0 {
			first = table + " → " + parent
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%d copied records refer to records that are missing (the first in %s)", n, first)
	}
	return nil
}

// Import implements transfer.Destination: one transaction per batch, each
// record inserted or, when its key exists, updated to the copied values.
func (db *DB) Import(ctx context.Context, b transfer.Batch) error {
	if len(b.Records) == 0 {
		return nil
	}
	fs := fieldsOf(b.Type.New())
	cols := columns(fs)
	isKey := map[string]bool{}
	for _, k := range b.Type.Key {
		isKey[k] = true
	}
	var set []string
	for _, c := range cols {
		if !isKey[c] {
			set = append(set, c+" = excluded."+c)
		}
	}
	conflict := `DO NOTHING`
	if len(set) > 0 {
		conflict = `DO UPDATE SET ` + strings.Join(set, ", ")
	}
	q := `INSERT INTO ` + b.Type.Name + `(` + strings.Join(cols, ", ") + `) VALUES(` +
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + `) ON CONFLICT(` + strings.Join(b.Type.Key, ", ") + `) ` + conflict
	return db.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, rec := range b.Records {
			if _, err := stmt.ExecContext(ctx, values(rec, fs)...); err != nil {
				return err
			}
		}
		if b.Type.Name == "users" {
			return importIdentities(ctx, tx, b.Records)
		}
		return nil
	})
}

// exportIdentities fills in the sign-ins of a batch of users.
func exportIdentities(ctx context.Context, tx *sql.Tx, users []transfer.Record) error {
	byID := make(map[string]*transfer.User, len(users))
	args := make([]any, len(users))
	for i, r := range users {
		u := r.(*transfer.User)
		byID[u.ID] = u
		args[i] = u.ID
	}
	rows, err := tx.QueryContext(ctx, `SELECT user_id, provider, subject FROM identities WHERE user_id IN (`+
		strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")+`) ORDER BY provider, subject`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var uid string
		var id transfer.Identity
		if err := rows.Scan(&uid, &id.Provider, &id.Subject); err != nil {
			return err
		}
		byID[uid].Identities = append(byID[uid].Identities, id)
	}
	return rows.Err()
}

// importIdentities upserts the sign-ins of a batch of users.
func importIdentities(ctx context.Context, tx *sql.Tx, users []transfer.Record) error {
	for _, r := range users {
		u := r.(*transfer.User)
		for _, id := range u.Identities {
			if _, err := tx.ExecContext(ctx, `INSERT INTO identities(provider, subject, user_id) VALUES(?, ?, ?)
				ON CONFLICT(provider, subject) DO UPDATE SET user_id = excluded.user_id`, id.Provider, id.Subject, u.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// Tables lists the store's tables and their columns (without the schema
// bookkeeping), so a test can check that migrate-store copies them all.
func Tables(ctx context.Context, db *DB) (map[string][]string, error) {
	names, err := queryAll(ctx, db.r, scanString, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT IN ('schema_migrations', 'sqlite_sequence') ORDER BY name`)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(names))
	for _, n := range names {
		cols, err := queryAll(ctx, db.r, scanString, `SELECT name FROM pragma_table_info(?)`, n)
		if err != nil {
			return nil, err
		}
		out[n] = cols
	}
	return out, nil
}
