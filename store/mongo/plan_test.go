package mongo_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/townhall/townhall/store/mongo"
)

// testIndexedQueries asks the server how it runs every page query
// (mongo.PageQueries) and fails on a plan that reads a whole collection.
// What a plan can prove depends on the server:
//
//   - MongoDB: the winning plan has no COLLSCAN and no SORT stage, so an
//     index answers the filter and hands out the page in its order.
//   - FerretDB v2 (PostgreSQL with DocumentDB, ../shared/mongo-engine)
//     answers explain with PostgreSQL's plan. Proven there: every page
//     query with a filter reads its collection through an index this
//     package declares, with an index condition from the filter (an Index
//     Scan, or a Bitmap Index Scan under a Bitmap Heap Scan), never a Seq
//     Scan or the whole _id index. The two page queries without a filter
//     (the category list, the product list with archived products) read
//     every document there, since DocumentDB uses an index for a filter,
//     never for order alone.
//     Not provable there, for any query: that the index hands out the rows
//     in the page's order. DocumentDB's secondary indexes are RUM indexes,
//     and DocumentDB 0.107 scans one in order only through the ordered-scan
//     entry point of its own extended RUM library (can_rum_index_scan_ordered
//     in pg_documentdb_extended_rum), which the engine does not have: it
//     loads Debian's rum 1.3 (documentdb.rum_library_load_option = none,
//     fixed at server start). So every sorted page query shows a Sort node
//     above its index scan whatever the keys: composite index terms
//     (storageEngine: {enableCompositeTerm: true}) with
//     documentdb.enableIndexOrderbyPushdown on were tried and still sort,
//     and that setting only lets a sort on _id alone come from the _id
//     index (with bitmap scans turned off). The order is proven instead by
//     TestIndexesServePageQueries, which checks every page query against
//     the declared keys by MongoDB's rules on every run, and by the MongoDB
//     plans above wherever a MongoDB answers.
//   - FerretDB v1 describes its SQL pushdowns, not plans: only that explain
//     answers is checked.
func testIndexedQueries(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	ferret := db.FerretDBVersion(ctx)
	declared := declaredIndexes(t)
	// A collection nothing has created yet (one with no index of its own,
	// like the change feed, before its first entry) is explained as empty
	// on every server, which proves nothing: create them all first.
	for _, q := range mongo.PageQueries() {
		if err := db.Database().CreateCollection(ctx, q.Collection); err != nil && !isNamespaceExists(err) {
			t.Fatalf("create %s: %v", q.Collection, err)
		}
	}
	sorted := 0
	for _, q := range mongo.PageQueries() {
		plan, err := db.Explain(ctx, q)
		if err != nil {
			t.Errorf("%s: explain: %v", q.Name, err)
			continue
		}
		switch {
		case strings.HasPrefix(ferret, "v1."):
			continue
		case ferret != "":
			problems, sorts, shape := postgresPlanProblems(plan["queryPlanner"], declared[q.Collection], len(q.Filter) == 0)
			t.Logf("%s: %s", q.Name, shape)
			for _, p := range problems {
				t.Errorf("%s: %s in %v", q.Name, p, plan["queryPlanner"])
			}
			if sorts {
				sorted++
			}
		default:
			stages := planStages(plan["queryPlanner"])
			if len(stages) == 0 {
				t.Errorf("%s: no plan stages in %v", q.Name, plan)
			}
			for _, s := range stages {
				if s == "COLLSCAN" || s == "SORT" {
					t.Errorf("%s: plan uses %s: %v", q.Name, s, stages)
				}
			}
		}
	}
	if ferret != "" {
		t.Logf("FerretDB %s: every page query reads through an index; %d of %d sort the rows they read (this engine cannot scan an index in order, see the comment)",
			ferret, sorted, len(mongo.PageQueries()))
	}
}

// planStages collects every "stage" of a winning plan, classic or SBE.
func planStages(v any) []string {
	var out []string
	switch v := v.(type) {
	case bson.M:
		for k, x := range v {
			if k == "rejectedPlans" {
				continue
			}
			if s, ok := x.(string); ok && k == "stage" {
				out = append(out, s)
			}
			out = append(out, planStages(x)...)
		}
	case bson.D:
		for _, e := range v {
			out = append(out, planStages(bson.M{e.Key: e.Value})...)
		}
	case bson.A:
		for _, x := range v {
			out = append(out, planStages(x)...)
		}
	}
	return out
}

// postgresPlanProblems checks a PostgreSQL plan ({"Plan": node}, each node
// with "Node Type" and its children in "Plans"): every node that reads the
// collection's table must be an index scan, and every index it names must be
// one of the collection's. A scan of the _id index bounded by nothing but
// the collection's shard key reads every document, as a Seq Scan would;
// that is what a query without a filter does on this engine (it uses an
// index only for a filter, never for order), so only such a query
// (unfiltered) may do it. sorts reports a Sort node; shape is the plan in
// one line, for the log ("Limit > Sort > Index Scan(board_listed)").
func postgresPlanProblems(v any, indexes map[string]bool, unfiltered bool) (problems []string, sorts bool, shape string) {
	usedIndex := false
	var nodes []string
	var walk func(n bson.M)
	walk = func(n bson.M) {
		typ, _ := n["Node Type"].(string)
		if name, ok := n["Index Name"].(string); ok {
			nodes = append(nodes, typ+"("+name+")")
		} else {
			nodes = append(nodes, typ)
		}
		if typ == "Sort" || typ == "Incremental Sort" {
			sorts = true
		}
		if rel, ok := n["Relation Name"].(string); ok {
			switch typ {
			case "Index Scan", "Index Only Scan", "Bitmap Heap Scan":
			default:
				problems = append(problems, fmt.Sprintf("%s on %s (not an index scan)", typ, rel))
			}
		}
		if name, ok := n["Index Name"].(string); ok {
			usedIndex = true
			if !indexes[name] {
				problems = append(problems, fmt.Sprintf("scan of index %q, which this store does not declare", name))
			}
			cond, _ := n["Index Cond"].(string)
			if cond == "" {
				problems = append(problems, fmt.Sprintf("%s of index %q without an index condition", typ, name))
			}
			if name == "_id_" && !strings.Contains(cond, "object_id") && !unfiltered {
				problems = append(problems, fmt.Sprintf("%s of the whole _id index (%s): reads every document", typ, cond))
			}
		}
		children, _ := asM(n)["Plans"].(bson.A)
		for _, c := range children {
			walk(asM(c))
		}
	}
	walk(asM(asM(v)["Plan"]))
	if !usedIndex {
		problems = append(problems, "no index scan")
	}
	return problems, sorts, strings.Join(nodes, " > ")
}

// isNamespaceExists reports the error of creating a collection that exists.
func isNamespaceExists(err error) bool {
	var ce mongodriver.CommandError
	return errors.As(err, &ce) && ce.Code == 48
}

// asM turns a decoded document (bson.M or bson.D) into a bson.M; anything
// else becomes an empty one.
func asM(v any) bson.M {
	switch v := v.(type) {
	case bson.M:
		return v
	case bson.D:
		m := bson.M{}
		for _, e := range v {
			m[e.Key] = e.Value
		}
		return m
	}
	return bson.M{}
}

// declaredIndexes is the index names of every collection, _id_ included.
func declaredIndexes(t *testing.T) map[string]map[string]bool {
	t.Helper()
	specs, err := mongo.IndexSpecs()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	for _, q := range mongo.PageQueries() {
		out[q.Collection] = map[string]bool{"_id_": true}
	}
	for _, s := range specs {
		if out[s.Collection] == nil {
			out[s.Collection] = map[string]bool{"_id_": true}
		}
		out[s.Collection][s.Name] = true
	}
	return out
}

// TestIndexesServePageQueries checks every page query against the indexes
// the store declares, by the rules MongoDB uses to run a query from an
// index without sorting in memory: after leaving out sort keys the filter
// fixes by equality, the sort keys must follow one another in the index
// (all in its direction, or all against it), with only keys the filter
// fixes by equality before or between them; and a query with a filter must
// be bounded by the index's first key. It needs no server, so it runs on
// every test run, including where the only MongoDB-compatible server cannot
// sort from an index (see testIndexedQueries).
func TestIndexesServePageQueries(t *testing.T) {
	specs, err := mongo.IndexSpecs()
	if err != nil {
		t.Fatal(err)
	}
	byColl := map[string][]mongo.IndexSpec{}
	for _, s := range specs {
		byColl[s.Collection] = append(byColl[s.Collection], s)
	}
	for _, q := range mongo.PageQueries() {
		candidates := append([]mongo.IndexSpec{{Collection: q.Collection, Name: "_id_", Keys: bson.D{{Key: "_id", Value: 1}}}}, byColl[q.Collection]...)
		served := false
		for _, ix := range candidates {
			if servesQuery(ix.Keys, q.Filter, q.Sort) {
				served = true
				break
			}
		}
		if !served {
			t.Errorf("%s: no index of %s answers filter %v with sort %v", q.Name, q.Collection, q.Filter, q.Sort)
		}
	}
}

// servesQuery reports whether an index with keys answers filter and
// returns its matches in sort's order, by MongoDB's rules (see
// TestIndexesServePageQueries).
func servesQuery(keys, filter, sort bson.D) bool {
	equal, bounded := map[string]bool{}, map[string]bool{}
	for _, e := range filter {
		if strings.HasPrefix(e.Key, "$") {
			continue // $or and friends narrow within what the other terms bound
		}
		bounded[e.Key] = true
		if !isOperatorDoc(e.Value) {
			equal[e.Key] = true
		}
	}
	if len(bounded) > 0 && !bounded[keys[0].Key] {
		return false
	}
	var want bson.D
	for _, s := range sort {
		if !equal[s.Key] {
			want = append(want, s)
		}
	}
	dir, next := 0, 0
	for _, k := range keys {
		if next == len(want) {
			break
		}
		if k.Key == want[next].Key {
			d := direction(k.Value) * direction(want[next].Value)
			if dir == 0 {
				dir = d
			} else if d != dir {
				return false
			}
			next++
			continue
		}
		if !equal[k.Key] {
			break
		}
	}
	return next == len(want)
}

// isOperatorDoc reports whether a filter value is a document of query
// operators ({$gt: 3}) rather than a value to match.
func isOperatorDoc(v any) bool {
	d, ok := v.(bson.D)
	return ok && len(d) > 0 && strings.HasPrefix(d[0].Key, "$")
}

// direction is an index or sort key's direction: 1 or -1.
func direction(v any) int {
	switch v := v.(type) {
	case int:
		return sign(int64(v))
	case int32:
		return sign(int64(v))
	case int64:
		return sign(v)
	case float64:
		return sign(int64(v))
	}
	return 0
}

func sign(n int64) int {
	if n < 0 {
		return -1
	}
	return 1
}

// TestServesQuery pins the rules TestIndexesServePageQueries applies, so a
// mistake in them cannot pass every query silently.
func TestServesQuery(t *testing.T) {
	k := func(kv ...any) bson.D {
		var d bson.D
		for i := 0; i < len(kv); i += 2 {
			d = append(d, bson.E{Key: kv[i].(string), Value: kv[i+1]})
		}
		return d
	}
	gt := func(v any) bson.D { return bson.D{{Key: "$gt", Value: v}} }
	for _, c := range []struct {
		name               string
		keys, filter, sort bson.D
		want               bool
	}{
		{"equality prefix then the sort", k("a", 1, "b", -1, "_id", -1), k("a", "x"), k("b", -1, "_id", -1), true},
		{"walked backwards", k("a", 1, "b", 1, "_id", 1), k("a", "x"), k("b", -1, "_id", -1), true},
		{"mixed directions against the index", k("a", 1, "b", 1, "_id", 1), k("a", "x"), k("b", 1, "_id", -1), false},
		{"a key the filter does not fix before the sort", k("a", 1, "c", 1, "b", 1), k("a", "x"), k("b", 1), false},
		{"a range before the sort", k("a", 1, "b", 1), k("a", gt(1)), k("b", 1), false},
		{"an equality between sort keys", k("a", 1, "b", 1, "c", 1), k("b", "x", "a", gt(0)), k("a", 1, "c", 1), true},
		{"a sort key fixed by equality drops out", k("a", 1, "_id", -1), k("a", "x", "r", 4), k("r", -1, "_id", -1), true},
		{"a sort key fixed by a range does not", k("a", 1, "_id", -1), k("a", "x", "r", gt(4)), k("r", -1, "_id", -1), false},
		{"sort keys missing from the index", k("a", 1), k("a", "x"), k("b", 1), false},
		{"a filter the first key does not bound", k("b", 1, "a", 1), k("a", "x"), k("b", 1), false},
		{"no filter, a whole index in order", k("p", 1, "n", 1), bson.D{}, k("p", 1, "n", 1), true},
		{"a point lookup", k("h", 1), k("h", "x"), nil, true},
		{"a point lookup on another key", k("h", 1), k("g", "x"), nil, false},
	} {
		if got := servesQuery(c.keys, c.filter, c.sort); got != c.want {
			t.Errorf("%s: servesQuery(%v, %v, %v) = %v, want %v", c.name, c.keys, c.filter, c.sort, got, c.want)
		}
	}
}
