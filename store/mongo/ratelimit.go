package mongo

import (
	"context"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Allow counts one write for key against perMinute, shared by every app
// node on this database (web.RateLimiter; the web layer's in-memory token
// buckets count per node, so N nodes would allow N times the rate). It
// uses fixed one-minute windows: one document
// per key and minute, counted with an atomic upserting $inc, and removed by
// a TTL index a minute after its window ends. A fixed window lets a burst
// of up to 2×perMinute straddle a window boundary; that is the price of one
// round trip per write and no read-modify-write race between nodes.
func (db *DB) Allow(ctx context.Context, key string, perMinute int, now time.Time) (bool, time.Duration, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	window := now.UTC().Truncate(time.Minute)
	end := window.Add(time.Minute)
	id := key + "@" + strconv.FormatInt(window.Unix(), 10)
	var doc struct {
		N int `bson:"n"`
	}
	update := bson.D{
		{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "expires_at", Value: end.Add(time.Minute)}}},
	}
	o := options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)
	err := db.rates.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}}, update, o).Decode(&doc)
	if mongo.IsDuplicateKeyError(err) { // two first upserts raced; the document exists now
		err = db.rates.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}}, update, o).Decode(&doc)
	}
	if err != nil {
		return false, 0, err
	}
	if doc.N <= perMinute {
		return true, 0, nil
	}
	return false, end.Sub(now), nil
}

// PruneRateLimits deletes finished windows. MongoDB's TTL index does this on
// its own; servers without TTL indexes need it called periodically, like
// auth's session pruning.
func (db *DB) PruneRateLimits(ctx context.Context, now time.Time) (int, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	res, err := db.rates.DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}})
	if err != nil {
		return 0, err
	}
	return int(res.DeletedCount), nil
}
