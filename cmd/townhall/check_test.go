package main

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/insights"
	"github.com/townhall/townhall/jobs"
	"github.com/townhall/townhall/store/sqlite"
)

// TestCheck runs `townhall check` next to a serving site: consistent, then
// with a counter broken by hand, which it names; --repair is for MongoDB.
func TestCheck(t *testing.T) {
	// Check on MongoDB, and --repair there, are tested in store/mongo and
	// by TestMigrateStoreToMongoDB.
	env := apptest.Start(t, apptest.EmbeddedStore("breaks a counter with SQL on the embedded store's file"))
	env.Client(t, "root", "")
	ann := env.Client(t, "Ann", townhall.RoleMember)
	bob := env.Client(t, "Bob", townhall.RoleMember)
	var idea struct{ ID string }
	ann.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Offline mode", "body": "Please."}, http.StatusCreated, &idea)
	bob.JSON("POST", "/api/v1/ideas/"+idea.ID+"/vote", nil, http.StatusOK, nil)
	dir := env.App.Config.DataDir

	checkRun := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"check", "--data", dir}, args...), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	if code, out, errOut := checkRun(); code != 0 || !strings.Contains(out, "all consistent") {
		t.Fatalf("consistent site: exit %d\n%s%s", code, out, errOut)
	}

	// The site is still running, and its background jobs may hold the
	// write lock for a moment: wait for it rather than fail at once.
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE ideas SET votes = votes + 1 WHERE id = ?`, idea.ID); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := checkRun()
	if code != 1 || !strings.Contains(errOut, "ideas.votes") || !strings.Contains(errOut, idea.ID) {
		t.Fatalf("broken vote counter: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := checkRun("--repair"); code != 2 || !strings.Contains(errOut, "MongoDB") {
		t.Fatalf("--repair on the embedded store: exit %d, %s", code, errOut)
	}
}

// TestCheckInsights: `townhall check` compares the insights' stored days
// with their facts: all match after a pass; a thread hidden since is
// reported as a day behind, without failing the check; on MongoDB
// --repair recomputes it.
func TestCheckInsights(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	root := env.Client(t, "root", "")
	ann := env.Client(t, "Ann", townhall.RoleMember)
	mod := env.Client(t, "Mo", townhall.RoleModerator)
	root.JSON("POST", "/api/v1/categories", map[string]any{"name": "General", "slug": "general"}, http.StatusCreated, nil)
	var thread struct{ ID string }
	ann.JSON("POST", "/api/v1/threads", map[string]string{"category": "general", "title": "Where are the exports?", "body": "Looking"}, http.StatusCreated, &thread)
	// The pass a starting node asks for runs first; then this test's own.
	deadline := time.Now().Add(30 * time.Second)
	for {
		counts, err := env.App.DB.CountJobs(ctx, insights.Queue)
		if err != nil {
			t.Fatal(err)
		}
		if counts[jobs.StatePending]+counts[jobs.StateRunning] == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the start-up pass did not finish: %v", counts)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for more := true; more; {
		var err error
		if more, err = env.App.Insights.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"check", "--data", env.App.Config.DataDir}
	if uri := env.App.Config.MongoDBURI; uri != "" {
		args = append(args, "--mongodb-uri", uri)
	}
	checkRun := func(extra ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(ctx, append(args, extra...), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	if code, out, errOut := checkRun(); code != 0 || !strings.Contains(out, "Insights: all 730 stored days match their facts") {
		t.Fatalf("after a pass: exit %d\n%s%s", code, out, errOut)
	}
	mod.JSON("POST", "/api/v1/threads/"+thread.ID+"/hide", nil, http.StatusOK, nil)
	today := env.App.Auth.Day(time.Now())
	if code, out, errOut := checkRun(); code != 0 || !strings.Contains(out, "1 of 730 stored days are behind their facts ("+today+")") {
		t.Fatalf("after hiding today's thread: exit %d\n%s%s", code, out, errOut)
	}
	if env.App.Config.MongoDBURI == "" {
		return // --repair is for MongoDB (TestCheck)
	}
	if code, out, errOut := checkRun("--repair"); code != 0 || !strings.Contains(out, "Insights: recomputed") {
		t.Fatalf("--repair: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := checkRun(); code != 0 || !strings.Contains(out, "Insights: all 730") {
		t.Fatalf("after --repair: exit %d\n%s%s", code, out, errOut)
	}
}
