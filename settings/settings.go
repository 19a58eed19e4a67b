// Package settings holds the site settings admins change while the site
// runs (flags are for what an operator sets at start): moderation
// thresholds, what profiles show, and so on. They are one JSON document in
// the store's settings table, so every app node reads the same values; a
// node caches them for a few seconds, so a change reaches every node within
// CacheFor.
//
// Features add their fields to Site with a default in Defaults and a rule
// in Site.Validate; a stored document written before a field existed reads
// as that field's default.
package settings

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/audit"
)

// Key is the settings-table key the site settings are stored under.
const Key = "site_settings"

// CacheFor is how long a node serves its copy before reading the store.
const CacheFor = 5 * time.Second

// Site is every run-time setting of the site.
type Site struct {
	// SegmentsPublic shows a member's customer segment on their public
	// profile; off by default, since a plan tier can be sensitive.
	SegmentsPublic bool `json:"segments_public"`

	// Trust and safety (package moderation reads them; see moderation.go).
	// FlagThreshold is how many flags from distinct members hide an item
	// at once, pending review.
	FlagThreshold int `json:"flag_threshold"`
	// NewMemberFlagsCount says whether flags from trust level 0 count
	// toward the threshold (they are queued either way).
	NewMemberFlagsCount bool `json:"new_member_flags_count"`
	// HoldNewMemberPosts holds a new member's (level 0) first N threads,
	// ideas and reviews for a moderator's approval; 0 holds nothing.
	HoldNewMemberPosts int `json:"hold_new_member_posts"`
	// TrustLevels are what levels 1 to 3 require.
	TrustLevels TrustLevels `json:"trust_levels"`
}

// Defaults are the settings of a site no admin has changed.
func Defaults() Site {
	return Site{
		FlagThreshold:       3,
		NewMemberFlagsCount: true,
		TrustLevels: TrustLevels{
			Basic:   TrustRequirement{DaysVisited: 2, Posts: 1},
			Member:  TrustRequirement{DaysVisited: 10, Posts: 10},
			Regular: TrustRequirement{DaysVisited: 30, Posts: 30, AcceptedAnswers: 2},
		},
	}
}

// Validate checks every field's range, naming the field at fault.
func (s *Site) Validate() error {
	return s.validateModeration()
}

// Store is what settings need from a backend: the key-value settings
// table both backends have.
type Store interface {
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// Service reads and changes the site settings.
type Service struct {
	store Store
	now   func() time.Time
	// StaffLog records each change ("settings.update", with the settings
	// before and after); nil records nothing.
	StaffLog *audit.Log
	// OnChange, when set, is told about each change after it is stored
	// (the app starts work a setting implies, like recomputing trust
	// levels under new requirements).
	OnChange func(ctx context.Context, before, after Site)

	mu     sync.Mutex
	cached Site
	until  time.Time
}

// NewService returns a Service over store.
func NewService(store Store) *Service { return &Service{store: store, now: time.Now} }

// SetClock replaces the clock; tests use it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Get returns the current settings (from this node's cache when fresh). A
// store error returns the last known settings, or the defaults, with the
// error: callers that enforce a setting decide whether that is good enough.
func (s *Service) Get(ctx context.Context) (Site, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.now().Before(s.until) {
		return s.cached, nil
	}
	site, err := s.load(ctx)
	if err != nil {
		if s.until.IsZero() {
			return Defaults(), err
		}
		return s.cached, err
	}
	s.cached, s.until = site, s.now().Add(CacheFor)
	return site, nil
}

func (s *Service) load(ctx context.Context) (Site, error) {
	site := Defaults()
	raw, err := s.store.Setting(ctx, Key)
	if err != nil || raw == "" {
		return site, err
	}
	// Unknown fields (a newer version's) are ignored; missing ones keep
	// their defaults.
	if err := json.Unmarshal([]byte(raw), &site); err != nil {
		return Defaults(), err
	}
	return site, nil
}

// ForAdmin returns the current settings for an admin's settings page;
// others get EUNAUTHORIZED or EFORBIDDEN.
func (s *Service) ForAdmin(ctx context.Context, actor *townhall.User) (Site, error) {
	if err := requireAdmin(actor); err != nil {
		return Site{}, err
	}
	return s.Get(ctx)
}

func requireAdmin(actor *townhall.User) error {
	if actor == nil {
		return townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in.")
	}
	if actor.Role != townhall.RoleAdmin {
		return townhall.Errorf(townhall.EFORBIDDEN, "Only admins can change the site settings.")
	}
	return nil
}

// Update changes the settings as change says, for admins only, and returns
// the settings before and after (the staff log records both). Nothing is
// stored when change fails or the result does not validate.
func (s *Service) Update(ctx context.Context, actor *townhall.User, change func(*Site) error) (before, after Site, err error) {
	if err := requireAdmin(actor); err != nil {
		return before, after, err
	}
	if before, after, err = s.update(ctx, change); err != nil {
		return before, after, err
	}
	if before != after {
		// The change is stored: a failure to log it is logged by the log.
		_ = s.StaffLog.Record(ctx, actor, audit.Action{Action: "settings.update", TargetKind: "settings", TargetID: Key,
			Target: "Site settings", Before: before, After: after})
		if s.OnChange != nil {
			s.OnChange(ctx, before, after)
		}
	}
	return before, after, nil
}

// update is Update's read, change and write, one at a time on this node.
func (s *Service) update(ctx context.Context, change func(*Site) error) (before, after Site, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	before, err = s.load(ctx)
	if err != nil {
		return before, after, err
	}
	after = before
	if err := change(&after); err != nil {
		return before, after, err
	}
	if err := after.Validate(); err != nil {
		return before, after, err
	}
	raw, err := json.Marshal(after)
	if err != nil {
		return before, after, err
	}
	if err := s.store.SetSetting(ctx, Key, string(raw)); err != nil {
		return before, after, err
	}
	s.cached, s.until = after, s.now().Add(CacheFor)
	return before, after, nil
}
