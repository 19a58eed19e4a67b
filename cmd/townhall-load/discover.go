package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// repliesPerPage is the forum's replies per thread page (forum.PerPage):
// the harness reads deep pages of long threads, and a thread's page count
// is what its reply count in the listing makes of it.
const repliesPerPage = 20

// thread is one discovered thread and how many pages it has.
type thread struct {
	id    string
	pages int
}

// likable is a post or comment someone may like, and who wrote it (you
// cannot like your own).
type likable struct{ id, author string }

// target is the content discovery found, each list in order of popularity
// (index 0 the most read), with the Zipf tables that pick from them.
type target struct {
	categories []string // slugs
	threads    []thread
	deep       []thread // the threads with more than one page
	ideas      []string // ids
	products   []string // slugs
	posts      []likable
	comments   []likable
	people     []string // handles, for profile pages
	search     bool     // the server has a search page
	loyalty    bool     // the server has a leaderboard

	listed    int           // listing pages read to find all this
	took      time.Duration // how long discovery took
	truncated []string      // listings cut short by --discover-pages
}

// discovery reads the site's paged JSON listings, cursor by cursor, to find
// every thread, idea and product (up to maxPages pages per listing), so the
// mix reads the whole dataset rather than what first pages link to. The
// listings are walked side by side, a few at a time.
type discovery struct {
	c        *http.Client
	base     string
	maxPages int

	mu        sync.Mutex
	listed    int
	truncated []string
}

// getJSON decodes the JSON answer of a GET into v.
func (d *discovery) getJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, "GET", d.base+path, nil)
	if err != nil {
		return err
	}
	res, err := d.c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", path, res.StatusCode)
	}
	return json.NewDecoder(res.Body).Decode(v)
}

// walk reads a cursor-paged listing at path (items and next) until its end
// or maxPages, handing each page's raw items to each.
func (d *discovery) walk(ctx context.Context, path string, each func(items json.RawMessage) error) error {
	after := ""
	for n := 0; ; n++ {
		if n == d.maxPages {
			d.mu.Lock()
			d.truncated = append(d.truncated, path)
			d.mu.Unlock()
			return nil
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		p := path
		if after != "" {
			p += sep + "after=" + url.QueryEscape(after)
		}
		var page struct {
			Items json.RawMessage `json:"items"`
			Next  string          `json:"next"`
		}
		if err := d.getJSON(ctx, p, &page); err != nil {
			return err
		}
		d.mu.Lock()
		d.listed++
		d.mu.Unlock()
		if err := each(page.Items); err != nil {
			return err
		}
		if page.Next == "" {
			return nil
		}
		after = page.Next
	}
}

// walkItems walks a listing, decoding its items as T and handing each to
// add with mu held.
func walkItems[T any](ctx context.Context, d *discovery, path string, mu *sync.Mutex, add func(T)) error {
	return d.walk(ctx, path, func(raw json.RawMessage) error {
		var items []T
		if err := json.Unmarshal(raw, &items); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, it := range items {
			add(it)
		}
		return nil
	})
}

// discover finds the site's content through its API. Popularity is a
// seeded shuffle of each list: which thread is popular has nothing to do
// with when it was written or where it is listed.
func discover(ctx context.Context, c *http.Client, base string, maxPages int, seed int64) (*target, error) {
	start := time.Now()
	d := &discovery{c: c, base: base, maxPages: maxPages}
	t := &target{}
	var cats struct {
		Categories []struct {
			ID   string `json:"id"`
			Slug string `json:"slug"`
		} `json:"categories"`
	}
	if err := d.getJSON(ctx, "/api/v1/categories", &cats); err != nil {
		return nil, fmt.Errorf("listing categories: %w", err)
	}
	var mu sync.Mutex
	var jobs []func() error
	for _, cat := range cats.Categories {
		t.categories = append(t.categories, cat.Slug)
		jobs = append(jobs, func() error {
			return walkItems(ctx, d, "/api/v1/categories/"+cat.ID+"/threads", &mu, func(it struct {
				ID      string `json:"id"`
				Replies int    `json:"replies"`
			}) {
				t.threads = append(t.threads, thread{it.ID, max(1, (it.Replies+repliesPerPage-1)/repliesPerPage)})
			})
		})
	}
	var commented []string // ideas with comments, to find comments to like
	jobs = append(jobs, func() error {
		return walkItems(ctx, d, "/api/v1/ideas?sort=new", &mu, func(it struct {
			ID       string `json:"id"`
			Comments int    `json:"comments"`
		}) {
			t.ideas = append(t.ideas, it.ID)
			if it.Comments > 0 {
				commented = append(commented, it.ID)
			}
		})
	}, func() error {
		return walkItems(ctx, d, "/api/v1/products", &mu, func(it struct {
			Slug string `json:"slug"`
		}) {
			t.products = append(t.products, it.Slug)
		})
	})
	if err := parallel(4, jobs); err != nil {
		return nil, err
	}
	// Listings come back in completion order; sort first so that the same
	// seed gives the same popularity whatever the timing.
	rng := rand.New(rand.NewPCG(uint64(seed), 17))
	slices.SortFunc(t.threads, func(a, b thread) int { return strings.Compare(a.id, b.id) })
	slices.Sort(t.ideas)
	slices.Sort(t.products)
	slices.Sort(commented)
	rng.Shuffle(len(t.threads), func(i, j int) { t.threads[i], t.threads[j] = t.threads[j], t.threads[i] })
	rng.Shuffle(len(t.ideas), func(i, j int) { t.ideas[i], t.ideas[j] = t.ideas[j], t.ideas[i] })
	rng.Shuffle(len(t.products), func(i, j int) { t.products[i], t.products[j] = t.products[j], t.products[i] })
	rng.Shuffle(len(commented), func(i, j int) { commented[i], commented[j] = commented[j], commented[i] })
	for _, th := range t.threads {
		if th.pages > 1 {
			t.deep = append(t.deep, th)
		}
	}
	if err := d.likables(ctx, t, commented); err != nil {
		return nil, err
	}
	// Probe features that may not be built into this server, so the mix
	// leaves them out instead of counting 404s as errors.
	_, noSearch := fetch(c, base+"/search?q=export")
	_, noBoard := fetch(c, base+"/leaderboard")
	t.search, t.loyalty = noSearch == nil, noBoard == nil
	if len(t.threads)+len(t.ideas)+len(t.products) == 0 {
		return nil, fmt.Errorf("found no threads, ideas or products at %s; seed it first (townhall seed --demo or --scale N)", base)
	}
	t.listed, t.truncated, t.took = d.listed, d.truncated, time.Since(start)
	return t, nil
}

// likeSample is how many of the most popular threads and commented ideas
// discovery opens for posts and comments to like: likes go where readers
// are.
const likeSample = 100

// likables reads the first page of the most popular threads and the
// comments of the most popular commented ideas, for their posts, comments
// and authors.
func (d *discovery) likables(ctx context.Context, t *target, commented []string) error {
	type person struct {
		ID     string `json:"id"`
		Handle string `json:"handle"`
	}
	type post struct {
		ID     string `json:"id"`
		Author person `json:"author"`
	}
	var mu sync.Mutex
	people := map[string]bool{}
	var jobs []func() error
	for _, th := range t.threads[:min(likeSample, len(t.threads))] {
		jobs = append(jobs, func() error {
			var v struct {
				Question *post  `json:"question"`
				Posts    []post `json:"posts"`
			}
			if err := d.getJSON(ctx, "/api/v1/threads/"+th.id, &v); err != nil {
				return err
			}
			if v.Question != nil {
				v.Posts = append([]post{*v.Question}, v.Posts...)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, p := range v.Posts {
				t.posts = append(t.posts, likable{p.ID, p.Author.ID})
				if p.Author.Handle != "" && !people[p.Author.Handle] {
					people[p.Author.Handle] = true
					t.people = append(t.people, p.Author.Handle)
				}
			}
			return nil
		})
	}
	for _, id := range commented[:min(likeSample, len(commented))] {
		jobs = append(jobs, func() error {
			var v struct {
				Items []post `json:"items"`
			}
			if err := d.getJSON(ctx, "/api/v1/ideas/"+id+"/comments", &v); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, c := range v.Items {
				t.comments = append(t.comments, likable{c.ID, c.Author.ID})
			}
			return nil
		})
	}
	if err := parallel(4, jobs); err != nil {
		return err
	}
	// Completion order again: make the order, and so the popularity, the
	// seed's alone.
	byID := func(a, b likable) int { return strings.Compare(a.id, b.id) }
	slices.SortFunc(t.posts, byID)
	slices.SortFunc(t.comments, byID)
	slices.Sort(t.people)
	return nil
}

// parallel runs jobs, n at a time, and returns the first error.
func parallel(n int, jobs []func() error) error {
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	sem := make(chan struct{}, n)
	for _, job := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := job(); err != nil {
				once.Do(func() { first = err })
			}
		}()
	}
	wg.Wait()
	return first
}
