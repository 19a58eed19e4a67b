package email_test

import (
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/email"
	"github.com/townhall/townhall/email/mailtest"
)

func TestParseSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want email.SMTP
	}{
		{"smtp://user:pass@mail.example.com:587", email.SMTP{Host: "mail.example.com", Port: 587, TLS: email.TLSStartTLS, Username: "user", Password: "pass"}},
		{"smtp://mail.example.com", email.SMTP{Host: "mail.example.com", Port: 587, TLS: email.TLSStartTLS}},
		{"smtp://localhost:25?tls=none", email.SMTP{Host: "localhost", Port: 25, TLS: email.TLSNone}},
		{"smtp://relay.internal?tls=none", email.SMTP{Host: "relay.internal", Port: 25, TLS: email.TLSNone}},
		{"smtp://u:p@127.0.0.1:2525?tls=none", email.SMTP{Host: "127.0.0.1", Port: 2525, TLS: email.TLSNone, Username: "u", Password: "p"}},
		{"smtps://postmaster%40mg.example.com:s%2Fcret@smtp.mailgun.org", email.SMTP{Host: "smtp.mailgun.org", Port: 465, TLS: email.TLSImplicit,
			Username: "postmaster@mg.example.com", Password: "s/cret"}},
		{"smtp://[::1]:587", email.SMTP{Host: "::1", Port: 587, TLS: email.TLSStartTLS}},
	} {
		got, err := email.ParseSMTPURL(tc.url)
		if err != nil || *got != tc.want {
			t.Errorf("%s = %+v, %v; want %+v", tc.url, got, err, tc.want)
		}
	}
	got, _ := email.ParseSMTPURL("smtp://user:secret@mail.example.com")
	if s := got.String(); strings.Contains(s, "secret") || !strings.Contains(s, "mail.example.com:587") {
		t.Errorf("String() = %q: the server without the password", s)
	}
}

func TestImplicitTLSWithPassword(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithTLS(mailtest.Implicit), mailtest.WithAuth("townhall", "pw"))
	s := newSite(t, srv, func(c *app.Config) { c.MailFrom = "community@acme.example" })
	ann := s.user("Ann", "ann@example.com")
	tid := thread(t, ann, s.category("General"), "Dark mode?", "Please.")
	reply(t, s.admin, tid, "Soon.")
	m := srv.Wait(t, 1, 20*time.Second)[0]
	if m.From != "community@acme.example" || header(t, m, "From") != `"Acme Community" <community@acme.example>` {
		t.Fatalf("envelope from %q, From %q: want --mail-from with the site's name", m.From, m.Header.Get("From"))
	}
}

func TestStartTLSIsRequired(t *testing.T) {
	srv := mailtest.Start(t) // plain only, no STARTTLS offered
	s := newSite(t, nil, func(c *app.Config) { c.SMTPURL = "smtp://" + srv.Addr })
	ann := s.user("Ann", "ann@example.com")
	tid := thread(t, ann, s.category("General"), "Dark mode?", "Please.")
	reply(t, s.admin, tid, "Soon.")
	msg := s.waitState(email.StateRetrying)
	if !strings.Contains(msg.Error, "STARTTLS") || srv.Attempts() != 0 {
		t.Fatalf("error %q after %d attempts; want a refusal to send without STARTTLS", msg.Error, srv.Attempts())
	}
}
