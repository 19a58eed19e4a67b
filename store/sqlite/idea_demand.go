package sqlite

import (
	"context"

	"github.com/townhall/townhall/ideas"
)

// weightedExpr is an idea's demand weighted by its voters' segments, with
// today's weights; a deleted segment (or none) weighs 1. It reads the few
// per-segment counters of one idea, never its votes.
const weightedExpr = `(SELECT COALESCE(SUM(sv.votes * COALESCE(sg.weight, 1)), 0)
	FROM idea_segment_votes sv LEFT JOIN segments sg ON sg.id = sv.segment_id WHERE sv.idea_id = i.id)`

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
