package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
)

// TestInvalidUTF8Refused sends invalid UTF-8 in every place a request can
// carry text: a JSON body (raw bytes and unpaired \u surrogate escapes, which
// encoding/json would quietly turn into U+FFFD), a form body, the query
// string and path parameters, on several routes. Each gets 400 invalid
// naming where the bad text was, and nothing is written: no idea, thread,
// reply or comment, and no U+FFFD anywhere.
func TestInvalidUTF8Refused(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Ada", "")
	ann := env.Client(t, "Ann", townhall.RoleMember)
	admin.JSON("POST", "/api/v1/categories", map[string]any{"name": "General", "slug": "general"}, http.StatusCreated, nil)
	var idea struct{ ID string }
	ann.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Dark mode please", "body": "Ok."}, http.StatusCreated, &idea)
	var thread struct{ ID string }
	ann.JSON("POST", "/api/v1/threads", map[string]any{"category": "general", "title": "Hello there", "body": "Hi."}, http.StatusCreated, &thread)

	raw := func(s string) []byte { return []byte(s) }
	cases := []struct {
		name   string
		method string
		path   string
		body   []byte // sent as JSON
		form   url.Values
		where  string // the message names it
	}{
		{"JSON body with a bad byte (new idea)", "POST", "/api/v1/ideas",
			raw(`{"title":"Bad ` + "\xff" + ` title","body":"x"}`), nil, "JSON body"},
		{"JSON body with a truncated sequence (new thread)", "POST", "/api/v1/threads",
			raw(`{"category":"general","title":"Truncated ` + "\xe2\x82" + `","body":"x"}`), nil, "JSON body"},
		{"JSON high surrogate alone (reply)", "POST", "/api/v1/threads/" + thread.ID + "/posts",
			raw(`{"body":"lone \ud800 here"}`), nil, "surrogate"},
		{"JSON low surrogate alone (comment)", "POST", "/api/v1/ideas/" + idea.ID + "/comments",
			raw(`{"body":"lone \udc00"}`), nil, "surrogate"},
		{"JSON high surrogate before a non-low one (edit idea)", "PATCH", "/api/v1/ideas/" + idea.ID,
			raw(`{"title":"x \ud800\u0041 y"}`), nil, "surrogate"},
		{"form field (propose idea)", "POST", "/ideas", nil,
			url.Values{"title": {"Form \xc3 title"}, "body": {"x"}}, `form field "title"`},
		{"form field (reply form)", "POST", "/t/" + thread.ID + "/reply", nil,
			url.Values{"body": {"reply \xff"}}, `form field "body"`},
		{"query parameter (search API)", "GET", "/api/v1/search?q=%FF%FE", nil, nil, `query parameter "q"`},
		{"query parameter (idea board)", "GET", "/api/v1/ideas?tag=ab%C3", nil, nil, `query parameter "tag"`},
		{"query parameter name", "GET", "/api/v1/ideas?%FF=1", nil, nil, "query parameter name"},
		{"path parameter (idea)", "GET", "/api/v1/ideas/%FF%FF", nil, nil, "URL path"},
		{"path parameter (vote)", "POST", "/api/v1/ideas/" + idea.ID + "%C3/vote", raw(`{}`), nil, "URL path"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var res *http.Response
			var body []byte
			if tc.form != nil {
				r, b := ann.Form(tc.method, tc.path, tc.form)
				res, body = r, []byte(b)
			} else if tc.body != nil {
				res, body = ann.Do(tc.method, tc.path, tc.body)
			} else {
				res, body = ann.Do(tc.method, tc.path, nil)
			}
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", res.StatusCode, body)
			}
			if tc.form != nil { // a page: the error page says it
				if !strings.Contains(string(body), "not valid UTF-8") {
					t.Fatalf("page does not say what is wrong: %.1500s", body)
				}
				return
			}
			var e struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != townhall.EINVALID || !strings.Contains(e.Error.Message, tc.where) {
				t.Fatalf("got %s; want code %q naming %q", body, townhall.EINVALID, tc.where)
			}
		})
	}

	t.Run("a valid surrogate pair and U+FFFD typed on purpose are accepted", func(t *testing.T) {
		var c struct{ Body string }
		ann.JSON("POST", "/api/v1/ideas/"+idea.ID+"/comments", raw(`{"body":"smile \ud83d\ude00 and \ufffd"}`), http.StatusCreated, &c)
		if c.Body != "smile 😀 and \ufffd" {
			t.Fatalf("comment body %q", c.Body)
		}
	})

	t.Run("nothing was written", func(t *testing.T) {
		var board struct{ Items []struct{ ID, Title string } }
		ann.JSON("GET", "/api/v1/ideas?sort=new", nil, http.StatusOK, &board)
		if len(board.Items) != 1 || board.Items[0].Title != "Dark mode please" {
			t.Fatalf("ideas = %+v, want only the valid one", board.Items)
		}
		var th struct {
			Replies int
			Posts   []struct{ Body string }
		}
		ann.JSON("GET", "/api/v1/threads/"+thread.ID, nil, http.StatusOK, &th)
		if th.Replies != 0 || len(th.Posts) != 0 {
			t.Fatalf("thread got replies: %+v", th)
		}
		var cs struct{ Items []struct{ Body string } }
		ann.JSON("GET", "/api/v1/ideas/"+idea.ID+"/comments", nil, http.StatusOK, &cs)
		if len(cs.Items) != 1 {
			t.Fatalf("comments = %+v, want only the valid one", cs.Items)
		}
		var cats struct {
			Items []struct{ Threads int } `json:"categories"`
		}
		ann.JSON("GET", "/api/v1/categories", nil, http.StatusOK, &cats)
		if len(cats.Items) != 1 || cats.Items[0].Threads != 1 {
			t.Fatalf("categories = %+v, want one with one thread", cats)
		}
		var i struct{ Title string }
		ann.JSON("GET", "/api/v1/ideas/"+idea.ID, nil, http.StatusOK, &i)
		if i.Title != "Dark mode please" {
			t.Fatalf("idea title changed to %q", i.Title)
		}
	})
}
