package townhall

import (
	"context"
	"time"
)

// The event types integrations (webhooks) hear about. Services emit each
// after the write it describes succeeded, and only for content everyone can
// see: content held for review fires its created event when approved, not
// before (each domain's emit helper, in forum/events.go, ideas/events.go
// and reviews/events.go, can be called from the approval). The service
// that owns flags emits EventFlagCreated the same way after storing a flag,
// with the flagged item's kind, id and url and the reason in Data.
const (
	EventThreadCreated     = "thread.created"
	EventPostCreated       = "post.created"
	EventAnswerAccepted    = "answer.accepted"
	EventIdeaCreated       = "idea.created"
	EventIdeaStatusChanged = "idea.status_changed"
	EventIdeaMerged        = "idea.merged"
	EventReviewCreated     = "review.created"
	EventReviewResponded   = "review.responded"
	EventUserJoined        = "user.joined"
	EventFlagCreated       = "flag.created"
	EventWebhookTest       = "webhook.test" // sent by "Send test event" only
)

// EventTypes lists the events a webhook endpoint can subscribe to, in the
// order admin pages offer them.
var EventTypes = []string{
	EventThreadCreated, EventPostCreated, EventAnswerAccepted,
	EventIdeaCreated, EventIdeaStatusChanged, EventIdeaMerged,
	EventReviewCreated, EventReviewResponded, EventUserJoined, EventFlagCreated,
}

// Event is something that happened on the site: a thread started, an idea
// shipped. It carries its subject as JSON-ready data, built by the domain
// that owns it, so deliveries need no knowledge of forums or ideas.
type Event struct {
	Type  string
	At    time.Time
	Actor *User // who did it; nil for the system
	// Data is the subject: maps of strings, numbers, bools and times.
	// Fields named "url" hold site paths; deliveries make them absolute.
	Data map[string]any
	// Summary is one plain-text line for chat messages ("Ann started
	// “Export to CSV” in Support"), and URL the path of the page it is
	// about.
	Summary string
	URL     string
}

// Emitter hears events; the webhooks service implements it. A nil Emitter
// field in a service emits nothing.
type Emitter interface {
	Emit(ctx context.Context, e Event)
}

// Emit sends e through em unless em is nil; services call it after a write.
func Emit(ctx context.Context, em Emitter, e Event) {
	if em != nil {
		em.Emit(ctx, e)
	}
}

// UserData is how events describe a person: never their email.
func UserData(u *User) map[string]any {
	if u == nil {
		return nil
	}
	return map[string]any{"id": u.ID, "handle": u.Handle, "name": u.Name, "role": string(u.Role), "url": "/u/" + u.Handle}
}
