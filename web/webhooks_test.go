package web_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/audit"
	"github.com/townhall/townhall/webhooks"
)

// receiver is a real HTTP endpoint on loopback that records every
// delivery and answers with the status status(n) gives the n-th (from 1).
type receiver struct {
	srv    *httptest.Server
	status func(n int) int
	mu     sync.Mutex
	got    []delivered
}

type delivered struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, status func(n int) int) *receiver {
	t.Helper()
	r := &receiver{status: status}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, delivered{req.Header.Clone(), b})
		n := len(r.got)
		r.mu.Unlock()
		code := http.StatusOK
		if r.status != nil {
			code = r.status(n)
		}
		w.WriteHeader(code)
		io.WriteString(w, http.StatusText(code))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func (r *receiver) all() []delivered {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivered(nil), r.got...)
}

// waitFor polls cond until it holds, failing after a few seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// byType waits for the delivery of an event type and returns its payload.
func (r *receiver) byType(t *testing.T, typ string) (delivered, webhooks.Payload) {
	t.Helper()
	var found delivered
	waitFor(t, "a "+typ+" delivery", func() bool {
		for _, d := range r.all() {
			if d.header.Get("Townhall-Event") == typ {
				found = d
				return true
			}
		}
		return false
	})
	var p webhooks.Payload
	if err := json.Unmarshal(found.body, &p); err != nil {
		t.Fatalf("%s body is not JSON: %v: %s", typ, err, found.body)
	}
	return found, p
}

type webhookResp struct {
	ID               string
	URL              string
	Events           []string
	Format           string
	Secret           string
	Active           bool
	Failures         int
	FailedDeliveries int    `json:"failed_deliveries"`
	LastStatus       int    `json:"last_status"`
	DisabledReason   string `json:"disabled_reason"`
}

type deliveryResp struct {
	ID         string
	Event      string
	EventID    string `json:"event_id"`
	State      string
	Attempts   int
	LastStatus int    `json:"last_status"`
	LastError  string `json:"last_error"`
	Log        []struct {
		Attempt    int
		StatusCode int `json:"status_code"`
		OK         bool
		Error      string
	}
}

func privateWebhooks(c *app.Config) { c.WebhooksAllowPrivate = true }

func register(t *testing.T, admin *apptest.Client, url, secret string, events ...string) webhookResp {
	t.Helper()
	var w webhookResp
	admin.JSON("POST", "/api/v1/webhooks", map[string]any{"url": url, "events": events, "secret": secret}, http.StatusCreated, &w)
	return w
}

func deliveries(t *testing.T, admin *apptest.Client, id string) []deliveryResp {
	t.Helper()
	var out struct{ Items []deliveryResp }
	admin.JSON("GET", "/api/v1/webhooks/"+id+"/deliveries", nil, http.StatusOK, &out)
	return out.Items
}

func getWebhook(t *testing.T, admin *apptest.Client, id string) webhookResp {
	t.Helper()
	var w webhookResp
	admin.JSON("GET", "/api/v1/webhooks/"+id, nil, http.StatusOK, &w)
	return w
}

// checkSignature verifies a delivery's Townhall-Signature by hand, as the
// README tells receivers to.
func checkSignature(t *testing.T, d delivered, secret string) {
	t.Helper()
	sig := d.header.Get("Townhall-Signature")
	parts := strings.Split(sig, ",")
	if len(parts) != 2 || !strings.HasPrefix(parts[0], "t=") || !strings.HasPrefix(parts[1], "v1=") {
		t.Fatalf("signature header %q", sig)
	}
	ts := strings.TrimPrefix(parts[0], "t=")
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "." + string(d.body)))
	if want := hex.EncodeToString(m.Sum(nil)); strings.TrimPrefix(parts[1], "v1=") != want {
		t.Fatalf("signature %q does not match the body's HMAC %s", sig, want)
	}
	if !webhooks.Verify(secret, sig, d.body, time.Now(), 5*time.Minute) {
		t.Fatal("webhooks.Verify refuses a good signature")
	}
	if webhooks.Verify("another secret!!", sig, d.body, time.Now(), 5*time.Minute) || webhooks.Verify(secret, sig, append(d.body, ' '), time.Now(), 5*time.Minute) {
		t.Fatal("webhooks.Verify accepts a wrong secret or a changed body")
	}
}

// TestWebhookEventsSignedAndVersioned: every event type reaches a
// subscribed endpoint as a signed, versioned payload with absolute URLs,
// and nothing about hidden content goes out.
func TestWebhookEventsSignedAndVersioned(t *testing.T) {
	env := apptest.Start(t, apptest.WithConfig(privateWebhooks))
	admin := env.Client(t, "Ada", "")
	rcv := newReceiver(t, nil)
	const secret = "a-long-enough-secret"
	w := register(t, admin, rcv.srv.URL+"/hook", secret, townhall.EventTypes[:9]...)
	if !w.Active || w.Secret != secret || len(w.Events) != 9 {
		t.Fatalf("registered %+v", w)
	}
	// The endpoint list is cached for a few seconds per node; this node
	// forgot it on the change, so the next event already goes out.
	ann := env.Client(t, "Ann", "") // user.joined
	mod := env.Client(t, "Mo", townhall.RoleModerator)
	pm := env.Client(t, "Pat", townhall.RoleProduct)
	var cat apiCategory
	admin.JSON("POST", "/api/v1/categories", map[string]any{"name": "Questions", "questions": true}, http.StatusCreated, &cat)
	var th apiThread
	ann.JSON("POST", "/api/v1/threads", map[string]string{"category": cat.Slug, "title": "How to export?", "body": "Need *CSV*"}, http.StatusCreated, &th)
	var reply apiPost
	mod.JSON("POST", "/api/v1/threads/"+th.ID+"/posts", map[string]string{"body": "Use the export button."}, http.StatusCreated, &reply)
	ann.JSON("POST", "/api/v1/posts/"+reply.ID+"/accept", nil, http.StatusOK, nil)
	i := propose(t, ann, "Dark mode")
	dup := propose(t, ann, "Night theme")
	pm.JSON("PUT", "/api/v1/ideas/"+i.ID+"/status", map[string]any{"status": "planned", "response": "On it"}, http.StatusOK, nil)
	pm.JSON("POST", "/api/v1/ideas/"+dup.ID+"/merge", map[string]any{"into": i.ID}, http.StatusOK, nil)
	var prod struct{ ID, Slug string }
	pm.JSON("POST", "/api/v1/products", map[string]any{"name": "Widget Pro"}, http.StatusCreated, &prod)
	var rev struct{ ID string }
	ann.JSON("POST", "/api/v1/products/"+prod.ID+"/reviews", map[string]any{"rating": 4, "title": "Solid", "body": "Works"}, http.StatusCreated, &rev)
	pm.JSON("PUT", "/api/v1/reviews/"+rev.ID+"/response", map[string]any{"body": "Thanks!"}, http.StatusOK, nil)

	base := env.URL
	checks := map[string]func(t *testing.T, p webhooks.Payload){
		"user.joined": func(t *testing.T, p webhooks.Payload) {
			u := p.Data["user"].(map[string]any)
			if u["handle"] == "" || p.Actor["id"] != u["id"] || u["email"] != nil {
				t.Fatalf("user.joined data %v", p.Data)
			}
		},
		"thread.created": func(t *testing.T, p webhooks.Payload) {
			tt := p.Data["thread"].(map[string]any)
			post := p.Data["post"].(map[string]any)
			if tt["id"] != th.ID || tt["title"] != "How to export?" || tt["url"] != base+"/t/"+th.ID || post["body"] != "Need *CSV*" ||
				!strings.Contains(post["body_html"].(string), "<em>CSV</em>") || p.Actor["id"] != ann.User.ID ||
				tt["category"].(map[string]any)["name"] != "Questions" {
				t.Fatalf("thread.created data %v actor %v", p.Data, p.Actor)
			}
		},
		"post.created": func(t *testing.T, p webhooks.Payload) {
			post := p.Data["post"].(map[string]any)
			if post["id"] != reply.ID || !strings.HasPrefix(post["url"].(string), base+"/t/"+th.ID) || p.Actor["id"] != mod.User.ID {
				t.Fatalf("post.created data %v", p.Data)
			}
		},
		"answer.accepted": func(t *testing.T, p webhooks.Payload) {
			if p.Data["answer"].(map[string]any)["id"] != reply.ID || p.Data["thread"].(map[string]any)["solved"] != true {
				t.Fatalf("answer.accepted data %v", p.Data)
			}
		},
		"idea.created": func(t *testing.T, p webhooks.Payload) {
			if idea := p.Data["idea"].(map[string]any); idea["id"] != i.ID || idea["url"] != base+"/ideas/"+i.ID || idea["votes"] != 1.0 {
				t.Fatalf("idea.created data %v", p.Data)
			}
		},
		"idea.status_changed": func(t *testing.T, p webhooks.Payload) {
			if p.Data["from"] != "open" || p.Data["to"] != "planned" || p.Data["response"] != "On it" || p.Data["idea"].(map[string]any)["status"] != "planned" {
				t.Fatalf("idea.status_changed data %v", p.Data)
			}
		},
		"idea.merged": func(t *testing.T, p webhooks.Payload) {
			if p.Data["idea"].(map[string]any)["id"] != dup.ID || p.Data["into"].(map[string]any)["id"] != i.ID || p.Data["into"].(map[string]any)["votes"] != 1.0 {
				t.Fatalf("idea.merged data %v", p.Data)
			}
		},
		"review.created": func(t *testing.T, p webhooks.Payload) {
			r := p.Data["review"].(map[string]any)
			if r["id"] != rev.ID || r["rating"] != 4.0 || p.Data["product"].(map[string]any)["name"] != "Widget Pro" ||
				r["url"] != base+"/products/"+prod.Slug+"#review-"+rev.ID {
				t.Fatalf("review.created data %v", p.Data)
			}
		},
		"review.responded": func(t *testing.T, p webhooks.Payload) {
			if p.Data["response"].(map[string]any)["body"] != "Thanks!" || p.Actor["id"] != pm.User.ID {
				t.Fatalf("review.responded data %v", p.Data)
			}
		},
	}
	ids := map[string]bool{}
	for _, typ := range townhall.EventTypes[:9] {
		t.Run(typ, func(t *testing.T) {
			d, p := rcv.byType(t, typ)
			checkSignature(t, d, secret)
			if p.Version != 1 || p.Type != typ || p.ID == "" || p.ID != d.header.Get("Townhall-Event-Id") || p.CreatedAt.IsZero() ||
				p.Site.URL != base || d.header.Get("Content-Type") != "application/json" || d.header.Get("Townhall-Delivery") == "" {
				t.Fatalf("envelope %+v, headers %v", p, d.header)
			}
			if ids[p.ID] {
				t.Fatalf("event id %s reused", p.ID)
			}
			ids[p.ID] = true
			checks[typ](t, p)
		})
	}

	// A reply in a hidden thread is not for the world: no event.
	var hidden apiThread
	ann.JSON("POST", "/api/v1/threads", map[string]string{"category": cat.Slug, "title": "Secret thread", "body": "x"}, http.StatusCreated, &hidden)
	mod.JSON("POST", "/api/v1/threads/"+hidden.ID+"/hide", nil, http.StatusOK, nil)
	mod.JSON("POST", "/api/v1/threads/"+hidden.ID+"/posts", map[string]string{"body": "staff note in a hidden thread"}, http.StatusCreated, nil)
	marker := propose(t, ann, "After the hidden reply") // delivered after anything emitted before it
	waitFor(t, "the marker idea", func() bool {
		for _, d := range rcv.all() {
			if strings.Contains(string(d.body), marker.ID) {
				return true
			}
		}
		return false
	})
	for _, d := range rcv.all() {
		if strings.Contains(string(d.body), "staff note in a hidden thread") {
			t.Fatal("a reply in a hidden thread was sent to a webhook")
		}
	}
	// A delivery is marked done just after the receiver answers, so the
	// log may trail the receiver for a moment.
	n := 0
	waitFor(t, "the delivery log to match the receiver", func() bool {
		n = 0
		for _, d := range deliveries(t, admin, w.ID) {
			if d.State == "done" && d.LastStatus == 200 {
				n++
			}
		}
		return n == rcv.count()
	})
	if n == 0 {
		t.Fatal("the log shows no delivery")
	}
}

// TestWebhookRetriesAfter500: a 500 is retried and then delivered; the
// log shows both attempts with their response codes.
func TestWebhookRetriesAfter500(t *testing.T) {
	env := apptest.Start(t, apptest.WithConfig(privateWebhooks))
	env.App.Webhooks.SetRetryBase(50 * time.Millisecond)
	admin := env.Client(t, "Ada", "")
	rcv := newReceiver(t, func(n int) int {
		if n == 1 {
			return http.StatusInternalServerError
		}
		return http.StatusNoContent
	})
	w := register(t, admin, rcv.srv.URL, "retry-secret-1234567", "idea.created")
	admin.JSON("POST", "/api/v1/webhooks/"+w.ID+"/test", nil, http.StatusAccepted, nil)
	waitFor(t, "the retry", func() bool { return rcv.count() == 2 })
	var ds []deliveryResp
	waitFor(t, "the delivery to be done", func() bool {
		ds = deliveries(t, admin, w.ID)
		return len(ds) == 1 && ds[0].State == "done"
	})
	d := ds[0]
	if d.Event != "webhook.test" || d.Attempts != 2 || d.LastStatus != 204 || len(d.Log) != 2 || d.Log[0].StatusCode != 204 || !d.Log[0].OK ||
		d.Log[1].StatusCode != 500 || d.Log[1].OK || !strings.Contains(d.Log[1].Error, "HTTP 500") {
		t.Fatalf("delivery log %+v", d)
	}
	got := rcv.all()
	if string(got[0].body) != string(got[1].body) || got[0].header.Get("Townhall-Event-Id") != got[1].header.Get("Townhall-Event-Id") {
		t.Fatal("the retry sent a different event")
	}
	checkSignature(t, got[1], "retry-secret-1234567")
	if h := getWebhook(t, admin, w.ID); h.Failures != 0 || h.LastStatus != 204 || !h.Active {
		t.Fatalf("endpoint after a success: %+v", h)
	}
}

// TestWebhookDefaultRetries: the first retry comes within seconds, and
// retries go on for up to a day.
func TestWebhookDefaultRetries(t *testing.T) {
	env := apptest.Start(t)
	q := env.App.Webhooks.QueueSpec()
	if d := q.Backoff(1); d < time.Second || d > 10*time.Second {
		t.Fatalf("first retry after %v, want within seconds", d)
	}
	var total time.Duration
	n := 1
	for ; n < q.MaxAttempts && total < 24*time.Hour; n++ {
		total += q.Backoff(n)
	}
	if total < 20*time.Hour || q.MaxAge != 24*time.Hour {
		t.Fatalf("retries stop after %v (%d attempts), max age %v; want about a day", total, n, q.MaxAge)
	}
}

func adminNotifications(t *testing.T, c *apptest.Client) []struct{ Kind, Text, URL string } {
	t.Helper()
	var page struct {
		Items []struct{ Kind, Text, URL string }
	}
	c.JSON("GET", "/api/v1/notifications", nil, http.StatusOK, &page)
	return page.Items
}

// TestWebhookDisabledAfterFailures: after 10 deliveries in a row fail for
// good the endpoint is disabled, every admin is told, nothing more is
// sent, and enabling it sends again.
func TestWebhookDisabledAfterFailures(t *testing.T) {
	env := apptest.Start(t, apptest.WithConfig(privateWebhooks))
	admin := env.Client(t, "Ada", "")
	root := env.Client(t, "Root", townhall.RoleAdmin)
	ann := env.Client(t, "Ann", "")
	failing := true
	var mu sync.Mutex
	rcv := newReceiver(t, func(int) int {
		mu.Lock()
		defer mu.Unlock()
		if failing {
			return http.StatusNotFound // not retried: each delivery fails at once
		}
		return http.StatusOK
	})
	w := register(t, admin, rcv.srv.URL, "failing-secret-12345", "idea.created")
	for k := range webhooks.DisableAfter {
		propose(t, ann, "Idea number "+string(rune('A'+k)))
		waitFor(t, "delivery", func() bool { return rcv.count() == k+1 })
	}
	var h webhookResp
	waitFor(t, "the endpoint to be disabled", func() bool {
		h = getWebhook(t, admin, w.ID)
		return !h.Active
	})
	if h.FailedDeliveries != webhooks.DisableAfter || !strings.Contains(h.DisabledReason, "10 deliveries in a row failed") || !strings.Contains(h.DisabledReason, "404") {
		t.Fatalf("disabled endpoint %+v", h)
	}
	// The admins are told right after the endpoint is disabled.
	for _, c := range []*apptest.Client{admin, root} {
		waitFor(t, c.User.Name+" to be told the webhook was disabled", func() bool {
			for _, n := range adminNotifications(t, c) {
				if n.Kind == "webhook_disabled" && n.URL == "/admin/webhooks/"+w.ID && strings.Contains(n.Text, "turned off") {
					return true
				}
			}
			return false
		})
	}
	if ns := adminNotifications(t, ann); len(ns) != 0 {
		t.Fatalf("a member was told about webhooks: %v", ns)
	}
	adminUser, _ := env.App.Auth.User(context.Background(), admin.User.ID)
	if page, _ := env.App.StaffLog.Entries(context.Background(), adminUser, audit.Query{Action: "webhook.disable"}); len(page.Items) != 1 || page.Items[0].Reason == "" {
		t.Fatalf("staff log of the disable: %+v", page.Items)
	}
	propose(t, ann, "After the endpoint was disabled")
	admin.WantError("POST", "/api/v1/webhooks/"+w.ID+"/test", nil, 409, townhall.ECONFLICT)
	time.Sleep(300 * time.Millisecond)
	if n := rcv.count(); n != webhooks.DisableAfter {
		t.Fatalf("a disabled endpoint got %d deliveries, want %d", n, webhooks.DisableAfter)
	}
	mu.Lock()
	failing = false
	mu.Unlock()
	var enabled webhookResp
	admin.JSON("POST", "/api/v1/webhooks/"+w.ID+"/enable", nil, http.StatusOK, &enabled)
	if !enabled.Active || enabled.Failures != 0 || enabled.FailedDeliveries != 0 {
		t.Fatalf("enabled endpoint %+v", enabled)
	}
	if page, _ := env.App.StaffLog.Entries(context.Background(), adminUser, audit.Query{Action: "webhook.enable"}); len(page.Items) != 1 ||
		page.Items[0].ActorID != admin.User.ID || !strings.Contains(page.Items[0].Before, `"disabled":true`) {
		t.Fatalf("staff log of the enable: %+v", page.Items)
	}
	propose(t, ann, "After it was enabled again")
	waitFor(t, "a delivery after enabling", func() bool { return rcv.count() == webhooks.DisableAfter+1 })
}

// TestWebhookDisabledAfterADayOfFailures: an endpoint that answers 500
// and has not had a success for a day is disabled.
func TestWebhookDisabledAfterADayOfFailures(t *testing.T) {
	env := apptest.Start(t, apptest.WithConfig(privateWebhooks))
	env.App.Webhooks.SetRetryBase(50 * time.Millisecond)
	clk := newClock(time.Now())
	env.App.Webhooks.SetClock(clk.now)
	admin := env.Client(t, "Ada", "")
	rcv := newReceiver(t, func(int) int { return http.StatusBadGateway })
	w := register(t, admin, rcv.srv.URL, "down-secret-12345678", "idea.created")
	admin.JSON("POST", "/api/v1/webhooks/"+w.ID+"/test", nil, http.StatusAccepted, nil)
	waitFor(t, "the first attempt", func() bool { return getWebhook(t, admin, w.ID).Failures >= 1 })
	if !getWebhook(t, admin, w.ID).Active {
		t.Fatal("disabled after one 502")
	}
	clk.add(25 * time.Hour)
	var h webhookResp
	waitFor(t, "the endpoint to be disabled", func() bool {
		h = getWebhook(t, admin, w.ID)
		return !h.Active
	})
	if !strings.Contains(h.DisabledReason, "every delivery failed for 25 hours") {
		t.Fatalf("reason %q", h.DisabledReason)
	}
}

// TestWebhookRefusesPrivateTargets: without --webhooks-allow-private,
// loopback, private and link-local URLs are refused at registration, and
// a delivery to one (whatever got it registered) is refused at connect.
func TestWebhookRefusesPrivateTargets(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Ada", "")
	rcv := newReceiver(t, nil)
	for _, u := range []string{
		rcv.srv.URL, // http://127.0.0.1:port
		"http://localhost:9/hook",
		"http://[::1]/hook",
		"http://169.254.169.254/latest/meta-data",
		"http://10.1.2.3/hook",
		"http://192.168.0.10/hook",
		"http://100.64.0.1/hook",
		"http://[fd00::1]/hook",
		"http://0.0.0.0/hook",
		"http://[::ffff:127.0.0.1]/hook",
	} {
		msg := admin.WantError("POST", "/api/v1/webhooks", map[string]any{"url": u, "events": []string{"idea.created"}}, 400, townhall.EINVALID)
		if !strings.Contains(msg, "private") {
			t.Errorf("%s refused with %q", u, msg)
		}
	}
	// As if the name had resolved elsewhere at registration (DNS
	// rebinding): the endpoint is in the store, pointing at loopback.
	ctx := context.Background()
	e := &webhooks.Endpoint{ID: townhall.NewID(), URL: rcv.srv.URL + "/hook", Events: []string{"idea.created"}, Secret: "rebinding-secret-123",
		Format: "json", CreatedBy: admin.User.ID, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := env.App.DB.CreateWebhook(ctx, e); err != nil {
		t.Fatal(err)
	}
	admin.JSON("POST", "/api/v1/webhooks/"+e.ID+"/test", nil, http.StatusAccepted, nil)
	var ds []deliveryResp
	waitFor(t, "the delivery to fail", func() bool {
		ds = deliveries(t, admin, e.ID)
		return len(ds) == 1 && ds[0].State == "failed"
	})
	if rcv.count() != 0 || ds[0].LastStatus != 0 || !strings.Contains(ds[0].LastError, "refused to connect to 127.0.0.1") {
		t.Fatalf("delivery to loopback: receiver got %d, log %+v", rcv.count(), ds[0])
	}
}

// TestWebhookSlackFormat: a Slack-format endpoint gets {"text": ...} with
// the event's summary and link, signed like any delivery.
func TestWebhookSlackFormat(t *testing.T) {
	env := apptest.Start(t, apptest.WithConfig(privateWebhooks))
	admin := env.Client(t, "Ada", "")
	rcv := newReceiver(t, nil)
	var w webhookResp
	admin.JSON("POST", "/api/v1/webhooks", map[string]any{"url": rcv.srv.URL, "events": []string{"idea.created"}, "format": "slack"}, http.StatusCreated, &w)
	if w.Format != "slack" || !strings.HasPrefix(w.Secret, "whsec_") {
		t.Fatalf("slack endpoint %+v", w)
	}
	i := propose(t, env.Client(t, "Ann", ""), "Export <b>everything</b> & more")
	d, _ := rcv.byType(t, "idea.created")
	var msg map[string]string
	if err := json.Unmarshal(d.body, &msg); err != nil || len(msg) != 1 {
		t.Fatalf("slack body %s: %v", d.body, err)
	}
	want := "Ann proposed “Export &lt;b&gt;everything&lt;/b&gt; &amp; more” <" + env.URL + "/ideas/" + i.ID + "|Open>"
	if msg["text"] != want {
		t.Fatalf("text %q, want %q", msg["text"], want)
	}
	checkSignature(t, d, w.Secret)
}

// TestWebhookRedeliver: a finished delivery can be sent again, the same
// event with a fresh signature; a pending one or another endpoint's cannot.
func TestWebhookRedeliver(t *testing.T) {
	env := apptest.Start(t, apptest.WithConfig(privateWebhooks))
	admin := env.Client(t, "Ada", "")
	rcv := newReceiver(t, nil)
	w := register(t, admin, rcv.srv.URL, "redeliver-secret-123", "idea.created")
	other := register(t, admin, rcv.srv.URL+"/other", "redeliver-secret-123", "user.joined")
	admin.JSON("POST", "/api/v1/webhooks/"+w.ID+"/test", nil, http.StatusAccepted, nil)
	var ds []deliveryResp
	waitFor(t, "the test delivery", func() bool {
		ds = deliveries(t, admin, w.ID)
		return len(ds) == 1 && ds[0].State == "done"
	})
	admin.WantError("POST", "/api/v1/webhooks/"+other.ID+"/deliveries/"+ds[0].ID+"/redeliver", nil, 404, townhall.ENOTFOUND)
	admin.JSON("POST", "/api/v1/webhooks/"+w.ID+"/deliveries/"+ds[0].ID+"/redeliver", nil, http.StatusAccepted, nil)
	waitFor(t, "the redelivery", func() bool { return rcv.count() == 2 })
	got := rcv.all()
	if string(got[0].body) != string(got[1].body) || got[1].header.Get("Townhall-Delivery") != ds[0].ID {
		t.Fatal("the redelivery is not the same event")
	}
	checkSignature(t, got[1], "redeliver-secret-123")
	adminUser, _ := env.App.Auth.User(context.Background(), admin.User.ID)
	if page, _ := env.App.StaffLog.Entries(context.Background(), adminUser, audit.Query{Action: "webhook.redeliver"}); len(page.Items) != 1 ||
		!strings.Contains(page.Items[0].After, ds[0].ID) {
		t.Fatalf("staff log of the redelivery: %+v", page.Items)
	}
}

func TestWebhookValidationAndAccess(t *testing.T) {
	env := apptest.Start(t, apptest.WithConfig(privateWebhooks))
	admin := env.Client(t, "Ada", "")
	ann := env.Client(t, "Ann", "")
	ok := map[string]any{"url": "https://hooks.example.com/x", "events": []string{"idea.created"}}
	with := func(k string, v any) map[string]any {
		m := map[string]any{"url": ok["url"], "events": ok["events"]}
		m[k] = v
		return m
	}
	wantAPIErrors(t, []apiErrorCase{
		{"member registers", ann, "POST", "/api/v1/webhooks", ok, 403, townhall.EFORBIDDEN},
		{"member lists", ann, "GET", "/api/v1/webhooks", nil, 403, townhall.EFORBIDDEN},
		{"anonymous", env.Anonymous(t), "GET", "/api/v1/webhooks", nil, 401, townhall.EUNAUTHORIZED},
		{"no url", admin, "POST", "/api/v1/webhooks", with("url", ""), 400, townhall.EINVALID},
		{"ftp url", admin, "POST", "/api/v1/webhooks", with("url", "ftp://example.com/x"), 400, townhall.EINVALID},
		{"credentials in url", admin, "POST", "/api/v1/webhooks", with("url", "https://u:p@example.com/x"), 400, townhall.EINVALID},
		{"no events", admin, "POST", "/api/v1/webhooks", with("events", []string{}), 400, townhall.EINVALID},
		{"unknown event", admin, "POST", "/api/v1/webhooks", with("events", []string{"idea.deleted"}), 400, townhall.EINVALID},
		{"short secret", admin, "POST", "/api/v1/webhooks", with("secret", "short"), 400, townhall.EINVALID},
		{"bad format", admin, "POST", "/api/v1/webhooks", with("format", "xml"), 400, townhall.EINVALID},
		{"events not a list", admin, "POST", "/api/v1/webhooks", `{"url":"https://hooks.example.com/x","events":"idea.created"}`, 400, townhall.EINVALID},
		{"unknown endpoint", admin, "GET", "/api/v1/webhooks/" + townhall.NewID(), nil, 404, townhall.ENOTFOUND},
	})
	var w webhookResp
	admin.JSON("POST", "/api/v1/webhooks", ok, http.StatusCreated, &w)
	var patched webhookResp
	admin.JSON("PATCH", "/api/v1/webhooks/"+w.ID, map[string]any{"events": []string{"review.created", "idea.created", "idea.created"}}, http.StatusOK, &patched)
	if patched.URL != w.URL || strings.Join(patched.Events, ",") != "idea.created,review.created" || patched.Secret != "" {
		t.Fatalf("patched %+v", patched)
	}
	if res, _ := admin.Do("DELETE", "/api/v1/webhooks/"+w.ID, nil); res.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	adminUser, _ := env.App.Auth.User(context.Background(), admin.User.ID)
	for _, action := range []string{"webhook.create", "webhook.update", "webhook.delete"} {
		page, _ := env.App.StaffLog.Entries(context.Background(), adminUser, audit.Query{Action: action, TargetID: w.ID})
		if len(page.Items) != 1 || strings.Contains(page.Items[0].After+page.Items[0].Before, w.Secret) {
			t.Fatalf("staff log %s: %+v", action, page.Items)
		}
	}
}

// TestWebhookAdminPages: the admin pages register an endpoint (keeping
// what was typed on an error), show its log, and send a test event.
func TestWebhookAdminPages(t *testing.T) {
	env := apptest.Start(t, apptest.WithConfig(privateWebhooks))
	admin := env.Client(t, "Ada", "")
	ann := env.Client(t, "Ann", "")
	rcv := newReceiver(t, nil)
	if res, _ := ann.Get("/admin/webhooks"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("member on /admin/webhooks: %d", res.StatusCode)
	}
	res, page := admin.Form("POST", "/admin/webhooks", url.Values{"url": {rcv.srv.URL + "/typed"}, "events": {"idea.created"}, "secret": {"short"}})
	if res.StatusCode != 400 || !strings.Contains(page, "Secret must be at least 16") || !strings.Contains(page, rcv.srv.URL+"/typed") {
		t.Fatalf("bad secret: %d", res.StatusCode)
	}
	res, _ = admin.Form("POST", "/admin/webhooks", url.Values{"url": {rcv.srv.URL}, "events": {"idea.created", "thread.created"}, "format": {"json"},
		"description": {"CRM"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", res.StatusCode)
	}
	where := res.Header.Get("Location")
	path := strings.SplitN(where, "?", 2)[0]
	if _, page = admin.Get(where); !strings.Contains(page, "Endpoint added") || !strings.Contains(page, "whsec_") || !strings.Contains(page, "No deliveries yet") {
		t.Fatal("endpoint page after creating misses its notice, secret or empty log")
	}
	res, _ = admin.Form("POST", path+"/test", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("test button: %d", res.StatusCode)
	}
	waitFor(t, "the test delivery", func() bool { return rcv.count() == 1 })
	waitFor(t, "the log to show it", func() bool {
		_, page = admin.Get(path)
		return strings.Contains(page, "webhook.test") && strings.Contains(page, "Delivered") && strings.Contains(page, "HTTP 200")
	})
	if !strings.Contains(page, ">Redeliver<") {
		t.Fatal("a delivered event has no redeliver button")
	}
	if _, page = admin.Get("/admin/webhooks"); !strings.Contains(page, rcv.srv.URL) || !strings.Contains(page, "CRM") || !strings.Contains(page, "Active") {
		t.Fatal("the list misses the endpoint")
	}
}
