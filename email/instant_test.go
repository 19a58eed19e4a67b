package email_test

import (
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall/email/mailtest"
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
