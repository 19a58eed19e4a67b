// Package mongo is Townhall's production store: MongoDB (a replica set or
// Atlas) through the official driver v2, implementing the same Store
// interfaces as the embedded SQLite store and passing the same contract
// suite (store/storetest).
//
// # Document model
//
// The model is designed for MongoDB's one guarantee that holds everywhere:
// a write to ONE document is atomic. Multi-document transactions are not
// used, so the store also works on MongoDB-compatible servers without them.
//
//   - Embedded: what is always read with its parent, bounded in size and
//     never queried on its own. A user's sign-in identities live in the user
//     document (identities: ["provider:subject", ...]) under a unique multikey
//     index, so creating a user together with its first identity is one
//     atomic insert and two concurrent first sign-ins of the same identity
//     cannot make two users. Counters pages show (a user's unread
//     notifications; later an idea's votes, a thread's replies, a product's
//     rating sum and histogram) live on the parent document and change with
//     $inc, never by counting.
//   - Referenced: what grows without bound or is paged on its own, each in
//     its own collection with the parent's id and an index for every page
//     query: notifications (user_id, _id), sessions (_id = token hash, TTL on
//     expires_at), the change log. Facts that must be unique per pair get a
//     document of their own under a unique index instead of an array in the
//     parent (votes keyed by (idea, user), reviews by (product, author)), so
//     the database, not a read-then-write, rejects the duplicate, and the
//     $inc of the parent's counter follows only when the insert succeeded.
//   - Segments are referenced by id from users: an admin edits a segment
//     once and every member sees it; a user read fetches its segment by _id.
//
// # Forum
//
// forum_categories (unique slug) embed their thread count. A thread
// document in forum_threads embeds what listings show: posts (positions
// handed out), replies (visible replies), the last post, poster, position
// and activity, the pinned/locked/hidden flags and the accepted answer;
// the category page walks (category_id, pinned, last_activity, _id) and the
// front page (hidden, last_activity, _id). Posts live in forum_posts under a
// unique (thread_id, position) index: a reply's position comes from one
// findOneAndUpdate on the thread that matches locked: false and $inc's
// posts, so a locked thread hands out none and two replies never share a
// position; the post is inserted next, then replies and the last post move
// (the last post only forward, by last_position). forum_revisions are paged
// by (post_id, _id); forum_follows are unique per (thread_id, user_id) and
// a reply makes its author a follower. Thread and post search documents
// carry the category slug, so a slug change, a move or hiding a thread
// re-records the thread and every post.
//
// # Multi-step operations
//
// Where one logical step touches several documents (a user and the admin
// count, a vote and the idea's counter, an entity and its change-log entry),
// the steps are ordered so that an interruption errs on the safe side and a
// re-run converges: the fact is written first under a unique index, then the
// counters (a crash between the two leaves a counter one short, which
// RepairCounters — `townhall check --repair` — recomputes from the facts);
// the change log is appended after the write it describes (the indexer
// re-reads the entity, so a repeated entry is harmless, and `townhall
// reindex` rebuilds after a crash between the two).
//
// # Change feed
//
// The search change feed is the "changes" collection: each entry's _id is a
// sequence number allocated with findOneAndUpdate($inc) on a counter
// document, which works on any MongoDB-compatible server. Because two nodes
// can allocate 5 and 6 and insert 6 first, Changes returns entries only up
// to the first gap unless the gap is older than gapGrace (an allocation whose
// insert was lost), so the indexer never checkpoints past a pending entry.
//
// # Settings of the connection
//
// Write concern majority and read preference primary give read-your-writes
// across app nodes; retryable writes survive a primary step-down; every
// operation runs under a deadline (the client-wide timeout, and opTimeout on
// each call's context).
package mongo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/townhall/townhall"
)

// opTimeout bounds every single store call, so a stuck server turns into an
// error page instead of a hung request.
const opTimeout = 10 * time.Second

// DB is an open MongoDB store.
type DB struct {
	client *mongo.Client
	db     *mongo.Database
	now    func() time.Time
	noTTL  bool // the server has no TTL indexes; expired documents go only when pruned
	// loc is the site's time zone: the day a like or a ledger entry falls
	// on (see SetLocation).
	loc *time.Location

	users, segments, sessions, notifications *mongo.Collection
	changes, counters, settings, meta, rates *mongo.Collection
}

// Open connects to the MongoDB at uri, uses database dbName, brings its
// schema to this Townhall's version (see schema.go; a newer one is refused
// with ErrSchemaTooNew), and creates the indexes every query needs
// (creating an existing index is a no-op, so every node does it on start).
func Open(ctx context.Context, uri, dbName string) (*DB, error) {
	if dbName == "" {
		return nil, errors.New("mongo: a database name is required")
	}
	opts := options.Client().ApplyURI(uri).
		SetAppName("townhall").
		SetWriteConcern(writeconcern.Majority()).
		SetReadPreference(readpref.Primary()).
		SetRetryWrites(true).
		SetRetryReads(true).
		SetServerSelectionTimeout(10 * time.Second).
		SetTimeout(opTimeout)
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("mongo: connect: %w", err)
	}
	db := newDB(client, client.Database(dbName))
	if err := db.Ping(ctx); err != nil {
		client.Disconnect(context.Background())
		return nil, fmt.Errorf("mongo: %w", err)
	}
	// The schema first: a database a newer Townhall wrote is refused before
	// anything is written to it, and a step may reshape documents before an
	// index over the new shape is built.
	if err := db.migrate(ctx, schemaSteps); err != nil {
		client.Disconnect(context.Background())
		var tooNew *ErrSchemaTooNew
		if errors.As(err, &tooNew) {
			return nil, err
		}
		return nil, fmt.Errorf("mongo: %w", err)
	}
	if err := db.ensureIndexes(ctx); err != nil {
		client.Disconnect(context.Background())
		return nil, fmt.Errorf("mongo: create indexes: %w", err)
	}
	if err := db.ensureBootstrap(ctx); err != nil {
		client.Disconnect(context.Background())
		return nil, fmt.Errorf("mongo: %w", err)
	}
	return db, nil
}

// newDB names the collections of database d; nothing is sent to the server.
func newDB(client *mongo.Client, d *mongo.Database) *DB {
	db := &DB{client: client, db: d, now: time.Now, loc: time.UTC}
	db.users = d.Collection("users")
	db.segments = d.Collection("segments")
	db.sessions = d.Collection("sessions")
	db.notifications = d.Collection("notifications")
	db.changes = d.Collection("changes")
	db.counters = d.Collection("counters")
	db.settings = d.Collection("settings")
	db.meta = d.Collection("meta")
	db.rates = d.Collection("rate_limits")
	return db
}

// Close disconnects from the server.
func (db *DB) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	return db.client.Disconnect(ctx)
}

// Database is the underlying database, for tests and tools (migrate-store).
func (db *DB) Database() *mongo.Database { return db.db }

// Drop deletes the whole database; tests use it to clean up.
func (db *DB) Drop(ctx context.Context) error {
	ctx, cancel := op(ctx)
	defer cancel()
	return db.db.Drop(ctx)
}

// SetClock replaces the clock; tests use it to make time-dependent rankings
// deterministic.
func (db *DB) SetClock(now func() time.Time) { db.now = now }

// SetLocation sets the site's time zone, in which the days of likes and
// reputation entries begin (UTC until set).
func (db *DB) SetLocation(loc *time.Location) { db.loc = loc }

// day is the site's calendar day of t.
func (db *DB) day(t time.Time) string { return t.In(db.loc).Format(time.DateOnly) }

// Ping reports whether the primary answers; /healthz uses it.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := op(ctx)
	defer cancel()
	return db.client.Ping(ctx, readpref.Primary())
}

// op gives ctx the per-operation deadline unless it already has a sooner
// one, and detaches it from the caller's cancellation. Without
// transactions a write is several steps (the vote stored, then the idea's
// counters moved), and a client that hangs up between them must not stop
// it there: at the end of a two-node load run over the test engine the
// harness's cancelled requests left nine ideas a vote off and twenty
// counters in all. Deadlines still hold, so a stuck server is an error
// within opTimeout.
func op(ctx context.Context) (context.Context, context.CancelFunc) {
	d := opTimeout
	if dl, ok := ctx.Deadline(); ok {
		d = min(d, time.Until(dl))
	}
	return context.WithTimeout(context.WithoutCancel(ctx), d)
}

// insert stores doc in c, again if the server aborted the insert for a
// conflict with a concurrent write (see transient). Every insert goes
// through here because the abort is not MongoDB's alone: FerretDB v2 over
// PostgreSQL reports concurrent inserts under one unique secondary index
// (many people flagging one post at once) as "deadlock detected" about one
// round in four of a 24-writer burst, where MongoDB would queue them.
func (db *DB) insert(ctx context.Context, c *mongo.Collection, doc any) error {
	var err error
	for attempt := range insertAttempts {
		if _, err = c.InsertOne(ctx, doc); !transient(err) {
			return err
		}
		// The other writer has the lock until its statement ends; a
		// short, spread-out wait keeps the retries from meeting again.
		select {
		case <-time.After(time.Duration(attempt+1) * time.Duration(1+rand.IntN(4)) * time.Millisecond):
		case <-ctx.Done():
			return err
		}
	}
	return err
}

const insertAttempts = 8

// transient reports whether the server aborted a write because of a
// concurrent one and left nothing of it behind, so doing it again is safe:
// MongoDB's WriteConflict (112) or a transient-transaction label, and
// PostgreSQL's deadlock detection as FerretDB passes it on.
func transient(err error) bool {
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return false
	}
	return se.HasErrorCode(112) || se.HasErrorLabel("TransientTransactionError") || se.HasErrorMessage("deadlock detected")
}

// index is one index a collection needs.
type index struct {
	coll   *mongo.Collection
	name   string
	keys   bson.D
	unique bool
	ttl    bool // documents expire at the time in the (single) key field
}

// indexes lists the indexes of the core collections; feature files register
// theirs with registerIndexes.
func (db *DB) indexes() []index {
	return []index{
		{db.users, "handle", bson.D{{Key: "handle", Value: 1}}, true, false},
		{db.users, "identity", bson.D{{Key: "identities", Value: 1}}, true, false},
		{db.users, "segment", bson.D{{Key: "segment_id", Value: 1}}, false, false},
		{db.users, "role", bson.D{{Key: "role", Value: 1}}, false, false},
		{db.segments, "name_key", bson.D{{Key: "name_key", Value: 1}}, true, false},
		{db.sessions, "expiry", bson.D{{Key: "expires_at", Value: 1}}, false, true},
		{db.notifications, "user_newest", bson.D{{Key: "user_id", Value: 1}, {Key: "_id", Value: -1}}, false, false},
		{db.rates, "expiry", bson.D{{Key: "expires_at", Value: 1}}, false, true},
	}
}

// featureIndexes are the index lists of feature files (reviews.go, ...),
// registered at init so each file owns its collections' indexes.
var featureIndexes []func(db *DB) []index

func registerIndexes(f func(db *DB) []index) { featureIndexes = append(featureIndexes, f) }

// allIndexes is every index of every collection.
func (db *DB) allIndexes() []index {
	all := db.indexes()
	for _, f := range featureIndexes {
		all = append(all, f(db)...)
	}
	return all
}

// ensureIndexes creates every index; an index that exists with the same
// definition is left alone, so this is safe on every start of every node.
// Each collection's indexes go in one createIndexes command, a few
// collections at a time: a node's start (and every test's fresh database)
// costs a handful of round trips instead of one per index.
func (db *DB) ensureIndexes(ctx context.Context) error {
	var colls []*mongo.Collection
	byColl := map[string][]index{}
	for _, ix := range db.allIndexes() {
		name := ix.coll.Name()
		if _, ok := byColl[name]; !ok {
			colls = append(colls, ix.coll)
		}
		byColl[name] = append(byColl[name], ix)
	}
	const parallel = 4
	sem := make(chan struct{}, parallel)
	errs := make([]error, len(colls))
	var noTTL atomic.Bool
	var wg sync.WaitGroup
	for i, coll := range colls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			ttlLess, err := createIndexes(ctx, coll, byColl[coll.Name()])
			if ttlLess {
				noTTL.Store(true)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	if noTTL.Load() {
		db.noTTL = true
	}
	return errors.Join(errs...)
}

// createIndexes creates one collection's indexes in one command. A server
// without TTL monitors (FerretDB v1) gets plain indexes instead of TTL
// ones, and ttlLess says so: the periodic prune calls do the expiry.
func createIndexes(ctx context.Context, coll *mongo.Collection, ixs []index) (ttlLess bool, err error) {
	models := func(ttl bool) []mongo.IndexModel {
		var ms []mongo.IndexModel
		for _, ix := range ixs {
			o := options.Index().SetName(ix.name)
			if ix.unique {
				o.SetUnique(true)
			}
			if ix.ttl && ttl {
				o.SetExpireAfterSeconds(0)
			}
			ms = append(ms, mongo.IndexModel{Keys: ix.keys, Options: o})
		}
		return ms
	}
	ctx, cancel := op(ctx)
	defer cancel()
	_, err = coll.Indexes().CreateMany(ctx, models(true))
	if isNotImplemented(err) && slices.ContainsFunc(ixs, func(ix index) bool { return ix.ttl }) {
		ttlLess = true
		_, err = coll.Indexes().CreateMany(ctx, models(false))
	}
	if err != nil {
		return ttlLess, fmt.Errorf("%s: %w", coll.Name(), err)
	}
	return ttlLess, nil
}

// isNotImplemented reports whether the server refused a feature it lacks
// (error code 238, NotImplemented).
func isNotImplemented(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && ce.Code == 238
}

// notFound turns mongo.ErrNoDocuments into nf, the domain's not-found error.
func notFound(err error, nf *townhall.Error) error {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nf
	}
	return err
}

// nextSeq atomically allocates the next number of the named sequence.
func (db *DB) nextSeq(ctx context.Context, name string) (int64, error) {
	return db.nextSeqN(ctx, name, 1)
}

// nextSeqN atomically allocates the next n numbers of the named sequence
// and returns the last of them.
func (db *DB) nextSeqN(ctx context.Context, name string, n int64) (int64, error) {
	var doc struct {
		N int64 `bson:"n"`
	}
	var err error
	for range 2 { // two first upserts can race; the loser's retry finds the document
		err = db.counters.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: name}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: n}}}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&doc)
		if !mongo.IsDuplicateKeyError(err) {
			break
		}
	}
	return doc.N, err
}

// ms and fromMS store times as integer milliseconds, like the SQLite store:
// zone-free, sortable, and identical after a migration between backends.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }
