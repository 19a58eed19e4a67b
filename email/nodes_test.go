package email_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/email/mailtest"
)

// TestTwoNodesSendEachEmailOnce runs two app nodes on one MongoDB database
// with their mail workers racing for the same batch: every email arrives,
// and none twice.
func TestTwoNodesSendEachEmailOnce(t *testing.T) {
	if apptest.MongoDBURI() == "" {
		t.Skipf("%s is not set: two nodes on one MongoDB were not tested", apptest.MongoDBURIEnv)
	}
	const batch = 30
	srv := mailtest.Start(t)
	srv.Reply(func(int) error { time.Sleep(5 * time.Millisecond); return nil })
	uri := apptest.FreshMongoDB(t)
	node := apptest.WithConfig(func(c *app.Config) {
		c.MongoDBURI, c.SMTPURL, c.MailDelay, c.SiteName = uri, srv.URL(), 2*time.Minute, "Acme Community"
	})
	a, b := apptest.Start(t, node), apptest.Start(t, node)
	admin := a.ClientWithEmail(t, "Admin", townhall.RoleAdmin, "admin@acme.example")
	var cat struct{ Slug string }
	admin.JSON("POST", "/api/v1/categories", map[string]any{"name": "General"}, http.StatusCreated, &cat)
	for i := range batch {
		env := []*apptest.Env{a, b}[i%2]
		u := env.ClientWithEmail(t, fmt.Sprintf("Person %d", i), townhall.RoleMember, fmt.Sprintf("p%d@example.com", i))
		tid := thread(t, u, cat.Slug, fmt.Sprintf("Question %d", i), "Help?")
		reply(t, admin, tid, "Answered.")
	}
	if n := srv.Attempts(); n != 0 {
		t.Fatalf("%d emails went out before the delay", n)
	}
	// The windows end on both nodes at once.
	later := func() time.Time { return time.Now().Add(3 * time.Minute) }
	a.App.Jobs.SetClock(later)
	b.App.Jobs.SetClock(later)
	srv.Wait(t, batch, 60*time.Second)
	a.WaitJobs(t)
	time.Sleep(200 * time.Millisecond) // any duplicate would have arrived by now
	got := srv.Messages()
	ids := map[string]bool{}
	for _, m := range got {
		ids[m.Header.Get("Message-ID")] = true
	}
	if len(got) != batch || len(ids) != batch {
		t.Fatalf("%d emails arrived with %d Message-IDs; want each of %d once", len(got), len(ids), batch)
	}
	sentA, sentB := sentOn(t, a), sentOn(t, b)
	if sentA+sentB != batch {
		t.Fatalf("the nodes report %d and %d sent; want %d in all", sentA, sentB, batch)
	}
	t.Logf("node A sent %d, node B %d", sentA, sentB)
}

var sentMetric = regexp.MustCompile(`(?m)^townhall_mail_total\{outcome="sent"\} (\d+)$`)

// sentOn reads a node's count of sent email from its /metrics.
func sentOn(t *testing.T, env *apptest.Env) int {
	t.Helper()
	_, body := env.Anonymous(t).Get("/metrics")
	m := sentMetric.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no sent count in /metrics:\n%s", body)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
