package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var searchWords = []string{"export", "login", "invoice", "dark mode", "api", "sync", "mobile", "billing", "slow", "report"}

// route is one kind of request in the mix.
type route struct {
	name   string
	weight float64
	write  bool
	needs  int // how many items it picks from; 0 drops the route, -1 needs none
	do     func(w *worker) (*http.Request, error)
	// toggle, for votes and likes, names what the signed-in user switches
	// (key) and where; the request likes or unlikes, votes or unvotes,
	// whatever changes that user's state, so every request is a real write.
	toggle func(w *worker, u *user) (key, path string, ok bool)
}

// user is one signed-in virtual user: their client, their id, and what
// they like and vote for now, as far as the harness knows. mu is held for
// the whole of a toggle, so that knowledge stays exact.
type user struct {
	c  *http.Client
	id string

	mu      sync.Mutex
	on      map[string]bool
	changes map[string]int // successful toggles by route
}

// picks are the Zipf tables over the target's lists.
type picks struct {
	threads, deep, ideas, products *zipf
}

type worker struct {
	rng   *rand.Rand
	t     *target
	z     *picks
	base  string
	node  int // which of the site's nodes base is
	anon  *http.Client
	users []*user // the signed-in users this worker acts as
	lat   map[string][]time.Duration
	errs  map[string]map[int]int
}

func (w *worker) pick(xs []string) string { return xs[w.rng.IntN(len(xs))] }

func (w *worker) get(path string) (*http.Request, error) {
	return http.NewRequest("GET", w.base+path, nil)
}

func (w *worker) json(method, path, body string) (*http.Request, error) {
	req, err := http.NewRequest(method, w.base+path, strings.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, err
}

func (w *worker) thread() thread     { return w.t.threads[w.z.threads.pick(w.rng)] }
func (w *worker) idea() string       { return w.t.ideas[w.z.ideas.pick(w.rng)] }
func (w *worker) product() string    { return w.t.products[w.z.products.pick(w.rng)] }
func (w *worker) deepThread() thread { return w.t.deep[w.z.deep.pick(w.rng)] }

// deepPage is a page past the first of a long thread: the last one half
// the time (where notifications and "last post" links lead), else any.
func (w *worker) deepPage() string {
	th := w.deepThread()
	page := th.pages
	if w.rng.IntN(2) == 0 {
		page = 2 + w.rng.IntN(th.pages-1)
	}
	return "/t/" + th.id + "?page=" + strconv.Itoa(page)
}

// likable picks a post or comment u did not write.
func (w *worker) likable(xs []likable, u *user) (likable, bool) {
	for range 8 {
		if x := xs[w.rng.IntN(len(xs))]; x.author != u.id {
			return x, true
		}
	}
	return likable{}, false
}

// routes builds the mix: pages share 1 - api - writes of the traffic.
func routes(o options, t *target) []route {
	pages := 1 - o.apiReads - o.writes
	var rs []route
	add := func(share float64, group []route) {
		total := 0.0
		for _, r := range group {
			total += r.weight
		}
		for _, r := range group {
			r.weight = share * r.weight / total
			rs = append(rs, r)
		}
	}
	sorts := []string{"top", "new", "trending"}
	add(pages, filter([]route{
		{name: "page /t/:id", weight: 24, needs: len(t.threads), do: func(w *worker) (*http.Request, error) { return w.get("/t/" + w.thread().id) }},
		{name: "page /t/:id?page=N", weight: 6, needs: len(t.deep), do: func(w *worker) (*http.Request, error) { return w.get(w.deepPage()) }},
		{name: "page /ideas", weight: 20, needs: -1, do: func(w *worker) (*http.Request, error) { return w.get("/ideas?sort=" + w.pick(sorts)) }},
		{name: "page /products/:slug", weight: 15, needs: len(t.products), do: func(w *worker) (*http.Request, error) { return w.get("/products/" + w.product()) }},
		{name: "page /c/:slug", weight: 6, needs: len(t.categories), do: func(w *worker) (*http.Request, error) { return w.get("/c/" + w.pick(t.categories)) }},
		{name: "page /ideas/:id", weight: 5, needs: len(t.ideas), do: func(w *worker) (*http.Request, error) { return w.get("/ideas/" + w.idea()) }},
		{name: "page /", weight: 2, needs: -1, do: func(w *worker) (*http.Request, error) { return w.get("/") }},
		{name: "page /search", weight: 2, needs: present(t.search), do: func(w *worker) (*http.Request, error) {
			return w.get("/search?q=" + url.QueryEscape(w.pick(searchWords)))
		}},
		{name: "page /u/:handle", weight: 3, needs: len(t.people), do: func(w *worker) (*http.Request, error) { return w.get("/u/" + w.pick(t.people)) }},
		{name: "page /leaderboard", weight: 3, needs: present(t.loyalty), do: func(w *worker) (*http.Request, error) { return w.get("/leaderboard") }},
	}))
	add(o.apiReads, filter([]route{
		{name: "api GET /ideas", weight: 6, needs: -1, do: func(w *worker) (*http.Request, error) { return w.get("/api/v1/ideas?sort=" + w.pick(sorts)) }},
		{name: "api GET /threads/:id", weight: 5, needs: len(t.threads), do: func(w *worker) (*http.Request, error) { return w.get("/api/v1/threads/" + w.thread().id) }},
		{name: "api GET /products/:id/reviews", weight: 4, needs: len(t.products), do: func(w *worker) (*http.Request, error) {
			return w.get("/api/v1/products/" + w.product() + "/reviews")
		}},
	}))
	add(o.writes, filter([]route{
		{name: "api vote toggle", weight: 3, write: true, needs: len(t.ideas), toggle: func(w *worker, _ *user) (string, string, bool) {
			id := w.idea()
			return id, "/api/v1/ideas/" + id + "/vote", true
		}},
		// Likes are reactions like votes: as frequent, as cheap.
		{name: "api like toggle", weight: 2, write: true, needs: len(t.posts), toggle: func(w *worker, u *user) (string, string, bool) {
			p, ok := w.likable(t.posts, u)
			return p.id, "/api/v1/posts/" + p.id + "/like", ok
		}},
		{name: "api comment like toggle", weight: 1, write: true, needs: len(t.comments), toggle: func(w *worker, u *user) (string, string, bool) {
			c, ok := w.likable(t.comments, u)
			return c.id, "/api/v1/comments/" + c.id + "/like", ok
		}},
		{name: "api POST reply", weight: 1, write: true, needs: len(t.threads), do: func(w *worker) (*http.Request, error) {
			return w.json("POST", "/api/v1/threads/"+w.thread().id+"/posts", `{"body":"Thanks, this helped. Load test reply."}`)
		}},
		{name: "api POST idea comment", weight: 1, write: true, needs: len(t.ideas), do: func(w *worker) (*http.Request, error) {
			return w.json("POST", "/api/v1/ideas/"+w.idea()+"/comments", `{"body":"We need this too. Load test comment."}`)
		}},
	}))
	if o.only != nil {
		var kept []route
		for _, r := range rs {
			if o.only.MatchString(r.name) {
				kept = append(kept, r)
			}
		}
		rs = kept
	}
	// A group with nothing to request drops out; share its traffic among the rest.
	total := 0.0
	for _, r := range rs {
		total += r.weight
	}
	for i := range rs {
		rs[i].weight /= total
	}
	return rs
}

// present turns a feature the probe found into a needs count.
func present(found bool) int {
	if found {
		return -1
	}
	return 0
}

// filter drops routes whose content discovery did not find.
func filter(rs []route) []route {
	var out []route
	for _, r := range rs {
		if r.needs != 0 {
			out = append(out, r)
		}
	}
	return out
}

func newClient(tr http.RoundTripper) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func fetch(c *http.Client, u string) (string, error) {
	res, err := c.Get(u)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if res.StatusCode != 200 {
		return "", fmt.Errorf("GET %s: status %d", u, res.StatusCode)
	}
	return string(b), err
}

// signIn creates n users through the dev login and learns their ids (so
// they never like their own posts).
func signIn(ctx context.Context, tr http.RoundTripper, base string, n int) ([]*user, error) {
	users := make([]*user, n)
	jobs := make([]func() error, n)
	for i := range n {
		jobs[i] = func() error {
			c := newClient(tr)
			form := url.Values{"name": {fmt.Sprintf("Load User %d", i)}}
			req, _ := http.NewRequestWithContext(ctx, "POST", base+"/auth/dev/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := c.Do(req)
			if err != nil {
				return err
			}
			res.Body.Close()
			if res.StatusCode != http.StatusSeeOther {
				return fmt.Errorf("dev login: status %d (is the server running with --dev-login and --rate-ip 0?)", res.StatusCode)
			}
			me, err := fetch(c, base+"/api/v1/me")
			if err != nil {
				return err
			}
			var v struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal([]byte(me), &v); err != nil || v.ID == "" {
				return fmt.Errorf("GET /api/v1/me: no id in %.100q", me)
			}
			users[i] = &user{c: c, id: v.ID, on: map[string]bool{}, changes: map[string]int{}}
			return nil
		}
	}
	if err := parallel(8, jobs); err != nil {
		return nil, err
	}
	return users, nil
}

// share gives worker i of n its own users when there are enough, so no two
// workers toggle as the same person at once; with fewer users than workers,
// workers share them (each toggle still holds its user's lock).
func share(users []*user, i, n int) []*user {
	if len(users) < n {
		return []*user{users[i%len(users)]}
	}
	var out []*user
	for j := i; j < len(users); j += n {
		out = append(out, users[j])
	}
	return out
}

func load(ctx context.Context, o options, log io.Writer) (*result, error) {
	base := strings.TrimSuffix(o.base.String(), "/")
	bases := []string{base}
	for _, n := range o.nodes {
		bases = append(bases, strings.TrimSuffix(n.String(), "/"))
	}
	tr := &http.Transport{MaxIdleConns: o.concurrency * 2, MaxIdleConnsPerHost: o.concurrency * 2, IdleConnTimeout: time.Minute}
	anon := newClient(tr)
	fmt.Fprintf(log, "discovering %s through its API …\n", base)
	t, err := discover(ctx, anon, base, o.discoverPages, o.seed)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "%s; signing in %d users …\n", t.summary(), o.users)
	users, err := signIn(ctx, tr, base, o.users)
	if err != nil {
		return nil, err
	}
	rs := routes(o, t)
	if len(rs) == 0 {
		return nil, fmt.Errorf("no route to run: --routes matched nothing this site offers")
	}
	z := &picks{threads: newZipf(len(t.threads), o.zipf), deep: newZipf(len(t.deep), o.zipf),
		ideas: newZipf(len(t.ideas), o.zipf), products: newZipf(len(t.products), o.zipf)}
	before, err := readCaches(ctx, anon, bases)
	if err != nil {
		fmt.Fprintf(log, "no page-cache counters: %v\n", err)
	}
	fmt.Fprintf(log, "running %d clients for %s …\n", o.concurrency, o.duration)
	runCtx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var count atomic.Int64
	workers := make([]*worker, o.concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range workers {
		w := &worker{rng: rand.New(rand.NewPCG(uint64(o.seed), uint64(i))), t: t, z: z, base: bases[i%len(bases)], node: i % len(bases), anon: anon,
			users: share(users, i, o.concurrency), lat: map[string][]time.Duration{}, errs: map[string]map[int]int{}}
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			for runCtx.Err() == nil && count.Add(1) <= int64(o.maxRequests) {
				w.once(runCtx, rs)
			}
		}()
	}
	wg.Wait()
	res := collect(workers, time.Since(start))
	res.target, res.users = t, users
	if len(bases) > 1 {
		res.nodes = make([]nodeCount, len(bases))
		for i, b := range bases {
			res.nodes[i].url = b
		}
		for _, w := range workers {
			for _, ds := range w.lat {
				res.nodes[w.node].n += len(ds)
			}
		}
	}
	if before != nil {
		if after, err := readCaches(ctx, anon, bases); err == nil {
			d := after.minus(*before)
			res.cache = &d
		}
	}
	return res, nil
}

// once sends one request of a randomly chosen route.
func (w *worker) once(ctx context.Context, rs []route) {
	x := w.rng.Float64()
	r := rs[len(rs)-1]
	for _, c := range rs {
		if x < c.weight {
			r = c
			break
		}
		x -= c.weight
	}
	var u *user
	client := w.anon
	if r.write || w.rng.IntN(10) < 3 { // writers sign in; 30% of readers are signed in
		u = w.users[w.rng.IntN(len(w.users))]
		client = u.c
	}
	name := r.name + " (anon)"
	if u != nil {
		name = r.name + " (signed-in)"
	}
	var req *http.Request
	var err error
	var key string
	if r.toggle != nil {
		var path string
		var ok bool
		if key, path, ok = r.toggle(w, u); !ok {
			return // nothing this user may like
		}
		u.mu.Lock()
		defer u.mu.Unlock()
		method := "POST"
		if u.on[key] {
			method = "DELETE"
		}
		req, err = w.json(method, path, "")
	} else {
		req, err = r.do(w)
	}
	if err != nil {
		return
	}
	req = req.WithContext(ctx)
	start := time.Now()
	res, err := client.Do(req)
	status := 0
	if err == nil {
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		status = res.StatusCode
	} else if ctx.Err() != nil {
		return // the run ended mid-request; not a server error
	}
	d := time.Since(start)
	w.lat[name] = append(w.lat[name], d)
	if status == 0 || status >= 400 {
		if w.errs[name] == nil {
			w.errs[name] = map[int]int{}
		}
		w.errs[name][status]++
	}
	if r.toggle != nil && status == http.StatusOK {
		// A like that was already there (an earlier run) answers 200 too;
		// either way the user's state is now what was asked for.
		u.on[key] = req.Method == "POST"
		u.changes[r.name]++
	}
}

// cacheCounts are the page cache's counters in /metrics: anonymous pages
// and public API reads (hits, misses), and the pages members share
// (memberHits, memberMisses). Over a run they are the difference of two
// readings.
type cacheCounts struct{ hits, misses, memberHits, memberMisses float64 }

func (c cacheCounts) plus(b cacheCounts) cacheCounts {
	return cacheCounts{c.hits + b.hits, c.misses + b.misses, c.memberHits + b.memberHits, c.memberMisses + b.memberMisses}
}

func (c cacheCounts) minus(b cacheCounts) cacheCounts {
	return cacheCounts{c.hits - b.hits, c.misses - b.misses, c.memberHits - b.memberHits, c.memberMisses - b.memberMisses}
}

// rate is the share of anonymous hits, or -1 when nothing went through
// the cache.
func (c cacheCounts) rate() float64 { return hitRate(c.hits, c.misses) }

// memberRate is the share of members' page views served from a shared
// render, or -1 when none went through it.
func (c cacheCounts) memberRate() float64 { return hitRate(c.memberHits, c.memberMisses) }

func hitRate(hits, misses float64) float64 {
	if hits+misses == 0 {
		return -1
	}
	return hits / (hits + misses)
}

// readCaches adds up the page cache counters of every node: each node
// has a cache of its own.
func readCaches(ctx context.Context, c *http.Client, bases []string) (*cacheCounts, error) {
	var sum cacheCounts
	for _, b := range bases {
		n, err := readCache(ctx, c, b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b, err)
		}
		sum = sum.plus(*n)
	}
	return &sum, nil
}

// readCache reads townhall_page_cache_total (hits and misses, anonymous and
// member) from the
// server's /metrics.
func readCache(ctx context.Context, c *http.Client, base string) (*cacheCounts, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: status %d", res.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	counts := parseCache(string(b))
	return &counts, nil
}

// parseCache finds the page cache's hit and miss counters in a Prometheus
// text exposition. A counter that has not counted anything yet (a fresh
// server, or one with the cache off) has no line, which is zero.
func parseCache(text string) cacheCounts {
	var out cacheCounts
	for line := range strings.SplitSeq(text, "\n") {
		name, value, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue
		}
		switch name {
		case `townhall_page_cache_total{result="hit"}`:
			out.hits = n
		case `townhall_page_cache_total{result="miss"}`:
			out.misses = n
		case `townhall_page_cache_total{result="member_hit"}`:
			out.memberHits = n
		case `townhall_page_cache_total{result="member_miss"}`:
			out.memberMisses = n
		}
	}
	return out
}
