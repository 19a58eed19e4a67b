package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// target is the content the crawl found.
type target struct {
	categories []string // slugs
	threads    []string // ids
	ideas      []string // ids
	products   []string // slugs
	search     bool     // the server has a search page
	posts      []string // ids of posts on the threads crawled, to like
	people     []string // handles of their authors, for profile pages
	loyalty    bool     // the server has a leaderboard
}

var (
	reCategory  = regexp.MustCompile(`href="/c/([a-z0-9-]+)"`)
	reThread    = regexp.MustCompile(`href="/t/([0-9a-z]{26})`)
	reIdea      = regexp.MustCompile(`href="/ideas/([0-9a-z]{26})"`)
	reProduct   = regexp.MustCompile(`href="/products/([a-z0-9-]+)"`)
	rePost      = regexp.MustCompile(`id="post-([0-9a-z]{26})"`)
	rePerson    = regexp.MustCompile(`href="/u/([a-z0-9_-]+)"`)
	searchWords = []string{"export", "login", "invoice", "dark mode", "api", "sync", "mobile", "billing", "slow", "report"}
)

// route is one kind of request in the mix.
type route struct {
	name   string
	weight float64
	write  bool
	needs  []string // the crawled content it picks from; empty drops the route
	do     func(w *worker) (*http.Request, error)
}

type worker struct {
	rng  *rand.Rand
	t    *target
	base string
	anon *http.Client
	as   []*http.Client // signed-in users
	me   *http.Client   // the user of the current request
	lat  map[string][]time.Duration
	errs map[string]map[int]int
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
		{name: "page /t/:id", weight: 30, needs: t.threads, do: func(w *worker) (*http.Request, error) { return w.get("/t/" + w.pick(t.threads)) }},
		{name: "page /ideas", weight: 20, do: func(w *worker) (*http.Request, error) { return w.get("/ideas?sort=" + w.pick(sorts)) }},
		{name: "page /products/:slug", weight: 15, needs: t.products, do: func(w *worker) (*http.Request, error) { return w.get("/products/" + w.pick(t.products)) }},
		{name: "page /c/:slug", weight: 6, needs: t.categories, do: func(w *worker) (*http.Request, error) { return w.get("/c/" + w.pick(t.categories)) }},
		{name: "page /ideas/:id", weight: 5, needs: t.ideas, do: func(w *worker) (*http.Request, error) { return w.get("/ideas/" + w.pick(t.ideas)) }},
		{name: "page /", weight: 2, do: func(w *worker) (*http.Request, error) { return w.get("/") }},
		{name: "page /search", weight: 2, needs: present(t.search), do: func(w *worker) (*http.Request, error) {
			return w.get("/search?q=" + url.QueryEscape(w.pick(searchWords)))
		}},
		{name: "page /u/:handle", weight: 3, needs: t.people, do: func(w *worker) (*http.Request, error) { return w.get("/u/" + w.pick(t.people)) }},
		{name: "page /leaderboard", weight: 3, needs: present(t.loyalty), do: func(w *worker) (*http.Request, error) { return w.get("/leaderboard") }},
	}))
	add(o.apiReads, filter([]route{
		{name: "api GET /ideas", weight: 6, do: func(w *worker) (*http.Request, error) { return w.get("/api/v1/ideas?sort=" + w.pick(sorts)) }},
		{name: "api GET /threads/:id", weight: 5, needs: t.threads, do: func(w *worker) (*http.Request, error) { return w.get("/api/v1/threads/" + w.pick(t.threads)) }},
		{name: "api GET /products/:id/reviews", weight: 4, needs: t.products, do: func(w *worker) (*http.Request, error) {
			return w.get("/api/v1/products/" + w.pick(t.products) + "/reviews")
		}},
	}))
	add(o.writes, filter([]route{
		{name: "api vote toggle", weight: 3, write: true, needs: t.ideas, do: func(w *worker) (*http.Request, error) {
			method := "POST"
			if w.rng.IntN(2) == 0 {
				method = "DELETE"
			}
			return w.json(method, "/api/v1/ideas/"+w.pick(t.ideas)+"/vote", "")
		}},
		// Likes are reactions like votes: as frequent, as cheap.
		{name: "api like toggle", weight: 3, write: true, needs: t.posts, do: func(w *worker) (*http.Request, error) {
			method := "POST"
			if w.rng.IntN(2) == 0 {
				method = "DELETE"
			}
			return w.json(method, "/api/v1/posts/"+w.pick(t.posts)+"/like", "")
		}},
		{name: "api POST reply", weight: 1, write: true, needs: t.threads, do: func(w *worker) (*http.Request, error) {
			return w.json("POST", "/api/v1/threads/"+w.pick(t.threads)+"/posts", `{"body":"Thanks, this helped. Load test reply."}`)
		}},
		{name: "api POST idea comment", weight: 1, write: true, needs: t.ideas, do: func(w *worker) (*http.Request, error) {
			return w.json("POST", "/api/v1/ideas/"+w.pick(t.ideas)+"/comments", `{"body":"We need this too. Load test comment."}`)
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

// present turns a feature the crawl found into a non-empty needs list.
func present(found bool) []string {
	if found {
		return []string{"yes"}
	}
	return []string{}
}

// filter drops routes whose content the crawl did not find.
func filter(rs []route) []route {
	var out []route
	for _, r := range rs {
		if r.needs == nil || len(r.needs) > 0 {
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

func uniqueMatches(re *regexp.Regexp, s string, into map[string]bool) {
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		into[m[1]] = true
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// crawl walks the listing pages to find content to request.
func crawl(c *http.Client, base string) (*target, error) {
	cats, threads, ideas, products := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	posts, people := map[string]bool{}, map[string]bool{}
	if page, err := fetch(c, base+"/forum"); err == nil {
		uniqueMatches(reCategory, page, cats)
	}
	n := 0
	for cat := range cats {
		if n++; n > 30 {
			break
		}
		if page, err := fetch(c, base+"/c/"+cat); err == nil {
			uniqueMatches(reThread, page, threads)
		}
	}
	for _, sort := range []string{"top", "new", "trending"} {
		if page, err := fetch(c, base+"/ideas?sort="+sort); err == nil {
			uniqueMatches(reIdea, page, ideas)
		}
	}
	if page, err := fetch(c, base+"/products"); err == nil {
		uniqueMatches(reProduct, page, products)
		delete(products, "new") // the "add a product" form, not a product
	}
	// A few threads' posts and authors, to like and to visit.
	n = 0
	for th := range threads {
		if n++; n > 30 {
			break
		}
		if page, err := fetch(c, base+"/t/"+th); err == nil {
			uniqueMatches(rePost, page, posts)
			uniqueMatches(rePerson, page, people)
		}
	}
	// Probe features that may not be built into this server, so the mix
	// leaves them out instead of counting 404s as errors.
	_, err := fetch(c, base+"/search?q=export")
	_, noBoard := fetch(c, base+"/leaderboard")
	t := &target{categories: keys(cats), threads: keys(threads), ideas: keys(ideas), products: keys(products), search: err == nil,
		posts: keys(posts), people: keys(people), loyalty: noBoard == nil}
	if len(t.threads)+len(t.ideas)+len(t.products) == 0 {
		return nil, fmt.Errorf("found no threads, ideas or products at %s; seed it first (townhall seed --demo or --scale N)", base)
	}
	return t, nil
}

// signIn creates n users through the dev login.
func signIn(ctx context.Context, tr http.RoundTripper, base string, n int) ([]*http.Client, error) {
	clients := make([]*http.Client, n)
	var wg sync.WaitGroup
	var firstErr atomic.Value
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c := newClient(tr)
			form := url.Values{"name": {fmt.Sprintf("Load User %d", i)}}
			req, _ := http.NewRequestWithContext(ctx, "POST", base+"/auth/dev/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := c.Do(req)
			if err == nil {
				res.Body.Close()
				if res.StatusCode != http.StatusSeeOther {
					err = fmt.Errorf("dev login: status %d (is the server running with --dev-login and --rate-ip 0?)", res.StatusCode)
				}
			}
			if err != nil {
				firstErr.CompareAndSwap(nil, err)
				return
			}
			clients[i] = c
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return nil, err
	}
	return clients, nil
}

func load(ctx context.Context, o options, log io.Writer) (*result, error) {
	base := strings.TrimSuffix(o.base.String(), "/")
	tr := &http.Transport{MaxIdleConns: o.concurrency * 2, MaxIdleConnsPerHost: o.concurrency * 2, IdleConnTimeout: time.Minute}
	anon := newClient(tr)
	fmt.Fprintf(log, "crawling %s …\n", base)
	t, err := crawl(anon, base)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "found %d categories, %d threads, %d ideas, %d products; signing in %d users …\n",
		len(t.categories), len(t.threads), len(t.ideas), len(t.products), o.users)
	users, err := signIn(ctx, tr, base, o.users)
	if err != nil {
		return nil, err
	}
	rs := routes(o, t)
	if len(rs) == 0 {
		return nil, fmt.Errorf("no route to run: --routes matched nothing this site offers")
	}
	fmt.Fprintf(log, "running %d clients for %s …\n", o.concurrency, o.duration)
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var count atomic.Int64
	workers := make([]*worker, o.concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range workers {
		w := &worker{rng: rand.New(rand.NewPCG(uint64(o.seed), uint64(i))), t: t, base: base, anon: anon, as: users,
			lat: map[string][]time.Duration{}, errs: map[string]map[int]int{}}
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && count.Add(1) <= int64(o.maxRequests) {
				w.once(ctx, rs)
			}
		}()
	}
	wg.Wait()
	return collect(workers, time.Since(start)), nil
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
	client := w.anon
	if r.write || w.rng.IntN(10) < 3 { // writers sign in; 30% of readers are signed in
		client = w.pick2()
	}
	req, err := r.do(w)
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
	w.lat[r.name] = append(w.lat[r.name], d)
	if status == 0 || status >= 400 {
		if w.errs[r.name] == nil {
			w.errs[r.name] = map[int]int{}
		}
		w.errs[r.name][status]++
	}
}

func (w *worker) pick2() *http.Client { return w.as[w.rng.IntN(len(w.as))] }
