package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/loyalty"
)

// demoThread is a hand-written discussion; in a questions category the
// reply at index accepted (when ≥ 0) is marked as the answer by the asker.
// likes names who likes the reply at each index (-1: the first post).
type demoThread struct {
	category, author, title, body string
	replies                       [][2]string // author, body
	accepted                      int
	likes                         map[int][]string
}

var demoCategories = []forum.Category{
	{Name: "Announcements", Description: "Releases and news from the Acme team.", Position: 1},
	{Name: "Questions", Description: "Ask how to do something; mark the reply that solved it.", Position: 2, Questions: true},
	{Name: "Tips and workflows", Description: "Share how your team uses Acme.", Position: 3},
}

var demoThreads = []demoThread{
	{category: "announcements", author: "pm", title: "Acme 4.2 is out: dark mode, faster search",
		body:    "Hi everyone! 4.2 ships the most-voted idea on the board — **dark mode** — plus search that is about twice as fast on large workspaces.\n\nFull notes are in the changelog. Tell us what you think below.",
		replies: [][2]string{{"sam", "Dark mode looks fantastic. Thank you for listening!"}, {"lucia", "Search is noticeably snappier for us too."}}, accepted: -1,
		likes: map[int][]string{-1: {"sam", "lucia", "maya", "jonas", "aiko"}, 0: {"maya", "lucia"}}},
	{category: "questions", author: "jonas", title: "How do I export all tickets from last quarter?",
		body:    "Our auditor wants every ticket from Q3 as a spreadsheet. The export button only seems to take the current page. Is there a way to get everything?",
		replies: [][2]string{{"lars", "Use **Reports → Tickets**, set the date range to the quarter, then *Export CSV*. It exports the whole range, not just the page."}, {"jonas", "That worked — 4,312 rows. Thanks Lars!"}}, accepted: 0,
		likes: map[int][]string{0: {"jonas", "aiko", "maya", "fatima"}}},
	{category: "questions", author: "aiko", title: "Can agents see tickets from other teams?",
		body:    "We have two support teams and want each to see only its own queue. Is that possible on Pro?",
		replies: [][2]string{{"mod", "Yes: in **Settings → Teams**, turn on *Restrict to team queues*. Admins still see everything."}, {"aiko", "Perfect, exactly what we needed."}}, accepted: 0},
	{category: "questions", author: "dev", title: "Webhook signature verification fails",
		body:    "I'm verifying the `X-Acme-Signature` header with HMAC-SHA256 but the digests never match. Any ideas?",
		replies: [][2]string{{"fatima", "Are you hashing the raw request body? If your framework parses JSON first, the bytes change."}}, accepted: -1,
		likes: map[int][]string{0: {"dev", "lars"}}},
	{category: "tips-and-workflows", author: "maya", title: "Our macro setup for 30 agents",
		body:    "We keep one macro per common answer, named by topic (`billing/refund`, `login/reset`). New agents learn the library in a day. Happy to share the list!",
		replies: [][2]string{{"lucia", "Great idea with the prefixes. Stealing this."}, {"sam", "Could you share how you review macros for outdated answers?"}, {"maya", "Every quarter one agent owns the review; anything unused for 90 days gets archived."}}, accepted: -1,
		likes: map[int][]string{-1: {"lucia", "sam", "dev"}, 2: {"sam", "lucia"}}},
}

// demoForum loads the demo categories and threads.
func (s *seeder) demoForum(ctx context.Context, people map[string]*townhall.User) error {
	admin := people["admin"]
	s.prog.begin("forum", len(demoThreads))
	for _, c := range demoCategories {
		if err := s.a.Forum.SaveCategory(ctx, admin, &c); err != nil {
			return fmt.Errorf("category %q: %w", c.Name, err)
		}
	}
	for _, d := range demoThreads {
		t, err := s.a.Forum.CreateThread(ctx, people[d.author], forum.ThreadInput{Category: d.category, Title: d.title, Body: d.body})
		if err != nil {
			return fmt.Errorf("thread %q: %w", d.title, err)
		}
		if err := s.like(ctx, people, d.likes[-1], t.LastPostID); err != nil {
			return fmt.Errorf("likes in %q: %w", d.title, err)
		}
		for i, r := range d.replies {
			p, err := s.a.Forum.Reply(ctx, people[r[0]], t.ID, r[1])
			if err != nil {
				return err
			}
			if err := s.like(ctx, people, d.likes[i], p.ID); err != nil {
				return fmt.Errorf("likes in %q: %w", d.title, err)
			}
			if i == d.accepted {
				if _, err := s.a.Forum.Accept(ctx, people[d.author], p.ID, true); err != nil {
					return fmt.Errorf("accept in %q: %w", d.title, err)
				}
			}
		}
		s.prog.step(1)
	}
	return nil
}

// like has each of who like the post, through the loyalty service.
func (s *seeder) like(ctx context.Context, people map[string]*townhall.User, who []string, postID string) error {
	for _, k := range who {
		if _, err := s.a.Loyalty.Like(ctx, people[k], loyalty.KindPost, postID, true); err != nil {
			return err
		}
	}
	return nil
}

// categories creates (or reuses) the 8 forum categories, half of them
// Q&A, through the forum service.
func (g *gen) categories(ctx context.Context) error {
	existing, err := g.a.Forum.Categories(ctx)
	if err != nil {
		return err
	}
next:
	for i, name := range forumCategories {
		for _, c := range existing {
			if c.Name == name { // seeded before (or by --demo): reuse it
				g.cats = append(g.cats, c)
				continue next
			}
		}
		c := &forum.Category{Name: name, Description: "Discussions about " + name + ".", Position: i, Questions: i%2 == 1}
		if err := g.a.Forum.SaveCategory(ctx, g.admin, c); err != nil {
			return fmt.Errorf("category: %w", err)
		}
		g.cats = append(g.cats, c)
	}
	return nil
}

// threads creates N threads with long-tailed replies (about 9 each, so
// about 10 posts per thread); the asker accepts an answer on 40% of
// answered questions.
func (g *gen) threads(ctx context.Context) error {
	n := g.o.Threads
	g.prog.begin("threads", n)
	for i := range n {
		c := g.cats[g.rng.IntN(len(g.cats))]
		author := g.users[g.rng.IntN(len(g.users))]
		created := g.at((float64(i) + g.rng.Float64()) / float64(n))
		title, err := townhall.CleanText("Title", g.title()+"?", forum.MinTitle, forum.MaxTitle)
		if err != nil {
			return err
		}
		body, html, err := g.text.paragraphs(1 + g.rng.IntN(3))
		if err != nil {
			return err
		}
		t := &forum.Thread{ID: g.id(created), CategoryID: c.ID, Title: title, AuthorID: author.ID, CreatedAt: created}
		repliers := g.distinctUsers(g.longTail(10.5, 400))
		times := g.after(created, len(repliers), 8*time.Hour)
		posts := make([]*forum.Post, 1, 1+len(repliers))
		posts[0] = &forum.Post{ID: g.id(created), AuthorID: author.ID, Source: body, HTML: html, CreatedAt: created}
		var first *forum.Post
		for j, u := range repliers {
			body, html, err := g.text.paragraphs(1 + g.rng.IntN(2))
			if err != nil {
				return err
			}
			p := &forum.Post{ID: g.id(times[j]), AuthorID: u.ID, Source: body, HTML: html, CreatedAt: times[j]}
			if first == nil && u.ID != author.ID {
				first = p
			}
			posts = append(posts, p)
		}
		if c.Questions && first != nil && g.rng.IntN(10) < 4 {
			t.AcceptedPostID = first.ID
			g.counts.Accepted++
		}
		if err := g.out.thread(ctx, t, posts); err != nil {
			return fmt.Errorf("thread: %w", err)
		}
		for _, p := range posts {
			if err := g.likes(ctx, loyalty.KindPost, p.ID, p.AuthorID, p.CreatedAt, 0.7); err != nil {
				return fmt.Errorf("likes: %w", err)
			}
		}
		g.counts.Threads++
		g.counts.Posts += len(posts)
		g.prog.step(1)
	}
	return nil
}

var forumCategories = []string{"Getting started", "How do I", "Billing", "Integrations and API", "Mobile apps", "Troubleshooting", "Tips and workflows", "Admin and security"}
