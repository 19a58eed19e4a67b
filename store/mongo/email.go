package mongo

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/email"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/notify"
)

// Email on MongoDB. Notifications are email's events (see
// notifications.go): grp names what one is about and mail_key the email
// that carried it, and a claim is one updateMany that sets mail_key only
// where it is still empty, so each notification document goes to one
// email whichever node claims first. Preferences are one document per
// person (mail_preferences, _id the user id); composed messages live in
// mail_messages under a unique key (the job's), so a job that composes
// again finds its first message.
func init() {
	registerIndexes(func(db *DB) []index {
		msgs := db.mailMessages()
		return []index{
			{db.notifications, "user_group", bson.D{{Key: "user_id", Value: 1}, {Key: "grp", Value: 1}, {Key: "_id", Value: 1}}, false, false},
			{db.notifications, "mail_key", bson.D{{Key: "mail_key", Value: 1}, {Key: "_id", Value: 1}}, false, false},
			{msgs, "key", bson.D{{Key: "key", Value: 1}}, true, false},
			{msgs, "state_newest", bson.D{{Key: "state", Value: 1}, {Key: "_id", Value: -1}}, false, false},
			{msgs, "user_newest", bson.D{{Key: "user_id", Value: 1}, {Key: "_id", Value: -1}}, false, false},
			{msgs, "created", bson.D{{Key: "created_at", Value: 1}}, false, false},
		}
	})
}

var _ email.Store = (*DB)(nil)

func (db *DB) mailPrefs() *mongo.Collection    { return db.db.Collection("mail_preferences") }
func (db *DB) mailMessages() *mongo.Collection { return db.db.Collection("mail_messages") }

type prefsDoc struct {
	UserID    string            `bson:"_id"`
	NoEmail   bool              `bson:"no_email"`
	Digest    string            `bson:"digest"`
	Kinds     map[string]string `bson:"kinds"`
	UpdatedAt int64             `bson:"updated_at"`
}

// prefsDocFromJSON builds the document from the neutral transfer record.
func prefsDocFromJSON(userID string, noEmail bool, digest, kinds string, updated int64) (prefsDoc, error) {
	d := prefsDoc{UserID: userID, NoEmail: noEmail, Digest: digest, UpdatedAt: updated}
	return d, json.Unmarshal([]byte(kinds), &d.Kinds)
}

// MailPreferences implements email.Store.
func (db *DB) MailPreferences(ctx context.Context, userIDs []string) (map[string]*email.Preferences, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	out := map[string]*email.Preferences{}
	for start := 0; start < len(userIDs); start += 1000 {
		cur, err := db.mailPrefs().Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: userIDs[start:min(start+1000, len(userIDs))]}}}})
		if err != nil {
			return nil, err
		}
		var docs []prefsDoc
		if err := cur.All(ctx, &docs); err != nil {
			return nil, err
		}
		for _, d := range docs {
			p := &email.Preferences{NoEmail: d.NoEmail, Digest: email.Frequency(d.Digest), Kinds: map[string]email.Delivery{}, UpdatedAt: fromMS(d.UpdatedAt)}
			for k, v := range d.Kinds {
				p.Kinds[k] = email.Delivery(v)
			}
			out[d.UserID] = p
		}
	}
	return out, nil
}

// SaveMailPreferences implements email.Store.
func (db *DB) SaveMailPreferences(ctx context.Context, userID string, p *email.Preferences) error {
	ctx, cancel := op(ctx)
	defer cancel()
	d := prefsDoc{UserID: userID, NoEmail: p.NoEmail, Digest: string(p.Digest), Kinds: map[string]string{}, UpdatedAt: ms(p.UpdatedAt)}
	for k, v := range p.Kinds {
		d.Kinds[k] = string(v)
	}
	_, err := db.mailPrefs().ReplaceOne(ctx, bson.D{{Key: "_id", Value: userID}}, d, options.Replace().SetUpsert(true))
	return err
}

// PendingMail implements email.Store.
func (db *DB) PendingMail(ctx context.Context, userID, group string, limit int) ([]*notify.Notification, error) {
	return db.findNotifications(ctx, bson.D{{Key: "user_id", Value: userID}, {Key: "grp", Value: group},
		{Key: "read", Value: false}, {Key: "mail_key", Value: ""}}, bson.D{{Key: "_id", Value: 1}}, limit)
}

// idAt is the smallest ID made at t: IDs sort by creation, so a time range
// of notifications, threads or status changes is a range of their _ids.
func idAt(t time.Time) string { return townhall.IDAt(t, 0, 0) }

func idRange(from, to time.Time) bson.D {
	return bson.D{{Key: "$gte", Value: idAt(from)}, {Key: "$lt", Value: idAt(to)}}
}

// DigestMail implements email.Store.
func (db *DB) DigestMail(ctx context.Context, userID string, from, to time.Time, limit int) ([]*notify.Notification, error) {
	return db.findNotifications(ctx, bson.D{{Key: "user_id", Value: userID}, {Key: "_id", Value: idRange(from, to)},
		{Key: "read", Value: false}, {Key: "mail_key", Value: ""}}, bson.D{{Key: "_id", Value: 1}}, limit)
}

// ClaimMail implements email.Store.
func (db *DB) ClaimMail(ctx context.Context, userID, key string, ids []string) ([]*notify.Notification, error) {
	if len(ids) > 0 {
		cctx, cancel := op(ctx)
		_, err := db.notifications.UpdateMany(cctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}},
			{Key: "user_id", Value: userID}, {Key: "read", Value: false}, {Key: "mail_key", Value: ""}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "mail_key", Value: key}}}})
		cancel()
		if err != nil {
			return nil, err
		}
	}
	return db.findNotifications(ctx, bson.D{{Key: "mail_key", Value: key}, {Key: "user_id", Value: userID}}, bson.D{{Key: "_id", Value: 1}}, 0)
}

type messageDoc struct {
	ID        string         `bson:"_id"`
	Key       string         `bson:"key"`
	UserID    string         `bson:"user_id"`
	To        string         `bson:"to"`
	Kind      string         `bson:"kind"`
	Subject   string         `bson:"subject"`
	MessageID string         `bson:"message_id"`
	Headers   []email.Header `bson:"headers"`
	Text      string         `bson:"text"`
	HTML      string         `bson:"html"`
	State     string         `bson:"state"`
	Error     string         `bson:"error"`
	Attempts  int            `bson:"attempts"`
	CreatedAt int64          `bson:"created_at"`
	UpdatedAt int64          `bson:"updated_at"`
	SentAt    int64          `bson:"sent_at"`
}

func (d *messageDoc) message() *email.Message {
	m := &email.Message{ID: d.ID, Key: d.Key, UserID: d.UserID, To: d.To, Kind: d.Kind, Subject: d.Subject, MessageID: d.MessageID,
		Headers: d.Headers, Text: d.Text, HTML: d.HTML, State: email.State(d.State), Error: d.Error, Attempts: d.Attempts,
		CreatedAt: fromMS(d.CreatedAt), UpdatedAt: fromMS(d.UpdatedAt)}
	if d.SentAt != 0 {
		m.SentAt = fromMS(d.SentAt)
	}
	return m
}

// SaveMessage implements email.Store: an insert under the unique key, and
// on a duplicate the message stored first.
func (db *DB) SaveMessage(ctx context.Context, m *email.Message) (*email.Message, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	d := messageDoc{ID: m.ID, Key: m.Key, UserID: m.UserID, To: m.To, Kind: m.Kind, Subject: m.Subject, MessageID: m.MessageID,
		Headers: m.Headers, Text: m.Text, HTML: m.HTML, State: string(m.State), Error: m.Error, Attempts: m.Attempts,
		CreatedAt: ms(m.CreatedAt), UpdatedAt: ms(m.UpdatedAt)}
	if !m.SentAt.IsZero() {
		d.SentAt = ms(m.SentAt)
	}
	if d.Headers == nil {
		d.Headers = []email.Header{}
	}
	if err := db.insert(ctx, db.mailMessages(), d); err != nil && !mongo.IsDuplicateKeyError(err) {
		return nil, err
	}
	return db.MessageByKey(ctx, m.Key)
}

func (db *DB) findMessage(ctx context.Context, filter bson.D) (*email.Message, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var d messageDoc
	err := db.mailMessages().FindOne(ctx, filter).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, email.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	return d.message(), nil
}

// Message implements email.Store.
func (db *DB) Message(ctx context.Context, id string) (*email.Message, error) {
	return db.findMessage(ctx, bson.D{{Key: "_id", Value: id}})
}

// MessageByKey implements email.Store.
func (db *DB) MessageByKey(ctx context.Context, key string) (*email.Message, error) {
	return db.findMessage(ctx, bson.D{{Key: "key", Value: key}})
}

// Messages implements email.Store.
func (db *DB) Messages(ctx context.Context, q email.Query) ([]*email.Message, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	filter := bson.D{}
	if q.State != "" {
		filter = append(filter, bson.E{Key: "state", Value: string(q.State)})
	}
	if q.UserID != "" {
		filter = append(filter, bson.E{Key: "user_id", Value: q.UserID})
	}
	if q.Before != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: q.Before}}})
	}
	cur, err := db.mailMessages().Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(q.Limit)))
	if err != nil {
		return nil, err
	}
	var docs []messageDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]*email.Message, len(docs))
	for i := range docs {
		out[i] = docs[i].message()
	}
	return out, nil
}

// UpdateMessage implements email.Store.
func (db *DB) UpdateMessage(ctx context.Context, id string, u email.Update) error {
	ctx, cancel := op(ctx)
	defer cancel()
	set := bson.D{{Key: "state", Value: string(u.State)}, {Key: "updated_at", Value: ms(u.At)}}
	if u.Error != "" {
		set = append(set, bson.E{Key: "error", Value: u.Error})
	}
	if u.State == email.StateSent {
		set = append(set, bson.E{Key: "sent_at", Value: ms(u.At)})
	}
	update := bson.D{{Key: "$set", Value: set}}
	if u.Attempted {
		update = append(update, bson.E{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}})
	}
	res, err := db.mailMessages().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update)
	if err != nil {
		return err
	}
	if res.MatchedCount == 0 {
		return email.ErrNotFound
	}
	return nil
}

// PruneMessages implements email.Store.
func (db *DB) PruneMessages(ctx context.Context, before time.Time) (int, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	res, err := db.mailMessages().DeleteMany(ctx, bson.D{{Key: "created_at", Value: bson.D{{Key: "$lt", Value: ms(before)}}}})
	if err != nil {
		return 0, err
	}
	return int(res.DeletedCount), nil
}

// FollowedCategories implements email.Store.
func (db *DB) FollowedCategories(ctx context.Context, userID string) ([]string, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	threads, err := findField(ctx, db.forumFollows(), bson.D{{Key: "user_id", Value: userID}}, "thread_id", nil)
	if err != nil || len(threads) == 0 {
		return nil, err
	}
	cats, err := stringsByID(ctx, db.forumThreads(), threads, "category_id")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range cats {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out, nil
}

// NewThreads implements email.Store: the _id range of the period, since
// ids sort by creation.
func (db *DB) NewThreads(ctx context.Context, categoryIDs []string, from, to time.Time, limit int) ([]*forum.Thread, error) {
	filter := bson.D{{Key: "_id", Value: idRange(from, to)}, {Key: "hidden", Value: false}}
	if len(categoryIDs) > 0 {
		filter = append(filter, bson.E{Key: "category_id", Value: bson.D{{Key: "$in", Value: categoryIDs}}})
	}
	return db.findThreads(ctx, filter, bson.D{{Key: "replies", Value: -1}, {Key: "_id", Value: -1}}, limit)
}

// StatusChanges implements email.Store.
func (db *DB) StatusChanges(ctx context.Context, from, to time.Time, limit int) ([]*ideas.StatusChange, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.ideaStatus().Find(ctx, bson.D{{Key: "_id", Value: idRange(from, to)}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	var docs []statusChangeDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]*ideas.StatusChange, len(docs))
	for i, d := range docs {
		out[i] = &ideas.StatusChange{ID: d.ID, IdeaID: d.IdeaID, From: ideas.Status(d.From), To: ideas.Status(d.To),
			Reason: d.Reason, ActorID: d.ActorID, At: fromMS(d.At)}
	}
	return out, nil
}
