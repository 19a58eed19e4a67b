package email_test

import (
	"context"
	"mime"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/email"
	"github.com/townhall/townhall/email/mailtest"
)

func TestDigestGoesToThoseAwayAndOnlyWithSomethingToSay(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSite(t, srv)
	ctx := context.Background()
	cat := s.category("Help")
	bob := s.user("Bob", "bob@example.com")
	pat := s.env.ClientWithEmail(t, "Pat", townhall.RoleProduct, "pat@acme.example")
	dan := s.signInDirect("Dan", "dan@example.com") // visited a month ago, not since
	fay := s.signInDirect("Fay", "fay@example.com") // the same, and chose a daily digest
	gus := s.signInDirect("Gus", "gus@example.com") // never visited: never joined, no digest
	for _, u := range []*townhall.User{dan, fay} {
		then := time.Now().AddDate(0, -1, 0)
		if _, err := s.env.App.DB.RecordVisit(ctx, u.ID, s.env.App.Auth.Day(then), then); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.env.App.Email.SaveSettings(ctx, fay, email.Change{Digest: ptr("daily")}); err != nil {
		t.Fatal(err)
	}
	eve := s.user("Eve", "eve@example.com") // visits the site
	tid := thread(t, bob, cat, "How do I sync two devices?", "Asking for a friend.")
	for _, u := range []*townhall.User{dan, gus} { // they follow the thread now
		if _, err := s.env.App.Forum.Reply(ctx, u, tid, "Same question here."); err != nil {
			t.Fatal(err)
		}
	}
	reply(t, eve, tid, "Subscribing.")
	reply(t, bob, tid, "Settings → Sync → **Add device**.")
	idea := propose(t, bob, "Dark mode")
	pat.JSON("PUT", "/api/v1/ideas/"+idea+"/status", map[string]string{"status": "planned"}, http.StatusOK, nil)
	s.settle()
	for _, m := range srv.Messages() {
		if m.To[0] != "bob@example.com" {
			t.Fatalf("%s got an instant email; followed activity goes to the digest", m.To[0])
		}
	}
	before := len(srv.Messages()) // Bob's: replies in his thread, his idea planned

	// A week later this week's digests go out.
	week := func(n int) {
		s.env.App.Email.SetClock(func() time.Time { return time.Now().AddDate(0, 0, 7*n) })
		s.advance(time.Duration(7*n+2) * 24 * time.Hour)
		if err := s.env.App.Email.ScheduleDigests(ctx); err != nil {
			t.Fatal(err)
		}
		s.settle()
	}
	week(1)
	got := srv.Messages()[before:]
	if len(got) != 1 || got[0].To[0] != "dan@example.com" {
		t.Fatalf("digests went to %v; want Dan's only (Eve visited, Fay's day was empty, Gus never joined)", recipients(got))
	}
	m := got[0]
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if subject != "[Acme Community] Your weekly digest: 4 unread updates" {
		t.Fatalf("subject %q\n%s", subject, m.Text)
	}
	mustContain(t, "digest text", m.Text, "What you missed this week", "UNREAD FOR YOU", "Settings → Sync → **Add device**.", "Subscribing.",
		"You earned the “First Post” badge", "POPULAR NEW THREADS", "How do I sync two devices? (by Bob, 4 replies)", "IDEAS THAT MOVED", "Dark mode: now Planned",
		s.env.URL+"/ideas/"+idea)
	mustContain(t, "digest HTML", m.HTML, "<strong>Add device</strong>", `href="`+s.env.URL+`/t/`+tid+`"`)
	if m.Header.Get("In-Reply-To") != "" {
		t.Fatal("a digest answers no thread")
	}
	// Another node scheduling the same period adds nothing.
	week(1)
	if n := len(srv.Messages()) - before; n != 1 {
		t.Fatalf("scheduling the period again sent %d digests in all", n)
	}
	// Its unsubscribe link stops the digest.
	link := strings.Trim(header(t, m, "List-Unsubscribe"), "<>")
	if res, page := oneClick(t, link, "https://mail.provider.example"); res.StatusCode != http.StatusOK || !strings.Contains(page, "The daily or weekly digest") {
		t.Fatalf("unsubscribing from the digest: %d\n%.1500s", res.StatusCode, page)
	}
	st, _ := s.env.App.Email.Settings(ctx, dan)
	if st.Digest != email.Never {
		t.Fatalf("Dan's digest = %q after unsubscribing", st.Digest)
	}
	// A week with nothing to say sends nothing, even to someone away.
	if _, err := s.env.App.Email.SaveSettings(ctx, dan, email.Change{Digest: ptr("weekly")}); err != nil {
		t.Fatal(err)
	}
	week(2)
	if n := len(srv.Messages()) - before; n != 1 {
		t.Fatalf("an empty week sent a digest: %d in all", n)
	}
}

func ptr[T any](v T) *T { return &v }

func recipients(ms []*mailtest.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.To...)
	}
	return out
}
