package sqlite

import (
	"context"
	"database/sql"
	"html/template"
	"strings"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
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

	registerDocSource(townhall.KindIdea, docSource{load: loadIdeaDoc, list: listIDs("ideas")})
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

// ideaCardCols is ideaCols without the texts a card does not show
// (ideas.Query.Cards): the body, its HTML and the official response.
var ideaCardCols = strings.NewReplacer("i.body, i.body_html,", "'', '',",
	"i.response_body, i.response_html,", "'', '',").Replace(ideaCols)

const ideaJoins = ` JOIN users u ON u.id = i.author_id
	LEFT JOIN ideas m ON m.id = i.merged_into
	LEFT JOIN users ru ON ru.id = i.response_author_id
	LEFT JOIN users hu ON hu.id = i.hidden_by `

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
	return i, notFound(err, ideas.ErrNotFound)
}

// ideaState is what writes check before touching an idea.
type ideaState struct {
	mergedInto string
	trend      float64
	tags       string
	title      string
	hidden     bool
}

func getIdeaState(ctx context.Context, tx *sql.Tx, id string, nf *townhall.Error) (*ideaState, error) {
	var s ideaState
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(merged_into, ''), trend, tags, title, hidden_at IS NOT NULL FROM ideas WHERE id = ?`, id).
		Scan(&s.mergedInto, &s.trend, &s.tags, &s.title, &s.hidden)
	if err != nil {
		return nil, notFound(err, nf)
	}
	return &s, nil
}

// openIdea is getIdeaState for writes that merged and hidden ideas refuse.
func openIdea(ctx context.Context, tx *sql.Tx, id string) (*ideaState, error) {
	st, err := getIdeaState(ctx, tx, id, ideas.ErrNotFound)
	if err != nil {
		return nil, err
	}
	if st.mergedInto != "" {
		return nil, ideas.ErrMerged
	}
	if st.hidden {
		return nil, ideas.ErrHidden
	}
	return st, nil
}

// CreateIdea implements ideas.Store.
func (db *DB) CreateIdea(ctx context.Context, idea *ideas.Idea, words []string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var seg string
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(segment_id, '') FROM users WHERE id = ?`, idea.AuthorID).Scan(&seg); err != nil {
			return notFound(err, auth.ErrUserNotFound)
		}
		trend := ideas.TrendAdd(0, ideas.TrendExponent(idea.CreatedAt))
		var hiddenAt sql.NullInt64
		var hiddenBy, hiddenReason string
		if h := idea.Hidden; h != nil {
			hiddenAt, hiddenBy, hiddenReason = sql.NullInt64{Int64: ms(h.At), Valid: true}, h.ByID, h.Reason
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ideas(id, author_id, title, body, body_html, tags, status, votes, trend, created_at, updated_at,
			hidden_at, hidden_by, hidden_reason) VALUES(?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, NULLIF(?, ''), ?)`, idea.ID, idea.AuthorID, idea.Title,
			idea.Body, string(idea.BodyHTML), strings.Join(idea.Tags, ","), idea.Status, trend, ms(idea.CreatedAt), ms(idea.UpdatedAt),
			hiddenAt, hiddenBy, hiddenReason); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO idea_votes(idea_id, user_id, segment_id, created_at) VALUES(?, ?, ?, ?)`,
			idea.ID, idea.AuthorID, seg, ms(idea.CreatedAt)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO idea_segment_votes(idea_id, segment_id, votes) VALUES(?, ?, 1)`, idea.ID, seg); err != nil {
			return err
		}
		if idea.Hidden == nil { // a hidden idea is listed when unhidden
			if err := listIdea(ctx, tx, idea.ID, idea.Tags, words); err != nil {
				return err
			}
		}
		return db.recordChange(ctx, tx, townhall.KindIdea, idea.ID)
	})
}

// listIdea gives an idea what listings and "similar ideas" read: its tag
// rows, tag counts and title words. unlistIdea takes them away again.
func listIdea(ctx context.Context, tx *sql.Tx, id string, tags, words []string) error {
	if err := addTags(ctx, tx, id, tags); err != nil {
		return err
	}
	return setTitleWords(ctx, tx, id, words)
}

// unlistIdea removes an idea's tag rows, tag counts and title words.
func unlistIdea(ctx context.Context, tx *sql.Tx, id string) error {
	if err := dropTags(ctx, tx, id); err != nil {
		return err
	}
	return setTitleWords(ctx, tx, id, nil)
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
		st, err := getIdeaState(ctx, tx, idea.ID, ideas.ErrNotFound)
		if err != nil {
			return err
		}
		if st.mergedInto != "" {
			return ideas.ErrMerged
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
		if err := listIdea(ctx, tx, idea.ID, idea.Tags, words); err != nil {
			return err
		}
		return db.recordChange(ctx, tx, townhall.KindIdea, idea.ID)
	})
}

// Idea implements ideas.Store.
func (db *DB) Idea(ctx context.Context, id, viewerID string) (*ideas.Idea, error) {
	return db.ideaTx(ctx, db.reader(ctx), id, viewerID)
}

// loadIdeaDoc reads what the idea's search document needs (ideas.Idea
// builds the document).
func loadIdeaDoc(ctx context.Context, q querier, id string) (*townhall.SearchDoc, error) {
	i := ideas.Idea{ID: id}
	var tags string
	var created int64
	var hidden bool
	err := q.QueryRowContext(ctx, `SELECT i.title, i.body, i.tags, i.status, u.name, i.author_id, COALESCE(i.merged_into, ''), i.created_at,
		i.hidden_at IS NOT NULL FROM ideas i JOIN users u ON u.id = i.author_id WHERE i.id = ?`, id).
		Scan(&i.Title, &i.Body, &tags, &i.Status, &i.AuthorName, &i.AuthorID, &i.MergedInto, &created, &hidden)
	if err == sql.ErrNoRows {
		return townhall.GoneDoc(townhall.KindIdea, id), nil
	} else if err != nil {
		return nil, err
	}
	i.Tags = splitTags(tags)
	i.CreatedAt = fromMS(created)
	if hidden {
		i.Hidden = &ideas.Hidden{} // only whether it is hidden matters to search
	}
	return i.SearchDoc(), nil
}
