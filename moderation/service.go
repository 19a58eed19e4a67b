package moderation

import (
	"context"
	"log/slog"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/audit"
	"github.com/townhall/townhall/settings"
)

// Service is trust and safety's rules in front of the Store.
type Service struct {
	store    Store
	content  Content
	users    Users
	settings *settings.Service
	notify   Notifier
	staffLog *audit.Log
	log      *slog.Logger
	now      func() time.Time
	loc      *time.Location
	// Events hears flag.created after each flag is stored (the webhooks
	// service); nil emits nothing.
	Events townhall.Emitter
}

// Deps are what a Service works with besides its Store. Notify and
// StaffLog may be nil (nothing is sent, nothing recorded).
type Deps struct {
	Content  Content
	Users    Users
	Settings *settings.Service
	Notify   Notifier
	StaffLog *audit.Log
	Logger   *slog.Logger
	// Location is the site's time zone, in which end dates are shown.
	Location *time.Location
}

// NewService returns a Service over store.
func NewService(store Store, d Deps) *Service {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	return &Service{store: store, content: d.Content, users: d.Users, settings: d.Settings, notify: d.Notify,
		staffLog: d.StaffLog, log: d.Logger, now: time.Now, loc: d.Location}
}

// SetClock replaces the clock; tests use it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// SetContent sets the content moderation acts on; the app calls it once
// the content services exist (they take this Service as their Gate).
func (s *Service) SetContent(c Content) { s.content = c }

// site returns the current settings; a store error falls back to the
// last known ones (or the defaults), which is good enough to moderate by.
func (s *Service) site(ctx context.Context) settings.Site {
	if s.settings == nil {
		return settings.Defaults()
	}
	site, err := s.settings.Get(ctx)
	if err != nil {
		s.log.Warn("reading site settings; using the last known ones", "err", err)
	}
	return site
}

func requireModerator(actor *townhall.User, what string) error {
	if err := townhall.SignedIn(actor, what); err != nil {
		return err
	}
	if !actor.Role.CanModerate() {
		return townhall.Errorf(townhall.EFORBIDDEN, "Only moderators and admins can %s.", what)
	}
	return nil
}

func requireAdmin(actor *townhall.User, what string) error {
	if err := townhall.SignedIn(actor, what); err != nil {
		return err
	}
	if actor.Role != townhall.RoleAdmin {
		return townhall.Errorf(townhall.EFORBIDDEN, "Only admins can %s.", what)
	}
	return nil
}

// record appends a staff-log entry; failing to is logged, never undone.
func (s *Service) record(ctx context.Context, actor *townhall.User, a audit.Action) {
	if err := s.staffLog.Record(ctx, actor, a); err != nil {
		s.log.Warn("staff log entry not recorded", "action", a.Action, "err", err)
	}
}

// tell sends a notification after a write; a lost one is a nuisance, so
// it is logged, not returned.
func (s *Service) tell(ctx context.Context, actorID string, to []string, kind, text, url string) {
	if s.notify == nil || len(to) == 0 {
		return
	}
	if err := s.notify.Notify(ctx, actorID, to, kind, text, url); err != nil {
		s.log.Warn("moderation notification not delivered", "kind", kind, "err", err)
	}
}

// cleanReason validates a moderator's reason (required) or a flag's text.
func cleanReason(field, s string, required bool) (string, error) {
	min := 0
	if required {
		min = 1
	}
	return townhall.CleanText(field, s, min, MaxReason)
}
