package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
)

func TestIdeaCSVExport(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "root", "")
	ann := env.Client(t, "Ann", "")
	pat := env.Client(t, "Pat", townhall.RoleProduct)
	ctx := context.Background()
	adminUser, _ := env.App.Auth.User(ctx, admin.User.ID)
	seg := &townhall.Segment{Name: "Enterprise", Weight: 5}
	if err := env.App.Auth.SaveSegment(ctx, adminUser, seg); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Auth.AssignSegment(ctx, adminUser, pat.User.ID, seg.ID); err != nil {
		t.Fatal(err)
	}
	formula := propose(t, ann, "=HYPERLINK(\"http://evil\")", "-x", "+y")
	plain := propose(t, ann, "Plain idea, with comma")
	pat.JSON("POST", "/api/v1/ideas/"+plain.ID+"/vote", nil, http.StatusOK, nil)
	res, body := pat.Get("/api/v1/ideas.csv")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "ideas.csv") {
		t.Fatalf("export: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"id", "title", "status", "votes", "weighted_score", "created", "tags", "url"},
		{formula.ID, `'=HYPERLINK("http://evil")`, "open", "1", "1", "", "'-x +y", env.URL + "/ideas/" + formula.ID},
		{plain.ID, "Plain idea, with comma", "open", "2", "6", "", "", env.URL + "/ideas/" + plain.ID},
	}
	if len(rows) != len(want) {
		t.Fatalf("csv has %d rows:\n%s", len(rows), body)
	}
	for r := range want {
		for c := range want[r] {
			if c == 5 && r > 0 {
				if !strings.HasSuffix(rows[r][c], "Z") {
					t.Errorf("created %q is not RFC 3339 UTC", rows[r][c])
				}
				continue
			}
			if rows[r][c] != want[r][c] {
				t.Errorf("row %d col %s = %q, want %q", r, want[0][c], rows[r][c], want[r][c])
			}
		}
	}
	_, triage := pat.Get("/ideas/triage")
	if !strings.Contains(triage, `href="/api/v1/ideas.csv"`) {
		t.Fatal("triage page has no export button")
	}
}
