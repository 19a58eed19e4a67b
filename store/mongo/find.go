package mongo

import (
	"context"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// findIDs returns the _id of up to limit documents of coll matching filter,
// in _id order (dir 1) or newest first (dir -1), reading only the _id.
func findIDs(ctx context.Context, coll *mongo.Collection, filter bson.D, dir, limit int) ([]string, error) {
	cur, err := coll.Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "_id", Value: dir}}).SetLimit(int64(limit)).SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids, nil
}

// markedBy says which of ids userID has a document for in coll, where a
// document's _id is the id, a colon and the user's id (idea votes, likes,
// helpful votes): one $in on _id, true entries only.
func markedBy(ctx context.Context, coll *mongo.Collection, userID string, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = id + ":" + userID
	}
	found, err := findIDs(ctx, coll, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}}, 1, len(keys))
	if err != nil {
		return nil, err
	}
	for _, k := range found {
		out[strings.TrimSuffix(k, ":"+userID)] = true
	}
	return out, nil
}

// stringsByID maps the _id of each document of coll among ids to its string
// field (users to names, ideas to titles) in one query, reading only that field.
func stringsByID(ctx context.Context, coll *mongo.Collection, ids []string, field string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	cur, err := coll.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: field, Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []bson.Raw
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	for _, d := range docs {
		id, _ := d.Lookup("_id").StringValueOK()
		v, _ := d.Lookup(field).StringValueOK()
		out[id] = v
	}
	return out, nil
}

// findField returns one string field of every document of coll matching
// filter, in the order o sorts them (o may be nil), reading only that field.
func findField(ctx context.Context, coll *mongo.Collection, filter bson.D, field string, o *options.FindOptionsBuilder) ([]string, error) {
	if o == nil {
		o = options.Find()
	}
	cur, err := coll.Find(ctx, filter, o.SetProjection(bson.D{{Key: field, Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []bson.Raw
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(docs))
	for _, d := range docs {
		v, _ := d.Lookup(field).StringValueOK()
		out = append(out, v)
	}
	return out, nil
}
