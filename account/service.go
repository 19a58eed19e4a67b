package account

import (
	"context"
	"time"

	"github.com/townhall/townhall"
)

// Service is the rules of downloading and deleting accounts.
type Service struct {
	store Store
	staff townhall.StaffLog
	now   func() time.Time
	// Sections are the other features' data in an export, in order.
	Sections []Section
}

// NewService returns a Service over store.
func NewService(store Store) *Service { return &Service{store: store, now: time.Now} }

// SetStaffLog makes the service record what admins do to other people's
// accounts (downloading their data, deleting them) in l.
func (s *Service) SetStaffLog(l townhall.StaffLog) { s.staff = l }

// SetClock replaces the clock; tests use it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// subject is the person whose account actor acts on: themselves, or
// anyone for an admin.
func (s *Service) subject(ctx context.Context, actor *townhall.User, userID, what string) (*townhall.User, error) {
	if actor == nil {
		return nil, townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in to %s.", what)
	}
	if actor.ID != userID && actor.Role != townhall.RoleAdmin {
		return nil, townhall.Errorf(townhall.EFORBIDDEN, "Only admins can %s for someone else.", what)
	}
	if !townhall.ValidID(userID) {
		return nil, ErrUserNotFound
	}
	return s.store.User(ctx, userID)
}

// ExportWriter receives an export as it is read: the person first, then
// for each kind (in Kinds order) Kind once and Record for each of its
// records. An error from it stops the export.
type ExportWriter interface {
	Person(u *townhall.User) error
	Kind(kind string) error
	Record(r *Record) error
	// Section writes one Section's data under its name.
	Section(name string, data any) error
}

// A Section is what another feature keeps about a person and exports
// after the records, under its own name: loyalty's profile, badges and
// ledger, email settings, API tokens. Export asks for the subject's data
// only once the request is allowed; data must marshal to JSON.
type Section interface {
	ExportSection() string
	ExportData(ctx context.Context, u *townhall.User) (any, error)
}

// exportBatch is how many records one store call reads.
const exportBatch = 500

// Export writes all of userID's data to w: actor's own, or anyone's for an
// admin, which the staff log records. Nothing is written to w before the
// request is known to be allowed, so a refusal is a clean error.
func (s *Service) Export(ctx context.Context, actor *townhall.User, userID string, w ExportWriter) error {
	u, err := s.subject(ctx, actor, userID, "download account data")
	if err != nil {
		return err
	}
	if actor.ID != u.ID {
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: "user.export", TargetKind: "user",
			TargetID: u.ID, Target: "@" + u.Handle})
	}
	if err := w.Person(u); err != nil {
		return err
	}
	for _, kind := range Kinds {
		if err := w.Kind(kind); err != nil {
			return err
		}
		after := ""
		for {
			batch, err := s.store.AccountRecords(ctx, u.ID, kind, after, exportBatch)
			if err != nil {
				return err
			}
			for _, r := range batch {
				if err := w.Record(r); err != nil {
					return err
				}
			}
			if len(batch) < exportBatch {
				break
			}
			after = batch[len(batch)-1].ID
		}
	}
	for _, sec := range s.Sections {
		data, err := sec.ExportData(ctx, u)
		if err != nil {
			return err
		}
		if err := w.Section(sec.ExportSection(), data); err != nil {
			return err
		}
	}
	return nil
}

// Delete deletes userID's account (see Store.DeleteAccount): actor's own,
// or anyone's for an admin, which the staff log records. Deleting an
// account that is already deleted finishes whatever an interrupted
// deletion left and is otherwise harmless.
func (s *Service) Delete(ctx context.Context, actor *townhall.User, userID string) error {
	u, err := s.subject(ctx, actor, userID, "delete an account")
	if err != nil {
		return err
	}
	byStaff := actor.ID != u.ID
	first, err := s.store.DeleteAccount(ctx, Deletion{UserID: u.ID, Handle: DeletedHandle(u.ID), Name: DeletedName,
		At: s.now().UTC().Truncate(time.Millisecond), ByStaff: byStaff})
	if err != nil {
		return err
	}
	if first && byStaff {
		// The handle, as the log keeps every target's label: what an
		// admin deleted stays accountable after the name is gone.
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: "user.delete", TargetKind: "user", TargetID: u.ID,
			Target: "@" + u.Handle, Before: map[string]any{"role": u.Role}, After: map[string]any{"deleted": true}})
	}
	return nil
}
