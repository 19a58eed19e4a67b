package moderation

import (
	"context"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/audit"
	"github.com/townhall/townhall/settings"
)

// LevelNames are the trust levels as pages name them.
var LevelNames = []string{"New", "Basic", "Member", "Regular"}

// LevelName is how pages name trust level n.
func LevelName(n int) string {
	if n < 0 || n >= len(LevelNames) {
		return LevelNames[0]
	}
	return LevelNames[n]
}

// Meets reports whether stats satisfy every part of r.
func Meets(r settings.TrustRequirement, st Stats) bool {
	return st.DaysVisited >= r.DaysVisited && st.Posts >= r.Posts && st.AcceptedAnswers >= r.AcceptedAnswers &&
		st.Reputation >= r.Reputation
}

// Earned is the highest level stats reach under the site's requirements.
func Earned(levels settings.TrustLevels, st Stats) int {
	n := townhall.TrustNew
	for l := townhall.TrustBasic; l <= townhall.TrustRegular; l++ {
		if !Meets(levels.Level(l), st) {
			break
		}
		n = l
	}
	return n
}

// RefreshTrust recomputes userID's trust-level inputs from the facts,
// stores them with the level they earn, and returns the level. Levels are
// kept once earned (a stricter setting or a hidden post does not take one
// away); an admin's hand-set level stays until they unlock it.
func (s *Service) RefreshTrust(ctx context.Context, userID string) (int, error) {
	u, err := s.users.User(ctx, userID)
	if err != nil {
		return 0, err
	}
	st, err := s.store.CountStats(ctx, userID)
	if err != nil {
		return 0, err
	}
	st.DaysVisited = u.DaysVisited
	level := max(u.TrustLevel, Earned(s.site(ctx).TrustLevels, st))
	if u.TrustLocked {
		level = u.TrustLevel
	}
	// A new day visited that earns no level changes nothing stored.
	rec, err := s.store.UserRecord(ctx, userID)
	if err != nil {
		return 0, err
	}
	if level == u.TrustLevel && rec.Stats.Posts == st.Posts && rec.Stats.Topics == st.Topics && rec.Stats.AcceptedAnswers == st.AcceptedAnswers {
		return level, nil
	}
	if err := s.store.SaveTrust(ctx, userID, st, level); err != nil {
		return 0, err
	}
	return level, nil
}

// Requirement is one part of what the next level needs, as pages show it.
type Requirement struct {
	What string // "days visited"
	Have int
	Need int
}

// Met reports whether the part is done.
func (r Requirement) Met() bool { return r.Have >= r.Need }

// Progress is where a person stands: their level and what the next one
// needs (none at the top, for staff, or while an admin holds the level).
type Progress struct {
	Level    int
	Name     string
	Locked   bool
	Staff    bool
	Next     int // 0 when there is no next level
	NextName string
	Needs    []Requirement
	Stats    Stats
}

// Progress returns actor's trust level and what the next one needs, from
// the counters stored with the level (nothing is counted here).
func (s *Service) Progress(ctx context.Context, actor *townhall.User) (*Progress, error) {
	if err := townhall.SignedIn(actor, "see your trust level"); err != nil {
		return nil, err
	}
	rec, err := s.store.UserRecord(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	st := rec.Stats
	st.DaysVisited = actor.DaysVisited
	p := &Progress{Level: actor.Level(), Locked: actor.TrustLocked, Staff: actor.Role.IsStaff(), Stats: st}
	p.Name = LevelName(p.Level)
	if p.Level >= townhall.TrustRegular || p.Locked {
		return p, nil
	}
	p.Next = p.Level + 1
	p.NextName = LevelName(p.Next)
	r := s.site(ctx).TrustLevels.Level(p.Next)
	for _, q := range []Requirement{
		{"days visited", st.DaysVisited, r.DaysVisited},
		{"posts (threads, replies, ideas, comments and reviews)", st.Posts, r.Posts},
		{"accepted answers", st.AcceptedAnswers, r.AcceptedAnswers},
		{"reputation", st.Reputation, r.Reputation},
	} {
		if q.Need > 0 {
			p.Needs = append(p.Needs, q)
		}
	}
	return p, nil
}

// SetTrustLevel sets a person's level by hand (level 0 to 3), which then
// stays until unlocked; a nil level unlocks it and recomputes it from
// their activity. Admins only; staff are always at the top whatever is
// stored.
func (s *Service) SetTrustLevel(ctx context.Context, actor *townhall.User, userID string, level *int) (*townhall.User, error) {
	if err := requireAdmin(actor, "set trust levels"); err != nil {
		return nil, err
	}
	if level != nil && (*level < townhall.TrustNew || *level > townhall.TrustRegular) {
		return nil, townhall.Errorf(townhall.EINVALID, "level must be 0 (new), 1 (basic), 2 (member) or 3 (regular).")
	}
	u, err := s.user(ctx, userID)
	if err != nil {
		return nil, err
	}
	before := trustState{u.TrustLevel, u.TrustLocked}
	if level == nil {
		if err := s.store.SetTrustLevel(ctx, u.ID, townhall.TrustNew, false); err != nil {
			return nil, err
		}
		if _, err := s.RefreshTrust(ctx, u.ID); err != nil {
			return nil, err
		}
	} else if err := s.store.SetTrustLevel(ctx, u.ID, *level, true); err != nil {
		return nil, err
	}
	after, err := s.users.User(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	s.record(ctx, actor, audit.Action{Action: "user.trust_level", TargetKind: "user", TargetID: u.ID, Target: "@" + u.Handle,
		Before: before, After: trustState{after.TrustLevel, after.TrustLocked}})
	return after, nil
}

type trustState struct {
	Level  int  `json:"level"`
	Locked bool `json:"locked"`
}

func (s *Service) user(ctx context.Context, id string) (*townhall.User, error) {
	if !townhall.ValidID(id) {
		return nil, ErrUserNotFound
	}
	u, err := s.users.User(ctx, id)
	if townhall.ErrorCode(err) == townhall.ENOTFOUND {
		return nil, ErrUserNotFound
	}
	return u, err
}
