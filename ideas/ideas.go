// Package ideas is the idea board: customers propose ideas and vote on them,
// the product team moves them through statuses with official responses,
// merges duplicates and weighs demand by customer segment. It owns the rules
// (validation and who may do what) and the Store interface backends implement.
//
// Vote counts, comment counts, the trending score and per-segment vote
// counters are denormalized on the idea and updated in the same atomic step
// as the vote or comment they count, so pages never count rows.
package ideas

import (
	"context"
	"html/template"
	"strings"
	"time"
)

// Limits on what people may write.
const (
	MinTitle  = 3
	MaxTitle  = 140
	MaxBody   = 20000 // the same as web.MaxMarkdown
	MaxTags   = 5
	MaxTag    = 30
	MaxReason = 500
	PageSize  = 20
)

// Status is where an idea stands with the product team.
type Status string

// The statuses, in the order an idea usually moves through them.
const (
	StatusOpen        Status = "open"
	StatusUnderReview Status = "under_review"
	StatusPlanned     Status = "planned"
	StatusInProgress  Status = "in_progress"
	StatusDone        Status = "done"
	StatusDeclined    Status = "declined"
)

// Statuses lists every status in the order pages offer them.
var Statuses = []Status{StatusOpen, StatusUnderReview, StatusPlanned, StatusInProgress, StatusDone, StatusDeclined}

// RoadmapStatuses are the columns of the public roadmap.
var RoadmapStatuses = []Status{StatusPlanned, StatusInProgress, StatusDone}

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Label is the status as people read it ("In progress").
func (s Status) Label() string {
	switch s {
	case StatusUnderReview:
		return "Under review"
	case StatusInProgress:
		return "In progress"
	case "":
		return ""
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

// ParseStatus accepts a status as stored ("in_progress") or as written
// ("In progress", "in-progress").
func ParseStatus(s string) (Status, bool) {
	st := Status(strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(s))))
	return st, st.Valid()
}

// Idea is one proposal on the board.
type Idea struct {
	ID         string
	Title      string
	Body       string        // Markdown source
	BodyHTML   template.HTML // rendered at write time
	Tags       []string
	Status     Status
	AuthorID   string
	AuthorName string // filled by reads
	Votes      int    // denormalized count of votes
	Comments   int    // denormalized count of comments
	Trend      float64
	// Weighted is the demand weighted by the voters' segments; only
	// triage and export reads fill it.
	Weighted        float64
	Voted           bool   // the viewer voted for it (reads with a viewer only)
	MergedInto      string // the idea this duplicate was merged into
	MergedIntoTitle string
	Response        *Response // the latest official response, if any
	CreatedAt       time.Time
	UpdatedAt       time.Time
	StatusAt        time.Time // last status change; zero when never changed
	RespondedAt     time.Time // first status change or team comment; zero while awaiting
	Hidden          *Hidden   // set while a moderator has hidden the idea
	// Held says the hidden idea is a new member's, waiting for a
	// moderator's approval (filled by the service).
	Held bool
}

// Hidden records that a moderator hid an idea or a comment, and why. Hidden
// content is shown to staff only, with this note.
type Hidden struct {
	ByID   string
	ByName string // filled by reads
	Reason string
	At     time.Time
}

// Merged reports whether the idea was merged into another.
func (i *Idea) Merged() bool { return i.MergedInto != "" }

// URL is the path of the idea's page.
func (i *Idea) URL() string { return "/ideas/" + i.ID }

// Response is the product team's official answer shown on an idea.
type Response struct {
	Body       string
	BodyHTML   template.HTML
	AuthorID   string
	AuthorName string
	At         time.Time
}

// StatusChange is one line of an idea's status history: who moved it,
// when, why, and the official response given with it.
type StatusChange struct {
	ID           string
	IdeaID       string
	From, To     Status
	Reason       string // plain text, optional
	Response     string // Markdown, optional
	ResponseHTML template.HTML
	ActorID      string
	ActorName    string // filled by reads
	At           time.Time
}

// Comment is a Markdown comment under an idea.
type Comment struct {
	ID         string
	IdeaID     string
	AuthorID   string
	AuthorName string // filled by reads
	Team       bool   // written by the product team; counts as a first response
	Body       string
	BodyHTML   template.HTML
	// MergedFrom is the duplicate the comment was first written on, when
	// a merge moved it here; MergedFromTitle names it.
	MergedFrom      string
	MergedFromTitle string
	CreatedAt       time.Time
	EditedAt        time.Time // last edit; zero when never edited
	// Deleted comments keep their place (a "comment deleted" line keeps the
	// thread readable) but lose their text.
	Deleted bool
	Hidden  *Hidden // set while a moderator has hidden the comment
	// Likes is the denormalized count of likes; Liked says whether the
	// viewer likes it (filled by the web layer from loyalty).
	Likes int
	Liked bool
}

// Visible reports whether the comment counts: neither hidden nor deleted.
func (c *Comment) Visible() bool { return c.Hidden == nil && !c.Deleted }

// Ref names an idea without its content, e.g. a duplicate merged into another.
type Ref struct {
	ID    string
	Title string
	Votes int
}

// SegmentDemand is how many votes one customer segment gave an idea.
// SegmentID is empty for unsegmented voters, whose weight is 1.
type SegmentDemand struct {
	SegmentID string
	Name      string
	Weight    float64
	Votes     int
}

// Weighted is the segment's contribution to weighted demand.
func (d SegmentDemand) Weighted() float64 { return float64(d.Votes) * d.Weight }

// TagCount is a tag with the number of listed ideas that carry it.
type TagCount struct {
	Tag   string
	Ideas int
}

// Sort orders of the board.
const (
	SortTop      = "top"
	SortNew      = "new"
	SortTrending = "trending"
)

// Sorts lists the board orders in the order pages offer them.
var Sorts = []string{SortTrending, SortTop, SortNew}

// Triage orders.
const (
	TriageOldest = "oldest"
	TriageVotes  = "votes"
	TriageDemand = "demand"
)

// TriageSorts lists the triage orders in the order pages offer them.
var TriageSorts = []string{TriageOldest, TriageVotes, TriageDemand}

// Cursor is the position after the last idea of a page: the sort key of
// that idea (votes, trend or weighted demand; unused for newest and oldest)
// and its id.
type Cursor struct {
	Key float64
	ID  string
}

// Query selects a page of ideas. Board queries leave AuthorID and VoterID
// empty and never return merged ideas; AuthorID lists one person's ideas
// (merged ones included, newest first); VoterID lists the ideas someone
// voted for (newest first). Only Hidden lists hidden ideas (newest first,
// for staff); no other query returns them.
type Query struct {
	Sort     string
	Status   Status // "" for every status
	Tag      string // "" for every tag
	AuthorID string
	VoterID  string
	Hidden   bool
	After    *Cursor
	Limit    int
	ViewerID string // fills Idea.Voted; "" for anonymous readers
	// Cards asks for what an idea's card shows and no more: Body,
	// BodyHTML and Response come back empty. A board page is fifty cards,
	// and the texts were a tenth of its render.
	Cards bool
}

// TriageQuery selects a page of ideas awaiting a first response.
type TriageQuery struct {
	Sort  string
	After *Cursor
	Limit int
}

// Store is what the idea board needs from a storage backend. Every method is
// atomic: counters, the trending score, segment counters and the search
// change feed move in the same step as the facts.
type Store interface {
	// CreateIdea stores a new idea with its author's vote (counted in the
	// author's current segment) and records a search change. An idea
	// created with Hidden set (held for review) is hidden from the start:
	// in no listing, tag count or similar-ideas until unhidden.
	CreateIdea(ctx context.Context, idea *Idea, words []string) error
	// UpdateIdea replaces title, body and tags (ENOTFOUND, ECONFLICT when
	// merged) and records a search change. words index the new title.
	UpdateIdea(ctx context.Context, idea *Idea, words []string) error
	// Idea returns one idea, merged or not; viewerID fills Voted.
	Idea(ctx context.Context, id, viewerID string) (*Idea, error)
	// Ideas returns a page of ideas in the query's order.
	Ideas(ctx context.Context, q Query) ([]*Idea, error)

	// Vote adds userID's vote (ENOTFOUND; ECONFLICT when merged or hidden); added is
	// false when the vote was already there. The vote counts in the user's
	// segment at vote time.
	Vote(ctx context.Context, ideaID, userID string, at time.Time) (added bool, err error)
	// VotedAmong says which of ideaIDs userID voted for (true entries only).
	VotedAmong(ctx context.Context, userID string, ideaIDs []string) (map[string]bool, error)
	// Unvote removes userID's vote; removed is false when there was none.
	// ENOTFOUND; ECONFLICT when merged or hidden.
	Unvote(ctx context.Context, ideaID, userID string) (removed bool, err error)

	// AddComment stores a comment and bumps the idea's comment count; a
	// team comment marks the idea responded. ENOTFOUND; ECONFLICT when
	// merged or hidden.
	AddComment(ctx context.Context, c *Comment) error
	// Comments lists an idea's comments oldest first, after the given id;
	// hidden ones only when withHidden. Deleted ones stay, without text.
	Comments(ctx context.Context, ideaID, after string, limit int, withHidden bool) ([]*Comment, error)
	// Comment returns one comment, hidden or deleted too (ENOTFOUND).
	Comment(ctx context.Context, id string) (*Comment, error)
	// EditComment replaces a comment's text (c.ID, Body, BodyHTML) and
	// sets EditedAt. ENOTFOUND; ECONFLICT when deleted.
	EditComment(ctx context.Context, c *Comment) error
	// DeleteComment soft-deletes a comment: its text goes, its place stays,
	// and the idea's comment count drops when it was counted. deleted is
	// false when it was deleted already. ENOTFOUND.
	DeleteComment(ctx context.Context, id, byID string, at time.Time) (deleted bool, err error)
	// SetCommentHidden hides (h set) or unhides (h nil) a comment, keeping
	// the idea's comment count exact. Hiding a hidden comment updates the
	// reason; changed reports whether visibility changed. ENOTFOUND;
	// ECONFLICT when deleted.
	SetCommentHidden(ctx context.Context, id string, h *Hidden) (changed bool, err error)
	// CommentAuthors lists the distinct authors of an idea's visible comments.
	CommentAuthors(ctx context.Context, ideaID string) ([]string, error)

	// SetIdeaHidden hides (h set) or unhides (h nil) an idea: a hidden idea
	// leaves every listing, tag count, similar-ideas and the export, takes
	// no votes, comments, status changes or merges, and its search document
	// turns invisible (a search change is recorded). Hiding a hidden idea
	// updates the reason; changed reports whether visibility changed.
	// ENOTFOUND; ECONFLICT when merged.
	SetIdeaHidden(ctx context.Context, id string, h *Hidden) (changed bool, err error)

	// ChangeStatus records ch, sets the idea's status (and its official
	// response when ch has one), marks it responded and records a search
	// change. ENOTFOUND; ECONFLICT when merged or hidden.
	ChangeStatus(ctx context.Context, ch *StatusChange) error
	// StatusHistory lists an idea's status changes oldest first.
	StatusHistory(ctx context.Context, ideaID string) ([]*StatusChange, error)

	// Merge merges dupID into intoID: votes move (a user who voted for
	// both counts once), comments move, the duplicate is marked merged and
	// ideas merged into it earlier now point at intoID. Running it again
	// for the same pair changes nothing (merged false). ENOTFOUND for
	// either id; ECONFLICT when the duplicate was merged elsewhere, the
	// target is merged itself, or either is hidden.
	Merge(ctx context.Context, dupID, intoID string, at time.Time) (merged bool, err error)
	// MergedFrom lists the duplicates merged into an idea.
	MergedFrom(ctx context.Context, ideaID string) ([]Ref, error)

	// Followers lists the author, voters and commenters of an idea.
	Followers(ctx context.Context, ideaID string) ([]string, error)
	// VotersAfter lists up to limit of an idea's voters with user ids after
	// the given one, in id order: a fan-out to every voter pages through
	// them (a merge moves the duplicate's voters here).
	VotersAfter(ctx context.Context, ideaID, after string, limit int) ([]string, error)
	// Demand lists an idea's votes by voter segment, with current weights.
	Demand(ctx context.Context, ideaID string) ([]SegmentDemand, error)
	// Triage returns a page of unmerged, visible ideas awaiting a first response,
	// with Weighted filled.
	Triage(ctx context.Context, q TriageQuery) ([]*Idea, error)
	// ExportIdeas returns up to limit ideas (merged ones too, hidden ones not) in id order
	// after the given id, with Weighted filled.
	ExportIdeas(ctx context.Context, after string, limit int) ([]*Idea, error)

	// Similar returns unmerged, visible ideas whose titles share words with words,
	// the last of which may be a prefix still being typed; most matching
	// words first, then most votes.
	Similar(ctx context.Context, words []string, prefix string, limit int) ([]*Idea, error)
	// PopularTags lists the tags of listed ideas, most used first.
	PopularTags(ctx context.Context, limit int) ([]TagCount, error)

	ChangelogStore
	ProxyVoteStore
}
