package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
)

// gapGrace is how long Changes waits for a sequence number that was
// allocated but not yet inserted before it assumes the writer died and
// reads past the gap.
const gapGrace = 30 * time.Second

// changeDoc is one change-feed entry; _id is its sequence number.
type changeDoc struct {
	Seq  int64  `bson:"_id"`
	Kind string `bson:"kind"`
	ID   string `bson:"entity_id"`
	At   int64  `bson:"at"`
}

// recordChange appends kind/id to the change feed. Call it after the write
// it describes succeeded: the indexer re-reads the entity, so the entry must
// not become visible before the write.
//
// On MongoDB the $inc hands out every number once. If the counter is ever
// behind the log (a restore that mixed an older counter with a newer log, or
// a compatible server that loses concurrent $inc updates, like FerretDB v1),
// the unique _id refuses the insert; we raise the counter past the log's
// newest entry and allocate again.
func (db *DB) recordChange(ctx context.Context, kind, id string) error {
	for attempt := 0; ; attempt++ {
		seq, err := db.nextSeq(ctx, "changes")
		if err != nil {
			return err
		}
		err = db.insert(ctx, db.changes, changeDoc{Seq: seq, Kind: kind, ID: id, At: ms(db.now())})
		if !mongo.IsDuplicateKeyError(err) || attempt == 50 {
			return err
		}
		var newest changeDoc
		if err := db.changes.FindOne(ctx, bson.D{}, options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}})).Decode(&newest); err != nil {
			return err
		}
		if _, err := db.counters.UpdateOne(ctx, bson.D{{Key: "_id", Value: "changes"}},
			bson.D{{Key: "$max", Value: bson.D{{Key: "n", Value: newest.Seq}}}}); err != nil {
			return err
		}
	}
}

// recordChanges appends kind/id for each of ids, like recordChange, with
// their sequence numbers taken in one step and the entries inserted in one
// call. If the counter is behind the log (see recordChange), it records
// them one by one, which repairs it; entries recorded twice are harmless.
func (db *DB) recordChanges(ctx context.Context, kind string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	last, err := db.nextSeqN(ctx, "changes", int64(len(ids)))
	if err != nil {
		return err
	}
	docs := make([]any, len(ids))
	at := ms(db.now())
	for i, id := range ids {
		docs[i] = changeDoc{Seq: last - int64(len(ids)-1-i), Kind: kind, ID: id, At: at}
	}
	_, err = db.changes.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if !mongo.IsDuplicateKeyError(err) {
		return err
	}
	for _, id := range ids {
		if err := db.recordChange(ctx, kind, id); err != nil {
			return err
		}
	}
	return nil
}

// Changes returns up to limit feed entries with a sequence above after,
// oldest first. It stops before a gap in the sequence unless the entry after
// the gap is older than gapGrace: a gap is a change another node allocated
// but has not inserted yet, and skipping it would lose it for good once the
// indexer checkpoints a later sequence.
func (db *DB) Changes(ctx context.Context, after int64, limit int) ([]townhall.Change, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.changes.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	var docs []changeDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]townhall.Change, 0, len(docs))
	prev := after
	settled := ms(db.now().Add(-gapGrace))
	for _, d := range docs {
		if d.Seq != prev+1 && d.At > settled {
			break
		}
		out = append(out, townhall.Change{Seq: d.Seq, Kind: d.Kind, ID: d.ID, At: fromMS(d.At)})
		prev = d.Seq
	}
	return out, nil
}

// LastChange is the newest allocated feed sequence (0 for an empty feed); a
// reindex records it before reading so nothing written during the rebuild
// is missed.
func (db *DB) LastChange(ctx context.Context) (int64, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var doc struct {
		N int64 `bson:"n"`
	}
	err := db.counters.FindOne(ctx, bson.D{{Key: "_id", Value: "changes"}}).Decode(&doc)
	if err == mongo.ErrNoDocuments {
		return 0, nil
	}
	return doc.N, err
}

// A docSource loads search documents of one kind. Each domain file registers
// one per searchable kind it owns.
type docSource struct {
	// load returns the document for id; a missing entity is a document with
	// Visible false, so the indexer deletes it.
	load func(ctx context.Context, db *DB, id string) (*townhall.SearchDoc, error)
	// list returns up to limit ids above after, in id order, for reindexing.
	list func(ctx context.Context, db *DB, after string, limit int) ([]string, error)
}

var docSources = map[string]docSource{}

func registerDocSource(kind string, s docSource) { docSources[kind] = s }

// SearchDocument returns the current search document of kind/id.
func (db *DB) SearchDocument(ctx context.Context, kind, id string) (*townhall.SearchDoc, error) {
	s, ok := docSources[kind]
	if !ok {
		return nil, fmt.Errorf("no search source for kind %q", kind)
	}
	ctx, cancel := op(ctx)
	defer cancel()
	return s.load(ctx, db, id)
}

// SearchKinds lists the kinds this store can produce documents for.
func (db *DB) SearchKinds() []string {
	kinds := make([]string, 0, len(docSources))
	for k := range docSources {
		kinds = append(kinds, k)
	}
	return kinds
}

// SearchIDs lists up to limit ids of kind above after, for a full reindex.
func (db *DB) SearchIDs(ctx context.Context, kind, after string, limit int) ([]string, error) {
	s, ok := docSources[kind]
	if !ok {
		return nil, fmt.Errorf("no search source for kind %q", kind)
	}
	ctx, cancel := op(ctx)
	defer cancel()
	return s.list(ctx, db, after, limit)
}

// listIDs returns up to limit _id values of coll above after, in order; the
// default list function of a doc source.
// Extra conditions narrow the listing (an index must support them).
func listIDs(ctx context.Context, coll *mongo.Collection, after string, limit int, extra ...bson.E) ([]string, error) {
	return findIDs(ctx, coll, append(bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}}}, extra...), 1, limit)
}

// Setting reads a value from the settings collection ("" when unset).
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var doc struct {
		Value string `bson:"value"`
	}
	err := db.settings.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&doc)
	if err == mongo.ErrNoDocuments {
		return "", nil
	}
	return doc.Value, err
}

// SetSetting writes a value to the settings collection.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	ctx, cancel := op(ctx)
	defer cancel()
	_, err := db.settings.UpdateOne(ctx, bson.D{{Key: "_id", Value: key}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "value", Value: value}}}}, options.UpdateOne().SetUpsert(true))
	return err
}
