package email_test

import (
	"context"
	"mime"
	"net"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/audit"
	"github.com/townhall/townhall/email"
	"github.com/townhall/townhall/email/mailtest"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/jobs"
)

func TestReplyEmailsTheThreadsAuthor(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithTLS(mailtest.StartTLS), mailtest.WithAuth("townhall", "s3cret pass"))
	s := newSite(t, srv)
	cat := s.category("Questions")
	ann := s.user("Ann Author", "ann@example.com")
	bob := s.user("Bob", "bob@example.com")
	tid := thread(t, ann, cat, "How do I export to CSV?", "I need my data in a spreadsheet.")
	pid := reply(t, bob, tid, "Use **Export** on [the reports page](/reports).\n\n<script>alert(1)</script>")

	got := srv.Wait(t, 1, 20*time.Second)
	m := got[0]
	if len(m.To) != 1 || m.To[0] != "ann@example.com" {
		t.Fatalf("envelope to %v, want ann", m.To)
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(header(t, m, "Subject"))
	if subject != "[Acme Community] Re: How do I export to CSV?" {
		t.Fatalf("subject %q", subject)
	}
	from, err := mail.ParseAddress(header(t, m, "From"))
	if err != nil || from.Name != "Acme Community" {
		t.Fatalf("From %q (%v): want the site's name", header(t, m, "From"), err)
	}
	host := strings.Split(strings.TrimPrefix(s.env.URL, "http://"), ":")[0]
	root := "<thread." + tid + "@" + host + ">"
	if header(t, m, "In-Reply-To") != root || header(t, m, "References") != root {
		t.Fatalf("In-Reply-To %q, References %q: want %s", m.Header.Get("In-Reply-To"), m.Header.Get("References"), root)
	}
	if id := header(t, m, "Message-ID"); !strings.HasSuffix(id, "@"+host+">") || id == root {
		t.Fatalf("Message-ID %q", id)
	}
	mustContain(t, "List-Id", header(t, m, "List-Id"), "<notifications."+host+">")
	unsub := header(t, m, "List-Unsubscribe")
	if !strings.HasPrefix(unsub, "<"+s.env.URL+"/unsubscribe/") || header(t, m, "List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe %q, List-Unsubscribe-Post %q", unsub, m.Header.Get("List-Unsubscribe-Post"))
	}
	link := s.env.URL + "/t/" + tid + "#post-" + pid
	mustContain(t, "text part", m.Text, "Bob replied in", "Use **Export**", link, s.env.URL+"/settings/notifications", strings.Trim(unsub, "<>"))
	mustContain(t, "HTML part", m.HTML, "<strong>Export</strong>", `href="`+s.env.URL+`/reports"`, `href="`+link+`"`,
		`href="`+s.env.URL+`/settings/notifications"`)
	if strings.Contains(m.HTML, "<script") || strings.Contains(m.HTML, "alert(1)</script>") {
		t.Fatalf("the HTML part carries the script:\n%s", m.HTML)
	}
}

func TestEventsOfOneWindowBecomeOneEmailAndSeenOnesNone(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSite(t, srv, func(c *app.Config) { c.MailDelay = 2 * time.Minute })
	cat := s.category("Questions")
	ann := s.user("Ann", "ann@example.com")
	bob := s.user("Bob", "bob@example.com")
	cy := s.user("Cy", "cy@example.com")
	tid := thread(t, ann, cat, "Sync stalls at 99%", "Since the update.")
	reply(t, bob, tid, "Same here.")
	reply(t, cy, tid, "@"+ann.User.Handle+" which version?")
	reply(t, bob, tid, "Version 4.2 for me.")

	// Nothing goes out before the window ends.
	s.settle()
	if n := srv.Attempts(); n != 0 {
		t.Fatalf("%d email(s) sent before --mail-delay passed", n)
	}
	s.advance(3 * time.Minute)
	m := srv.Wait(t, 1, 20*time.Second)[0]
	s.mailJobsDone(ann.User.ID)
	if got := srv.Messages(); len(got) != 1 {
		t.Fatalf("%d emails for one thread's window, want 1", len(got))
	}
	mustContain(t, "grouped email", m.Text, "3 new updates", "Same here.", "which version?", "Version 4.2 for me.")
	if !strings.Contains(header(t, m, "List-Unsubscribe"), "/unsubscribe/") {
		t.Fatal("no unsubscribe link")
	}

	// Ten minutes later (a new window) another reply, but Ann reads the
	// thread before the window ends: no email.
	later := func(d time.Duration) { s.env.App.Notify.SetClock(func() time.Time { return time.Now().Add(d) }) }
	later(10 * time.Minute)
	reply(t, bob, tid, "Fixed in 4.3!")
	if _, page := ann.Get("/t/" + tid); !strings.Contains(page, "Fixed in 4.3!") {
		t.Fatal("Ann did not see the reply")
	}
	s.advance(15 * time.Minute)
	s.mailJobsDone(ann.User.ID)
	if got := srv.Messages(); len(got) != 1 {
		t.Fatalf("Ann read the reply on the site and was emailed anyway: %d emails", len(got))
	}
	var notes struct {
		Items []struct {
			Read bool
			Kind string
		}
	}
	ann.JSON("GET", "/api/v1/notifications", nil, http.StatusOK, &notes)
	thread := notes.Items[:0] // her badges are not about the thread
	for _, n := range notes.Items {
		if n.Kind != "badge" {
			thread = append(thread, n)
		}
	}
	if len(thread) != 5 || !thread[0].Read {
		t.Fatalf("visiting the thread should mark its notifications read: %+v", notes.Items)
	}
	// And a reply of a later window that she does not read is emailed.
	later(20 * time.Minute)
	reply(t, cy, tid, "Confirmed fixed.")
	s.advance(25 * time.Minute)
	if m := srv.Wait(t, 2, 20*time.Second)[1]; !strings.Contains(m.Text, "Confirmed fixed.") || strings.Contains(m.Text, "Fixed in 4.3!") {
		t.Fatalf("the later window's email:\n%s", m.Text)
	}
}

func TestTemporaryFailureIsRetriedAndDeliveredOnce(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Reply(func(n int) error {
		if n == 1 {
			return mailtest.Error(421, "4.3.2 Service not available, try again later")
		}
		return nil
	})
	s := newSite(t, srv)
	ann := s.user("Ann", "ann@example.com")
	tid := thread(t, ann, s.category("General"), "Dark mode?", "Please.")
	reply(t, s.admin, tid, "Coming soon.")

	msg := s.waitState(email.StateRetrying)
	if !strings.Contains(msg.Error, "421") || msg.Attempts != 1 {
		t.Fatalf("after the 421: %+v", msg)
	}
	// The retry comes after a backoff of about 30 s (the first within a
	// minute); the runner's clock jumps there.
	s.advance(time.Minute)
	srv.Wait(t, 1, 20*time.Second)
	msg = s.waitState(email.StateSent)
	if msg.Attempts != 2 || srv.Attempts() != 2 || len(srv.Messages()) != 1 {
		t.Fatalf("delivered after %d attempts, %d offered, %d accepted; want 2, 2, 1", msg.Attempts, srv.Attempts(), len(srv.Messages()))
	}
	s.settle() // the job's outcome is recorded just after the message's
	metrics := s.metrics()
	mustContain(t, "/metrics", metrics, `townhall_mail_total{outcome="retried"} 1`, `townhall_mail_total{outcome="sent"} 1`,
		`townhall_mail_outbox{queue="mail"} 0`)
}

func TestPermanentFailureIsNotRetriedAndAdminsCanRetryIt(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Reply(func(int) error { return mailtest.Error(550, "5.1.1 No such user here") })
	s := newSite(t, srv)
	ann := s.user("Ann", "ann@example.com")
	tid := thread(t, ann, s.category("General"), "Dark mode?", "Please.")
	reply(t, s.admin, tid, "Coming soon.")

	msg := s.waitState(email.StateFailed)
	if !strings.Contains(msg.Error, "550") || !strings.Contains(msg.Error, "No such user here") || msg.Attempts != 1 {
		t.Fatalf("after the 550: %+v; want failed with the server's reply", msg)
	}
	s.advance(24 * time.Hour)
	s.settle()
	if n := srv.Attempts(); n != 1 {
		t.Fatalf("a 550 was tried %d times", n)
	}
	j, err := s.env.App.DB.JobByKey(context.Background(), msg.Key)
	if err != nil || j.State != jobs.StateFailed || !strings.Contains(j.LastError, "550") {
		t.Fatalf("the job = %+v, %v; want failed", j, err)
	}
	_, page := s.admin.Get("/admin/email?state=failed")
	mustContain(t, "/admin/email", page, msg.Subject, "No such user here", `action="/admin/email/`+msg.ID+`/retry"`)
	mustContain(t, "/metrics", s.metrics(), `townhall_mail_total{outcome="failed"} 1`)

	// The admin fixes the mailbox and retries: it goes out, once.
	srv.Reply(nil)
	s.advance(0)
	if res, body := ann.Form("POST", "/admin/email/"+msg.ID+"/retry", nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a member retried email: %d %s", res.StatusCode, body)
	}
	res, _ := s.admin.Form("POST", "/admin/email/"+msg.ID+"/retry", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("retry: %d", res.StatusCode)
	}
	srv.Wait(t, 1, 20*time.Second)
	msg = s.waitState(email.StateSent)
	entries, err := s.env.App.DB.AuditEntries(context.Background(), audit.Query{Action: "email.retry", Limit: 10})
	if err != nil || len(entries) != 1 || entries[0].ActorID != s.admin.User.ID || entries[0].TargetID != msg.ID ||
		!strings.Contains(entries[0].Before, "failed") || !strings.Contains(entries[0].After, "queued") {
		t.Fatalf("staff log = %+v, %v; want one email.retry by the admin with before and after", entries, err)
	}
	s.admin.WantError("POST", "/api/v1/admin/email/"+msg.ID+"/retry", nil, http.StatusConflict, townhall.ECONFLICT)
}

func TestRefusedConnectionIsTemporary(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	s := newSite(t, nil, func(c *app.Config) { c.SMTPURL = "smtp://" + addr + "?tls=none" })
	ann := s.user("Ann", "ann@example.com")
	tid := thread(t, ann, s.category("General"), "Dark mode?", "Please.")
	reply(t, s.admin, tid, "Coming soon.")
	msg := s.waitState(email.StateRetrying)
	if !strings.Contains(msg.Error, "refused") {
		t.Fatalf("error %q; want the refused connection", msg.Error)
	}
}

func TestWithoutSMTPMailIsKeptForAdmins(t *testing.T) {
	s := newSite(t, nil)
	ann := s.user("Ann", "ann@example.com")
	tid := thread(t, ann, s.category("General"), "Export <b>now</b>", "Please.")
	reply(t, s.admin, tid, "Use *Export*.")
	msg := s.waitState(email.StateKept)
	if !strings.Contains(msg.Error, "no SMTP server") {
		t.Fatalf("kept message error %q", msg.Error)
	}
	_, page := s.admin.Get("/admin/email")
	mustContain(t, "/admin/email", page, "No SMTP server is configured", "Export &lt;b&gt;now&lt;/b&gt;", "ann@example.com", "kept")
	_, page = s.admin.Get("/admin/email/" + msg.ID)
	mustContain(t, "message page", page, "Use *Export*.", "List-Unsubscribe", "&lt;"+msg.MessageID+"&gt;")
	res, html := s.admin.Get("/admin/email/" + msg.ID + "/html")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Security-Policy"), "sandbox") ||
		!strings.Contains(html, "<em>Export</em>") {
		t.Fatalf("HTML part: %d, CSP %q:\n%s", res.StatusCode, res.Header.Get("Content-Security-Policy"), html)
	}
	for _, path := range []string{"/admin/email", "/admin/email/" + msg.ID, "/admin/email/" + msg.ID + "/html"} {
		if res, _ := ann.Get(path); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a member got %s: %d", path, res.StatusCode)
		}
	}
	ann.WantError("GET", "/api/v1/admin/email", nil, http.StatusForbidden, townhall.EFORBIDDEN)
	var list struct {
		Items []struct{ ID, State, Subject string }
	}
	s.admin.JSON("GET", "/api/v1/admin/email?state=kept", nil, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].ID != msg.ID {
		t.Fatalf("API list = %+v", list)
	}
	s.admin.WantError("GET", "/api/v1/admin/email?state=lost", nil, http.StatusBadRequest, townhall.EINVALID)
}

func TestNoOrBadAddressMeansNoEmailAndNothingElseFails(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSite(t, srv)
	ctx := context.Background()
	cat := s.category("General")
	zed := s.signInDirect("Zed", "zed@@example..com") // an identity provider's odd address
	nia := s.signInDirect("Nia", "")
	ann := s.user("Ann", "ann@example.com")
	for _, u := range []*townhall.User{zed, nia} {
		th, err := s.env.App.Forum.CreateThread(ctx, u, forum.ThreadInput{Category: cat, Title: "Thread of " + u.Name, Body: "Hello"})
		if err != nil {
			t.Fatal(err)
		}
		reply(t, s.admin, th.ID, "@"+ann.User.Handle+" have a look")
	}
	// Ann, mentioned in both, gets her email; Zed and Nia get theirs on the site only.
	srv.Wait(t, 2, 20*time.Second)
	s.settle()
	for _, m := range srv.Messages() {
		if m.To[0] != "ann@example.com" {
			t.Fatalf("email went to %v", m.To)
		}
	}
	for _, u := range []*townhall.User{zed, nia} {
		for _, j := range s.mailJobsDone(u.ID) {
			if j.State != jobs.StateDone {
				t.Fatalf("%s's mail job = %+v; want done with nothing sent", u.Name, j)
			}
		}
		ns, _ := s.env.App.Notify.List(ctx, u, "", 10)
		replies := 0 // besides their First Post badge
		for _, n := range ns.Items {
			if n.Kind != "badge" {
				replies++
			}
		}
		if replies != 1 {
			t.Fatalf("%s has %d notifications on the site besides badges, want 1: %+v", u.Name, replies, ns.Items)
		}
	}
	if n := len(s.messages()); n != 2 {
		t.Fatalf("%d messages composed, want Ann's 2", n)
	}
}

func TestLineBreaksInTitlesCannotInjectHeaders(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSite(t, srv, func(c *app.Config) { c.SiteName = "Acme\r\nBcc: site@evil.example" })
	ann := s.user("Ann", "ann@example.com")
	evil := "Hello\nBcc: evil@attacker.example\nX-Injected: yes"
	tid := thread(t, ann, s.category("General"), evil, "Body")
	reply(t, s.admin, tid, "Reply\r\nBcc: body@attacker.example")
	m := srv.Wait(t, 1, 20*time.Second)[0]
	if len(m.To) != 1 || m.To[0] != "ann@example.com" {
		t.Fatalf("envelope recipients %v", m.To)
	}
	for _, h := range []string{"Bcc", "X-Injected"} {
		if v := m.Header.Get(h); v != "" {
			t.Fatalf("header %s: %q was injected:\n%s", h, v, m.Raw)
		}
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(m.Header.Get("Subject"))
	if subject != "[Acme Bcc: site@evil.example] Re: Hello Bcc: evil@attacker.example X-Injected: yes" {
		t.Fatalf("subject %q: want the title on one line", subject)
	}
	from, err := mail.ParseAddress(m.Header.Get("From"))
	if err != nil || strings.ContainsAny(from.Name, "\r\n") {
		t.Fatalf("From %q: %v", m.Header.Get("From"), err)
	}
}

func TestHiddenContentIsNeverEmailed(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSite(t, srv, func(c *app.Config) { c.MailDelay = 2 * time.Minute })
	mod := s.env.ClientWithEmail(t, "Mo", townhall.RoleModerator, "mo@acme.example")
	ann := s.user("Ann", "ann@example.com")
	bob := s.user("Bob", "bob@example.com")
	tid := thread(t, ann, s.category("General"), "Dark mode?", "Please.")
	mod.JSON("POST", "/api/v1/threads/"+tid+"/follow", nil, http.StatusOK, nil) // staff see hidden posts on the site
	mod.JSON("PUT", "/api/v1/settings/notifications", map[string]any{"kinds": map[string]string{"followed": "instant"}}, http.StatusOK, nil)
	spam := reply(t, bob, tid, "Buy cheap watches at spam.example")
	fine := reply(t, bob, tid, "Dark mode is in the beta.")
	mod.JSON("POST", "/api/v1/posts/"+spam+"/hide", nil, http.StatusOK, nil)
	s.advance(3 * time.Minute)
	got := srv.Wait(t, 2, 20*time.Second) // Ann's and Mo's
	s.settle()
	for _, m := range srv.Messages() {
		if strings.Contains(m.Text, "spam.example") || strings.Contains(m.HTML, "spam.example") {
			t.Fatalf("the hidden reply was emailed to %v:\n%s", m.To, m.Text)
		}
		if !strings.Contains(m.Text, "#post-"+fine) {
			t.Fatalf("%v's email lacks the visible reply:\n%s", m.To, m.Text)
		}
	}
	if len(got) != 2 {
		t.Fatalf("%d emails, want Ann's and Mo's", len(got))
	}
}
