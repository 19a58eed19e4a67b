package mongo_test

import (
	"context"
	"net/http"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/store/mongo"
)

// testRepairCounters breaks the counters a crash between a write's steps
// would leave wrong (the fact stored, its counter not moved), and shows
// that RepairCounters names each one, fixes it, and then finds nothing.
func testRepairCounters(t *testing.T) {
	uri := apptest.FreshMongoDB(t)
	env := apptest.Start(t, apptest.WithConfig(func(c *app.Config) { c.MongoDBURI = uri }))
	ctx := context.Background()
	env.Client(t, "root", "") // the first person is the admin
	pat := env.Client(t, "Pat", townhall.RoleProduct)
	ann := env.Client(t, "Ann", townhall.RoleMember)
	bob := env.Client(t, "Bob", townhall.RoleMember)

	var idea struct {
		ID       string `json:"id"`
		Votes    int    `json:"votes"`
		Comments int    `json:"comments"`
	}
	ann.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Offline mode", "body": "Please."}, http.StatusCreated, &idea)
	bob.JSON("POST", "/api/v1/ideas/"+idea.ID+"/vote", nil, http.StatusOK, nil)
	var product struct{ ID string }
	pat.JSON("POST", "/api/v1/products", map[string]any{"name": "Acme Sync"}, http.StatusCreated, &product)
	var review struct {
		ID      string `json:"id"`
		Helpful int    `json:"helpful"`
	}
	ann.JSON("POST", "/api/v1/products/"+product.ID+"/reviews", map[string]any{"rating": 4, "title": "Good"}, http.StatusCreated, &review)
	bob.JSON("POST", "/api/v1/products/"+product.ID+"/reviews", map[string]any{"rating": 2, "title": "Slow"}, http.StatusCreated, nil)
	bob.JSON("POST", "/api/v1/reviews/"+review.ID+"/helpful", nil, http.StatusOK, nil)
	bob.JSON("POST", "/api/v1/ideas/"+idea.ID+"/comments", map[string]string{"body": "Yes please"}, http.StatusCreated, nil)
	// A merged duplicate: its votes moved, its counters zeroed; consistent.
	var dup struct{ ID string }
	bob.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Work offline", "body": "Same."}, http.StatusCreated, &dup)
	pat.JSON("POST", "/api/v1/ideas/"+dup.ID+"/vote", nil, http.StatusOK, nil)
	ann.JSON("POST", "/api/v1/ideas/"+dup.ID+"/comments", map[string]string{"body": "Same as offline mode"}, http.StatusCreated, nil)
	pat.JSON("POST", "/api/v1/ideas/"+dup.ID+"/merge", map[string]string{"into": idea.ID}, http.StatusOK, nil)
	// A flag: its case and the author's record count it.
	bob.JSON("POST", "/api/v1/flags", map[string]string{"kind": "idea", "id": idea.ID, "reason": "spam"}, http.StatusCreated, nil)

	db, err := mongo.OpenURI(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if lines, err := db.RepairCounters(ctx, false); err != nil || len(lines) != 0 {
		t.Fatalf("consistent site: %v, %q", err, lines)
	}

	// What interrupted writes leave: counters behind their facts.
	d := db.Database()
	for _, u := range []struct {
		coll   string
		id     string
		update bson.D
	}{
		{"ideas", idea.ID, bson.D{{Key: "$inc", Value: bson.D{{Key: "votes", Value: -1}, {Key: "comments", Value: -1}}}}},
		{"reviews", review.ID, bson.D{{Key: "$set", Value: bson.D{{Key: "helpful", Value: 0}}}}},
		{"products", product.ID, bson.D{{Key: "$inc", Value: bson.D{{Key: "rating.count", Value: 1}, {Key: "rating.sum", Value: 5}, {Key: "rating.stars.5", Value: 1}}}}},
		{"moderation_cases", "idea:" + idea.ID, bson.D{{Key: "$set", Value: bson.D{{Key: "flags", Value: 0}, {Key: "counted", Value: 0}}}}},
		{"moderation_users", ann.User.ID, bson.D{{Key: "$set", Value: bson.D{{Key: "flags_received", Value: 0}}}}},
		// Notifications stored, the recipient's counter not bumped.
		{"users", ann.User.ID, bson.D{{Key: "$set", Value: bson.D{{Key: "unread", Value: 0}}}}},
	} {
		if _, err := d.Collection(u.coll).UpdateOne(ctx, bson.D{{Key: "_id", Value: u.id}}, u.update); err != nil {
			t.Fatal(err)
		}
	}
	lines, err := db.RepairCounters(ctx, false)
	if err != nil || len(lines) != 7 {
		t.Fatalf("broken counters: %v, %q; want 7 lines", err, lines)
	}
	if again, _ := db.RepairCounters(ctx, false); len(again) != 7 {
		t.Fatalf("a check without fix changed something: %q", again)
	}
	if _, err := db.RepairCounters(ctx, true); err != nil {
		t.Fatal(err)
	}
	if lines, err := db.RepairCounters(ctx, false); err != nil || len(lines) != 0 {
		t.Fatalf("after repair: %v, %q", err, lines)
	}

	// The site shows the repaired numbers.
	ann.JSON("GET", "/api/v1/ideas/"+idea.ID, nil, http.StatusOK, &idea)
	ann.JSON("GET", "/api/v1/reviews/"+review.ID, nil, http.StatusOK, &review)
	var p struct {
		Rating struct {
			Average   float64
			Count     int
			Histogram map[string]int
		}
	}
	ann.JSON("GET", "/api/v1/products/"+product.ID, nil, http.StatusOK, &p)
	c, err := db.Case(ctx, "idea", idea.ID)
	if err != nil || c.Flags != 1 || c.Counted != 1 {
		t.Fatalf("repaired case = %+v, %v", c, err)
	}
	if r, err := db.UserRecord(ctx, ann.User.ID); err != nil || r.FlagsReceived != 1 {
		t.Fatalf("repaired record = %+v, %v", r, err)
	}
	var me struct{ Items []struct{ Read bool } }
	ann.JSON("GET", "/api/v1/notifications", nil, http.StatusOK, &me)
	if u, err := db.User(ctx, ann.User.ID); err != nil || u.Unread != len(me.Items) || u.Unread == 0 {
		t.Fatalf("Ann's unread after repair = %v (%v); want her %d unread notifications", u, err, len(me.Items))
	}
	if idea.Votes != 3 || idea.Comments != 2 || review.Helpful != 1 || p.Rating.Count != 2 || p.Rating.Average != 3 || p.Rating.Histogram["5"] != 0 || p.Rating.Histogram["4"] != 1 {
		t.Fatalf("after repair: votes %d, comments %d, helpful %d, rating %+v; want 3 (Ann, Bob, and Pat's moved by the merge), 2 (one moved), 1, two reviews averaging 3", idea.Votes, idea.Comments, review.Helpful, p.Rating)
	}
}
