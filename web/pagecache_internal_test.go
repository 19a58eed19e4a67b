package web

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeClock lets the page cache's tests move time by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestCache(ttl time.Duration, maxBytes int) (*pageCache, *fakeClock) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	pc := newPageCache(ttl, maxBytes)
	pc.now = clock.now
	return pc, clock
}

// store keeps body under key as a render begun now, as the middleware does.
func (pc *pageCache) store(key string, gen uint64, contentType string, body []byte) {
	pc.keep(key, gen, &cachedPage{contentType: contentType, body: body, began: pc.now()})
}

// fill leads a render of key and stores body, as the middleware does.
func fill(t *testing.T, pc *pageCache, key, body string) {
	t.Helper()
	p, lead, gen := pc.lookup(key, nil)
	if p != nil || !lead {
		t.Fatalf("lookup(%q) before filling: page %v, lead %v", key, p != nil, lead)
	}
	pc.store(key, gen, "text/html", []byte(body))
	pc.release(key)
}

func TestPageCacheTTLAndSize(t *testing.T) {
	if newPageCache(0, 1<<20) != nil {
		t.Fatal("a zero TTL must turn the cache off")
	}
	pc, clock := newTestCache(2*time.Second, 10)
	fill(t, pc, "/a", "aaaa")
	clock.add(1999 * time.Millisecond)
	if p, _, _ := pc.lookup("/a", nil); p == nil || string(p.body) != "aaaa" {
		t.Fatalf("within the TTL: %v", p)
	}
	pc.release("/a") // harmless when nobody leads
	clock.add(time.Millisecond)
	if p, lead, _ := pc.lookup("/a", nil); p != nil || !lead {
		t.Fatalf("at the TTL: page %v, lead %v; want a new render", p != nil, lead)
	}
	pc.release("/a")
	if pc.bytes != 0 || len(pc.entries) != 0 {
		t.Fatalf("expired page still counted: %d bytes, %d entries", pc.bytes, len(pc.entries))
	}

	// The byte cap: a page that does not fit makes room by forgetting the
	// least recently used pages; one larger than the cap is never kept.
	fill(t, pc, "/b", "bbbbbb")
	fill(t, pc, "/c", "cccccc") // 12 > 10 bytes: /b goes
	if p, _, _ := pc.lookup("/c", nil); p == nil || pc.bytes != 6 || len(pc.entries) != 1 {
		t.Fatalf("the newest page was not kept in the room of the oldest: page %v, %d bytes, %d entries", p != nil, pc.bytes, len(pc.entries))
	}
	if p, lead, _ := pc.lookup("/b", nil); p != nil || !lead {
		t.Fatal("the least recently used page was kept past the cap")
	}
	pc.release("/b")
	fill(t, pc, "/big", "xxxxxxxxxxx") // 11 > 10
	if p, lead, _ := pc.lookup("/big", nil); p != nil || !lead {
		t.Fatal("a page larger than the cap was kept")
	}
	pc.release("/big")
	if p, _, _ := pc.lookup("/c", nil); p == nil {
		t.Fatal("a page too large to keep pushed out the others")
	}
	clock.add(3 * time.Second)
	fill(t, pc, "/c", "cccccc")
	if p, _, _ := pc.lookup("/c", nil); p == nil || pc.bytes != 6 {
		t.Fatalf("expired pages did not make room: page %v, %d bytes", p != nil, pc.bytes)
	}
}

// TestPageCacheKeepsWhatIsRead: under a full cache, pages read often stay
// and pages read once make room for each other (the board among a long
// tail of threads).
func TestPageCacheKeepsWhatIsRead(t *testing.T) {
	pc, clock := newTestCache(10*time.Second, 40)
	fill(t, pc, "/hot", "hhhhhhhhhh") // 10 bytes
	for i := range 20 {
		clock.add(100 * time.Millisecond)
		if p, _, _ := pc.lookup("/hot", nil); p == nil {
			t.Fatalf("round %d: the page read every round was forgotten", i)
		}
		fill(t, pc, fmt.Sprintf("/tail/%d", i), "tttttttttt")
		if pc.bytes > 40 {
			t.Fatalf("round %d: %d bytes kept, over the 40-byte cap", i, pc.bytes)
		}
	}
	if len(pc.entries) != 4 {
		t.Fatalf("%d pages kept, want 4 (the hot one and the three newest)", len(pc.entries))
	}
	for _, k := range []string{"/tail/17", "/tail/18", "/tail/19"} {
		if p, _, _ := pc.lookup(k, nil); p == nil {
			t.Fatalf("%s, among the newest, was not kept", k)
		}
	}
	if p, lead, _ := pc.lookup("/tail/16", nil); p != nil || !lead {
		t.Fatal("/tail/16 was kept past the cap")
	}
	pc.release("/tail/16")
	pc.purge()
	if pc.recent.head != nil || pc.recent.tail != nil || pc.bytes != 0 {
		t.Fatal("a purge left pages in the recency list")
	}
	fill(t, pc, "/after", "aaaa")
	if p, _, _ := pc.lookup("/after", nil); p == nil {
		t.Fatal("nothing kept after a purge")
	}
}

// TestPageCachePurge: a purge drops every page, and a render that began
// before it is not stored, so content hidden meanwhile cannot come back.
func TestPageCachePurge(t *testing.T) {
	pc, _ := newTestCache(time.Minute, 1<<20)
	fill(t, pc, "/a", "old")
	_, lead, gen := pc.lookup("/b", nil)
	if !lead {
		t.Fatal("no lead for /b")
	}
	pc.purge()
	pc.store("/b", gen, "text/html", []byte("rendered before the purge"))
	pc.release("/b")
	for _, key := range []string{"/a", "/b"} {
		if p, _, _ := pc.lookup(key, nil); p != nil {
			t.Errorf("%s survived the purge: %q", key, p.body)
		}
		pc.release(key)
	}
}

// TestPageCacheSingleRender: concurrent misses for one URL wait for one
// render and all get its page.
func TestPageCacheSingleRender(t *testing.T) {
	pc, _ := newTestCache(time.Minute, 1<<20)
	_, lead, gen := pc.lookup("/hot", nil)
	if !lead {
		t.Fatal("first lookup does not lead")
	}
	const n = 16
	var wg sync.WaitGroup
	got := make(chan string, n)
	leads := make(chan bool, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, lead, _ := pc.lookup("/hot", nil)
			leads <- lead
			if p != nil {
				got <- string(p.body)
			}
		}()
	}
	pc.store("/hot", gen, "text/html", []byte("page"))
	pc.release("/hot")
	wg.Wait()
	close(got)
	close(leads)
	for l := range leads {
		if l {
			t.Error("a second request led the render")
		}
	}
	count := 0
	for b := range got {
		if b != "page" {
			t.Errorf("waiter got %q", b)
		}
		count++
	}
	if count != n {
		t.Errorf("%d of %d waiters got the page", count, n)
	}

	// A waiter whose request ends stops waiting.
	_, lead, _ = pc.lookup("/slow", nil)
	done := make(chan struct{})
	close(done)
	if p, l, _ := pc.lookup("/slow", done); p != nil || l || !lead {
		t.Fatalf("cancelled waiter: page %v, lead %v", p != nil, l)
	}
	pc.release("/slow")
}

func TestCacheablePath(t *testing.T) {
	for path, want := range map[string]bool{
		"/":                     true,
		"/ideas":                true,
		"/t/01J0000000000000":   true,
		"/search":               true,
		"/api/v1/ideas":         true,
		"/api/v1/notifications": false,
		"/api/v1/me":            false,
		"/notifications":        false,
		"/auth/signin":          false,
		"/admin/users":          false,
		"/static/app.css":       false,
		"/healthz":              false,
		"/metrics":              false,
	} {
		if got := cacheablePath(path); got != want {
			t.Errorf("cacheablePath(%q) = %v, want %v", path, got, want)
		}
	}
}

// TestPageCacheDrop: a write drops the pages of the item it changed, all
// of them (every page of a thread, anonymous and members'), and no others;
// a render of the item begun before the drop is not kept, even once the
// drop itself is forgotten.
func TestPageCacheDrop(t *testing.T) {
	pc, clock := newTestCache(time.Hour, 1<<20)
	render := func(key, item string, began time.Time) {
		t.Helper()
		pc.mu.Lock()
		pc.dropLocked(key) // as when it expired
		pc.mu.Unlock()
		_, lead, gen := pc.lookup(key, nil)
		if !lead {
			t.Fatalf("no lead for %s", key)
		}
		pc.keep(key, gen, &cachedPage{contentType: "text/html", body: []byte(key), began: began, shows: item})
		pc.release(key)
	}
	kept := func(key string) bool {
		_, ok := pc.entries[key]
		return ok
	}
	one, two := threadItem("1"), threadItem("2")
	for _, key := range []string{"/t/1", "/t/1?page=2", "m /t/1"} {
		render(key, one, clock.now())
	}
	render("/t/2", two, clock.now())
	render("/forum", "", clock.now())
	began := clock.now() // a render of thread 1 under way during the write
	clock.add(time.Millisecond)
	pc.drop(one)

	for key, want := range map[string]bool{"/t/1": false, "/t/1?page=2": false, "m /t/1": false, "/t/2": true, "/forum": true} {
		if kept(key) != want {
			t.Errorf("after dropping thread 1: %s kept %v, want %v", key, kept(key), want)
		}
	}
	if _, ok := pc.shows[one]; ok || pc.bytes != len("/t/2")+len("/forum") {
		t.Fatalf("index or size not updated: shows %v, %d bytes", pc.shows, pc.bytes)
	}

	render("/t/1", one, began)
	if kept("/t/1") {
		t.Fatal("a render begun before the write was kept")
	}
	render("/t/2", two, began) // another thread's render is unaffected
	if !kept("/t/2") {
		t.Fatal("a render of another item was refused")
	}
	clock.add(time.Millisecond)
	render("/t/1", one, clock.now())
	if !kept("/t/1") {
		t.Fatal("a render begun after the write was refused")
	}

	// Once the drop is forgotten, renders begun before it are refused
	// whatever they show; later ones are kept.
	clock.add(keepDropped)
	pc.sweepLocked()
	if len(pc.dropped) != 0 {
		t.Fatalf("drop times kept past keepDropped: %v", pc.dropped)
	}
	render("/t/3", threadItem("3"), began)
	if kept("/t/3") {
		t.Fatal("a render begun before a forgotten drop was kept")
	}
	render("/t/3", threadItem("3"), clock.now())
	if !kept("/t/3") {
		t.Fatal("a render begun after the forgotten drop was refused")
	}

	// A purge empties the index too.
	pc.purge()
	if len(pc.shows) != 0 || pc.bytes != 0 {
		t.Fatalf("after purge: shows %v, %d bytes", pc.shows, pc.bytes)
	}
}
