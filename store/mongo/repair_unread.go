package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// repairUnread recomputes each person's unread-notification counter from
// their unread notifications: a node that died between storing a batch of
// notifications and bumping its recipients' counters, or between marking
// a thread's notifications read and lowering the counter, leaves it off.
func (db *DB) repairUnread(ctx context.Context, fix bool) ([]string, error) {
	counts, err := countBy(ctx, db.notifications, bson.D{{Key: "read", Value: false}}, "$user_id")
	if err != nil {
		return nil, err
	}
	cur, err := db.users.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "unread", Value: 1}}))
	if err != nil {
		return nil, err
	}
	defer cur.Close(ctx)
	var out []string
	for cur.Next(ctx) {
		var u struct {
			ID     string `bson:"_id"`
			Unread int    `bson:"unread"`
		}
		if err := cur.Decode(&u); err != nil {
			return out, err
		}
		if n := counts[u.ID]; u.Unread != n {
			out = append(out, fmt.Sprintf("user %s: %d unread counted, %d unread notifications", u.ID, u.Unread, n))
			if fix {
				if _, err := db.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: u.ID}},
					bson.D{{Key: "$set", Value: bson.D{{Key: "unread", Value: n}}}}); err != nil {
					return out, err
				}
			}
		}
	}
	return out, cur.Err()
}
