// Package auth signs people in and keeps them signed in: identities from
// OAuth providers (through Goth) or the local dev sign-in become Townhall
// users, the app's own server-side sessions remember them, and admins manage
// roles and customer segments.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/slug"
)

// Identity is a person as an identity provider describes them.
type Identity struct {
	Provider  string // "github", "google", "gitlab", "oidc", "dev"
	Subject   string // the provider's stable user id
	Name      string
	Email     string
	AvatarURL string
	Role      townhall.Role // dev sign-in only: the role to give a new user
	// Fresh starts a new account for an identity whose earlier account its
	// owner deleted, which otherwise refuses with ErrAccountDeleted: the
	// person said so after being told (see SignIn).
	Fresh bool
}

// DeletedIdentityKey is how a store remembers a sign-in of a deleted
// account: a hash, so the provider's id for the person is not kept, only
// recognised when it comes back.
func DeletedIdentityKey(provider, subject string) string {
	sum := sha256.Sum256([]byte("townhall deleted identity\x00" + provider + "\x00" + subject))
	return hex.EncodeToString(sum[:])
}

// Session is a signed-in browser. Only the hash of its token is stored, so a
// leaked database cannot be replayed as cookies.
type Session struct {
	TokenHash string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Store is what auth needs from a storage backend. Each method is atomic.
type Store interface {
	// SignIn returns the user linked to the identity, creating one (with a
	// unique handle derived from the name) on first sign-in. The first user
	// ever created becomes admin; otherwise a new user gets id.Role or member.
	// Profile fields are refreshed from the identity on every sign-in.
	// An identity that belonged to a deleted account (DeletedIdentityKey)
	// creates nothing: ErrAccountRemoved when an admin deleted it,
	// ErrAccountDeleted when its owner did, unless id.Fresh.
	SignIn(ctx context.Context, id Identity, now time.Time) (u *townhall.User, created bool, err error)
	User(ctx context.Context, id string) (*townhall.User, error)
	UserByHandle(ctx context.Context, handle string) (*townhall.User, error)
	// Users lists users in creation order after the given id.
	Users(ctx context.Context, after string, limit int) ([]*townhall.User, error)
	// SetRole changes a role; it refuses (ECONFLICT) to demote the last admin.
	SetRole(ctx context.Context, userID string, role townhall.Role) error
	SetUserSegment(ctx context.Context, userID, segmentID string) error
	SetUserVerified(ctx context.Context, userID string, verified bool) error

	Segments(ctx context.Context) ([]*townhall.Segment, error)
	Segment(ctx context.Context, id string) (*townhall.Segment, error)
	// SaveSegment creates or updates a segment; names are unique (ECONFLICT).
	SaveSegment(ctx context.Context, s *townhall.Segment) error
	// DeleteSegment removes a segment and unassigns its members.
	DeleteSegment(ctx context.Context, id string) error

	CreateSession(ctx context.Context, s *Session) error
	// SessionUser returns the user of an unexpired session, ENOTFOUND otherwise.
	SessionUser(ctx context.Context, tokenHash string, now time.Time) (*townhall.User, *Session, error)
	ExtendSession(ctx context.Context, tokenHash string, expires time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	// RecordVisit records that the user visited on day ("2006-01-02" in
	// the site's time zone). The first visit of a day is stored, counts in
	// the user's DaysVisited and moves LastSeenAt to at; later ones that
	// day change nothing (first false).
	RecordVisit(ctx context.Context, userID, day string, at time.Time) (first bool, err error)
}

// SessionTTL is how long a session lives without use; active sessions are
// extended once they pass half of it.
const SessionTTL = 30 * 24 * time.Hour

// Service is the auth domain's rules.
type Service struct {
	store Store
	staff townhall.StaffLog
	now   func() time.Time
	loc   *time.Location // the site's time zone: where a day of visits begins
	// Events hears about people joining (webhooks); nil emits nothing.
	Events townhall.Emitter
}

// NewService returns a Service over store, counting days in UTC until
// SetLocation says otherwise.
func NewService(store Store) *Service { return &Service{store: store, now: time.Now, loc: time.UTC} }

// SetClock replaces the clock; tests use it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// SetStaffLog makes the service record what admins do (roles, verified
// customers, segments) in l.
func (s *Service) SetStaffLog(l townhall.StaffLog) { s.staff = l }

// SetLocation sets the site's time zone, in which days of visits begin.
func (s *Service) SetLocation(loc *time.Location) { s.loc = loc }

// Location is the site's time zone.
func (s *Service) Location() *time.Location { return s.loc }

// Day is the site's calendar day of t, as visits record it.
func (s *Service) Day(t time.Time) string { return t.In(s.loc).Format(time.DateOnly) }

// Visit records that u is here now, once per day: a request whose user was
// already seen today (LastSeenAt falls on today in the site's zone) costs
// no write. It reports whether this was u's first visit today.
func (s *Service) Visit(ctx context.Context, u *townhall.User) (bool, error) {
	if u == nil {
		return false, nil
	}
	now := s.now()
	today := s.Day(now)
	if !u.LastSeenAt.IsZero() && s.Day(u.LastSeenAt) == today {
		return false, nil
	}
	first, err := s.store.RecordVisit(ctx, u.ID, today, now)
	if err == nil && first {
		u.LastSeenAt = now
		u.DaysVisited++
	}
	return first, err
}

// SignIn turns a verified identity into a user.
func (s *Service) SignIn(ctx context.Context, id Identity) (*townhall.User, error) {
	if id.Provider == "" || id.Subject == "" {
		return nil, townhall.Errorf(townhall.EINVALID, "The sign-in provider did not say who you are.")
	}
	name, err := townhall.CleanText("Name", id.Name, 0, 200)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = strings.SplitN(id.Email, "@", 2)[0]
	}
	if name == "" {
		name = "Member"
	}
	id.Name = truncateRunes(name, 60)
	if id.Role != "" && !id.Role.Valid() {
		return nil, townhall.Errorf(townhall.EINVALID, "Unknown role %q.", id.Role)
	}
	u, created, err := s.store.SignIn(ctx, id, s.now())
	if err != nil {
		return nil, err
	}
	if created && joins(id.Provider) {
		s.emitJoined(ctx, u)
	}
	if u.Suspended(s.now()) {
		return nil, s.suspended(u)
	}
	return u, nil
}

// suspended is the refusal a suspended person gets when signing in: why,
// and when they can again.
func (s *Service) suspended(u *townhall.User) error {
	reason := u.SuspendReason
	if reason == "" {
		reason = "no reason was given"
	}
	return townhall.Errorf(townhall.EFORBIDDEN, "You can't sign in: a moderator suspended your account until %s. Reason: %s",
		u.SuspendedUntil.In(s.loc).Format("2 January 2006, 15:04 MST"), reason)
}

// StartSession creates a session for the user and returns its cookie token.
func (s *Service) StartSession(ctx context.Context, userID string) (token string, expires time.Time, err error) {
	var b [32]byte
	rand.Read(b[:])
	token = base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now()
	expires = now.Add(SessionTTL)
	err = s.store.CreateSession(ctx, &Session{TokenHash: hashToken(token), UserID: userID, CreatedAt: now, ExpiresAt: expires})
	return token, expires, err
}

// SessionUser returns the signed-in user for a cookie token, or nil when the
// token is unknown or expired. renewed is non-zero when the session was
// extended and the cookie should be re-sent with that expiry.
func (s *Service) SessionUser(ctx context.Context, token string) (u *townhall.User, renewed time.Time, err error) {
	if token == "" || len(token) > 100 {
		return nil, time.Time{}, nil
	}
	now := s.now()
	u, sess, err := s.store.SessionUser(ctx, hashToken(token), now)
	if townhall.ErrorCode(err) == townhall.ENOTFOUND {
		return nil, time.Time{}, nil
	} else if err != nil {
		return nil, time.Time{}, err
	}
	if u.Suspended(now) {
		// Suspending ends every session; one that outlived it (created in
		// the same instant, or on a node that had not seen it) ends here.
		return nil, time.Time{}, s.store.DeleteSession(ctx, sess.TokenHash)
	}
	if sess.ExpiresAt.Sub(now) < SessionTTL/2 {
		renewed = now.Add(SessionTTL)
		if err := s.store.ExtendSession(ctx, sess.TokenHash, renewed); err != nil {
			return nil, time.Time{}, err
		}
	}
	return u, renewed, nil
}

// EndSession signs a browser out.
func (s *Service) EndSession(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.store.DeleteSession(ctx, hashToken(token))
}

// PruneSessions deletes expired sessions; the server runs it periodically.
func (s *Service) PruneSessions(ctx context.Context) (int, error) {
	return s.store.DeleteExpiredSessions(ctx, s.now())
}

// User returns a user by id.
func (s *Service) User(ctx context.Context, id string) (*townhall.User, error) {
	if !townhall.ValidID(id) {
		return nil, ErrUserNotFound
	}
	return s.store.User(ctx, id)
}

// UserByHandle returns a user by @handle (case-insensitive).
func (s *Service) UserByHandle(ctx context.Context, handle string) (*townhall.User, error) {
	return s.store.UserByHandle(ctx, strings.ToLower(strings.TrimPrefix(handle, "@")))
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Handle derives a mention handle from a display name: lowercase ASCII
// letters, digits and dashes, at most 30 characters, never empty.
func Handle(name string) string {
	if h := slug.Make(name, 30); h != "" {
		return h
	}
	return "member"
}

// FreeHandle returns base, or base-2, base-3, ... whichever taken does not
// hold: how every store makes a new member's handle unique.
func FreeHandle(base string, taken map[string]bool) string {
	h := base
	for i := 2; taken[h]; i++ {
		h = fmt.Sprintf("%s-%d", base, i)
	}
	return h
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n]))
}
