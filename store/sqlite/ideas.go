package sqlite

import (
	"context"
	"database/sql"
	"html/template"
	"strings"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

func init() {
	registerMigrations("ideas", 40, `
CREATE TABLE ideas (
	id                 TEXT PRIMARY KEY,
	author_id          TEXT NOT NULL REFERENCES users(id),
	title              TEXT NOT NULL,
	body               TEXT NOT NULL DEFAULT '',
	body_html          TEXT NOT NULL DEFAULT '',
	tags               TEXT NOT NULL DEFAULT '', -- normalized, comma-separated, for display
	status             TEXT NOT NULL,
	-- denormalized counters, updated in the same transaction as each vote or comment
	votes              INTEGER NOT NULL DEFAULT 0 CHECK (votes >= 0),
	comments           INTEGER NOT NULL DEFAULT 0 CHECK (comments >= 0),
	trend              REAL NOT NULL DEFAULT 0, -- see ideas.TrendAdd
	merged_into        TEXT REFERENCES ideas(id),
	response_body      TEXT NOT NULL DEFAULT '',
	response_html      TEXT NOT NULL DEFAULT '',
	response_author_id TEXT REFERENCES users(id),
	response_at        INTEGER,
	status_at          INTEGER,
	responded_at       INTEGER, -- first status change or team comment
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL
);
-- One index per board query (merged ideas are never listed, hence partial):
-- new, top and trending, each unfiltered and by status.
CREATE INDEX ideas_new ON ideas(id DESC) WHERE merged_into IS NULL;
CREATE INDEX ideas_top ON ideas(votes DESC, id DESC) WHERE merged_into IS NULL;
CREATE INDEX ideas_trending ON ideas(trend DESC, id DESC) WHERE merged_into IS NULL;
CREATE INDEX ideas_status_new ON ideas(status, id DESC) WHERE merged_into IS NULL;
CREATE INDEX ideas_status_top ON ideas(status, votes DESC, id DESC) WHERE merged_into IS NULL;
CREATE INDEX ideas_status_trending ON ideas(status, trend DESC, id DESC) WHERE merged_into IS NULL;
-- "My ideas", duplicates of an idea, and the triage queue (oldest, by votes).
CREATE INDEX ideas_author ON ideas(author_id, id DESC);
CREATE INDEX ideas_merged ON ideas(merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX ideas_triage ON ideas(id) WHERE responded_at IS NULL AND merged_into IS NULL;
CREATE INDEX ideas_triage_votes ON ideas(votes DESC, id DESC) WHERE responded_at IS NULL AND merged_into IS NULL;

-- Tag filter: one row per tag of each listed idea, carrying copies of the
-- sort keys so a tag page walks an index like the unfiltered board does.
CREATE TABLE idea_tags (
	idea_id TEXT NOT NULL REFERENCES ideas(id),
	tag     TEXT NOT NULL,
	status  TEXT NOT NULL,
	votes   INTEGER NOT NULL,
	trend   REAL NOT NULL,
	PRIMARY KEY (idea_id, tag)
) WITHOUT ROWID;
CREATE INDEX idea_tags_new ON idea_tags(tag, idea_id DESC);
CREATE INDEX idea_tags_top ON idea_tags(tag, votes DESC, idea_id DESC);
CREATE INDEX idea_tags_trending ON idea_tags(tag, trend DESC, idea_id DESC);
CREATE INDEX idea_tags_status_new ON idea_tags(tag, status, idea_id DESC);
CREATE INDEX idea_tags_status_top ON idea_tags(tag, status, votes DESC, idea_id DESC);
CREATE INDEX idea_tags_status_trending ON idea_tags(tag, status, trend DESC, idea_id DESC);
CREATE TABLE idea_tag_counts (
	tag   TEXT PRIMARY KEY,
	ideas INTEGER NOT NULL CHECK (ideas > 0)
) WITHOUT ROWID;
CREATE INDEX idea_tag_counts_popular ON idea_tag_counts(ideas DESC, tag);

-- Votes remember the voter's segment at vote time, so removing a vote
-- decrements the counter it incremented.
CREATE TABLE idea_votes (
	idea_id    TEXT NOT NULL REFERENCES ideas(id),
	user_id    TEXT NOT NULL REFERENCES users(id),
	segment_id TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	PRIMARY KEY (idea_id, user_id)
) WITHOUT ROWID;
CREATE INDEX idea_votes_user ON idea_votes(user_id, idea_id DESC);
CREATE TABLE idea_segment_votes (
	idea_id    TEXT NOT NULL REFERENCES ideas(id),
	segment_id TEXT NOT NULL, -- '' for unsegmented voters
	votes      INTEGER NOT NULL CHECK (votes > 0),
	PRIMARY KEY (idea_id, segment_id)
) WITHOUT ROWID;

CREATE TABLE idea_comments (
	id          TEXT PRIMARY KEY,
	idea_id     TEXT NOT NULL REFERENCES ideas(id),
	author_id   TEXT NOT NULL REFERENCES users(id),
	team        INTEGER NOT NULL DEFAULT 0,
	body        TEXT NOT NULL,
	body_html   TEXT NOT NULL,
	merged_from TEXT REFERENCES ideas(id),
	created_at  INTEGER NOT NULL
);
CREATE INDEX idea_comments_idea ON idea_comments(idea_id, id);

CREATE TABLE idea_status_changes (
	id            TEXT PRIMARY KEY,
	idea_id       TEXT NOT NULL REFERENCES ideas(id),
	from_status   TEXT NOT NULL,
	to_status     TEXT NOT NULL,
	reason        TEXT NOT NULL DEFAULT '',
	response      TEXT NOT NULL DEFAULT '',
	response_html TEXT NOT NULL DEFAULT '',
	actor_id      TEXT NOT NULL REFERENCES users(id),
	created_at    INTEGER NOT NULL
);
CREATE INDEX idea_status_changes_idea ON idea_status_changes(idea_id, id);

-- Similar ideas: the distinct words of each listed idea's title.
CREATE TABLE idea_title_words (
	word    TEXT NOT NULL,
	idea_id TEXT NOT NULL REFERENCES ideas(id),
	PRIMARY KEY (word, idea_id)
) WITHOUT ROWID;
CREATE INDEX idea_title_words_idea ON idea_title_words(idea_id);`,
		// Moderation: hidden ideas and comments, edited and deleted comments.
		// Hidden ideas leave every listing, so the listing indexes are
		// rebuilt with the new condition; hidden comments leave the count.
		`
ALTER TABLE ideas ADD COLUMN hidden_at INTEGER;
ALTER TABLE ideas ADD COLUMN hidden_by TEXT REFERENCES users(id);
ALTER TABLE ideas ADD COLUMN hidden_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE idea_comments ADD COLUMN hidden_at INTEGER;
ALTER TABLE idea_comments ADD COLUMN hidden_by TEXT REFERENCES users(id);
ALTER TABLE idea_comments ADD COLUMN hidden_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE idea_comments ADD COLUMN edited_at INTEGER;
ALTER TABLE idea_comments ADD COLUMN deleted_at INTEGER;
ALTER TABLE idea_comments ADD COLUMN deleted_by TEXT REFERENCES users(id);
DROP INDEX ideas_new;
DROP INDEX ideas_top;
DROP INDEX ideas_trending;
DROP INDEX ideas_status_new;
DROP INDEX ideas_status_top;
DROP INDEX ideas_status_trending;
DROP INDEX ideas_triage;
DROP INDEX ideas_triage_votes;
CREATE INDEX ideas_new ON ideas(id DESC) WHERE merged_into IS NULL AND hidden_at IS NULL;
CREATE INDEX ideas_top ON ideas(votes DESC, id DESC) WHERE merged_into IS NULL AND hidden_at IS NULL;
CREATE INDEX ideas_trending ON ideas(trend DESC, id DESC) WHERE merged_into IS NULL AND hidden_at IS NULL;
CREATE INDEX ideas_status_new ON ideas(status, id DESC) WHERE merged_into IS NULL AND hidden_at IS NULL;
CREATE INDEX ideas_status_top ON ideas(status, votes DESC, id DESC) WHERE merged_into IS NULL AND hidden_at IS NULL;
CREATE INDEX ideas_status_trending ON ideas(status, trend DESC, id DESC) WHERE merged_into IS NULL AND hidden_at IS NULL;
CREATE INDEX ideas_triage ON ideas(id) WHERE responded_at IS NULL AND merged_into IS NULL AND hidden_at IS NULL;
CREATE INDEX ideas_triage_votes ON ideas(votes DESC, id DESC) WHERE responded_at IS NULL AND merged_into IS NULL AND hidden_at IS NULL;
-- The moderators' list of hidden ideas.
CREATE INDEX ideas_hidden ON ideas(id DESC) WHERE hidden_at IS NOT NULL;`)

	registerDocSource(townhall.KindIdea, docSource{load: loadIdeaDoc, list: listIdeaIDs})
}

var _ ideas.Store = (*DB)(nil)

// ideaCols selects an idea with its author, merge target, responder and
// whether the viewer (the first argument) voted; weighted demand is appended
// by queries that need it.
const ideaCols = `i.id, i.title, i.body, i.body_html, i.tags, i.status, i.author_id, u.name,
	i.votes, i.comments, i.trend, COALESCE(i.merged_into, ''), COALESCE(m.title, ''),
	i.response_body, i.response_html, COALESCE(i.response_author_id, ''), COALESCE(ru.name, ''),
	i.response_at, i.status_at, i.responded_at, i.created_at, i.updated_at,
	i.hidden_at, COALESCE(i.hidden_by, ''), COALESCE(hu.name, ''), i.hidden_reason,
	EXISTS(SELECT 1 FROM idea_votes vv WHERE vv.idea_id = i.id AND vv.user_id = ?)`

const ideaJoins = ` JOIN users u ON u.id = i.author_id
	LEFT JOIN ideas m ON m.id = i.merged_into
	LEFT JOIN users ru ON ru.id = i.response_author_id
	LEFT JOIN users hu ON hu.id = i.hidden_by `

// weightedExpr is an idea's demand weighted by its voters' segments, with
// today's weights; a deleted segment (or none) weighs 1. It reads the few
// per-segment counters of one idea, never its votes.
const weightedExpr = `(SELECT COALESCE(SUM(sv.votes * COALESCE(sg.weight, 1)), 0)
	FROM idea_segment_votes sv LEFT JOIN segments sg ON sg.id = sv.segment_id WHERE sv.idea_id = i.id)`

func scanIdea(row scanner, weighted bool) (*ideas.Idea, error) {
	var i ideas.Idea
	var html, tags, respHTML string
	var respBody, respAuthor, respName string
	var respAt, statusAt, respondedAt sql.NullInt64
	var created, updated int64
	var hiddenAt sql.NullInt64
	var hidden ideas.Hidden
	dest := []any{&i.ID, &i.Title, &i.Body, &html, &tags, &i.Status, &i.AuthorID, &i.AuthorName,
		&i.Votes, &i.Comments, &i.Trend, &i.MergedInto, &i.MergedIntoTitle,
		&respBody, &respHTML, &respAuthor, &respName, &respAt, &statusAt, &respondedAt, &created, &updated,
		&hiddenAt, &hidden.ByID, &hidden.ByName, &hidden.Reason, &i.Voted}
	if weighted {
		dest = append(dest, &i.Weighted)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	i.BodyHTML = template.HTML(html) // sanitized by markdown.Render when written
	i.Tags = splitTags(tags)
	if respBody != "" {
		i.Response = &ideas.Response{Body: respBody, BodyHTML: template.HTML(respHTML), AuthorID: respAuthor, AuthorName: respName, At: nullMS(respAt)}
	}
	i.StatusAt, i.RespondedAt = nullMS(statusAt), nullMS(respondedAt)
	i.CreatedAt, i.UpdatedAt = fromMS(created), fromMS(updated)
	if hiddenAt.Valid {
		hidden.At = fromMS(hiddenAt.Int64)
		i.Hidden = &hidden
	}
	return &i, nil
}

func splitTags(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func (db *DB) ideaTx(ctx context.Context, q querier, id, viewerID string) (*ideas.Idea, error) {
	i, err := scanIdea(q.QueryRowContext(ctx, `SELECT `+ideaCols+` FROM ideas i`+ideaJoins+`WHERE i.id = ?`, viewerID, id), false)
	return i, notFound(err, "Idea")
}

// ideaState is what writes check before touching an idea.
type ideaState struct {
	mergedInto string
	trend      float64
	tags       string
	title      string
	hidden     bool
}

func getIdeaState(ctx context.Context, tx *sql.Tx, id, what string) (*ideaState, error) {
	var s ideaState
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(merged_into, ''), trend, tags, title, hidden_at IS NOT NULL FROM ideas WHERE id = ?`, id).
		Scan(&s.mergedInto, &s.trend, &s.tags, &s.title, &s.hidden)
	if err != nil {
		return nil, notFound(err, what)
	}
	return &s, nil
}

func mergedConflict() error {
	return townhall.Errorf(townhall.ECONFLICT, "This idea was merged into another idea; vote and comment there.")
}

func hiddenConflict() error {
	return townhall.Errorf(townhall.ECONFLICT, "This idea is hidden by a moderator; unhide it first.")
}

// openIdea is getIdeaState for writes that merged and hidden ideas refuse.
func openIdea(ctx context.Context, tx *sql.Tx, id string) (*ideaState, error) {
	st, err := getIdeaState(ctx, tx, id, "Idea")
	if err != nil {
		return nil, err
	}
	if st.mergedInto != "" {
		return nil, mergedConflict()
	}
	if st.hidden {
		return nil, hiddenConflict()
	}
	return st, nil
}

// CreateIdea implements ideas.Store.
func (db *DB) CreateIdea(ctx context.Context, idea *ideas.Idea, words []string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var seg string
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(segment_id, '') FROM users WHERE id = ?`, idea.AuthorID).Scan(&seg); err != nil {
			return notFound(err, "User")
		}
		trend := ideas.TrendAdd(0, ideas.TrendExponent(idea.CreatedAt))
		if _, err := tx.ExecContext(ctx, `INSERT INTO ideas(id, author_id, title, body, body_html, tags, status, votes, trend, created_at, updated_at)
			VALUES(?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`, idea.ID, idea.AuthorID, idea.Title, idea.Body, string(idea.BodyHTML),
			strings.Join(idea.Tags, ","), idea.Status, trend, ms(idea.CreatedAt), ms(idea.UpdatedAt)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO idea_votes(idea_id, user_id, segment_id, created_at) VALUES(?, ?, ?, ?)`,
			idea.ID, idea.AuthorID, seg, ms(idea.CreatedAt)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO idea_segment_votes(idea_id, segment_id, votes) VALUES(?, ?, 1)`, idea.ID, seg); err != nil {
			return err
		}
		if err := addTags(ctx, tx, idea.ID, idea.Tags); err != nil {
			return err
		}
		if err := setTitleWords(ctx, tx, idea.ID, words); err != nil {
			return err
		}
		return db.recordChange(ctx, tx, townhall.KindIdea, idea.ID)
	})
}

// addTags adds an idea's tag rows (with its current sort keys) and bumps the tag counts.
func addTags(ctx context.Context, tx *sql.Tx, id string, tags []string) error {
	for _, t := range tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO idea_tags(idea_id, tag, status, votes, trend)
			SELECT id, ?, status, votes, trend FROM ideas WHERE id = ?`, t, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO idea_tag_counts(tag, ideas) VALUES(?, 1)
			ON CONFLICT(tag) DO UPDATE SET ideas = ideas + 1`, t); err != nil {
			return err
		}
	}
	return nil
}

// dropTags removes an idea's tag rows and lowers the tag counts.
func dropTags(ctx context.Context, tx *sql.Tx, id string) error {
	// Delete the counts this idea alone held first, then lower the rest:
	// the other order would delete counts that just dropped to 1.
	if _, err := tx.ExecContext(ctx, `DELETE FROM idea_tag_counts
		WHERE ideas = 1 AND tag IN (SELECT tag FROM idea_tags WHERE idea_id = ?)`, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE idea_tag_counts SET ideas = ideas - 1
		WHERE tag IN (SELECT tag FROM idea_tags WHERE idea_id = ?)`, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM idea_tags WHERE idea_id = ?`, id)
	return err
}

// syncTags copies an idea's sort keys to its tag rows after a vote or status change.
func syncTags(ctx context.Context, tx *sql.Tx, id string) error {
	_, err := tx.ExecContext(ctx, `UPDATE idea_tags SET (status, votes, trend) =
		(SELECT status, votes, trend FROM ideas WHERE id = ?) WHERE idea_id = ?`, id, id)
	return err
}

func setTitleWords(ctx context.Context, tx *sql.Tx, id string, words []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM idea_title_words WHERE idea_id = ?`, id); err != nil {
		return err
	}
	for _, w := range words {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO idea_title_words(word, idea_id) VALUES(?, ?)`, w, id); err != nil {
			return err
		}
	}
	return nil
}

// UpdateIdea implements ideas.Store.
func (db *DB) UpdateIdea(ctx context.Context, idea *ideas.Idea, words []string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		st, err := getIdeaState(ctx, tx, idea.ID, "Idea")
		if err != nil {
			return err
		}
		if st.mergedInto != "" {
			return mergedConflict()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ideas SET title = ?, body = ?, body_html = ?, tags = ?, updated_at = ? WHERE id = ?`,
			idea.Title, idea.Body, string(idea.BodyHTML), strings.Join(idea.Tags, ","), ms(idea.UpdatedAt), idea.ID); err != nil {
			return err
		}
		if st.hidden {
			// A hidden idea has no tag rows or title words until unhidden,
			// which rebuilds them from the columns just written.
			return db.recordChange(ctx, tx, townhall.KindIdea, idea.ID)
		}
		if err := dropTags(ctx, tx, idea.ID); err != nil {
			return err
		}
		if err := addTags(ctx, tx, idea.ID, idea.Tags); err != nil {
			return err
		}
		if err := setTitleWords(ctx, tx, idea.ID, words); err != nil {
			return err
		}
		return db.recordChange(ctx, tx, townhall.KindIdea, idea.ID)
	})
}

// Idea implements ideas.Store.
func (db *DB) Idea(ctx context.Context, id, viewerID string) (*ideas.Idea, error) {
	return db.ideaTx(ctx, db.reader(ctx), id, viewerID)
}

// Ideas implements ideas.Store.
func (db *DB) Ideas(ctx context.Context, q ideas.Query) ([]*ideas.Idea, error) {
	query, args := ideasQuery(q)
	return db.queryIdeas(ctx, query, args, false)
}

func (db *DB) queryIdeas(ctx context.Context, query string, args []any, weighted bool) ([]*ideas.Idea, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*ideas.Idea
	for rows.Next() {
		i, err := scanIdea(rows, weighted)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// ideasQuery builds the SQL of one page query. Each shape walks one index
// in order (see TestIdeaQueriesUseIndexes): the board drives from ideas or,
// with a tag, from idea_tags; "my ideas" from ideas_author; "voted" from
// idea_votes_user.
func ideasQuery(q ideas.Query) (string, []any) {
	args := []any{q.ViewerID}
	var from, where, order string
	cursor := func(key, id string, desc bool) {
		if q.After == nil {
			return
		}
		op := "<"
		if !desc {
			op = ">"
		}
		if key == "" {
			where += " AND " + id + " " + op + " ?"
			args = append(args, q.After.ID)
			return
		}
		where += " AND (" + key + ", " + id + ") " + op + " (?, ?)"
		args = append(args, q.After.Key, q.After.ID)
	}
	switch {
	case q.Hidden:
		from = ` FROM ideas i`
		where = ` WHERE i.hidden_at IS NOT NULL`
		cursor("", "i.id", true)
		order = ` ORDER BY i.id DESC`
	case q.VoterID != "":
		from = ` FROM idea_votes v JOIN ideas i ON i.id = v.idea_id`
		where = ` WHERE v.user_id = ? AND i.hidden_at IS NULL`
		args = append(args, q.VoterID)
		cursor("", "v.idea_id", true)
		order = ` ORDER BY v.idea_id DESC`
	case q.AuthorID != "":
		from = ` FROM ideas i`
		where = ` WHERE i.author_id = ? AND i.hidden_at IS NULL`
		args = append(args, q.AuthorID)
		cursor("", "i.id", true)
		order = ` ORDER BY i.id DESC`
	default:
		t, id := "i", "i.id"
		if q.Tag != "" {
			from = ` FROM idea_tags t JOIN ideas i ON i.id = t.idea_id`
			where = ` WHERE t.tag = ?`
			args = append(args, q.Tag)
			t, id = "t", "t.idea_id"
		} else {
			from = ` FROM ideas i`
			where = ` WHERE i.merged_into IS NULL AND i.hidden_at IS NULL`
		}
		if q.Status != "" {
			where += " AND " + t + ".status = ?"
			args = append(args, string(q.Status))
		}
		key := ""
		switch q.Sort {
		case ideas.SortTop:
			key = t + ".votes"
		case ideas.SortTrending:
			key = t + ".trend"
		}
		cursor(key, id, true)
		if key != "" {
			order = " ORDER BY " + key + " DESC, " + id + " DESC"
		} else {
			order = " ORDER BY " + id + " DESC"
		}
	}
	args = append(args, q.Limit)
	return `SELECT ` + ideaCols + from + ideaJoins + where + order + ` LIMIT ?`, args
}

// Vote implements ideas.Store.
func (db *DB) Vote(ctx context.Context, ideaID, userID string, at time.Time) (bool, error) {
	var added bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		st, err := openIdea(ctx, tx, ideaID)
		if err != nil {
			return err
		}
		var seg string
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(segment_id, '') FROM users WHERE id = ?`, userID).Scan(&seg); err != nil {
			return notFound(err, "User")
		}
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO idea_votes(idea_id, user_id, segment_id, created_at) VALUES(?, ?, ?, ?)`,
			ideaID, userID, seg, ms(at))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		added = true
		return countVote(ctx, tx, ideaID, seg, ideas.TrendAdd(st.trend, ideas.TrendExponent(at)))
	})
	return added, err
}

// countVote applies one added vote to the idea's counters.
func countVote(ctx context.Context, tx *sql.Tx, ideaID, seg string, trend float64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE ideas SET votes = votes + 1, trend = ? WHERE id = ?`, trend, ideaID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO idea_segment_votes(idea_id, segment_id, votes) VALUES(?, ?, 1)
		ON CONFLICT(idea_id, segment_id) DO UPDATE SET votes = votes + 1`, ideaID, seg); err != nil {
		return err
	}
	return syncTags(ctx, tx, ideaID)
}

// Unvote implements ideas.Store.
func (db *DB) Unvote(ctx context.Context, ideaID, userID string) (bool, error) {
	var removed bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		st, err := openIdea(ctx, tx, ideaID)
		if err != nil {
			return err
		}
		var seg string
		var at int64
		err = tx.QueryRowContext(ctx, `DELETE FROM idea_votes WHERE idea_id = ? AND user_id = ? RETURNING segment_id, created_at`,
			ideaID, userID).Scan(&seg, &at)
		if err == sql.ErrNoRows {
			return nil
		} else if err != nil {
			return err
		}
		removed = true
		trend, ok := ideas.TrendRemove(st.trend, ideas.TrendExponent(fromMS(at)))
		if !ok {
			if trend, err = recomputeTrend(ctx, tx, ideaID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ideas SET votes = votes - 1, trend = ? WHERE id = ?`, trend, ideaID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM idea_segment_votes WHERE idea_id = ? AND segment_id = ? AND votes = 1`, ideaID, seg)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE idea_segment_votes SET votes = votes - 1 WHERE idea_id = ? AND segment_id = ?`, ideaID, seg); err != nil {
				return err
			}
		}
		return syncTags(ctx, tx, ideaID)
	})
	return removed, err
}

// recomputeTrend rebuilds an idea's trend score from its votes; unvotes use
// it only when the removed vote carried nearly all of the score.
func recomputeTrend(ctx context.Context, tx *sql.Tx, ideaID string) (float64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT created_at FROM idea_votes WHERE idea_id = ?`, ideaID)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var trend float64
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			return 0, err
		}
		trend = ideas.TrendAdd(trend, ideas.TrendExponent(fromMS(at)))
	}
	return trend, rows.Err()
}

// AddComment implements ideas.Store.
func (db *DB) AddComment(ctx context.Context, c *ideas.Comment) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := openIdea(ctx, tx, c.IdeaID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO idea_comments(id, idea_id, author_id, team, body, body_html, created_at)
			VALUES(?, ?, ?, ?, ?, ?, ?)`, c.ID, c.IdeaID, c.AuthorID, boolInt(c.Team), c.Body, string(c.BodyHTML), ms(c.CreatedAt)); err != nil {
			return err
		}
		responded := ""
		if c.Team {
			responded = ", responded_at = COALESCE(responded_at, ?)"
		}
		args := []any{}
		if c.Team {
			args = append(args, ms(c.CreatedAt))
		}
		_, err := tx.ExecContext(ctx, `UPDATE ideas SET comments = comments + 1`+responded+` WHERE id = ?`, append(args, c.IdeaID)...)
		return err
	})
}

// ChangeStatus implements ideas.Store.
func (db *DB) ChangeStatus(ctx context.Context, ch *ideas.StatusChange) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := openIdea(ctx, tx, ch.IdeaID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO idea_status_changes(id, idea_id, from_status, to_status, reason, response, response_html, actor_id, created_at)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`, ch.ID, ch.IdeaID, ch.From, ch.To, ch.Reason, ch.Response, string(ch.ResponseHTML), ch.ActorID, ms(ch.At)); err != nil {
			return err
		}
		at := ms(ch.At)
		if _, err := tx.ExecContext(ctx, `UPDATE ideas SET status = ?, status_at = ?, responded_at = COALESCE(responded_at, ?) WHERE id = ?`,
			ch.To, at, at, ch.IdeaID); err != nil {
			return err
		}
		if ch.Response != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE ideas SET response_body = ?, response_html = ?, response_author_id = ?, response_at = ? WHERE id = ?`,
				ch.Response, string(ch.ResponseHTML), ch.ActorID, at, ch.IdeaID); err != nil {
				return err
			}
		}
		if err := syncTags(ctx, tx, ch.IdeaID); err != nil {
			return err
		}
		return db.recordChange(ctx, tx, townhall.KindIdea, ch.IdeaID)
	})
}

// StatusHistory implements ideas.Store.
func (db *DB) StatusHistory(ctx context.Context, ideaID string) ([]*ideas.StatusChange, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT h.id, h.idea_id, h.from_status, h.to_status, h.reason, h.response, h.response_html,
		h.actor_id, u.name, h.created_at FROM idea_status_changes h JOIN users u ON u.id = h.actor_id
		WHERE h.idea_id = ? ORDER BY h.id`, ideaID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*ideas.StatusChange
	for rows.Next() {
		var h ideas.StatusChange
		var html string
		var at int64
		if err := rows.Scan(&h.ID, &h.IdeaID, &h.From, &h.To, &h.Reason, &h.Response, &html, &h.ActorID, &h.ActorName, &at); err != nil {
			return nil, err
		}
		h.ResponseHTML = template.HTML(html) // sanitized by markdown.Render when written
		h.At = fromMS(at)
		out = append(out, &h)
	}
	return out, rows.Err()
}

// Merge implements ideas.Store.
func (db *DB) Merge(ctx context.Context, dupID, intoID string, at time.Time) (bool, error) {
	var merged bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		dup, err := getIdeaState(ctx, tx, dupID, "Idea")
		if err != nil {
			return err
		}
		into, err := getIdeaState(ctx, tx, intoID, "The idea to merge into")
		if err != nil {
			return err
		}
		switch {
		case dup.mergedInto == intoID:
			return nil // already done: merging is idempotent
		case dup.mergedInto != "":
			return townhall.Errorf(townhall.ECONFLICT, "This idea was already merged into another idea.")
		case into.mergedInto != "":
			return townhall.Errorf(townhall.ECONFLICT, "“%s” was itself merged into another idea; merge into that one.", into.title)
		case dup.hidden || into.hidden:
			return townhall.Errorf(townhall.ECONFLICT, "Hidden ideas cannot be merged; unhide it first.")
		}
		merged = true
		if err := moveVotes(ctx, tx, dupID, intoID, into.trend); err != nil {
			return err
		}
		var comments int
		if err := tx.QueryRowContext(ctx, `SELECT comments FROM ideas WHERE id = ?`, dupID).Scan(&comments); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE idea_comments SET idea_id = ?, merged_from = COALESCE(merged_from, ?) WHERE idea_id = ?`,
			intoID, dupID, dupID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ideas SET comments = comments + ? WHERE id = ?`, comments, intoID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ideas SET merged_into = ?, votes = 0, trend = 0, comments = 0, updated_at = ? WHERE id = ?`,
			intoID, ms(at), dupID); err != nil {
			return err
		}
		// Ideas merged into the duplicate earlier now lead straight to the target.
		rows, err := tx.QueryContext(ctx, `UPDATE ideas SET merged_into = ? WHERE merged_into = ? RETURNING id`, intoID, dupID)
		if err != nil {
			return err
		}
		var chained []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			chained = append(chained, id)
		}
		rows.Close()
		if err := dropTags(ctx, tx, dupID); err != nil {
			return err
		}
		if err := setTitleWords(ctx, tx, dupID, nil); err != nil {
			return err
		}
		if err := syncTags(ctx, tx, intoID); err != nil {
			return err
		}
		for _, id := range append([]string{dupID, intoID}, chained...) {
			if err := db.recordChange(ctx, tx, townhall.KindIdea, id); err != nil {
				return err
			}
		}
		return nil
	})
	return merged, err
}

// moveVotes moves the duplicate's votes to the target; a voter who voted for
// both keeps their one vote on the target.
func moveVotes(ctx context.Context, tx *sql.Tx, dupID, intoID string, trend float64) error {
	rows, err := tx.QueryContext(ctx, `SELECT user_id, segment_id, created_at FROM idea_votes WHERE idea_id = ?`, dupID)
	if err != nil {
		return err
	}
	type vote struct {
		user, seg string
		at        int64
	}
	var votes []vote
	for rows.Next() {
		var v vote
		if err := rows.Scan(&v.user, &v.seg, &v.at); err != nil {
			rows.Close()
			return err
		}
		votes = append(votes, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, v := range votes {
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO idea_votes(idea_id, user_id, segment_id, created_at) VALUES(?, ?, ?, ?)`,
			intoID, v.user, v.seg, v.at)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		trend = ideas.TrendAdd(trend, ideas.TrendExponent(fromMS(v.at)))
		if err := countVote(ctx, tx, intoID, v.seg, trend); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM idea_votes WHERE idea_id = ?`, dupID); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM idea_segment_votes WHERE idea_id = ?`, dupID)
	return err
}

// MergedFrom implements ideas.Store.
func (db *DB) MergedFrom(ctx context.Context, ideaID string) ([]ideas.Ref, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT id, title, votes FROM ideas WHERE merged_into = ? ORDER BY id`, ideaID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ideas.Ref
	for rows.Next() {
		var r ideas.Ref
		if err := rows.Scan(&r.ID, &r.Title, &r.Votes); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Followers implements ideas.Store.
func (db *DB) Followers(ctx context.Context, ideaID string) ([]string, error) {
	return queryAll(ctx, db.reader(ctx), scanString, `SELECT author_id FROM ideas WHERE id = ?
		UNION SELECT user_id FROM idea_votes WHERE idea_id = ?
		UNION SELECT author_id FROM idea_comments WHERE idea_id = ?`, ideaID, ideaID, ideaID)
}

// Demand implements ideas.Store.
func (db *DB) Demand(ctx context.Context, ideaID string) ([]ideas.SegmentDemand, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT COALESCE(sg.id, ''), COALESCE(sg.name, ''), COALESCE(sg.weight, 1), SUM(sv.votes)
		FROM idea_segment_votes sv LEFT JOIN segments sg ON sg.id = sv.segment_id
		WHERE sv.idea_id = ? GROUP BY 1, 2, 3 ORDER BY SUM(sv.votes) * COALESCE(sg.weight, 1) DESC, 2`, ideaID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ideas.SegmentDemand
	for rows.Next() {
		var d ideas.SegmentDemand
		if err := rows.Scan(&d.SegmentID, &d.Name, &d.Weight, &d.Votes); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// triageQuery builds the SQL of one triage page. Oldest and votes walk
// their partial indexes; demand depends on today's segment weights, so it
// is computed over the (small) queue of ideas awaiting a first response.
func triageQuery(q ideas.TriageQuery) (string, []any) {
	base := `SELECT ` + ideaCols + `, ` + weightedExpr + ` AS weighted FROM ideas i` + ideaJoins +
		`WHERE i.responded_at IS NULL AND i.merged_into IS NULL AND i.hidden_at IS NULL`
	args := []any{""}
	switch q.Sort {
	case ideas.TriageVotes:
		if q.After != nil {
			base += ` AND (i.votes, i.id) < (?, ?)`
			args = append(args, q.After.Key, q.After.ID)
		}
		return base + ` ORDER BY i.votes DESC, i.id DESC LIMIT ?`, append(args, q.Limit)
	case ideas.TriageDemand:
		outer := `SELECT * FROM (` + base + `) x`
		if q.After != nil {
			outer += ` WHERE (x.weighted, x.id) < (?, ?)`
			args = append(args, q.After.Key, q.After.ID)
		}
		return outer + ` ORDER BY x.weighted DESC, x.id DESC LIMIT ?`, append(args, q.Limit)
	}
	if q.After != nil {
		base += ` AND i.id > ?`
		args = append(args, q.After.ID)
	}
	return base + ` ORDER BY i.id LIMIT ?`, append(args, q.Limit)
}

// Triage implements ideas.Store.
func (db *DB) Triage(ctx context.Context, q ideas.TriageQuery) ([]*ideas.Idea, error) {
	query, args := triageQuery(q)
	return db.queryIdeas(ctx, query, args, true)
}

// ExportIdeas implements ideas.Store.
func (db *DB) ExportIdeas(ctx context.Context, after string, limit int) ([]*ideas.Idea, error) {
	return db.queryIdeas(ctx, `SELECT `+ideaCols+`, `+weightedExpr+` FROM ideas i`+ideaJoins+
		`WHERE i.id > ? AND i.hidden_at IS NULL ORDER BY i.id LIMIT ?`, []any{"", after, limit}, true)
}

// similarPerWord caps how many ideas one word may contribute, so a word in
// thousands of titles ("reports") costs a bounded index range, not a scan;
// the newest ideas with that word are the ones considered.
const similarPerWord = 200

// Similar implements ideas.Store.
func (db *DB) Similar(ctx context.Context, words []string, prefix string, limit int) ([]*ideas.Idea, error) {
	var parts []string
	args := []any{""} // no viewer
	for _, w := range words {
		parts = append(parts, `SELECT * FROM (SELECT idea_id FROM idea_title_words WHERE word = ? ORDER BY idea_id DESC LIMIT ?)`)
		args = append(args, w, similarPerWord)
	}
	if prefix != "" {
		// U+10FFFF sorts after every character that may follow the prefix.
		parts = append(parts, `SELECT * FROM (SELECT idea_id FROM idea_title_words WHERE word >= ? AND word < ? LIMIT ?)`)
		args = append(args, prefix, prefix+"\U0010FFFF", similarPerWord)
	}
	if len(parts) == 0 {
		return nil, nil
	}
	args = append(args, limit)
	return db.queryIdeas(ctx, `SELECT `+ideaCols+` FROM (SELECT idea_id, COUNT(*) AS n FROM (`+strings.Join(parts, " UNION ALL ")+
		`) GROUP BY idea_id) w JOIN ideas i ON i.id = w.idea_id`+ideaJoins+
		`WHERE i.merged_into IS NULL AND i.hidden_at IS NULL ORDER BY w.n DESC, i.votes DESC, i.id DESC LIMIT ?`, args, false)
}

// PopularTags implements ideas.Store.
func (db *DB) PopularTags(ctx context.Context, limit int) ([]ideas.TagCount, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT tag, ideas FROM idea_tag_counts ORDER BY ideas DESC, tag LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ideas.TagCount
	for rows.Next() {
		var t ideas.TagCount
		if err := rows.Scan(&t.Tag, &t.Ideas); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func loadIdeaDoc(ctx context.Context, q querier, id string) (*townhall.SearchDoc, error) {
	doc := &townhall.SearchDoc{Kind: townhall.KindIdea, ID: id, URL: "/ideas/" + id}
	var tags, merged string
	var created int64
	var hidden bool
	err := q.QueryRowContext(ctx, `SELECT i.title, i.body, i.tags, i.status, u.name, i.author_id, COALESCE(i.merged_into, ''), i.created_at,
		i.hidden_at IS NOT NULL FROM ideas i JOIN users u ON u.id = i.author_id WHERE i.id = ?`, id).
		Scan(&doc.Title, &doc.Body, &tags, &doc.Status, &doc.Author, &doc.AuthorID, &merged, &created, &hidden)
	if err == sql.ErrNoRows {
		return doc, nil
	} else if err != nil {
		return nil, err
	}
	doc.Tags = splitTags(tags)
	doc.Created = fromMS(created)
	doc.Visible = merged == "" && !hidden
	return doc, nil
}

func listIdeaIDs(ctx context.Context, q querier, after string, limit int) ([]string, error) {
	return queryAll(ctx, q, scanString, `SELECT id FROM ideas WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
}
