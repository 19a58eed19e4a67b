package email_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/email"
	"github.com/townhall/townhall/email/mailtest"
	"github.com/townhall/townhall/jobs"
)

// site is a Townhall with an SMTP server, an admin and the people of a test.
type site struct {
	t     *testing.T
	env   *apptest.Env
	smtp  *mailtest.Server
	admin *apptest.Client
}

// newSite starts Townhall ("Acme Community") sending through srv (nil:
// no --smtp-url), with no mail delay unless cfg sets one.
func newSite(t *testing.T, srv *mailtest.Server, cfg ...func(*app.Config)) *site {
	t.Helper()
	env := apptest.Start(t, apptest.WithConfig(func(c *app.Config) {
		c.SiteName = "Acme Community"
		c.MailDelay = 0
		if srv != nil {
			c.SMTPURL = srv.URL()
			c.MailTLSConfig = srv.ClientTLS()
		}
		for _, f := range cfg {
			f(c)
		}
	}))
	s := &site{t: t, env: env, smtp: srv}
	s.admin = env.ClientWithEmail(t, "Admin", townhall.RoleAdmin, "admin@acme.example")
	return s
}

func (s *site) user(name, addr string) *apptest.Client {
	s.t.Helper()
	return s.env.ClientWithEmail(s.t, name, townhall.RoleMember, addr)
}

// category creates a forum category and returns its slug.
func (s *site) category(name string) string {
	s.t.Helper()
	var c struct{ Slug string }
	s.admin.JSON("POST", "/api/v1/categories", map[string]any{"name": name}, http.StatusCreated, &c)
	return c.Slug
}

func thread(t *testing.T, c *apptest.Client, cat, title, body string) string {
	t.Helper()
	var th struct{ ID string }
	c.JSON("POST", "/api/v1/threads", map[string]any{"category": cat, "title": title, "body": body}, http.StatusCreated, &th)
	return th.ID
}

func reply(t *testing.T, c *apptest.Client, threadID, body string) string {
	t.Helper()
	var p struct{ ID string }
	c.JSON("POST", "/api/v1/threads/"+threadID+"/posts", map[string]any{"body": body}, http.StatusCreated, &p)
	return p.ID
}

// messages lists the composed email of the store, newest first.
func (s *site) messages() []*email.Message {
	s.t.Helper()
	ms, err := s.env.App.DB.Messages(context.Background(), email.Query{Limit: 100})
	if err != nil {
		s.t.Fatal(err)
	}
	return ms
}

// settle waits until the background work of the requests so far is done.
func (s *site) settle() {
	s.t.Helper()
	s.env.WaitJobs(s.t)
}

// header returns a header of a received message, failing when absent.
func header(t *testing.T, m *mailtest.Message, name string) string {
	t.Helper()
	v := m.Header.Get(name)
	if v == "" {
		t.Fatalf("message %q has no %s header:\n%s", m.Header.Get("Subject"), name, m.Raw)
	}
	return v
}

func mustContain(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Fatalf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

// advance moves the job runner's clock d ahead of the wall clock, so mail
// waiting for its delay window (or a retry's backoff) becomes due.
func (s *site) advance(d time.Duration) {
	s.env.App.Jobs.SetClock(func() time.Time { return time.Now().Add(d) })
}

// mailJobsDone waits until every mail job of the person has run.
func (s *site) mailJobsDone(userID string) []*jobs.Job {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		js, err := s.env.App.DB.Jobs(context.Background(), jobs.Query{Queue: email.QueueMail, Ref: userID, Limit: 100})
		if err != nil {
			s.t.Fatal(err)
		}
		busy := false
		for _, j := range js {
			busy = busy || j.State == jobs.StatePending || j.State == jobs.StateRunning
		}
		if !busy {
			return js
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("mail jobs of %s still waiting: %+v", userID, js)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// signInDirect creates a person without a browser or API client, so they
// never visit the site (digests go only to people who have not), with the
// address their sign-in gives.
func (s *site) signInDirect(name, addr string) *townhall.User {
	s.t.Helper()
	u, err := s.env.App.Auth.SignIn(context.Background(), auth.Identity{Provider: "dev", Subject: name, Name: name, Email: addr})
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

// waitState waits until the newest composed message is in state st.
func (s *site) waitState(st email.State) *email.Message {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if ms := s.messages(); len(ms) > 0 && ms[0].State == st {
			return ms[0]
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no message reached %s: %+v", st, s.messages())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// metrics returns /metrics.
func (s *site) metrics() string {
	s.t.Helper()
	_, body := s.env.Anonymous(s.t).Get("/metrics")
	return body
}
