package email_test

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/email"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/jobs"
	"github.com/townhall/townhall/store/sqlite"
)

// benchVoters is how many people vote for the benchmark's idea: the
// issue's 20,000 unless TOWNHALL_BENCH_VOTERS says otherwise.
func benchVoters() int {
	if v, err := strconv.Atoi(os.Getenv("TOWNHALL_BENCH_VOTERS")); err == nil && v > 0 {
		return v
	}
	return 20000
}

// BenchmarkStatusChangeFanout changes the status of an idea with 20,000
// voters (each with an address and the default preferences) through the
// API on the embedded store, and measures two things per change: the
// request (request-p99-ms: it only records the change and enqueues the
// fan-out), and the time until the background fan-out has stored a
// notification and enqueued an email for every voter (fanout-s, the
// mean, and emails/s). Each change happens in a later --mail-delay window
// (the idea service's clock moves on), so each enqueues a new email per
// voter, none of which is due during the benchmark.
func BenchmarkStatusChangeFanout(b *testing.B) {
	ctx := context.Background()
	voters := benchVoters()
	env := apptest.Start(b, apptest.EmbeddedStore("the bulk loader writes the voters"),
		apptest.WithConfig(func(c *app.Config) { c.MailDelay = 2 * time.Minute }))
	admin := env.ClientWithEmail(b, "Admin", townhall.RoleAdmin, "admin@acme.example")
	db := env.App.DB.(*sqlite.DB)
	bulk, err := db.BeginBulk(ctx)
	if err != nil {
		b.Fatal(err)
	}
	at := time.Now().Add(-24 * time.Hour).UTC().Truncate(time.Millisecond)
	author := &townhall.User{Name: "Author", Email: "author@example.com", CreatedAt: at}
	if err := bulk.AddUser(ctx, author, "dev", "author"); err != nil {
		b.Fatal(err)
	}
	votes := make([]sqlite.BulkVote, voters)
	for i := range voters {
		u := &townhall.User{Name: fmt.Sprintf("Voter %d", i), Email: fmt.Sprintf("v%d@example.com", i), CreatedAt: at}
		if err := bulk.AddUser(ctx, u, "dev", fmt.Sprint("voter", i)); err != nil {
			b.Fatal(err)
		}
		votes[i] = sqlite.BulkVote{UserID: u.ID, At: at.Add(time.Duration(i) * time.Millisecond)}
	}
	idea := &ideas.Idea{ID: townhall.NewID(), Title: "Offline mode", Body: "Please.", BodyHTML: template.HTML("<p>Please.</p>"),
		Tags: []string{}, AuthorID: author.ID, CreatedAt: at, UpdatedAt: at}
	if err := bulk.AddIdea(ctx, idea, ideas.TitleWords(idea.Title), votes, nil, nil); err != nil {
		b.Fatal(err)
	}
	if err := bulk.Finish(ctx, nil); err != nil {
		b.Fatal(err)
	}
	statuses := []string{"under_review", "planned", "in_progress", "done"}
	var requests, fanouts []time.Duration
	b.ResetTimer()
	for i := range b.N {
		shift := time.Duration(i+1) * 10 * time.Minute // a new mail window each time
		env.App.Ideas.SetClock(func() time.Time { return time.Now().Add(shift) })
		before := pendingMail(b, env)
		start := time.Now()
		admin.JSON("PUT", "/api/v1/ideas/"+idea.ID+"/status", map[string]string{"status": statuses[i%len(statuses)], "response": "Thanks for voting!"}, http.StatusOK, nil)
		requests = append(requests, time.Since(start))
		env.WaitJobs(b, ideas.QueueFanout)
		fanouts = append(fanouts, time.Since(start))
		if got := pendingMail(b, env) - before; got != voters+1 {
			b.Fatalf("change %d enqueued %d emails, want one per voter (%d)", i, got, voters+1)
		}
	}
	b.StopTimer()
	slices.Sort(requests)
	p99 := requests[min(len(requests)-1, len(requests)*99/100)]
	var total time.Duration
	for _, f := range fanouts {
		total += f
	}
	mean := total / time.Duration(len(fanouts))
	b.ReportMetric(float64(p99.Microseconds())/1000, "request-p99-ms")
	b.ReportMetric(mean.Seconds(), "fanout-s")
	b.ReportMetric(float64(voters+1)/mean.Seconds(), "emails/s")
}

func pendingMail(b *testing.B, env *apptest.Env) int {
	b.Helper()
	n, err := env.App.DB.CountJobs(context.Background(), email.QueueMail)
	if err != nil {
		b.Fatal(err)
	}
	return n[jobs.StatePending]
}
