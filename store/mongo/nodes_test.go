package mongo_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
)

// testTwoNodes starts two complete app servers on one MongoDB database, as
// two nodes behind a load balancer would run, and shows that what one node
// writes the other serves: the session (signed in on A, used on B), an idea
// proposed on A, a vote cast on B counted on A, and a forum thread started
// on B that shows the reply posted on A, and both found by each node's own
// search index. It reaches the backend
// only through the app, so it lives here beside the other MongoDB tests
// and is skipped with them.
func testTwoNodes(t *testing.T) {
	uri := apptest.FreshMongoDB(t)
	nodeConfig := apptest.WithConfig(func(c *app.Config) { c.MongoDBURI = uri })
	a, b := apptest.Start(t, nodeConfig), apptest.Start(t, nodeConfig)

	ann := a.Client(t, "Ann", townhall.RoleMember)
	var idea struct {
		ID    string `json:"id"`
		Votes int    `json:"votes"`
	}
	ann.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Dark mode everywhere", "body": "Please."}, http.StatusCreated, &idea)

	ann.Base = b.URL // the same browser, routed to the other node
	var me townhall.User
	ann.JSON("GET", "/api/v1/me", nil, http.StatusOK, &me)
	if me.ID != ann.User.ID {
		t.Fatalf("node B sees %+v; want Ann's session from node A", me)
	}
	res, page := ann.Get("/ideas/" + idea.ID)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "Dark mode everywhere") {
		t.Fatalf("node B idea page: %d, title missing", res.StatusCode)
	}

	bob := b.Client(t, "Bob", townhall.RoleMember)
	bob.JSON("POST", "/api/v1/ideas/"+idea.ID+"/vote", nil, http.StatusOK, nil)
	bob.Base = a.URL
	bob.JSON("GET", "/api/v1/ideas/"+idea.ID, nil, http.StatusOK, &idea)
	if idea.Votes != 2 {
		t.Fatalf("node A counts %d votes; want 2 (Ann's own and Bob's from node B)", idea.Votes)
	}

	// The forum: a category made on A, a thread started on B (Ann is
	// routed there), a reply from A, all read back on B.
	ada := a.Client(t, "Ada", townhall.RoleAdmin)
	ada.JSON("POST", "/api/v1/categories", map[string]any{"name": "Help", "slug": "help"}, http.StatusCreated, nil)
	var th struct {
		ID      string `json:"id"`
		Replies int    `json:"replies"`
	}
	ann.JSON("POST", "/api/v1/threads", map[string]string{"category": "help", "title": "Export on node B", "body": "How?"}, http.StatusCreated, &th)
	bob.JSON("POST", "/api/v1/threads/"+th.ID+"/posts", map[string]string{"body": "From node A: use the menu."}, http.StatusCreated, nil)
	ann.JSON("GET", "/api/v1/threads/"+th.ID, nil, http.StatusOK, &th)
	if th.Replies != 1 {
		t.Fatalf("node B counts %d replies; want Bob's one from node A", th.Replies)
	}
	if res, page := ann.Get("/t/" + th.ID); res.StatusCode != http.StatusOK || !strings.Contains(page, "use the menu") {
		t.Fatalf("node B thread page: %d, Bob's reply from node A missing", res.StatusCode)
	}

	// Search: each node keeps its own index, fed from the shared change
	// feed, so the thread started on B and the reply posted on A are found
	// on both nodes.
	for _, node := range []*apptest.Env{a, b} {
		c := node.Anonymous(t)
		for _, q := range []string{"Export node", "menu"} {
			waitFound(t, c, q, th.ID)
		}
	}
}

// waitFound polls a node's search API until a hit for q belongs to the
// thread (the thread itself or one of its posts), failing after 10 s.
func waitFound(t *testing.T, c *apptest.Client, q, threadID string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var out struct {
			Items []struct{ Kind, ID, URL string }
		}
		c.JSON("GET", "/api/v1/search?q="+url.QueryEscape(q), nil, http.StatusOK, &out)
		for _, it := range out.Items {
			if strings.HasPrefix(it.URL, "/t/"+threadID) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("search %q on %s: thread %s not found after 10 s (hits %+v)", q, c.Base, threadID, out.Items)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// testTwoNodesShareRateLimits shows that a person's write budget is one
// budget across nodes: writes on node A count against node B.
func testTwoNodesShareRateLimits(t *testing.T) {
	uri := apptest.FreshMongoDB(t)
	nodeConfig := apptest.WithConfig(func(c *app.Config) {
		c.MongoDBURI = uri
		c.UserWritesPerMinute = 12 // 6 for a new member, whose budget is half
	})
	a, b := apptest.Start(t, nodeConfig), apptest.Start(t, nodeConfig)
	// The shared limiter counts fixed one-minute windows; start the writes
	// early in a window so all of them land in the same one.
	if left := time.Minute - time.Duration(time.Now().UnixNano())%time.Minute; left < 30*time.Second {
		time.Sleep(left)
	}
	a.Client(t, "Root", "") // the first person is the admin, with a larger budget
	ann := a.Client(t, "Ann", townhall.RoleMember)
	// Content writes spend the budget, refused ones too (a title too short).
	short := map[string]string{"title": "x"}
	for i := range 6 {
		ann.Base = []string{a.URL, b.URL}[i%2] // the load balancer alternates
		ann.JSON("POST", "/api/v1/ideas", short, http.StatusBadRequest, nil)
	}
	for _, node := range []*apptest.Env{b, a} {
		ann.Base = node.URL
		res, _ := ann.Do("POST", "/api/v1/ideas", short)
		retry, _ := strconv.Atoi(res.Header.Get("Retry-After"))
		if res.StatusCode != http.StatusTooManyRequests || retry < 1 || retry > 60 {
			t.Fatalf("7th write on %s: %d, Retry-After %q; want 429 within the minute (6 writes spread over two nodes used the budget)",
				node.URL, res.StatusCode, res.Header.Get("Retry-After"))
		}
	}
	bob := b.Client(t, "Bob", townhall.RoleMember)
	bob.JSON("POST", "/api/v1/ideas", short, http.StatusBadRequest, nil)
}
