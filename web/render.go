package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/moderation"
	"github.com/townhall/townhall/static"
	"github.com/townhall/townhall/templates"
)

// view is what every page template receives. Page-specific data goes in Data.
type view struct {
	Site      string
	Title     string
	User      *townhall.User
	Path      string // current path, for nav highlighting and sign-in return
	Nav       string // which nav item is current: forum, ideas, reviews, search
	Error     string // a friendly message above the form
	Form      url.Values
	Data      any
	DevLogin  bool
	RequestID string
	// Feed is the page's Atom feed, linked from its head.
	Feed *feedLink
	// Shared says the page is rendered for any member, with holes where
	// members' pages differ (overlay.go).
	Shared bool
}

// renderer holds one template set per page: the layout and partials plus the
// page's own file, so pages may define the same block names.
type renderer struct {
	chrome     sync.Map // chromeKey → *chrome
	holes      holeMarks
	pages      map[string]*template.Template
	staticHash map[string]string
	loc        *time.Location // the site's time zone, for end dates
}

func newRenderer() (*renderer, error) {
	r := &renderer{pages: map[string]*template.Template{}, staticHash: map[string]string{}, holes: newHoleMarks()}
	err := fs.WalkDir(static.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static.FS, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		r.staticHash[p] = hex.EncodeToString(sum[:])[:10]
		return nil
	})
	if err != nil {
		return nil, err
	}
	base := template.New("layout.html").Funcs(r.funcs())
	base, err = base.ParseFS(templates.FS, "layout.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	files, err := fs.Glob(templates.FS, "pages/*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		t, err := template.Must(base.Clone()).ParseFS(templates.FS, f)
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		r.pages[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return r, nil
}

// account renders the layout's account menu for v's user: what fills a
// shared page's account hole.
func (r *renderer) account(w io.Writer, v *view) error {
	_, err := io.WriteString(w, string(accountMenu(v)))
	return err
}

// staticURL returns a cache-busting URL for a static file.
func (r *renderer) staticURL(name string) string {
	return "/static/" + name + "?v=" + r.staticHash[name]
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 instead of half a page.
func (r *renderer) render(w io.Writer, page string, v *view) error {
	t, ok := r.pages[page]
	if !ok {
		return fmt.Errorf("no page template %q", page)
	}
	// html passes its own buffer, which needs no second copy.
	if buf, ok := w.(*bytes.Buffer); ok {
		n := buf.Len()
		if err := r.layout(buf, t, v); err != nil {
			buf.Truncate(n)
			return fmt.Errorf("render %s: %w", page, err)
		}
		return nil
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if err := r.layout(buf, t, v); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// layout writes page t in the site's layout. As one template the layout
// was some seventy template actions per page, 80 µs of every render;
// what it shows that is the same for every page with the same site name
// and nav item is now rendered once from its parts in layout.html
// (chromeFor), and the rest is written here.
func (r *renderer) layout(w *bytes.Buffer, t *template.Template, v *view) error {
	c, err := r.chromeFor(t, v.Site, v.Nav)
	if err != nil {
		return err
	}
	w.WriteString("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	if v.Title != "" {
		w.WriteString(attrEscape(v.Title))
		w.WriteString(" · ")
	}
	w.WriteString(attrEscape(v.Site))
	w.WriteString("</title>\n")
	w.WriteString(c.links)
	if f := v.Feed; f != nil {
		w.WriteString(`<link rel="alternate" type="application/atom+xml" title="`)
		w.WriteString(attrEscape(f.Title))
		w.WriteString(`" href="`)
		w.WriteString(attrEscape(safeURL(f.URL)))
		w.WriteString(`">`)
	}
	w.WriteByte('\n')
	if err := t.ExecuteTemplate(w, "head", v); err != nil {
		return err
	}
	w.WriteString(c.top)
	if v.Shared {
		h, err := r.holes.open("account " + v.Nav)
		if err != nil {
			return err
		}
		w.WriteString(string(h))
		w.WriteString(string(r.holes.close()))
	} else {
		w.WriteString(string(accountMenu(v)))
	}
	w.WriteString(c.menu)
	if v.User != nil && v.User.Silenced(time.Now()) {
		if err := t.ExecuteTemplate(w, "sanction-notice", v); err != nil {
			return err
		}
	}
	w.WriteByte('\n')
	if v.Error != "" {
		w.WriteString(`<div class="alert error" role="alert">`)
		w.WriteString(attrEscape(v.Error))
		w.WriteString(`</div>`)
	}
	w.WriteByte('\n')
	if err := t.ExecuteTemplate(w, "content", v); err != nil {
		return err
	}
	if tail, ok := v.Data.(contentTail); ok {
		if err := tail.writeContentTail(w); err != nil {
			return err
		}
	}
	w.WriteString(c.foot)
	if v.User != nil {
		w.WriteString(c.flagForm)
	}
	w.WriteString(c.script)
	if err := t.ExecuteTemplate(w, "scripts", v); err != nil {
		return err
	}
	// The old layout.html ended so, after the definitions that followed it.
	w.WriteString("\n</body>\n</html>\n\n\n")
	return nil
}

// chrome is the layout's parts that depend only on the site's name and the
// page's nav item.
type chrome struct {
	links, top, menu, foot, flagForm, script string
}

type chromeKey struct{ site, nav string }

// chromeFor renders the layout's parts for site and nav the first time a
// page asks for them. The nav items are the handlers' few constants and
// the site name is configuration, so there are a handful of them.
func (r *renderer) chromeFor(t *template.Template, site, nav string) (*chrome, error) {
	k := chromeKey{site, nav}
	if c, ok := r.chrome.Load(k); ok {
		return c.(*chrome), nil
	}
	v := &view{Site: site, Nav: nav}
	part := func(name string) (string, error) {
		var b strings.Builder
		err := t.ExecuteTemplate(&b, name, v)
		return b.String(), err
	}
	c := &chrome{
		links: `<link rel="stylesheet" href="` + attrEscape(safeURL(r.staticURL("app.css"))) + "\">\n" +
			`<link rel="icon" href="` + attrEscape(safeURL(r.staticURL("favicon.svg"))) + "\" type=\"image/svg+xml\">\n",
		script: "\n<script src=\"" + attrEscape(safeURL(r.staticURL("app.js"))) + "\" defer></script>\n",
	}
	var err error
	for _, p := range []struct {
		name string
		out  *string
	}{{"layout-top", &c.top}, {"layout-menu", &c.menu}, {"layout-foot", &c.foot}, {"flag-form-template", &c.flagForm}} {
		if *p.out, err = part(p.name); err != nil {
			return nil, err
		}
	}
	r.chrome.Store(k, c)
	return c, nil
}

func (r *renderer) renderError(w io.Writer, v *view, status int, msg string) {
	v.Title = http.StatusText(status)
	v.Data = map[string]any{"Status": status, "Message": msg}
	if err := r.render(w, "error", v); err != nil {
		fmt.Fprintf(w, "<!doctype html><title>Error</title><p>%s</p>", template.HTMLEscapeString(msg))
	}
}

// baseView is the view for requests outside Gin (the cross-origin deny handler).
func (s *Server) baseView(req *http.Request) *view {
	return &view{Site: s.cfg.SiteName, Path: req.URL.Path, DevLogin: s.cfg.DevLogin}
}

// view starts a page view for the current request.
func (s *Server) view(c *gin.Context, title string) *view {
	return &view{
		Site:      s.cfg.SiteName,
		Title:     title,
		User:      currentUser(c),
		Path:      c.Request.URL.Path,
		DevLogin:  s.cfg.DevLogin,
		RequestID: c.GetString(ctxRequestID),
		Shared:    sharedRender(c),
	}
}

// html renders a page with the given status; page handlers end with it. A
// template error is returned before anything is written.
func (s *Server) html(c *gin.Context, status int, page string, v *view) error {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-cache")
	// The render members share goes straight into memberPage's buffer
	// rather than through a copy.
	if bw, ok := c.Writer.(*bufferWriter); ok && bw.buf.Len() == 0 {
		if err := s.pages.render(bw.buf, page, v); err != nil {
			return err
		}
		c.Status(status)
		return nil
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if err := s.pages.render(buf, page, v); err != nil {
		return err
	}
	c.Status(status)
	c.Writer.Write(buf.Bytes())
	return nil
}

// buffers holds the buffers pages are rendered and filled in before they
// are written. Each used to start from nothing and grow by doubling, which
// was half the bytes a signed-in thread page allocated.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return buffers.Get().(*bytes.Buffer) }

// putBuffer returns b to the pool, unless one huge page made it too big to
// keep around.
func putBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	buffers.Put(b)
}

func (r *renderer) funcs() template.FuncMap {
	m := template.FuncMap{
		"static":  r.staticURL,
		"ago":     ago,
		"date":    func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
		"iso":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"when":    when,
		"plural":  countOf,
		"num":     thousands,
		"label":   label,
		"add":     func(a, b int) int { return a + b },
		"initial": initial,
		"setq":    func(u *url.URL, kv ...string) string { return withQuery(u, kv...) },
		"val": func(f url.Values, k string) string {
			if f == nil {
				return ""
			}
			return f.Get(k)
		},
		"staff":         func(r townhall.Role) bool { return r.IsStaff() },
		"canModerate":   func(u *townhall.User) bool { return u.HasRole(townhall.Role.CanModerate) },
		"canManage":     func(u *townhall.User) bool { return u.HasRole(townhall.Role.CanManageProduct) },
		"isAdmin":       func(u *townhall.User) bool { return u != nil && u.Role == townhall.RoleAdmin },
		"roles":         func() []townhall.Role { return townhall.Roles },
		"stars":         func(n int) string { return starText(float64(n)) },
		"starsf":        starText,
		"ratingChoices": ratingChoices,
		"dict":          dict,
		"card":          r.card,
		"voteForm":      voteForm,
		"statusPill":    statusPill,
		"accountMenu":   accountMenu,
		"holeOpen":      r.holes.open,
		"holeVariant":   r.holes.variant,
		"holeClose":     r.holes.close,
		"hasValue":      hasValue,
		// Trust and safety (see partials/moderation.html).
		"flag":            func(kind, id, back string) flagView { return flagView{kind, id, back} },
		"flagReasons":     func() []string { return moderation.Reasons },
		"reasonLabel":     moderation.ReasonLabel,
		"heldNotice":      moderation.HeldNotice,
		"deletable":       moderation.Deletable,
		"levelName":       moderation.LevelName,
		"trustLevels":     func() []int { return []int{0, 1, 2, 3} },
		"silenced":        func(u *townhall.User) bool { return u.Silenced(time.Now()) },
		"suspended":       func(u *townhall.User) bool { return u.Suspended(time.Now()) },
		"silencedMessage": func(u *townhall.User) string { return moderation.SilencedMessage(u, r.loc) },
		"until":           func(t time.Time) string { return moderation.When(t, r.loc) },
	}
	for name, f := range loyaltyFuncs() {
		m[name] = f
	}
	return m
}

// withQuery returns u's path and query with the given key/value pairs set
// (an empty value removes the key); templates build filter and page links with it.
func withQuery(u *url.URL, kv ...string) string {
	q := u.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return u.Path
	}
	return u.Path + "?" + q.Encode()
}

// initial is the letter of a name's avatar.
func initial(name string) string {
	for _, r := range name {
		return strings.ToUpper(string(r))
	}
	return "?"
}

// when is a <time> element saying how long ago t was, with the exact time
// as its machine-readable value and tooltip. One template action instead
// of three: every card, post and review shows one, and each action costs a
// reflective call and an escaper. RFC 3339 text needs no escaping.
func when(t time.Time) template.HTML {
	iso := t.UTC().Format(time.RFC3339)
	return template.HTML(`<time datetime="` + iso + `" title="` + iso + `">` + template.HTMLEscapeString(ago(t)) + `</time>`)
}

// ago renders a time as "3 hours ago"; the exact time goes in a title attribute.
func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	case d < 30*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	}
	return t.UTC().Format("2 Jan 2006")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// countOf is n things, "1 reply" or "1,204 replies".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// thousands writes n with comma separators: 315548 → "315,548".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// label turns a stored value such as "under_review" into "Under review".
func label(v string) string {
	v = strings.ReplaceAll(v, "_", " ")
	if v == "" {
		return v
	}
	return strings.ToUpper(v[:1]) + v[1:]
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// static serves embedded assets; URLs carry a content hash, so they may be
// cached for a year.
func (s *Server) static(c *gin.Context) error {
	name := strings.TrimPrefix(c.Param("file"), "/")
	b, err := fs.ReadFile(static.FS, name)
	if err != nil || name == "" {
		return notFoundErr("file")
	}
	if c.Query("v") == s.pages.staticHash[name] {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "public, max-age=300")
	}
	c.Header("X-Content-Type-Options", "nosniff")
	http.ServeContent(c.Writer, c.Request, name, time.Time{}, bytes.NewReader(b))
	return nil
}

// htmlWriter is where the hand-written page blocks write: a string they
// are built in, or the page's own buffer.
type htmlWriter interface {
	io.StringWriter
	io.ByteWriter
}

// contentTail is page data that writes the end of the page's content
// itself, after the "content" template, straight into the page's buffer.
type contentTail interface {
	writeContentTail(w *bytes.Buffer) error
}
