// Package email turns notifications into email people want: instant
// messages for what concerns them directly, daily or weekly digests for
// the rest, nothing for what they switched off or have already seen.
//
// Every email goes through the durable job queue (package jobs). A
// notification the recipient wants at once enqueues one job per person,
// thread or idea and --mail-delay window, so several events about one
// thread become one email; when the job runs it claims the person's unread
// notifications of that group that no email carried yet (read ones were
// seen on the site and are never emailed), composes one message and stores
// it before sending. The stored message keeps its Message-ID, so a job that
// runs again after a crash resends the same message, which mail systems
// recognise as a duplicate; temporary SMTP failures (4xx, refused or timed
// out connections) retry with backoff, permanent ones (5xx) fail with the
// server's reply. Without an SMTP server the messages are still composed
// and kept for admins to read on /admin/email.
//
// Digests are scheduled per period (a day or an ISO week in the site's
// time zone): one job per period pages through the members and enqueues a
// digest job for each who asked for that frequency and has not visited
// since the period began; the digest lists their unread notifications of
// digest kinds, popular new threads in their categories and ideas that
// changed status, and is skipped when there is nothing to say.
package email

import (
	"context"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/notify"
)

// State is where a message stands.
type State string

// The states of a message.
const (
	StateQueued   State = "queued"   // composed, waiting for its first try
	StateRetrying State = "retrying" // a temporary failure; Error says which
	StateSent     State = "sent"     // the SMTP server accepted it
	StateFailed   State = "failed"   // a permanent failure or out of attempts; Error says why
	StateKept     State = "kept"     // not sent: no SMTP server is configured
)

// States lists every state in the order admin pages offer them.
var States = []State{StateQueued, StateRetrying, StateSent, StateFailed, StateKept}

// Valid reports whether s is one of the known states.
func (s State) Valid() bool {
	for _, v := range States {
		if s == v {
			return true
		}
	}
	return false
}

// Header is one extra header line of a message.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Message is one composed email, stored before it is sent.
type Message struct {
	ID        string // made by NewID: sorts by creation, pages listings
	Key       string // the key of the job that composed it; unique
	UserID    string
	To        string // the recipient's address, "Name <addr>"
	Kind      string // the preference kind it is about, or "digest"
	Subject   string
	MessageID string // without the angle brackets
	Headers   []Header
	Text      string // the text/plain part
	HTML      string // the text/html part
	State     State
	Error     string // the last failure
	Attempts  int
	CreatedAt time.Time
	UpdatedAt time.Time
	SentAt    time.Time
}

// Update is a change of a message's state after a delivery attempt.
type Update struct {
	State State
	Error string // kept when empty
	At    time.Time
	// Attempted counts a delivery attempt.
	Attempted bool
}

// Query selects a page of messages, newest first.
type Query struct {
	State  State  // "" for all
	UserID string // "" for all
	Before string // a message ID: the page after the one ending there
	Limit  int
}

// ErrNotFound is returned for an unknown message.
var ErrNotFound = townhall.Errorf(townhall.ENOTFOUND, "Email not found.")

// Store is what email needs from a backend. Every method is atomic on its
// own; ClaimMail in particular hands each notification to one email even
// when two jobs claim at once on different nodes.
type Store interface {
	// MailPreferences returns the stored preferences of those of userIDs
	// who saved any; the others have the defaults.
	MailPreferences(ctx context.Context, userIDs []string) (map[string]*Preferences, error)
	// SaveMailPreferences stores a user's preferences whole.
	SaveMailPreferences(ctx context.Context, userID string, p *Preferences) error

	// PendingMail lists the user's notifications of group that are unread
	// and were carried by no email, oldest first.
	PendingMail(ctx context.Context, userID, group string, limit int) ([]*notify.Notification, error)
	// DigestMail lists the user's unread notifications created in
	// [from, to) that were carried by no email, oldest first.
	DigestMail(ctx context.Context, userID string, from, to time.Time, limit int) ([]*notify.Notification, error)
	// ClaimMail marks those of the notifications ids that belong to userID,
	// are unread and were carried by no email as carried by the email key,
	// and returns every notification key carries, oldest first: claiming
	// again returns the same set, and two keys never share one.
	ClaimMail(ctx context.Context, userID, key string, ids []string) ([]*notify.Notification, error)

	// SaveMessage stores m unless a message with its Key exists, and
	// returns the stored one: a job composing again keeps its first message.
	SaveMessage(ctx context.Context, m *Message) (*Message, error)
	// Message returns one message (ErrNotFound).
	Message(ctx context.Context, id string) (*Message, error)
	// MessageByKey returns the message a job composed (ErrNotFound).
	MessageByKey(ctx context.Context, key string) (*Message, error)
	// Messages returns a page of messages, newest first.
	Messages(ctx context.Context, q Query) ([]*Message, error)
	// UpdateMessage records a delivery attempt's outcome (ErrNotFound).
	UpdateMessage(ctx context.Context, id string, u Update) error
	// PruneMessages deletes messages created before before, and returns
	// how many.
	PruneMessages(ctx context.Context, before time.Time) (int, error)

	// FollowedCategories lists the forum categories of the threads the
	// user follows.
	FollowedCategories(ctx context.Context, userID string) ([]string, error)
	// NewThreads lists visible threads created in [from, to) in the given
	// categories (all when none), most replies first.
	NewThreads(ctx context.Context, categoryIDs []string, from, to time.Time, limit int) ([]*forum.Thread, error)
	// StatusChanges lists ideas' status changes made in [from, to), newest first.
	StatusChanges(ctx context.Context, from, to time.Time, limit int) ([]*ideas.StatusChange, error)
}
