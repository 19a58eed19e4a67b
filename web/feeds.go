package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
)

// Atom feeds (RFC 4287) of what a community publishes: the latest threads,
// a category's threads, a thread's replies, new ideas, an idea's status
// changes and the changelog. Feeds are public, so they are always built as
// an anonymous visitor sees the site: hidden and held content never
// appears, whoever asks. Each answer carries an ETag and a Last-Modified
// date, and a reader that sends them back gets 304 when nothing changed.

// feedLink is a page's link to its feed, in the page's head.
type feedLink struct{ Title, URL string }

var (
	threadsFeed   = &feedLink{"Latest threads", "/feeds/threads.atom"}
	ideasFeed     = &feedLink{"New ideas", "/feeds/ideas.atom"}
	changelogFeed = &feedLink{"Changelog", "/feeds/changelog.atom"}
)

// feedEntries is how many entries a feed carries.
const feedEntries = 30

func (s *Server) feedRoutes(r *gin.Engine) {
	r.GET("/feeds/threads.atom", s.h(s.threadsFeed))
	r.GET("/feeds/c/:file", s.h(s.categoryFeed))
	r.GET("/feeds/t/:file", s.h(s.threadFeed))
	r.GET("/feeds/ideas.atom", s.h(s.ideasFeed))
	r.GET("/feeds/ideas/:file", s.h(s.ideaFeed))
	r.GET("/feeds/changelog.atom", s.h(s.changelogFeed))
}

const atomNS = "http://www.w3.org/2005/Atom"

type atomFeed struct {
	XMLName   xml.Name    `xml:"feed"`
	NS        string      `xml:"xmlns,attr"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Subtitle  string      `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Links      []atomLink     `xml:"link"`
	Author     atomPerson     `xml:"author"`
	Categories []atomCategory `xml:"category,omitempty"`
	Content    atomText       `xml:"content"`
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// feedBuilder collects one feed's entries and renders the document.
type feedBuilder struct {
	s       *Server
	feed    atomFeed
	updated time.Time
}

// newFeed starts the feed at path (its own address) about the page at
// alternate. since is the feed's "updated" while it has no entries.
func (s *Server) newFeed(path, title, alternate string, since time.Time) *feedBuilder {
	return &feedBuilder{s: s, updated: since, feed: atomFeed{
		NS: atomNS, ID: s.tagURI(time.Time{}, "feed"+strings.TrimSuffix(path, ".atom")), Title: title + " · " + s.cfg.SiteName,
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: s.absURL(path)},
			{Rel: "alternate", Type: "text/html", Href: s.absURL(alternate)},
		},
		Author:    atomPerson{Name: s.cfg.SiteName, URI: s.absURL("/")},
		Generator: "Townhall",
	}}
}

// tagURI is a stable entry id (RFC 4151): the site's host, the day the
// thing was created (the feed's when zero), and its kind and id. It stays
// the same when the thing is edited or moved.
func (s *Server) tagURI(created time.Time, specific string) string {
	day := "2026"
	if !created.IsZero() {
		day = created.UTC().Format(time.DateOnly)
	}
	return "tag:" + s.cfg.BaseURL.Hostname() + "," + day + ":" + strings.TrimPrefix(specific, "/")
}

func (s *Server) absURL(path string) string {
	return strings.TrimSuffix(s.cfg.BaseURL.String(), "/") + path
}

// entry adds one entry; html is the content as (sanitized) HTML, which
// the document carries escaped.
func (b *feedBuilder) entry(id, title, link string, author string, published, updated time.Time, html template.HTML, cats ...atomCategory) {
	if updated.Before(published) {
		updated = published
	}
	if updated.After(b.updated) {
		b.updated = updated
	}
	if author == "" {
		author = "Deleted user"
	}
	b.feed.Entries = append(b.feed.Entries, atomEntry{
		ID: id, Title: atomText{"text", title}, Updated: atomTime(updated), Published: atomTime(published),
		Links:  []atomLink{{Rel: "alternate", Type: "text/html", Href: b.s.absURL(link)}},
		Author: atomPerson{Name: author}, Categories: cats, Content: atomText{"html", string(html)},
	})
}

// send answers the feed, or 304 when the reader's copy is current.
func (b *feedBuilder) send(c *gin.Context) error {
	b.feed.Updated = atomTime(b.updated)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(b.feed); err != nil {
		return err
	}
	sum := sha256.Sum256(buf.Bytes())
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	h := c.Writer.Header()
	h.Set("ETag", etag)
	h.Set("Last-Modified", b.updated.UTC().Format(http.TimeFormat))
	h.Set("Cache-Control", "no-cache") // readers revalidate; a 304 costs nothing
	if notModified(c.Request, etag, b.updated) {
		c.Status(http.StatusNotModified)
		return nil
	}
	c.Data(http.StatusOK, "application/atom+xml; charset=utf-8", buf.Bytes())
	return nil
}

// notModified reports whether a conditional GET's copy is current: its
// If-None-Match lists etag (weakly compared), or, without If-None-Match,
// its If-Modified-Since is not before the feed's last change.
func notModified(r *http.Request, etag string, updated time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == etag || t == "*" {
				return true
			}
		}
		return false
	}
	if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil {
		return !updated.Truncate(time.Second).After(ims)
	}
	return false
}

// feedFile reads the ":file" parameter "X.atom" as X; anything else is a
// page we do not have.
func feedFile(c *gin.Context) (string, error) {
	name, ok := strings.CutSuffix(c.Param("file"), ".atom")
	if !ok || name == "" {
		return "", notFoundErr("feed")
	}
	return name, nil
}

// threadEntries adds a listing's threads, each with its first post.
func (s *Server) threadEntries(c *gin.Context, b *feedBuilder, threads []*forum.Thread) error {
	for _, t := range threads {
		first, err := s.svc.Forum.FirstPost(c.Request.Context(), t)
		if err != nil {
			return err
		}
		var body template.HTML
		if first != nil {
			body = first.HTML
		}
		replies := fmt.Sprintf("<p>%d replies", t.Replies)
		if t.Replies > 0 {
			replies += ", the latest by " + template.HTMLEscapeString(t.LastPosterName)
		}
		if t.Solved() {
			replies += " · solved"
		}
		b.entry(s.tagURI(t.CreatedAt, "thread/"+t.ID), t.Title, t.URL(), t.AuthorName, t.CreatedAt, t.LastActivity,
			body+template.HTML(replies+"</p>"), atomCategory{Term: t.CategorySlug})
	}
	return nil
}

func (s *Server) threadsFeed(c *gin.Context) error {
	threads, err := s.svc.Forum.Latest(c.Request.Context(), feedEntries)
	if err != nil {
		return err
	}
	b := s.newFeed("/feeds/threads.atom", "Latest threads", "/forum", time.Unix(0, 0))
	if err := s.threadEntries(c, b, threads); err != nil {
		return err
	}
	return b.send(c)
}

func (s *Server) categoryFeed(c *gin.Context) error {
	slug, err := feedFile(c)
	if err != nil {
		return err
	}
	page, err := s.svc.Forum.Threads(c.Request.Context(), nil, slug, "")
	if err != nil {
		return err
	}
	cat := page.Category
	b := s.newFeed("/feeds/c/"+cat.Slug+".atom", cat.Name, "/c/"+cat.Slug, cat.CreatedAt)
	b.feed.Subtitle = cat.Description
	if err := s.threadEntries(c, b, page.Threads.Items); err != nil {
		return err
	}
	return b.send(c)
}

func (s *Server) threadFeed(c *gin.Context) error {
	id, err := feedFile(c)
	if err != nil {
		return err
	}
	t, posts, err := s.svc.Forum.RecentReplies(c.Request.Context(), nil, id, feedEntries)
	if err != nil {
		return err
	}
	pageOf(c, threadItem(t.ID))
	b := s.newFeed("/feeds/t/"+t.ID+".atom", "Replies to “"+t.Title+"”", t.URL(), t.CreatedAt)
	for _, p := range posts {
		b.entry(s.tagURI(p.CreatedAt, "post/"+p.ID), "Reply by "+p.AuthorName, forum.PostURL(t.ID, p), p.AuthorName, p.CreatedAt, p.EditedAt, p.HTML)
	}
	return b.send(c)
}

func (s *Server) ideasFeed(c *gin.Context) error {
	page, err := s.svc.Ideas.List(c.Request.Context(), nil, ideas.ListParams{Sort: ideas.SortNew})
	if err != nil {
		return err
	}
	b := s.newFeed("/feeds/ideas.atom", "New ideas", "/ideas?sort=new", time.Unix(0, 0))
	for _, i := range page.Items {
		cats := []atomCategory{{Term: string(i.Status), Label: i.Status.Label()}}
		for _, tag := range i.Tags {
			cats = append(cats, atomCategory{Term: tag})
		}
		b.entry(s.tagURI(i.CreatedAt, "idea/"+i.ID), i.Title, i.URL(), i.AuthorName, i.CreatedAt, i.UpdatedAt,
			i.BodyHTML+template.HTML(fmt.Sprintf("<p>%s · %d votes</p>", i.Status.Label(), i.Votes)), cats...)
	}
	return b.send(c)
}

func (s *Server) ideaFeed(c *gin.Context) error {
	id, err := feedFile(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	i, err := s.svc.Ideas.Idea(ctx, nil, id)
	if err != nil {
		return err
	}
	if i.Merged() {
		c.Redirect(http.StatusMovedPermanently, "/feeds/ideas/"+i.MergedInto+".atom")
		return nil
	}
	hist, err := s.svc.Ideas.History(ctx, i.ID)
	if err != nil {
		return err
	}
	b := s.newFeed("/feeds/ideas/"+i.ID+".atom", "Status of “"+i.Title+"”", i.URL(), i.CreatedAt)
	for k := len(hist) - 1; k >= 0; k-- {
		h := hist[k]
		title := "“" + i.Title + "” is now " + h.To.Label()
		if h.From == h.To {
			title = "The product team responded to “" + i.Title + "”"
		}
		var body template.HTML
		if h.Reason != "" {
			body = template.HTML("<p>" + template.HTMLEscapeString(h.Reason) + "</p>")
		}
		b.entry(s.tagURI(h.At, "idea-status/"+h.ID), title, i.URL()+"#history", h.ActorName, h.At, h.At, body+h.ResponseHTML,
			atomCategory{Term: string(h.To), Label: h.To.Label()})
	}
	return b.send(c)
}

func (s *Server) changelogFeed(c *gin.Context) error {
	page, err := s.svc.Ideas.Changelog(c.Request.Context(), "")
	if err != nil {
		return err
	}
	b := s.newFeed("/feeds/changelog.atom", "Changelog", "/changelog", time.Unix(0, 0))
	for _, sh := range page.Items {
		var body template.HTML
		updated := sh.ShippedAt
		if n := sh.Note; n != nil {
			body += n.BodyHTML
			if n.UpdatedAt.After(updated) {
				updated = n.UpdatedAt
			}
		}
		if r := sh.Idea.Response; r != nil {
			body += r.BodyHTML
		}
		body += template.HTML(fmt.Sprintf("<p>%s asked for this.</p>", plural(sh.Idea.Votes, "customer")))
		b.entry(s.tagURI(sh.Idea.CreatedAt, "shipped/"+sh.Idea.ID), sh.Idea.Title, sh.Idea.URL(), s.cfg.SiteName, sh.ShippedAt, updated, body)
	}
	return b.send(c)
}
