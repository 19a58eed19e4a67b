// Package webhooks tells other systems what happens on the site: admins
// register endpoints (a URL, the events it wants, a signing secret), and
// every event (a thread started, an idea shipped) becomes one delivery per
// subscribed endpoint, a job on the durable queue (package jobs) keyed
// "webhook:<endpoint>:<event id>", so an event is delivered once per
// endpoint however often it is enqueued.
//
// A delivery is an HTTP POST of the event's JSON (version 1, see payload.go),
// or of a Slack-compatible {"text": "..."} message for endpoints in that
// format, signed with the endpoint's secret in the Townhall-Signature header
// (t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">). Failures retry
// with exponential backoff, the first within seconds, for up to a day; each
// attempt is logged with its response code. An endpoint that keeps failing
// is disabled and the admins are told.
//
// Deliveries never reach private networks: the target is checked when an
// endpoint is registered and again on every connection, after DNS
// resolution, so a name that later resolves to 127.0.0.1 cannot turn a
// webhook into a way into the server's own network (see ssrf.go).
package webhooks

import (
	"context"
	"time"
)

// Formats of a delivery's body.
const (
	FormatJSON  = "json"  // the versioned event payload
	FormatSlack = "slack" // {"text": "..."} for Slack or Mattermost incoming webhooks
)

// Limits and defaults.
const (
	MaxEndpoints    = 50
	MaxURL          = 2000
	MinSecret       = 16
	MaxSecret       = 200
	MaxDescription  = 200
	Queue           = "webhook" // the jobs queue deliveries go through
	DisableAfter    = 10        // consecutive deliveries that failed for good
	DisableAfterFor = 24 * time.Hour
	Timeout         = 10 * time.Second // per delivery attempt
	PayloadVersion  = 1
)

// Endpoint is one registered receiver.
type Endpoint struct {
	ID          string
	URL         string
	Events      []string // event types it receives
	Secret      string   // signs deliveries; shown to admins only
	Format      string   // FormatJSON or FormatSlack
	Description string
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time

	// Health, moved by every attempt.
	Failures         int // consecutive failed attempts
	FailedDeliveries int // consecutive deliveries that failed for good
	FailingSince     time.Time
	LastAttemptAt    time.Time
	LastSuccessAt    time.Time
	LastStatus       int // the last response's status code; 0 for none
	LastError        string
	DisabledAt       time.Time
	DisabledReason   string
}

// Disabled reports whether the endpoint receives nothing until re-enabled.
func (e *Endpoint) Disabled() bool { return !e.DisabledAt.IsZero() }

// Wants reports whether the endpoint receives events of type t.
func (e *Endpoint) Wants(t string) bool {
	for _, ev := range e.Events {
		if ev == t {
			return true
		}
	}
	return false
}

// Attempt is one try to deliver one event to one endpoint.
type Attempt struct {
	ID         string
	EndpointID string
	JobID      string // the delivery: one job per endpoint and event
	EventID    string
	Event      string
	Attempt    int
	StatusCode int // 0: no response (refused, timed out)
	Error      string
	OK         bool
	Final      bool // the delivery failed for good with this attempt
	Duration   time.Duration
	At         time.Time
}

// Store is what webhooks need from a backend. Each method is atomic.
type Store interface {
	CreateWebhook(ctx context.Context, e *Endpoint) error
	// Webhook returns one endpoint (ErrNotFound).
	Webhook(ctx context.Context, id string) (*Endpoint, error)
	// Webhooks lists every endpoint, oldest first.
	Webhooks(ctx context.Context) ([]*Endpoint, error)
	// UpdateWebhook replaces URL, Events, Secret, Format, Description and
	// UpdatedAt (ErrNotFound).
	UpdateWebhook(ctx context.Context, e *Endpoint) error
	// DeleteWebhook removes an endpoint and its attempts (ErrNotFound).
	DeleteWebhook(ctx context.Context, id string) error
	// RecordWebhookAttempt logs a and moves its endpoint's health in the
	// same step: a success clears the failure counts, a failure adds one
	// (and one failed delivery when Final) and starts FailingSince. It
	// returns the endpoint as it is after (ErrNotFound, logging nothing,
	// when it was deleted).
	RecordWebhookAttempt(ctx context.Context, a *Attempt) (*Endpoint, error)
	// DisableWebhook disables an enabled endpoint; changed is false when it
	// was disabled already (ErrNotFound).
	DisableWebhook(ctx context.Context, id, reason string, at time.Time) (changed bool, err error)
	// EnableWebhook enables an endpoint and clears its failure state
	// (ErrNotFound).
	EnableWebhook(ctx context.Context, id string, at time.Time) error
	// WebhookAttempts lists the attempts of the given deliveries of an
	// endpoint, newest first.
	WebhookAttempts(ctx context.Context, endpointID string, jobIDs []string) ([]*Attempt, error)
	// PruneWebhookAttempts deletes attempts made before before.
	PruneWebhookAttempts(ctx context.Context, before time.Time) (int, error)
	// AdminIDs lists the admins, who hear about disabled endpoints.
	AdminIDs(ctx context.Context) ([]string, error)
}
