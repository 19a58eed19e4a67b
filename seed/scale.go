package seed

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/reviews"
)

// ScaleOptions size a generated community.
type ScaleOptions struct {
	// Threads is N: N threads, N/2 ideas, N/100 products, N/5 users.
	Threads int
	// Seed makes the generated content repeatable.
	Seed uint64
	// Progress receives the progress bar; nil for none.
	Progress io.Writer
}

// Counts is what a seeding run created.
type Counts struct {
	Users, Threads, Posts, Accepted, Ideas, Votes, Comments, StatusChanges, Products, Reviews, Responses int
}

func (c Counts) String() string {
	return fmt.Sprintf("%d users, %d threads, %d posts, %d accepted answers, %d ideas, %d votes, %d idea comments, %d status changes, %d products, %d reviews, %d responses",
		c.Users, c.Threads, c.Posts, c.Accepted, c.Ideas, c.Votes, c.Comments, c.StatusChanges, c.Products, c.Reviews, c.Responses)
}

// gen is one generated-community run.
type gen struct {
	seeder
	rng    *rand.Rand
	o      ScaleOptions
	users  []*townhall.User
	admin  *townhall.User
	team   *townhall.User
	counts Counts
}

// Scale generates a large community deterministically from o.Seed: the same
// options give the same people, text, votes and ratings (IDs and times are
// new each run). Writes are batched, so it runs at bulk-load speed.
func Scale(ctx context.Context, a *app.App, o ScaleOptions) (Counts, error) {
	if o.Threads < 1 {
		return Counts{}, fmt.Errorf("scale must be at least 1")
	}
	g := &gen{seeder: seeder{a: a, prog: newProgress(o.Progress)}, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x7a0d)), o: o}
	err := batch(ctx, a, func(ctx context.Context) error {
		for _, step := range []func(context.Context) error{g.people, g.forum, g.ideas, g.products} {
			if err := step(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	g.prog.finish()
	return g.counts, err
}

// people creates the team and N/5 customers spread over the segments.
func (g *gen) people(ctx context.Context) error {
	admin, err := g.user(ctx, "scale-admin", "Community Admin", townhall.RoleAdmin)
	if err != nil {
		return err
	}
	g.admin = admin
	if g.team, err = g.user(ctx, "scale-team", "Product Team", townhall.RoleProduct); err != nil {
		return err
	}
	segs, err := g.segments(ctx, admin)
	if err != nil {
		return err
	}
	n := max(50, g.o.Threads/5)
	g.prog.begin("users", n)
	g.users = make([]*townhall.User, n)
	for i := range n {
		u, err := g.user(ctx, fmt.Sprintf("scale-%d", i), personName(i), townhall.RoleMember)
		if err != nil {
			return err
		}
		// 70% Free, 25% Pro, 5% Enterprise.
		var seg *townhall.Segment
		switch x := g.rng.IntN(100); {
		case x < 70:
			seg = segs[0]
		case x < 95:
			seg = segs[1]
		default:
			seg = segs[2]
		}
		if err := g.a.Auth.AssignSegment(ctx, admin, u.ID, seg.ID); err != nil {
			return err
		}
		u.SegmentID, u.Verified = seg.ID, u.Verified || seg.Verified
		g.users[i] = u
		g.prog.step(1)
	}
	g.counts.Users = n + 2
	return nil
}

// longTail draws a Pareto-distributed count with the given mean (shape
// 1.5), capped: most get a few, a few get very many.
func (g *gen) longTail(mean float64, limit int) int {
	const shape = 1.5
	xm := mean * (shape - 1) / shape
	v := xm / math.Pow(1-g.rng.Float64(), 1/shape)
	return min(limit, int(v))
}

// distinctUsers calls fn with k different users, in a random order.
func (g *gen) distinctUsers(k int, fn func(*townhall.User) error) error {
	n := len(g.users)
	k = min(k, n)
	start, step := g.rng.IntN(n), 1+g.rng.IntN(n-1)
	for gcd(step, n) != 1 {
		step++
	}
	for j := range k {
		if err := fn(g.users[(start+j*step)%n]); err != nil {
			return err
		}
	}
	return nil
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// ideas creates N/2 ideas with long-tailed votes (20 on average, so 1M votes
// at N = 100k), a few comments and a realistic spread of statuses.
func (g *gen) ideas(ctx context.Context) error {
	n := max(1, g.o.Threads/2)
	g.prog.begin("ideas", n)
	for range n {
		author := g.users[g.rng.IntN(len(g.users))]
		idea, err := g.a.Ideas.Propose(ctx, author, ideas.Input{Title: g.title(), Body: g.paragraphs(1 + g.rng.IntN(2)), Tags: g.tags()})
		if err != nil {
			return fmt.Errorf("idea: %w", err)
		}
		g.counts.Ideas++
		g.counts.Votes++ // the author's own vote
		votes := g.longTail(19, len(g.users)-1)
		err = g.distinctUsers(votes, func(u *townhall.User) error {
			if u.ID == author.ID {
				return nil
			}
			// The Store verb, not the service: the service's only extra
			// work is re-reading the idea for the voter's response.
			added, err := g.a.DB.Vote(ctx, idea.ID, u.ID, time.Now())
			if err != nil {
				return err
			}
			if added {
				g.counts.Votes++
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("vote: %w", err)
		}
		for range g.longTail(1, 40) {
			if _, err := g.a.Ideas.Comment(ctx, g.users[g.rng.IntN(len(g.users))], idea.ID, g.paragraphs(1)); err != nil {
				return err
			}
			g.counts.Comments++
		}
		if st := g.status(); st != ideas.StatusOpen {
			resp := ""
			if g.rng.IntN(3) > 0 {
				resp = responses[st][g.rng.IntN(len(responses[st]))]
			}
			if _, err := g.a.Ideas.ChangeStatus(ctx, g.team, idea.ID, string(st), "", resp); err != nil {
				return err
			}
			g.counts.StatusChanges++
		}
		g.prog.step(1)
	}
	return nil
}

// status picks 70% open, then the rest of the lifecycle.
func (g *gen) status() ideas.Status {
	switch x := g.rng.IntN(100); {
	case x < 70:
		return ideas.StatusOpen
	case x < 80:
		return ideas.StatusUnderReview
	case x < 88:
		return ideas.StatusPlanned
	case x < 93:
		return ideas.StatusInProgress
	case x < 97:
		return ideas.StatusDone
	default:
		return ideas.StatusDeclined
	}
}

// products creates N/100 products with long-tailed review counts (20 on
// average), ratings skewed positive, and business responses on some.
func (g *gen) products(ctx context.Context) error {
	n := max(1, g.o.Threads/100)
	g.prog.begin("products", n)
	for i := range n {
		name := fmt.Sprintf("%s %s %d", pick(g.rng, productAdjectives), pick(g.rng, productNouns), i+1)
		desc := g.paragraphs(1)
		p, err := g.a.Reviews.CreateProduct(ctx, g.team, reviews.ProductInput{Name: &name, Description: &desc})
		if err != nil {
			return fmt.Errorf("product: %w", err)
		}
		g.counts.Products++
		err = g.distinctUsers(g.longTail(20, len(g.users)), func(u *townhall.User) error {
			rating := []int{1, 2, 3, 3, 4, 4, 4, 5, 5, 5, 5}[g.rng.IntN(11)]
			title, body := g.title(), g.paragraphs(1+g.rng.IntN(2))
			r, err := g.a.Reviews.CreateReview(ctx, u, p.ID, reviews.ReviewInput{Rating: &rating, Title: &title, Body: &body})
			if err != nil {
				return err
			}
			g.counts.Reviews++
			if rating <= 2 || g.rng.IntN(10) == 0 {
				if _, err := g.a.Reviews.Respond(ctx, g.team, r.ID, pick(g.rng, reviewResponses)); err != nil {
					return err
				}
				g.counts.Responses++
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("review: %w", err)
		}
		g.prog.step(1)
	}
	return nil
}

func pick(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

// title makes an idea-like or review-like sentence.
func (g *gen) title() string {
	t := fmt.Sprintf("%s %s %s %s", pick(g.rng, verbs), pick(g.rng, objects), pick(g.rng, qualifiers), pick(g.rng, places))
	return strings.ToUpper(t[:1]) + t[1:]
}

// paragraphs makes n short Markdown paragraphs of customer-ish prose.
func (g *gen) paragraphs(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString("\n\n")
		}
		for j := range 2 + g.rng.IntN(3) {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(pick(g.rng, sentences))
		}
	}
	return b.String()
}

func (g *gen) tags() []string {
	var out []string
	for range g.rng.IntN(3) {
		t := pick(g.rng, tagWords)
		if !containsString(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// personName is the i-th of ~90,000 distinct believable names.
func personName(i int) string {
	f, l := len(firstNames), len(lastNames)
	name := firstNames[i%f] + " "
	if k := i / (f * l); k > 0 {
		name += string(rune('A'+(k-1)%26)) + ". "
	}
	return name + lastNames[(i/f)%l]
}
