package seed

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/loyalty"
	"github.com/townhall/townhall/reviews"
	"github.com/townhall/townhall/store/sqlite"
)

// ScaleOptions size a generated community.
type ScaleOptions struct {
	// Threads is N: N threads, N/2 ideas, N/100 products, N/5 users.
	Threads int
	// Seed makes the generated content repeatable.
	Seed uint64
	// Progress receives the progress bar; nil for none.
	Progress io.Writer
	// Now is when the generated history ends (an hour before it, so live
	// content sorts after it); zero is the current time. The same Seed and
	// Now write the same database, IDs and times included.
	Now time.Time
	// CheckEvery compares the generated HTML of every n-th text with
	// markdown.Render (see prose); 0 is every 1,000th.
	CheckEvery int
	// ThroughServices writes the community through the domain services,
	// one call per vote, reply and review, instead of the embedded store's
	// bulk loader; stores without one (MongoDB) always do. It takes about
	// 15 times longer, and IDs and times are those of the run.
	ThroughServices bool
}

// Counts is what a seeding run created.
type Counts struct {
	Users, Threads, Posts, Accepted, Ideas, Votes, Comments, StatusChanges, Products, Reviews, Responses, Likes, Visits int
}

func (c Counts) String() string {
	return fmt.Sprintf("%d users, %d threads, %d posts, %d accepted answers, %d ideas, %d votes, %d idea comments, %d status changes, %d products, %d reviews, %d responses, %d likes, %d visits",
		c.Users, c.Threads, c.Posts, c.Accepted, c.Ideas, c.Votes, c.Comments, c.StatusChanges, c.Products, c.Reviews, c.Responses, c.Likes, c.Visits)
}

// history is how far back the generated community goes.
const history = 2 * 365 * 24 * time.Hour

// gen is one generated-community run.
type gen struct {
	seeder
	rng *rand.Rand
	// likeRng draws the likes from a stream of its own, so adding them
	// left every other generated row as it was.
	likeRng    *rand.Rand
	text       *prose
	o          ScaleOptions
	start, end time.Time // the generated history
	out        sink
	users      []*townhall.User
	admin      *townhall.User
	team       *townhall.User
	cats       []*forum.Category
	counts     Counts
}

// Scale generates a large community deterministically from o.Seed. The
// team, segments and forum categories are made through the services; the
// bulk of it (members, threads and posts, ideas with votes, comments and
// status changes, products with reviews) is generated as a history over
// the past two years and, on the embedded store, written by its bulk
// loader, which computes every counter as the services would (see
// sqlite.Bulk) and rebuilds the indexes once at the end. That part is one
// transaction: it is all there or none of it is. Other stores get it
// through the services (see ScaleOptions.ThroughServices).
func Scale(ctx context.Context, a *app.App, o ScaleOptions) (Counts, error) {
	if o.Threads < 1 {
		return Counts{}, fmt.Errorf("scale must be at least 1")
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.CheckEvery == 0 {
		o.CheckEvery = 1000
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x7a0d))
	g := &gen{seeder: seeder{a: a, prog: newProgress(o.Progress)}, rng: rng, text: newProse(rng, o.CheckEvery), o: o,
		likeRng: rand.New(rand.NewPCG(o.Seed^0x11ce, o.Seed))}
	g.end = o.Now.UTC().Add(-time.Hour).Truncate(time.Millisecond)
	g.start = g.end.Add(-history)
	defer g.prog.finish()
	if err := g.people(ctx); err != nil {
		return g.counts, err
	}
	if err := g.categories(ctx); err != nil {
		return g.counts, err
	}
	run := func(ctx context.Context, fn func(context.Context) error) error { return fn(ctx) }
	if db, ok := a.DB.(*sqlite.DB); ok && !o.ThroughServices {
		b, err := db.BeginBulk(ctx)
		if err != nil {
			return g.counts, err
		}
		g.out = bulkSink{b}
	} else {
		g.out = &serviceSink{a: a, admin: g.admin, team: g.team, users: map[string]*townhall.User{}, ids: map[string]string{}}
		run = func(ctx context.Context, fn func(context.Context) error) error { return batch(ctx, a, fn) }
	}
	defer g.out.abort() // after finish, nothing
	err := run(ctx, func(ctx context.Context) error {
		// Visits come last, so adding them left everything before as it was.
		for _, step := range []func(context.Context) error{g.members, g.threads, g.ideas, g.products, g.visits} {
			if err := step(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Counts{}, err
	}
	err = g.out.finish(ctx, func(what string, done, total int) {
		if g.prog.phase != what {
			g.prog.begin(what, total)
		}
		g.prog.done = done
		g.prog.draw()
	})
	if err != nil {
		return Counts{}, err
	}
	return g.counts, nil
}

// likes gives a post or comment by authorID, written at t, its long-tailed
// likes (mean likes each, most get none), from the likes' own stream.
func (g *gen) likes(ctx context.Context, kind, targetID, authorID string, t time.Time, mean float64) error {
	k := longTail(g.likeRng, mean, 60)
	if k == 0 {
		return nil
	}
	likers := g.distinctUsersWith(g.likeRng, k)
	times := g.afterWith(g.likeRng, t, len(likers), 36*time.Hour)
	ls := make([]sqlite.BulkLike, len(likers))
	for j, u := range likers {
		ls[j] = sqlite.BulkLike{ID: townhall.IDAt(times[j], g.likeRng.Uint64(), uint16(g.likeRng.Uint32())), UserID: u.ID, At: times[j]}
	}
	n, err := g.out.likes(ctx, kind, targetID, authorID, ls)
	g.counts.Likes += n
	return err
}

// id is a sortable ID for something created at t, from the seeded source.
func (g *gen) id(t time.Time) string {
	return townhall.IDAt(t, g.rng.Uint64(), uint16(g.rng.Uint32()))
}

// at is the moment fraction f (0 to 1) of the way through the history.
func (g *gen) at(f float64) time.Time {
	return g.start.Add(time.Duration(f * float64(history))).Truncate(time.Millisecond)
}

// after returns k increasing times after t, about mean apart, all before
// the end of the history (squeezed together for things made near it).
func (g *gen) after(t time.Time, k int, mean time.Duration) []time.Time {
	return g.afterWith(g.rng, t, k, mean)
}

// afterWith is after drawing from rng.
func (g *gen) afterWith(rng *rand.Rand, t time.Time, k int, mean time.Duration) []time.Time {
	gaps := make([]float64, k)
	total := 0.0
	for j := range gaps {
		gaps[j] = rng.ExpFloat64() * float64(mean.Milliseconds())
		total += gaps[j]
	}
	room := float64(g.end.Sub(t).Milliseconds() - int64(k))
	scale := 1.0
	if total > room {
		scale = max(0, room) / total
	}
	out := make([]time.Time, k)
	cur := t.UnixMilli()
	for j, gap := range gaps {
		cur += 1 + int64(gap*scale) // strictly increasing: IDs and trend folds follow this order
		out[j] = time.UnixMilli(cur).UTC()
	}
	return out
}

// people creates the team through the auth service and the segments.
func (g *gen) people(ctx context.Context) error {
	admin, err := g.user(ctx, "scale-admin", "Community Admin", townhall.RoleAdmin)
	if err != nil {
		return err
	}
	g.admin = admin
	if g.team, err = g.user(ctx, "scale-team", "Product Team", townhall.RoleProduct); err != nil {
		return err
	}
	_, err = g.segments(ctx, admin)
	return err
}

// members creates N/5 customers spread over the segments: 70% Free, 25%
// Pro, 5% Enterprise.
func (g *gen) members(ctx context.Context) error {
	segs, err := g.a.Auth.Segments(ctx)
	if err != nil {
		return err
	}
	byName := map[string]*townhall.Segment{}
	for _, s := range segs {
		byName[s.Name] = s
	}
	tiers := []*townhall.Segment{byName["Free"], byName["Pro"], byName["Enterprise"]}
	n := max(50, g.o.Threads/5)
	g.prog.begin("users", n)
	g.users = make([]*townhall.User, n)
	for i := range n {
		var seg *townhall.Segment
		switch x := g.rng.IntN(100); {
		case x < 70:
			seg = tiers[0]
		case x < 95:
			seg = tiers[1]
		default:
			seg = tiers[2]
		}
		name := personName(i)
		created := g.start.Add(-time.Duration(n-i) * time.Minute)
		u := &townhall.User{ID: g.id(created), Name: name, Email: fmt.Sprintf("%s@example.com", auth.Handle(name)),
			Role: townhall.RoleMember, SegmentID: seg.ID, CreatedAt: created}
		if err := g.out.user(ctx, u, fmt.Sprintf("scale-%d", i)); err != nil {
			return fmt.Errorf("user: %w", err)
		}
		u.Verified = seg.Verified // through the segment, as reads report it
		g.users[i] = u
		g.prog.step(1)
	}
	g.counts.Users = n + 2
	return nil
}

// longTail draws a Pareto-distributed count with the given mean (shape
// 1.5), capped: most get a few, a few get very many.
func (g *gen) longTail(mean float64, limit int) int {
	return longTail(g.rng, mean, limit)
}

func longTail(rng *rand.Rand, mean float64, limit int) int {
	const shape = 1.5
	xm := mean * (shape - 1) / shape
	v := xm / math.Pow(1-rng.Float64(), 1/shape)
	return min(limit, int(v))
}

// distinctUsers returns k different users in a random order.
func (g *gen) distinctUsers(k int) []*townhall.User { return g.distinctUsersWith(g.rng, k) }

// distinctUsersWith is distinctUsers drawing from rng.
func (g *gen) distinctUsersWith(rng *rand.Rand, k int) []*townhall.User {
	n := len(g.users)
	k = min(k, n)
	start, step := rng.IntN(n), 1+rng.IntN(n-1)
	for gcd(step, n) != 1 {
		step++
	}
	out := make([]*townhall.User, k)
	for j := range out {
		out[j] = g.users[(start+j*step)%n]
	}
	return out
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
	for i := range n {
		author := g.users[g.rng.IntN(len(g.users))]
		created := g.at((float64(i) + g.rng.Float64()) / float64(n))
		title, err := townhall.CleanText("Title", g.title(), ideas.MinTitle, ideas.MaxTitle)
		if err != nil {
			return err
		}
		body, html, err := g.text.paragraphs(1 + g.rng.IntN(2))
		if err != nil {
			return err
		}
		tags, err := ideas.NormalizeTags(g.tags())
		if err != nil {
			return err
		}
		if tags == nil {
			tags = []string{}
		}
		idea := &ideas.Idea{ID: g.id(created), Title: title, Body: body, BodyHTML: html, Tags: tags,
			AuthorID: author.ID, CreatedAt: created, UpdatedAt: created}
		voters := g.distinctUsers(g.longTail(19, len(g.users)-1))
		times := g.after(created, len(voters), 2*24*time.Hour)
		votes := make([]sqlite.BulkVote, 0, len(voters))
		for j, u := range voters {
			if u.ID != author.ID {
				votes = append(votes, sqlite.BulkVote{UserID: u.ID, At: times[j]})
			}
		}
		k := g.longTail(1, 40)
		ctimes := g.after(created, k, 24*time.Hour)
		comments := make([]*ideas.Comment, k)
		for j := range comments {
			u := g.users[g.rng.IntN(len(g.users))]
			body, html, err := g.text.paragraphs(1)
			if err != nil {
				return err
			}
			comments[j] = &ideas.Comment{ID: g.id(ctimes[j]), AuthorID: u.ID, Team: u.Role.CanManageProduct(),
				Body: body, BodyHTML: html, CreatedAt: ctimes[j]}
		}
		var changes []*ideas.StatusChange
		if st := g.status(); st != ideas.StatusOpen {
			ch := &ideas.StatusChange{To: st, ActorID: g.team.ID, At: g.after(created, 1, 30*24*time.Hour)[0]}
			ch.ID = g.id(ch.At)
			if g.rng.IntN(3) > 0 {
				ch.Response = responses[st][g.rng.IntN(len(responses[st]))]
				if ch.ResponseHTML, err = g.text.fixed(ch.Response); err != nil {
					return err
				}
			}
			changes = append(changes, ch)
		}
		if err := g.out.idea(ctx, idea, ideas.TitleWords(title), votes, comments, changes); err != nil {
			return fmt.Errorf("idea: %w", err)
		}
		for _, c := range comments {
			if err := g.likes(ctx, loyalty.KindComment, c.ID, c.AuthorID, c.CreatedAt, 0.5); err != nil {
				return fmt.Errorf("likes: %w", err)
			}
		}
		g.counts.Ideas++
		g.counts.Votes += idea.Votes
		g.counts.Comments += k
		g.counts.StatusChanges += len(changes)
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
		created := g.at((float64(i) + g.rng.Float64()) / float64(n) / 2) // products predate most reviews
		name := fmt.Sprintf("%s %s %d", pick(g.rng, productAdjectives), pick(g.rng, productNouns), i+1)
		desc, html, err := g.text.paragraphs(1)
		if err != nil {
			return err
		}
		p := &reviews.Product{ID: g.id(created), Name: name, Description: desc, DescriptionHTML: html, CreatedAt: created, UpdatedAt: created}
		authors := g.distinctUsers(g.longTail(20, len(g.users)))
		times := g.after(created, len(authors), 3*24*time.Hour)
		revs := make([]*reviews.Review, len(authors))
		for j, u := range authors {
			rating := []int{1, 2, 3, 3, 4, 4, 4, 5, 5, 5, 5}[g.rng.IntN(11)]
			title, err := townhall.CleanText("Title", g.title(), 0, reviews.MaxTitle)
			if err != nil {
				return err
			}
			body, html, err := g.text.paragraphs(1 + g.rng.IntN(2))
			if err != nil {
				return err
			}
			r := &reviews.Review{ID: g.id(times[j]), AuthorID: u.ID, Rating: rating, Title: title, Body: body, BodyHTML: html,
				Verified: u.Verified, CreatedAt: times[j], UpdatedAt: times[j]}
			if rating <= 2 || g.rng.IntN(10) == 0 {
				src := pick(g.rng, reviewResponses)
				h, err := g.text.fixed(src)
				if err != nil {
					return err
				}
				at := g.after(times[j], 1, 12*time.Hour)[0]
				r.Response = &reviews.Response{AuthorID: g.team.ID, Body: src, BodyHTML: h, CreatedAt: at, UpdatedAt: at}
				g.counts.Responses++
			}
			revs[j] = r
		}
		if err := g.out.product(ctx, p, revs); err != nil {
			return fmt.Errorf("product: %w", err)
		}
		g.counts.Products++
		g.counts.Reviews += len(revs)
		g.prog.step(1)
	}
	return nil
}

// visits gives every member a long-tailed number of days on which they
// visited (30 on average, so at N = 100k about 600,000 visits and a
// thousand members a day), spread over the history, in the site's zone.
func (g *gen) visits(ctx context.Context) error {
	days := int(history / (24 * time.Hour))
	g.prog.begin("visits", len(g.users))
	for _, u := range g.users {
		k := g.longTail(30, days)
		seen := map[string]bool{}
		var vs []sqlite.BulkVisit
		for range k {
			at := g.start.Add(time.Duration(g.rng.Int64N(int64(history)))).Truncate(time.Millisecond)
			day := g.a.Auth.Day(at)
			if !seen[day] {
				seen[day] = true
				vs = append(vs, sqlite.BulkVisit{Day: day, At: at})
			}
		}
		slices.SortFunc(vs, func(a, b sqlite.BulkVisit) int { return a.At.Compare(b.At) })
		if err := g.out.visits(ctx, u.ID, vs); err != nil {
			return fmt.Errorf("visits: %w", err)
		}
		g.counts.Visits += len(vs)
		g.prog.step(1)
	}
	return nil
}

func pick(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

// title makes an idea-like or review-like sentence.
func (g *gen) title() string {
	t := pick(g.rng, verbs) + " " + pick(g.rng, objects) + " " + pick(g.rng, qualifiers) + " " + pick(g.rng, places)
	return strings.ToUpper(t[:1]) + t[1:]
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
