package sqlite

import (
	"context"
	"fmt"
	"slices"

	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/loyalty"
)

// reputationFromFacts recomputes every person's reputation from the facts
// that earn it, with the loyalty package's points: accepted answers in
// others' questions, likes received (capped per day), helpful votes on
// their reviews, and their ideas' statuses.
var reputationFromFacts = fmt.Sprintf(`WITH facts(user_id, points) AS (
		SELECT accepted_author_id, %d FROM forum_threads WHERE accepted_post_id IS NOT NULL AND accepted_author_id != author_id
		UNION ALL SELECT author_id, MIN(COUNT(*), %d) * %d FROM likes GROUP BY author_id, day
		UNION ALL SELECT r.author_id, %d * COUNT(*) FROM review_votes v JOIN reviews r ON r.id = v.review_id GROUP BY r.author_id
		UNION ALL SELECT author_id, CASE status WHEN '%s' THEN %d WHEN '%s' THEN %d WHEN '%s' THEN %d ELSE 0 END FROM ideas
	), want(user_id, points) AS (SELECT user_id, SUM(points) FROM facts GROUP BY user_id)
	SELECT u.id FROM users u LEFT JOIN want w ON w.user_id = u.id WHERE u.reputation != COALESCE(w.points, 0)`,
	loyalty.PointsAccepted, loyalty.LikePointsPerDay, loyalty.PointsLiked, loyalty.PointsHelpful,
	ideas.StatusPlanned, loyalty.StatusPoints(ideas.StatusPlanned), ideas.StatusInProgress, loyalty.StatusPoints(ideas.StatusInProgress),
	ideas.StatusDone, loyalty.StatusPoints(ideas.StatusDone))

func init() {
	counterChecks = append(counterChecks, []struct{ what, query string }{
		{"forum_posts.likes = its likes", `SELECT p.id FROM forum_posts p
			WHERE p.likes != (SELECT COUNT(*) FROM likes l WHERE l.target_id = p.id)`},
		{"idea_comments.likes = its likes", `SELECT c.id FROM idea_comments c
			WHERE c.likes != (SELECT COUNT(*) FROM likes l WHERE l.target_id = c.id)`},
		{"likes name an existing post or comment and its author", `SELECT l.target_id FROM likes l
			LEFT JOIN forum_posts p ON p.id = l.target_id AND l.kind = 'post'
			LEFT JOIN idea_comments c ON c.id = l.target_id AND l.kind = 'comment'
			WHERE l.author_id IS NOT COALESCE(p.author_id, c.author_id)`},
		{"like_days = likes per author and day", `SELECT x.author_id FROM (SELECT author_id, day, COUNT(*) AS n FROM likes GROUP BY author_id, day) x
			LEFT JOIN like_days d ON d.user_id = x.author_id AND d.day = x.day WHERE d.likes IS NOT x.n
			UNION ALL SELECT d.user_id FROM like_days d WHERE NOT EXISTS (SELECT 1 FROM likes l WHERE l.author_id = d.user_id AND l.day = d.day)`},
		{"forum_threads.accepted_author_id = the accepted post's author", `SELECT t.id FROM forum_threads t
			LEFT JOIN forum_posts p ON p.id = t.accepted_post_id
			WHERE t.accepted_author_id IS NOT p.author_id OR (t.accepted_post_id IS NOT NULL AND t.accepts < 1)`},
		{"users.reputation = their reputation ledger", `SELECT u.id FROM users u
			WHERE u.reputation != (SELECT COALESCE(SUM(e.points), 0) FROM reputation_events e WHERE e.user_id = u.id)`},
		{"users.reputation = what their facts earn", reputationFromFacts},
		{"badge_counts = badges held", `SELECT x.badge FROM (SELECT badge, COUNT(*) AS n FROM user_badges GROUP BY badge) x
			LEFT JOIN badge_counts c ON c.badge = x.badge WHERE c.holders IS NOT x.n
			UNION ALL SELECT badge FROM badge_counts WHERE holders != 0 AND badge NOT IN (SELECT badge FROM user_badges)`},
		{"users.champion = holds the Champion badge", `SELECT u.id FROM users u WHERE u.champion !=
			EXISTS(SELECT 1 FROM user_badges b WHERE b.user_id = u.id AND b.badge = '` + loyalty.Champion + `')`},
	}...)
	goChecks = append(goChecks, checkRollups, checkHighlights)
}

// checkRollups regroups the whole ledger into leaderboard rollups with
// loyalty.Entry.Rollups and compares them with the stored ones.
func checkRollups(ctx context.Context, q querier) (string, error) {
	key := func(r loyalty.Rollup) string { return r.Period + "|" + r.Scope + "|" + r.UserID }
	want := map[string]int{}
	rows, err := q.QueryContext(ctx, `SELECT user_id, points, category_id, segment_id, day FROM reputation_events`)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var e loyalty.Entry
		if err := rows.Scan(&e.UserID, &e.Points, &e.CategoryID, &e.SegmentID, &e.Day); err != nil {
			rows.Close()
			return "", err
		}
		for _, r := range e.Rollups() {
			want[key(r)] += r.Points
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	have, err := queryAll(ctx, q, func(row scanner) (loyalty.Rollup, error) {
		var r loyalty.Rollup
		err := row.Scan(&r.Period, &r.Scope, &r.UserID, &r.Points)
		return r, err
	}, `SELECT period, scope, user_id, points FROM reputation_rollups`)
	if err != nil {
		return "", err
	}
	stored := map[string]int{}
	for _, r := range have {
		stored[key(r)] = r.Points
	}
	for k := range want {
		if _, ok := stored[k]; !ok {
			stored[k] = 0 // a rollup the ledger needs is missing
		}
	}
	return mismatches("reputation_rollups = the ledger grouped by period and scope", stored, func(k string, got int) bool {
		return got != want[k]
	})
}

// checkHighlights compares each person's highlighted badge with the
// badges they hold: one they hold, their highest unless they chose it.
func checkHighlights(ctx context.Context, q querier) (string, error) {
	type user struct {
		badge  string
		chosen bool
	}
	users := map[string]user{}
	rows, err := q.QueryContext(ctx, `SELECT id, badge, badge_chosen FROM users`)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var id string
		var u user
		if err := rows.Scan(&id, &u.badge, &u.chosen); err != nil {
			rows.Close()
			return "", err
		}
		users[id] = u
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	held := map[string][]string{}
	rows, err = q.QueryContext(ctx, `SELECT user_id, badge FROM user_badges`)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var id, b string
		if err := rows.Scan(&id, &b); err != nil {
			rows.Close()
			return "", err
		}
		held[id] = append(held[id], b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	return mismatches("users.badge is a badge they hold, their highest unless chosen", users, func(id string, u user) bool {
		if u.chosen {
			return !slices.Contains(held[id], u.badge)
		}
		return u.badge != loyalty.Highest(held[id])
	})
}
