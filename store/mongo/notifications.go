package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/notify"
)

var _ notify.Store = (*DB)(nil)

// notificationDoc is one notification; they grow without bound per user, so
// they are their own collection, paged through the (user_id, _id) index.
type notificationDoc struct {
	ID        string `bson:"_id"`
	UserID    string `bson:"user_id"`
	Kind      string `bson:"kind"`
	Text      string `bson:"text"`
	URL       string `bson:"url"`
	CreatedAt int64  `bson:"created_at"`
	Read      bool   `bson:"read"`
}

// AddNotifications implements notify.Store. Unknown and deleted users are skipped; the
// notifications are inserted first and the unread counters bumped after,
// so an interruption can only under-count the header badge (the notify
// package accepts a lost notification as a nuisance, not a corruption).
func (db *DB) AddNotifications(ctx context.Context, userIDs []string, n notify.Notification) error {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.users.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: userIDs}}},
		{Key: "deleted_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return err
	}
	var found []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &found); err != nil {
		return err
	}
	if len(found) == 0 {
		return nil
	}
	docs := make([]any, 0, len(found))
	ids := make([]string, 0, len(found))
	for _, u := range found {
		docs = append(docs, notificationDoc{ID: townhall.NewID(), UserID: u.ID, Kind: n.Kind, Text: n.Text, URL: n.URL, CreatedAt: ms(n.CreatedAt)})
		ids = append(ids, u.ID)
	}
	if _, err := db.notifications.InsertMany(ctx, docs); err != nil {
		return err
	}
	_, err = db.users.UpdateMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "unread", Value: 1}}}})
	return err
}

// Notifications implements notify.Store.
func (db *DB) Notifications(ctx context.Context, userID, before string, limit int) ([]*notify.Notification, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	if before == "" {
		before = "~" // sorts after every id
	}
	cur, err := db.notifications.Find(ctx, bson.D{{Key: "user_id", Value: userID}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: before}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	var docs []notificationDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]*notify.Notification, 0, len(docs))
	for _, d := range docs {
		out = append(out, &notify.Notification{ID: d.ID, UserID: d.UserID, Kind: d.Kind, Text: d.Text, URL: d.URL, CreatedAt: fromMS(d.CreatedAt), Read: d.Read})
	}
	return out, nil
}

// MarkNotificationsRead implements notify.Store.
func (db *DB) MarkNotificationsRead(ctx context.Context, userID string) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if _, err := db.notifications.UpdateMany(ctx, bson.D{{Key: "user_id", Value: userID}, {Key: "read", Value: false}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "read", Value: true}}}}); err != nil {
		return err
	}
	_, err := db.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "unread", Value: 0}}}})
	return err
}
