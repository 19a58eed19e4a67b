package loyalty

import (
	"context"
	"time"

	"github.com/townhall/townhall"
)

// ActivityQuery selects a page of one person's activity of one Tab
// (threads, replies, answers, ideas or reviews), newest first after the
// item with ID After. Hidden, deleted and merged content is never listed.
type ActivityQuery struct {
	UserID string
	Tab    string
	After  string
	Limit  int
}

// FactsQuery names the people whose badge facts to read: UserIDs, or
// else a page of everyone in id order after After.
type FactsQuery struct {
	UserIDs []string
	After   string
	Limit   int
}

// Store is what loyalty needs from a storage backend. Every write is
// atomic with the counters it moves: a like with the liked item's count,
// the author's likes of the day, the ledger entry, the author's reputation
// and the leaderboard rollups; an award with the badge's holder count and
// the holder's highlighted badge. The backends also write ledger entries
// inside the forum, reviews and ideas writes that earn points (accepting
// an answer, a helpful vote, a status change), built with this package's
// entry constructors.
type Store interface {
	// Like records l (ID, Kind, TargetID, UserID and At set; Day is filled
	// from At) unless the person likes the target already. It refuses a
	// missing, hidden or deleted target with ErrPostNotFound or
	// ErrCommentNotFound, and the author's own with ErrOwnContent.
	Like(ctx context.Context, l *Like) (LikeResult, error)
	// Unlike removes userID's like of the target, if any, taking its
	// points back; the same errors as Like.
	Unlike(ctx context.Context, kind, targetID, userID string) (LikeResult, error)
	// LikedBy reports which of targetIDs userID likes.
	LikedBy(ctx context.Context, userID string, targetIDs []string) (map[string]bool, error)

	// ReputationEntries lists a person's ledger newest first, before the
	// entry with the given ID ("" for the newest), with Title (and
	// ProductSlug, Position) filled where the parent is visible.
	ReputationEntries(ctx context.Context, userID, before string, limit int) ([]*Entry, error)
	// Standings lists the people who gained the most points in period (a
	// PeriodKeys key) within scope, most first, only those who gained
	// some.
	Standings(ctx context.Context, period, scope string, limit int) ([]*Standing, error)

	// AwardBadge gives a.UserID the badge a.Badge unless they hold it;
	// awarded is false when they did. It counts the holder and moves the
	// holder's highlighted badge when theirs is not chosen and this one
	// ranks higher (see Highest); Champion sets their VIP mark.
	AwardBadge(ctx context.Context, a *Award) (awarded bool, err error)
	// RevokeBadge takes a badge back (admins do, for granted badges);
	// revoked is false when the person did not hold it.
	RevokeBadge(ctx context.Context, userID, badge string) (revoked bool, err error)
	// UserBadges lists the badges a person holds, oldest first.
	UserBadges(ctx context.Context, userID string) ([]*Award, error)
	// BadgeHolders lists a badge's holders, most recent first, after the
	// holder with the given user id ("" from the start).
	BadgeHolders(ctx context.Context, badge, after string, limit int) ([]*Holder, error)
	// BadgeCounts counts each badge's holders.
	BadgeCounts(ctx context.Context) (map[string]int, error)
	// BadgeFacts returns the badge rules' facts of the people q names.
	BadgeFacts(ctx context.Context, q FactsQuery) ([]Facts, error)
	// SetHighlight makes badge (one the person holds) their highlighted
	// badge, or with "" goes back to their highest one.
	SetHighlight(ctx context.Context, userID, badge string) error

	// Profile returns a person's bio and profile choices.
	Profile(ctx context.Context, userID string) (*Profile, error)
	// SaveProfile sets a person's display name (marking it chosen, so
	// sign-in keeps it) and bio.
	SaveProfile(ctx context.Context, userID, name string, p *Profile) error
	// Activity returns a page of a person's activity, newest first.
	Activity(ctx context.Context, q ActivityQuery) ([]*Activity, error)
}

// Users finds people by id and handle; auth.Service implements it.
type Users interface {
	User(ctx context.Context, id string) (*townhall.User, error)
	UserByHandle(ctx context.Context, handle string) (*townhall.User, error)
	Segments(ctx context.Context) ([]*townhall.Segment, error)
}

// Notifier delivers in-app notifications; notify.Service implements it.
type Notifier interface {
	Notify(ctx context.Context, actorID string, userIDs []string, kind, text, url string) error
}

// clock is the service's time source.
type clock func() time.Time
