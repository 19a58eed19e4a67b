package email

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"mime"
	"net/mail"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/templates"
)

// mailTemplates are the mail templates: each email is a text/plain part from
// text/template and a text/html part from html/template, which escapes
// every piece of user content that is not sanitized HTML already.
type mailTemplates struct {
	html *htmltemplate.Template
	text *texttemplate.Template
}

func parseTemplates() (*mailTemplates, error) {
	h, err := htmltemplate.New("mail").ParseFS(templates.Mail, "mail/*.html")
	if err != nil {
		return nil, fmt.Errorf("mail templates: %w", err)
	}
	t, err := texttemplate.New("mail").Funcs(texttemplate.FuncMap{"quote": quote}).ParseFS(templates.Mail, "mail/*.txt")
	if err != nil {
		return nil, fmt.Errorf("mail templates: %w", err)
	}
	for _, name := range []string{"instant", "digest"} {
		if h.Lookup(name+".html") == nil || t.Lookup(name+".txt") == nil {
			return nil, fmt.Errorf("mail templates: %s.html and %s.txt are required", name, name)
		}
	}
	return &mailTemplates{html: h, text: t}, nil
}

// quote indents text as a quotation in the plain-text part.
func quote(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("  > "+l, " ")
	}
	return strings.Join(lines, "\n")
}

func (t *mailTemplates) render(name string, data any) (text, html string, err error) {
	var tb, hb bytes.Buffer
	if err := t.text.ExecuteTemplate(&tb, name+".txt", data); err != nil {
		return "", "", err
	}
	if err := t.html.ExecuteTemplate(&hb, name+".html", data); err != nil {
		return "", "", err
	}
	return tb.String(), hb.String(), nil
}

// threadLine is a popular new thread in a digest.
type threadLine struct {
	Title, Link, Author string
	Replies             int
}

// ideaLine is an idea that changed status, in a digest.
type ideaLine struct {
	Title, Link, Status string
	Votes               int
}

func sortIdeaLines(ls []ideaLine) {
	slices.SortStableFunc(ls, func(a, b ideaLine) int { return b.Votes - a.Votes })
}

// mailData is what both mail templates receive.
type mailData struct {
	Site        string
	SiteURL     string
	Heading     string
	Intro       string
	Link        string // the thread or idea
	LinkLabel   string
	Items       []*item
	Threads     []threadLine
	Ideas       []ideaLine
	Reason      string // why they get this email
	Preferences string // the settings page
	Unsubscribe string // the one-click link's page
	UnsubLabel  string
}

// composeInstant builds the email about one group's events.
func (s *Service) composeInstant(u *townhall.User, addr, group string, items []*item, kinds []string, key string) (*Message, error) {
	first := items[0]
	d := s.baseData(u.ID, kinds)
	d.Items = items
	d.Link = s.abs(strings.SplitN(first.N.URL, "#", 2)[0])
	if first.Title != "" {
		d.Heading = first.Title
	} else {
		d.Heading = first.Text
	}
	if len(items) > 1 {
		d.Intro = fmt.Sprintf("%d new updates:", len(items))
	}
	// One thread's or idea's emails share a subject (and References), so
	// mail clients keep them in one conversation; the one exception is the
	// news that an idea moved, which the subject says.
	subject := first.Text
	switch {
	case strings.HasPrefix(group, "thread:") && first.Title != "":
		subject, d.LinkLabel = "Re: "+first.Title, "Open the thread"
	case strings.HasPrefix(group, "idea:") && first.Title != "":
		subject, d.LinkLabel = "Idea: "+first.Title, "Open the idea"
		if len(items) == 1 && first.Status != "" {
			subject = "“" + first.Title + "” is now " + first.Status
		}
	default:
		d.LinkLabel = "Open " + s.cfg.SiteName
	}
	d.Reason = "You get this email because of your email settings for: " + strings.Join(labels(kinds), "; ") + "."
	m := s.newMessage(u, addr, key, kinds[0], subject)
	if root := s.threadRoot(group); root != "" {
		m.Headers = append(m.Headers, Header{"In-Reply-To", root}, Header{"References", root})
	}
	return s.finish(m, "instant", d, kinds)
}

// composeDigest builds a member's digest for one period.
func (s *Service) composeDigest(u *townhall.User, addr string, r digestRun, items []*item, threads []threadLine, moved []ideaLine, key string) (*Message, error) {
	kinds := []string{DigestKind}
	d := s.baseData(u.ID, kinds)
	d.Items, d.Threads, d.Ideas = items, threads, moved
	d.Link, d.LinkLabel = s.abs("/"), "Visit "+s.cfg.SiteName
	when := "this week"
	if r.Freq == Daily {
		when = "yesterday"
	}
	d.Heading = "What you missed " + when
	d.Intro = fmt.Sprintf("Here is what happened on %s %s while you were away.", s.cfg.SiteName, when)
	d.Reason = fmt.Sprintf("You get this %s digest because you have not visited %s since it began.", r.Freq, s.cfg.SiteName)
	subject := "Your " + string(r.Freq) + " digest"
	if n := len(items); n > 0 {
		subject += fmt.Sprintf(": %d unread %s", n, plural(n, "update", "updates"))
	}
	return s.finish(s.newMessage(u, addr, key, DigestKind, subject), "digest", d, kinds)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (s *Service) baseData(userID string, kinds []string) *mailData {
	return &mailData{
		Site:        s.cfg.SiteName,
		SiteURL:     s.abs("/"),
		Preferences: s.abs("/settings/notifications"),
		Unsubscribe: s.unsubscribeURL(userID, kinds),
		UnsubLabel:  "Unsubscribe from " + strings.ToLower(strings.Join(labels(kinds), "; ")),
	}
}

// newMessage starts a message: recipient, subject with the site's name,
// a Message-ID from the job key, and the list headers.
func (s *Service) newMessage(u *townhall.User, addr, key, kind, subject string) *Message {
	now := s.now().UTC().Truncate(time.Millisecond)
	to := (&mail.Address{Name: cleanLine(u.Name), Address: addr}).String()
	listName := mime.QEncoding.Encode("utf-8", cleanLine(s.cfg.SiteName))
	return &Message{
		ID: townhall.NewID(), Key: key, UserID: u.ID, To: to, Kind: kind,
		Subject:   clip(cleanLine("["+s.cfg.SiteName+"] "+subject), 200),
		MessageID: s.messageID(key),
		Headers: []Header{
			{"List-Id", listName + " <notifications." + s.host + ">"},
			{"Auto-Submitted", "auto-generated"},
			{"X-Auto-Response-Suppress", "All"},
		},
		State: StateQueued, CreatedAt: now, UpdatedAt: now,
	}
}

// finish renders both parts and adds the unsubscribe headers (RFC 8058:
// a link that takes a one-click POST, and the header saying it does).
func (s *Service) finish(m *Message, tmpl string, d *mailData, kinds []string) (*Message, error) {
	text, html, err := s.tmpl.render(tmpl, d)
	if err != nil {
		return nil, err
	}
	m.Text, m.HTML = text, html
	m.Headers = append(m.Headers,
		Header{"List-Unsubscribe", "<" + d.Unsubscribe + ">"},
		Header{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"})
	return m, nil
}

// unsubscribeURL is the signed link that switches kinds off for userID.
func (s *Service) unsubscribeURL(userID string, kinds []string) string {
	return s.abs("/unsubscribe/" + s.tokens.sign(userID, kinds, s.now().Add(TokenLifetime)))
}

// threadRoot is the Message-ID every email about one thread or idea
// answers, so mail clients show them as one conversation.
func (s *Service) threadRoot(group string) string {
	kind, id, ok := strings.Cut(group, ":")
	if !ok || (kind != "thread" && kind != "idea" && kind != "product") || !safeID(id) {
		return ""
	}
	return "<" + kind + "." + id + "@" + s.host + ">"
}

// safeID reports whether id can go into a Message-ID as it is.
func safeID(id string) bool {
	if id == "" || len(id) > 100 {
		return false
	}
	for _, r := range id {
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_')) {
			return false
		}
	}
	return true
}

func distinctKinds(items []*item) []string {
	var out []string
	for _, it := range items {
		if !slices.Contains(out, it.Kind) {
			out = append(out, it.Kind)
		}
	}
	return out
}

func labels(kinds []string) []string {
	var out []string
	for _, k := range kinds {
		if k == DigestKind {
			out = append(out, "The daily or weekly digest")
		} else if kd, ok := LookupKind(k); ok {
			out = append(out, kd.Label)
		}
	}
	return out
}

// cleanLine makes text safe for one header line: line breaks and other
// control characters become spaces, so a name or title can never start a
// header of its own, and runs of space collapse.
func cleanLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
