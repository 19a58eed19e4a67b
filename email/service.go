package email

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/jobs"
	"github.com/townhall/townhall/notify"
	"github.com/townhall/townhall/reviews"
)

// The queues email registers on the job runner.
const (
	QueueMail   = "mail"   // instant emails: one job per person, group and delay window
	QueueDigest = "digest" // digest runs (a page of members) and each person's digest
)

// Sender hands a composed message to a mail server.
type Sender interface {
	Send(ctx context.Context, m *Message) error
}

// Users is what email reads about people; the auth store has it.
type Users interface {
	User(ctx context.Context, id string) (*townhall.User, error)
	// Users lists users in creation order after the given id.
	Users(ctx context.Context, after string, limit int) ([]*townhall.User, error)
}

// Forum is what email reads from the forum, as the recipient sees it.
type Forum interface {
	Post(ctx context.Context, actor *townhall.User, id string) (*forum.Post, *forum.Thread, error)
	Thread(ctx context.Context, actor *townhall.User, id string, page int) (*forum.ThreadView, error)
}

// Ideas is what email reads from the idea board, as the recipient sees it.
type Ideas interface {
	Idea(ctx context.Context, actor *townhall.User, id string) (*ideas.Idea, error)
	CommentByID(ctx context.Context, actor *townhall.User, id string) (*ideas.Comment, error)
	History(ctx context.Context, id string) ([]*ideas.StatusChange, error)
}

// Reviews is what email reads about reviews, as the recipient sees them.
type Reviews interface {
	Review(ctx context.Context, actor *townhall.User, id string) (*reviews.Review, error)
	Product(ctx context.Context, ref string) (*reviews.Product, error)
}

// JobControl finds and requeues the job behind a message, for an admin's
// retry; the jobs store has it.
type JobControl interface {
	JobByKey(ctx context.Context, key string) (*jobs.Job, error)
	RequeueJob(ctx context.Context, id string, at time.Time) error
}

// Config is how email behaves.
type Config struct {
	SiteName string
	BaseURL  *url.URL
	// From is the sender of every email.
	From *mail.Address
	// Delay is how long a notification waits so that others about the
	// same thread or idea join it in one email; 0 sends at once.
	Delay time.Duration
	// Sender delivers messages; nil keeps them composed but unsent.
	Sender Sender
	// Secret keys the unsubscribe links (the app's secret).
	Secret []byte
	// Location is the site's time zone, in which digest periods begin.
	Location *time.Location
	// DigestHour is the hour of the day (site time) digests go out after
	// their period ended.
	DigestHour int
	Logger     *slog.Logger
}

// Deps are the parts of Townhall email works with.
type Deps struct {
	Store    Store
	Users    Users
	Forum    Forum
	Ideas    Ideas
	Reviews  Reviews
	Jobs     jobs.Enqueuer
	Control  JobControl
	StaffLog townhall.StaffLog
}

// Service composes, queues and sends email, and keeps people's
// preferences about it.
type Service struct {
	cfg    Config
	d      Deps
	tokens tokens
	tmpl   *mailTemplates
	host   string // of the base URL: Message-IDs and List-Id
	clock  atomic.Pointer[func() time.Time]

	// OnDelivery, when set, is told each delivery attempt's outcome (for
	// metrics): StateSent, StateRetrying, StateFailed or StateKept.
	OnDelivery func(State)
}

var _ notify.Mailer = (*Service)(nil)

// NewService returns a Service; it fails only if the mail templates do
// not parse.
func NewService(cfg Config, d Deps) (*Service, error) {
	if cfg.SiteName == "" {
		cfg.SiteName = "Townhall"
	}
	if cfg.BaseURL == nil {
		cfg.BaseURL = &url.URL{Scheme: "http", Host: "localhost"}
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.From == nil {
		cfg.From = DefaultFrom(cfg.SiteName, cfg.BaseURL)
	}
	t, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, d: d, tokens: newTokens(cfg.Secret), tmpl: t, host: cfg.BaseURL.Hostname()}
	s.SetClock(time.Now)
	return s, nil
}

// DefaultFrom is the sender when --mail-from is not set: the site's name
// at a no-reply address of the base URL's host.
func DefaultFrom(site string, base *url.URL) *mail.Address {
	host := base.Hostname()
	if !strings.Contains(host, ".") {
		host += ".localdomain" // "localhost" is not an address a server accepts
	}
	return &mail.Address{Name: cleanLine(site), Address: "noreply@" + host}
}

// SetClock replaces the clock; tests use it, also while the site runs.
func (s *Service) SetClock(now func() time.Time) { s.clock.Store(&now) }

func (s *Service) now() time.Time { return (*s.clock.Load())() }

// From is the sender of every email.
func (s *Service) From() *mail.Address { return s.cfg.From }

// Sending reports whether an SMTP server is configured.
func (s *Service) Sending() bool { return s.cfg.Sender != nil }

// Queues returns the job queues email runs on, for the app to register.
func (s *Service) Queues() []jobs.Queue {
	return []jobs.Queue{
		{Name: QueueMail, Handle: s.handleInstant, Lease: 2 * time.Minute, MaxAttempts: MaxAttempts,
			Backoff: jobs.ExpBackoff(30*time.Second, 2*time.Hour), Workers: 4},
		{Name: QueueDigest, Handle: s.handleDigest, Lease: 2 * time.Minute, MaxAttempts: MaxAttempts,
			Backoff: jobs.ExpBackoff(30*time.Second, 2*time.Hour), Workers: 2},
	}
}

// MaxAttempts is how often one email is tried before it is marked failed:
// with the backoff (30 s doubling up to 2 h) that is about a day.
const MaxAttempts = 16

// instantJob is the payload of a QueueMail job.
type instantJob struct {
	User  string `json:"user"`
	Group string `json:"group"`
}

// Queue implements notify.Mailer: for each recipient who wants this kind
// of notification at once, it enqueues the job that will email them about
// n's group once the delay window ends. The job key names the person, the
// group and the window, so every event of one window shares one job, and
// queueing the same event again adds nothing.
func (s *Service) Queue(ctx context.Context, userIDs []string, n notify.Notification) error {
	// The window is the delay's slot of the clock the event falls in; its
	// job runs a delay after the window's first event, which is after the
	// window ended, so no event of a window arrives after its job ran.
	// Without a delay every event is its own window (two events of one
	// millisecond are told apart by what they say).
	window := strconv.FormatInt(n.CreatedAt.Truncate(s.cfg.Delay).UnixMilli(), 10)
	if s.cfg.Delay <= 0 {
		sum := sha256.Sum256([]byte(n.Kind + "\x00" + n.URL + "\x00" + n.Text))
		window += "." + hex.EncodeToString(sum[:6])
	}
	runAt := n.CreatedAt.Add(s.cfg.Delay)
	for start := 0; start < len(userIDs); start += chunk {
		ids := userIDs[start:min(start+chunk, len(userIDs))]
		prefs, err := s.preferences(ctx, ids)
		if err != nil {
			return err
		}
		var js []*jobs.Job
		for _, uid := range ids {
			if prefs[uid].For(n.Kind) != Instant {
				continue
			}
			payload, _ := json.Marshal(instantJob{User: uid, Group: n.Group})
			js = append(js, &jobs.Job{
				Key:   fmt.Sprintf("mail:%s:%s:%s", uid, n.Group, window),
				Queue: QueueMail, Ref: uid, Payload: payload, RunAt: runAt,
			})
		}
		if len(js) > 0 && s.d.Jobs != nil {
			if _, err := s.d.Jobs.Enqueue(ctx, js...); err != nil {
				return err
			}
		}
	}
	return nil
}

// chunk is how many people one store call reads or writes at most.
const chunk = 500

// preferences returns the preferences of every one of userIDs, defaults
// for those who never chose.
func (s *Service) preferences(ctx context.Context, userIDs []string) (map[string]*Preferences, error) {
	stored, err := s.d.Store.MailPreferences(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Preferences, len(userIDs))
	for _, id := range userIDs {
		out[id] = stored[id].Normalize()
	}
	return out, nil
}

func (s *Service) preferencesOf(ctx context.Context, userID string) (*Preferences, error) {
	m, err := s.preferences(ctx, []string{userID})
	if err != nil {
		return nil, err
	}
	return m[userID], nil
}

// Settings is what a person's email settings page and API show.
type Settings struct {
	*Preferences
	// Address is where their email goes; empty when their sign-in gave
	// none, and AddressOK is false when it is not one we can send to.
	Address   string
	AddressOK bool
}

// Settings returns actor's email settings.
func (s *Service) Settings(ctx context.Context, actor *townhall.User) (*Settings, error) {
	if actor == nil {
		return nil, townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in to change your email settings.")
	}
	p, err := s.preferencesOf(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	_, ok := ValidAddress(actor.Email)
	return &Settings{Preferences: p, Address: actor.Email, AddressOK: ok}, nil
}

// SaveSettings applies a change to actor's preferences.
func (s *Service) SaveSettings(ctx context.Context, actor *townhall.User, c Change) (*Settings, error) {
	cur, err := s.Settings(ctx, actor)
	if err != nil {
		return nil, err
	}
	p, err := cur.Preferences.Apply(c)
	if err != nil {
		return nil, err
	}
	p.UpdatedAt = s.now().UTC().Truncate(time.Millisecond)
	if err := s.d.Store.SaveMailPreferences(ctx, actor.ID, p); err != nil {
		return nil, err
	}
	cur.Preferences = p
	return cur, nil
}

// Unsubscription is what an unsubscribe link does: whose email and which
// kinds it switches off.
type Unsubscription struct {
	User   *townhall.User
	Kinds  []string // kind names; DigestKind for the digest
	Labels []string // the same, as the settings page words them
}

// CheckUnsubscribe reads an unsubscribe token without changing anything
// (ErrBadToken, ErrExpiredToken), for the page that asks to confirm.
func (s *Service) CheckUnsubscribe(ctx context.Context, token string) (*Unsubscription, error) {
	uid, kinds, err := s.tokens.verify(token, s.now())
	if err != nil {
		return nil, err
	}
	u, err := s.d.Users.User(ctx, uid)
	if townhall.ErrorCode(err) == townhall.ENOTFOUND {
		return nil, ErrBadToken
	} else if err != nil {
		return nil, err
	}
	out := &Unsubscription{User: u, Kinds: kinds}
	for _, k := range kinds {
		if k == DigestKind {
			out.Labels = append(out.Labels, "The daily or weekly digest")
		} else if kd, ok := LookupKind(k); ok {
			out.Labels = append(out.Labels, kd.Label)
		}
	}
	return out, nil
}

// Unsubscribe switches off what the token names, for the person it was
// made for, without sign-in. Doing it twice is harmless.
func (s *Service) Unsubscribe(ctx context.Context, token string) (*Unsubscription, error) {
	un, err := s.CheckUnsubscribe(ctx, token)
	if err != nil {
		return nil, err
	}
	p, err := s.preferencesOf(ctx, un.User.ID)
	if err != nil {
		return nil, err
	}
	c := Change{Kinds: map[string]string{}}
	for _, k := range un.Kinds {
		if k == DigestKind {
			never := string(Never)
			c.Digest = &never
		} else {
			c.Kinds[k] = string(Off)
		}
	}
	p, err = p.Apply(c)
	if err != nil {
		return nil, err
	}
	p.UpdatedAt = s.now().UTC().Truncate(time.Millisecond)
	return un, s.d.Store.SaveMailPreferences(ctx, un.User.ID, p)
}

// ValidAddress reports whether s is one email address we can send to,
// and returns it cleaned; a display name, several addresses or line
// breaks are refused.
func ValidAddress(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 254 || strings.ContainsAny(s, "\r\n<>,;\"") {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", false
	}
	local, domain, ok := strings.Cut(a.Address, "@")
	if !ok || local == "" || domain == "" || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", false
	}
	return a.Address, true
}

func requireAdmin(actor *townhall.User) error {
	if actor == nil {
		return townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in.")
	}
	if actor.Role != townhall.RoleAdmin {
		return townhall.Errorf(townhall.EFORBIDDEN, "Only admins can read the site's email.")
	}
	return nil
}

// Messages returns a page of composed email, newest first. Admins only.
func (s *Service) Messages(ctx context.Context, actor *townhall.User, state State, before string) (townhall.Page[*Message], error) {
	var page townhall.Page[*Message]
	if err := requireAdmin(actor); err != nil {
		return page, err
	}
	if state != "" && !state.Valid() {
		return page, townhall.Errorf(townhall.EINVALID, "state must be one of queued, retrying, sent, failed, kept (got %q).", clip(string(state), 40))
	}
	if before != "" && !townhall.ValidID(before) {
		return page, townhall.Errorf(townhall.EINVALID, "The page cursor is not valid; start from the first page.")
	}
	return townhall.Paginate(50, func(n int) ([]*Message, error) {
		return s.d.Store.Messages(ctx, Query{State: state, Before: before, Limit: n})
	}, func(last *Message) string { return last.ID })
}

// Message returns one composed email. Admins only.
func (s *Service) Message(ctx context.Context, actor *townhall.User, id string) (*Message, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	if !townhall.ValidID(id) {
		return nil, ErrNotFound
	}
	return s.d.Store.Message(ctx, id)
}

// ErrNotRetriable is returned by Retry for a message that did not fail.
var ErrNotRetriable = townhall.Errorf(townhall.ECONFLICT, "Only failed email can be retried; this one has not failed.")

// Retry sends a failed email again, with its attempts counted afresh.
// Admins only; recorded in the staff log.
func (s *Service) Retry(ctx context.Context, actor *townhall.User, id string) (*Message, error) {
	m, err := s.Message(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if m.State != StateFailed {
		return nil, ErrNotRetriable
	}
	now := s.now().UTC()
	j, err := s.d.Control.JobByKey(ctx, m.Key)
	switch {
	case err == nil:
		err = s.d.Control.RequeueJob(ctx, j.ID, now)
	case townhall.ErrorCode(err) == townhall.ENOTFOUND:
		// The job was pruned: a new one under the same key finds the
		// stored message and sends it.
		queue := QueueMail
		if m.Kind == DigestKind {
			queue = QueueDigest
		}
		_, err = s.d.Jobs.Enqueue(ctx, &jobs.Job{Key: m.Key, Queue: queue, Ref: m.UserID, Payload: []byte(`{}`), RunAt: now})
	}
	if err != nil && townhall.ErrorCode(err) != townhall.ECONFLICT {
		return nil, err
	}
	if err := s.d.Store.UpdateMessage(ctx, m.ID, Update{State: StateQueued, At: now}); err != nil {
		return nil, err
	}
	townhall.RecordStaff(ctx, s.d.StaffLog, actor, townhall.StaffAction{Action: "email.retry", TargetKind: "email", TargetID: m.ID,
		Target: m.Subject, Before: map[string]any{"state": m.State, "error": m.Error}, After: map[string]any{"state": StateQueued}})
	return s.d.Store.Message(ctx, m.ID)
}

// Prune deletes messages older than keep; the app calls it hourly.
func (s *Service) Prune(ctx context.Context, keep time.Duration) (int, error) {
	return s.d.Store.PruneMessages(ctx, s.now().Add(-keep))
}

// clip bounds a value quoted back in an error message.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
