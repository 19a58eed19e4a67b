package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
)

// logEntry is a staff-log entry as GET /api/v1/admin/log answers it.
type logEntry struct {
	ID    string
	At    time.Time
	Actor struct {
		ID, Name string
		Role     townhall.Role
	}
	Action     string
	Label      string
	TargetKind string `json:"target_kind"`
	TargetID   string `json:"target_id"`
	Target     string
	URL        string
	Before     map[string]any
	After      map[string]any
	Reason     string
}

type logPage struct {
	Items []logEntry
	Next  string
}

// newestEntry is the newest entry of the given action.
func newestEntry(t *testing.T, c *apptest.Client, action string) logEntry {
	t.Helper()
	var p logPage
	c.JSON("GET", "/api/v1/admin/log?limit=1&action="+url.QueryEscape(action), nil, http.StatusOK, &p)
	if len(p.Items) != 1 {
		t.Fatalf("no %s entry in the staff log", action)
	}
	return p.Items[0]
}

// subset reports whether every key of want is in got with an equal value
// (numbers compared as JSON gives them: float64).
func subset(want, got map[string]any) bool {
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			return false
		}
	}
	return true
}

// TestStaffLogRecordsEveryStaffAction takes every kind of moderator, admin
// and product-team action through the API and checks its entry: who,
// what, the target, the values before and after, and the reason.
func TestStaffLogRecordsEveryStaffAction(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Ada", "")
	mod := env.Client(t, "Mo", townhall.RoleModerator)
	pat := env.Client(t, "Pat", townhall.RoleProduct)
	ann := env.Client(t, "Ann", townhall.RoleMember)
	bob := env.Client(t, "Bob", townhall.RoleMember)

	var general, qa, other apiCategory
	admin.JSON("POST", "/api/v1/categories", map[string]any{"name": "General", "slug": "general"}, http.StatusCreated, &general)
	admin.JSON("POST", "/api/v1/categories", map[string]any{"name": "Questions", "slug": "qa", "questions": true}, http.StatusCreated, &qa)
	admin.JSON("POST", "/api/v1/categories", map[string]any{"name": "Other", "slug": "other"}, http.StatusCreated, &other)
	var thread, question apiThread
	ann.JSON("POST", "/api/v1/threads", map[string]any{"category": "general", "title": "Printer jams", "body": "Every day."}, http.StatusCreated, &thread)
	ann.JSON("POST", "/api/v1/threads", map[string]any{"category": "qa", "title": "How to reset?", "body": "Help."}, http.StatusCreated, &question)
	var reply, answer apiPost
	bob.JSON("POST", "/api/v1/threads/"+thread.ID+"/posts", map[string]any{"body": "Same here."}, http.StatusCreated, &reply)
	bob.JSON("POST", "/api/v1/threads/"+question.ID+"/posts", map[string]any{"body": "Hold the button."}, http.StatusCreated, &answer)
	var idea, dup struct{ ID string }
	ann.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Dark mode", "body": "Please."}, http.StatusCreated, &idea)
	bob.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Night theme", "body": "Same."}, http.StatusCreated, &dup)
	var comment struct{ ID string }
	ann.JSON("POST", "/api/v1/ideas/"+idea.ID+"/comments", map[string]any{"body": "Nice."}, http.StatusCreated, &comment)
	var product struct{ ID, Slug string }
	pat.JSON("POST", "/api/v1/products", map[string]any{"name": "Router X2"}, http.StatusCreated, &product)
	var review struct{ ID string }
	ann.JSON("POST", "/api/v1/products/"+product.ID+"/reviews", map[string]any{"rating": 4, "title": "Solid", "body": "Works."}, http.StatusCreated, &review)
	var review2 struct{ ID string }
	bob.JSON("POST", "/api/v1/products/"+product.ID+"/reviews", map[string]any{"rating": 1, "title": "Spam", "body": "Buy pills."}, http.StatusCreated, &review2)
	var seg struct{ ID string }

	type m = map[string]any
	cases := []struct {
		action string
		by     *apptest.Client
		do     func(t *testing.T) string // performs the action, returns the target id
		kind   string
		before m
		after  m
		reason string
	}{
		{"category.create", admin, func(t *testing.T) string { return other.ID }, "category", nil, m{"name": "Other", "slug": "other"}, ""},
		{"category.update", admin, func(t *testing.T) string {
			admin.JSON("PATCH", "/api/v1/categories/"+other.ID, m{"name": "Elsewhere", "slug": "other"}, http.StatusOK, nil)
			return other.ID
		}, "category", m{"name": "Other"}, m{"name": "Elsewhere"}, ""},
		{"post.hide", mod, func(t *testing.T) string {
			mod.JSON("POST", "/api/v1/posts/"+reply.ID+"/hide", nil, http.StatusOK, nil)
			return reply.ID
		}, "post", m{"hidden": false}, m{"hidden": true}, ""},
		{"post.unhide", mod, func(t *testing.T) string {
			mod.JSON("DELETE", "/api/v1/posts/"+reply.ID+"/hide", nil, http.StatusOK, nil)
			return reply.ID
		}, "post", m{"hidden": true}, m{"hidden": false}, ""},
		{"post.edit", mod, func(t *testing.T) string {
			mod.JSON("PATCH", "/api/v1/posts/"+reply.ID, m{"body": "Same here. [link removed]"}, http.StatusOK, nil)
			return reply.ID
		}, "post", m{"body": "Same here."}, m{"body": "Same here. [link removed]"}, ""},
		{"thread.lock", mod, func(t *testing.T) string {
			mod.JSON("POST", "/api/v1/threads/"+thread.ID+"/lock", nil, http.StatusOK, nil)
			return thread.ID
		}, "thread", m{"locked": false}, m{"locked": true}, ""},
		{"thread.unlock", mod, func(t *testing.T) string {
			mod.JSON("DELETE", "/api/v1/threads/"+thread.ID+"/lock", nil, http.StatusOK, nil)
			return thread.ID
		}, "thread", m{"locked": true}, m{"locked": false}, ""},
		{"thread.pin", mod, func(t *testing.T) string {
			mod.JSON("POST", "/api/v1/threads/"+thread.ID+"/pin", nil, http.StatusOK, nil)
			return thread.ID
		}, "thread", m{"pinned": false}, m{"pinned": true}, ""},
		{"thread.unpin", mod, func(t *testing.T) string {
			mod.JSON("DELETE", "/api/v1/threads/"+thread.ID+"/pin", nil, http.StatusOK, nil)
			return thread.ID
		}, "thread", m{"pinned": true}, m{"pinned": false}, ""},
		{"thread.hide", mod, func(t *testing.T) string {
			mod.JSON("POST", "/api/v1/threads/"+thread.ID+"/hide", nil, http.StatusOK, nil)
			return thread.ID
		}, "thread", m{"hidden": false}, m{"hidden": true}, ""},
		{"thread.unhide", mod, func(t *testing.T) string {
			mod.JSON("DELETE", "/api/v1/threads/"+thread.ID+"/hide", nil, http.StatusOK, nil)
			return thread.ID
		}, "thread", m{"hidden": true}, m{"hidden": false}, ""},
		{"thread.move", mod, func(t *testing.T) string {
			mod.JSON("POST", "/api/v1/threads/"+thread.ID+"/move", m{"category": "other"}, http.StatusOK, nil)
			return thread.ID
		}, "thread", m{"category": "general"}, m{"category": "other"}, ""},
		{"thread.accept", mod, func(t *testing.T) string {
			mod.JSON("POST", "/api/v1/posts/"+answer.ID+"/accept", nil, http.StatusOK, nil)
			return question.ID
		}, "thread", m{"accepted_post_id": ""}, m{"accepted_post_id": answer.ID}, ""},
		{"thread.unaccept", mod, func(t *testing.T) string {
			mod.JSON("DELETE", "/api/v1/posts/"+answer.ID+"/accept", nil, http.StatusOK, nil)
			return question.ID
		}, "thread", m{"accepted_post_id": answer.ID}, m{"accepted_post_id": ""}, ""},
		{"idea.edit", pat, func(t *testing.T) string {
			pat.JSON("PATCH", "/api/v1/ideas/"+idea.ID, m{"title": "Dark mode everywhere", "body": "Please."}, http.StatusOK, nil)
			return idea.ID
		}, "idea", m{"title": "Dark mode"}, m{"title": "Dark mode everywhere"}, ""},
		{"idea.status", pat, func(t *testing.T) string {
			pat.JSON("PUT", "/api/v1/ideas/"+idea.ID+"/status", m{"status": "planned", "reason": "Next quarter"}, http.StatusOK, nil)
			return idea.ID
		}, "idea", m{"status": "open"}, m{"status": "planned"}, "Next quarter"},
		{"idea.respond", pat, func(t *testing.T) string {
			pat.JSON("PUT", "/api/v1/ideas/"+idea.ID+"/status", m{"status": "planned", "response": "We're on it."}, http.StatusOK, nil)
			return idea.ID
		}, "idea", nil, m{"response": "We're on it."}, ""},
		{"idea.merge", pat, func(t *testing.T) string {
			pat.JSON("POST", "/api/v1/ideas/"+dup.ID+"/merge", m{"into": idea.ID}, http.StatusOK, nil)
			return dup.ID
		}, "idea", m{"status": "open"}, m{"merged_into": idea.ID}, ""},
		{"idea.hide", mod, func(t *testing.T) string {
			mod.JSON("PUT", "/api/v1/ideas/"+idea.ID+"/hidden", m{"hidden": true, "reason": "Off topic"}, http.StatusOK, nil)
			return idea.ID
		}, "idea", m{"hidden": false}, m{"hidden": true}, "Off topic"},
		{"idea.unhide", mod, func(t *testing.T) string {
			mod.JSON("PUT", "/api/v1/ideas/"+idea.ID+"/hidden", m{"hidden": false}, http.StatusOK, nil)
			return idea.ID
		}, "idea", m{"hidden": true}, m{"hidden": false}, ""},
		{"comment.edit", mod, func(t *testing.T) string {
			mod.JSON("PATCH", "/api/v1/comments/"+comment.ID, m{"body": "Nice!"}, http.StatusOK, nil)
			return comment.ID
		}, "comment", m{"body": "Nice."}, m{"body": "Nice!"}, ""},
		{"comment.hide", mod, func(t *testing.T) string {
			mod.JSON("PUT", "/api/v1/comments/"+comment.ID+"/hidden", m{"hidden": true, "reason": "Rude"}, http.StatusOK, nil)
			return comment.ID
		}, "comment", m{"hidden": false}, m{"hidden": true}, "Rude"},
		{"comment.unhide", mod, func(t *testing.T) string {
			mod.JSON("PUT", "/api/v1/comments/"+comment.ID+"/hidden", m{"hidden": false}, http.StatusOK, nil)
			return comment.ID
		}, "comment", m{"hidden": true}, m{"hidden": false}, ""},
		{"comment.delete", mod, func(t *testing.T) string {
			mod.JSON("DELETE", "/api/v1/comments/"+comment.ID, nil, http.StatusOK, nil)
			return comment.ID
		}, "comment", m{"deleted": false}, m{"deleted": true}, ""},
		{"product.create", pat, func(t *testing.T) string { return product.ID }, "product", nil, m{"name": "Router X2", "archived": false}, ""},
		{"product.update", pat, func(t *testing.T) string {
			pat.JSON("PATCH", "/api/v1/products/"+product.ID, m{"description": "Fast."}, http.StatusOK, nil)
			return product.ID
		}, "product", m{"description": ""}, m{"description": "Fast."}, ""},
		{"product.archive", pat, func(t *testing.T) string {
			pat.JSON("PATCH", "/api/v1/products/"+product.ID, m{"archived": true}, http.StatusOK, nil)
			return product.ID
		}, "product", m{"archived": false}, m{"archived": true}, ""},
		{"review.respond", pat, func(t *testing.T) string {
			pat.JSON("PUT", "/api/v1/reviews/"+review.ID+"/response", m{"body": "Thanks!"}, http.StatusOK, nil)
			return review.ID
		}, "review", nil, m{"response": "Thanks!"}, ""},
		{"review.response_remove", pat, func(t *testing.T) string {
			pat.JSON("DELETE", "/api/v1/reviews/"+review.ID+"/response", nil, http.StatusOK, nil)
			return review.ID
		}, "review", m{"response": "Thanks!"}, nil, ""},
		{"review.delete", mod, func(t *testing.T) string {
			res, b := mod.Do("DELETE", "/api/v1/reviews/"+review2.ID, nil)
			if res.StatusCode/100 != 2 {
				t.Fatalf("delete review: %d %s", res.StatusCode, b)
			}
			return review2.ID
		}, "review", m{"rating": float64(1), "title": "Spam"}, nil, ""},
		{"user.role", admin, func(t *testing.T) string {
			admin.JSON("PUT", "/api/v1/users/"+bob.User.ID+"/role", m{"role": "moderator"}, http.StatusOK, nil)
			return bob.User.ID
		}, "user", m{"role": "member"}, m{"role": "moderator"}, ""},
		{"user.verified", admin, func(t *testing.T) string {
			admin.JSON("PUT", "/api/v1/users/"+ann.User.ID+"/verified", m{"verified": true}, http.StatusOK, nil)
			return ann.User.ID
		}, "user", m{"verified": false}, m{"verified": true}, ""},
		{"segment.create", admin, func(t *testing.T) string {
			admin.JSON("POST", "/api/v1/segments", m{"name": "Pro", "weight": 3}, http.StatusCreated, &seg)
			return seg.ID
		}, "segment", nil, m{"name": "Pro", "weight": float64(3)}, ""},
		{"segment.update", admin, func(t *testing.T) string {
			admin.JSON("PUT", "/api/v1/segments/"+seg.ID, m{"name": "Pro", "weight": 5}, http.StatusOK, nil)
			return seg.ID
		}, "segment", m{"weight": float64(3)}, m{"weight": float64(5)}, ""},
		{"user.segment", admin, func(t *testing.T) string {
			admin.JSON("PUT", "/api/v1/users/"+ann.User.ID+"/segment", m{"segment_id": seg.ID}, http.StatusOK, nil)
			return ann.User.ID
		}, "user", m{"segment_id": ""}, m{"segment": "Pro"}, ""},
		{"segment.delete", admin, func(t *testing.T) string {
			res, b := admin.Do("DELETE", "/api/v1/segments/"+seg.ID, nil)
			if res.StatusCode != http.StatusNoContent {
				t.Fatalf("delete segment: %d %s", res.StatusCode, b)
			}
			return seg.ID
		}, "segment", m{"name": "Pro"}, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.action, func(t *testing.T) {
			target := tc.do(t)
			e := newestEntry(t, admin, tc.action)
			if e.Actor.ID != tc.by.User.ID || e.Actor.Name != tc.by.User.Name || e.Actor.Role != tc.by.User.Role {
				t.Errorf("actor = %+v, want %s (%s)", e.Actor, tc.by.User.Name, tc.by.User.Role)
			}
			if e.TargetKind != tc.kind || e.TargetID != target || e.Target == "" {
				t.Errorf("target = %s %s %q, want %s %s with a label", e.TargetKind, e.TargetID, e.Target, tc.kind, target)
			}
			if !subset(tc.before, e.Before) || (tc.before == nil) != (e.Before == nil) {
				t.Errorf("before = %v, want %v", e.Before, tc.before)
			}
			if !subset(tc.after, e.After) || (tc.after == nil) != (e.After == nil) {
				t.Errorf("after = %v, want %v", e.After, tc.after)
			}
			if e.Reason != tc.reason || e.Label == "" || e.Label == tc.action || time.Since(e.At) > time.Minute {
				t.Errorf("reason %q label %q at %v; want reason %q, a label and now", e.Reason, e.Label, e.At, tc.reason)
			}
		})
	}

	t.Run("a member's own edits are not staff actions", func(t *testing.T) {
		var before logPage
		admin.JSON("GET", "/api/v1/admin/log?limit=200", nil, http.StatusOK, &before)
		var own apiThread
		ann.JSON("POST", "/api/v1/threads", m{"category": "general", "title": "My own thread", "body": "Text."}, http.StatusCreated, &own)
		var p struct{ Question apiPost }
		ann.JSON("GET", "/api/v1/threads/"+own.ID, nil, http.StatusOK, &p)
		ann.JSON("PATCH", "/api/v1/posts/"+p.Question.ID, m{"body": "Text, edited."}, http.StatusOK, nil)
		var after logPage
		admin.JSON("GET", "/api/v1/admin/log?limit=200", nil, http.StatusOK, &after)
		if len(after.Items) != len(before.Items) {
			t.Fatalf("a member's own edit was logged: %+v", after.Items[0])
		}
	})
}

// TestStaffLogPagesFiltersAndExport checks who may read the log, its
// filters and paging, the page (with an action nobody labelled), the CSV
// export's formula guard, and that nothing can change an entry.
func TestStaffLogPagesFiltersAndExport(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Ada", "")
	mod := env.Client(t, "Mo", townhall.RoleModerator)
	ann := env.Client(t, "Ann", townhall.RoleMember)
	anon := env.Anonymous(t)
	admin.JSON("POST", "/api/v1/categories", map[string]any{"name": "=HYPERLINK(\"http://x\")", "slug": "evil"}, http.StatusCreated, nil)
	admin.JSON("POST", "/api/v1/categories", map[string]any{"name": "General", "slug": "general"}, http.StatusCreated, nil)
	var thread apiThread
	ann.JSON("POST", "/api/v1/threads", map[string]any{"category": "general", "title": "Printer jams", "body": "Every day."}, http.StatusCreated, &thread)
	mod.JSON("POST", "/api/v1/threads/"+thread.ID+"/lock", nil, http.StatusOK, nil)
	mod.JSON("POST", "/api/v1/threads/"+thread.ID+"/pin", nil, http.StatusOK, nil)
	// An action another feature records, with no label here.
	if err := env.App.StaffLog.Record(context.Background(), admin.User, townhall.StaffAction{Action: "token.create_site",
		TargetKind: "token", TargetID: "t1", Target: "CI token", After: map[string]string{"scope": "read"}}); err != nil {
		t.Fatal(err)
	}

	t.Run("members and visitors may not read it", func(t *testing.T) {
		ann.WantError("GET", "/api/v1/admin/log", nil, http.StatusForbidden, townhall.EFORBIDDEN)
		anon.WantError("GET", "/api/v1/admin/log", nil, http.StatusUnauthorized, townhall.EUNAUTHORIZED)
		ann.WantError("GET", "/api/v1/admin/log.csv", nil, http.StatusForbidden, townhall.EFORBIDDEN)
		if res, _ := ann.Get("/admin/log"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("member page: %d", res.StatusCode)
		}
		if res, _ := ann.Get("/admin/log.csv"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("member CSV: %d", res.StatusCode)
		}
		if res, _ := anon.Get("/admin/log"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("visitor page: %d, want a redirect to sign in", res.StatusCode)
		}
	})

	t.Run("filters and paging", func(t *testing.T) {
		var p logPage
		mod.JSON("GET", "/api/v1/admin/log?actor=@mo", nil, http.StatusOK, &p)
		if len(p.Items) != 2 || p.Items[0].Action != "thread.pin" || p.Items[1].Action != "thread.lock" {
			t.Fatalf("by @mo: %+v", p.Items)
		}
		mod.JSON("GET", "/api/v1/admin/log?actor="+admin.User.ID+"&target_kind=category", nil, http.StatusOK, &p)
		if len(p.Items) != 2 || p.Items[0].Action != "category.create" {
			t.Fatalf("admin's category entries: %+v", p.Items)
		}
		mod.JSON("GET", "/api/v1/admin/log?target_kind=thread&target_id="+thread.ID, nil, http.StatusOK, &p)
		if len(p.Items) != 2 {
			t.Fatalf("the thread's history: %+v", p.Items)
		}
		today := time.Now().UTC().Format(time.DateOnly)
		tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
		mod.JSON("GET", "/api/v1/admin/log?from="+today+"&to="+today, nil, http.StatusOK, &p)
		if len(p.Items) != 5 {
			t.Fatalf("today: %d entries, want 5", len(p.Items))
		}
		mod.JSON("GET", "/api/v1/admin/log?from="+tomorrow, nil, http.StatusOK, &p)
		if len(p.Items) != 0 {
			t.Fatalf("from tomorrow: %+v", p.Items)
		}
		var page1, page2, page3 logPage
		mod.JSON("GET", "/api/v1/admin/log?limit=2", nil, http.StatusOK, &page1)
		mod.JSON("GET", "/api/v1/admin/log?limit=2&before="+page1.Next, nil, http.StatusOK, &page2)
		mod.JSON("GET", "/api/v1/admin/log?limit=2&before="+page2.Next, nil, http.StatusOK, &page3)
		if len(page1.Items) != 2 || len(page2.Items) != 2 || len(page3.Items) != 1 || page3.Next != "" ||
			page1.Items[0].Action != "token.create_site" || page3.Items[0].Action != "category.create" {
			t.Fatalf("pages: %+v / %+v / %+v", page1, page2, page3)
		}
		wantAPIErrors(t, []apiErrorCase{
			{"unknown handle", mod, "GET", "/api/v1/admin/log?actor=@nobody", nil, 400, townhall.EINVALID},
			{"bad date", mod, "GET", "/api/v1/admin/log?from=31/01/2026", nil, 400, townhall.EINVALID},
			{"range ends before it begins", mod, "GET", "/api/v1/admin/log?from=" + tomorrow + "&to=" + today, nil, 400, townhall.EINVALID},
			{"bad cursor", mod, "GET", "/api/v1/admin/log?before=nope", nil, 400, townhall.EINVALID},
			{"bad limit", mod, "GET", "/api/v1/admin/log?limit=1000", nil, 400, townhall.EINVALID},
		})
	})

	t.Run("the page", func(t *testing.T) {
		res, body := mod.Get("/admin/log")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("page: %d", res.StatusCode)
		}
		for _, want := range []string{"Locked a thread", "Pinned a thread", "Token: create site", `href="/t/` + thread.ID + `"`,
			"Printer jams", "CI token", `<dt>locked</dt>`} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		_, body = mod.Get("/admin/log?action=thread.lock")
		if strings.Contains(body, `data-action="thread.pin"`) || !strings.Contains(body, `data-action="thread.lock"`) {
			t.Error("the action filter does not filter the page")
		}
		res, body = mod.Get("/admin/log?from=yesterday")
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "must be a date") || !strings.Contains(body, `value="yesterday"`) {
			t.Errorf("bad filter: %d, want the page again with the message and what was typed", res.StatusCode)
		}
	})

	t.Run("CSV export", func(t *testing.T) {
		res, body := mod.Get("/admin/log.csv?target_kind=category")
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[0][0] != "id" || rows[1][5] != "category.create" {
			t.Fatalf("rows: %q", rows)
		}
		evil := rows[2] // the first category, oldest last
		if evil[9] != `'=HYPERLINK("http://x")` {
			t.Errorf("formula not defused: target cell %q", evil[9])
		}
		var after map[string]any
		if err := json.Unmarshal([]byte(evil[11]), &after); err != nil || after["slug"] != "evil" {
			t.Errorf("after cell %q", evil[11])
		}
	})

	t.Run("nothing edits or deletes an entry", func(t *testing.T) {
		var p logPage
		mod.JSON("GET", "/api/v1/admin/log?limit=1", nil, http.StatusOK, &p)
		for _, method := range []string{"PUT", "PATCH", "DELETE"} {
			for _, path := range []string{"/api/v1/admin/log", "/api/v1/admin/log/" + p.Items[0].ID} {
				res, _ := admin.Do(method, path, map[string]any{})
				if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed {
					t.Errorf("%s %s: %d", method, path, res.StatusCode)
				}
			}
		}
		var again logPage
		mod.JSON("GET", "/api/v1/admin/log?limit=200", nil, http.StatusOK, &again)
		if len(again.Items) != 5 {
			t.Fatalf("%d entries, want 5", len(again.Items))
		}
	})
}
