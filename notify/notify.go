// Package notify keeps each user's in-app notifications: replies in threads
// they follow, @mentions, status changes of ideas they voted for. Other
// services call Notify after their own write succeeds; a lost notification
// is a nuisance, never a corruption, so it is not part of their transaction.
//
// Notifications are also the one fan-out point for email: after storing
// them, the Service hands them to its Mailer, which turns each into an
// email, a line of a digest or nothing, by the recipient's preferences.
// Every notification belongs to a group, the thread, idea or product its URL
// names (GroupOf), so several about one thread can become one email, and
// visiting the thread marks them read (MarkSeen), so nobody is emailed
// about what they have already seen.
package notify

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/townhall/townhall"
)

// Notification is one line on a user's notifications page.
type Notification struct {
	ID        string    `json:"id"`
	UserID    string    `json:"-"`
	Kind      string    `json:"kind"` // "reply", "mention", "status", "answer", ...
	Text      string    `json:"text"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
	// Group is what the notification is about (GroupOf its URL): the
	// thread, idea or product, so several can become one email.
	Group string `json:"-"`
	// MailKey is the key of the email that carried it; empty until one
	// did, so no notification is emailed twice.
	MailKey string `json:"-"`
}

// Store is what notify needs from a backend.
type Store interface {
	// AddNotifications gives each user a copy of n and bumps their unread
	// count; unknown and deleted accounts get none.
	AddNotifications(ctx context.Context, userIDs []string, n Notification) error
	// InsertNotifications stores each notification (ID and UserID set by
	// the caller) unless one with its ID exists already, skipping unknown
	// and deleted accounts, and bumps each recipient's unread count by
	// what was added: storing the same batch again adds nothing, so a
	// fan-out job that runs twice notifies once. It returns how many were
	// added.
	InsertNotifications(ctx context.Context, ns []*Notification) (added int, err error)
	// Notifications lists a user's notifications newest first, before the given id.
	Notifications(ctx context.Context, userID, before string, limit int) ([]*Notification, error)
	// MarkNotificationsRead marks all of a user's notifications read.
	MarkNotificationsRead(ctx context.Context, userID string) error
	// MarkGroupRead marks the user's unread notifications of one group
	// read and lowers their unread count by as many; it returns how many.
	MarkGroupRead(ctx context.Context, userID, group string) (int, error)
}

// Mailer turns stored notifications into email by each recipient's
// preferences; email.Service implements it. Queue is called after the
// notifications are stored, with the recipients and what they were told;
// calling it again for the same event must be harmless.
type Mailer interface {
	Queue(ctx context.Context, userIDs []string, n Notification) error
}

// Service delivers and lists notifications.
type Service struct {
	store  Store
	mailer Mailer
	clock  atomic.Pointer[func() time.Time]
}

// NewService returns a Service over store.
func NewService(store Store) *Service {
	s := &Service{store: store}
	s.SetClock(time.Now)
	return s
}

// SetMailer makes every notification a candidate for email through m.
func (s *Service) SetMailer(m Mailer) { s.mailer = m }

// SetClock replaces the clock; tests use it, also while the site runs.
func (s *Service) SetClock(now func() time.Time) { s.clock.Store(&now) }

func (s *Service) now() time.Time { return (*s.clock.Load())() }

// Event is one thing to tell people about. Key, when set, makes sending
// it again harmless: each recipient's notification gets an ID derived from
// Key and the recipient, so a background fan-out that is interrupted and
// re-run stores each one once. At is when it happened (now when zero).
type Event struct {
	Key     string
	At      time.Time
	ActorID string
	Kind    string
	Text    string
	URL     string
}

// Notify tells each user in userIDs (except the actor, who knows what they
// did, and duplicates) about something at url.
func (s *Service) Notify(ctx context.Context, actorID string, userIDs []string, kind, text, url string) error {
	return s.Send(ctx, Event{ActorID: actorID, Kind: kind, Text: text, URL: url}, userIDs)
}

// Send tells each user in userIDs (except the actor, and duplicates) about
// ev: it stores their notifications, then hands them to the Mailer.
func (s *Service) Send(ctx context.Context, ev Event, userIDs []string) error {
	seen := map[string]bool{ev.ActorID: true, "": true}
	var to []string
	for _, id := range userIDs {
		if !seen[id] {
			seen[id] = true
			to = append(to, id)
		}
	}
	if len(to) == 0 {
		return nil
	}
	at := ev.At
	if at.IsZero() {
		at = s.now()
	}
	at = at.UTC().Truncate(time.Millisecond)
	n := Notification{Kind: ev.Kind, Text: truncate(ev.Text, 300), URL: ev.URL, CreatedAt: at, Group: GroupOf(ev.URL)}
	ns := make([]*Notification, len(to))
	for i, uid := range to {
		c := n
		c.UserID = uid
		if ev.Key == "" {
			c.ID = townhall.NewID()
		} else {
			c.ID = stableID(at, ev.Key, uid)
		}
		ns[i] = &c
	}
	if _, err := s.store.InsertNotifications(ctx, ns); err != nil {
		return err
	}
	if s.mailer == nil {
		return nil
	}
	return s.mailer.Queue(ctx, to, n)
}

// Copies gives each user a copy of n with an ID of its own: what
// AddNotifications stores, for backends that implement it with
// InsertNotifications.
func Copies(userIDs []string, n Notification) []*Notification {
	ns := make([]*Notification, len(userIDs))
	for i, uid := range userIDs {
		c := n
		c.ID, c.UserID = townhall.NewID(), uid
		ns[i] = &c
	}
	return ns
}

// stableID is the ID of key's notification for userID: it sorts at at,
// like NewID's, and is the same every time.
func stableID(at time.Time, key, userID string) string {
	sum := sha256.Sum256([]byte(key + "\x00" + userID))
	return townhall.IDAt(at, binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint16(sum[8:10]))
}

// GroupOf is the group of a notification's URL: "thread:ID" for
// /t/ID..., "idea:ID" for /ideas/ID..., "product:SLUG" for a product page
// (a review's response links there), and the path itself for anything else.
func GroupOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	switch {
	case len(parts) >= 2 && parts[0] == "t":
		return "thread:" + parts[1]
	case len(parts) >= 2 && parts[0] == "ideas" && townhall.ValidID(parts[1]):
		return "idea:" + parts[1]
	case len(parts) == 2 && parts[0] == "products":
		return "product:" + parts[1]
	}
	return u.Path
}

// List returns a page of the user's notifications, newest first.
func (s *Service) List(ctx context.Context, actor *townhall.User, before string, limit int) (townhall.Page[*Notification], error) {
	var page townhall.Page[*Notification]
	if actor == nil {
		return page, townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in to see your notifications.")
	}
	if limit <= 0 || limit > 100 {
		limit = 30
	}
	return townhall.Paginate(limit, func(n int) ([]*Notification, error) {
		return s.store.Notifications(ctx, actor.ID, before, n)
	}, func(last *Notification) string { return last.ID })
}

// MarkAllRead clears the user's unread count.
func (s *Service) MarkAllRead(ctx context.Context, actor *townhall.User) error {
	if actor == nil {
		return townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in.")
	}
	return s.store.MarkNotificationsRead(ctx, actor.ID)
}

// MarkSeen records that actor has seen the page at path (a thread, an
// idea): its notifications become read, so they are not emailed, and
// actor.Unread drops to match. It writes nothing for a reader without
// unread notifications, so most page views cost nothing.
func (s *Service) MarkSeen(ctx context.Context, actor *townhall.User, path string) error {
	if actor == nil || actor.Unread <= 0 {
		return nil
	}
	n, err := s.store.MarkGroupRead(ctx, actor.ID, GroupOf(path))
	if err == nil {
		actor.Unread = max(actor.Unread-n, 0)
	}
	return err
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
