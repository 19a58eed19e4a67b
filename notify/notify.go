// Package notify keeps each user's in-app notifications: replies in threads
// they follow, @mentions, status changes of ideas they voted for. Other
// services call Notify after their own write succeeds; a lost notification
// is a nuisance, never a corruption, so it is not part of their transaction.
package notify

import (
	"context"
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
}

// Store is what notify needs from a backend.
type Store interface {
	// AddNotifications gives each user a copy of n and bumps their unread
	// count; unknown and deleted accounts get none.
	AddNotifications(ctx context.Context, userIDs []string, n Notification) error
	// Notifications lists a user's notifications newest first, before the given id.
	Notifications(ctx context.Context, userID, before string, limit int) ([]*Notification, error)
	// MarkNotificationsRead marks all of a user's notifications read.
	MarkNotificationsRead(ctx context.Context, userID string) error
}

// Service delivers and lists notifications.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService returns a Service over store.
func NewService(store Store) *Service { return &Service{store: store, now: time.Now} }

// Notify tells each user in userIDs (except the actor, who knows what they
// did, and duplicates) about something at url.
func (s *Service) Notify(ctx context.Context, actorID string, userIDs []string, kind, text, url string) error {
	seen := map[string]bool{actorID: true, "": true}
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
	text = truncate(text, 300)
	return s.store.AddNotifications(ctx, to, Notification{Kind: kind, Text: text, URL: url, CreatedAt: s.now()})
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

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
