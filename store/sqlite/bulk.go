package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/loyalty"
	"github.com/townhall/townhall/reviews"
)

// bulkTables are the tables whose secondary indexes a Bulk drops while it
// loads and recreates (sorted in one pass each) before it commits.
var bulkTables = []string{"users", "forum_threads", "forum_posts", "ideas", "idea_tags", "idea_votes",
	"idea_comments", "idea_status_changes", "idea_title_words", "products", "reviews", "likes", "reputation_events"}

// Bulk loads a generated community (townhall seed --scale) in one
// transaction, writing every row once with its counters already final
// instead of running one Store method per vote or reply. It is for loading,
// not for live use: while it runs it holds the only writer connection, so
// other writes wait until Finish or Abort.
//
// Each Add method takes a whole aggregate (a thread with its posts, an idea
// with its votes, comments and status changes, a product with its reviews)
// and computes what the Store methods would have: positions, reply counts,
// last-post fields, vote and comment counts, the trend score (folded with
// ideas.TrendAdd in vote order, exactly as CreateIdea and Vote do),
// per-segment vote counts, tag rows, rating sums and histograms. Counters
// that span aggregates (threads per category, ideas per tag) are recomputed
// from their rows by Finish. Every entity gets one change-feed entry, so the
// search indexer (or townhall reindex) indexes all of it. No notifications
// are written: a generated history has nobody to tell.
//
// Secondary indexes are dropped at the start and rebuilt at the end, and the
// connection runs with synchronous=OFF until Finish. A failure (or Abort)
// rolls everything back, indexes included. The page cache stays at its
// usual size: a 256 MiB cache made the 100k seed take 27% more CPU (the
// driver's allocator returns each freed page to the OS) and 2.6× the memory.
type Bulk struct {
	db       *DB
	tx       *sql.Tx
	indexes  []string          // CREATE INDEX statements to run again in Finish
	handles  map[string]bool   // taken user handles
	slugs    map[string]bool   // taken product slugs
	segments map[string]string // user id → segment id ("" for none)
	// before is each fed table's largest rowid when the load began: the
	// rows after it are the load's, and Finish feeds them in one statement.
	before map[string]int64
	done   bool
}

// fedTables are the tables whose new rows get a change-feed entry, by kind.
var fedTables = []struct{ table, kind string }{
	{"forum_threads", townhall.KindThread}, {"forum_posts", townhall.KindPost},
	{"ideas", townhall.KindIdea}, {"reviews", townhall.KindReview},
}

func fedTableNames() []string {
	names := make([]string, len(fedTables))
	for i, f := range fedTables {
		names[i] = f.table
	}
	return names
}

// BeginBulk starts a bulk load.
func (db *DB) BeginBulk(ctx context.Context) (*Bulk, error) {
	if _, ok := ctx.Value(batchKey{}).(*batch); ok {
		return nil, fmt.Errorf("bulk load inside a Batch")
	}
	if _, err := db.w.ExecContext(ctx, `PRAGMA synchronous = OFF`); err != nil {
		return nil, err
	}
	b := &Bulk{db: db, handles: map[string]bool{}, slugs: map[string]bool{}, segments: map[string]string{}}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		b.restore()
		return nil, fmt.Errorf("begin: %w", err)
	}
	b.tx = tx
	b.before = map[string]int64{}
	for _, table := range append(fedTableNames(), "likes", "reputation_events") {
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(rowid), 0) FROM `+table).Scan(&n); err != nil {
			b.Abort()
			return nil, err
		}
		b.before[table] = n
	}
	if err := b.dropIndexes(ctx); err != nil {
		b.Abort()
		return nil, err
	}
	return b, nil
}

// dropIndexes drops the loaded tables' secondary indexes, remembering how
// to create them again. Indexes behind PRIMARY KEY and UNIQUE constraints
// have no SQL of their own and stay.
func (b *Bulk) dropIndexes(ctx context.Context) error {
	type index struct{ name, sql string }
	all, err := queryAll(ctx, b.tx, func(row scanner) (index, error) {
		var i index
		err := row.Scan(&i.name, &i.sql)
		return i, err
	}, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
		AND tbl_name IN ('`+strings.Join(bulkTables, "', '")+`') ORDER BY name`)
	if err != nil {
		return err
	}
	for _, i := range all {
		if _, err := b.tx.ExecContext(ctx, `DROP INDEX `+i.name); err != nil {
			return fmt.Errorf("drop index %s: %w", i.name, err)
		}
		b.indexes = append(b.indexes, i.sql)
	}
	return nil
}

// restore puts the connection's settings back to those of Open.
func (b *Bulk) restore() {
	b.db.w.ExecContext(context.Background(), `PRAGMA synchronous = NORMAL`)
}

// Abort rolls the whole load back; after Finish it does nothing.
func (b *Bulk) Abort() {
	if b.done {
		return
	}
	b.done = true
	b.tx.Rollback()
	b.restore()
}

func (b *Bulk) exec(ctx context.Context, query string, args ...any) error {
	_, err := b.tx.ExecContext(ctx, query, args...)
	return err
}

// AddUser creates a user signed in through identity provider/subject, with
// a free handle derived from the name as SignIn picks it, role u.Role
// (member when empty), segment u.SegmentID and the user's own verified
// flag u.Verified. It sets u.ID (when empty) and u.Handle.
func (b *Bulk) AddUser(ctx context.Context, u *townhall.User, provider, subject string) error {
	if len(b.handles) == 0 {
		taken, err := queryAll(ctx, b.tx, scanString, `SELECT handle FROM users`)
		if err != nil {
			return err
		}
		for _, h := range taken {
			b.handles[h] = true
		}
	}
	u.Handle = auth.FreeHandle(auth.Handle(u.Name), b.handles)
	b.handles[u.Handle] = true
	if u.ID == "" {
		u.ID = townhall.NewID()
	}
	if u.Role == "" {
		u.Role = townhall.RoleMember
	}
	if err := b.exec(ctx, `INSERT INTO users(id, handle, name, email, avatar_url, role, segment_id, verified, created_at)
		VALUES(?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?, ?)`, u.ID, u.Handle, u.Name, u.Email, u.AvatarURL, u.Role, u.SegmentID,
		boolInt(u.Verified), ms(u.CreatedAt)); err != nil {
		return err
	}
	b.segments[u.ID] = u.SegmentID
	err := b.exec(ctx, `INSERT INTO identities(provider, subject, user_id) VALUES(?, ?, ?)`, provider, subject, u.ID)
	if isUnique(err) {
		return fmt.Errorf("a user signed in as %s/%s exists already (was this data directory seeded before? use a new one)", provider, subject)
	}
	return err
}

// segmentOf is a voter's current segment, as Vote records it.
func (b *Bulk) segmentOf(ctx context.Context, userID string) (string, error) {
	if s, ok := b.segments[userID]; ok {
		return s, nil
	}
	var s string
	if err := b.tx.QueryRowContext(ctx, `SELECT COALESCE(segment_id, '') FROM users WHERE id = ?`, userID).Scan(&s); err != nil {
		return "", notFound(err, auth.ErrUserNotFound)
	}
	b.segments[userID] = s
	return s, nil
}

// AddThread adds a thread with its posts in order: posts[0] is the opening
// post, the rest are replies. Positions, counters, last-post fields and
// follows are derived from them as CreateThread and AddReply would;
// t.AcceptedPostID, when set, must be one of the replies.
func (b *Bulk) AddThread(ctx context.Context, t *forum.Thread, posts []*forum.Post) error {
	if len(posts) == 0 {
		return fmt.Errorf("thread %s has no posts", t.ID)
	}
	last := posts[len(posts)-1]
	t.Posts, t.Replies = len(posts), len(posts)-1
	t.LastPostID, t.LastPosterID, t.LastActivity = last.ID, last.AuthorID, last.CreatedAt
	if t.AcceptedPostID != "" && (t.AcceptedPostID == posts[0].ID || !hasPost(posts, t.AcceptedPostID)) {
		return fmt.Errorf("thread %s: the accepted answer must be one of its replies", t.ID)
	}
	// An accepted answer is the thread's first acceptance, credited to
	// its author (unless they asked) as of when they wrote it.
	var accepted *forum.Post
	for _, p := range posts {
		if p.ID == t.AcceptedPostID {
			accepted = p
		}
	}
	accepts, answerer := 0, ""
	if accepted != nil {
		accepts, answerer = 1, accepted.AuthorID
	}
	if err := b.exec(ctx, `INSERT INTO forum_threads(id, category_id, title, author_id, posts, replies,
		last_post_id, last_poster_id, last_activity, accepted_post_id, created_at, accepts, accepted_author_id)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?, ?, NULLIF(?, ''))`,
		t.ID, t.CategoryID, t.Title, t.AuthorID, t.Posts, t.Replies, t.LastPostID, t.LastPosterID, ms(t.LastActivity),
		t.AcceptedPostID, ms(t.CreatedAt), accepts, answerer); err != nil {
		return err
	}
	for i, p := range posts {
		p.ThreadID, p.Position = t.ID, i
		if err := insertPost(ctx, b.tx, p); err != nil {
			return err
		}
	}
	if accepted != nil && answerer != t.AuthorID {
		return b.entry(ctx, accepted.CreatedAt, loyalty.Accepted(loyalty.AcceptanceID(t.ID, 1), answerer, accepted.ID, t.ID, t.CategoryID, false))
	}
	return nil
}

func hasPost(posts []*forum.Post, id string) bool {
	for _, p := range posts {
		if p.ID == id {
			return true
		}
	}
	return false
}

// BulkVote is one vote for an idea.
type BulkVote struct {
	UserID string
	At     time.Time
}

// AddIdea adds an open idea proposed at idea.CreatedAt (the author's own
// vote counted then, as CreateIdea does), then the votes in the order
// given, the comments, and the status changes in order. The idea's
// counters, trend, status, response and responded-at time end up as those
// Store methods would leave them; duplicate voters are ignored like a
// repeated Vote. words are the title's words (ideas.TitleWords).
func (b *Bulk) AddIdea(ctx context.Context, idea *ideas.Idea, words []string, votes []BulkVote, comments []*ideas.Comment, changes []*ideas.StatusChange) error {
	authorSeg, err := b.segmentOf(ctx, idea.AuthorID)
	if err != nil {
		return err
	}
	idea.Status = ideas.StatusOpen
	idea.Votes, idea.Comments = 1, len(comments)
	idea.Trend = ideas.TrendAdd(0, ideas.TrendExponent(idea.CreatedAt))
	perSegment := map[string]int{authorSeg: 1}
	voted := map[string]bool{idea.AuthorID: true}
	type voteRow struct {
		user, seg string
		at        int64
	}
	rows := []voteRow{{idea.AuthorID, authorSeg, ms(idea.CreatedAt)}}
	for _, v := range votes {
		if voted[v.UserID] {
			continue
		}
		voted[v.UserID] = true
		seg, err := b.segmentOf(ctx, v.UserID)
		if err != nil {
			return err
		}
		rows = append(rows, voteRow{v.UserID, seg, ms(v.At)})
		idea.Votes++
		idea.Trend = ideas.TrendAdd(idea.Trend, ideas.TrendExponent(v.At))
		perSegment[seg]++
	}
	var statusAt, respondedAt, responseAt, shippedAt sql.NullInt64
	var respBody, respHTML string
	var respAuthor sql.NullString
	earliest := func(at int64) {
		if !respondedAt.Valid || at < respondedAt.Int64 {
			respondedAt = sql.NullInt64{Int64: at, Valid: true}
		}
	}
	from := idea.Status
	for _, ch := range changes {
		ch.IdeaID, ch.From = idea.ID, from
		from = ch.To
		at := ms(ch.At)
		statusAt = sql.NullInt64{Int64: at, Valid: true}
		earliest(at)
		switch { // as markShipped keeps it
		case ch.To == ideas.StatusDone && ch.From != ideas.StatusDone:
			shippedAt = sql.NullInt64{Int64: at, Valid: true}
		case ch.To != ideas.StatusDone:
			shippedAt = sql.NullInt64{}
		}
		if ch.Response != "" {
			respBody, respHTML, respAuthor = ch.Response, string(ch.ResponseHTML), sql.NullString{String: ch.ActorID, Valid: true}
			responseAt = sql.NullInt64{Int64: at, Valid: true}
		}
	}
	idea.Status = from
	for _, c := range comments {
		if c.Team {
			earliest(ms(c.CreatedAt))
		}
	}
	if err := b.exec(ctx, `INSERT INTO ideas(id, author_id, title, body, body_html, tags, status, votes, comments, trend,
		response_body, response_html, response_author_id, response_at, status_at, responded_at, created_at, updated_at, shipped_at)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		idea.ID, idea.AuthorID, idea.Title, idea.Body, string(idea.BodyHTML), strings.Join(idea.Tags, ","), idea.Status,
		idea.Votes, idea.Comments, idea.Trend, respBody, respHTML, respAuthor, responseAt, statusAt, respondedAt,
		ms(idea.CreatedAt), ms(idea.UpdatedAt), shippedAt); err != nil {
		return err
	}
	for _, v := range rows {
		if err := b.exec(ctx, `INSERT INTO idea_votes(idea_id, user_id, segment_id, created_at) VALUES(?, ?, ?, ?)`,
			idea.ID, v.user, v.seg, v.at); err != nil {
			return err
		}
	}
	for seg, n := range perSegment {
		if err := b.exec(ctx, `INSERT INTO idea_segment_votes(idea_id, segment_id, votes) VALUES(?, ?, ?)`, idea.ID, seg, n); err != nil {
			return err
		}
	}
	for _, t := range idea.Tags {
		if err := b.exec(ctx, `INSERT INTO idea_tags(idea_id, tag, status, votes, trend) VALUES(?, ?, ?, ?, ?)`,
			idea.ID, t, idea.Status, idea.Votes, idea.Trend); err != nil {
			return err
		}
	}
	for _, w := range words {
		if err := b.exec(ctx, `INSERT OR IGNORE INTO idea_title_words(word, idea_id) VALUES(?, ?)`, w, idea.ID); err != nil {
			return err
		}
	}
	for _, c := range comments {
		c.IdeaID = idea.ID
		if err := b.exec(ctx, `INSERT INTO idea_comments(id, idea_id, author_id, team, body, body_html, created_at)
			VALUES(?, ?, ?, ?, ?, ?, ?)`, c.ID, c.IdeaID, c.AuthorID, boolInt(c.Team), c.Body, string(c.BodyHTML), ms(c.CreatedAt)); err != nil {
			return err
		}
	}
	for _, ch := range changes {
		for _, e := range loyalty.StatusEntries(ch.ID, idea.ID, idea.AuthorID, ch.From, ch.To) {
			if err := b.entry(ctx, ch.At, e); err != nil {
				return err
			}
		}
		if err := b.exec(ctx, `INSERT INTO idea_status_changes(id, idea_id, from_status, to_status, reason, response, response_html, actor_id, created_at)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`, ch.ID, ch.IdeaID, ch.From, ch.To, ch.Reason, ch.Response, string(ch.ResponseHTML),
			ch.ActorID, ms(ch.At)); err != nil {
			return err
		}
	}
	return nil
}

// AddProduct adds a product with its reviews (and their responses). A
// product without a slug gets one derived from its name, numbered when
// taken, as the reviews service derives it; the rating count, sum and
// histogram are computed from the reviews.
func (b *Bulk) AddProduct(ctx context.Context, p *reviews.Product, revs []*reviews.Review) error {
	if len(b.slugs) == 0 {
		taken, err := queryAll(ctx, b.tx, scanString, `SELECT slug FROM products`)
		if err != nil {
			return err
		}
		b.slugs[""] = true
		for _, s := range taken {
			b.slugs[s] = true
		}
	}
	if p.Slug == "" {
		base := reviews.Slugify(p.Name)
		p.Slug = base
		for i := 2; b.slugs[p.Slug]; i++ {
			suffix := fmt.Sprintf("-%d", i)
			p.Slug = strings.TrimRight(base[:min(len(base), reviews.MaxSlug-len(suffix))], "-") + suffix
		}
	}
	b.slugs[p.Slug] = true
	p.Rating = reviews.Rating{}
	for _, r := range revs {
		if r.Rating < 1 || r.Rating > 5 {
			return fmt.Errorf("rating %d out of range", r.Rating)
		}
		p.Rating.Count++
		p.Rating.Sum += r.Rating
		p.Rating.Histogram[r.Rating-1]++
	}
	h := p.Rating.Histogram
	if err := b.exec(ctx, `INSERT INTO products(id, slug, name, description, description_html, image_url, archived,
		rating_count, rating_sum, stars1, stars2, stars3, stars4, stars5, created_at, updated_at)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, p.Slug, p.Name, p.Description, string(p.DescriptionHTML),
		p.ImageURL, boolInt(p.Archived), p.Rating.Count, p.Rating.Sum, h[0], h[1], h[2], h[3], h[4],
		ms(p.CreatedAt), ms(p.UpdatedAt)); err != nil {
		return err
	}
	for _, r := range revs {
		r.ProductID = p.ID
		var respAuthor sql.NullString
		var respCreated, respUpdated sql.NullInt64
		var respBody, respHTML string
		if x := r.Response; x != nil {
			respAuthor = sql.NullString{String: x.AuthorID, Valid: true}
			respBody, respHTML = x.Body, string(x.BodyHTML)
			respCreated = sql.NullInt64{Int64: ms(x.CreatedAt), Valid: true}
			respUpdated = sql.NullInt64{Int64: ms(x.UpdatedAt), Valid: true}
		}
		if err := b.exec(ctx, `INSERT INTO reviews(id, product_id, author_id, rating, title, body, body_html, verified,
			response_author_id, response_body, response_html, response_created_at, response_updated_at, created_at, updated_at)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.ProductID, r.AuthorID, r.Rating, r.Title, r.Body,
			string(r.BodyHTML), boolInt(r.Verified), respAuthor, respBody, respHTML, respCreated, respUpdated,
			ms(r.CreatedAt), ms(r.UpdatedAt)); err != nil {
			if isUnique(err) {
				return fmt.Errorf("product %s: two reviews by user %s", p.Name, r.AuthorID)
			}
			return err
		}
	}
	return nil
}

// BulkVisit is a day a member visited ("2006-01-02" in the site's zone)
// and the time of that day's first request.
type BulkVisit struct {
	Day string
	At  time.Time
}

// AddVisits records a member's visits, oldest first, and sets their visit
// counters as RecordVisit would: the days visited, and the newest visit.
// A day given twice counts once.
func (b *Bulk) AddVisits(ctx context.Context, userID string, visits []BulkVisit) error {
	var last int64
	for _, v := range visits {
		res, err := b.tx.ExecContext(ctx, `INSERT INTO visits(day, user_id, at) VALUES(?, ?, ?) ON CONFLICT DO NOTHING`, v.Day, userID, ms(v.At))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		if err := b.exec(ctx, `UPDATE users SET days_visited = days_visited + 1 WHERE id = ?`, userID); err != nil {
			return err
		}
		last = max(last, ms(v.At))
	}
	return b.exec(ctx, `UPDATE users SET last_seen_at = MAX(last_seen_at, ?) WHERE id = ?`, last, userID)
}

// Finish recomputes the counters that span aggregates, rebuilds the
// dropped indexes, commits, and checkpoints the write-ahead log so the
// database file is complete. step, when not nil, is told what it is doing.
func (b *Bulk) Finish(ctx context.Context, step func(what string, done, total int)) error {
	if b.done {
		return fmt.Errorf("bulk load already finished")
	}
	if step == nil {
		step = func(string, int, int) {}
	}
	ok := false
	defer func() {
		if !ok {
			b.Abort()
		}
	}()
	// Every poster follows the thread, as CreateThread and AddReply make
	// them; then one feed entry per new entity, stamped with its creation.
	step("follows", 0, 1)
	if err := b.exec(ctx, `INSERT OR IGNORE INTO forum_follows(thread_id, user_id)
		SELECT thread_id, author_id FROM forum_posts WHERE rowid > ?`, b.before["forum_posts"]); err != nil {
		return fmt.Errorf("follows: %w", err)
	}
	for i, f := range fedTables {
		step("feed", i, len(fedTables))
		if err := b.exec(ctx, `INSERT INTO changes(kind, entity_id, at) SELECT ?, id, created_at FROM `+f.table+`
			WHERE rowid > ? ORDER BY rowid`, f.kind, b.before[f.table]); err != nil {
			return fmt.Errorf("change feed: %w", err)
		}
	}
	step("reputation", 0, 1)
	if err := b.finishLedger(ctx); err != nil {
		return err
	}
	step("counters", 0, 1)
	for _, q := range []string{
		`UPDATE forum_categories SET threads = (SELECT COUNT(*) FROM forum_threads t WHERE t.category_id = forum_categories.id)`,
		`DELETE FROM idea_tag_counts`,
		`INSERT INTO idea_tag_counts(tag, ideas) SELECT tag, COUNT(*) FROM idea_tags GROUP BY tag`,
	} {
		if err := b.exec(ctx, q); err != nil {
			return fmt.Errorf("counters: %w", err)
		}
	}
	for i, q := range b.indexes {
		step("indexes", i, len(b.indexes))
		if err := b.exec(ctx, q); err != nil {
			return fmt.Errorf("recreate index: %w", err)
		}
	}
	step("badges", 0, 1)
	if err := b.finishBadges(ctx, b.db.now()); err != nil {
		return fmt.Errorf("badges: %w", err)
	}
	step("commit", 0, 1)
	if err := b.tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	b.done, ok = true, true
	b.restore()
	step("checkpoint", 0, 1)
	if _, err := b.db.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}
