package mongo

import (
	"context"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/webhooks"
)

// Webhooks: endpoints are few documents holding their own health, moved
// by one update per attempt; attempts are a log of their own, read by
// (endpoint, delivery) and pruned by age.
func init() {
	registerIndexes(func(db *DB) []index {
		return []index{
			{db.webhookAttempts(), "job", bson.D{{Key: "endpoint_id", Value: 1}, {Key: "job_id", Value: 1}}, false, false},
			{db.webhookAttempts(), "at", bson.D{{Key: "at", Value: 1}}, false, false},
			{db.users, "role_id", bson.D{{Key: "role", Value: 1}, {Key: "_id", Value: 1}}, false, false}, // the admins, in order
		}
	})
}

var _ webhooks.Store = (*DB)(nil)

type webhookDoc struct {
	ID               string   `bson:"_id"`
	URL              string   `bson:"url"`
	Events           []string `bson:"events"`
	Secret           string   `bson:"secret"`
	Format           string   `bson:"format"`
	Description      string   `bson:"description"`
	CreatedBy        string   `bson:"created_by"`
	CreatedAt        int64    `bson:"created_at"`
	UpdatedAt        int64    `bson:"updated_at"`
	Failures         int      `bson:"failures"`
	FailedDeliveries int      `bson:"failed_deliveries"`
	FailingSince     int64    `bson:"failing_since,omitempty"`
	LastAttemptAt    int64    `bson:"last_attempt_at,omitempty"`
	LastSuccessAt    int64    `bson:"last_success_at,omitempty"`
	LastStatus       int      `bson:"last_status"`
	LastError        string   `bson:"last_error"`
	DisabledAt       int64    `bson:"disabled_at,omitempty"`
	DisabledReason   string   `bson:"disabled_reason"`
}

func (d *webhookDoc) endpoint() *webhooks.Endpoint {
	return &webhooks.Endpoint{ID: d.ID, URL: d.URL, Events: d.Events, Secret: d.Secret, Format: d.Format, Description: d.Description,
		CreatedBy: d.CreatedBy, CreatedAt: fromMS(d.CreatedAt), UpdatedAt: fromMS(d.UpdatedAt), Failures: d.Failures,
		FailedDeliveries: d.FailedDeliveries, FailingSince: optMS(d.FailingSince), LastAttemptAt: optMS(d.LastAttemptAt),
		LastSuccessAt: optMS(d.LastSuccessAt), LastStatus: d.LastStatus, LastError: d.LastError, DisabledAt: optMS(d.DisabledAt),
		DisabledReason: d.DisabledReason}
}

type attemptDoc struct {
	ID         string `bson:"_id"`
	EndpointID string `bson:"endpoint_id"`
	JobID      string `bson:"job_id"`
	EventID    string `bson:"event_id"`
	Event      string `bson:"event"`
	Attempt    int    `bson:"attempt"`
	StatusCode int    `bson:"status_code"`
	Error      string `bson:"error"`
	OK         bool   `bson:"ok"`
	Final      bool   `bson:"final"`
	DurationMS int64  `bson:"duration_ms"`
	At         int64  `bson:"at"`
}

func (db *DB) webhookEndpoints() *mongo.Collection { return db.db.Collection("webhook_endpoints") }
func (db *DB) webhookAttempts() *mongo.Collection  { return db.db.Collection("webhook_attempts") }

// CreateWebhook implements webhooks.Store.
func (db *DB) CreateWebhook(ctx context.Context, e *webhooks.Endpoint) error {
	ctx, cancel := op(ctx)
	defer cancel()
	err := db.insert(ctx, db.webhookEndpoints(), webhookDoc{ID: e.ID, URL: e.URL, Events: e.Events, Secret: e.Secret, Format: e.Format,
		Description: e.Description, CreatedBy: e.CreatedBy, CreatedAt: ms(e.CreatedAt), UpdatedAt: ms(e.UpdatedAt)})
	return err
}

func (db *DB) webhook(ctx context.Context, id string) (*webhooks.Endpoint, error) {
	var d webhookDoc
	if err := db.webhookEndpoints().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, notFound(err, webhooks.ErrNotFound)
	}
	return d.endpoint(), nil
}

// Webhook implements webhooks.Store.
func (db *DB) Webhook(ctx context.Context, id string) (*webhooks.Endpoint, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	return db.webhook(ctx, id)
}

// Webhooks implements webhooks.Store.
func (db *DB) Webhooks(ctx context.Context) ([]*webhooks.Endpoint, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.webhookEndpoints().Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []webhookDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]*webhooks.Endpoint, len(docs))
	for i := range docs {
		out[i] = docs[i].endpoint()
	}
	return out, nil
}

// updateWebhook applies update to endpoint id, ErrNotFound when there is none.
func (db *DB) updateWebhook(ctx context.Context, id string, update bson.D) error {
	ctx, cancel := op(ctx)
	defer cancel()
	res, err := db.webhookEndpoints().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update)
	if err == nil && res.MatchedCount == 0 {
		return webhooks.ErrNotFound
	}
	return err
}

// UpdateWebhook implements webhooks.Store.
func (db *DB) UpdateWebhook(ctx context.Context, e *webhooks.Endpoint) error {
	return db.updateWebhook(ctx, e.ID, bson.D{{Key: "$set", Value: bson.D{{Key: "url", Value: e.URL}, {Key: "events", Value: e.Events},
		{Key: "secret", Value: e.Secret}, {Key: "format", Value: e.Format}, {Key: "description", Value: e.Description},
		{Key: "updated_at", Value: ms(e.UpdatedAt)}}}})
}

// DeleteWebhook implements webhooks.Store: the endpoint goes first, so a
// delivery running meanwhile finds it gone; its log follows.
func (db *DB) DeleteWebhook(ctx context.Context, id string) error {
	ctx, cancel := op(ctx)
	defer cancel()
	res, err := db.webhookEndpoints().DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return err
	}
	if res.DeletedCount == 0 {
		return webhooks.ErrNotFound
	}
	_, err = db.webhookAttempts().DeleteMany(ctx, bson.D{{Key: "endpoint_id", Value: id}})
	return err
}

// RecordWebhookAttempt implements webhooks.Store: the endpoint's health
// moves in one update (which also tells whether it still exists), then the
// attempt is logged.
func (db *DB) RecordWebhookAttempt(ctx context.Context, a *webhooks.Attempt) (*webhooks.Endpoint, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	at := ms(a.At)
	var update bson.D
	if a.OK {
		update = bson.D{
			{Key: "$set", Value: bson.D{{Key: "last_attempt_at", Value: at}, {Key: "last_status", Value: a.StatusCode}, {Key: "last_success_at", Value: at},
				{Key: "last_error", Value: ""}, {Key: "failures", Value: 0}, {Key: "failed_deliveries", Value: 0}}},
			{Key: "$unset", Value: bson.D{{Key: "failing_since", Value: ""}}},
		}
	} else {
		final := 0
		if a.Final {
			final = 1
		}
		update = bson.D{
			{Key: "$set", Value: bson.D{{Key: "last_attempt_at", Value: at}, {Key: "last_status", Value: a.StatusCode}, {Key: "last_error", Value: a.Error}}},
			{Key: "$inc", Value: bson.D{{Key: "failures", Value: 1}, {Key: "failed_deliveries", Value: final}}},
			{Key: "$min", Value: bson.D{{Key: "failing_since", Value: at}}},
		}
	}
	var d webhookDoc
	err := db.webhookEndpoints().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: a.EndpointID}}, update,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if err != nil {
		return nil, notFound(err, webhooks.ErrNotFound)
	}
	if err := db.insert(ctx, db.webhookAttempts(), attemptDoc{ID: a.ID, EndpointID: a.EndpointID, JobID: a.JobID, EventID: a.EventID,
		Event: a.Event, Attempt: a.Attempt, StatusCode: a.StatusCode, Error: a.Error, OK: a.OK, Final: a.Final,
		DurationMS: a.Duration.Milliseconds(), At: at}); err != nil {
		return nil, err
	}
	return d.endpoint(), nil
}

// DisableWebhook implements webhooks.Store.
func (db *DB) DisableWebhook(ctx context.Context, id, reason string, at time.Time) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	res, err := db.webhookEndpoints().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "disabled_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "disabled_at", Value: ms(at)}, {Key: "disabled_reason", Value: reason}}}})
	if err != nil {
		return false, err
	}
	if res.MatchedCount == 1 {
		return true, nil
	}
	_, err = db.webhook(ctx, id)
	return false, err
}

// EnableWebhook implements webhooks.Store.
func (db *DB) EnableWebhook(ctx context.Context, id string, at time.Time) error {
	return db.updateWebhook(ctx, id, bson.D{
		{Key: "$set", Value: bson.D{{Key: "disabled_reason", Value: ""}, {Key: "failures", Value: 0}, {Key: "failed_deliveries", Value: 0},
			{Key: "updated_at", Value: ms(at)}}},
		{Key: "$unset", Value: bson.D{{Key: "disabled_at", Value: ""}, {Key: "failing_since", Value: ""}}},
	})
}

// WebhookAttempts implements webhooks.Store.
func (db *DB) WebhookAttempts(ctx context.Context, endpointID string, jobIDs []string) ([]*webhooks.Attempt, error) {
	if len(jobIDs) == 0 {
		return nil, nil
	}
	ctx, cancel := op(ctx)
	defer cancel()
	// A page's deliveries have a few attempts each: sorted here, since
	// an index cannot hand out an $in over job ids in _id order.
	cur, err := db.webhookAttempts().Find(ctx, webhookAttemptsFilter(endpointID, jobIDs))
	if err != nil {
		return nil, err
	}
	var docs []attemptDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	slices.SortFunc(docs, func(a, b attemptDoc) int { return strings.Compare(b.ID, a.ID) })
	out := make([]*webhooks.Attempt, len(docs))
	for i, d := range docs {
		out[i] = &webhooks.Attempt{ID: d.ID, EndpointID: d.EndpointID, JobID: d.JobID, EventID: d.EventID, Event: d.Event, Attempt: d.Attempt,
			StatusCode: d.StatusCode, Error: d.Error, OK: d.OK, Final: d.Final, Duration: time.Duration(d.DurationMS) * time.Millisecond, At: fromMS(d.At)}
	}
	return out, nil
}

func webhookAttemptsFilter(endpointID string, jobIDs []string) bson.D {
	return bson.D{{Key: "endpoint_id", Value: endpointID}, {Key: "job_id", Value: bson.D{{Key: "$in", Value: jobIDs}}}}
}

// PruneWebhookAttempts implements webhooks.Store.
func (db *DB) PruneWebhookAttempts(ctx context.Context, before time.Time) (int, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	res, err := db.webhookAttempts().DeleteMany(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: ms(before)}}}})
	if err != nil {
		return 0, err
	}
	return int(res.DeletedCount), nil
}

// AdminIDs implements webhooks.Store.
func (db *DB) AdminIDs(ctx context.Context) ([]string, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	return findIDs(ctx, db.users, adminsFilter, 1, 0)
}

var adminsFilter = bson.D{{Key: "role", Value: string(townhall.RoleAdmin)}}
