// Package insights measures what the community tells the product team:
// community health (active members, threads, replies, time to first reply,
// questions solved, top contributors), co-creation (ideas, votes, time to a
// first official response, the status funnel, shipped ideas, demand by
// segment), reviews (ratings over time, business responses) and the
// relationship with each customer segment (activity, retention cohorts).
// Only the product team and admins may read it.
//
// # Where the figures come from
//
// Pages never scan history. A background pass (Refresh, run as a job of the
// "insights" queue every few minutes by one node at a time) recomputes whole
// days from the facts with range scans on created-at indexes (one day's
// threads, replies, ideas, status changes, votes, reviews, new members) and
// stores one rollup row per day. Visits give the active members: distinct
// visitors in the 1, 7, 30, 90 and 365 days ending each day, computed once
// when the day is over (visits of a past day never change) by one sweep over
// the visits, and for today from each member's last visit. Days are calendar
// days in the site's time zone (townhall --time-zone).
//
// The pass is idempotent and keeps a checkpoint: after downtime it catches
// up from the last day it computed, in chunks that fit a job's lease. Each
// pass recomputes today and the two days before (late replies, the 24-hour
// reply window) and, round robin, a few older days, so a thread hidden or a
// vote withdrawn weeks later leaves the figures within a couple of hours;
// `townhall check` compares every stored day with its facts.
//
// A report for a period sums the rows of its days and of the period before,
// so it reads at most 730 small rows, plus two bounded queries (the
// lowest-rated recent reviews, and nothing else live); it is cached briefly.
//
// Hidden, deleted and merged-away content, and content held for review
// (a hidden state), is left out by every fact scan.
package insights

import (
	"context"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/reviews"
)

// Thread is a visible thread as the insights see it.
type Thread struct {
	ID        string
	AuthorID  string
	SegmentID string // the author's current segment; "" for none
	Question  bool   // in a questions (Q&A) category
	CreatedAt time.Time
	// FirstReplyAt is when the first visible reply by someone other than
	// the thread's author was posted; zero when there is none yet.
	FirstReplyAt time.Time
	// SolvedAt is when the accepted answer was posted; zero unless a
	// visible reply is accepted.
	SolvedAt time.Time
}

// Reply is a visible reply (not a thread's first post) in a visible thread.
type Reply struct {
	ID        string
	ThreadID  string
	AuthorID  string
	SegmentID string
	Accepted  bool // it is its thread's accepted answer
	CreatedAt time.Time
}

// Idea is a visible idea (neither hidden nor merged into another).
type Idea struct {
	ID          string
	AuthorID    string
	SegmentID   string
	Status      ideas.Status // now
	CreatedAt   time.Time
	RespondedAt time.Time // first status change or team comment; zero while awaiting
	// Entered lists every status the idea was moved to, oldest first.
	Entered []ideas.Status
}

// StatusChange is one status change of a visible idea.
type StatusChange struct {
	IdeaID    string
	Title     string
	SegmentID string // the idea author's segment
	From, To  ideas.Status
	At        time.Time
	// Since is when the idea entered From: the change before this one, or
	// the idea's creation.
	Since time.Time
	// Status and Votes are the idea's now.
	Status ideas.Status
	Votes  int
}

// Vote is a vote for a visible idea.
type Vote struct {
	SegmentID string // the segment the vote counted in
	CreatedAt time.Time
}

// Member is a user as the insights see them.
type Member struct {
	ID        string
	SegmentID string
	CreatedAt time.Time
}

// Review is a visible review.
type Review struct {
	ID          string
	ProductID   string
	ProductName string
	ProductSlug string
	AuthorID    string
	SegmentID   string
	Rating      int
	CreatedAt   time.Time
	RespondedAt time.Time // the business response; zero when none
}

// LowReview is a review listed among the lowest-rated recent ones.
type LowReview struct {
	Review
	Title      string
	AuthorName string
}

// Visit is one member's visit on one day ("2006-01-02" in the site's zone).
type Visit struct {
	Day       string
	UserID    string
	SegmentID string // the member's current segment
}

// DemandIdea is an idea still in play (neither done nor declined) ranked
// by the votes of one segment.
type DemandIdea struct {
	ID         string       `json:"id"`
	Title      string       `json:"title"`
	Status     ideas.Status `json:"status"`
	Votes      int          `json:"votes"`       // from the segment
	TotalVotes int          `json:"total_votes"` // from everyone
}

// Row is one stored rollup: a day ("d:2006-01-02"), a day's contributors
// ("c:2006-01-02") or the pass's state ("state"). Data is the domain's own
// JSON; backends store it as it is.
type Row struct {
	Key       string
	Data      []byte
	UpdatedAt time.Time
}

// Store is what insights need from a backend: range scans over the facts,
// each bounded by an index on the creation time, a few counts, and the
// rollup rows. Time ranges are [from, to). Every scan leaves out hidden,
// deleted and merged-away content; segments are the users' current ones
// ("" for none) except for votes, which count in the segment the voter
// was in when voting.
type Store interface {
	// InsightThreads lists the visible threads created in the range.
	InsightThreads(ctx context.Context, from, to time.Time) ([]Thread, error)
	// InsightReplies lists the visible replies in visible threads created
	// in the range.
	InsightReplies(ctx context.Context, from, to time.Time) ([]Reply, error)
	// InsightIdeas lists the visible ideas proposed in the range.
	InsightIdeas(ctx context.Context, from, to time.Time) ([]Idea, error)
	// InsightStatusChanges lists the status changes of visible ideas made
	// in the range.
	InsightStatusChanges(ctx context.Context, from, to time.Time) ([]StatusChange, error)
	// InsightVotes lists the votes cast in the range on visible ideas.
	InsightVotes(ctx context.Context, from, to time.Time) ([]Vote, error)
	// InsightReviews lists the visible reviews written in the range.
	InsightReviews(ctx context.Context, from, to time.Time) ([]Review, error)
	// InsightLowestReviews lists up to limit visible reviews written at or
	// after since (of productID, or of every product when ""), lowest
	// rating first, newest first within a rating.
	InsightLowestReviews(ctx context.Context, since time.Time, productID string, limit int) ([]LowReview, error)
	// InsightNewMembers lists the users who joined in the range.
	InsightNewMembers(ctx context.Context, from, to time.Time) ([]Member, error)
	// InsightMembers counts every user by segment.
	InsightMembers(ctx context.Context) (map[string]int, error)
	// InsightSeenSince counts the users whose last visit is at or after
	// since, by segment: the distinct visitors since then.
	InsightSeenSince(ctx context.Context, since time.Time) (map[string]int, error)
	// InsightVisits calls fn with every visit on the days fromDay to toDay
	// (inclusive), in day order.
	InsightVisits(ctx context.Context, fromDay, toDay string, fn func(Visit) error) error
	// InsightCohort counts the users who joined in [from, to), and how
	// many of them visited on a day from fromDay to toDay (inclusive).
	InsightCohort(ctx context.Context, from, to time.Time, fromDay, toDay string) (joined, active int, err error)
	// InsightTopDemand lists, for every segment that voted ("" for voters
	// without one), up to limit listed ideas neither done nor declined,
	// most votes from that segment first (then newest).
	InsightTopDemand(ctx context.Context, limit int) (map[string][]DemandIdea, error)

	// PutInsightRows stores rows, replacing those with the same keys.
	PutInsightRows(ctx context.Context, rows []Row) error
	// InsightRows returns the rows with from <= key <= to, by key.
	InsightRows(ctx context.Context, from, to string) ([]Row, error)

	// Demand lists an idea's votes by voter segment, with current weights
	// (ideas.Store's).
	Demand(ctx context.Context, ideaID string) ([]ideas.SegmentDemand, error)
	// Segments lists the segments (auth.Store's).
	Segments(ctx context.Context) ([]*townhall.Segment, error)
	// User returns one user (auth.Store's).
	User(ctx context.Context, id string) (*townhall.User, error)
	// Product and ProductBySlug find a product (reviews.Store's).
	Product(ctx context.Context, id string) (*reviews.Product, error)
	ProductBySlug(ctx context.Context, slug string) (*reviews.Product, error)
}
