// Package townhall holds the vocabulary every part of Townhall shares: users
// and their roles, opaque IDs, pages of results, the search change feed and
// the one error type. It imports only the standard library so that domain
// packages, storage backends and the web layer can all depend on it.
package townhall

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Role is what a signed-in user may do beyond taking part as a customer.
type Role string

// The roles, from least to most trusted.
const (
	RoleMember    Role = "member"
	RoleModerator Role = "moderator"
	RoleProduct   Role = "product"
	RoleAdmin     Role = "admin"
)

// Roles lists every role in the order admin pages show them.
var Roles = []Role{RoleMember, RoleModerator, RoleProduct, RoleAdmin}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleMember, RoleModerator, RoleProduct, RoleAdmin:
		return true
	}
	return false
}

// IsStaff reports whether posts by this role carry a staff badge.
func (r Role) IsStaff() bool { return r == RoleModerator || r == RoleProduct || r == RoleAdmin }

// CanModerate reports whether the role may hide, lock, pin and move content.
func (r Role) CanModerate() bool { return r == RoleModerator || r == RoleAdmin }

// CanManageProduct reports whether the role acts for the product team:
// triaging ideas, answering officially, managing products.
func (r Role) CanManageProduct() bool { return r == RoleProduct || r == RoleAdmin }

// User is a person signed in through one identity provider.
type User struct {
	ID        string    `json:"id"`
	Handle    string    `json:"handle"` // unique, for @mentions and profile URLs
	Name      string    `json:"name"`
	Email     string    `json:"-"`
	AvatarURL string    `json:"avatar_url,omitempty"`
	Role      Role      `json:"role"`
	SegmentID string    `json:"segment_id,omitempty"`
	Verified  bool      `json:"verified,omitempty"` // set on the user or through the segment
	CreatedAt time.Time `json:"created_at"`
	Unread    int       `json:"-"` // unread notifications, denormalized for the header
	// LastSeenAt is the first request of the newest day the person visited
	// (days in the site's time zone); DaysVisited counts those days.
	// Digests, trust levels and insights read them.
	LastSeenAt  time.Time `json:"-"`
	DaysVisited int       `json:"-"`
	// TrustLevel is what the person has earned by taking part (0 new,
	// 1 basic, 2 member, 3 regular), stored on the user and recomputed
	// when its inputs change; TrustLocked says an admin set it by hand.
	// Level is what rules read: staff are always at the top.
	TrustLevel  int  `json:"-"`
	TrustLocked bool `json:"-"`
	// SilencedUntil and SuspendedUntil are the ends of a moderator's
	// silence (may read, not post) and suspension (may not sign in),
	// with the reasons shown to the person; zero when none.
	SilencedUntil  time.Time `json:"-"`
	SilenceReason  string    `json:"-"`
	SuspendedUntil time.Time `json:"-"`
	SuspendReason  string    `json:"-"`
	// DeletedAt is when the account was deleted (zero while it exists):
	// its Name and Handle are then placeholders and nobody can sign in
	// to it (package account).
	DeletedAt time.Time `json:"-"`
	// Reputation is the person's points (the sum of their reputation
	// ledger), Badge the slug of the badge shown next to their name
	// (chosen, or their highest; "" for none) and Champion the VIP mark
	// admins grant. All three are denormalized for pages that show them.
	Reputation int    `json:"reputation"`
	Badge      string `json:"badge,omitempty"`
	Champion   bool   `json:"champion,omitempty"`
}

// The trust levels.
const (
	TrustNew     = 0
	TrustBasic   = 1
	TrustMember  = 2
	TrustRegular = 3
)

// Level is the trust level rules apply to u: staff are always regulars;
// nobody (nil) is new.
func (u *User) Level() int {
	if u == nil {
		return TrustNew
	}
	if u.Role.IsStaff() {
		return TrustRegular
	}
	return u.TrustLevel
}

// Silenced reports whether u may read but not write at now.
func (u *User) Silenced(now time.Time) bool { return u != nil && now.Before(u.SilencedUntil) }

// Suspended reports whether u may not sign in at now.
func (u *User) Suspended(now time.Time) bool { return u != nil && now.Before(u.SuspendedUntil) }

// Is reports whether u is the signed-in user with the given id; nil is nobody.
func (u *User) Is(id string) bool { return u != nil && u.ID == id }

// HasRole reports whether u is signed in and passes check; nil users never do.
func (u *User) HasRole(check func(Role) bool) bool { return u != nil && check(u.Role) }

// Segment groups customers (a plan tier, a region) so product teams can weigh
// demand. Weight multiplies a member's vote in weighted rankings.
type Segment struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Weight   float64 `json:"weight"`
	Verified bool    `json:"verified"` // members count as verified customers
}

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

var idState struct {
	sync.Mutex
	last [16]byte
}

// NewID returns a new opaque, URL-safe ID. IDs sort by creation order (a
// millisecond timestamp, then a random part that increases within the same
// millisecond) so backends can use them as stable tie-breakers and cursors,
// and they are the same format in every backend so exports move between them.
func NewID() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	rand.Read(b[6:])
	b[6] &= 0x7f // headroom so incrementing within a millisecond never overflows
	idState.Lock()
	if bytesLE(b[:6], idState.last[:6]) {
		b = idState.last
		for i := 15; i >= 6; i-- {
			b[i]++
			if b[i] != 0 {
				break
			}
		}
	}
	idState.last = b
	idState.Unlock()
	return idEncoding.EncodeToString(b[:])
}

// IDAt returns the ID NewID would have given something created at t, with
// its random part taken from r1 and r2 instead of crypto/rand. Bulk loads
// that replay a generated history (townhall seed --scale) use it, so IDs
// sort by the seeded times and a seeded random source makes them repeatable.
// Unlike NewID it does not order IDs made within the same millisecond.
func IDAt(t time.Time, r1 uint64, r2 uint16) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	binary.BigEndian.PutUint16(b[6:8], r2)
	binary.BigEndian.PutUint64(b[8:], r1)
	b[6] &= 0x7f // the same headroom as NewID
	return idEncoding.EncodeToString(b[:])
}

func bytesLE(a, b []byte) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return true
}

// ValidID reports whether s looks like an ID made by NewID; handlers use it to
// answer 404 for garbage without a store round trip.
func ValidID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("0123456789abcdefghjkmnpqrstvwxyz", rune(s[i])) {
			return false
		}
	}
	return true
}

// CleanText trims s and rejects invalid UTF-8 and control characters other
// than newlines and tabs, so stored text is always safe to index and render.
func CleanText(field, s string, min, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", Errorf(EINVALID, "%s is not valid UTF-8.", field)
	}
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return "", Errorf(EINVALID, "%s contains control characters.", field)
		}
	}
	n := utf8.RuneCountInString(s)
	if n < min {
		if min == 1 {
			return "", Errorf(EINVALID, "%s is required.", field)
		}
		return "", Errorf(EINVALID, "%s must be at least %d characters.", field, min)
	}
	if n > max {
		return "", Errorf(EINVALID, "%s must be at most %d characters (it has %d).", field, max, n)
	}
	return s, nil
}
