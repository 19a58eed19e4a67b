package sqlite

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

// counterChecks are SQL queries that select the rows whose denormalized
// fields differ from what their fact rows say. Each names what it checks.
var counterChecks = []struct{ what, query string }{
	{"ideas.votes = its vote rows", `SELECT i.id FROM ideas i
		LEFT JOIN (SELECT idea_id, COUNT(*) AS n FROM idea_votes GROUP BY idea_id) v ON v.idea_id = i.id
		WHERE i.votes != COALESCE(v.n, 0)`},
	{"idea_segment_votes = its vote rows per segment", `SELECT v.idea_id FROM
		(SELECT idea_id, segment_id, COUNT(*) AS n FROM idea_votes GROUP BY idea_id, segment_id) v
		LEFT JOIN idea_segment_votes s ON s.idea_id = v.idea_id AND s.segment_id = v.segment_id WHERE s.votes IS NOT v.n
		UNION ALL SELECT s.idea_id FROM idea_segment_votes s WHERE NOT EXISTS
		(SELECT 1 FROM idea_votes v WHERE v.idea_id = s.idea_id AND v.segment_id = s.segment_id)`},
	{"ideas.comments = its visible comments", `SELECT i.id FROM ideas i WHERE i.comments !=
		(SELECT COUNT(*) FROM idea_comments c WHERE c.idea_id = i.id AND c.hidden_at IS NULL AND c.deleted_at IS NULL)`},
	{"ideas.status and status_at = its latest status change", `SELECT i.id FROM ideas i WHERE
		i.status != COALESCE((SELECT h.to_status FROM idea_status_changes h WHERE h.idea_id = i.id ORDER BY h.id DESC LIMIT 1), 'open')
		OR i.status_at IS NOT (SELECT MAX(h.created_at) FROM idea_status_changes h WHERE h.idea_id = i.id)`},
	{"ideas.responded_at = its first status change or team comment", `SELECT i.id FROM ideas i WHERE i.responded_at IS NOT
		(SELECT MIN(at) FROM (SELECT created_at AS at FROM idea_status_changes h WHERE h.idea_id = i.id
			UNION ALL SELECT created_at FROM idea_comments c WHERE c.idea_id = i.id AND c.team = 1 AND c.merged_from IS NULL))`},
	{"idea_tags rows carry their listed idea's tag, status, votes and trend", `SELECT t.idea_id FROM idea_tags t
		LEFT JOIN ideas i ON i.id = t.idea_id WHERE i.id IS NULL OR t.status != i.status OR t.votes != i.votes OR t.trend != i.trend
		OR i.merged_into IS NOT NULL OR i.hidden_at IS NOT NULL OR instr(',' || i.tags || ',', ',' || t.tag || ',') = 0`},
	{"each listed idea has one idea_tags row per tag", `SELECT i.id FROM ideas i WHERE i.merged_into IS NULL AND i.hidden_at IS NULL
		AND (SELECT COUNT(*) FROM idea_tags t WHERE t.idea_id = i.id) !=
		(CASE WHEN i.tags = '' THEN 0 ELSE length(i.tags) - length(replace(i.tags, ',', '')) + 1 END)`},
	{"idea_tag_counts = idea_tags rows per tag", `SELECT x.tag FROM (SELECT tag, COUNT(*) AS n FROM idea_tags GROUP BY tag) x
		LEFT JOIN idea_tag_counts c ON c.tag = x.tag WHERE c.ideas IS NOT x.n
		UNION ALL SELECT tag FROM idea_tag_counts WHERE tag NOT IN (SELECT tag FROM idea_tags)`},
	{"forum_threads.posts and replies = its posts; positions are 0..posts-1", `SELECT t.id FROM forum_threads t
		LEFT JOIN (SELECT thread_id, COUNT(*) AS n, SUM(position > 0 AND hidden = 0) AS r, MIN(position) AS lo, MAX(position) AS hi
			FROM forum_posts GROUP BY thread_id) p ON p.thread_id = t.id
		WHERE p.n IS NULL OR t.posts != p.n OR t.replies != p.r OR p.lo != 0 OR p.hi != p.n - 1`},
	{"forum_threads.last_* = its last post", `SELECT t.id FROM forum_threads t
		LEFT JOIN forum_posts p ON p.thread_id = t.id AND p.position = t.posts - 1
		WHERE p.id IS NULL OR t.last_post_id != p.id OR t.last_poster_id != p.author_id OR t.last_activity != p.created_at`},
	{"forum_threads.accepted_post_id is a visible reply in the thread", `SELECT t.id FROM forum_threads t
		WHERE t.accepted_post_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM forum_posts p
			WHERE p.id = t.accepted_post_id AND p.thread_id = t.id AND p.position > 0 AND p.hidden = 0)`},
	{"forum_categories.threads = its threads", `SELECT c.id FROM forum_categories c
		WHERE c.threads != (SELECT COUNT(*) FROM forum_threads t WHERE t.category_id = c.id)`},
	{"products' rating count, sum and histogram = its reviews", `SELECT p.id FROM products p LEFT JOIN
		(SELECT product_id, COUNT(*) AS n, SUM(rating) AS s, SUM(rating = 1) AS s1, SUM(rating = 2) AS s2, SUM(rating = 3) AS s3,
			SUM(rating = 4) AS s4, SUM(rating = 5) AS s5 FROM reviews WHERE hidden_at IS NULL GROUP BY product_id) r ON r.product_id = p.id
		WHERE p.rating_count != COALESCE(r.n, 0) OR p.rating_sum != COALESCE(r.s, 0) OR p.stars1 != COALESCE(r.s1, 0)
		OR p.stars2 != COALESCE(r.s2, 0) OR p.stars3 != COALESCE(r.s3, 0) OR p.stars4 != COALESCE(r.s4, 0) OR p.stars5 != COALESCE(r.s5, 0)`},
	{"reviews.helpful = its helpful votes", `SELECT r.id FROM reviews r
		WHERE r.helpful != (SELECT COUNT(*) FROM review_votes v WHERE v.review_id = r.id)`},
	{"users.days_visited and last_seen_at = their visits", `SELECT u.id FROM users u LEFT JOIN
		(SELECT user_id, COUNT(*) AS n, MAX(at) AS last FROM visits GROUP BY user_id) v ON v.user_id = u.id
		WHERE u.days_visited != COALESCE(v.n, 0) OR u.last_seen_at != COALESCE(v.last, 0)`},
	{"users.unread = their unread notifications", `SELECT u.id FROM users u
		WHERE u.unread != (SELECT COUNT(*) FROM notifications n WHERE n.user_id = u.id AND n.read = 0)`},
	{"every thread is in the change feed", `SELECT id FROM forum_threads WHERE id NOT IN (SELECT entity_id FROM changes WHERE kind = '` + townhall.KindThread + `')`},
	{"every post is in the change feed", `SELECT id FROM forum_posts WHERE id NOT IN (SELECT entity_id FROM changes WHERE kind = '` + townhall.KindPost + `')`},
	{"every idea is in the change feed", `SELECT id FROM ideas WHERE id NOT IN (SELECT entity_id FROM changes WHERE kind = '` + townhall.KindIdea + `')`},
	{"every review is in the change feed", `SELECT id FROM reviews WHERE id NOT IN (SELECT entity_id FROM changes WHERE kind = '` + townhall.KindReview + `')`},
}

// CheckCounters recomputes every denormalized counter from the rows it
// counts and reports each kind of mismatch (empty when the store is
// consistent): vote, comment, segment, tag and reply counts, post
// positions, last-post fields, rating sums and histograms, unread counts,
// statuses, title words, change-feed coverage, and trend scores, refolded
// with ideas.TrendAdd in vote-time order. trendTolerance is the relative
// difference allowed for trend: 0 after a bulk load, which folds exactly
// that way; a little (1e-9) after live use, where removed votes subtract
// and same-millisecond votes may have folded in another order. It reads
// every row, so it is for tests and after seeding, not for a live server.
func (db *DB) CheckCounters(ctx context.Context, trendTolerance float64) ([]string, error) {
	q := db.reader(ctx)
	var problems []string
	for _, c := range counterChecks {
		var n int
		var example string
		if err := q.QueryRowContext(ctx, `WITH bad(x) AS (`+c.query+`) SELECT COUNT(*), COALESCE(MIN(x), '') FROM bad`).Scan(&n, &example); err != nil {
			return nil, fmt.Errorf("check %q: %w", c.what, err)
		}
		if n > 0 {
			problems = append(problems, fmt.Sprintf("%s: %d wrong (e.g. %s)", c.what, n, example))
		}
	}
	trend := func(ctx context.Context, q querier) (string, error) { return checkTrend(ctx, q, trendTolerance) }
	for _, check := range append([]func(context.Context, querier) (string, error){trend, checkTitleWords}, goChecks...) {
		p, err := check(ctx, q)
		if err != nil {
			return nil, err
		}
		if p != "" {
			problems = append(problems, p)
		}
	}
	return problems, nil
}

// goChecks are the checks written in Go rather than SQL that feature files
// add (see loyalty_check.go), run after the trend and title-word checks.
var goChecks []func(context.Context, querier) (string, error)

// checkTrend refolds every idea's trend from its votes.
func checkTrend(ctx context.Context, q querier, tolerance float64) (string, error) {
	stored := map[string]float64{}
	rows, err := q.QueryContext(ctx, `SELECT id, trend FROM ideas`)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var id string
		var t float64
		if err := rows.Scan(&id, &t); err != nil {
			rows.Close()
			return "", err
		}
		stored[id] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	folded := map[string]float64{}
	rows, err = q.QueryContext(ctx, `SELECT idea_id, created_at FROM idea_votes ORDER BY idea_id, created_at`)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var id string
		var at int64
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return "", err
		}
		folded[id] = ideas.TrendAdd(folded[id], ideas.TrendExponent(fromMS(at)))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	return mismatches("ideas.trend = its votes folded with ideas.TrendAdd", stored, func(id string, got float64) bool {
		want := folded[id]
		return math.Abs(got-want) > tolerance*max(1, math.Abs(want))
	})
}

// checkTitleWords compares each listed idea's title words with TitleWords.
func checkTitleWords(ctx context.Context, q querier) (string, error) {
	stored := map[string][]string{}
	rows, err := q.QueryContext(ctx, `SELECT idea_id, word FROM idea_title_words ORDER BY idea_id, word`)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var id, w string
		if err := rows.Scan(&id, &w); err != nil {
			rows.Close()
			return "", err
		}
		stored[id] = append(stored[id], w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	titles := map[string]string{}
	rows, err = q.QueryContext(ctx, `SELECT id, title, merged_into IS NULL AND hidden_at IS NULL FROM ideas`)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var id, title string
		var listed bool
		if err := rows.Scan(&id, &title, &listed); err != nil {
			rows.Close()
			return "", err
		}
		if listed {
			titles[id] = title
		} else {
			titles[id] = "" // merged and hidden ideas keep no words
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	for id := range stored {
		if _, ok := titles[id]; !ok {
			titles[id] = ""
		}
	}
	return mismatches("idea_title_words = ideas.TitleWords(title)", titles, func(id, title string) bool {
		var want []string
		if title != "" {
			want = slices.Clone(ideas.TitleWords(title))
			slices.Sort(want)
			want = slices.Compact(want)
		}
		return !slices.Equal(want, stored[id])
	})
}

// mismatches formats the entries of m that bad reports, like the SQL checks.
func mismatches[T any](what string, m map[string]T, bad func(string, T) bool) (string, error) {
	var wrong []string
	for id, v := range m {
		if bad(id, v) {
			wrong = append(wrong, id)
		}
	}
	if len(wrong) == 0 {
		return "", nil
	}
	slices.Sort(wrong)
	return fmt.Sprintf("%s: %d wrong (e.g. %s)", what, len(wrong), strings.Join(wrong[:min(3, len(wrong))], ", ")), nil
}
