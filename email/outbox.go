package email

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/jobs"
	"github.com/townhall/townhall/notify"
)

// handleInstant runs a QueueMail job: it sends the message the job
// composed before, or claims the person's pending notifications of the
// group and composes one, or does nothing when nothing is left to say
// (everything was read on the site meanwhile, or switched off).
func (s *Service) handleInstant(ctx context.Context, j *jobs.Job) error {
	if found, err := s.sendComposed(ctx, j); found || err != nil {
		return err
	}
	var p instantJob
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.User == "" {
		return jobs.Permanent(fmt.Errorf("bad mail job payload %q", j.Payload))
	}
	u, prefs, addr, ok, err := s.recipient(ctx, p.User)
	if err != nil || !ok {
		return err
	}
	pending, err := s.d.Store.PendingMail(ctx, u.ID, p.Group, maxItems)
	if err != nil {
		return err
	}
	items, err := s.claim(ctx, u, prefs, j.Key, pending, Instant)
	if err != nil || len(items) == 0 {
		return err
	}
	kinds := distinctKinds(items)
	items = onePerLink(items)
	m, err := s.composeInstant(u, addr, p.Group, items, kinds, j.Key)
	if err != nil {
		return jobs.Permanent(err)
	}
	if m, err = s.d.Store.SaveMessage(ctx, m); err != nil {
		return err
	}
	return s.deliver(ctx, j, m)
}

// sendComposed delivers the message the job composed on an earlier run
// (a retry, or a run after a crash), keeping its Message-ID and content;
// found is false when it has composed none yet.
func (s *Service) sendComposed(ctx context.Context, j *jobs.Job) (found bool, err error) {
	m, err := s.d.Store.MessageByKey(ctx, j.Key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return true, s.deliver(ctx, j, m)
}

// maxItems is the most events one email lists.
const maxItems = 50

// recipient loads the person a job is for: ok is false (and the job has
// nothing to do) when they are gone, asked for no email, or have no
// address we can send to.
func (s *Service) recipient(ctx context.Context, userID string) (*townhall.User, *Preferences, string, bool, error) {
	u, err := s.d.Users.User(ctx, userID)
	if townhall.ErrorCode(err) == townhall.ENOTFOUND {
		return nil, nil, "", false, nil
	} else if err != nil {
		return nil, nil, "", false, err
	}
	prefs, err := s.preferencesOf(ctx, u.ID)
	if err != nil {
		return nil, nil, "", false, err
	}
	addr, ok := ValidAddress(u.Email)
	if !ok || prefs.NoEmail {
		return u, prefs, "", false, nil
	}
	return u, prefs, addr, true, nil
}

// claim takes those of the candidates the person wants delivered as want
// for the email key, and returns what that email is to say about them.
// It claims even when none are wanted: a run interrupted after its claim
// finds what it claimed then.
func (s *Service) claim(ctx context.Context, u *townhall.User, prefs *Preferences, key string, candidates []*notify.Notification, want Delivery) ([]*item, error) {
	var ids []string
	for _, n := range candidates {
		if prefs.For(n.Kind) == want {
			ids = append(ids, n.ID)
		}
	}
	claimed, err := s.d.Store.ClaimMail(ctx, u.ID, key, ids)
	if err != nil || len(claimed) == 0 {
		return nil, err
	}
	return s.resolveAll(ctx, u, claimed)
}

// resolveAll turns claimed notifications into the items of an email,
// leaving out those whose content the recipient can no longer see.
func (s *Service) resolveAll(ctx context.Context, u *townhall.User, ns []*notify.Notification) ([]*item, error) {
	var out []*item
	for _, n := range ns {
		it, ok, err := s.resolve(ctx, u, n)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, it)
		}
	}
	return out, nil
}

// onePerLink keeps the first of several items about the same post (a
// reply that also mentions you): one email shows it once.
func onePerLink(items []*item) []*item {
	seen := map[string]bool{}
	out := items[:0:0]
	for _, it := range items {
		if !seen[it.N.URL] {
			seen[it.N.URL] = true
			out = append(out, it)
		}
	}
	return out
}

// deliver sends a stored message and records the outcome on it; the
// returned error tells the job runner whether to retry.
func (s *Service) deliver(ctx context.Context, j *jobs.Job, m *Message) error {
	switch m.State {
	case StateSent, StateKept:
		return nil // done before this run: a job that ran twice sends once
	}
	now := s.now().UTC()
	if s.cfg.Sender == nil {
		s.outcome(StateKept)
		return s.d.Store.UpdateMessage(ctx, m.ID, Update{State: StateKept, At: now,
			Error: "not sent: no SMTP server is configured (--smtp-url)"})
	}
	err := s.cfg.Sender.Send(ctx, m)
	now = s.now().UTC()
	if err == nil {
		s.outcome(StateSent)
		return s.d.Store.UpdateMessage(ctx, m.ID, Update{State: StateSent, At: now, Attempted: true})
	}
	if ctx.Err() != nil {
		return err // shutting down: the runner tries again at once, not counted
	}
	reason := clip(err.Error(), jobs.MaxError-100)
	if !Temporary(err) || j.Attempts >= MaxAttempts {
		s.outcome(StateFailed)
		if uerr := s.d.Store.UpdateMessage(ctx, m.ID, Update{State: StateFailed, Error: reason, At: now, Attempted: true}); uerr != nil {
			return uerr
		}
		return jobs.Permanent(err)
	}
	s.outcome(StateRetrying)
	if uerr := s.d.Store.UpdateMessage(ctx, m.ID, Update{State: StateRetrying, Error: reason, At: now, Attempted: true}); uerr != nil {
		return uerr
	}
	return err
}

func (s *Service) outcome(st State) {
	if s.OnDelivery != nil {
		s.OnDelivery(st)
	}
}

// Temporary reports whether a delivery error is worth retrying: a 4xx
// reply, or no reply at all (refused, timed out, cut off). A 5xx reply is
// the server's final word.
func Temporary(err error) bool {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code < 500
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		if c := se.ErrorCode(); c >= 500 && c < 600 {
			return false
		}
		return true
	}
	var perm permanentError
	return !errors.As(err, &perm)
}

// permanentError is a failure of our own that retrying cannot fix (a
// message that cannot be built).
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// messageID is the Message-ID of the email a job composes: the same on
// every attempt, so a resend after a crash is recognised as a duplicate.
func (s *Service) messageID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:12]) + "@" + s.host
}

// Digest periods.

// digestRun is the payload of a QueueDigest job that pages through the
// members for one period, and of each member's own digest job.
type digestRun struct {
	Freq   Frequency `json:"freq"`
	Period string    `json:"period"` // "2026-12-01" or "2026-W49"
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	After  string    `json:"after,omitempty"` // the last user of the previous page
	User   string    `json:"user,omitempty"`  // set on a member's digest job
}

// Period returns the last complete digest period of freq before now, in
// the site's time zone: yesterday, or last week (Monday to Monday).
func (s *Service) Period(freq Frequency, now time.Time) (name string, from, to time.Time) {
	t := now.In(s.cfg.Location)
	today := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.cfg.Location)
	if freq == Daily {
		from = today.AddDate(0, 0, -1)
		return from.Format(time.DateOnly), from, today
	}
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	from = monday.AddDate(0, 0, -7)
	y, w := from.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w), from, monday
}

// ScheduleDigests enqueues the run of the last complete daily and weekly
// periods, due DigestHour after each ended. Every node calls it
// periodically; the job keys make it one run per period.
func (s *Service) ScheduleDigests(ctx context.Context) error {
	now := s.now()
	var js []*jobs.Job
	for _, f := range []Frequency{Daily, Weekly} {
		name, from, to := s.Period(f, now)
		payload, _ := json.Marshal(digestRun{Freq: f, Period: name, From: from.UTC(), To: to.UTC()})
		js = append(js, &jobs.Job{Key: fmt.Sprintf("digest-run:%s:%s", f, name), Queue: QueueDigest, Payload: payload,
			RunAt: to.Add(time.Duration(s.cfg.DigestHour) * time.Hour)})
	}
	_, err := s.d.Jobs.Enqueue(ctx, js...)
	return err
}

// digestPage is how many members one run job looks at.
const digestPage = 500

// handleDigest runs a QueueDigest job: a run job enqueues the digests of
// one page of members and the run of the next page; a member's job
// composes and sends their digest.
func (s *Service) handleDigest(ctx context.Context, j *jobs.Job) error {
	if found, err := s.sendComposed(ctx, j); found || err != nil {
		return err
	}
	var r digestRun
	if err := json.Unmarshal(j.Payload, &r); err != nil || !r.Freq.Valid() || r.Period == "" {
		return jobs.Permanent(fmt.Errorf("bad digest job payload %q", j.Payload))
	}
	if r.User != "" {
		return s.digestFor(ctx, j, r)
	}
	users, err := s.d.Users.Users(ctx, r.After, digestPage)
	if err != nil || len(users) == 0 {
		return err
	}
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	prefs, err := s.preferences(ctx, ids)
	if err != nil {
		return err
	}
	var js []*jobs.Job
	for _, u := range users {
		p := prefs[u.ID]
		if _, ok := ValidAddress(u.Email); !ok || p.NoEmail || p.Digest != r.Freq || !away(u, r.From) {
			continue
		}
		mine := r
		mine.User, mine.After = u.ID, ""
		payload, _ := json.Marshal(mine)
		js = append(js, &jobs.Job{Key: fmt.Sprintf("digest:%s:%s:%s", r.Freq, u.ID, r.Period), Queue: QueueDigest, Ref: u.ID, Payload: payload})
	}
	if len(users) == digestPage {
		next := r
		next.After = users[len(users)-1].ID
		payload, _ := json.Marshal(next)
		js = append(js, &jobs.Job{Key: fmt.Sprintf("digest-run:%s:%s:%s", r.Freq, r.Period, next.After), Queue: QueueDigest, Payload: payload})
	}
	if len(js) == 0 {
		return nil
	}
	_, err = s.d.Jobs.Enqueue(ctx, js...)
	return err
}

// away reports whether u is someone a digest is for: they have been here,
// but not since from. Someone who never visited (a customer the product
// team recorded a vote for by email, who never joined) gets none.
func away(u *townhall.User, from time.Time) bool {
	return !u.LastSeenAt.IsZero() && u.LastSeenAt.Before(from)
}

// digestFor composes and sends one member's digest, or nothing when there
// is nothing to say or they visited since the period began.
func (s *Service) digestFor(ctx context.Context, j *jobs.Job, r digestRun) error {
	u, prefs, addr, ok, err := s.recipient(ctx, r.User)
	if err != nil || !ok || prefs.Digest != r.Freq || !away(u, r.From) {
		return err
	}
	notes, err := s.d.Store.DigestMail(ctx, u.ID, r.From, r.To, maxItems)
	if err != nil {
		return err
	}
	items, err := s.claim(ctx, u, prefs, j.Key, notes, Digest)
	if err != nil {
		return err
	}
	threads, err := s.popularThreads(ctx, u, r.From, r.To)
	if err != nil {
		return err
	}
	moved, err := s.movedIdeas(ctx, u, r.From, r.To)
	if err != nil {
		return err
	}
	if len(items) == 0 && len(threads) == 0 && len(moved) == 0 {
		return nil // nothing to say: no email
	}
	m, err := s.composeDigest(u, addr, r, items, threads, moved, j.Key)
	if err != nil {
		return jobs.Permanent(err)
	}
	if m, err = s.d.Store.SaveMessage(ctx, m); err != nil {
		return err
	}
	return s.deliver(ctx, j, m)
}

// digestThreads and digestIdeas bound the digest's two site-wide lists.
const (
	digestThreads = 5
	digestIdeas   = 5
)

// popularThreads lists the period's most replied new threads in the
// categories of the threads u follows (all categories when none).
func (s *Service) popularThreads(ctx context.Context, u *townhall.User, from, to time.Time) ([]threadLine, error) {
	cats, err := s.d.Store.FollowedCategories(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	ts, err := s.d.Store.NewThreads(ctx, cats, from, to, digestThreads)
	if err != nil {
		return nil, err
	}
	var out []threadLine
	for _, t := range ts {
		if t.Hidden {
			continue
		}
		out = append(out, threadLine{Title: t.Title, Link: s.abs(t.URL()), Replies: t.Replies, Author: t.AuthorName})
	}
	return out, nil
}

// movedIdeas lists the ideas whose status changed in the period, most
// voted first, as u can see them.
func (s *Service) movedIdeas(ctx context.Context, u *townhall.User, from, to time.Time) ([]ideaLine, error) {
	changes, err := s.d.Store.StatusChanges(ctx, from, to, 50)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []ideaLine
	for _, ch := range changes {
		if seen[ch.IdeaID] || ch.From == ch.To {
			continue
		}
		seen[ch.IdeaID] = true
		i, err := s.d.Ideas.Idea(ctx, u, ch.IdeaID)
		if townhall.ErrorCode(err) == townhall.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		if i.Hidden != nil || i.Merged() || i.Status != ch.To {
			continue // hidden, merged away, or moved again since: its newer change is listed
		}
		out = append(out, ideaLine{Title: i.Title, Link: s.abs(i.URL()), Status: i.Status.Label(), Votes: i.Votes})
	}
	sortIdeaLines(out)
	if len(out) > digestIdeas {
		out = out[:digestIdeas]
	}
	return out, nil
}

// abs makes a site path an absolute link from the base URL.
func (s *Service) abs(path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	return strings.TrimSuffix(s.cfg.BaseURL.String(), "/") + "/" + strings.TrimPrefix(path, "/")
}
