// Package loyalty is the community's recognition layer: public profiles,
// likes on forum posts and idea comments, reputation, badges and
// leaderboards. It owns the rules (what earns points, what a badge asks
// for, who may like what) and the Store interface backends implement.
//
// Reputation is an append-only ledger of point entries, each recording one
// fact that happened (an answer accepted, a post liked, a review found
// helpful, an idea planned or shipped) or was undone (a negative entry), so
// every point can be explained and the total recomputed from the facts.
// The backends write the entry, the person's denormalized total and the
// leaderboard rollups in the same atomic step as the fact itself: inside
// the like, the accept, the helpful vote or the status change. Entries are
// keyed by the fact they record (Entry.Key), so writing one twice is one
// entry, which is what keeps MongoDB's fact-then-entry steps idempotent.
package loyalty

import (
	"html/template"
	"strconv"
	"time"

	"github.com/townhall/townhall/ideas"
)

// Points for what helps others.
const (
	PointsAccepted = 15 // an answer of yours accepted
	PointsLiked    = 1  // a post or comment of yours liked
	PointsHelpful  = 2  // a review of yours marked helpful
	PointsPlanned  = 10 // an idea of yours planned (or in progress)
	PointsShipped  = 25 // an idea of yours shipped, on top of planned
	// LikePointsPerDay caps what likes earn one person on one day (the
	// day the like was given, in the site's time zone): the first 50 likes
	// of a day earn a point each, later ones none. It keeps a burst of
	// likes, or a circle of friends, from swamping the leaderboard.
	LikePointsPerDay = 50
)

// LikePoints is what a new like earns its author when it is the nth like
// (counting it) the author received that day.
func LikePoints(nth int) int {
	if nth <= LikePointsPerDay {
		return PointsLiked
	}
	return 0
}

// LikeDayPoints is what n likes received on one day earn together; an
// unlike takes back LikeDayPoints(n) - LikeDayPoints(n-1), so the sum over
// days always equals this function of the likes that remain.
func LikeDayPoints(n int) int { return min(n, LikePointsPerDay) * PointsLiked }

// StatusPoints is what an idea in status st earns its author: planned and
// in progress count as planned, done as planned and shipped.
func StatusPoints(st ideas.Status) int {
	switch st {
	case ideas.StatusPlanned, ideas.StatusInProgress:
		return PointsPlanned
	case ideas.StatusDone:
		return PointsPlanned + PointsShipped
	}
	return 0
}

func planned(st ideas.Status) bool { return StatusPoints(st) >= PointsPlanned }

// Reason says what a ledger entry records.
type Reason string

// The reasons, each a fact and its undoing.
const (
	ReasonAccepted       Reason = "answer_accepted"
	ReasonUnaccepted     Reason = "answer_unaccepted"
	ReasonPostLiked      Reason = "post_liked"
	ReasonPostUnliked    Reason = "post_unliked"
	ReasonCommentLiked   Reason = "comment_liked"
	ReasonCommentUnliked Reason = "comment_unliked"
	ReasonHelpful        Reason = "review_helpful"
	ReasonUnhelpful      Reason = "review_unhelpful"
	ReasonReviewDeleted  Reason = "review_deleted" // its helpful votes went with it
	ReasonPlanned        Reason = "idea_planned"
	ReasonUnplanned      Reason = "idea_unplanned"
	ReasonShipped        Reason = "idea_shipped"
	ReasonUnshipped      Reason = "idea_unshipped"
	// ReasonAdjusted is a correction `townhall check --repair` appended
	// where a MongoDB write stopped between its fact and its entry.
	ReasonAdjusted Reason = "adjusted"
)

// Kinds of things that earn points (Entry.SourceKind, Like.Kind).
const (
	KindPost    = "post"
	KindComment = "comment"
	KindReview  = "review"
	KindIdea    = "idea"
)

// Entry is one line of a person's reputation ledger.
type Entry struct {
	ID     string // sortable (townhall.NewID at At): ledgers list newest first
	Key    string // the fact occurrence it records; unique, see the constructors
	UserID string // who earned (or lost) the points
	Points int
	Reason Reason
	// SourceKind and SourceID name what earned the points (a post, a
	// comment, a review, an idea); ParentID is where it lives (its thread,
	// idea or product) and CategoryID the forum category of a thread.
	SourceKind string
	SourceID   string
	ParentID   string
	CategoryID string
	// SegmentID is the earner's customer segment when the entry was
	// written, Day the site's calendar day of At ("2006-01-02"); the
	// leaderboard rollups are keyed by both. Backends fill them.
	SegmentID string
	Day       string
	At        time.Time

	// Title is the parent's title (a thread or idea title, a product
	// name) filled by reads, and only while the parent is visible to
	// everyone: hidden and merged content is never named on a profile.
	Title string
	// ProductSlug is filled with Title for review entries, for their link.
	ProductSlug string
	// Position is the liked or accepted post's position, for its link.
	Position int
}

// AcceptanceID names a thread's nth acceptance of an answer: threads count
// their acceptances, so accepting, unaccepting and accepting again write
// three entries, and a repeated write of the same one is one.
func AcceptanceID(threadID string, n int) string { return threadID + "." + strconv.Itoa(n) }

// Accepted is the entry for an answer accepted (undo: no longer accepted)
// under acceptance acceptID (see AcceptanceID).
func Accepted(acceptID, answerAuthorID, postID, threadID, categoryID string, undo bool) *Entry {
	e := &Entry{Key: "accept:" + acceptID, UserID: answerAuthorID, Points: PointsAccepted, Reason: ReasonAccepted,
		SourceKind: KindPost, SourceID: postID, ParentID: threadID, CategoryID: categoryID}
	if undo {
		e.Key, e.Points, e.Reason = "unaccept:"+acceptID, -PointsAccepted, ReasonUnaccepted
	}
	return e
}

// Liked is the entry for a like (undo: an unlike) worth points (0 or ±1,
// see LikePoints) to the author of the liked post or comment; nil when it
// is worth nothing, past the day's cap.
func Liked(l *Like, t *Target, points int, undo bool) *Entry {
	if points == 0 {
		return nil
	}
	e := &Entry{Key: "like:" + l.ID, UserID: t.AuthorID, Points: points, SourceKind: l.Kind, SourceID: l.TargetID,
		ParentID: t.ParentID, CategoryID: t.CategoryID}
	switch {
	case l.Kind == KindPost && !undo:
		e.Reason = ReasonPostLiked
	case l.Kind == KindPost:
		e.Reason = ReasonPostUnliked
	case !undo:
		e.Reason = ReasonCommentLiked
	default:
		e.Reason = ReasonCommentUnliked
	}
	if undo {
		e.Key = "unlike:" + l.ID
	}
	return e
}

// Helpful is the entry for a helpful vote on a review (undo: taken back).
// voteKey names the vote (review, voter and when it was cast).
func Helpful(voteKey, reviewAuthorID, reviewID, productID string, undo bool) *Entry {
	e := &Entry{Key: "helpful:" + voteKey, UserID: reviewAuthorID, Points: PointsHelpful, Reason: ReasonHelpful,
		SourceKind: KindReview, SourceID: reviewID, ParentID: productID}
	if undo {
		e.Key, e.Points, e.Reason = "unhelpful:"+voteKey, -PointsHelpful, ReasonUnhelpful
	}
	return e
}

// HelpfulVoteKey is the name Helpful entries give a vote.
func HelpfulVoteKey(reviewID, voterID string, castAt time.Time) string {
	return reviewID + ":" + voterID + ":" + time.UnixMilli(castAt.UnixMilli()).UTC().Format("20060102T150405.000")
}

// ReviewDeleted takes back the points of a deleted review's helpful votes;
// nil when it had none.
func ReviewDeleted(reviewID, authorID, productID string, votes int) *Entry {
	if votes == 0 {
		return nil
	}
	return &Entry{Key: "review-deleted:" + reviewID, UserID: authorID, Points: -votes * PointsHelpful, Reason: ReasonReviewDeleted,
		SourceKind: KindReview, SourceID: reviewID, ParentID: productID}
}

// StatusEntries are the entries an idea's status change writes for its
// author: planned and shipped when it reaches them, their undoing when it
// moves back. changeID names the change in the idea's status history.
func StatusEntries(changeID, ideaID, authorID string, from, to ideas.Status) []*Entry {
	var out []*Entry
	add := func(suffix string, points int, r Reason) {
		out = append(out, &Entry{Key: "status:" + changeID + ":" + suffix, UserID: authorID, Points: points, Reason: r,
			SourceKind: KindIdea, SourceID: ideaID, ParentID: ideaID})
	}
	switch {
	case !planned(from) && planned(to):
		add("planned", PointsPlanned, ReasonPlanned)
	case planned(from) && !planned(to):
		add("unplanned", -PointsPlanned, ReasonUnplanned)
	}
	switch {
	case from != ideas.StatusDone && to == ideas.StatusDone:
		add("shipped", PointsShipped, ReasonShipped)
	case from == ideas.StatusDone && to != ideas.StatusDone:
		add("unshipped", -PointsShipped, ReasonUnshipped)
	}
	return out
}

// Adjusted is a correction entry of points for userID, written by a
// repair; id makes its key unique.
func Adjusted(id, userID string, points int) *Entry {
	return &Entry{Key: "adjust:" + id, UserID: userID, Points: points, Reason: ReasonAdjusted}
}

// Like is one person's like of a forum post or an idea comment.
type Like struct {
	ID       string // names this like (a new one after an unlike and a like again)
	Kind     string // KindPost or KindComment
	TargetID string
	UserID   string
	At       time.Time
	Day      string // the site's day of At; backends fill it
}

// Target is what a like is about, as the like's store step found it.
type Target struct {
	Kind        string
	ID          string
	AuthorID    string
	ParentID    string // the thread of a post, the idea of a comment
	ParentTitle string
	CategoryID  string // a post's forum category
	Position    int    // a post's position in its thread
	Likes       int    // after the like or unlike
}

// LikeResult is what a like or unlike did: Changed is false when it was a
// repeat (liked already, or not liked), which writes nothing.
type LikeResult struct {
	Changed bool
	Target  Target
	Liked   bool // the person likes it now
}

// Activity is one item of a profile's activity tabs: a thread, a reply, an
// accepted answer, an idea or a review, as much as a card needs.
type Activity struct {
	Kind     string // one of the Tab values
	ID       string // the thread, post, idea or review
	Title    string // the thread or idea title, the product name
	Excerpt  string // the start of the text, plain
	Source   string // Markdown source, for the excerpt; backends fill it
	ParentID string // the thread of a reply or answer
	Slug     string // the product slug of a review
	Position int    // a reply's position in its thread
	Count    int    // replies of a thread, votes of an idea, stars of a review, likes of a reply
	Status   ideas.Status
	At       time.Time
}

// Tabs of a profile.
const (
	TabThreads    = "threads"
	TabReplies    = "replies"
	TabAnswers    = "answers"
	TabIdeas      = "ideas"
	TabReviews    = "reviews"
	TabReputation = "reputation"
)

// Tabs lists the activity tabs in the order profiles show them.
var Tabs = []string{TabThreads, TabReplies, TabAnswers, TabIdeas, TabReviews, TabReputation}

// Standing is one line of a leaderboard.
type Standing struct {
	Rank      int
	UserID    string
	Handle    string
	Name      string
	AvatarURL string
	Badge     string // the highlighted badge's slug
	Champion  bool
	Points    int // gained in the period
}

// Holder is someone who holds a badge.
type Holder struct {
	ID        string // the award's, for paging
	UserID    string
	Handle    string
	Name      string
	AvatarURL string
	At        time.Time
}

// Profile is what a public profile shows beyond the user record.
type Profile struct {
	Bio     string // Markdown
	BioHTML template.HTML
	// NameChosen is set once the person chose their display name; sign-in
	// no longer refreshes it from the identity provider.
	NameChosen bool
	// BadgeChosen is set when the highlighted badge is the person's
	// choice rather than their highest one.
	BadgeChosen bool
}
