package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/insights"
)

// refreshInsights runs the background pass to the end, as the job would.
func refreshInsights(t *testing.T, env *apptest.Env) {
	t.Helper()
	for range 50 {
		more, err := env.App.Insights.Refresh(context.Background())
		if err != nil {
			t.Fatalf("insights refresh: %v", err)
		}
		if !more {
			env.App.Insights.CacheFor = 0 // each request sees the newest figures
			return
		}
	}
	t.Fatal("the insights pass did not finish")
}

// TestInsights: the product team and admins read the figures (members get
// 403, visitors 401 or the sign-in page) as a page, as JSON with the
// issue's field names, per chart and as CSV; hidden content is left out;
// bad periods, segments and charts are 400 naming what is allowed.
func TestInsights(t *testing.T) {
	env := apptest.Start(t)
	root := env.Client(t, "root", "")
	ann := env.Client(t, "Ann", "")
	pat := env.Client(t, "Pat", townhall.RoleProduct)
	mod := env.Client(t, "Mo", townhall.RoleModerator)
	anon := env.Anonymous(t)
	root.JSON("POST", "/api/v1/categories", map[string]any{"name": "Questions", "slug": "questions", "questions": true}, http.StatusCreated, nil)
	var asked, spam struct{ ID string }
	ann.JSON("POST", "/api/v1/threads", map[string]string{"category": "questions", "title": "How do I export?", "body": "Tell me"}, http.StatusCreated, &asked)
	ann.JSON("POST", "/api/v1/threads", map[string]string{"category": "questions", "title": "Buy cheap watches", "body": "spam"}, http.StatusCreated, &spam)
	pat.JSON("POST", "/api/v1/threads/"+asked.ID+"/posts", map[string]string{"body": "Reports, then Export."}, http.StatusCreated, nil)
	mod.JSON("POST", "/api/v1/threads/"+spam.ID+"/hide", nil, http.StatusOK, nil)
	propose(t, ann, "Dark mode")
	refreshInsights(t, env)

	step(t, "the headline has the issue's fields, today's figures and the period before", func(t *testing.T) {
		var got map[string]any
		pat.JSON("GET", "/api/v1/insights?period=7d", nil, http.StatusOK, &got)
		for _, key := range []string{"active_members", "new_members", "threads", "replies", "unanswered_threads", "solved_share",
			"median_first_reply_seconds", "ideas_proposed", "ideas_awaiting_response", "median_first_response_seconds", "reviews", "rating_average"} {
			if _, ok := got[key]; !ok {
				t.Errorf("no %q in %v", key, got)
			}
		}
		want := map[string]any{"period": "7d", "threads": 1.0, "replies": 1.0, "unanswered_threads": 0.0, "solved_share": 0.0,
			"ideas_proposed": 1.0, "ideas_awaiting_response": 1.0, "reviews": 0.0, "rating_average": nil,
			"median_first_response_seconds": nil, "new_members": 4.0, "active_members": 4.0, "ready": true}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s = %v, want %v", k, got[k], w)
			}
		}
		if s, ok := got["median_first_reply_seconds"].(float64); !ok || s < 0 || s > 600 {
			t.Errorf("median_first_reply_seconds = %v; want the seconds between the question and Pat's reply", got["median_first_reply_seconds"])
		}
		prev, ok := got["previous"].(map[string]any)
		if !ok || prev["threads"] != 0.0 || prev["active_members"] != 0.0 {
			t.Errorf("previous = %v; want an empty week", got["previous"])
		}
	})

	step(t, "who may read it, and bad questions", func(t *testing.T) {
		msg := ann.WantError("GET", "/api/v1/insights", nil, http.StatusForbidden, townhall.EFORBIDDEN)
		if !strings.Contains(msg, "product team") {
			t.Errorf("forbidden message %q", msg)
		}
		anon.WantError("GET", "/api/v1/insights", nil, http.StatusUnauthorized, townhall.EUNAUTHORIZED)
		mod.WantError("GET", "/api/v1/insights.csv", nil, http.StatusForbidden, townhall.EFORBIDDEN)
		root.JSON("GET", "/api/v1/insights", nil, http.StatusOK, nil)
		for _, tc := range []struct{ path, want string }{
			{"/api/v1/insights?period=2w", "7d, 30d, 90d, 365d"},
			{"/api/v1/insights/threads?period=0d", "7d, 30d, 90d, 365d"},
			{"/api/v1/insights?segment=gold", "none"},
			{"/api/v1/insights/pie", "activity, threads"},
			{"/api/v1/insights.csv?chart=pie", "cohorts"},
			{"/api/v1/insights?product=nope", "product"},
		} {
			if msg := pat.WantError("GET", tc.path, nil, http.StatusBadRequest, townhall.EINVALID); !strings.Contains(msg, tc.want) {
				t.Errorf("%s: %q does not list %q", tc.path, msg, tc.want)
			}
		}
		if res, _ := ann.Get("/insights"); res.StatusCode != http.StatusForbidden {
			t.Errorf("member's page: %d", res.StatusCode)
		}
		if res, _ := anon.Get("/insights"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
			t.Errorf("visitor's page: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if res, body := pat.Get("/insights?period=2w"); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "7d, 30d, 90d, 365d") {
			t.Errorf("page with a bad period: %d", res.StatusCode)
		}
	})

	step(t, "each chart's series, by day, with the period before", func(t *testing.T) {
		var got struct {
			Chart    string
			Columns  []struct{ Key, Kind string }
			Items    []map[string]any
			Previous []map[string]any
		}
		pat.JSON("GET", "/api/v1/insights/threads?period=7d", nil, http.StatusOK, &got)
		total := 0.0
		for _, it := range got.Items {
			total += it["threads"].(float64)
		}
		if got.Chart != "threads" || len(got.Items) != 7 || len(got.Previous) != 7 || total != 1 || got.Columns[2].Key != "threads" || got.Columns[2].Kind != "count" {
			t.Errorf("threads chart = %+v", got)
		}
		for _, key := range insights.Charts {
			pat.JSON("GET", "/api/v1/insights/"+key+"?period=90d", nil, http.StatusOK, nil)
		}
	})

	step(t, "CSV of the headline and of a chart", func(t *testing.T) {
		res, body := pat.Get("/api/v1/insights.csv?period=30d")
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("headline CSV: %d %v", res.StatusCode, err)
		}
		if strings.Join(rows[0], ",") != "metric,label,value,previous,from,to,previous_from,previous_to" {
			t.Errorf("header = %v", rows[0])
		}
		found := false
		for _, r := range rows[1:] {
			if r[0] == "threads" {
				found = r[2] == "1" && r[3] == "0"
			}
		}
		if !found {
			t.Errorf("no threads row of 1 against 0 in\n%s", body)
		}
		_, body = pat.Get("/api/v1/insights.csv?period=7d&chart=ideas")
		rows, err = csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(rows) != 15 || strings.Join(rows[0], ",") != "period,from,to,ideas_proposed,votes" || rows[7][0] != "current" || rows[8][0] != "previous" {
			t.Errorf("ideas CSV (%v):\n%s", err, body)
		}
	})

	step(t, "the page draws accessible charts with tables, without inline style or script", func(t *testing.T) {
		res, body := pat.Get("/insights?period=7d")
		if res.StatusCode != 200 {
			t.Fatalf("page: %d", res.StatusCode)
		}
		for _, want := range []string{`role="img"`, `aria-labelledby="chart-activity-title chart-activity-desc"`, `<desc id="chart-threads-threads-desc">`,
			`href="/api/v1/insights.csv?chart=threads&amp;period=7d"`, `data-testid="table-cohorts"`, "Community health", "Co-creation",
			"Relationship by segment", `<summary>Table</summary>`, `aria-current="true">7 days</a>`, `href="/insights"`} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %s", want)
			}
		}
		if regexp.MustCompile(`(?i)<[^>]+\sstyle=`).MatchString(body) || regexp.MustCompile(`<script>`).MatchString(body) {
			t.Error("the page has an inline style or script")
		}
		if strings.Contains(body, "Buy cheap watches") {
			t.Error("the hidden thread shows")
		}
		if _, home := ann.Get("/"); strings.Contains(home, `href="/insights"`) {
			t.Error("a member's header links to insights")
		}
	})
}
