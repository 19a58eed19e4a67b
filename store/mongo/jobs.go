package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall/jobs"
)

// The job queue is one collection. A job's due_at is when it next needs a
// worker (run_at while pending, the end of the lease while running) and is
// absent once it finished, so one (queue, due_at) index serves every claim,
// and a claim is one findOneAndUpdate: MongoDB's single-document atomicity
// hands each job to one node, whichever nodes claim at once.
func init() {
	registerIndexes(func(db *DB) []index {
		c := db.db.Collection("jobs")
		return []index{
			{c, "key", bson.D{{Key: "key", Value: 1}}, true, false},
			{c, "due", bson.D{{Key: "queue", Value: 1}, {Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}, false, false},
			{c, "queue_newest", bson.D{{Key: "queue", Value: 1}, {Key: "_id", Value: -1}}, false, false},
			{c, "state_newest", bson.D{{Key: "queue", Value: 1}, {Key: "state", Value: 1}, {Key: "_id", Value: -1}}, false, false},
			{c, "ref_newest", bson.D{{Key: "queue", Value: 1}, {Key: "ref", Value: 1}, {Key: "_id", Value: -1}}, false, false},
			{c, "finished", bson.D{{Key: "state", Value: 1}, {Key: "finished_at", Value: 1}}, false, false},
		}
	})
}

var _ jobs.Store = (*DB)(nil)

type jobDoc struct {
	ID         string `bson:"_id"`
	Key        string `bson:"key"`
	Queue      string `bson:"queue"`
	Ref        string `bson:"ref"`
	Payload    []byte `bson:"payload"`
	State      string `bson:"state"`
	Attempts   int    `bson:"attempts"`
	RunAt      int64  `bson:"run_at"`
	DueAt      *int64 `bson:"due_at,omitempty"`
	LeaseOwner string `bson:"lease_owner"`
	LeaseUntil int64  `bson:"lease_until"`
	LastError  string `bson:"last_error"`
	CreatedAt  int64  `bson:"created_at"`
	UpdatedAt  int64  `bson:"updated_at"`
	FinishedAt int64  `bson:"finished_at"`
}

func (d *jobDoc) job() *jobs.Job {
	j := &jobs.Job{ID: d.ID, Key: d.Key, Queue: d.Queue, Ref: d.Ref, Payload: d.Payload, State: jobs.State(d.State),
		Attempts: d.Attempts, RunAt: fromMS(d.RunAt), LeaseOwner: d.LeaseOwner, LastError: d.LastError,
		CreatedAt: fromMS(d.CreatedAt), UpdatedAt: fromMS(d.UpdatedAt)}
	if d.Payload == nil {
		j.Payload = []byte{}
	}
	if d.LeaseUntil != 0 {
		j.LeaseUntil = fromMS(d.LeaseUntil)
	}
	if d.FinishedAt != 0 {
		j.FinishedAt = fromMS(d.FinishedAt)
	}
	return j
}

func (db *DB) jobs() *mongo.Collection { return db.db.Collection("jobs") }

// EnqueueJobs implements jobs.Store: one unordered insert, in which a
// duplicate key (a job enqueued before) is skipped and the rest go in.
func (db *DB) EnqueueJobs(ctx context.Context, js []*jobs.Job) (int, error) {
	if len(js) == 0 {
		return 0, nil
	}
	ctx, cancel := op(ctx)
	defer cancel()
	docs := make([]any, len(js))
	for i, j := range js {
		due := ms(j.RunAt)
		payload := j.Payload
		if payload == nil {
			payload = []byte{}
		}
		docs[i] = jobDoc{ID: j.ID, Key: j.Key, Queue: j.Queue, Ref: j.Ref, Payload: payload, State: string(jobs.StatePending),
			RunAt: due, DueAt: &due, CreatedAt: ms(j.CreatedAt), UpdatedAt: ms(j.UpdatedAt)}
	}
	_, err := db.jobs().InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return len(js), nil
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return 0, err
	}
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 {
			return 0, err
		}
	}
	return len(js) - len(bwe.WriteErrors), nil
}

// ClaimJob implements jobs.Store.
func (db *DB) ClaimJob(ctx context.Context, queue, owner string, now, leaseUntil time.Time) (*jobs.Job, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var d jobDoc
	err := db.jobs().FindOneAndUpdate(ctx,
		bson.D{{Key: "queue", Value: queue}, {Key: "due_at", Value: bson.D{{Key: "$lte", Value: ms(now)}}}},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "state", Value: string(jobs.StateRunning)}, {Key: "lease_owner", Value: owner},
				{Key: "lease_until", Value: ms(leaseUntil)}, {Key: "due_at", Value: ms(leaseUntil)}, {Key: "updated_at", Value: ms(now)}}},
			{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}},
		},
		options.FindOneAndUpdate().SetSort(bson.D{{Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}).SetReturnDocument(options.After),
	).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return d.job(), nil
}

// FinishJob implements jobs.Store.
func (db *DB) FinishJob(ctx context.Context, id, owner string, o jobs.Outcome) error {
	ctx, cancel := op(ctx)
	defer cancel()
	set := bson.D{{Key: "state", Value: string(o.State)}, {Key: "updated_at", Value: ms(o.At)},
		{Key: "lease_owner", Value: ""}, {Key: "lease_until", Value: int64(0)}}
	if o.Error != "" {
		set = append(set, bson.E{Key: "last_error", Value: o.Error})
	}
	update := bson.D{}
	if o.State == jobs.StatePending {
		set = append(set, bson.E{Key: "run_at", Value: ms(o.RunAt)}, bson.E{Key: "due_at", Value: ms(o.RunAt)})
		update = append(update, bson.E{Key: "$set", Value: set})
	} else {
		set = append(set, bson.E{Key: "finished_at", Value: ms(o.At)})
		update = append(update, bson.E{Key: "$set", Value: set}, bson.E{Key: "$unset", Value: bson.D{{Key: "due_at", Value: ""}}})
	}
	res, err := db.jobs().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "state", Value: string(jobs.StateRunning)},
		{Key: "lease_owner", Value: owner}}, update)
	if err != nil {
		return err
	}
	if res.MatchedCount == 1 {
		return nil
	}
	return db.jobMissing(ctx, id, jobs.ErrLeaseLost)
}

// jobMissing tells an unknown job (ErrNotFound) from one in the wrong
// state (ifExists) after an update matched nothing.
func (db *DB) jobMissing(ctx context.Context, id string, ifExists error) error {
	n, err := db.jobs().CountDocuments(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return err
	}
	if n == 0 {
		return jobs.ErrNotFound
	}
	return ifExists
}

func (db *DB) findJob(ctx context.Context, filter bson.D) (*jobs.Job, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var d jobDoc
	err := db.jobs().FindOne(ctx, filter).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, jobs.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	return d.job(), nil
}

// Job implements jobs.Store.
func (db *DB) Job(ctx context.Context, id string) (*jobs.Job, error) {
	return db.findJob(ctx, bson.D{{Key: "_id", Value: id}})
}

// JobByKey implements jobs.Store.
func (db *DB) JobByKey(ctx context.Context, key string) (*jobs.Job, error) {
	return db.findJob(ctx, bson.D{{Key: "key", Value: key}})
}

// Jobs implements jobs.Store.
func (db *DB) Jobs(ctx context.Context, q jobs.Query) ([]*jobs.Job, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	filter := bson.D{}
	for _, f := range []struct{ key, val string }{{"queue", q.Queue}, {"ref", q.Ref}, {"state", string(q.State)}} {
		if f.val != "" {
			filter = append(filter, bson.E{Key: f.key, Value: f.val})
		}
	}
	if q.Before != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: q.Before}}})
	}
	cur, err := db.jobs().Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(q.Limit)))
	if err != nil {
		return nil, err
	}
	var docs []jobDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]*jobs.Job, len(docs))
	for i := range docs {
		out[i] = docs[i].job()
	}
	return out, nil
}

// CountJobs implements jobs.Store.
func (db *DB) CountJobs(ctx context.Context, queue string) (map[jobs.State]int, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.jobs().Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "queue", Value: queue}}}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$state"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, err
	}
	var rows []struct {
		State string `bson:"_id"`
		N     int    `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, err
	}
	out := map[jobs.State]int{}
	for _, r := range rows {
		out[jobs.State(r.State)] = r.N
	}
	return out, nil
}

// RequeueJob implements jobs.Store.
func (db *DB) RequeueJob(ctx context.Context, id string, at time.Time) error {
	ctx, cancel := op(ctx)
	defer cancel()
	res, err := db.jobs().UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "state", Value: bson.D{{Key: "$in", Value: bson.A{string(jobs.StateDone), string(jobs.StateFailed)}}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: string(jobs.StatePending)}, {Key: "run_at", Value: ms(at)},
			{Key: "due_at", Value: ms(at)}, {Key: "attempts", Value: 0}, {Key: "updated_at", Value: ms(at)}, {Key: "finished_at", Value: int64(0)}}}})
	if err != nil {
		return err
	}
	if res.MatchedCount == 1 {
		return nil
	}
	return db.jobMissing(ctx, id, jobs.ErrNotFinished)
}

// PruneJobs implements jobs.Store.
func (db *DB) PruneJobs(ctx context.Context, state jobs.State, before time.Time) (int, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	res, err := db.jobs().DeleteMany(ctx, bson.D{{Key: "state", Value: string(state)},
		{Key: "finished_at", Value: bson.D{{Key: "$lt", Value: ms(before)}}}})
	if err != nil {
		return 0, err
	}
	return int(res.DeletedCount), nil
}
