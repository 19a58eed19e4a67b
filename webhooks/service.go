package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/audit"
	"github.com/townhall/townhall/jobs"
)

// Notifier delivers in-app notifications; notify.Service implements it.
type Notifier interface {
	Notify(ctx context.Context, actorID string, userIDs []string, kind, text, url string) error
}

// Deps are what the service works with.
type Deps struct {
	Store    Store
	Jobs     jobs.Store    // the delivery log: jobs of the webhook queue, by endpoint
	Queue    jobs.Enqueuer // where deliveries go
	Notify   Notifier      // tells admins about disabled endpoints; may be nil
	StaffLog *audit.Log    // may be nil
	Logger   *slog.Logger
}

// Config is how the site presents itself in deliveries, and whether
// private addresses may receive them.
type Config struct {
	BaseURL  *url.URL
	SiteName string
	// AllowPrivate lets endpoints be on loopback and private networks
	// (--webhooks-allow-private): for tests and receivers inside the
	// operator's own network.
	AllowPrivate bool
}

// Service registers endpoints, turns events into deliveries and delivers
// them.
type Service struct {
	d        Deps
	cfg      Config
	client   *http.Client
	resolver Resolver

	clock     atomic.Pointer[func() time.Time]
	retryBase atomic.Int64 // nanoseconds; see SetRetryBase

	mu       sync.Mutex
	cached   []*Endpoint // every endpoint, for Emit
	cachedAt time.Time
}

// cacheFor is how long a node emits to the endpoints it read last: a new
// or changed endpoint reaches every node within it.
const cacheFor = 5 * time.Second

// RetryBase is the delay before the first retry; each further retry
// waits twice as long, at most RetryLimit, until a day has passed.
const (
	RetryBase   = 5 * time.Second
	RetryLimit  = 4 * time.Hour
	MaxAttempts = 20
)

// NewService returns a Service.
func NewService(d Deps, cfg Config) *Service {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if cfg.BaseURL == nil {
		cfg.BaseURL = &url.URL{Scheme: "http", Host: "localhost"}
	}
	s := &Service{d: d, cfg: cfg, client: NewClient(cfg.AllowPrivate), resolver: net.DefaultResolver}
	s.retryBase.Store(int64(RetryBase))
	return s
}

// SetClock replaces the clock of attempts and failure durations; tests use
// it. Safe while deliveries run.
func (s *Service) SetClock(now func() time.Time) { s.clock.Store(&now) }

// SetRetryBase changes the delay before the first retry (tests make it
// short); safe while deliveries run.
func (s *Service) SetRetryBase(d time.Duration) { s.retryBase.Store(int64(d)) }

func (s *Service) now() time.Time {
	if f := s.clock.Load(); f != nil {
		return (*f)()
	}
	return time.Now()
}

// QueueSpec is the delivery queue for the job runner.
func (s *Service) QueueSpec() jobs.Queue {
	return jobs.Queue{
		Name:        Queue,
		Handle:      s.Deliver,
		Lease:       time.Minute,
		MaxAttempts: MaxAttempts,
		MaxAge:      DisableAfterFor,
		Backoff: func(attempt int) time.Duration {
			return jobs.ExpBackoff(time.Duration(s.retryBase.Load()), RetryLimit)(attempt)
		},
		Workers: 2,
	}
}

func requireAdmin(actor *townhall.User) error {
	if actor == nil {
		return townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in.")
	}
	if actor.Role != townhall.RoleAdmin {
		return townhall.Errorf(townhall.EFORBIDDEN, "Only admins can manage webhooks.")
	}
	return nil
}

// Input is an endpoint as the admin form or the API gives it. An empty
// Secret makes one (on create) or keeps the current one (on update).
type Input struct {
	URL         string
	Events      []string
	Secret      string
	Format      string
	Description string
}

// clean validates in into e (URL, Events, Secret, Format, Description).
func (s *Service) clean(ctx context.Context, in Input, e *Endpoint) error {
	u, err := CheckURL(ctx, in.URL, s.cfg.AllowPrivate, s.resolver)
	if err != nil {
		return err
	}
	if len(in.Events) == 0 {
		return townhall.Errorf(townhall.EINVALID, "Events must list at least one event, like thread.created.")
	}
	var events []string
	for _, ev := range in.Events {
		ev = strings.TrimSpace(ev)
		if !slices.Contains(townhall.EventTypes, ev) {
			return townhall.Errorf(townhall.EINVALID, "Events: %.40q is not an event; use %s.", ev, strings.Join(townhall.EventTypes, ", "))
		}
		if !slices.Contains(events, ev) {
			events = append(events, ev)
		}
	}
	slices.SortFunc(events, func(a, b string) int {
		return slices.Index(townhall.EventTypes, a) - slices.Index(townhall.EventTypes, b)
	})
	format := strings.ToLower(strings.TrimSpace(in.Format))
	if format == "" {
		format = FormatJSON
	}
	if format != FormatJSON && format != FormatSlack {
		return townhall.Errorf(townhall.EINVALID, "Format must be json or slack (got %.20q).", in.Format)
	}
	desc, err := townhall.CleanText("Description", in.Description, 0, MaxDescription)
	if err != nil {
		return err
	}
	if in.Secret != "" {
		secret, err := townhall.CleanText("Secret", in.Secret, MinSecret, MaxSecret)
		if err != nil {
			return err
		}
		e.Secret = secret
	}
	if e.Secret == "" {
		var b [24]byte
		rand.Read(b[:])
		e.Secret = "whsec_" + hex.EncodeToString(b[:])
	}
	e.URL, e.Events, e.Format, e.Description = u, events, format, desc
	return nil
}

// summary is what the staff log keeps of an endpoint: never its secret.
func summary(e *Endpoint) map[string]any {
	return map[string]any{"url": e.URL, "events": e.Events, "format": e.Format, "description": e.Description}
}

// Register adds an endpoint. Admins only.
func (s *Service) Register(ctx context.Context, actor *townhall.User, in Input) (*Endpoint, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	all, err := s.d.Store.Webhooks(ctx)
	if err != nil {
		return nil, err
	}
	if len(all) >= MaxEndpoints {
		return nil, townhall.Errorf(townhall.ECONFLICT, "This site has %d webhook endpoints, the most it can have; delete one first.", len(all))
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	e := &Endpoint{ID: townhall.NewID(), CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
	if err := s.clean(ctx, in, e); err != nil {
		return nil, err
	}
	if err := s.d.Store.CreateWebhook(ctx, e); err != nil {
		return nil, err
	}
	s.forget()
	s.d.StaffLog.Record(ctx, actor, audit.Action{Action: "webhook.create", TargetKind: "webhook", TargetID: e.ID, Target: e.URL, After: summary(e)})
	return e, nil
}

// Endpoint returns one endpoint. Admins only.
func (s *Service) Endpoint(ctx context.Context, actor *townhall.User, id string) (*Endpoint, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	if !townhall.ValidID(id) {
		return nil, ErrNotFound
	}
	return s.d.Store.Webhook(ctx, id)
}

// List returns every endpoint, oldest first. Admins only.
func (s *Service) List(ctx context.Context, actor *townhall.User) ([]*Endpoint, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	return s.d.Store.Webhooks(ctx)
}

// Update replaces an endpoint's settings. Admins only.
func (s *Service) Update(ctx context.Context, actor *townhall.User, id string, in Input) (*Endpoint, error) {
	old, err := s.Endpoint(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	e := *old
	if err := s.clean(ctx, in, &e); err != nil {
		return nil, err
	}
	e.UpdatedAt = s.now().UTC().Truncate(time.Millisecond)
	if err := s.d.Store.UpdateWebhook(ctx, &e); err != nil {
		return nil, err
	}
	s.forget()
	before, after := summary(old), summary(&e)
	if e.Secret != old.Secret {
		before["secret"], after["secret"] = "(old)", "(changed)"
	}
	s.d.StaffLog.Record(ctx, actor, audit.Action{Action: "webhook.update", TargetKind: "webhook", TargetID: e.ID, Target: e.URL, Before: before, After: after})
	return &e, nil
}

// Delete removes an endpoint; its pending deliveries fail. Admins only.
func (s *Service) Delete(ctx context.Context, actor *townhall.User, id string) error {
	e, err := s.Endpoint(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := s.d.Store.DeleteWebhook(ctx, id); err != nil {
		return err
	}
	s.forget()
	s.d.StaffLog.Record(ctx, actor, audit.Action{Action: "webhook.delete", TargetKind: "webhook", TargetID: e.ID, Target: e.URL, Before: summary(e)})
	return nil
}

// Enable turns a disabled endpoint back on with a clean failure record.
// Admins only; enabling an enabled endpoint is harmless.
func (s *Service) Enable(ctx context.Context, actor *townhall.User, id string) (*Endpoint, error) {
	e, err := s.Endpoint(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if !e.Disabled() {
		return e, nil
	}
	if err := s.d.Store.EnableWebhook(ctx, id, s.now()); err != nil {
		return nil, err
	}
	s.forget()
	s.d.StaffLog.Record(ctx, actor, audit.Action{Action: "webhook.enable", TargetKind: "webhook", TargetID: e.ID, Target: e.URL,
		Before: map[string]any{"disabled": true, "reason": e.DisabledReason}, After: map[string]any{"disabled": false}})
	return s.d.Store.Webhook(ctx, id)
}

// forget drops this node's endpoint cache after a change made here.
func (s *Service) forget() {
	s.mu.Lock()
	s.cached, s.cachedAt = nil, time.Time{}
	s.mu.Unlock()
}

// endpoints returns every endpoint, from this node's cache when fresh.
func (s *Service) endpoints(ctx context.Context) ([]*Endpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.cachedAt.IsZero() && time.Since(s.cachedAt) < cacheFor {
		return s.cached, nil
	}
	all, err := s.d.Store.Webhooks(ctx)
	if err != nil {
		return nil, err
	}
	s.cached, s.cachedAt = all, time.Now()
	return all, nil
}

// Emit turns an event into one delivery job per enabled endpoint that
// subscribed to its type. The write the event describes has happened, so
// a failure here is logged, never returned.
func (s *Service) Emit(ctx context.Context, e townhall.Event) {
	ctx = context.WithoutCancel(ctx) // a client hanging up must not lose the event
	all, err := s.endpoints(ctx)
	if err != nil {
		s.d.Logger.Warn("webhook event not emitted", "event", e.Type, "err", err)
		return
	}
	var to []*Endpoint
	for _, ep := range all {
		if !ep.Disabled() && ep.Wants(e.Type) {
			to = append(to, ep)
		}
	}
	if len(to) == 0 {
		return
	}
	if err := s.enqueue(ctx, e, to); err != nil {
		s.d.Logger.Warn("webhook deliveries not enqueued", "event", e.Type, "err", err)
	}
}

// enqueue builds e once and enqueues a delivery of it to each endpoint.
func (s *Service) enqueue(ctx context.Context, e townhall.Event, to []*Endpoint) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	id := townhall.NewID()
	d, err := build(s.cfg.BaseURL, s.cfg.SiteName, id, e)
	if err != nil {
		return err
	}
	js := make([]*jobs.Job, 0, len(to))
	for _, ep := range to {
		d.Endpoint = ep.ID
		payload, err := json.Marshal(d)
		if err != nil {
			return err
		}
		js = append(js, &jobs.Job{Key: "webhook:" + ep.ID + ":" + id, Queue: Queue, Ref: ep.ID, Payload: payload})
	}
	_, err = s.d.Queue.Enqueue(ctx, js...)
	return err
}

// SendTest delivers a webhook.test event to one endpoint, whatever it
// subscribed to. Admins only.
func (s *Service) SendTest(ctx context.Context, actor *townhall.User, id string) error {
	e, err := s.Endpoint(ctx, actor, id)
	if err != nil {
		return err
	}
	if e.Disabled() {
		return townhall.Errorf(townhall.ECONFLICT, "This endpoint is disabled; enable it first, then send a test event.")
	}
	return s.enqueue(ctx, townhall.Event{
		Type: townhall.EventWebhookTest, Actor: actor, URL: "/admin/webhooks/" + e.ID,
		Summary: "Test event from " + s.cfg.SiteName + ": this endpoint receives its webhooks.",
		Data:    map[string]any{"endpoint": map[string]any{"id": e.ID, "url": e.URL, "events": e.Events}},
	}, []*Endpoint{e})
}

// Delivery is one event's delivery to one endpoint, with its attempts.
type Delivery struct {
	Job      *jobs.Job
	EventID  string
	Event    string
	Attempts []*Attempt // newest first
}

// Last is the newest attempt, or nil before the first.
func (d *Delivery) Last() *Attempt {
	if len(d.Attempts) == 0 {
		return nil
	}
	return d.Attempts[0]
}

// DeliveriesPage is how many deliveries one page of the log lists.
const DeliveriesPage = 25

// Deliveries returns a page of an endpoint's delivery log, newest first:
// each delivery's state (from the queue) and its attempts with response
// codes. Admins only.
func (s *Service) Deliveries(ctx context.Context, actor *townhall.User, id, before string) (townhall.Page[*Delivery], error) {
	var page townhall.Page[*Delivery]
	if _, err := s.Endpoint(ctx, actor, id); err != nil {
		return page, err
	}
	if before != "" && !townhall.ValidID(before) {
		return page, townhall.Errorf(townhall.EINVALID, "The page cursor is not valid; start from the first page.")
	}
	jp, err := townhall.Paginate(DeliveriesPage, func(n int) ([]*jobs.Job, error) {
		return s.d.Jobs.Jobs(ctx, jobs.Query{Queue: Queue, Ref: id, Before: before, Limit: n})
	}, func(last *jobs.Job) string { return last.ID })
	if err != nil {
		return page, err
	}
	ids := make([]string, len(jp.Items))
	for i, j := range jp.Items {
		ids[i] = j.ID
	}
	attempts, err := s.d.Store.WebhookAttempts(ctx, id, ids)
	if err != nil {
		return page, err
	}
	byJob := map[string][]*Attempt{}
	for _, a := range attempts {
		byJob[a.JobID] = append(byJob[a.JobID], a)
	}
	page.Next, page.Items = jp.Next, make([]*Delivery, len(jp.Items))
	for i, j := range jp.Items {
		var d delivery
		json.Unmarshal(j.Payload, &d) // a delivery the log cannot read still lists, without its event
		page.Items[i] = &Delivery{Job: j, EventID: d.EventID, Event: d.Type, Attempts: byJob[j.ID]}
	}
	return page, nil
}

// Redeliver sends a finished delivery (done or failed) again, with the
// same event id and body. Admins only.
func (s *Service) Redeliver(ctx context.Context, actor *townhall.User, endpointID, deliveryID string) error {
	e, err := s.Endpoint(ctx, actor, endpointID)
	if err != nil {
		return err
	}
	if !townhall.ValidID(deliveryID) {
		return ErrDeliveryNotFound
	}
	j, err := s.d.Jobs.Job(ctx, deliveryID)
	if townhall.ErrorCode(err) == townhall.ENOTFOUND || err == nil && (j.Queue != Queue || j.Ref != endpointID) {
		return ErrDeliveryNotFound
	} else if err != nil {
		return err
	}
	if e.Disabled() {
		return townhall.Errorf(townhall.ECONFLICT, "This endpoint is disabled; enable it first, then redeliver.")
	}
	if err := s.d.Jobs.RequeueJob(ctx, j.ID, s.now()); err != nil {
		return err
	}
	if w, ok := s.d.Queue.(interface{ Wake(string) }); ok {
		w.Wake(Queue)
	}
	s.d.StaffLog.Record(ctx, actor, audit.Action{Action: "webhook.redeliver", TargetKind: "webhook", TargetID: e.ID, Target: e.URL,
		After: map[string]any{"delivery": j.ID}})
	return nil
}

// Prune deletes attempts older than the queue keeps failed deliveries.
func (s *Service) Prune(ctx context.Context, keep time.Duration) (int, error) {
	return s.d.Store.PruneWebhookAttempts(ctx, s.now().Add(-keep))
}
