package web

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
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
// What it never does: serve a cached response to a signed-in person (their
// pages show their votes, notifications and staff controls), keep anything
// but a 200 without cookies, or keep it past its TTL. A staff member's successful
// write (hiding, locking, merging, answering officially) clears the whole
// cache, so moderation is visible at once; other content reaches anonymous
// visitors within the TTL.
type pageCache struct {
	ttl      time.Duration
	maxBytes int
	now      func() time.Time

	mu       sync.Mutex
	entries  map[string]*cachedPage
	bytes    int
	inflight map[string]chan struct{}
	gen      uint64 // bumped by purge, so a render begun before it is not stored
	swept    time.Time
}

type cachedPage struct {
	contentType string
	body        []byte
	stored      time.Time
	// etag and lastModified are the validators a handler gave (feeds), so
	// a conditional GET answered from the cache still gets 304.
	etag, lastModified string
}

// newPageCache returns nil, meaning no caching, when ttl is not positive.
func newPageCache(ttl time.Duration, maxBytes int) *pageCache {
	if ttl <= 0 {
		return nil
	}
	return &pageCache{ttl: ttl, maxBytes: maxBytes, now: time.Now,
		entries: map[string]*cachedPage{}, inflight: map[string]chan struct{}{}}
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
	return p
}

func (pc *pageCache) expired(p *cachedPage, now time.Time) bool { return now.Sub(p.stored) >= pc.ttl }

// dropLocked forgets key's page, if any; pc.mu is held.
func (pc *pageCache) dropLocked(key string) {
	if p := pc.entries[key]; p != nil {
		pc.bytes -= len(p.body)
		delete(pc.entries, key)
	}
}

// store keeps a copy of body under key unless the cache was purged since
// the render began (gen) or keeping it would pass the size cap. Expired
// pages are dropped first; when the cap is still reached the page is simply
// not kept — the next visitor renders it, as without a cache.
func (pc *pageCache) store(key string, gen uint64, contentType string, body []byte, validators ...string) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if gen != pc.gen {
		return
	}
	if pc.now().Sub(pc.swept) >= pc.ttl || pc.bytes+len(body) > pc.maxBytes {
		pc.sweepLocked()
	}
	pc.dropLocked(key) // a leader only renders what had no fresh page
	if pc.bytes+len(body) > pc.maxBytes {
		return
	}
	p := &cachedPage{contentType: contentType, body: append([]byte(nil), body...), stored: pc.now()}
	if len(validators) == 2 {
		p.etag, p.lastModified = validators[0], validators[1]
	}
	pc.entries[key] = p
	pc.bytes += len(body)
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

// purge drops every page.
func (pc *pageCache) purge() {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	pc.entries = map[string]*cachedPage{}
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
// the page cache, and clears it after a staff member changes something.
func (s *Server) anonPageCache(c *gin.Context) {
	pc := s.pageCache
	if pc == nil {
		c.Next()
		return
	}
	u := currentUser(c)
	if c.Request.Method != http.MethodGet || u != nil || !cacheablePath(c.Request.URL.Path) {
		c.Next()
		if u != nil && u.Role.IsStaff() && isWrite(c.Request.Method) && c.Writer.Status() < 400 {
			pc.purge()
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
		c.Next()
		return
	}
	defer pc.release(key)
	tee := &teeWriter{ResponseWriter: c.Writer}
	c.Writer = tee
	c.Next()
	h := tee.Header()
	// Only a complete 200 that answered no one in particular (a handler
	// that sets a cookie did) is worth sharing.
	if tee.Status() == http.StatusOK && !tee.overflow && len(h.Values("Set-Cookie")) == 0 && h.Get("Content-Type") != "" {
		pc.store(key, gen, h.Get("Content-Type"), tee.buf, h.Get("ETag"), h.Get("Last-Modified"))
	}
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
