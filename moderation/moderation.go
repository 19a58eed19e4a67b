// Package moderation is trust and safety: members flag what breaks the
// rules, enough flags hide an item at once, and moderators work through
// a review queue of flagged items and of new members' posts held for
// approval. It also keeps trust levels (what a person has earned by
// taking part, and what that lets them do), and silences and suspends.
//
// Moderation acts on content other packages own (threads, posts, ideas,
// comments, reviews) through the Content interface, which the app wires
// to those services; they call back through their Gate (Screen, Held,
// Activity), which Service implements. Held content is stored hidden,
// with its open case here as the "waiting for review" marker, so every
// filter that leaves hidden content out leaves it out too.
package moderation

import (
	"context"
	"html/template"
	"time"

	"github.com/townhall/townhall"
)

// Kinds of content people can flag. KindComment is an idea's comment.
const (
	KindThread  = townhall.KindThread
	KindPost    = townhall.KindPost
	KindIdea    = townhall.KindIdea
	KindComment = "comment"
	KindReview  = townhall.KindReview
)

// Kinds lists every kind that can be flagged.
var Kinds = []string{KindThread, KindPost, KindIdea, KindComment, KindReview}

// ValidKind reports whether kind can be flagged.
func ValidKind(kind string) bool {
	for _, k := range Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// Holdable reports whether a new member's content of this kind can be held
// for approval: what starts a conversation (threads, ideas, reviews).
func Holdable(kind string) bool { return kind == KindThread || kind == KindIdea || kind == KindReview }

// Deletable reports whether content of this kind can be deleted (rather
// than only hidden) from the review queue.
func Deletable(kind string) bool { return kind == KindComment || kind == KindReview }

// Reasons for a flag.
const (
	ReasonSpam     = "spam"
	ReasonAbusive  = "abusive"
	ReasonOffTopic = "off-topic"
	ReasonOther    = "other" // with a text saying what is wrong
)

// Reasons lists the flag reasons in the order forms offer them.
var Reasons = []string{ReasonSpam, ReasonAbusive, ReasonOffTopic, ReasonOther}

// ReasonLabel is how pages name a reason.
func ReasonLabel(r string) string {
	switch r {
	case ReasonSpam:
		return "Spam"
	case ReasonAbusive:
		return "Abusive or harassing"
	case ReasonOffTopic:
		return "Off-topic"
	}
	return "Something else"
}

// Limits of what people write here.
const (
	MaxFlagText  = 500
	MaxReason    = 500
	MaxDays      = 3650
	LinksAtNew   = 2 // links a level-0 member may put in one post
	QueuePage    = 20
	flagsPerCase = 100 // flags one queue entry shows
)

// Flag is one member's report of one item.
type Flag struct {
	ID       string
	Kind     string
	ItemID   string
	UserID   string
	UserName string // filled by reads
	AuthorID string // the flagged item's author
	Reason   string
	Text     string // what is wrong, for ReasonOther (optional otherwise)
	// Counts says whether the flag counts toward the hiding threshold
	// (a new member's may not, see settings.Site.NewMemberFlagsCount).
	Counts     bool
	CreatedAt  time.Time
	ResolvedAt time.Time // zero while open
	Resolution string    // the decision that resolved it
}

// Case is one item's entry in the review queue: open while it has open
// flags or is held for approval, resolved by a moderator's decision. A
// resolved case reopens when a new flag comes in.
type Case struct {
	Kind     string
	ItemID   string
	AuthorID string
	Open     bool
	// Held says the item is a new member's, hidden until approved.
	Held bool
	// AutoHidden says flags hid the item (the threshold, or a regular's
	// flag) while it waits for review.
	AutoHidden bool
	// WasHidden says the item has been hidden through moderation at least
	// once; the author's record counts such items.
	WasHidden bool
	Flags     int // open flags
	Counted   int // open flags that count toward the threshold
	// OpenedAt is when the case last opened (its first open flag, or the
	// hold): the queue is oldest first.
	OpenedAt   time.Time
	ResolvedAt time.Time
	Resolution string
	ResolvedBy string
}

// Key is the case's identity: kind and item.
func (c *Case) Key() string { return CaseKey(c.Kind, c.ItemID) }

// CaseKey is the identity of kind/itemID's case.
func CaseKey(kind, itemID string) string { return kind + ":" + itemID }

// CaseCursor is where a page of the queue continues.
type CaseCursor struct {
	OpenedAt time.Time
	Key      string
}

// Record is what moderation knows of a person, for the queue's "author
// history" and their trust level's progress: counters kept beside the
// facts (flags, hides) or recomputed from them with the trust level.
type Record struct {
	UserID string
	// Stats are the trust level's inputs as last computed.
	Stats Stats
	// FlagsReceived counts flags ever raised on their content; Hidden
	// the items of theirs hidden through moderation.
	FlagsReceived int
	Hidden        int
}

// Stats are what trust levels are computed from.
type Stats struct {
	DaysVisited     int
	Posts           int // visible replies, threads, ideas, comments and reviews
	Topics          int // of which threads, ideas and reviews
	AcceptedAnswers int
	Reputation      int // the loyalty ledger's sum (users.reputation)
}

// Resolution closes a case.
type Resolution struct {
	Kind, ItemID string
	Decision     Decision
	ByID         string
	At           time.Time
	// Hidden says the item ends hidden (a hide, or a delete); the author's
	// record counts it once per item.
	Hidden bool
}

// Store is what moderation needs from a backend. Each method is atomic in
// SQLite; on MongoDB the fact comes first under a unique key and the
// counters follow (RepairCounters recomputes them).
type Store interface {
	// AddFlag stores f and counts it on its item's case (opening the case,
	// or reopening a resolved one as new) and on the author's record. A
	// second flag by the same person on the same item is ErrAlreadyFlagged.
	// It returns the case after the flag.
	AddFlag(ctx context.Context, f *Flag) (*Case, error)
	// HoldItem opens a held case for kind/itemID by authorID.
	HoldItem(ctx context.Context, kind, itemID, authorID string, at time.Time) error
	// MarkAutoHidden records that flags hid kind/itemID's open case;
	// changed is false when it was so already (another flag won), so only
	// one caller hides the item. ErrCaseNotFound without an open case.
	MarkAutoHidden(ctx context.Context, kind, itemID string) (changed bool, err error)
	// Case returns kind/itemID's case, open or resolved (ErrCaseNotFound).
	Case(ctx context.Context, kind, itemID string) (*Case, error)
	// OpenCases returns open cases oldest first, after the cursor.
	OpenCases(ctx context.Context, after *CaseCursor, limit int) ([]*Case, error)
	// Flags returns an item's flags, oldest first.
	Flags(ctx context.Context, kind, itemID string, limit int) ([]*Flag, error)
	// ResolveCase closes kind/itemID's open case and every open flag on it
	// with r's decision and returns the people whose flags it resolved.
	// ErrNoOpenCase when the case is not open (someone decided first).
	ResolveCase(ctx context.Context, r Resolution) (flaggers []string, err error)

	// UserRecord returns userID's record (a zero one when there is none).
	UserRecord(ctx context.Context, userID string) (*Record, error)
	// CountStats counts userID's trust-level inputs from the facts.
	CountStats(ctx context.Context, userID string) (Stats, error)
	// SaveTrust stores stats in userID's record and level as their trust
	// level, unless an admin locked it (ErrUserNotFound for no such user).
	SaveTrust(ctx context.Context, userID string, stats Stats, level int) error
	// SetTrustLevel sets userID's level by hand (locked) or unlocks it.
	SetTrustLevel(ctx context.Context, userID string, level int, locked bool) error
	// SetSilenced silences userID until then with reason (a zero until lifts it).
	SetSilenced(ctx context.Context, userID string, until time.Time, reason string) error
	// SetSuspended suspends userID until then with reason and ends all of
	// their sessions in the same step (a zero until lifts it).
	SetSuspended(ctx context.Context, userID string, until time.Time, reason string) error
}

// Item is a piece of content as moderation sees it.
type Item struct {
	Kind      string
	ID        string
	Title     string        // the thread, idea or product it belongs to
	HTML      template.HTML // its text, sanitized
	AuthorID  string
	URL       string
	CreatedAt time.Time
	Hidden    bool
}

// Content is the content other services own, by kind. The app wires it to
// the forum, idea and review services; every method checks what actor may
// do, as those services do.
type Content interface {
	// Item returns kind/id as actor sees it: ENOTFOUND when it does not
	// exist or actor may not see it (hidden, deleted).
	Item(ctx context.Context, actor *townhall.User, kind, id string) (*Item, error)
	// SetHidden hides (with a reason) or unhides kind/id.
	SetHidden(ctx context.Context, actor *townhall.User, kind, id string, hidden bool, reason string) error
	// Publish makes a held thread, idea or review public and sends the
	// notifications and events its publication would have sent, as its
	// author's.
	Publish(ctx context.Context, actor, author *townhall.User, kind, id string) error
	// Delete deletes a comment or review.
	Delete(ctx context.Context, actor *townhall.User, kind, id string) error
}

// Users reads people; auth.Service implements it.
type Users interface {
	User(ctx context.Context, id string) (*townhall.User, error)
}

// Notifier delivers notifications; notify.Service implements it.
type Notifier interface {
	Notify(ctx context.Context, actorID string, userIDs []string, kind, text, url string) error
}

// Notification kinds this package sends.
const (
	NotifyFlagHandled = "flag_handled"
	NotifyApproved    = "approved"
)
