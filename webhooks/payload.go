package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/townhall/townhall"
)

// Payload is version 1 of an event as endpoints in the JSON format receive
// it. Fields are only ever added within a version; a change that would
// break a receiver bumps Version.
type Payload struct {
	Version   int            `json:"version"`
	ID        string         `json:"id"`   // the event's id: the same in every retry and redelivery
	Type      string         `json:"type"` // "thread.created", ...
	CreatedAt time.Time      `json:"created_at"`
	Site      Site           `json:"site"`
	Actor     map[string]any `json:"actor"` // who did it; null for the system
	Data      map[string]any `json:"data"`  // the subject, by type (README)
}

// Site names the community an event comes from.
type Site struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// delivery is a delivery job's payload: everything needed to send it, so a
// retry or redelivery sends the same event even after its subject changed.
type delivery struct {
	Endpoint string          `json:"endpoint"`
	EventID  string          `json:"event_id"`
	Type     string          `json:"type"`
	Body     json.RawMessage `json:"body"`    // the Payload, as sent
	Summary  string          `json:"summary"` // for the Slack format
	URL      string          `json:"url"`     // absolute
}

// absolute makes every "url" field (a site path) under v absolute.
func absolute(base *url.URL, v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if s, ok := val.(string); ok && k == "url" {
				out[k] = absURL(base, s)
			} else {
				out[k] = absolute(base, val)
			}
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = absolute(base, val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = absolute(base, val)
		}
		return out
	}
	return v
}

func absURL(base *url.URL, path string) string {
	if path == "" || !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") {
		return path
	}
	return strings.TrimSuffix(base.String(), "/") + path
}

// build renders an event as a delivery for the JSON format and keeps what
// the Slack format needs beside it.
func build(base *url.URL, siteName, id string, e townhall.Event) (*delivery, error) {
	p := Payload{Version: PayloadVersion, ID: id, Type: e.Type, CreatedAt: e.At.UTC(), Site: Site{Name: siteName, URL: base.String()}}
	if e.Actor != nil {
		p.Actor, _ = absolute(base, townhall.UserData(e.Actor)).(map[string]any)
	}
	p.Data, _ = absolute(base, e.Data).(map[string]any)
	if p.Data == nil {
		p.Data = map[string]any{}
	}
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return &delivery{EventID: id, Type: e.Type, Body: body, Summary: e.Summary, URL: absURL(base, e.URL)}, nil
}

// slackEscape escapes the three characters Slack's mrkdwn reserves.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// slackBody is the incoming-webhook message for d: its summary and a link.
func slackBody(d *delivery) []byte {
	text := slackEscape(d.Summary)
	if d.URL != "" {
		text += " <" + strings.NewReplacer("|", "%7C", ">", "%3E").Replace(d.URL) + "|Open>"
	}
	b, _ := json.Marshal(map[string]string{"text": text})
	return b
}

// Sign is the Townhall-Signature header of body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by secret>".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a Townhall-Signature header against body and secret, and
// that it was made within tolerance of now: what a receiver does (the
// README shows the same in shell).
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) bool {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return false
	}
	at := time.Unix(sec, 0)
	if now.Sub(at).Abs() > tolerance {
		return false
	}
	want := Sign(secret, at, body)
	_, wantSig, _ := strings.Cut(want, ",v1=")
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(wantSig)) {
			return true
		}
	}
	return false
}
