// Package audit is the staff log: an append-only record of every action a
// moderator, admin or product-team member takes (hiding, deleting,
// locking, moving, merging, status changes, role and segment changes,
// silencing and suspending, review-queue decisions, settings), each with
// who, when, what, the target, and the values before and after.
//
// Services record an entry after the action they log succeeded. Entries
// keep the actor's name and the target's label as they were at the time,
// so the log still reads right after a rename or a deletion. Nothing edits
// or deletes an entry: the Store has no method that could.
package audit

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/townhall/townhall"
)

// Entry is one staff action.
type Entry struct {
	ID         string
	At         time.Time
	ActorID    string
	ActorName  string // as it was at the time
	ActorRole  townhall.Role
	Action     string // dotted, target kind first: "idea.status", "post.hide", "user.role"
	TargetKind string // "thread", "post", "idea", "comment", "review", "user", "settings", ...
	TargetID   string
	Target     string // a label of the target at the time: a title, a handle
	Before     string // JSON of the values the action changed, before it ("" when none)
	After      string // the same values after it
	Reason     string // what the actor gave as the reason, if anything
}

// Query selects a page of entries, newest first. Empty fields match all;
// From and To bound At (From inclusive, To exclusive).
type Query struct {
	ActorID    string
	Action     string
	TargetKind string
	TargetID   string
	From, To   time.Time
	Before     string // an entry ID: the page after the one ending there
	Limit      int
}

// Store is what the staff log needs from a backend: appending and reading.
type Store interface {
	// AppendAudit stores a new entry (its ID and At set).
	AppendAudit(ctx context.Context, e *Entry) error
	// AuditEntries returns a page of entries newest first.
	AuditEntries(ctx context.Context, q Query) ([]*Entry, error)
}

// Log records and lists staff actions.
type Log struct {
	store Store
	now   func() time.Time
	log   *slog.Logger
}

// NewLog returns a Log over store; failures to record are logged with lg.
func NewLog(store Store, lg *slog.Logger) *Log {
	if lg == nil {
		lg = slog.Default()
	}
	return &Log{store: store, now: time.Now, log: lg}
}

// SetClock replaces the clock; tests use it.
func (l *Log) SetClock(now func() time.Time) { l.now = now }

// Action describes one staff action for Record. It is the root package's
// townhall.StaffAction, so domain services can describe their actions
// without importing this package.
type Action = townhall.StaffAction

// Log is the townhall.StaffLog services record into.
var _ townhall.StaffLog = (*Log)(nil)

// Record appends an entry for an action actor has taken. The action
// already happened, so a failure to record it is returned for the caller
// to report (usually logged), never to undo the action. A nil Log records
// nothing, so services work without one.
func (l *Log) Record(ctx context.Context, actor *townhall.User, a Action) error {
	if l == nil {
		return nil
	}
	e := &Entry{ID: townhall.NewID(), At: l.now(), Action: a.Action, TargetKind: a.TargetKind, TargetID: a.TargetID,
		Target: a.Target, Reason: a.Reason}
	if actor != nil {
		e.ActorID, e.ActorName, e.ActorRole = actor.ID, actor.Name, actor.Role
	}
	var err error
	if e.Before, err = marshal(a.Before); err != nil {
		return err
	}
	if e.After, err = marshal(a.After); err != nil {
		return err
	}
	if err := l.store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		l.log.Error("staff log entry not recorded", "action", a.Action, "target", a.TargetKind+":"+a.TargetID, "actor", e.ActorID, "err", err)
		return err
	}
	return nil
}

func marshal(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	if s, ok := v.(string); ok {
		b, err := json.Marshal(s)
		return string(b), err
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// Entries returns a page of the log for staff. Anyone with a staff role
// may read it; members get EFORBIDDEN.
func (l *Log) Entries(ctx context.Context, actor *townhall.User, q Query) (townhall.Page[*Entry], error) {
	var page townhall.Page[*Entry]
	if actor == nil {
		return page, townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in.")
	}
	if !actor.Role.IsStaff() {
		return page, townhall.Errorf(townhall.EFORBIDDEN, "Only staff can read the staff log.")
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	return townhall.Paginate(q.Limit, func(n int) ([]*Entry, error) {
		q.Limit = n
		return l.store.AuditEntries(ctx, q)
	}, func(last *Entry) string { return last.ID })
}
