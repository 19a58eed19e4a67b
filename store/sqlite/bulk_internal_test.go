package sqlite

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/loyalty"
	"github.com/townhall/townhall/reviews"
)

// bulkCommunity is a small hand-made community with every case the bulk
// loader derives something for: duplicate handles, segments, a thread
// without replies, an accepted answer, a repeated voter, a team comment
// before a status change, two status changes of which only the first
// responds, tags, and a product whose slug is already taken.
type bulkCommunity struct {
	members  []bulkMember
	category *forum.Category
	threads  []bulkThread
	ideas    []bulkIdea
	products []bulkProduct
	likes    []bulkLikes
}

// bulkLikes are the likes of one post or comment, in the order given.
type bulkLikes struct {
	kind, target, author string
	likes                []BulkLike
}

type bulkMember struct {
	name, segment string // segment name, "" for none
	role          townhall.Role
	at            time.Time
}

type bulkThread struct {
	t     *forum.Thread
	posts []*forum.Post
}

type bulkIdea struct {
	idea     *ideas.Idea
	votes    []BulkVote
	comments []*ideas.Comment
	changes  []*ideas.StatusChange
}

type bulkProduct struct {
	p    *reviews.Product
	revs []*reviews.Review
}

var bulkT0 = time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)

// newBulkCommunity builds the community over users (ids filled by the
// caller in member order); it is built afresh for each path because the
// store methods and the loader fill in fields of what they are given.
func newBulkCommunity(users []string) *bulkCommunity {
	n := 0
	at := func(minutes int) time.Time { return bulkT0.Add(time.Duration(minutes) * time.Minute) }
	id := func(t time.Time) string { n++; return townhall.IDAt(t, uint64(n)*7919, uint16(n)) }
	html := func(s string) template.HTML { return template.HTML("<p>" + s + "</p>\n") }
	c := &bulkCommunity{
		members: []bulkMember{
			{"Ava Bauer", "Free", townhall.RoleAdmin, at(-600)}, // the first user of a site is its admin
			{"Ava Bauer", "Pro", townhall.RoleMember, at(-590)}, // same handle: gets -2
			{"Ben Castillo", "", townhall.RoleMember, at(-580)},
			{"Chloé Dubois", "Enterprise", townhall.RoleMember, at(-570)},
			{"Product Team", "", townhall.RoleProduct, at(-560)},
		},
		category: &forum.Category{ID: townhall.IDAt(at(-1000), 1, 1), Slug: "help", Name: "Help", Questions: true, CreatedAt: at(-1000)},
	}
	if users == nil {
		return c
	}
	ava, ava2, ben, chloe, team := users[0], users[1], users[2], users[3], users[4]
	post := func(author string, minutes int, text string) *forum.Post {
		return &forum.Post{ID: id(at(minutes)), AuthorID: author, Source: text, HTML: html(text), CreatedAt: at(minutes)}
	}
	t1 := &forum.Thread{ID: id(at(0)), CategoryID: c.category.ID, Title: "How do I export?", AuthorID: ava, CreatedAt: at(0)}
	p1 := []*forum.Post{post(ava, 0, "Question"), post(ben, 5, "Use reports"), post(ava, 9, "Thanks"), post(chloe, 30, "Me too")}
	t1.AcceptedPostID = p1[1].ID
	t2 := &forum.Thread{ID: id(at(40)), CategoryID: c.category.ID, Title: "Nobody answers this", AuthorID: chloe, CreatedAt: at(40)}
	c.threads = []bulkThread{{t1, p1}, {t2, []*forum.Post{post(chloe, 40, "Hello?")}}}

	i1 := &ideas.Idea{ID: id(at(100)), Title: "Dark mode for reports", Body: "Please", BodyHTML: html("Please"),
		Tags: []string{"reports", "ui"}, AuthorID: ava, CreatedAt: at(100), UpdatedAt: at(100)}
	comment := func(author string, minutes int, isTeam bool) *ideas.Comment {
		return &ideas.Comment{ID: id(at(minutes)), AuthorID: author, Team: isTeam, Body: "+1", BodyHTML: html("+1"), CreatedAt: at(minutes)}
	}
	change := func(from, to ideas.Status, minutes int, response string) *ideas.StatusChange {
		ch := &ideas.StatusChange{ID: id(at(minutes)), From: from, To: to, Response: response, ActorID: team, At: at(minutes)}
		if response != "" {
			ch.ResponseHTML = html(response)
		}
		return ch
	}
	i2 := &ideas.Idea{ID: id(at(200)), Title: "Export invoices as CSV", Tags: []string{}, AuthorID: chloe, CreatedAt: at(200), UpdatedAt: at(200)}
	i3 := &ideas.Idea{ID: id(at(300)), Title: "Sync calendars", Tags: []string{"api"}, AuthorID: ben, CreatedAt: at(300), UpdatedAt: at(300)}
	c.ideas = []bulkIdea{
		{i1, []BulkVote{{ben, at(101)}, {chloe, at(150)}, {ben, at(160)}, {ava2, at(9000)}},
			[]*ideas.Comment{comment(ben, 110, false), comment(team, 120, true)},
			[]*ideas.StatusChange{change(ideas.StatusOpen, ideas.StatusPlanned, 130, "Planned for Q3."),
				change(ideas.StatusPlanned, ideas.StatusInProgress, 140, "")}},
		{i2, []BulkVote{{ava, at(201)}, {ava2, at(202)}, {ben, at(203)}, {team, at(204)}}, nil, nil},
		{i3, nil, []*ideas.Comment{comment(chloe, 301, false)}, []*ideas.StatusChange{change(ideas.StatusOpen, ideas.StatusDeclined, 302, "")}},
	}

	review := func(author string, rating, minutes int, response string) *reviews.Review {
		r := &reviews.Review{ID: id(at(minutes)), AuthorID: author, Rating: rating, Title: "Review", Body: "Text", BodyHTML: html("Text"),
			Verified: author == chloe, CreatedAt: at(minutes), UpdatedAt: at(minutes)}
		if response != "" {
			r.Response = &reviews.Response{AuthorID: team, Body: response, BodyHTML: html(response), CreatedAt: at(minutes + 1), UpdatedAt: at(minutes + 1)}
		}
		return r
	}
	product := func(name string, minutes int) *reviews.Product {
		return &reviews.Product{ID: id(at(minutes)), Name: name, Description: "Desc", DescriptionHTML: html("Desc"), CreatedAt: at(minutes), UpdatedAt: at(minutes)}
	}
	like := func(user string, minutes int) BulkLike {
		return BulkLike{ID: id(at(minutes)), UserID: user, At: at(minutes)}
	}
	// Ben's answer: two likes, one repeated, one by Ben himself (refused);
	// Chloé's late reply a day later; Ben's comment on an idea.
	c.likes = []bulkLikes{
		{loyalty.KindPost, p1[1].ID, ben, []BulkLike{like(chloe, 31), like(ava2, 32), like(chloe, 33), like(ben, 34)}},
		{loyalty.KindPost, p1[3].ID, chloe, []BulkLike{like(ava, 24*60)}},
		{loyalty.KindComment, i1.ID, "", nil}, // placeholder, replaced below
	}
	c.likes[2] = bulkLikes{loyalty.KindComment, c.ideas[0].comments[0].ID, ben, []BulkLike{like(ava, 115), like(team, 116)}}
	c.products = []bulkProduct{
		{product("Acme Helpdesk", 400), []*reviews.Review{review(ava, 5, 401, ""), review(ben, 1, 402, "Sorry!"), review(chloe, 4, 403, "")}},
		{product("Acme Helpdesk", 500), []*reviews.Review{review(ava2, 3, 501, "")}},
		{product("Acme Chat", 600), nil},
	}
	return c
}

// loadThroughStore writes the community with the ordinary Store methods,
// one call per vote, reply and review, in time order within each entity.
func loadThroughStore(t *testing.T, db *DB) []string {
	t.Helper()
	ctx := context.Background()
	segs := bulkSegments(t, db)
	var users []string
	for i, m := range newBulkCommunity(nil).members {
		u, _, err := db.SignIn(ctx, auth.Identity{Provider: "seed", Subject: fmt.Sprint("m", i), Name: m.name,
			Email: auth.Handle(m.name) + "@example.com", Role: m.role}, m.at)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetUserSegment(ctx, u.ID, segs[m.segment]); err != nil {
			t.Fatal(err)
		}
		users = append(users, u.ID)
	}
	c := newBulkCommunity(users)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.SaveForumCategory(ctx, c.category))
	for _, th := range c.threads {
		th.t.LastActivity = th.t.CreatedAt
		th.t.LastPostID = th.posts[0].ID
		must(db.CreateThread(ctx, th.t, th.posts[0]))
		for _, p := range th.posts[1:] {
			p.ThreadID = th.t.ID
			must(db.AddReply(ctx, p))
		}
		if th.t.AcceptedPostID != "" {
			must(db.AcceptAnswer(ctx, th.t.ID, th.t.AcceptedPostID))
		}
	}
	for _, i := range c.ideas {
		i.idea.Status = ideas.StatusOpen
		must(db.CreateIdea(ctx, i.idea, ideas.TitleWords(i.idea.Title)))
		for _, v := range i.votes {
			_, err := db.Vote(ctx, i.idea.ID, v.UserID, v.At)
			must(err)
		}
		for _, cm := range i.comments {
			cm.IdeaID = i.idea.ID
			must(db.AddComment(ctx, cm))
		}
		for _, ch := range i.changes {
			ch.IdeaID = i.idea.ID
			must(db.ChangeStatus(ctx, ch))
		}
	}
	for _, ls := range c.likes {
		for _, l := range ls.likes {
			_, err := db.Like(ctx, &loyalty.Like{ID: l.ID, Kind: ls.kind, TargetID: ls.target, UserID: l.UserID, At: l.At})
			if l.UserID == ls.author {
				if !errors.Is(err, loyalty.ErrOwnContent) {
					t.Fatalf("a like of your own post: %v, want %v", err, loyalty.ErrOwnContent)
				}
				continue
			}
			must(err)
		}
	}
	for _, p := range c.products {
		base := reviews.Slugify(p.p.Name)
		p.p.Slug = base
		for n := 2; db.CreateProduct(ctx, p.p) != nil; n++ {
			p.p.Slug = fmt.Sprintf("%s-%d", base, n)
		}
		for _, r := range p.revs {
			r.ProductID = p.p.ID
			must(db.CreateReview(ctx, r))
			if r.Response != nil {
				must(db.SetResponse(ctx, r.ID, r.Response))
			}
		}
	}
	// The badges the loyalty service's pass would award.
	facts, err := db.BadgeFacts(ctx, loyalty.FactsQuery{Limit: 100})
	must(err)
	for _, f := range facts {
		for _, b := range loyalty.Badges {
			if b.Earned(f, time.Now()) {
				_, err := db.AwardBadge(ctx, &loyalty.Award{ID: townhall.NewID(), UserID: f.UserID, Badge: b.Slug, At: time.Now()})
				must(err)
			}
		}
	}
	return users
}

// loadThroughBulk writes the same community with the bulk loader.
func loadThroughBulk(t *testing.T, db *DB, users []string) {
	t.Helper()
	ctx := context.Background()
	segs := bulkSegments(t, db)
	c := newBulkCommunity(users)
	if err := db.SaveForumCategory(ctx, c.category); err != nil {
		t.Fatal(err)
	}
	b, err := db.BeginBulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Abort()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, m := range c.members {
		u := &townhall.User{ID: users[i], Name: m.name, Email: auth.Handle(m.name) + "@example.com", Role: m.role,
			SegmentID: segs[m.segment], CreatedAt: m.at}
		must(b.AddUser(ctx, u, "seed", fmt.Sprint("m", i)))
	}
	for _, th := range c.threads {
		must(b.AddThread(ctx, th.t, th.posts))
	}
	for _, i := range c.ideas {
		must(b.AddIdea(ctx, i.idea, ideas.TitleWords(i.idea.Title), i.votes, i.comments, i.changes))
	}
	for _, p := range c.products {
		must(b.AddProduct(ctx, p.p, p.revs))
	}
	for _, ls := range c.likes {
		_, err := b.AddLikes(ctx, ls.kind, ls.target, ls.author, ls.likes)
		must(err)
	}
	must(b.Finish(ctx, nil))
}

// bulkSegments creates the three segments with fixed IDs.
func bulkSegments(t *testing.T, db *DB) map[string]string {
	t.Helper()
	ids := map[string]string{"": ""}
	for i, name := range []string{"Free", "Pro", "Enterprise"} {
		s := &townhall.Segment{ID: townhall.IDAt(bulkT0, uint64(i), 0), Name: name, Weight: float64(1 + 4*i), Verified: i == 2}
		if err := db.SaveSegment(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		ids[name] = s.ID
	}
	return ids
}

// bulkDumpTables are compared row for row between the two paths.
var bulkDumpTables = []string{"users", "identities", "segments", "forum_categories", "forum_threads", "forum_posts",
	"forum_follows", "ideas", "idea_votes", "idea_segment_votes", "idea_tags", "idea_tag_counts", "idea_comments",
	"idea_status_changes", "idea_title_words", "products", "reviews", "likes", "like_days", "badge_counts",
	// Ledger entries and awards are dated when they are written (an
	// accepted answer by the store methods now, by the loader when the
	// answer was written), so they compare by everything but their times.
	"reputation_events(key, user_id, points, reason, source_kind, source_id, parent_id, category_id, segment_id)",
	"user_badges(user_id, badge, granted_by)"}

// dump renders every row of table, in primary-key order, as text.
func dump(t *testing.T, db *DB, table string) []string {
	t.Helper()
	cols := "*"
	if name, list, ok := strings.Cut(table, "("); ok {
		table, cols = name, strings.TrimSuffix(list, ")")
	}
	rows, err := db.r.Query(`SELECT ` + cols + ` FROM ` + table + ` ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	names, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, v := range vals {
			fmt.Fprintf(&b, "%s=%v ", names[i], v)
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// schema is the database's schema without where it is stored.
func schema(t *testing.T, db *DB) []string {
	t.Helper()
	s, err := queryAll(context.Background(), db.r, scanString,
		`SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// feedEntities is which entities the change feed names.
func feedEntities(t *testing.T, db *DB) []string {
	t.Helper()
	ids, err := queryAll(context.Background(), db.r, scanString, `SELECT DISTINCT kind || ' ' || entity_id FROM changes ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestBulkLoadEqualsStoreMethods(t *testing.T) {
	ctx := context.Background()
	viaStore, viaBulk := openInternal(t), openInternal(t)
	users := loadThroughStore(t, viaStore)
	loadThroughBulk(t, viaBulk, users)
	for _, table := range bulkDumpTables {
		want, got := dump(t, viaStore, table), dump(t, viaBulk, table)
		if len(want) == 0 {
			t.Errorf("%s: empty, the comparison proves nothing", table)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s differs:\nbulk:\n  %s\nstore methods:\n  %s", table, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
	}
	if got, want := feedEntities(t, viaBulk), feedEntities(t, viaStore); !reflect.DeepEqual(got, want) {
		t.Errorf("change feed names\n%v\nwant\n%v", got, want)
	}
	for name, db := range map[string]*DB{"store methods": viaStore, "bulk": viaBulk} {
		problems, err := db.CheckCounters(ctx, 0)
		if err != nil || len(problems) > 0 {
			t.Errorf("%s: CheckCounters = %v, %v; want consistent", name, problems, err)
		}
	}
	// The loader put the indexes back, and the connection's settings.
	if got, want := schema(t, viaBulk), schema(t, viaStore); !reflect.DeepEqual(got, want) {
		t.Errorf("schema after the bulk load:\n%v\nwant\n%v", got, want)
	}
	var sync int
	viaBulk.w.QueryRow(`PRAGMA synchronous`).Scan(&sync)
	if sync != 1 {
		t.Errorf("synchronous = %d after the bulk load, want 1 (NORMAL)", sync)
	}
}

func TestBulkAbortLeavesNothing(t *testing.T) {
	ctx := context.Background()
	db := openInternal(t)
	before := schema(t, db)
	b, err := db.BeginBulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u := &townhall.User{Name: "Gone Soon"}
	if err := b.AddUser(ctx, u, "seed", "x"); err != nil {
		t.Fatal(err)
	}
	again := &townhall.User{Name: "Gone Soon"}
	if err := b.AddUser(ctx, again, "seed", "x"); err == nil || !strings.Contains(err.Error(), "seeded before") {
		t.Errorf("the same identity twice: %v, want an error saying it was seeded before", err)
	}
	b.Abort()
	if after := schema(t, db); !reflect.DeepEqual(after, before) {
		t.Error("schema changed by an aborted bulk load (indexes not restored?)")
	}
	if got := dump(t, db, "users"); len(got) != 0 {
		t.Errorf("users after abort: %v", got)
	}
	// The writer works normally again.
	if err := db.SetSetting(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
}

func TestCheckCountersFindsEachKindOfDrift(t *testing.T) {
	ctx := context.Background()
	db := openInternal(t)
	loadThroughStore(t, db)
	one := func(q string) string {
		var id string
		if err := db.r.QueryRow(q).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	idea := one(`SELECT id FROM ideas WHERE tags != '' ORDER BY id LIMIT 1`)
	thread := one(`SELECT id FROM forum_threads WHERE posts > 1 LIMIT 1`)
	where := func(col, id string) string { return ` WHERE ` + col + ` = '` + id + `'` }
	for _, c := range []struct{ breaks, repairs, want string }{
		{`UPDATE ideas SET votes = votes + 1` + where("id", idea), `UPDATE ideas SET votes = votes - 1` + where("id", idea), "ideas.votes"},
		{`UPDATE idea_segment_votes SET votes = votes + 1` + where("idea_id", idea), `UPDATE idea_segment_votes SET votes = votes - 1` + where("idea_id", idea), "idea_segment_votes"},
		{`UPDATE ideas SET comments = comments + 1` + where("id", idea), `UPDATE ideas SET comments = comments - 1` + where("id", idea), "ideas.comments"},
		{`UPDATE ideas SET trend = trend * 2` + where("id", idea), `UPDATE ideas SET trend = trend / 2` + where("id", idea), "ideas.trend"},
		{`UPDATE ideas SET status = 'open'` + where("id", idea), `UPDATE ideas SET status = 'in_progress'` + where("id", idea), "ideas.status"},
		{`UPDATE ideas SET responded_at = responded_at + 1` + where("id", idea), `UPDATE ideas SET responded_at = responded_at - 1` + where("id", idea), "responded_at"},
		{`UPDATE idea_tags SET votes = votes + 1` + where("idea_id", idea), `UPDATE idea_tags SET votes = votes - 1` + where("idea_id", idea), "idea_tags rows carry"},
		{`UPDATE idea_tag_counts SET ideas = ideas + 1`, `UPDATE idea_tag_counts SET ideas = ideas - 1`, "idea_tag_counts"},
		{`DELETE FROM idea_title_words WHERE word = 'dark'`, `INSERT INTO idea_title_words(word, idea_id) VALUES('dark', '` + idea + `')`, "idea_title_words"},
		{`UPDATE forum_threads SET replies = replies + 1` + where("id", thread), `UPDATE forum_threads SET replies = replies - 1` + where("id", thread), "forum_threads.posts and replies"},
		{`UPDATE forum_posts SET position = position + 10` + where("thread_id", thread) + ` AND position = 3`,
			`UPDATE forum_posts SET position = position - 10` + where("thread_id", thread) + ` AND position = 13`, "positions"},
		{`UPDATE forum_threads SET last_activity = last_activity + 1` + where("id", thread), `UPDATE forum_threads SET last_activity = last_activity - 1` + where("id", thread), "last_*"},
		{`UPDATE forum_categories SET threads = threads + 1`, `UPDATE forum_categories SET threads = threads - 1`, "forum_categories.threads"},
		{`UPDATE products SET stars5 = stars5 + 1 WHERE rating_count > 0`, `UPDATE products SET stars5 = stars5 - 1 WHERE rating_count > 0`, "rating count"},
		{`UPDATE reviews SET helpful = helpful + 1`, `UPDATE reviews SET helpful = helpful - 1`, "reviews.helpful"},
		{`UPDATE users SET unread = unread + 1`, `UPDATE users SET unread = unread - 1`, "users.unread"},
		{`UPDATE changes SET kind = 'x' WHERE kind = 'post'`, `UPDATE changes SET kind = 'post' WHERE kind = 'x'`, "every post is in the change feed"},
		{`UPDATE forum_posts SET likes = likes + 1 WHERE likes > 0`, `UPDATE forum_posts SET likes = likes - 1 WHERE likes > 1`, "forum_posts.likes"},
		{`UPDATE idea_comments SET likes = likes + 1 WHERE likes > 0`, `UPDATE idea_comments SET likes = likes - 1 WHERE likes > 1`, "idea_comments.likes"},
		{`UPDATE like_days SET likes = likes + 1`, `UPDATE like_days SET likes = likes - 1`, "like_days"},
		{`UPDATE likes SET author_id = (SELECT id FROM users WHERE role = 'product')`, `UPDATE likes SET author_id = COALESCE(
			(SELECT author_id FROM forum_posts p WHERE p.id = likes.target_id), (SELECT author_id FROM idea_comments c WHERE c.id = likes.target_id))`, "likes name"},
		{`UPDATE forum_threads SET accepted_author_id = author_id WHERE accepted_post_id IS NOT NULL`,
			`UPDATE forum_threads SET accepted_author_id = (SELECT author_id FROM forum_posts p WHERE p.id = accepted_post_id) WHERE accepted_post_id IS NOT NULL`,
			"accepted_author_id"},
		{`UPDATE users SET reputation = reputation + 1 WHERE reputation > 0`, `UPDATE users SET reputation = reputation - 1 WHERE reputation > 1`, "their reputation ledger"},
		{`UPDATE forum_threads SET accepted_post_id = NULL, accepted_author_id = NULL` + where("id", thread),
			`UPDATE forum_threads SET accepted_post_id = (SELECT id FROM forum_posts WHERE thread_id = forum_threads.id AND position = 1),
			accepted_author_id = (SELECT author_id FROM forum_posts WHERE thread_id = forum_threads.id AND position = 1)` + where("id", thread),
			"what their facts earn"},
		{`UPDATE reputation_rollups SET points = points + 1 WHERE period = 'all' AND scope = ''`,
			`UPDATE reputation_rollups SET points = points - 1 WHERE period = 'all' AND scope = ''`, "reputation_rollups"},
		{`UPDATE badge_counts SET holders = holders + 1`, `UPDATE badge_counts SET holders = holders - 1`, "badge_counts"},
		{`UPDATE users SET champion = 1 WHERE role = 'product'`, `UPDATE users SET champion = 0 WHERE role = 'product'`, "users.champion"},
		{`UPDATE users SET badge = 'guru' WHERE badge != ''`, `UPDATE users SET badge = (SELECT CASE WHEN EXISTS(SELECT 1 FROM user_badges b WHERE b.user_id = users.id AND b.badge = 'anniversary') THEN 'anniversary' ELSE '' END) WHERE badge = 'guru'`, "users.badge"},
	} {
		if _, err := db.w.Exec(c.breaks); err != nil {
			t.Fatalf("%s: %v", c.breaks, err)
		}
		problems, err := db.CheckCounters(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		// A counter copied elsewhere (idea_tags, last_*) may be reported
		// twice; the one broken must be among them.
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, c.want) }) {
			t.Errorf("after %s: problems = %q, want one about %q", c.breaks, problems, c.want)
		}
		if _, err := db.w.Exec(c.repairs); err != nil {
			t.Fatalf("%s: %v", c.repairs, err)
		}
	}
	if problems, err := db.CheckCounters(ctx, 0); err != nil || len(problems) > 0 {
		t.Errorf("after repairing: %v, %v", problems, err)
	}
}
