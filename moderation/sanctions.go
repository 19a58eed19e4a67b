package moderation

import (
	"context"
	"fmt"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/audit"
)

// Sanction is what moderators can do to a person: silence them (they read
// but do not post) or suspend them (they cannot sign in).
type Sanction string

// The sanctions.
const (
	Silence Sanction = "silence"
	Suspend Sanction = "suspend"
)

// SanctionInput is how long (in days, 1 to MaxDays) and why; the reason is
// shown to the person.
type SanctionInput struct {
	Days   int
	Reason string
}

// Impose silences or suspends a person for in.Days days, with a reason
// they are shown. A suspension ends their sessions at once. Moderators and
// admins may; staff and oneself cannot be sanctioned. Imposing again
// replaces the end date and reason.
func (s *Service) Impose(ctx context.Context, actor *townhall.User, userID string, what Sanction, in SanctionInput) (*townhall.User, error) {
	if err := requireModerator(actor, "silence or suspend people"); err != nil {
		return nil, err
	}
	if in.Days < 1 || in.Days > MaxDays {
		return nil, townhall.Errorf(townhall.EINVALID, "days must be a whole number from 1 to %d.", MaxDays)
	}
	reason, err := cleanReason("reason", in.Reason, true)
	if err != nil {
		return nil, err
	}
	u, err := s.sanctionable(ctx, actor, userID)
	if err != nil {
		return nil, err
	}
	until := s.now().UTC().Truncate(time.Millisecond).Add(time.Duration(in.Days) * 24 * time.Hour)
	return s.setSanction(ctx, actor, u, what, until, reason, in.Days)
}

// Lift ends a silence or suspension early.
func (s *Service) Lift(ctx context.Context, actor *townhall.User, userID string, what Sanction) (*townhall.User, error) {
	if err := requireModerator(actor, "lift a silence or suspension"); err != nil {
		return nil, err
	}
	u, err := s.sanctionable(ctx, actor, userID)
	if err != nil {
		return nil, err
	}
	return s.setSanction(ctx, actor, u, what, time.Time{}, "", 0)
}

func (s *Service) sanctionable(ctx context.Context, actor *townhall.User, userID string) (*townhall.User, error) {
	u, err := s.user(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u.ID == actor.ID {
		return nil, ErrSelfSanction
	}
	if u.Role.IsStaff() {
		return nil, ErrStaffSanction
	}
	return u, nil
}

type sanctionState struct {
	Until  *time.Time `json:"until"`
	Reason string     `json:"reason,omitempty"`
}

func stateOf(until time.Time, reason string, now time.Time) sanctionState {
	if !now.Before(until) {
		return sanctionState{}
	}
	return sanctionState{Until: &until, Reason: reason}
}

func (s *Service) setSanction(ctx context.Context, actor, u *townhall.User, what Sanction, until time.Time, reason string, days int) (*townhall.User, error) {
	now := s.now()
	var before sanctionState
	var err error
	switch what {
	case Silence:
		before = stateOf(u.SilencedUntil, u.SilenceReason, now)
		err = s.store.SetSilenced(ctx, u.ID, until, reason)
	case Suspend:
		before = stateOf(u.SuspendedUntil, u.SuspendReason, now)
		err = s.store.SetSuspended(ctx, u.ID, until, reason)
	default:
		return nil, townhall.Errorf(townhall.EINVALID, "Unknown sanction %q.", what)
	}
	if err != nil {
		return nil, err
	}
	action := "user." + string(what)
	if until.IsZero() {
		action = "user.un" + string(what)
	}
	after := stateOf(until, reason, now)
	s.record(ctx, actor, audit.Action{Action: action, TargetKind: "user", TargetID: u.ID, Target: "@" + u.Handle,
		Before: before, After: after, Reason: reason})
	if days > 0 {
		s.log.Info("sanction imposed", "sanction", what, "user", u.ID, "days", days, "by", actor.ID)
	}
	return s.users.User(ctx, u.ID)
}

// writable refuses writes by a silenced or suspended person, saying why
// and until when.
func (s *Service) writable(u *townhall.User) error {
	now := s.now()
	switch {
	case u.Suspended(now):
		return townhall.Errorf(townhall.EUNAUTHORIZED, "%s", SuspendedMessage(u, s.loc))
	case u.Silenced(now):
		return townhall.Errorf(townhall.EFORBIDDEN, "%s", SilencedMessage(u, s.loc))
	}
	return nil
}

// Writable is the same check for writes that do not pass through a
// content service (votes, follows, settings): nil, or the 401/403 with the
// reason.
func (s *Service) Writable(u *townhall.User) error {
	if u == nil {
		return nil
	}
	return s.writable(u)
}

// SilencedMessage tells a silenced person why and until when.
func SilencedMessage(u *townhall.User, loc *time.Location) string {
	return fmt.Sprintf("A moderator has silenced your account until %s: %s You can still read, but not post, vote or flag until then.",
		When(u.SilencedUntil, loc), sentence(u.SilenceReason))
}

// SuspendedMessage tells a suspended person why and until when.
func SuspendedMessage(u *townhall.User, loc *time.Location) string {
	return fmt.Sprintf("Your account is suspended until %s: %s", When(u.SuspendedUntil, loc), sentence(u.SuspendReason))
}

// When formats an end date for people, in the site's time zone.
func When(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2 January 2006, 15:04 MST")
}

func sentence(s string) string {
	if s == "" {
		return "no reason was given."
	}
	switch s[len(s)-1] {
	case '.', '!', '?':
		return s
	}
	return s + "."
}
