package seed_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/insights"
	"github.com/townhall/townhall/loyalty"
	"github.com/townhall/townhall/markdown"
	"github.com/townhall/townhall/reviews"
	"github.com/townhall/townhall/seed"
	"github.com/townhall/townhall/store/sqlite"
)

func TestDemoLoadsALivingSite(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	if err := seed.Demo(ctx, env.App, nil); err != nil {
		t.Fatal(err)
	}
	board, err := env.App.Ideas.List(ctx, nil, ideas.ListParams{Sort: "top"})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[ideas.Status]bool{}
	for _, i := range board.Items {
		statuses[i.Status] = true
	}
	if len(board.Items) != 8 || len(statuses) != 6 {
		t.Errorf("board has %d ideas in %d statuses, want 8 ideas in all 6", len(board.Items), len(statuses))
	}
	// Dark mode's seven voters and one customer's vote recorded by the team.
	if top := board.Items[0]; top.Title != "Dark mode for the dashboard" || top.Votes != 8 {
		t.Errorf("top idea = %q with %d votes, want dark mode with 8", top.Title, top.Votes)
	}
	changelog, err := env.App.Ideas.Changelog(ctx, "")
	if err != nil || len(changelog.Items) != 1 || changelog.Items[0].Note == nil || changelog.Items[0].Idea.Title != "Dark mode for the dashboard" {
		t.Errorf("changelog = %+v, %v; want dark mode with its release note", changelog.Items, err)
	}
	products, err := env.App.Reviews.Products(ctx, nil, reviews.ProductFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(products.Items) != 3 {
		t.Fatalf("%d products, want 3", len(products.Items))
	}
	cats, err := env.App.Forum.Categories(ctx)
	if err != nil || len(cats) != 3 {
		t.Fatalf("categories = %d, %v; want 3", len(cats), err)
	}
	if res, body := env.Anonymous(t).Get("/forum"); res.StatusCode != 200 || !strings.Contains(body, "Questions") {
		t.Errorf("GET /forum: %d, demo categories missing", res.StatusCode)
	}
	segs, err := env.App.Auth.Segments(ctx)
	if err != nil || len(segs) != 3 {
		t.Errorf("segments = %d, %v; want Free, Pro and Enterprise", len(segs), err)
	}
	// Insights show the demo at once: everyone visited, the ideas and
	// reviews are today's.
	for more := true; more; {
		if more, err = env.App.Insights.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	pm, err := env.App.Auth.UserByHandle(ctx, "priya-raman")
	if err != nil {
		t.Fatal(err)
	}
	report, err := env.App.Insights.Report(ctx, pm, insights.Query{Period: 7})
	if err != nil {
		t.Fatal(err)
	}
	for key, min := range map[string]float64{"active_members": 10, "ideas_proposed": 8, "threads": 5, "reviews": 5, "votes": 20} {
		if f := report.Figure(key); f.Value == nil || *f.Value < min {
			t.Errorf("insights: %s = %v on the demo; want at least %v", key, f.Value, min)
		}
	}
	// A member's page shows it: the board renders with the demo content.
	res, body := env.Anonymous(t).Get("/ideas")
	if res.StatusCode != 200 || !strings.Contains(body, "Single sign-on with Okta") || !strings.Contains(body, "Dark mode") {
		t.Errorf("GET /ideas: %d, demo ideas missing", res.StatusCode)
	}
	// The review queue has a flagged comment and a held idea (not on the
	// board, which has the 8 demo ideas above), and the hold is off again.
	var admin *townhall.User
	if all, err := env.App.Auth.Users(ctx, &townhall.User{Role: townhall.RoleAdmin}, "", 1); err == nil && len(all) == 1 {
		admin = all[0]
	}
	q, err := env.App.Moderation.Queue(ctx, admin, "")
	if err != nil || len(q.Items) != 2 {
		t.Fatalf("review queue = %d entries, %v; want 2", len(q.Items), err)
	}
	if c, h := q.Items[0].Case, q.Items[1].Case; c.Kind != "comment" || c.Flags != 2 || h.Kind != "idea" || !h.Held {
		t.Errorf("queue = %+v, %+v; want the flagged comment, then the held idea", c, h)
	}
	if site, _ := env.App.Settings.Get(ctx); site.HoldNewMemberPosts != 0 {
		t.Errorf("the demo left holding on: %d", site.HoldNewMemberPosts)
	}
	// Loyalty shows too: likes and accepted answers on the leaderboard,
	// badges held, a Champion with a bio.
	lb, err := env.App.Loyalty.Leaderboard(ctx, nil, loyalty.LeaderboardQuery{Period: loyalty.PeriodAll})
	if err != nil || len(lb.Items) < 5 || lb.Items[0].Points < 15 {
		t.Errorf("all-time leaderboard = %+v, %v; want several people, the first with an accepted answer's worth", lb, err)
	}
	lars, err := env.App.Loyalty.Profile(ctx, nil, "lars-nilsson")
	if err != nil || !lars.User.Champion || len(lars.Badges) < 3 || !strings.Contains(string(lars.Bio), "<strong>export</strong>") {
		t.Errorf("Lars = %+v, %v; want a Champion with badges and a bio", lars, err)
	}
	badges, err := env.App.Loyalty.Badges(ctx)
	if err != nil || badges[0].Slug != loyalty.FirstPost || badges[0].Holders < 8 {
		t.Errorf("badges = %v, %v; want First Post held by most people", badges, err)
	}
	if problems, err := checkStore(env); err != nil || len(problems) > 0 {
		t.Errorf("after the demo: %v, %v", problems, err)
	}
}

// checkStore runs the embedded store's consistency check, where there is one.
func checkStore(env *apptest.Env) ([]string, error) {
	if db, ok := env.App.DB.(*sqlite.DB); ok {
		return db.CheckCounters(context.Background(), 1e-9)
	}
	return nil, nil
}

// rawDB opens the app's database file for reading with plain SQL.
func rawDB(t *testing.T, env *apptest.Env) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+env.App.DB.(*sqlite.DB).Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func count(t *testing.T, raw *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := raw.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// embedded keeps the scale tests on the embedded store: they check what
// its bulk loader wrote with SQL on the database file.
var embedded = apptest.EmbeddedStore("checks the embedded store's bulk loader with SQL on its file")

func TestScaleIsConsistent(t *testing.T) {
	ctx := context.Background()
	env := apptest.Start(t, embedded)
	c, err := seed.Scale(ctx, env.App, seed.ScaleOptions{Threads: 300, Seed: 7, CheckEvery: 1})
	if err != nil {
		t.Fatal(err)
	}
	if c.Threads != 300 || c.Ideas != 150 || c.Products != 3 || c.Users != 62 || c.Posts < 1500 || c.Votes < 1000 || c.Reviews < 20 || c.Likes < 500 {
		t.Errorf("counts = %v, want 300 threads with replies, 150 ideas with votes, 3 products with reviews, 62 users", c)
	}
	// Every counter equals what its rows say, trend scores bit for bit.
	problems, err := env.App.DB.(*sqlite.DB).CheckCounters(ctx, 0)
	if err != nil || len(problems) > 0 {
		t.Fatalf("after seeding: %v, %v", problems, err)
	}
	raw := rawDB(t, env)
	for q, want := range map[string]int{
		`SELECT COUNT(*) FROM users`:                                            c.Users,
		`SELECT COUNT(*) FROM forum_threads`:                                    c.Threads,
		`SELECT COUNT(*) FROM forum_posts`:                                      c.Posts,
		`SELECT COUNT(*) FROM forum_threads WHERE accepted_post_id IS NOT NULL`: c.Accepted,
		`SELECT COUNT(*) FROM ideas`:                                            c.Ideas,
		`SELECT COUNT(*) FROM idea_votes`:                                       c.Votes,
		`SELECT COUNT(*) FROM idea_comments`:                                    c.Comments,
		`SELECT COUNT(*) FROM idea_status_changes`:                              c.StatusChanges,
		`SELECT COUNT(*) FROM products`:                                         c.Products,
		`SELECT COUNT(*) FROM reviews`:                                          c.Reviews,
		`SELECT COUNT(*) FROM reviews WHERE response_body != ''`:                c.Responses,
		`SELECT COUNT(*) FROM likes`:                                            c.Likes,
		`SELECT SUM(likes) FROM forum_posts`:                                    count(t, raw, `SELECT COUNT(*) FROM likes WHERE kind = 'post'`),
		`SELECT COUNT(*) FROM visits`:                                           c.Visits,
	} {
		if got := count(t, raw, q); got != want {
			t.Errorf("%s = %d, the seed reported %d", q, got, want)
		}
	}
	// Reputation and badges came with it: everyone who posted holds First
	// Post, the history is two years long, accepted answers earned points.
	for q, atLeast := range map[string]int{
		`SELECT COUNT(*) FROM user_badges WHERE badge = 'first-post'`:          50,
		`SELECT COUNT(*) FROM user_badges WHERE badge = 'anniversary'`:         60,
		`SELECT COUNT(*) FROM reputation_events WHERE reason = 'post_liked'`:   500,
		`SELECT COUNT(*) FROM reputation_events WHERE reason = 'idea_shipped'`: 1,
		`SELECT COUNT(*) FROM reputation_rollups WHERE period LIKE 'w%'`:       50,
		`SELECT COUNT(*) FROM users WHERE reputation > 0`:                      40,
	} {
		if got := count(t, raw, q); got < atLeast {
			t.Errorf("%s = %d, want at least %d", q, got, atLeast)
		}
	}
	// Every stored HTML is what markdown.Render makes of its source.
	for _, q := range []string{
		`SELECT source, html FROM forum_posts`,
		`SELECT body, body_html FROM ideas`,
		`SELECT response_body, response_html FROM ideas`,
		`SELECT body, body_html FROM idea_comments`,
		`SELECT response, response_html FROM idea_status_changes`,
		`SELECT description, description_html FROM products`,
		`SELECT body, body_html FROM reviews`,
		`SELECT response_body, response_html FROM reviews`,
	} {
		rows, err := raw.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var src, html string
			if err := rows.Scan(&src, &html); err != nil {
				t.Fatal(err)
			}
			if src == "" && html == "" {
				continue
			}
			n++
			if want := string(markdown.Render(src)); html != want {
				t.Errorf("%s: stored %q for %q, markdown.Render gives %q", q, html, src, want)
			}
		}
		rows.Close()
		if n == 0 {
			t.Errorf("%s: no rows to compare", q)
		}
	}
	// Every vote the generator counted is on the board's counters.
	total := 0
	var after string
	for {
		page, err := env.App.Ideas.List(ctx, nil, ideas.ListParams{Sort: "new", After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range page.Items {
			total += i.Votes
		}
		if after = page.Next; after == "" {
			break
		}
	}
	if total != c.Votes {
		t.Errorf("board counts %d votes, generator cast %d", total, c.Votes)
	}
	// The pages show it, and the service path keeps it consistent: a vote,
	// an unvote, a reply and a review on top of the seeded rows.
	member, err := env.App.DB.(*sqlite.DB).UserByHandle(ctx, "ava-adeyemi")
	if err != nil {
		t.Fatal(err)
	}
	top, err := env.App.Ideas.List(ctx, nil, ideas.ListParams{Sort: "top"})
	if err != nil {
		t.Fatal(err)
	}
	best := top.Items[0]
	if best.Voted {
		t.Fatal("anonymous viewer marked as voter")
	}
	after1, err := env.App.Ideas.Vote(ctx, member, best.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Ideas.Unvote(ctx, member, top.Items[1].ID); err != nil {
		t.Fatal(err)
	}
	if after1.Votes < best.Votes || after1.Votes > best.Votes+1 {
		t.Errorf("votes after voting: %d, before %d", after1.Votes, best.Votes)
	}
	threads, err := env.App.Forum.Latest(ctx, 1)
	if err != nil || len(threads) != 1 {
		t.Fatalf("latest threads: %v, %v", threads, err)
	}
	if _, err := env.App.Forum.Reply(ctx, member, threads[0].ID, "One more reply."); err != nil {
		t.Fatal(err)
	}
	res, body := env.Anonymous(t).Get("/t/" + threads[0].ID)
	if res.StatusCode != 200 || !strings.Contains(body, "One more reply.") {
		t.Errorf("GET /t/%s: %d, the new reply is missing", threads[0].ID, res.StatusCode)
	}
	if problems, err := env.App.DB.(*sqlite.DB).CheckCounters(ctx, 1e-9); err != nil || len(problems) > 0 {
		t.Errorf("after service writes on top: %v, %v", problems, err)
	}
}

// generated dumps what the generator wrote, with the IDs of what the
// services made (team, segments, categories; new each run) replaced by
// their names.
func generated(t *testing.T, env *apptest.Env) string {
	t.Helper()
	raw := rawDB(t, env)
	var names []string
	for _, q := range []string{`SELECT id, handle FROM users WHERE role != 'member'`, `SELECT id, name FROM segments`,
		`SELECT id, slug FROM forum_categories`} {
		rows, err := raw.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, name string
			rows.Scan(&id, &name)
			names = append(names, id, "<"+name+">")
		}
		rows.Close()
	}
	var b strings.Builder
	for _, q := range []string{
		`SELECT * FROM users WHERE role = 'member' ORDER BY id`,
		`SELECT * FROM identities WHERE subject NOT IN ('scale-admin', 'scale-team') ORDER BY user_id`,
		`SELECT * FROM forum_threads ORDER BY id`, `SELECT * FROM forum_posts ORDER BY id`, `SELECT * FROM forum_follows ORDER BY 1, 2`,
		`SELECT * FROM ideas ORDER BY id`, `SELECT * FROM idea_votes ORDER BY 1, 2`, `SELECT * FROM idea_segment_votes ORDER BY 1, 2`,
		`SELECT * FROM idea_tags ORDER BY 1, 2`, `SELECT * FROM idea_comments ORDER BY id`, `SELECT * FROM idea_status_changes ORDER BY id`,
		`SELECT * FROM idea_title_words ORDER BY 1, 2`, `SELECT * FROM products ORDER BY id`, `SELECT * FROM reviews ORDER BY id`,
		`SELECT kind, entity_id, at FROM changes ORDER BY seq`,
	} {
		rows, err := raw.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
	}
	return strings.NewReplacer(names...).Replace(b.String())
}

func TestScaleIsDeterministic(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var dumps []string
	for _, s := range []uint64{7, 7, 8} {
		env := apptest.Start(t, embedded)
		if _, err := seed.Scale(ctx, env.App, seed.ScaleOptions{Threads: 100, Seed: s, Now: now}); err != nil {
			t.Fatal(err)
		}
		dumps = append(dumps, generated(t, env))
	}
	if len(dumps[0]) < 10000 {
		t.Fatalf("dump of %d bytes: too little to compare", len(dumps[0]))
	}
	if dumps[0] != dumps[1] {
		a, b := strings.Split(dumps[0], "\n"), strings.Split(dumps[1], "\n")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("same seed and time, different databases; first difference at row %d:\n%s\n%s", i, a[i], b[i])
			}
		}
		t.Fatalf("same seed and time, different databases (%d and %d rows)", len(a), len(b))
	}
	if dumps[0] == dumps[2] {
		t.Error("seeds 7 and 8 generated the same community")
	}
}

// BenchmarkScale seeds 200 threads' worth of community, or
// TOWNHALL_BENCH_SCALE when set.
func BenchmarkScale(b *testing.B) {
	n := 200
	if v, err := strconv.Atoi(os.Getenv("TOWNHALL_BENCH_SCALE")); err == nil && v > 0 {
		n = v
	}
	for b.Loop() {
		env := apptest.Start(b, apptest.EmbeddedStore("measures the embedded store's bulk loader"))
		if _, err := seed.Scale(context.Background(), env.App, seed.ScaleOptions{Threads: n, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// community lists what a generated community holds by natural keys
// (titles, handles, names) rather than IDs and times, which differ between
// the bulk loader's seeded history and a run through the services.
func community(t *testing.T, env *apptest.Env) map[string][]string {
	t.Helper()
	raw := rawDB(t, env)
	out := map[string][]string{}
	for name, q := range map[string]string{
		"users":      `SELECT u.handle, u.name, u.email, u.role, COALESCE(s.name, ''), u.verified FROM users u LEFT JOIN segments s ON s.id = u.segment_id`,
		"categories": `SELECT slug, threads, questions FROM forum_categories`,
		"threads": `SELECT t.title, c.slug, u.handle, t.posts, t.replies, COALESCE(a.position, -1), lu.handle,
			(SELECT COUNT(*) FROM forum_follows f WHERE f.thread_id = t.id)
			FROM forum_threads t JOIN forum_categories c ON c.id = t.category_id JOIN users u ON u.id = t.author_id
			JOIN users lu ON lu.id = t.last_poster_id LEFT JOIN forum_posts a ON a.id = t.accepted_post_id`,
		"posts": `SELECT t.title, p.position, u.handle, p.source, p.html, p.hidden FROM forum_posts p
			JOIN forum_threads t ON t.id = p.thread_id JOIN users u ON u.id = p.author_id`,
		"ideas": `SELECT i.title, u.handle, i.body, i.body_html, i.tags, i.status, i.votes, i.comments, i.response_body,
			i.response_html, COALESCE(ru.handle, ''), i.responded_at IS NULL, i.status_at IS NULL
			FROM ideas i JOIN users u ON u.id = i.author_id LEFT JOIN users ru ON ru.id = i.response_author_id`,
		"votes": `SELECT i.title, u.handle, COALESCE(s.name, '') FROM idea_votes v JOIN ideas i ON i.id = v.idea_id
			JOIN users u ON u.id = v.user_id LEFT JOIN segments s ON s.id = v.segment_id`,
		"segment votes": `SELECT i.title, COALESCE(s.name, ''), sv.votes FROM idea_segment_votes sv JOIN ideas i ON i.id = sv.idea_id
			LEFT JOIN segments s ON s.id = sv.segment_id`,
		"tags":        `SELECT i.title, t.tag, t.status, t.votes FROM idea_tags t JOIN ideas i ON i.id = t.idea_id`,
		"tag counts":  `SELECT tag, ideas FROM idea_tag_counts`,
		"title words": `SELECT i.title, w.word FROM idea_title_words w JOIN ideas i ON i.id = w.idea_id`,
		"comments": `SELECT i.title, u.handle, c.team, c.body, c.body_html FROM idea_comments c JOIN ideas i ON i.id = c.idea_id
			JOIN users u ON u.id = c.author_id`,
		"status changes": `SELECT i.title, h.from_status, h.to_status, h.reason, h.response, h.response_html, u.handle
			FROM idea_status_changes h JOIN ideas i ON i.id = h.idea_id JOIN users u ON u.id = h.actor_id`,
		"products": `SELECT name, slug, description, description_html, archived, rating_count, rating_sum, stars1, stars2, stars3, stars4, stars5 FROM products`,
		"reviews": `SELECT p.name, u.handle, r.rating, r.title, r.body, r.body_html, r.verified, r.helpful, r.response_body, r.response_html,
			COALESCE(ru.handle, '') FROM reviews r JOIN products p ON p.id = r.product_id JOIN users u ON u.id = r.author_id
			LEFT JOIN users ru ON ru.id = r.response_author_id`,
		"feed": `SELECT kind, COUNT(DISTINCT entity_id) FROM changes GROUP BY kind`,
		"likes": `SELECT l.kind, COALESCE(t.title || ' #' || p.position, i.title || ': ' || c.body), u.handle, a.handle, l.day != ''
			FROM likes l JOIN users u ON u.id = l.user_id JOIN users a ON a.id = l.author_id
			LEFT JOIN forum_posts p ON p.id = l.target_id LEFT JOIN forum_threads t ON t.id = p.thread_id
			LEFT JOIN idea_comments c ON c.id = l.target_id LEFT JOIN ideas i ON i.id = c.idea_id`,
		"like counts": `SELECT t.title, p.position, p.likes FROM forum_posts p JOIN forum_threads t ON t.id = p.thread_id WHERE p.likes > 0`,
		"reputation":  `SELECT handle, reputation, champion FROM users`,
		"ledger":      `SELECT u.handle, e.reason, e.points, e.source_kind FROM reputation_events e JOIN users u ON u.id = e.user_id`,
		// The services make people now and the loader two years ago, so
		// only the loader's have been members for a year.
		"badges": `SELECT u.handle, b.badge FROM user_badges b JOIN users u ON u.id = b.user_id WHERE b.badge != 'anniversary'`,
	} {
		rows, err := raw.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out[name] = append(out[name], fmt.Sprintln(vals...))
		}
		rows.Close()
		slices.Sort(out[name])
	}
	return out
}

func TestScaleBulkEqualsServices(t *testing.T) {
	ctx := context.Background()
	var got [2]map[string][]string
	var counts [2]seed.Counts
	for i, services := range []bool{false, true} {
		env := apptest.Start(t, embedded)
		c, err := seed.Scale(ctx, env.App, seed.ScaleOptions{Threads: 60, Seed: 5, ThroughServices: services})
		if err != nil {
			t.Fatal(err)
		}
		counts[i], got[i] = c, community(t, env)
		if problems, err := env.App.DB.(*sqlite.DB).CheckCounters(ctx, 1e-9); err != nil || len(problems) > 0 {
			t.Errorf("services %v: %v, %v", services, problems, err)
		}
	}
	if counts[0] != counts[1] {
		t.Errorf("counts: bulk %v, services %v", counts[0], counts[1])
	}
	for name, bulk := range got[0] {
		if len(bulk) == 0 {
			t.Errorf("%s: none generated, nothing compared", name)
		}
		if svc := got[1][name]; !slices.Equal(bulk, svc) {
			for i := range min(len(bulk), len(svc)) {
				if bulk[i] != svc[i] {
					t.Errorf("%s: %d rows in bulk, %d through services; first difference:\n bulk:     %s services: %s", name, len(bulk), len(svc), bulk[i], svc[i])
					break
				}
			}
			if len(bulk) != len(svc) {
				t.Errorf("%s: %d rows in bulk, %d through services", name, len(bulk), len(svc))
			}
		}
	}
}
