package mongo

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall/notify"
)

var _ notify.Store = (*DB)(nil)

// notificationDoc is one notification; they grow without bound per user, so
// they are their own collection, paged through the (user_id, _id) index.
// grp and mail_key are email's (see email.go); documents written before
// email existed lack them and are never emailed.
type notificationDoc struct {
	ID        string `bson:"_id"`
	UserID    string `bson:"user_id"`
	Kind      string `bson:"kind"`
	Text      string `bson:"text"`
	URL       string `bson:"url"`
	CreatedAt int64  `bson:"created_at"`
	Read      bool   `bson:"read"`
	Group     string `bson:"grp"`
	MailKey   string `bson:"mail_key"`
}

func (d *notificationDoc) notification() *notify.Notification {
	return &notify.Notification{ID: d.ID, UserID: d.UserID, Kind: d.Kind, Text: d.Text, URL: d.URL,
		CreatedAt: fromMS(d.CreatedAt), Read: d.Read, Group: d.Group, MailKey: d.MailKey}
}

// AddNotifications implements notify.Store.
func (db *DB) AddNotifications(ctx context.Context, userIDs []string, n notify.Notification) error {
	_, err := db.InsertNotifications(ctx, notify.Copies(userIDs, n))
	return err
}

// notifyBatch is how many notifications one insert carries.
const notifyBatch = 1000

// InsertNotifications implements notify.Store. Unknown and deleted
// accounts are skipped;
// each batch is one unordered insert in which an id stored before is a
// duplicate-key error and the rest go in, then the unread counters of the
// recipients of what went in are bumped. An interruption between the two
// can only under-count the header badge, which RepairCounters recomputes.
func (db *DB) InsertNotifications(ctx context.Context, ns []*notify.Notification) (int, error) {
	added := 0
	for start := 0; start < len(ns); start += notifyBatch {
		n, err := db.insertNotifications(ctx, ns[start:min(start+notifyBatch, len(ns))])
		added += n
		if err != nil {
			return added, err
		}
	}
	return added, nil
}

func (db *DB) insertNotifications(ctx context.Context, ns []*notify.Notification) (int, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	ids := make([]string, len(ns))
	for i, n := range ns {
		ids[i] = n.UserID
	}
	known, err := db.existingUsers(ctx, ids)
	if err != nil {
		return 0, err
	}
	var docs []any
	var to []string
	for _, n := range ns {
		if known[n.UserID] {
			docs = append(docs, notificationDoc{ID: n.ID, UserID: n.UserID, Kind: n.Kind, Text: n.Text, URL: n.URL,
				CreatedAt: ms(n.CreatedAt), Read: n.Read, Group: n.Group, MailKey: n.MailKey})
			to = append(to, n.UserID)
		}
	}
	if len(docs) == 0 {
		return 0, nil
	}
	inserted := make([]bool, len(docs))
	for i := range inserted {
		inserted[i] = true
	}
	_, err = db.notifications.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil {
		var bwe mongo.BulkWriteException
		if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
			return 0, err
		}
		for _, we := range bwe.WriteErrors {
			if we.Code != 11000 {
				return 0, err
			}
			inserted[we.Index] = false
		}
	}
	got := map[string]int{}
	added := 0
	for i, ok := range inserted {
		if ok {
			got[to[i]]++
			added++
		}
	}
	byCount := map[int][]string{}
	for uid, n := range got {
		byCount[n] = append(byCount[n], uid)
	}
	for n, users := range byCount {
		if _, err := db.users.UpdateMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: users}}}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "unread", Value: n}}}}); err != nil {
			return added, err
		}
	}
	return added, nil
}

// existingUsers reports which of ids are users whose accounts were not deleted.
func (db *DB) existingUsers(ctx context.Context, ids []string) (map[string]bool, error) {
	found, err := findIDs(ctx, db.users, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}},
		{Key: "deleted_at", Value: bson.D{{Key: "$exists", Value: false}}}}, 1, 0)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(found))
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

// Notifications implements notify.Store.
func (db *DB) Notifications(ctx context.Context, userID, before string, limit int) ([]*notify.Notification, error) {
	if before == "" {
		before = "~" // sorts after every id
	}
	return db.findNotifications(ctx, bson.D{{Key: "user_id", Value: userID}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: before}}}},
		bson.D{{Key: "_id", Value: -1}}, limit)
}

func (db *DB) findNotifications(ctx context.Context, filter, sort bson.D, limit int) ([]*notify.Notification, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	o := options.Find().SetSort(sort)
	if limit > 0 {
		o.SetLimit(int64(limit))
	}
	cur, err := db.notifications.Find(ctx, filter, o)
	if err != nil {
		return nil, err
	}
	var docs []notificationDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]*notify.Notification, 0, len(docs))
	for i := range docs {
		out = append(out, docs[i].notification())
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

// MarkGroupRead implements notify.Store: the notifications first, then
// the counter by as many as changed, never below zero (a "mark all read"
// in between already set it to zero).
func (db *DB) MarkGroupRead(ctx context.Context, userID, group string) (int, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	res, err := db.notifications.UpdateMany(ctx, bson.D{{Key: "user_id", Value: userID}, {Key: "grp", Value: group}, {Key: "read", Value: false}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "read", Value: true}}}})
	if err != nil || res.ModifiedCount == 0 {
		return 0, err
	}
	n := int(res.ModifiedCount)
	if _, err := db.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "unread", Value: -n}}}}); err != nil {
		return n, err
	}
	_, err = db.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}, {Key: "unread", Value: bson.D{{Key: "$lt", Value: 0}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "unread", Value: 0}}}})
	return n, err
}
