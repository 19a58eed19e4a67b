package email

import (
	"context"
	"html/template"
	"net/url"
	"slices"
	"strings"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/notify"
)

// item is one event an email tells about: the notification's words, and
// the content it is about, quoted as the recipient may see it.
type item struct {
	N      *notify.Notification
	Kind   string // the email kind
	Text   string // what happened, the notification's words
	Title  string // the thread's or idea's title
	Author string // who wrote the quoted content
	Label  string // what the quote is ("Official response"), when not a post
	HTML   template.HTML
	Plain  string // the quote for the text part
	Link   string // absolute
	Status string // an idea's new status, for status changes
}

// resolve reads what n is about as u sees it. ok is false when u can no
// longer see it (hidden, deleted, merged away): hidden content is never
// emailed, not even to staff.
func (s *Service) resolve(ctx context.Context, u *townhall.User, n *notify.Notification) (*item, bool, error) {
	it := &item{N: n, Kind: KindOf(n.Kind), Text: n.Text, Link: s.abs(n.URL)}
	ref, err := url.Parse(n.URL)
	if err != nil {
		return it, true, nil
	}
	parts := strings.Split(strings.Trim(ref.Path, "/"), "/")
	frag := ref.Fragment
	gone := func(err error) (*item, bool, error) {
		if code := townhall.ErrorCode(err); code == townhall.ENOTFOUND || code == townhall.EFORBIDDEN {
			return nil, false, nil
		}
		return nil, false, err
	}
	switch {
	case len(parts) == 2 && parts[0] == "t" && strings.HasPrefix(frag, "post-"):
		p, t, err := s.d.Forum.Post(ctx, u, strings.TrimPrefix(frag, "post-"))
		if err != nil {
			return gone(err)
		}
		if p.Hidden || t.Hidden {
			return nil, false, nil
		}
		it.Title, it.Author, it.HTML, it.Plain = t.Title, p.AuthorName, s.absLinks(p.HTML), p.Source
	case len(parts) == 2 && parts[0] == "t":
		v, err := s.d.Forum.Thread(ctx, u, parts[1], 1)
		if err != nil {
			return gone(err)
		}
		if v.Thread.Hidden {
			return nil, false, nil
		}
		it.Title = v.Thread.Title
	case len(parts) == 2 && parts[0] == "ideas":
		i, err := s.d.Ideas.Idea(ctx, u, parts[1])
		if err != nil {
			return gone(err)
		}
		if i.Hidden != nil {
			return nil, false, nil
		}
		it.Title = i.Title
		switch {
		case strings.HasPrefix(frag, "comment-"):
			c, err := s.d.Ideas.CommentByID(ctx, u, strings.TrimPrefix(frag, "comment-"))
			if err != nil {
				return gone(err)
			}
			if !c.Visible() {
				return nil, false, nil
			}
			it.Author, it.HTML, it.Plain = c.AuthorName, s.absLinks(c.BodyHTML), c.Body
		case strings.HasPrefix(frag, "status-"):
			if i.Merged() {
				return nil, false, nil // it lives on in the idea it was merged into
			}
			ch, err := s.statusChange(ctx, i, strings.TrimPrefix(frag, "status-"))
			if err != nil || ch == nil {
				return it, err == nil, err
			}
			it.Status = ch.To.Label()
			if ch.Response != "" {
				it.Label, it.Author, it.HTML, it.Plain = "Official response", ch.ActorName, s.absLinks(ch.ResponseHTML), ch.Response
			} else if ch.Reason != "" {
				it.Label, it.Author, it.Plain = "Reason", ch.ActorName, ch.Reason
				it.HTML = template.HTML(template.HTMLEscapeString(ch.Reason))
			}
		}
	case len(parts) == 2 && parts[0] == "products" && strings.HasPrefix(frag, "review-"):
		r, err := s.d.Reviews.Review(ctx, u, strings.TrimPrefix(frag, "review-"))
		if err != nil {
			return gone(err)
		}
		it.Title = r.Title
		if r.Response != nil {
			it.Label, it.Author, it.HTML, it.Plain = "Response", r.Response.AuthorName, s.absLinks(r.Response.BodyHTML), r.Response.Body
		}
	}
	if it.Plain != "" {
		// "Bob replied in “Title”: an excerpt…" needs no excerpt above the
		// whole quote.
		if i := strings.Index(it.Text, "”: "); i > 0 {
			it.Text = it.Text[:i+len("”")]
		}
	}
	return it, true, nil
}

// statusChange finds one change in an idea's history.
func (s *Service) statusChange(ctx context.Context, i *ideas.Idea, id string) (*ideas.StatusChange, error) {
	hist, err := s.d.Ideas.History(ctx, i.ID)
	if err != nil {
		return nil, err
	}
	k := slices.IndexFunc(hist, func(c *ideas.StatusChange) bool { return c.ID == id })
	if k < 0 {
		return nil, nil
	}
	return hist[k], nil
}

// absLinks makes the site-relative links and images of sanitized HTML
// absolute: a mail client has no page to resolve them against. The
// markdown sanitizer writes attributes with double quotes.
func (s *Service) absLinks(h template.HTML) template.HTML {
	base := strings.TrimSuffix(s.cfg.BaseURL.String(), "/")
	r := strings.NewReplacer(`href="/`, `href="`+base+`/`, `src="/`, `src="`+base+`/`)
	out := r.Replace(string(h))
	// "//host" would have become base + "//host"; put protocol-relative
	// links back as they were.
	out = strings.ReplaceAll(out, `="`+base+`//`, `="//`)
	return template.HTML(out)
}
