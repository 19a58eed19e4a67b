package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
)

// Signed-in members share cached pages too. A page rendered for "a member"
// marks every place where one member's page differs from another's with a
// hole: the account menu, the follow button, each post's and comment's like
// button and controls, each idea's vote button, each review's helpful
// button and controls, the author's own links ("by"), and "write" or "edit
// your review". A hole carries every variant a member can see (liked or
// not, written by them or not), and filling the page for one member picks
// their variant from a few batched reads (their likes, follow, votes and
// helpful votes among the page's items, their own review) and renders the
// account menu. So a member's page view costs those reads and
// a copy, not a render, and members get the same bytes as each other except
// for what is theirs.
//
// Staff and silenced members never share: their pages carry moderation
// controls and notices the holes do not model. A page that shows something
// else of the viewer's own (a held thread to its author, a quote in the
// reply box) is rendered for its viewer and never stored: the handler has
// to say a page is shareable (shareable), so a page nobody thought about
// stays private.
//
// A member who just wrote something sees their own writes: the pages of
// what a write changed are dropped for everyone (pagecache.go), and any
// other shared page that may show it, rendered before their last
// successful write, is rendered again for them (recentWriters); that
// render, which holds the write, replaces it for everyone.

const (
	ctxShared    = "overlay.shared"    // the request renders the member page, with holes
	ctxShareable = "overlay.shareable" // the handler says the page holds nothing else of the viewer's
	ctxSeen      = "overlay.seen"      // the page marks the viewer's notifications for this path seen
)

// holeMarks are the comments that delimit holes. The nonce, new for every
// process, means no user content can forge one: it never leaves the server.
type holeMarks struct{ prefix string }

func newHoleMarks() holeMarks {
	b := make([]byte, 8)
	rand.Read(b)
	return holeMarks{prefix: "<!--th" + hex.EncodeToString(b)}
}

// open starts a hole: spec is its kind and arguments, separated by spaces
// (ids and names: nothing that needs escaping).
func (m holeMarks) open(spec string) (template.HTML, error) {
	var w strings.Builder
	if err := m.write(&w, spec); err != nil {
		return "", err
	}
	return template.HTML(w.String()), nil
}

// write puts the start of a hole in w, for blocks written out in Go. It
// and writeVariant and writeClose write the marks in pieces: a post on a
// page members share has up to five of them.
func (m holeMarks) write(w htmlWriter, spec string) error {
	for _, r := range spec {
		if !(r == ' ' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return fmt.Errorf("hole %q: only letters, digits, - and _", spec)
		}
	}
	w.WriteString(m.prefix)
	w.WriteByte('{')
	w.WriteString(spec)
	w.WriteString("-->")
	return nil
}

func (m holeMarks) variant(name string) template.HTML {
	var w strings.Builder
	m.writeVariant(&w, name)
	return template.HTML(w.String())
}

func (m holeMarks) writeVariant(w htmlWriter, name string) {
	w.WriteString(m.prefix)
	w.WriteByte('|')
	w.WriteString(name)
	w.WriteString("-->")
}

func (m holeMarks) close() template.HTML {
	var w strings.Builder
	m.writeClose(&w)
	return template.HTML(w.String())
}

func (m holeMarks) writeClose(w htmlWriter) {
	w.WriteString(m.prefix)
	w.WriteString("/-->")
}

// overlayPage is a page with holes, split once when it is rendered.
type overlayPage struct {
	parts []overlayPart
	size  int
}

// overlayPart is either fixed text or a hole.
type overlayPart struct {
	text []byte
	hole *hole
}

type hole struct {
	kind string
	args []string
	// variants are few (two or three), so a list beats a map: parsing
	// a shared thread page made one map per hole.
	variants []holeText
}

type holeText struct {
	name string
	text []byte
}

// variant is the text of the variant called name.
func (h *hole) variant(name string) ([]byte, bool) {
	for _, v := range h.variants {
		if v.name == name {
			return v.text, true
		}
	}
	return nil, false
}

func (h *hole) arg(i int) string {
	if i < len(h.args) {
		return h.args[i]
	}
	return ""
}

var errHoles = errors.New("overlay: malformed holes")

// parse splits body at m's holes; a page without any is one part.
func (m holeMarks) parse(body []byte) (*overlayPage, error) {
	pg := &overlayPage{size: len(body)}
	pre := []byte(m.prefix)
	var cur *hole
	var curName string
	var curStart int
	for at := 0; ; {
		i := bytes.Index(body[at:], pre)
		if i < 0 {
			if cur != nil {
				return nil, errHoles
			}
			if at < len(body) {
				pg.parts = append(pg.parts, overlayPart{text: body[at:]})
			}
			return pg, nil
		}
		i += at
		j := i + len(pre)
		end := bytes.Index(body[j:], []byte("-->"))
		if j >= len(body) || end < 0 {
			return nil, errHoles
		}
		op, arg := body[j], string(body[j+1:j+end])
		next := j + end + 3
		switch {
		case op == '{' && cur == nil:
			if i > at {
				pg.parts = append(pg.parts, overlayPart{text: body[at:i]})
			}
			f := strings.Fields(arg)
			if len(f) == 0 {
				return nil, errHoles
			}
			cur = &hole{kind: f[0], args: f[1:], variants: make([]holeText, 0, 3)}
			curName = ""
		case op == '|' && cur != nil:
			if curName != "" {
				cur.variants = append(cur.variants, holeText{curName, body[curStart:i]})
			}
			curName, curStart = arg, next
		case op == '/' && cur != nil:
			if curName != "" {
				cur.variants = append(cur.variants, holeText{curName, body[curStart:i]})
			}
			pg.parts = append(pg.parts, overlayPart{hole: cur})
			cur = nil
		default:
			return nil, errHoles
		}
		at = next
	}
}

// viewerState is what one member's fill needs to know, read in one batch
// per kind of hole.
type viewerState struct {
	u         *townhall.User
	liked     map[string]bool   // posts and comments
	following map[string]bool   // threads
	voted     map[string]bool   // ideas
	helpful   map[string]bool   // reviews
	myReview  map[string]string // product → "none", "mine" or "held"
}

// overlayState reads the member's state for the page's holes.
func (s *Server) overlayState(ctx context.Context, u *townhall.User, pg *overlayPage) (*viewerState, error) {
	st := &viewerState{u: u, following: map[string]bool{}, myReview: map[string]string{}}
	var likes, ideaIDs, reviewIDs []string
	for _, p := range pg.parts {
		h := p.hole
		if h == nil {
			continue
		}
		switch h.kind {
		case "post", "comment":
			likes = append(likes, h.arg(0))
		case "vote":
			ideaIDs = append(ideaIDs, h.arg(0))
		case "review":
			reviewIDs = append(reviewIDs, h.arg(0))
		case "myreview":
			if _, ok := st.myReview[h.arg(0)]; ok {
				continue
			}
			r, err := s.svc.Reviews.MyReview(ctx, u, h.arg(0))
			if err != nil {
				return nil, err
			}
			switch {
			case r == nil:
				st.myReview[h.arg(0)] = "none"
			case r.Held:
				st.myReview[h.arg(0)] = "held"
			default:
				st.myReview[h.arg(0)] = "mine"
			}
		case "follow":
			on, err := s.svc.Forum.Following(ctx, u, h.arg(0))
			if err != nil {
				return nil, err
			}
			st.following[h.arg(0)] = on
		}
	}
	var err error
	if len(likes) > 0 && s.svc.Loyalty != nil {
		if st.liked, err = s.svc.Loyalty.Liked(ctx, u, likes); err != nil {
			return nil, err
		}
	}
	if len(reviewIDs) > 0 {
		if st.helpful, err = s.svc.Reviews.HelpfulAmong(ctx, u, reviewIDs); err != nil {
			return nil, err
		}
	}
	if len(ideaIDs) > 0 {
		if st.voted, err = s.svc.Ideas.VotedAmong(ctx, u, ideaIDs); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// choose names the variant of h the member sees.
func (st *viewerState) choose(h *hole) string {
	onOff := func(on bool) string {
		if on {
			return "on"
		}
		return "off"
	}
	switch h.kind {
	case "post", "comment": // id, author
		if st.u.ID == h.arg(1) {
			return "own"
		}
		return onOff(st.liked[h.arg(0)])
	case "review": // id, author
		if st.u.ID == h.arg(1) {
			return "own"
		}
		return onOff(st.helpful[h.arg(0)])
	case "myreview":
		return st.myReview[h.arg(0)]
	case "by": // what only the author of the thing (arg 0) sees
		if st.u.ID == h.arg(0) {
			return "own"
		}
		return "other"
	case "follow":
		return onOff(st.following[h.arg(0)])
	case "vote":
		return onOff(st.voted[h.arg(0)])
	}
	return ""
}

// fill writes pg as the member sees it.
func (s *Server) fill(buf *bytes.Buffer, pg *overlayPage, st *viewerState) error {
	buf.Grow(pg.size)
	for _, p := range pg.parts {
		h := p.hole
		if h == nil {
			buf.Write(p.text)
			continue
		}
		if h.kind == "account" {
			if err := s.pages.account(buf, &view{User: st.u, Nav: h.arg(0)}); err != nil {
				return err
			}
			continue
		}
		b, ok := h.variant(st.choose(h))
		if !ok {
			return fmt.Errorf("overlay: no variant %q of %s hole %v", st.choose(h), h.kind, h.args)
		}
		buf.Write(b)
	}
	return nil
}

// sharesPages says whether u's pages may come from, and go to, the shared
// member cache: not staff, not silenced.
func sharesPages(u *townhall.User, now time.Time) bool {
	return !u.Role.IsStaff() && !u.Silenced(now)
}

// sharedRender says whether this request renders the member page with holes.
func sharedRender(c *gin.Context) bool { return c.GetBool(ctxShared) }

// shareable is what a handler calls when its page, rendered with holes,
// shows nothing else of the viewer's, so other members may get it.
func shareable(c *gin.Context) { c.Set(ctxShareable, true) }

// recentWriters remembers when each member last wrote, for one TTL (the
// longest a page rendered before it is kept), so a shared page older than
// their write is rendered again for them.
//
// A write that named the items it changed (a reply, a vote) already
// dropped those items' pages for everyone, so only lists, which mention
// items without being dropped, are rendered again for its writer; the
// pages of other threads, ideas and products stay shared. A write that
// named nothing (a new thread, a profile change) may show anywhere.
type recentWriters struct {
	mu    sync.Mutex
	at    map[string]lastWrites
	swept time.Time
}

type lastWrites struct {
	any     time.Time // any write
	unnamed time.Time // a write that named no item it changed
}

func (r *recentWriters) wrote(id string, now time.Time, named bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.at == nil {
		r.at = map[string]lastWrites{}
	}
	w := r.at[id]
	w.any = now
	if !named {
		w.unnamed = now
	}
	r.at[id] = w
}

// since is the time of id's last write that a page may not show, or the
// zero time when none was within ttl: the last of any kind for a list
// (item false), the last that named nothing for an item's page.
func (r *recentWriters) since(id string, item bool, now time.Time, ttl time.Duration) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now.Sub(r.swept) >= ttl {
		for k, w := range r.at {
			if now.Sub(w.any) >= ttl {
				delete(r.at, k)
			}
		}
		r.swept = now
	}
	w, ok := r.at[id]
	t := w.any
	if item {
		t = w.unnamed
	}
	if ok && now.Sub(t) < ttl {
		return t
	}
	return time.Time{}
}

// bufferWriter holds a response back until the member's holes are filled.
type bufferWriter struct {
	gin.ResponseWriter
	buf *bytes.Buffer // from getBuffer
}

func (w *bufferWriter) Write(b []byte) (int, error)       { return w.buf.Write(b) }
func (w *bufferWriter) WriteString(s string) (int, error) { return w.buf.WriteString(s) }
func (w *bufferWriter) Written() bool                     { return w.buf.Len() > 0 || w.ResponseWriter.Written() }
func (w *bufferWriter) Size() int                         { return w.buf.Len() }
