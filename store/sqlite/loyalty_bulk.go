package sqlite

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/loyalty"
)

// The bulk loader's share of loyalty: likes, the reputation ledger with
// its totals and rollups, and badges, computed as the Store methods and
// the loyalty service would have left them.

// BulkLike is one like of a post or an idea comment.
type BulkLike struct {
	ID     string
	UserID string
	At     time.Time
}

// AddLikes adds likes of one post (kind loyalty.KindPost, a post added
// before) or idea comment (loyalty.KindComment) written by authorID, in the
// order they were given; likes by the author and repeated likers are
// skipped, as Like refuses and ignores them. It returns how many it added.
// Their points, capped per author and day, are computed by Finish.
func (b *Bulk) AddLikes(ctx context.Context, kind, targetID, authorID string, likes []BulkLike) (int, error) {
	seen := map[string]bool{authorID: true}
	n := 0
	for _, l := range likes {
		if seen[l.UserID] {
			continue
		}
		seen[l.UserID] = true
		if err := b.exec(ctx, `INSERT INTO likes(target_id, user_id, id, kind, author_id, day, created_at) VALUES(?, ?, ?, ?, ?, ?, ?)`,
			targetID, l.UserID, l.ID, kind, authorID, b.db.day(l.At), ms(l.At)); err != nil {
			return n, err
		}
		n++
	}
	if n == 0 {
		return 0, nil
	}
	return n, b.exec(ctx, `UPDATE `+likeCounter(kind)+` SET likes = likes + ? WHERE id = ?`, n, targetID)
}

// entryID is a sortable ID for an entry of the load, dated at, derived
// from its key so a seeded load is repeatable.
func entryID(key string, at time.Time) string {
	h := fnv.New64a()
	h.Write([]byte(key))
	return townhall.IDAt(at, h.Sum64(), uint16(h.Sum64()>>48))
}

// entry writes one ledger entry of the load; Finish adds it to its
// earner's reputation and the rollups.
func (b *Bulk) entry(ctx context.Context, at time.Time, e *loyalty.Entry) error {
	if e == nil || e.Points == 0 {
		return nil
	}
	seg, err := b.segmentOf(ctx, e.UserID)
	if err != nil {
		return err
	}
	return b.exec(ctx, `INSERT INTO reputation_events(id, key, user_id, points, reason, source_kind, source_id, parent_id,
		category_id, segment_id, day, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, entryID(e.Key, at), e.Key, e.UserID,
		e.Points, string(e.Reason), e.SourceKind, e.SourceID, e.ParentID, e.CategoryID, seg, b.db.day(at), ms(at))
}

// finishLedger turns the load's likes into like counts per author and day
// and into ledger entries (the first LikePointsPerDay of each author's
// day, counting likes they had before the load), then adds every entry of
// the load to its earner's reputation and the leaderboard rollups.
func (b *Bulk) finishLedger(ctx context.Context) error {
	likes, events := b.before["likes"], b.before["reputation_events"]
	if err := b.exec(ctx, `INSERT INTO reputation_events(id, key, user_id, points, reason, source_kind, source_id, parent_id,
			category_id, segment_id, day, created_at)
		SELECT x.id, 'like:' || x.id, x.author_id, ?, CASE x.kind WHEN ? THEN ? ELSE ? END, x.kind, x.target_id,
			COALESCE(p.thread_id, c.idea_id, ''), COALESCE(t.category_id, ''), COALESCE(u.segment_id, ''), x.day, x.created_at
		FROM (SELECT l.*, ROW_NUMBER() OVER (PARTITION BY l.author_id, l.day ORDER BY l.rowid) + COALESCE(d.likes, 0) AS nth
			FROM likes l LEFT JOIN like_days d ON d.user_id = l.author_id AND d.day = l.day WHERE l.rowid > ?) x
		JOIN users u ON u.id = x.author_id
		LEFT JOIN forum_posts p ON x.kind = ? AND p.id = x.target_id LEFT JOIN forum_threads t ON t.id = p.thread_id
		LEFT JOIN idea_comments c ON x.kind = ? AND c.id = x.target_id
		WHERE x.nth <= ?`, loyalty.PointsLiked, loyalty.KindPost, string(loyalty.ReasonPostLiked), string(loyalty.ReasonCommentLiked),
		likes, loyalty.KindPost, loyalty.KindComment, loyalty.LikePointsPerDay); err != nil {
		return fmt.Errorf("like points: %w", err)
	}
	for _, q := range []struct {
		sql   string
		after int64 // the rowid the load began after
	}{
		{`INSERT INTO like_days(user_id, day, likes) SELECT author_id, day, COUNT(*) FROM likes WHERE rowid > ? GROUP BY author_id, day
			ON CONFLICT(user_id, day) DO UPDATE SET likes = likes + excluded.likes`, likes},
		{`UPDATE users SET reputation = reputation + x.points FROM (SELECT user_id, SUM(points) AS points FROM reputation_events
			WHERE rowid > ? GROUP BY user_id) x WHERE users.id = x.user_id`, events},
		// loyalty.Entry.Rollups in SQL: three periods times the scopes
		// (everyone, the category, the segment) an entry has.
		{`INSERT INTO reputation_rollups(period, scope, user_id, points)
		SELECT CASE p.n WHEN 1 THEN 'w' || strftime('%G-%V', e.day) WHEN 2 THEN 'm' || substr(e.day, 1, 7) ELSE 'all' END,
			CASE s.n WHEN 1 THEN '' WHEN 2 THEN 'c:' || e.category_id ELSE 's:' || e.segment_id END, e.user_id, SUM(e.points)
		FROM reputation_events e, (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) p, (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) s
		WHERE e.rowid > ? AND (s.n = 1 OR (s.n = 2 AND e.category_id != '') OR (s.n = 3 AND e.segment_id != ''))
		GROUP BY 1, 2, 3
		ON CONFLICT(period, scope, user_id) DO UPDATE SET points = points + excluded.points`, events},
	} {
		if err := b.exec(ctx, q.sql, q.after); err != nil {
			return fmt.Errorf("reputation: %w", err)
		}
	}
	return nil
}

// finishBadges awards every rule badge the loaded community earned, as
// the loyalty service's background pass would (without notifications: a
// generated history has nobody to tell), dated at now. It runs once the
// indexes are back: the facts are index lookups per person.
func (b *Bulk) finishBadges(ctx context.Context, now time.Time) error {
	facts, err := queryAll(ctx, b.tx, func(row scanner) (loyalty.Facts, error) {
		var f loyalty.Facts
		var created int64
		var posts, shipped bool
		err := row.Scan(&f.UserID, &created, &posts, &f.Accepted, &f.Helpful, &shipped)
		f.CreatedAt = fromMS(created)
		f.Posts, f.Shipped = boolInt(posts), boolInt(shipped)
		return f, err
	}, badgeFactsCols+`ORDER BY u.id`, loyalty.AcceptedCap)
	if err != nil {
		return err
	}
	for _, f := range facts {
		held, err := queryAll(ctx, b.tx, scanString, `SELECT badge FROM user_badges WHERE user_id = ?`, f.UserID)
		if err != nil {
			return err
		}
		had := len(held)
		for _, badge := range loyalty.Badges {
			if !badge.Earned(f, now) || slices.Contains(held, badge.Slug) {
				continue
			}
			if err := b.exec(ctx, `INSERT INTO user_badges(user_id, badge, id, awarded_at) VALUES(?, ?, ?, ?)`,
				f.UserID, badge.Slug, entryID(f.UserID+":"+badge.Slug, now), ms(now)); err != nil {
				return err
			}
			held = append(held, badge.Slug)
		}
		if len(held) > had {
			if err := b.exec(ctx, `UPDATE users SET badge = ? WHERE id = ? AND badge_chosen = 0`, loyalty.Highest(held), f.UserID); err != nil {
				return err
			}
		}
	}
	return b.exec(ctx, `INSERT INTO badge_counts(badge, holders) SELECT badge, COUNT(*) FROM user_badges WHERE true GROUP BY badge
		ON CONFLICT(badge) DO UPDATE SET holders = excluded.holders`)
}
