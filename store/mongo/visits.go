package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Visits are one document per person per day ("day:user" as _id), so the
// first visit of a day is the insert that succeeds and a repeated one is a
// duplicate key; the user's counters move only after a successful insert.
func init() {
	registerIndexes(func(db *DB) []index {
		c := db.visits()
		return []index{
			{c, "day", bson.D{{Key: "day", Value: 1}, {Key: "user_id", Value: 1}}, false, false},
			{c, "user", bson.D{{Key: "user_id", Value: 1}, {Key: "day", Value: 1}}, false, false},
		}
	})
}

type visitDoc struct {
	ID     string `bson:"_id"`
	Day    string `bson:"day"`
	UserID string `bson:"user_id"`
	At     int64  `bson:"at"`
}

func visitKey(day, userID string) string { return day + ":" + userID }

func (db *DB) visits() *mongo.Collection { return db.db.Collection("visits") }

// RecordVisit implements auth.Store.
func (db *DB) RecordVisit(ctx context.Context, userID, day string, at time.Time) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	err := db.insert(ctx, db.visits(), visitDoc{ID: visitKey(day, userID), Day: day, UserID: userID, At: ms(at)})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	_, err = db.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}}, bson.D{
		{Key: "$inc", Value: bson.D{{Key: "days_visited", Value: 1}}},
		{Key: "$max", Value: bson.D{{Key: "last_seen_at", Value: ms(at)}}},
	})
	return true, err
}
