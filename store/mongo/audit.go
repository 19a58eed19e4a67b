package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/audit"
)

// The staff log is an insert-only collection paged newest first by _id
// (IDs sort by creation), through an index for each filter it offers.
func init() {
	registerIndexes(func(db *DB) []index {
		c := db.auditLog()
		return []index{
			{c, "actor", bson.D{{Key: "actor_id", Value: 1}, {Key: "_id", Value: -1}}, false, false},
			{c, "action", bson.D{{Key: "action", Value: 1}, {Key: "_id", Value: -1}}, false, false},
			{c, "target", bson.D{{Key: "target_kind", Value: 1}, {Key: "target_id", Value: 1}, {Key: "_id", Value: -1}}, false, false},
		}
	})
}

var _ audit.Store = (*DB)(nil)

type auditDoc struct {
	ID         string `bson:"_id"`
	At         int64  `bson:"at"`
	ActorID    string `bson:"actor_id"`
	ActorName  string `bson:"actor_name"`
	ActorRole  string `bson:"actor_role"`
	Action     string `bson:"action"`
	TargetKind string `bson:"target_kind"`
	TargetID   string `bson:"target_id"`
	Target     string `bson:"target"`
	Before     string `bson:"before"`
	After      string `bson:"after"`
	Reason     string `bson:"reason"`
}

func (db *DB) auditLog() *mongo.Collection { return db.db.Collection("audit_log") }

// AppendAudit implements audit.Store.
func (db *DB) AppendAudit(ctx context.Context, e *audit.Entry) error {
	ctx, cancel := op(ctx)
	defer cancel()
	err := db.insert(ctx, db.auditLog(), auditDoc{e.ID, ms(e.At), e.ActorID, e.ActorName, string(e.ActorRole), e.Action,
		e.TargetKind, e.TargetID, e.Target, e.Before, e.After, e.Reason})
	return err
}

// AuditEntries implements audit.Store.
func (db *DB) AuditEntries(ctx context.Context, q audit.Query) ([]*audit.Entry, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	filter := bson.D{}
	for _, f := range []struct{ key, val string }{
		{"actor_id", q.ActorID}, {"action", q.Action}, {"target_kind", q.TargetKind}, {"target_id", q.TargetID},
	} {
		if f.val != "" {
			filter = append(filter, bson.E{Key: f.key, Value: f.val})
		}
	}
	at := bson.D{}
	if !q.From.IsZero() {
		at = append(at, bson.E{Key: "$gte", Value: ms(q.From)})
	}
	if !q.To.IsZero() {
		at = append(at, bson.E{Key: "$lt", Value: ms(q.To)})
	}
	if len(at) > 0 {
		filter = append(filter, bson.E{Key: "at", Value: at})
	}
	if q.Before != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: q.Before}}})
	}
	cur, err := db.auditLog().Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(q.Limit)))
	if err != nil {
		return nil, err
	}
	var docs []auditDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]*audit.Entry, len(docs))
	for i, d := range docs {
		out[i] = &audit.Entry{ID: d.ID, At: fromMS(d.At), ActorID: d.ActorID, ActorName: d.ActorName, ActorRole: townhall.Role(d.ActorRole),
			Action: d.Action, TargetKind: d.TargetKind, TargetID: d.TargetID, Target: d.Target, Before: d.Before, After: d.After, Reason: d.Reason}
	}
	return out, nil
}
