package mongo_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/store/mongo"
)

// testRepairLoyalty breaks what loyalty keeps beside its facts the way an
// interrupted write would (a like counted twice, a day's likes lost, a
// ledger entry never written, a total or rollup behind its entries, a
// thread accepted before reputation existed, badge counts off) and shows
// that RepairCounters names each, fixes them with the ledger still
// explaining every point, and then finds nothing.
func testRepairLoyalty(t *testing.T) {
	uri := apptest.FreshMongoDB(t)
	env := apptest.Start(t, apptest.WithConfig(func(c *app.Config) { c.MongoDBURI = uri }))
	ctx := context.Background()
	admin := env.Client(t, "root", "")
	pat := env.Client(t, "Pat", townhall.RoleProduct)
	ann := env.Client(t, "Ann", townhall.RoleMember)
	bob := env.Client(t, "Bob", townhall.RoleMember)
	var cat struct{ ID string }
	admin.JSON("POST", "/api/v1/categories", map[string]any{"name": "Questions", "questions": true}, http.StatusCreated, &cat)
	var th, reply struct{ ID string }
	ann.JSON("POST", "/api/v1/threads", map[string]string{"category": "questions", "title": "How do I export?", "body": "Please."}, http.StatusCreated, &th)
	bob.JSON("POST", "/api/v1/threads/"+th.ID+"/posts", map[string]string{"body": "Reports page."}, http.StatusCreated, &reply)
	ann.JSON("POST", "/api/v1/posts/"+reply.ID+"/accept", nil, http.StatusOK, nil)
	ann.JSON("POST", "/api/v1/posts/"+reply.ID+"/like", nil, http.StatusOK, nil)
	var idea, product, review struct{ ID string }
	bob.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Offline mode"}, http.StatusCreated, &idea)
	pat.JSON("PUT", "/api/v1/ideas/"+idea.ID+"/status", map[string]string{"status": "done"}, http.StatusOK, nil)
	pat.JSON("POST", "/api/v1/products", map[string]any{"name": "Acme Sync"}, http.StatusCreated, &product)
	bob.JSON("POST", "/api/v1/products/"+product.ID+"/reviews", map[string]any{"rating": 4}, http.StatusCreated, &review)
	ann.JSON("POST", "/api/v1/reviews/"+review.ID+"/helpful", nil, http.StatusOK, nil)
	const bobsPoints = 15 + 1 + 35 + 2

	db, err := mongo.OpenURI(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if lines, err := db.RepairCounters(ctx, false); err != nil || len(lines) != 0 {
		t.Fatalf("consistent site: %v, %q", err, lines)
	}

	d := db.Database()
	day := time.Now().UTC().Format(time.DateOnly)
	for _, u := range []struct {
		coll   string
		filter bson.D
		update bson.D // nil deletes
	}{
		{"forum_posts", bson.D{{Key: "_id", Value: reply.ID}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "likes", Value: 1}}}}},
		{"like_days", bson.D{{Key: "_id", Value: bob.User.ID + ":" + day}}, nil},
		// The helpful vote stored, its entry never written.
		{"reputation_events", bson.D{{Key: "reason", Value: "review_helpful"}}, nil},
		{"users", bson.D{{Key: "_id", Value: bob.User.ID}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "reputation", Value: -2}}}}},
		// A total behind its ledger, a rollup lost.
		{"users", bson.D{{Key: "_id", Value: ann.User.ID}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "reputation", Value: 7}}}}},
		{"reputation_rollups", bson.D{{Key: "_id", Value: "all||" + bob.User.ID}}, nil},
		// Accepted before accepted authors were kept.
		{"forum_threads", bson.D{{Key: "_id", Value: th.ID}}, bson.D{{Key: "$unset", Value: bson.D{{Key: "accepted_author_id", Value: ""}}}}},
		{"badge_counts", bson.D{{Key: "_id", Value: "first-post"}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "holders", Value: 1}}}}},
		{"users", bson.D{{Key: "_id", Value: ann.User.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "champion", Value: true}}}}},
	} {
		var err error
		if u.update == nil {
			_, err = d.Collection(u.coll).DeleteOne(ctx, u.filter)
		} else {
			_, err = d.Collection(u.coll).UpdateOne(ctx, u.filter, u.update)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	lines, err := db.RepairCounters(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"post " + reply.ID + ": 2 likes counted, 1 likes",
		"likes of " + bob.User.ID + ":" + day + ": 0 counted, 1 likes",
		"user " + ann.User.ID + ": reputation 7 counted, ledger sums to 0",
		"leaderboard all||" + bob.User.ID,
		"thread " + th.ID + ": accepted answer by \"" + bob.User.ID + "\" recorded as by \"\"",
		"badge first-post: 3 holders counted, 2 hold it",
		"user " + ann.User.ID + `: badge "first-post" and VIP mark true`,
	} {
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, want) }) {
			t.Errorf("no line about %q in %q", want, lines)
		}
	}
	if again, _ := db.RepairCounters(ctx, false); len(again) != len(lines) {
		t.Fatalf("a check without fix changed something: %q then %q", lines, again)
	}
	if _, err := db.RepairCounters(ctx, true); err != nil {
		t.Fatal(err)
	}
	if lines, err := db.RepairCounters(ctx, false); err != nil || len(lines) != 0 {
		t.Fatalf("after repair: %v, %q", err, lines)
	}

	// The site shows the repaired numbers, and the ledger explains them:
	// the lost entry came back as a correction.
	var p struct {
		Reputation int
		Champion   bool
	}
	ann.JSON("GET", "/api/v1/users/bob", nil, http.StatusOK, &p)
	if p.Reputation != bobsPoints {
		t.Fatalf("bob's reputation after repair = %d, want %d", p.Reputation, bobsPoints)
	}
	ann.JSON("GET", "/api/v1/users/ann", nil, http.StatusOK, &p)
	if p.Reputation != 0 || p.Champion {
		t.Fatalf("ann after repair: %+v", p)
	}
	var rep struct {
		Items []struct {
			Points int
			Reason string
		}
	}
	ann.JSON("GET", "/api/v1/users/bob/reputation", nil, http.StatusOK, &rep)
	sum := 0
	for _, e := range rep.Items {
		sum += e.Points
	}
	if sum != bobsPoints || rep.Items[0].Reason != "adjusted" || rep.Items[0].Points != 2 {
		t.Fatalf("bob's ledger after repair = %+v; want it to sum to %d, a +2 correction newest", rep.Items, bobsPoints)
	}
	var like struct{ Likes int }
	ann.JSON("GET", "/api/v1/posts/"+reply.ID, nil, http.StatusOK, &like)
	if like.Likes != 1 {
		t.Fatalf("likes after repair = %d", like.Likes)
	}
}
