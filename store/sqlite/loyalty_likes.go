package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/townhall/townhall/loyalty"
)

// likeTarget reads what a like is about inside tx, refusing what readers
// cannot see: a hidden post or thread, a hidden or deleted comment, a
// comment of a hidden or merged idea.
func likeTarget(ctx context.Context, tx *sql.Tx, kind, id string) (*loyalty.Target, error) {
	t := &loyalty.Target{Kind: kind, ID: id}
	var gone bool
	switch kind {
	case loyalty.KindPost:
		err := tx.QueryRowContext(ctx, `SELECT p.author_id, p.thread_id, p.position, p.likes, t.title, t.category_id, p.hidden OR t.hidden
			FROM forum_posts p JOIN forum_threads t ON t.id = p.thread_id WHERE p.id = ?`, id).
			Scan(&t.AuthorID, &t.ParentID, &t.Position, &t.Likes, &t.ParentTitle, &t.CategoryID, &gone)
		if err != nil || gone {
			return nil, notFound(orNoRows(err), loyalty.ErrPostNotFound)
		}
	case loyalty.KindComment:
		err := tx.QueryRowContext(ctx, `SELECT c.author_id, c.idea_id, c.likes, i.title,
			c.hidden_at IS NOT NULL OR c.deleted_at IS NOT NULL OR i.hidden_at IS NOT NULL OR i.merged_into IS NOT NULL
			FROM idea_comments c JOIN ideas i ON i.id = c.idea_id WHERE c.id = ?`, id).
			Scan(&t.AuthorID, &t.ParentID, &t.Likes, &t.ParentTitle, &gone)
		if err != nil || gone {
			return nil, notFound(orNoRows(err), loyalty.ErrCommentNotFound)
		}
	default:
		return nil, loyalty.ErrPostNotFound
	}
	return t, nil
}

// orNoRows is err, or sql.ErrNoRows when the row was found but is gone
// for readers, so both answer not found.
func orNoRows(err error) error {
	if err == nil {
		return sql.ErrNoRows
	}
	return err
}

// likeCounter is the table holding a target kind's like count.
func likeCounter(kind string) string {
	if kind == loyalty.KindComment {
		return "idea_comments"
	}
	return "forum_posts"
}

// Like implements loyalty.Store: the like, the target's count, the
// author's likes of the day and their ledger entry in one transaction.
func (db *DB) Like(ctx context.Context, l *loyalty.Like) (loyalty.LikeResult, error) {
	var out loyalty.LikeResult
	err := db.write(ctx, func(tx *sql.Tx) error {
		t, err := likeTarget(ctx, tx, l.Kind, l.TargetID)
		if err != nil {
			return err
		}
		if t.AuthorID == l.UserID {
			return loyalty.ErrOwnContent
		}
		out = loyalty.LikeResult{Target: *t, Liked: true}
		l.Day = db.day(l.At)
		res, err := tx.ExecContext(ctx, `INSERT INTO likes(target_id, user_id, id, kind, author_id, day, created_at)
			VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(target_id, user_id) DO NOTHING`,
			l.TargetID, l.UserID, l.ID, l.Kind, t.AuthorID, l.Day, ms(l.At))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // liked already
		}
		out.Changed = true
		out.Target.Likes++
		if _, err := tx.ExecContext(ctx, `UPDATE `+likeCounter(l.Kind)+` SET likes = likes + 1 WHERE id = ?`, l.TargetID); err != nil {
			return err
		}
		var nth int
		if err := tx.QueryRowContext(ctx, `INSERT INTO like_days(user_id, day, likes) VALUES(?, ?, 1)
			ON CONFLICT(user_id, day) DO UPDATE SET likes = likes + 1 RETURNING likes`, t.AuthorID, l.Day).Scan(&nth); err != nil {
			return err
		}
		return db.credit(ctx, tx, l.At, loyalty.Liked(l, t, loyalty.LikePoints(nth), false))
	})
	return out, err
}

// Unlike implements loyalty.Store: the like goes, and with it its count
// and, if it earned one, its point.
func (db *DB) Unlike(ctx context.Context, kind, targetID, userID string) (loyalty.LikeResult, error) {
	var out loyalty.LikeResult
	err := db.write(ctx, func(tx *sql.Tx) error {
		t, err := likeTarget(ctx, tx, kind, targetID)
		if err != nil {
			return err
		}
		out = loyalty.LikeResult{Target: *t}
		l := &loyalty.Like{Kind: kind, TargetID: targetID, UserID: userID}
		err = tx.QueryRowContext(ctx, `DELETE FROM likes WHERE target_id = ? AND user_id = ? RETURNING id, day`, targetID, userID).Scan(&l.ID, &l.Day)
		if err == sql.ErrNoRows {
			return nil // not liked
		} else if err != nil {
			return err
		}
		out.Changed = true
		out.Target.Likes--
		if _, err := tx.ExecContext(ctx, `UPDATE `+likeCounter(kind)+` SET likes = likes - 1 WHERE id = ?`, targetID); err != nil {
			return err
		}
		var had int
		if err := tx.QueryRowContext(ctx, `SELECT likes FROM like_days WHERE user_id = ? AND day = ?`, t.AuthorID, l.Day).Scan(&had); err != nil {
			return err
		}
		if had == 1 {
			_, err = tx.ExecContext(ctx, `DELETE FROM like_days WHERE user_id = ? AND day = ?`, t.AuthorID, l.Day)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE like_days SET likes = likes - 1 WHERE user_id = ? AND day = ?`, t.AuthorID, l.Day)
		}
		if err != nil {
			return err
		}
		points := loyalty.LikeDayPoints(had) - loyalty.LikeDayPoints(had-1)
		return db.credit(ctx, tx, db.now(), loyalty.Liked(l, t, -points, true))
	})
	return out, err
}

// LikedBy implements loyalty.Store: one primary-key probe per target.
func (db *DB) LikedBy(ctx context.Context, userID string, targetIDs []string) (map[string]bool, error) {
	return db.userMarked(ctx, `SELECT target_id FROM likes WHERE user_id = ? AND target_id IN (`, userID, targetIDs)
}

// userMarked says which of ids a user has a row for, given the query up to
// its IN list ("SELECT id_col FROM t WHERE user_id = ? AND id_col IN ("):
// a page's likes or votes, in chunks that stay under SQLite's variable limit.
func (db *DB) userMarked(ctx context.Context, query, userID string, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 200)]
		ids = ids[len(chunk):]
		args := []any{userID}
		for _, id := range chunk {
			args = append(args, id)
		}
		got, err := queryAll(ctx, db.reader(ctx), scanString, query+strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ")+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, id := range got {
			out[id] = true
		}
	}
	return out, nil
}
