package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/insights"
)

func init() {
	// The insights' rollup rows, and the indexes their range scans need:
	// each fact by its creation time, members by join and last-seen time,
	// the lowest ratings by time, and ideas by one segment's votes.
	registerMigrations("insights", 98, `
CREATE TABLE insight_rows (
	key        TEXT PRIMARY KEY,
	data       BLOB NOT NULL,
	updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX forum_threads_created ON forum_threads(created_at);
CREATE INDEX forum_posts_created ON forum_posts(created_at);
CREATE INDEX ideas_created ON ideas(created_at);
CREATE INDEX idea_status_changes_created ON idea_status_changes(created_at);
CREATE INDEX idea_votes_created ON idea_votes(created_at);
CREATE INDEX reviews_created ON reviews(created_at);
CREATE INDEX reviews_low ON reviews(rating, created_at);
CREATE INDEX reviews_product_low ON reviews(product_id, rating, created_at);
CREATE INDEX users_created ON users(created_at);
CREATE INDEX users_seen ON users(last_seen_at);
CREATE INDEX idea_segment_votes_demand ON idea_segment_votes(segment_id, votes DESC, idea_id DESC);`)
}

var _ insights.Store = (*DB)(nil)

// InsightThreads implements insights.Store. The first reply by someone
// else walks the thread's posts in position order.
func (db *DB) InsightThreads(ctx context.Context, from, to time.Time) ([]insights.Thread, error) {
	return queryAll(ctx, db.reader(ctx), func(row scanner) (insights.Thread, error) {
		var t insights.Thread
		var created, first, solved int64
		err := row.Scan(&t.ID, &t.AuthorID, &t.SegmentID, &t.Question, &created, &first, &solved)
		t.CreatedAt, t.FirstReplyAt, t.SolvedAt = fromMS(created), optMS(first), optMS(solved)
		return t, err
	}, `SELECT t.id, t.author_id, COALESCE(u.segment_id, ''), c.questions, t.created_at,
		COALESCE((SELECT p.created_at FROM forum_posts p WHERE p.thread_id = t.id AND p.position > 0 AND p.hidden = 0
			AND p.author_id != t.author_id ORDER BY p.position LIMIT 1), 0),
		COALESCE((SELECT a.created_at FROM forum_posts a WHERE a.id = t.accepted_post_id AND a.hidden = 0), 0)
		FROM forum_threads t JOIN users u ON u.id = t.author_id JOIN forum_categories c ON c.id = t.category_id
		WHERE t.created_at >= ? AND t.created_at < ? AND t.hidden = 0 ORDER BY t.created_at, t.id`, ms(from), ms(to))
}

// optMS reads a stored time where 0 means none.
func optMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromMS(v)
}

// InsightReplies implements insights.Store.
func (db *DB) InsightReplies(ctx context.Context, from, to time.Time) ([]insights.Reply, error) {
	return queryAll(ctx, db.reader(ctx), func(row scanner) (insights.Reply, error) {
		var p insights.Reply
		var created int64
		err := row.Scan(&p.ID, &p.ThreadID, &p.AuthorID, &p.SegmentID, &p.Accepted, &created)
		p.CreatedAt = fromMS(created)
		return p, err
	}, `SELECT p.id, p.thread_id, p.author_id, COALESCE(u.segment_id, ''), COALESCE(t.accepted_post_id = p.id, 0), p.created_at
		FROM forum_posts p JOIN forum_threads t ON t.id = p.thread_id JOIN users u ON u.id = p.author_id
		WHERE p.created_at >= ? AND p.created_at < ? AND p.position > 0 AND p.hidden = 0 AND t.hidden = 0
		ORDER BY p.created_at, p.id`, ms(from), ms(to))
}

// InsightIdeas implements insights.Store.
func (db *DB) InsightIdeas(ctx context.Context, from, to time.Time) ([]insights.Idea, error) {
	return queryAll(ctx, db.reader(ctx), func(row scanner) (insights.Idea, error) {
		var i insights.Idea
		var created, responded int64
		var entered string
		err := row.Scan(&i.ID, &i.AuthorID, &i.SegmentID, &i.Status, &created, &responded, &entered)
		i.CreatedAt, i.RespondedAt = fromMS(created), optMS(responded)
		if entered != "" {
			for _, s := range strings.Split(entered, ",") {
				i.Entered = append(i.Entered, ideas.Status(s))
			}
		}
		return i, err
	}, `SELECT i.id, i.author_id, COALESCE(u.segment_id, ''), i.status, i.created_at, COALESCE(i.responded_at, 0),
		COALESCE((SELECT group_concat(h.to_status) FROM (SELECT to_status FROM idea_status_changes
			WHERE idea_id = i.id ORDER BY created_at, id) h), '')
		FROM ideas i JOIN users u ON u.id = i.author_id
		WHERE i.created_at >= ? AND i.created_at < ? AND i.merged_into IS NULL AND i.hidden_at IS NULL
		ORDER BY i.created_at, i.id`, ms(from), ms(to))
}

// InsightStatusChanges implements insights.Store.
func (db *DB) InsightStatusChanges(ctx context.Context, from, to time.Time) ([]insights.StatusChange, error) {
	return queryAll(ctx, db.reader(ctx), func(row scanner) (insights.StatusChange, error) {
		var c insights.StatusChange
		var at, since int64
		err := row.Scan(&c.IdeaID, &c.Title, &c.SegmentID, &c.From, &c.To, &at, &since, &c.Status, &c.Votes)
		c.At, c.Since = fromMS(at), fromMS(since)
		return c, err
	}, `SELECT h.idea_id, i.title, COALESCE(u.segment_id, ''), h.from_status, h.to_status, h.created_at,
		COALESCE((SELECT p.created_at FROM idea_status_changes p WHERE p.idea_id = h.idea_id
			AND (p.created_at < h.created_at OR p.created_at = h.created_at AND p.id < h.id)
			ORDER BY p.created_at DESC, p.id DESC LIMIT 1), i.created_at),
		i.status, i.votes
		FROM idea_status_changes h JOIN ideas i ON i.id = h.idea_id JOIN users u ON u.id = i.author_id
		WHERE h.created_at >= ? AND h.created_at < ? AND i.merged_into IS NULL AND i.hidden_at IS NULL
		ORDER BY h.created_at, h.id`, ms(from), ms(to))
}

// InsightVotes implements insights.Store.
func (db *DB) InsightVotes(ctx context.Context, from, to time.Time) ([]insights.Vote, error) {
	return queryAll(ctx, db.reader(ctx), func(row scanner) (insights.Vote, error) {
		var v insights.Vote
		var at int64
		err := row.Scan(&v.SegmentID, &at)
		v.CreatedAt = fromMS(at)
		return v, err
	}, `SELECT v.segment_id, v.created_at FROM idea_votes v JOIN ideas i ON i.id = v.idea_id
		WHERE v.created_at >= ? AND v.created_at < ? AND i.merged_into IS NULL AND i.hidden_at IS NULL`, ms(from), ms(to))
}

// countBySegment runs a query of (segment, count) rows.
func (db *DB) countBySegment(ctx context.Context, query string, args ...any) (map[string]int, error) {
	type pair struct {
		seg string
		n   int
	}
	pairs, err := queryAll(ctx, db.reader(ctx), func(row scanner) (pair, error) {
		var p pair
		err := row.Scan(&p.seg, &p.n)
		return p, err
	}, query, args...)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(pairs))
	for _, p := range pairs {
		out[p.seg] += p.n
	}
	return out, nil
}

const insightReviewCols = `r.id, r.product_id, p.name, p.slug, r.author_id, COALESCE(u.segment_id, ''), r.rating, r.created_at,
	COALESCE(r.response_created_at, 0)`

func scanInsightReview(row scanner, extra ...any) (insights.Review, error) {
	var r insights.Review
	var created, responded int64
	err := row.Scan(append([]any{&r.ID, &r.ProductID, &r.ProductName, &r.ProductSlug, &r.AuthorID, &r.SegmentID, &r.Rating,
		&created, &responded}, extra...)...)
	r.CreatedAt, r.RespondedAt = fromMS(created), optMS(responded)
	return r, err
}

// InsightReviews implements insights.Store.
func (db *DB) InsightReviews(ctx context.Context, from, to time.Time) ([]insights.Review, error) {
	return queryAll(ctx, db.reader(ctx), func(row scanner) (insights.Review, error) { return scanInsightReview(row) },
		`SELECT `+insightReviewCols+` FROM reviews r JOIN products p ON p.id = r.product_id JOIN users u ON u.id = r.author_id
		WHERE r.created_at >= ? AND r.created_at < ? ORDER BY r.created_at, r.id`, ms(from), ms(to))
}

// InsightLowestReviews implements insights.Store: one walk of the (rating,
// time) index per rating, lowest first, until the list is full.
func (db *DB) InsightLowestReviews(ctx context.Context, since time.Time, productID string, limit int) ([]insights.LowReview, error) {
	var out []insights.LowReview
	for rating := 1; rating <= 5 && len(out) < limit; rating++ {
		where, args := `r.rating = ? AND r.created_at >= ?`, []any{rating, ms(since)}
		if productID != "" {
			where, args = `r.product_id = ? AND `+where, append([]any{productID}, args...)
		}
		page, err := queryAll(ctx, db.reader(ctx), func(row scanner) (insights.LowReview, error) {
			var l insights.LowReview
			var err error
			l.Review, err = scanInsightReview(row, &l.Title, &l.AuthorName)
			return l, err
		}, `SELECT `+insightReviewCols+`, r.title, u.name FROM reviews r JOIN products p ON p.id = r.product_id
			JOIN users u ON u.id = r.author_id WHERE `+where+` ORDER BY r.created_at DESC, r.id DESC LIMIT ?`,
			append(args, limit-len(out))...)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
	}
	return out, nil
}

// InsightNewMembers implements insights.Store.
func (db *DB) InsightNewMembers(ctx context.Context, from, to time.Time) ([]insights.Member, error) {
	return queryAll(ctx, db.reader(ctx), func(row scanner) (insights.Member, error) {
		var m insights.Member
		var at int64
		err := row.Scan(&m.ID, &m.SegmentID, &at)
		m.CreatedAt = fromMS(at)
		return m, err
	}, `SELECT id, COALESCE(segment_id, ''), created_at FROM users WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id`, ms(from), ms(to))
}

// InsightMembers implements insights.Store.
func (db *DB) InsightMembers(ctx context.Context) (map[string]int, error) {
	return db.countBySegment(ctx, `SELECT COALESCE(segment_id, ''), COUNT(*) FROM users GROUP BY 1`)
}

// InsightSeenSince implements insights.Store.
func (db *DB) InsightSeenSince(ctx context.Context, since time.Time) (map[string]int, error) {
	return db.countBySegment(ctx, `SELECT COALESCE(segment_id, ''), COUNT(*) FROM users WHERE last_seen_at >= ? GROUP BY 1`,
		max(ms(since), 1))
}

// InsightVisits implements insights.Store, streaming the (day, user) key.
func (db *DB) InsightVisits(ctx context.Context, fromDay, toDay string, fn func(insights.Visit) error) error {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT v.day, v.user_id, COALESCE(u.segment_id, '')
		FROM visits v JOIN users u ON u.id = v.user_id WHERE v.day >= ? AND v.day <= ? ORDER BY v.day`, fromDay, toDay)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v insights.Visit
		if err := rows.Scan(&v.Day, &v.UserID, &v.SegmentID); err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// InsightCohort implements insights.Store: the cohort by join time, each
// member probed in the visits by (user, day).
func (db *DB) InsightCohort(ctx context.Context, from, to time.Time, fromDay, toDay string) (joined, active int, err error) {
	if fromDay == "" {
		err = db.reader(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE created_at >= ? AND created_at < ?`,
			ms(from), ms(to)).Scan(&joined)
		return joined, 0, err
	}
	err = db.reader(ctx).QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(EXISTS(SELECT 1 FROM visits v
		WHERE v.user_id = u.id AND v.day >= ? AND v.day <= ?)), 0) FROM users u WHERE u.created_at >= ? AND u.created_at < ?`,
		fromDay, toDay, ms(from), ms(to)).Scan(&joined, &active)
	return joined, active, err
}

// InsightTopDemand implements insights.Store: one walk per segment of the
// (segment, votes) index, skipping ideas no longer in play.
func (db *DB) InsightTopDemand(ctx context.Context, limit int) (map[string][]insights.DemandIdea, error) {
	segs, err := queryAll(ctx, db.reader(ctx), scanString, `SELECT id FROM segments`)
	if err != nil {
		return nil, err
	}
	out := map[string][]insights.DemandIdea{}
	for _, seg := range append(segs, "") {
		list, err := queryAll(ctx, db.reader(ctx), func(row scanner) (insights.DemandIdea, error) {
			var d insights.DemandIdea
			err := row.Scan(&d.ID, &d.Title, &d.Status, &d.Votes, &d.TotalVotes)
			return d, err
		}, `SELECT i.id, i.title, i.status, s.votes, i.votes FROM idea_segment_votes s JOIN ideas i ON i.id = s.idea_id
			WHERE s.segment_id = ? AND i.merged_into IS NULL AND i.hidden_at IS NULL AND i.status NOT IN (?, ?)
			ORDER BY s.votes DESC, s.idea_id DESC LIMIT ?`, seg, ideas.StatusDone, ideas.StatusDeclined, limit)
		if err != nil {
			return nil, err
		}
		if len(list) > 0 {
			out[seg] = list
		}
	}
	return out, nil
}

// PutInsightRows implements insights.Store.
func (db *DB) PutInsightRows(ctx context.Context, rows []insights.Row) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO insight_rows(key, data, updated_at) VALUES(?, ?, ?)
				ON CONFLICT(key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`, r.Key, r.Data, ms(r.UpdatedAt)); err != nil {
				return err
			}
		}
		return nil
	})
}

// InsightRows implements insights.Store.
func (db *DB) InsightRows(ctx context.Context, from, to string) ([]insights.Row, error) {
	return queryAll(ctx, db.reader(ctx), func(row scanner) (insights.Row, error) {
		var r insights.Row
		var at int64
		err := row.Scan(&r.Key, &r.Data, &at)
		r.UpdatedAt = fromMS(at)
		return r, err
	}, `SELECT key, data, updated_at FROM insight_rows WHERE key >= ? AND key <= ? ORDER BY key`, from, to)
}
