package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/townhall/townhall/loyalty"
)

// AwardBadge implements loyalty.Store: the award, the badge's holder
// count, and the holder's highlighted badge and VIP mark, in one
// transaction.
func (db *DB) AwardBadge(ctx context.Context, a *loyalty.Award) (bool, error) {
	awarded := false
	err := db.write(ctx, func(tx *sql.Tx) error {
		var cur string
		var chosen bool
		if err := tx.QueryRowContext(ctx, `SELECT badge, badge_chosen FROM users WHERE id = ?`, a.UserID).Scan(&cur, &chosen); err != nil {
			return notFound(err, loyalty.ErrUserNotFound)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO user_badges(user_id, badge, id, granted_by, awarded_at) VALUES(?, ?, ?, ?, ?)
			ON CONFLICT(user_id, badge) DO NOTHING`, a.UserID, a.Badge, a.ID, a.GrantedBy, ms(a.At))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		awarded = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO badge_counts(badge, holders) VALUES(?, 1)
			ON CONFLICT(badge) DO UPDATE SET holders = holders + 1`, a.Badge); err != nil {
			return err
		}
		if !chosen {
			cur = loyalty.Highest([]string{cur, a.Badge})
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET badge = ?, champion = champion OR ? WHERE id = ?`,
			cur, a.Badge == loyalty.Champion, a.UserID)
		return err
	})
	return awarded, err
}

// RevokeBadge implements loyalty.Store.
func (db *DB) RevokeBadge(ctx context.Context, userID, badge string) (bool, error) {
	revoked := false
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM user_badges WHERE user_id = ? AND badge = ?`, userID, badge)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		revoked = true
		if _, err := tx.ExecContext(ctx, `UPDATE badge_counts SET holders = holders - 1 WHERE badge = ?`, badge); err != nil {
			return err
		}
		if badge == loyalty.Champion {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET champion = 0 WHERE id = ?`, userID); err != nil {
				return err
			}
		}
		var cur string
		if err := tx.QueryRowContext(ctx, `SELECT badge FROM users WHERE id = ?`, userID).Scan(&cur); err != nil {
			return err
		}
		if cur != badge {
			return nil
		}
		return highlightHighest(ctx, tx, userID)
	})
	return revoked, err
}

// highlightHighest makes the person's highest badge their highlighted one.
func highlightHighest(ctx context.Context, tx *sql.Tx, userID string) error {
	held, err := queryAll(ctx, tx, scanString, `SELECT badge FROM user_badges WHERE user_id = ?`, userID)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE users SET badge = ?, badge_chosen = 0 WHERE id = ?`, loyalty.Highest(held), userID)
	return err
}

// SetHighlight implements loyalty.Store.
func (db *DB) SetHighlight(ctx context.Context, userID, badge string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if badge == "" {
			return highlightHighest(ctx, tx, userID)
		}
		var held bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM user_badges WHERE user_id = ? AND badge = ?)`, userID, badge).Scan(&held); err != nil {
			return err
		}
		if !held {
			return loyalty.ErrBadgeNotHeld
		}
		return execOne(ctx, tx, loyalty.ErrUserNotFound, `UPDATE users SET badge = ?, badge_chosen = 1 WHERE id = ?`, badge, userID)
	})
}

// userBadgesQuery lists the badges one person holds.
const userBadgesQuery = `SELECT id, user_id, badge, granted_by, awarded_at FROM user_badges WHERE user_id = ? ORDER BY user_id, badge`

func scanAward(row scanner) (*loyalty.Award, error) {
	var a loyalty.Award
	var at int64
	err := row.Scan(&a.ID, &a.UserID, &a.Badge, &a.GrantedBy, &at)
	a.At = fromMS(at)
	return &a, err
}

// UserBadges implements loyalty.Store.
func (db *DB) UserBadges(ctx context.Context, userID string) ([]*loyalty.Award, error) {
	// In key order (a person holds a handful), then oldest first.
	awards, err := queryAll(ctx, db.reader(ctx), scanAward, userBadgesQuery, userID)
	slices.SortFunc(awards, func(a, b *loyalty.Award) int { return strings.Compare(a.ID, b.ID) })
	return awards, err
}

// badgeHoldersQuery pages a badge's holders, newest first.
const badgeHoldersQuery = `SELECT b.id, b.user_id, u.handle, u.name, u.avatar_url, b.awarded_at FROM user_badges b JOIN users u ON u.id = b.user_id AND u.deleted_at IS NULL
		WHERE b.badge = ? AND b.id < ? ORDER BY b.id DESC LIMIT ?`

// BadgeHolders implements loyalty.Store.
func (db *DB) BadgeHolders(ctx context.Context, badge, after string, limit int) ([]*loyalty.Holder, error) {
	return queryAll(ctx, db.reader(ctx), func(row scanner) (*loyalty.Holder, error) {
		var h loyalty.Holder
		var at int64
		err := row.Scan(&h.ID, &h.UserID, &h.Handle, &h.Name, &h.AvatarURL, &at)
		h.At = fromMS(at)
		return &h, err
	}, badgeHoldersQuery, badge, cursorOr(after), limit)
}

// BadgeCounts implements loyalty.Store.
func (db *DB) BadgeCounts(ctx context.Context) (map[string]int, error) {
	type count struct {
		badge string
		n     int
	}
	rows, err := queryAll(ctx, db.reader(ctx), func(row scanner) (count, error) {
		var c count
		err := row.Scan(&c.badge, &c.n)
		return c, err
	}, `SELECT badge, holders FROM badge_counts`)
	out := map[string]int{}
	for _, c := range rows {
		out[c.badge] = c.n
	}
	return out, err
}

// badgeFactsCols computes the badge rules' facts of users u, each from
// one index by author: visible posts, answers accepted in others' visible
// questions, helpful votes on their reviews, shipped ideas (the unary +
// keeps SQLite from reading all done ideas by the status index instead).
const badgeFactsCols = `SELECT u.id, u.created_at,
	EXISTS(SELECT 1 FROM forum_threads t WHERE t.author_id = u.id AND t.hidden = 0)
		OR EXISTS(SELECT 1 FROM forum_posts p WHERE p.author_id = u.id AND p.position > 0 AND p.hidden = 0),
	MIN(?, (SELECT COUNT(*) FROM forum_threads t WHERE t.accepted_author_id = u.id AND t.accepted_post_id IS NOT NULL
		AND t.hidden = 0 AND t.author_id != u.id)),
	(SELECT COALESCE(SUM(r.helpful), 0) FROM reviews r WHERE r.author_id = u.id),
	EXISTS(SELECT 1 FROM ideas i WHERE i.author_id = u.id AND +i.status = 'done' AND i.merged_into IS NULL AND i.hidden_at IS NULL)
	FROM users u `

// BadgeFacts implements loyalty.Store.
func (db *DB) BadgeFacts(ctx context.Context, q loyalty.FactsQuery) ([]loyalty.Facts, error) {
	scan := func(row scanner) (loyalty.Facts, error) {
		var f loyalty.Facts
		var created int64
		var posts, shipped bool
		err := row.Scan(&f.UserID, &created, &posts, &f.Accepted, &f.Helpful, &shipped)
		f.CreatedAt = fromMS(created)
		if posts {
			f.Posts = 1
		}
		if shipped {
			f.Shipped = 1
		}
		return f, err
	}
	if q.UserIDs == nil {
		return queryAll(ctx, db.reader(ctx), scan, badgeFactsCols+`WHERE u.id > ? AND u.deleted_at IS NULL ORDER BY u.id LIMIT ?`,
			loyalty.AcceptedCap, q.After, q.Limit)
	}
	if len(q.UserIDs) == 0 {
		return nil, nil
	}
	args := []any{loyalty.AcceptedCap}
	for _, id := range q.UserIDs {
		args = append(args, id)
	}
	return queryAll(ctx, db.reader(ctx), scan, badgeFactsCols+`WHERE u.id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(q.UserIDs)), ", ")+`)
		AND u.deleted_at IS NULL ORDER BY u.id`, args...)
}
