package mongo

import (
	"context"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

// weights maps segment ids to today's weights.
func (db *DB) weights(ctx context.Context) (map[string]townhall.Segment, error) {
	segs, err := db.Segments(ctx)
	if err != nil {
		return nil, err
	}
	m := map[string]townhall.Segment{}
	for _, s := range segs {
		m[s.ID] = *s
	}
	return m, nil
}

func weighted(d *ideaDoc, w map[string]townhall.Segment) float64 {
	var sum float64
	for k, n := range d.SegVotes {
		weight := 1.0
		if s, ok := w[k]; ok {
			weight = s.Weight
		}
		sum += float64(n) * weight
	}
	return sum
}

// Demand implements ideas.Store; votes of deleted segments count as unsegmented.
func (db *DB) Demand(ctx context.Context, ideaID string) ([]ideas.SegmentDemand, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	d, err := db.ideaDoc(ctx, ideaID, ideas.ErrNotFound)
	if err != nil {
		return nil, err
	}
	w, err := db.weights(ctx)
	if err != nil {
		return nil, err
	}
	by := map[string]*ideas.SegmentDemand{}
	for k, n := range d.SegVotes {
		if n <= 0 {
			continue
		}
		s, ok := w[k]
		if !ok {
			s = townhall.Segment{Weight: 1}
		}
		if by[s.ID] == nil {
			by[s.ID] = &ideas.SegmentDemand{SegmentID: s.ID, Name: s.Name, Weight: s.Weight}
		}
		by[s.ID].Votes += n
	}
	out := make([]ideas.SegmentDemand, 0, len(by))
	for _, x := range by {
		out = append(out, *x)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := out[i].Weighted(), out[j].Weighted(); a != b {
			return a > b
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// Triage implements ideas.Store. Oldest and votes walk their indexes;
// demand depends on today's segment weights, so it is computed over the
// (small) queue of ideas awaiting a first response.
func (db *DB) Triage(ctx context.Context, q ideas.TriageQuery) ([]*ideas.Idea, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	filter := bson.D{{Key: "awaiting", Value: true}}
	switch q.Sort {
	case ideas.TriageVotes:
		if q.After != nil {
			filter = append(filter, keysetBefore("votes", q.After)...)
		}
		return db.findIdeas(ctx, filter, bson.D{{Key: "votes", Value: -1}, {Key: "_id", Value: -1}}, q.Limit, "", true)
	case ideas.TriageDemand:
		all, err := db.findIdeas(ctx, filter, bson.D{{Key: "_id", Value: 1}}, 0, "", true)
		if err != nil {
			return nil, err
		}
		sort.SliceStable(all, func(i, j int) bool {
			if all[i].Weighted != all[j].Weighted {
				return all[i].Weighted > all[j].Weighted
			}
			return all[i].ID > all[j].ID
		})
		var out []*ideas.Idea
		for _, i := range all {
			if q.After != nil && (i.Weighted > q.After.Key || i.Weighted == q.After.Key && i.ID >= q.After.ID) {
				continue
			}
			if len(out) == q.Limit {
				break
			}
			out = append(out, i)
		}
		return out, nil
	}
	if q.After != nil {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: q.After.ID}}})
	}
	return db.findIdeas(ctx, filter, bson.D{{Key: "_id", Value: 1}}, q.Limit, "", true)
}

// ExportIdeas implements ideas.Store.
func (db *DB) ExportIdeas(ctx context.Context, after string, limit int) ([]*ideas.Idea, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	return db.findIdeas(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}}, {Key: "hidden", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "_id", Value: 1}}, limit, "", true)
}
