package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/audit"
	"github.com/townhall/townhall/jobs"
)

// maxAttemptError bounds what an attempt keeps of a failure.
const maxAttemptError = 500

// Deliver is the job handler of the webhook queue: one attempt to POST one
// event to one endpoint. A 2xx answer is success. Timeouts, refused
// connections, 408, 425, 429 and 5xx answers retry (the runner backs off);
// other answers, redirects included, and addresses the guard refuses fail
// the delivery at once, since sending the same request again cannot help.
func (s *Service) Deliver(ctx context.Context, j *jobs.Job) error {
	var d delivery
	if err := json.Unmarshal(j.Payload, &d); err != nil || d.Endpoint == "" {
		return jobs.Permanent(fmt.Errorf("unreadable delivery payload: %v", err))
	}
	ep, err := s.d.Store.Webhook(ctx, d.Endpoint)
	if errors.Is(err, ErrNotFound) {
		return jobs.Permanent(errors.New("the endpoint was deleted"))
	} else if err != nil {
		return err
	}
	if ep.Disabled() {
		return jobs.Permanent(errors.New("the endpoint is disabled; enable it, then redeliver"))
	}
	body := []byte(d.Body)
	if ep.Format == FormatSlack {
		body = slackBody(&d)
	}
	start := s.now()
	status, failure, permanent := s.send(ctx, ep, j, &d, body, start)
	a := &Attempt{ID: townhall.NewID(), EndpointID: ep.ID, JobID: j.ID, EventID: d.EventID, Event: d.Type, Attempt: j.Attempts,
		StatusCode: status, Error: clip(failure, maxAttemptError), OK: failure == "", At: start.UTC().Truncate(time.Millisecond),
		Duration: s.now().Sub(start)}
	// The delivery fails for good with this attempt when retrying cannot
	// help, or the runner will not retry (out of attempts, or past a day).
	a.Final = !a.OK && (permanent || j.Attempts >= MaxAttempts || !start.Before(j.CreatedAt.Add(DisableAfterFor)))
	after, err := s.d.Store.RecordWebhookAttempt(ctx, a)
	if errors.Is(err, ErrNotFound) {
		return jobs.Permanent(errors.New("the endpoint was deleted"))
	} else if err != nil {
		s.d.Logger.Warn("webhook attempt not logged", "endpoint", ep.ID, "err", err)
	} else if !a.OK {
		s.disableIfFailing(ctx, after)
	}
	switch {
	case a.OK:
		return nil
	case permanent:
		return jobs.Permanent(errors.New(failure))
	}
	return errors.New(failure)
}

// send makes one attempt: it returns the answer's status (0 for none), a
// description of the failure ("" on success) and whether retrying is
// pointless.
func (s *Service) send(ctx context.Context, ep *Endpoint, j *jobs.Job, d *delivery, body []byte, at time.Time) (int, string, bool) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return 0, "the endpoint URL cannot be requested: " + err.Error(), true
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Townhall-Webhooks/1 (+"+s.cfg.BaseURL.String()+")")
	h.Set("Townhall-Event", d.Type)
	h.Set("Townhall-Event-Id", d.EventID)
	h.Set("Townhall-Delivery", j.ID)
	h.Set("Townhall-Signature", Sign(ep.Secret, at, body))
	res, err := s.client.Do(req)
	if err != nil {
		var refused *refusedError
		if errors.As(err, &refused) {
			return 0, refused.Error(), true
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return 0, fmt.Sprintf("no answer within %s", Timeout), false
		}
		return 0, err.Error(), false
	}
	defer res.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(res.Body, 300))
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) // lets the connection be reused
	if res.StatusCode/100 == 2 {
		return res.StatusCode, "", false
	}
	msg := fmt.Sprintf("HTTP %d %s", res.StatusCode, http.StatusText(res.StatusCode))
	if loc := res.Header.Get("Location"); res.StatusCode/100 == 3 && loc != "" {
		msg += ": redirects are not followed; register " + loc + " instead"
	} else if t := strings.TrimSpace(strings.ToValidUTF8(string(excerpt), "")); t != "" {
		msg += ": " + t
	}
	return res.StatusCode, msg, !retryable(res.StatusCode)
}

// retryable reports whether an answer with this status may succeed later.
func retryable(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return true
	}
	return status >= 500
}

// disableIfFailing disables an endpoint whose deliveries have failed for
// good DisableAfter times in a row, or that has not had one success in
// DisableAfterFor, and tells every admin, once.
func (s *Service) disableIfFailing(ctx context.Context, ep *Endpoint) {
	var reason string
	switch {
	case ep.Disabled():
		return
	case ep.FailedDeliveries >= DisableAfter:
		reason = fmt.Sprintf("%d deliveries in a row failed", ep.FailedDeliveries)
	case !ep.FailingSince.IsZero() && s.now().Sub(ep.FailingSince) >= DisableAfterFor:
		reason = fmt.Sprintf("every delivery failed for %s", roundDuration(s.now().Sub(ep.FailingSince)))
	default:
		return
	}
	if ep.LastError != "" {
		reason += " (last: " + clip(ep.LastError, 200) + ")"
	}
	changed, err := s.d.Store.DisableWebhook(ctx, ep.ID, reason, s.now().UTC().Truncate(time.Millisecond))
	if err != nil {
		s.d.Logger.Warn("failing webhook endpoint not disabled", "endpoint", ep.ID, "err", err)
		return
	}
	if !changed {
		return // another node did it, and told the admins
	}
	s.forget()
	s.d.Logger.Warn("webhook endpoint disabled", "endpoint", ep.ID, "url", ep.URL, "reason", reason)
	s.d.StaffLog.Record(ctx, nil, audit.Action{Action: "webhook.disable", TargetKind: "webhook", TargetID: ep.ID, Target: ep.URL,
		Before: map[string]any{"disabled": false}, After: map[string]any{"disabled": true}, Reason: reason})
	if s.d.Notify == nil {
		return
	}
	admins, err := s.d.Store.AdminIDs(ctx)
	if err == nil {
		host := ep.URL
		if u, perr := url.Parse(ep.URL); perr == nil {
			host = u.Host
		}
		err = s.d.Notify.Notify(ctx, "", admins, "webhook_disabled",
			fmt.Sprintf("The webhook to %s was turned off: %s. Fix the receiver, then enable it again.", host, reason), "/admin/webhooks/"+ep.ID)
	}
	if err != nil {
		s.d.Logger.Warn("admins not told about a disabled webhook", "endpoint", ep.ID, "err", err)
	}
}

func roundDuration(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	}
	return fmt.Sprintf("%d hours", int(d/time.Hour))
}

// clip bounds s to n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
