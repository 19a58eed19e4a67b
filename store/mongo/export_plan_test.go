package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// FerretDBVersion returns the version a FerretDB server reports, "" for
// any other server. v1 answers buildInfo with ferretdbVersion, v2 with
// ferretdb.version; neither explains a query in MongoDB's plan stages (v1
// describes its SQL pushdowns, v2 returns PostgreSQL's plan).
func (db *DB) FerretDBVersion(ctx context.Context) string {
	var info struct {
		V1 string `bson:"ferretdbVersion"`
		V2 struct {
			Version string `bson:"version"`
		} `bson:"ferretdb"`
	}
	if err := db.db.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return ""
	}
	if info.V1 != "" {
		return info.V1
	}
	return info.V2.Version
}

// IndexSpec is one index the store creates.
type IndexSpec struct {
	Collection, Name string
	Keys             bson.D
}

// IndexSpecs lists every index the store creates, without a server: the
// lists only name collections, which sends nothing.
func IndexSpecs() ([]IndexSpec, error) {
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1/"))
	if err != nil {
		return nil, err
	}
	defer client.Disconnect(context.Background())
	var out []IndexSpec
	for _, ix := range newDB(client, client.Database("index_specs")).allIndexes() {
		out = append(out, IndexSpec{ix.coll.Name(), ix.name, ix.keys})
	}
	return out, nil
}
