package sqlite

import (
	"context"
	"database/sql"
	"html/template"

	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/loyalty"
)

// beforeAll stands for "no cursor" in newest-first listings: it sorts
// after every ID (IDs are lowercase letters and digits).
const beforeAll = "~"

func cursorOr(after string) string {
	if after == "" {
		return beforeAll
	}
	return after
}

// Profile implements loyalty.Store.
func (db *DB) Profile(ctx context.Context, userID string) (*loyalty.Profile, error) {
	var p loyalty.Profile
	var html string
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT bio, bio_html, name_chosen, badge_chosen FROM users WHERE id = ?`, userID).
		Scan(&p.Bio, &html, &p.NameChosen, &p.BadgeChosen)
	if err != nil {
		return nil, notFound(err, loyalty.ErrUserNotFound)
	}
	p.BioHTML = template.HTML(html) // sanitized by markdown.Render when written
	return &p, nil
}

// SaveProfile implements loyalty.Store. A name that differs from the one
// stored marks it chosen, so the next sign-in keeps it.
func (db *DB) SaveProfile(ctx context.Context, userID, name string, p *loyalty.Profile) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, loyalty.ErrUserNotFound, `UPDATE users SET name_chosen = name_chosen OR name != ?, name = ?,
			bio = ?, bio_html = ? WHERE id = ?`, name, name, p.Bio, string(p.BioHTML), userID)
	})
}

// activityQueries select each profile tab: the person's visible content,
// newest first, each an index range (see the loyalty migration). Every
// query selects id, title, source, parent, slug, position, count, status
// and time, in that order.
var activityQueries = map[string]string{
	loyalty.TabThreads: `SELECT t.id, t.title, p.source, '', '', 0, t.replies, '', t.created_at
		FROM forum_threads t JOIN forum_posts p ON p.thread_id = t.id AND p.position = 0
		WHERE t.author_id = ? AND t.hidden = 0 AND t.id < ? ORDER BY t.id DESC LIMIT ?`,
	loyalty.TabReplies: `SELECT p.id, t.title, p.source, p.thread_id, '', p.position, p.likes, '', p.created_at
		FROM forum_posts p JOIN forum_threads t ON t.id = p.thread_id
		WHERE p.author_id = ? AND p.position > 0 AND p.hidden = 0 AND t.hidden = 0 AND p.id < ? ORDER BY p.id DESC LIMIT ?`,
	loyalty.TabAnswers: `SELECT p.id, t.title, p.source, t.id, '', p.position, p.likes, '', p.created_at
		FROM forum_threads t JOIN forum_posts p ON p.id = t.accepted_post_id
		WHERE t.accepted_author_id = ? AND t.accepted_post_id IS NOT NULL AND t.hidden = 0 AND t.accepted_post_id < ?
		ORDER BY t.accepted_post_id DESC LIMIT ?`,
	loyalty.TabIdeas: `SELECT i.id, i.title, i.body, '', '', 0, i.votes, i.status, i.created_at FROM ideas i
		WHERE i.author_id = ? AND i.merged_into IS NULL AND i.hidden_at IS NULL AND i.id < ? ORDER BY i.id DESC LIMIT ?`,
	loyalty.TabReviews: `SELECT r.id, p.name, trim(r.title || char(10) || r.body), '', p.slug, 0, r.rating, '', r.created_at
		FROM reviews r JOIN products p ON p.id = r.product_id
		WHERE r.author_id = ? AND r.id < ? ORDER BY r.id DESC LIMIT ?`,
}

// Activity implements loyalty.Store.
func (db *DB) Activity(ctx context.Context, q loyalty.ActivityQuery) ([]*loyalty.Activity, error) {
	query, ok := activityQueries[q.Tab]
	if !ok {
		return nil, nil
	}
	return queryAll(ctx, db.reader(ctx), func(row scanner) (*loyalty.Activity, error) {
		a := &loyalty.Activity{Kind: q.Tab}
		var status string
		var at int64
		err := row.Scan(&a.ID, &a.Title, &a.Source, &a.ParentID, &a.Slug, &a.Position, &a.Count, &status, &at)
		a.Status, a.At = ideas.Status(status), fromMS(at)
		return a, err
	}, query, q.UserID, cursorOr(q.After), q.Limit)
}

// reputationEntriesQuery pages a person's ledger newest first, naming
// each entry's source only while it and its parent are visible.
const reputationEntriesQuery = `SELECT e.id, e.key, e.user_id, e.points, e.reason, e.source_kind, e.source_id, e.parent_id, e.category_id, e.segment_id, e.day, e.created_at,
		CASE e.source_kind
			WHEN 'post' THEN (SELECT t.title FROM forum_posts p JOIN forum_threads t ON t.id = p.thread_id
				WHERE p.id = e.source_id AND p.hidden = 0 AND t.hidden = 0)
			WHEN 'comment' THEN (SELECT i.title FROM idea_comments c JOIN ideas i ON i.id = c.idea_id WHERE c.id = e.source_id
				AND c.hidden_at IS NULL AND c.deleted_at IS NULL AND i.hidden_at IS NULL AND i.merged_into IS NULL)
			WHEN 'idea' THEN (SELECT i.title FROM ideas i WHERE i.id = e.source_id AND i.hidden_at IS NULL AND i.merged_into IS NULL)
			WHEN 'review' THEN (SELECT p.name FROM products p WHERE p.id = e.parent_id)
		END,
		CASE e.source_kind WHEN 'comment' THEN (SELECT c.idea_id FROM idea_comments c WHERE c.id = e.source_id) END,
		CASE e.source_kind WHEN 'review' THEN (SELECT p.slug FROM products p WHERE p.id = e.parent_id) END,
		CASE e.source_kind WHEN 'post' THEN (SELECT p.position FROM forum_posts p WHERE p.id = e.source_id) END
		FROM reputation_events e WHERE e.user_id = ? AND e.id < ? ORDER BY e.id DESC LIMIT ?`

// ReputationEntries implements loyalty.Store. Each entry's title comes
// from its source only while the source and its parent are visible.
func (db *DB) ReputationEntries(ctx context.Context, userID, before string, limit int) ([]*loyalty.Entry, error) {
	return queryAll(ctx, db.reader(ctx), func(row scanner) (*loyalty.Entry, error) {
		var e loyalty.Entry
		var reason string
		var at int64
		var title, parent, slug sql.NullString
		var pos sql.NullInt64
		err := row.Scan(&e.ID, &e.Key, &e.UserID, &e.Points, &reason, &e.SourceKind, &e.SourceID, &e.ParentID, &e.CategoryID,
			&e.SegmentID, &e.Day, &at, &title, &parent, &slug, &pos)
		e.Reason, e.At = loyalty.Reason(reason), fromMS(at)
		e.Title, e.ProductSlug, e.Position = title.String, slug.String, int(pos.Int64)
		if parent.Valid {
			e.ParentID = parent.String // a comment follows its idea through a merge
		}
		return &e, err
	}, reputationEntriesQuery, userID, cursorOr(before), limit)
}

// standingsQuery is one leaderboard: a range of the rollups' rank index.
const standingsQuery = `SELECT r.user_id, u.handle, u.name, u.avatar_url, u.badge, u.champion, r.points
		FROM reputation_rollups r JOIN users u ON u.id = r.user_id AND u.deleted_at IS NULL
		WHERE r.period = ? AND r.scope = ? AND r.points > 0 ORDER BY r.points DESC, r.user_id LIMIT ?`

// Standings implements loyalty.Store: one range of the rollups' rank index.
func (db *DB) Standings(ctx context.Context, period, scope string, limit int) ([]*loyalty.Standing, error) {
	return queryAll(ctx, db.reader(ctx), func(row scanner) (*loyalty.Standing, error) {
		var s loyalty.Standing
		err := row.Scan(&s.UserID, &s.Handle, &s.Name, &s.AvatarURL, &s.Badge, &s.Champion, &s.Points)
		return &s, err
	}, standingsQuery, period, scope, limit)
}
