package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
)

// pageCache keeps the pages (and public API reads) anonymous visitors get
// for a few seconds.
//
// Most of a community's traffic is people reading without signing in, and
// they all get the same bytes for the same URL. Rendering that page once per
// TTL instead of once per request is what lets one small machine serve
// thousands of page views a second (BENCHMARKS.md), and concurrent misses for
// one URL wait for a single render rather than all rendering it at once.
//
// Members' pages go through it too, as pages with holes that each view
// fills with the member's own state (overlay.go). What it never does: serve
// a cached page to staff (their pages carry moderation controls), serve
// one member's render to another unfilled, keep anything but a 200 without
// cookies, or keep it past its TTL. A staff member's successful
// write (hiding, locking, merging, answering officially) clears the whole
// cache, so moderation is visible at once. A member's write drops the pages
// of what it changed (a reply its thread's pages, a vote its idea's): each
// page names the item it shows (pageOf) and each write the items it changed
// (changed). Lists that merely mention an item (the board's order, a
// category's last reply) reach everyone else within the TTL.
type pageCache struct {
	ttl      time.Duration
	maxBytes int
	now      func() time.Time

	mu       sync.Mutex
	entries  map[string]*cachedPage
	bytes    int
	recent   lruList // the kept pages, most recently stored or served first
	inflight map[string]chan struct{}
	gen      uint64 // bumped by purge, so a render begun before it is not stored
	swept    time.Time
	// shows indexes the kept pages by the item they show; dropped is when
	// each item's pages were last dropped, so a render of it begun before
	// is not kept. Forgotten drop times (older than keepDropped) are
	// summed up by forgotten: a render begun before it may show any item
	// as it was and is not kept.
	shows     map[string]map[string]struct{}
	dropped   map[string]time.Time
	forgotten time.Time
}

// keepDropped is how long the cache remembers that an item's pages were
// dropped: longer than any render takes.
const keepDropped = time.Minute

type cachedPage struct {
	contentType string
	body        []byte
	stored      time.Time
	// etag and lastModified are the validators a handler gave (feeds), so
	// a conditional GET answered from the cache still gets 304.
	etag, lastModified string
	// overlay is a member page split at its holes (overlay.go); seen is
	// the path whose notifications a view of it marks seen.
	overlay *overlayPage
	seen    string
	began   time.Time // when its render began: it holds every write before
	shows   string    // the item it shows (pageOf), if any
	// writers is set when members who just wrote may get it too
	// (sharedWithWriters).
	writers bool

	key        string      // its key in entries
	prev, next *cachedPage // its neighbours in recent
}

// lruList orders the kept pages by their last use, so a full cache makes
// room by forgetting what was read longest ago. Without it a full cache
// refused every new page until some expired: the long tail of threads read
// once filled it within seconds, and then the board and the front page,
// read hundreds of times a second, went unkept after each expiry and were
// rendered for every visitor until a sweep freed room.
type lruList struct{ head, tail *cachedPage }

func (l *lruList) pushFront(p *cachedPage) {
	p.prev, p.next = nil, l.head
	if l.head != nil {
		l.head.prev = p
	} else {
		l.tail = p
	}
	l.head = p
}

func (l *lruList) remove(p *cachedPage) {
	if p.prev != nil {
		p.prev.next = p.next
	} else {
		l.head = p.next
	}
	if p.next != nil {
		p.next.prev = p.prev
	} else {
		l.tail = p.prev
	}
	p.prev, p.next = nil, nil
}

func (l *lruList) touch(p *cachedPage) {
	if l.head != p {
		l.remove(p)
		l.pushFront(p)
	}
}

// newPageCache returns nil, meaning no caching, when ttl is not positive.
func newPageCache(ttl time.Duration, maxBytes int) *pageCache {
	if ttl <= 0 {
		return nil
	}
	return &pageCache{ttl: ttl, maxBytes: maxBytes, now: time.Now,
		entries: map[string]*cachedPage{}, inflight: map[string]chan struct{}{},
		shows: map[string]map[string]struct{}{}, dropped: map[string]time.Time{}}
}

// lookup returns a fresh page for key, or leads: the caller must render the
// page, offer it to store, and call release. While a leader renders, other
// callers for the same key wait for it (or for their own request to end)
// and then take its page, or render on their own if it kept none.
func (pc *pageCache) lookup(key string, done <-chan struct{}) (page *cachedPage, lead bool, gen uint64) {
	pc.mu.Lock()
	if p := pc.fresh(key); p != nil {
		pc.mu.Unlock()
		return p, false, 0
	}
	ch, busy := pc.inflight[key]
	if !busy {
		pc.inflight[key] = make(chan struct{})
		gen = pc.gen
		pc.mu.Unlock()
		return nil, true, gen
	}
	pc.mu.Unlock()
	select {
	case <-ch:
	case <-done:
		return nil, false, 0
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.fresh(key), false, 0
}

// fresh is key's page if it has not expired; pc.mu is held.
func (pc *pageCache) fresh(key string) *cachedPage {
	p := pc.entries[key]
	if p != nil && pc.expired(p, pc.now()) {
		pc.dropLocked(key)
		return nil
	}
	if p != nil {
		pc.recent.touch(p)
	}
	return p
}

func (pc *pageCache) expired(p *cachedPage, now time.Time) bool { return now.Sub(p.stored) >= pc.ttl }

// dropLocked forgets key's page, if any; pc.mu is held.
func (pc *pageCache) dropLocked(key string) {
	if p := pc.entries[key]; p != nil {
		pc.bytes -= len(p.body)
		delete(pc.entries, key)
		pc.recent.remove(p)
		if p.shows != "" {
			delete(pc.shows[p.shows], key)
			if len(pc.shows[p.shows]) == 0 {
				delete(pc.shows, p.shows)
			}
		}
	}
}

// keep stores p, which the cache now owns, under key unless the cache was
// purged since the render began (gen) or the item it shows was changed
// since (drop). When it would pass the size cap, expired pages are dropped
// first, then the least recently used ones until it fits.
func (pc *pageCache) keep(key string, gen uint64, p *cachedPage) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if gen != pc.gen || p.shows != "" && pc.droppedSince(p.shows, p.began) {
		return
	}
	// A full cache is swept at most 16 times a TTL, not on every store:
	// each sweep walks every page under the lock.
	if since := pc.now().Sub(pc.swept); since >= pc.ttl || pc.bytes+len(p.body) > pc.maxBytes && since >= pc.ttl/16 {
		pc.sweepLocked()
	}
	if old := pc.entries[key]; old != nil && old.began.After(p.began) {
		return // a newer render of a member page got there first
	}
	pc.dropLocked(key) // a leader only renders what had no fresh page
	if len(p.body) > pc.maxBytes {
		return
	}
	for pc.bytes+len(p.body) > pc.maxBytes {
		pc.dropLocked(pc.recent.tail.key)
	}
	p.stored, p.key = pc.now(), key
	pc.entries[key] = p
	pc.recent.pushFront(p)
	pc.bytes += len(p.body)
	if p.shows != "" {
		if pc.shows[p.shows] == nil {
			pc.shows[p.shows] = map[string]struct{}{}
		}
		pc.shows[p.shows][key] = struct{}{}
	}
}

// droppedSince says whether item's pages were dropped at or after began,
// as far as the cache remembers; pc.mu is held.
func (pc *pageCache) droppedSince(item string, began time.Time) bool {
	if !began.After(pc.forgotten) {
		return true
	}
	d, ok := pc.dropped[item]
	return ok && !began.After(d)
}

// drop forgets the pages of item, anonymous and members', and refuses
// the renders of it under way: a write changed it.
func (pc *pageCache) drop(item string) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	for key := range pc.shows[item] {
		pc.dropLocked(key)
	}
	pc.dropped[item] = pc.now()
}

// release ends key's render and wakes the requests waiting for it.
func (pc *pageCache) release(key string) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if ch, ok := pc.inflight[key]; ok {
		close(ch)
		delete(pc.inflight, key)
	}
}

// generation is the purge count now: a render begun after it may be kept.
func (pc *pageCache) generation() uint64 {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.gen
}

// purge drops every page.
func (pc *pageCache) purge() {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	pc.entries = map[string]*cachedPage{}
	pc.recent = lruList{}
	pc.shows = map[string]map[string]struct{}{}
	pc.bytes = 0
	pc.gen++
}

func (pc *pageCache) sweepLocked() {
	now := pc.now()
	pc.swept = now
	for k, p := range pc.entries {
		if pc.expired(p, now) {
			pc.dropLocked(k)
		}
	}
	for item, d := range pc.dropped {
		if now.Sub(d) >= keepDropped {
			if d.After(pc.forgotten) {
				pc.forgotten = d
			}
			delete(pc.dropped, item)
		}
	}
}

// Items a page can show, as pageOf and changed name them. Products go by
// id, since their page's address has the slug and their API's the id.
func threadItem(id string) string  { return "thread " + id }
func ideaItem(id string) string    { return "idea " + id }
func productItem(id string) string { return "product " + id }

const (
	ctxPageOf  = "pagecache.of"      // the item the page shows
	ctxChanged = "pagecache.changed" // the write named an item it changed
	ctxWriters = "pagecache.writers" // members who just wrote may share the page
)

// sharedWithWriters says members who just wrote get the shared page too,
// not a render of their own (search results).
func sharedWithWriters(c *gin.Context) { c.Set(ctxWriters, true) }

// pageOf says which item the page being rendered shows, so a write to it
// drops the page from the cache.
func pageOf(c *gin.Context, item string) { c.Set(ctxPageOf, item) }

// changed is what a write handler calls once its write is stored: the
// cached pages showing item are dropped then, before the answer leaves,
// so the writer's next request (the page a form redirects to) and
// everyone else's get a render holding the write.
func (s *Server) changed(c *gin.Context, item string) {
	c.Set(ctxChanged, true)
	if s.pageCache != nil {
		s.pageCache.drop(item)
	}
}

// cacheablePath says whether a GET of path is public: pages and the read
// API. Sign-in flows, admin pages, notifications and operational endpoints
// are never cached.
func cacheablePath(path string) bool {
	for _, p := range []string{"/auth/", "/admin", "/static/", "/healthz", "/metrics", "/notifications", "/api/v1/notifications", "/api/v1/me"} {
		if strings.HasPrefix(path, p) {
			return false
		}
	}
	return true
}

// maxCachedBody is the largest response the cache keeps.
const maxCachedBody = 1 << 20

// anonPageCache serves anonymous GETs of public pages and API reads from
// the page cache, and members' pages from it through their overlay
// (overlay.go); it clears the cache after a staff member changes something.
func (s *Server) anonPageCache(c *gin.Context) {
	pc := s.pageCache
	u := currentUser(c)
	path := c.Request.URL.Path
	if c.Request.Method == http.MethodGet && u != nil && cacheablePath(path) && !isAPI(path) && !strings.HasPrefix(path, "/feeds/") &&
		sharesPages(u, time.Now()) {
		// Members' pages are rendered with holes and filled even with
		// no cache: one way to render them, which every signed-in page
		// view exercises.
		s.memberPage(c, pc, u)
		return
	}
	if pc == nil {
		s.admitted(c)
		return
	}
	if c.Request.Method != http.MethodGet || u != nil || !cacheablePath(path) {
		s.admitted(c)
		if u != nil && isWrite(c.Request.Method) && c.Writer.Status() < 400 {
			s.writers.wrote(u.ID, pc.now(), c.GetBool(ctxChanged))
			if u.Role.IsStaff() {
				pc.purge()
			}
		}
		return
	}
	key := c.Request.URL.RequestURI()
	page, lead, gen := pc.lookup(key, c.Request.Context().Done())
	if page != nil {
		s.metrics.pageCache.WithLabelValues("hit").Inc()
		h := c.Writer.Header()
		h.Set("Content-Type", page.contentType)
		h.Set("Cache-Control", "no-cache")
		h.Set("Age", strconv.Itoa(int(pc.now().Sub(page.stored)/time.Second)))
		if page.etag != "" {
			h.Set("ETag", page.etag)
			h.Set("Last-Modified", page.lastModified)
			lm, _ := http.ParseTime(page.lastModified)
			if notModified(c.Request, page.etag, lm) {
				c.Status(http.StatusNotModified)
				c.Writer.WriteHeaderNow()
				c.Abort()
				return
			}
		}
		c.Status(http.StatusOK)
		c.Writer.Write(page.body)
		c.Abort()
		return
	}
	s.metrics.pageCache.WithLabelValues("miss").Inc()
	if !lead {
		s.admitted(c)
		return
	}
	defer pc.release(key)
	// Admitted after the lookup: a request waiting on another's render
	// must not hold a slot that render may be queued for.
	release, ok := s.admit(c)
	if !ok {
		return
	}
	defer release()
	began := pc.now()
	tee := &teeWriter{ResponseWriter: c.Writer}
	c.Writer = tee
	c.Next()
	h := tee.Header()
	// Only a complete 200 that answered no one in particular (a handler
	// that sets a cookie did) is worth sharing.
	if tee.Status() == http.StatusOK && !tee.overflow && len(h.Values("Set-Cookie")) == 0 && h.Get("Content-Type") != "" {
		pc.keep(key, gen, &cachedPage{contentType: h.Get("Content-Type"), body: tee.buf,
			etag: h.Get("ETag"), lastModified: h.Get("Last-Modified"), began: began, shows: c.GetString(ctxPageOf)})
	}
}

// memberPage answers a member's page view from the shared member page,
// filled for them, or renders it with holes and shares it when its handler
// says it may be. A member who wrote something after the shared page was
// rendered gets a new render, which replaces it for everyone, so they see
// their write at once and others see it sooner.
// With no cache (pc nil) it renders, fills and keeps nothing.
func (s *Server) memberPage(c *gin.Context, pc *pageCache, u *townhall.User) {
	key := "m " + c.Request.URL.RequestURI() // no request URI has a space
	var page *cachedPage
	var lead, renew bool
	var gen uint64
	if pc != nil {
		page, lead, gen = pc.lookup(key, c.Request.Context().Done())
		if page != nil && !page.writers && !page.began.After(s.writers.since(u.ID, page.shows != "", pc.now(), pc.ttl)) {
			page, renew, gen = nil, true, pc.generation()
		}
	}
	if lead {
		defer pc.release(key)
	}
	release, ok := s.admit(c) // after the lookup, as for anonymous pages
	if !ok {
		return
	}
	defer release()
	if page != nil {
		s.metrics.pageCache.WithLabelValues("member_hit").Inc()
		if page.seen != "" {
			s.markSeen(c, page.seen)
		}
		h := c.Writer.Header()
		h.Set("Content-Type", page.contentType)
		h.Set("Cache-Control", "no-cache")
		s.writeFilled(c, page.overlay, u, http.StatusOK)
		c.Abort()
		return
	}
	if pc != nil {
		s.metrics.pageCache.WithLabelValues("member_miss").Inc()
	}
	c.Set(ctxShared, true)
	var began time.Time
	if pc != nil {
		began = pc.now()
	}
	bw := &bufferWriter{ResponseWriter: c.Writer, buf: getBuffer()}
	defer putBuffer(bw.buf)
	c.Writer = bw
	c.Next()
	c.Writer = bw.ResponseWriter
	body := bw.buf.Bytes()
	if !strings.HasPrefix(c.Writer.Header().Get("Content-Type"), "text/html") {
		c.Writer.Write(body)
		return
	}
	status := c.Writer.Status()
	keep := (lead || renew) && status == http.StatusOK && c.GetBool(ctxShareable) && len(body) <= maxCachedBody
	if keep {
		body = bytes.Clone(body) // the buffer goes back to the pool; the cache keeps just the page
	}
	pg, err := s.pages.holes.parse(body)
	if err != nil {
		c.Set(ctxShared, false)
		s.fail(c, err)
		return
	}
	if keep {
		pc.keep(key, gen, &cachedPage{contentType: c.Writer.Header().Get("Content-Type"), body: body, overlay: pg,
			seen: c.GetString(ctxSeen), began: began, shows: c.GetString(ctxPageOf), writers: c.GetBool(ctxWriters)})
	}
	s.writeFilled(c, pg, u, status)
}

// writeFilled writes pg filled for u, or the error page when their state
// cannot be read.
func (s *Server) writeFilled(c *gin.Context, pg *overlayPage, u *townhall.User, status int) {
	out := getBuffer()
	defer putBuffer(out)
	st, err := s.overlayState(c.Request.Context(), u, pg)
	if err == nil {
		err = s.fill(out, pg, st)
	}
	if err != nil {
		c.Set(ctxShared, false)
		s.fail(c, err)
		return
	}
	c.Status(status)
	c.Writer.Write(out.Bytes())
}

// teeWriter keeps a copy of what a handler writes, up to maxCachedBody.
type teeWriter struct {
	gin.ResponseWriter
	buf      []byte
	overflow bool
}

func (w *teeWriter) Write(b []byte) (int, error) {
	w.keep(b)
	return w.ResponseWriter.Write(b)
}

func (w *teeWriter) WriteString(s string) (int, error) {
	w.keep([]byte(s))
	return w.ResponseWriter.WriteString(s)
}

func (w *teeWriter) keep(b []byte) {
	if w.overflow || len(w.buf)+len(b) > maxCachedBody {
		w.overflow, w.buf = true, nil
		return
	}
	w.buf = append(w.buf, b...)
}

// isWrite says whether a request may change something: what the write
// rate limits count and what clears the page cache.
func isWrite(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}
