package insights

import (
	"log/slog"
	"sync"
	"time"

	"github.com/townhall/townhall"
)

// Errors of the insights rules.
var (
	ErrSignIn    = townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in to see insights.")
	ErrForbidden = townhall.Errorf(townhall.EFORBIDDEN, "Insights are for the product team and admins.")
)

// Service computes the rollups in the background and answers reports.
type Service struct {
	store Store
	clock clock
	now   func() time.Time
	log   *slog.Logger

	// CacheFor is how long a report is reused for the same question
	// (default 60 s); a pass on this node clears the cache at once.
	CacheFor time.Duration
	// Budget bounds one Refresh call (default 45 s): a catch-up that needs
	// longer stops between days and reports more work, so a job never
	// outlives its lease.
	Budget time.Duration
	// SweepDays is how many older days each pass revisits (default 8:
	// the last two years in about 90 passes).
	SweepDays int

	mu    sync.Mutex
	cache map[Query]cached
}

type cached struct {
	r  *Report
	at time.Time
}

// NewService returns the insights over store, with days in loc.
func NewService(store Store, loc *time.Location, log *slog.Logger) *Service {
	if loc == nil {
		loc = time.UTC
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{store: store, clock: clock{loc}, now: time.Now, log: log,
		CacheFor: time.Minute, Budget: 45 * time.Second, SweepDays: sweepDays, cache: map[Query]cached{}}
}

// SetClock replaces the clock; tests use it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Location is the zone the days are counted in.
func (s *Service) Location() *time.Location { return s.clock.loc }

// authorize lets the product team and admins read insights.
func authorize(actor *townhall.User) error {
	if actor == nil {
		return ErrSignIn
	}
	if !actor.Role.CanManageProduct() {
		return ErrForbidden
	}
	return nil
}

// CanSee reports whether actor may read insights; pages use it for links.
func CanSee(actor *townhall.User) bool { return authorize(actor) == nil }

func (s *Service) forget() {
	s.mu.Lock()
	clear(s.cache)
	s.mu.Unlock()
}
