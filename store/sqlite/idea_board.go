package sqlite

import (
	"context"
	"strings"

	"github.com/townhall/townhall/ideas"
)

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
	cols := ideaCols
	if q.Cards {
		cols = ideaCardCols
	}
	return `SELECT ` + cols + from + ideaJoins + where + order + ` LIMIT ?`, args
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
