// Package account is a person's rights over their own data. They can
// download everything they wrote and did on the site (a JSON export read
// and sent record by record, so a big account never sits in memory), and
// they can delete their account: what they wrote stays, credited to
// "Deleted user"; their name, handle, email and avatar go; their sign-ins
// are unlinked so that no later sign-in reaches the account again; their
// sessions end; and their votes stay, so every count stays exact. Admins
// can do both for anyone, and each such action is in the staff log.
package account

import (
	"context"
	"strings"
	"time"

	"github.com/townhall/townhall"
)

// The kinds of records an export holds, in the order it lists them.
const (
	SignIns       = "sign_ins"      // ID: "provider:subject", Provider
	Threads       = "threads"       // ID, ParentID/ParentTitle: category, Title, Hidden
	Posts         = "posts"         // ID, ParentID/ParentTitle: thread, Body, Hidden, EditedAt
	Ideas         = "ideas"         // ID, Title, Body, Status ("merged" for duplicates), Hidden
	Comments      = "comments"      // ID, ParentID/ParentTitle: idea, Body ("" once deleted), Hidden, Deleted, EditedAt
	IdeaVotes     = "idea_votes"    // ID/Title: the idea voted for; CreatedAt: when
	Reviews       = "reviews"       // ID, ParentID/ParentTitle: product, Rating, Title, Body, EditedAt
	HelpfulVotes  = "helpful_votes" // ID/Title: the review; ParentID/ParentTitle: its product
	Follows       = "follows"       // ID/Title: the thread followed
	Notifications = "notifications" // ID, Kind, Body (the text), URL, Read
)

// Kinds lists every kind of record, in export order.
var Kinds = []string{SignIns, Threads, Posts, Ideas, Comments, IdeaVotes, Reviews, HelpfulVotes, Follows, Notifications}

// Record is one thing a person wrote or did. The fields each kind uses are
// listed with the kinds; the others stay empty. Records of a kind come in
// ID order, which is creation order (for votes and follows, the order of
// what they point to).
type Record struct {
	ID          string
	ParentID    string // what the record belongs to: a post's thread, a comment's idea, a review's product
	ParentTitle string // that parent's title or name
	Title       string
	Body        string // Markdown as written; a notification's text
	Status      string
	Kind        string // a notification's kind
	URL         string // a notification's link
	Provider    string // a sign-in's provider
	Rating      int
	Hidden      bool // hidden by a moderator (or the thread it is in is)
	Deleted     bool
	Read        bool
	CreatedAt   time.Time
	EditedAt    time.Time // zero when never edited
}

// Deletion is what a store needs to delete an account.
type Deletion struct {
	UserID string
	// Handle and Name replace the person's own (DeletedHandle, DeletedName).
	Handle, Name string
	At           time.Time
	// ByStaff is set when an admin deleted someone else's account: then
	// its sign-ins may never start an account again (auth.ErrAccountRemoved),
	// while a person who deleted their own may start afresh.
	ByStaff bool
}

// Store is what account needs from a backend.
type Store interface {
	User(ctx context.Context, id string) (*townhall.User, error)
	// AccountRecords returns up to limit of the user's records of one
	// kind (one of Kinds) with an ID above after, in ID order.
	AccountRecords(ctx context.Context, userID, kind, after string, limit int) ([]*Record, error)
	// DeleteAccount deletes the user's account as the package doc says:
	// it replaces their name and handle with d's and clears their email,
	// avatar, role (to member), segment and verified mark; records every
	// sign-in as deleted (auth.DeletedIdentityKey) and unlinks it; ends
	// their sessions; removes their notifications, thread follows, email
	// preferences and the email composed for them; and
	// puts their threads, posts, ideas and reviews on the change feed so
	// search shows the new name. Votes, content and counters stay. The
	// last admin is refused (auth.ErrLastAdmin). first reports whether this
	// call deleted the account; on an account already deleted it finishes
	// whatever an interrupted call left (on MongoDB, each step is atomic
	// on its document and a re-run converges).
	DeleteAccount(ctx context.Context, d Deletion) (first bool, err error)
}

// DeletedName is the name a deleted account's content is credited to.
const DeletedName = "Deleted user"

// DeletedHandle is the handle a deleted account gets instead of its own:
// unique (from the account's id), and not one a person could mention by
// accident.
func DeletedHandle(userID string) string {
	suffix := strings.ToLower(userID)
	if len(suffix) > 12 {
		suffix = suffix[len(suffix)-12:] // the random part of the id
	}
	return "deleted-" + suffix
}
