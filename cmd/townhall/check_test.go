package main

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
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

	raw, err := sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
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
