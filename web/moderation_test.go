package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/audit"
	"github.com/townhall/townhall/moderation"
	"github.com/townhall/townhall/webhooks"
)

// Trust and safety over HTTP: flags, the review queue, held posts,
// silences and suspensions, the settings page.

type flagOut struct {
	ID     string
	Kind   string
	ItemID string `json:"item_id"`
	Reason string
	Hidden bool
}

type queueOut struct {
	Items []struct {
		Kind, ID, Title, HTML, URL string
		Held                       bool
		AutoHidden                 bool `json:"auto_hidden"`
		Hidden                     bool
		OpenFlags                  int `json:"open_flags"`
		Author                     struct {
			ID, Handle    string
			TrustLevel    int `json:"trust_level"`
			Posts         int
			FlagsReceived int `json:"flags_received"`
			ItemsHidden   int `json:"items_hidden"`
		}
		Flags []struct {
			UserName string `json:"user_name"`
			Reason   string
			Text     string
			Open     bool
		}
	}
	Next string
}

type notificationOut struct {
	Kind, Text, URL string
}

func flag(t *testing.T, c *apptest.Client, kind, id, reason string) flagOut {
	t.Helper()
	var out flagOut
	c.JSON("POST", "/api/v1/flags", map[string]string{"kind": kind, "id": id, "reason": reason}, http.StatusCreated, &out)
	// Cases are kept in milliseconds and the queue breaks a tie by kind
	// and id; the tests that check "oldest first" need each flag in a
	// millisecond of its own, which a fast machine did not always give.
	time.Sleep(time.Millisecond)
	return out
}

func queue(t *testing.T, c *apptest.Client) queueOut {
	t.Helper()
	var out queueOut
	c.JSON("GET", "/api/v1/review", nil, http.StatusOK, &out)
	return out
}

func notificationsOf(t *testing.T, c *apptest.Client, kind string) []notificationOut {
	t.Helper()
	var out struct{ Items []notificationOut }
	c.JSON("GET", "/api/v1/notifications", nil, http.StatusOK, &out)
	var match []notificationOut
	for _, n := range out.Items {
		if n.Kind == kind {
			match = append(match, n)
		}
	}
	return match
}

func setSettings(t *testing.T, admin *apptest.Client, change map[string]any) {
	t.Helper()
	admin.JSON("PUT", "/api/v1/admin/settings", change, http.StatusOK, nil)
}

// staffLog returns the staff log's entries of one action, newest first.
func staffLog(t *testing.T, env *apptest.Env, action string) []*audit.Entry {
	t.Helper()
	es, err := env.App.DB.AuditEntries(context.Background(), audit.Query{Action: action, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// wantLogged fails unless the newest staff-log entry of action is by actor
// on target, with before and after recorded.
func wantLogged(t *testing.T, env *apptest.Env, action, actorID, targetID string) *audit.Entry {
	t.Helper()
	es := staffLog(t, env, action)
	if len(es) == 0 {
		t.Fatalf("no %s entry in the staff log", action)
	}
	e := es[0]
	if e.ActorID != actorID || e.TargetID != targetID || e.After == "" {
		t.Fatalf("%s entry = %+v, want by %s on %s with values", action, e, actorID, targetID)
	}
	return e
}

func wantStatus(t *testing.T, c *apptest.Client, path string, want int) string {
	t.Helper()
	res, body := c.Get(path)
	if res.StatusCode != want {
		t.Fatalf("GET %s = %d, want %d\n%.1500s", path, res.StatusCode, want, body)
	}
	return body
}

func TestFlagsThresholdAndErrors(t *testing.T) {
	f := startForum(t)
	env := f.env
	carl, dee := env.Client(t, "Carl", ""), env.Client(t, "Dee", "")
	spam := f.thread(t, f.bob, f.questions.Slug, "Cheap watches here", "Buy now")
	reply := f.reply(t, f.bob, spam.ID, "More watches")
	idea := propose(t, f.bob, "Watches for all")
	c := comment(t, f.bob, idea.ID, "Buy watches")

	step(t, "BadFlagsAreRefused", func(t *testing.T) {
		wantAPIErrors(t, []apiErrorCase{
			{"signed out", f.anon, "POST", "/api/v1/flags", map[string]string{"kind": "post", "id": reply.ID, "reason": "spam"}, 401, townhall.EUNAUTHORIZED},
			{"unknown kind", f.ann, "POST", "/api/v1/flags", map[string]string{"kind": "user", "id": reply.ID, "reason": "spam"}, 400, townhall.EINVALID},
			{"unknown reason", f.ann, "POST", "/api/v1/flags", map[string]string{"kind": "post", "id": reply.ID, "reason": "boring"}, 400, townhall.EINVALID},
			{"other without a text", f.ann, "POST", "/api/v1/flags", map[string]string{"kind": "post", "id": reply.ID, "reason": "other"}, 400, townhall.EINVALID},
			{"unknown item", f.ann, "POST", "/api/v1/flags", map[string]string{"kind": "post", "id": townhall.NewID(), "reason": "spam"}, 404, townhall.ENOTFOUND},
			{"garbage id", f.ann, "POST", "/api/v1/flags", map[string]string{"kind": "idea", "id": "../x", "reason": "spam"}, 404, townhall.ENOTFOUND},
			{"a kind that is not the item's", f.ann, "POST", "/api/v1/flags", map[string]string{"kind": "review", "id": idea.ID, "reason": "spam"}, 404, townhall.ENOTFOUND},
			{"own post", f.bob, "POST", "/api/v1/flags", map[string]string{"kind": "post", "id": reply.ID, "reason": "spam"}, 403, townhall.EFORBIDDEN},
			{"not JSON", f.ann, "POST", "/api/v1/flags", "kind=post", 400, townhall.EINVALID},
		})
	})

	step(t, "OneFlagPerPersonAndItem", func(t *testing.T) {
		got := flag(t, f.ann, "post", reply.ID, "spam")
		if got.Kind != "post" || got.ItemID != reply.ID || got.Reason != "spam" || got.Hidden {
			t.Fatalf("flag = %+v", got)
		}
		msg := f.ann.WantError("POST", "/api/v1/flags", map[string]string{"kind": "post", "id": reply.ID, "reason": "abusive"}, 409, townhall.ECONFLICT)
		if !strings.Contains(msg, "already flagged") {
			t.Fatalf("409 message %q", msg)
		}
		// Other kinds with their reasons; "other" takes a text.
		f.ann.JSON("POST", "/api/v1/flags", map[string]string{"kind": "comment", "id": c.ID, "reason": "other", "text": "Ads in every comment"}, 201, nil)
		flag(t, f.ann, "idea", idea.ID, "off-topic")
	})

	step(t, "ThresholdOfDistinctMembersHidesAtOnce", func(t *testing.T) {
		for i, who := range []*apptest.Client{f.ann, carl} {
			if got := flag(t, who, "thread", spam.ID, "spam"); got.Hidden {
				t.Fatalf("flag %d hid the thread; the threshold is 3", i+1)
			}
			f.get(t, f.anon, spam.ID) // still public
		}
		if got := flag(t, dee, "thread", spam.ID, "spam"); !got.Hidden {
			t.Fatal("the third member's flag did not hide the thread")
		}
		f.anon.WantError("GET", "/api/v1/threads/"+spam.ID, nil, 404, townhall.ENOTFOUND)
		f.bob.WantError("GET", "/api/v1/threads/"+spam.ID, nil, 404, townhall.ENOTFOUND)
		if th := f.get(t, f.mod, spam.ID); !th.Hidden {
			t.Fatal("moderators should see the hidden thread as hidden")
		}
		// A hidden item takes no more flags: it is "already removed".
		f.admin.WantError("POST", "/api/v1/flags", map[string]string{"kind": "thread", "id": spam.ID, "reason": "spam"}, 404, townhall.ENOTFOUND)
		// Hiding by flags is attributed to the community in the staff log.
		if es := staffLog(t, env, "flag.resolve"); len(es) != 0 {
			t.Fatalf("no decision was taken yet, but the log has %d", len(es))
		}
	})

	step(t, "NewMembersFlagsNeedNotCount", func(t *testing.T) {
		setSettings(t, f.admin, map[string]any{"new_member_flags_count": false, "flag_threshold": 1})
		c2 := comment(t, f.bob, idea.ID, "Watches, again")
		if got := flag(t, carl, "comment", c2.ID, "spam"); got.Hidden {
			t.Fatal("a new member's flag hid the comment though their flags do not count")
		}
		if len(comments(t, f.anon, idea.ID)) != 2 {
			t.Fatal("the comment should still show")
		}
		// A basic member's flag counts: with a threshold of 1 it hides.
		f.admin.JSON("PUT", "/api/v1/admin/users/"+dee.User.ID+"/trust_level", map[string]any{"level": 1}, 200, nil)
		if got := flag(t, dee, "comment", c2.ID, "spam"); !got.Hidden {
			t.Fatal("a basic member's flag did not reach the threshold of 1")
		}
		if len(comments(t, f.anon, idea.ID)) != 1 {
			t.Fatal("the hidden comment still shows")
		}
	})

	step(t, "ARegularsFlagHidesAtOnce", func(t *testing.T) {
		setSettings(t, f.admin, map[string]any{"new_member_flags_count": true, "flag_threshold": 50})
		f.admin.JSON("PUT", "/api/v1/admin/users/"+dee.User.ID+"/trust_level", map[string]any{"level": 3}, 200, nil)
		if got := flag(t, dee, "idea", idea.ID, "spam"); !got.Hidden {
			t.Fatal("a regular's flag did not hide the idea")
		}
		f.anon.WantError("GET", "/api/v1/ideas/"+idea.ID, nil, 404, townhall.ENOTFOUND)
	})

	step(t, "QueueListsOldestFirstWithHistory", func(t *testing.T) {
		f.ann.WantError("GET", "/api/v1/review", nil, 403, townhall.EFORBIDDEN)
		f.anon.WantError("GET", "/api/v1/review", nil, 401, townhall.EUNAUTHORIZED)
		q := queue(t, f.mod)
		var got []string
		for _, e := range q.Items {
			got = append(got, e.Kind)
		}
		// The reply was flagged first, then the comment and the idea (ann's
		// flags), then the thread.
		if fmt.Sprint(got) != "[post comment idea thread comment]" {
			t.Fatalf("queue kinds = %v", got)
		}
		th := q.Items[3]
		if th.ID != spam.ID || !th.AutoHidden || !th.Hidden || th.OpenFlags != 3 || len(th.Flags) != 3 || th.Title != "Cheap watches here" ||
			!strings.Contains(th.HTML, "Buy now") || th.Author.Handle != "bob" || th.Author.TrustLevel != 0 || th.Author.FlagsReceived != 9 ||
			th.Author.ItemsHidden != 3 || th.Author.Posts < 1 {
			t.Fatalf("thread entry = %+v", th)
		}
		if cm := q.Items[1]; cm.Flags[0].Reason != "other" || cm.Flags[0].Text != "Ads in every comment" || cm.Flags[0].UserName != "Ann" || !cm.Flags[0].Open {
			t.Fatalf("comment flags = %+v", cm.Flags)
		}
	})
}

func TestReviewQueueDecisions(t *testing.T) {
	f := startForum(t)
	env := f.env
	carl := env.Client(t, "Carl", "")
	var prod productOut
	f.admin.JSON("POST", "/api/v1/products", map[string]any{"name": "Widget"}, 201, &prod)
	setSettings(t, f.admin, map[string]any{"flag_threshold": 2})

	kept := f.thread(t, f.bob, f.questions.Slug, "Is this allowed?", "Harmless question")
	rude := f.reply(t, f.bob, kept.ID, "You are all idiots")
	idea := propose(t, f.bob, "An idea with an ad")
	c := comment(t, f.bob, idea.ID, "Visit my shop")
	var rv reviewOut
	f.bob.JSON("POST", "/api/v1/products/"+prod.ID+"/reviews", map[string]any{"rating": 1, "body": "Spam review"}, 201, &rv)
	for _, who := range []*apptest.Client{f.ann, carl} {
		flag(t, who, "post", rude.ID, "abusive")
		flag(t, who, "comment", c.ID, "spam")
		flag(t, who, "review", rv.ID, "spam")
		flag(t, who, "thread", kept.ID, "off-topic")
	}
	flag(t, f.ann, "idea", idea.ID, "spam")
	wantRatingOut(t, f.anon, prod.ID, 0, 0, [5]int{})

	decide := func(c *apptest.Client, kind, id string, body map[string]any, want int) {
		t.Helper()
		c.JSON("POST", "/api/v1/review/"+kind+"/"+id, body, want, nil)
	}

	step(t, "MembersCannotDecide", func(t *testing.T) {
		f.ann.WantError("POST", "/api/v1/review/thread/"+kept.ID, map[string]any{"decision": "approve"}, 403, townhall.EFORBIDDEN)
		f.mod.WantError("POST", "/api/v1/review/thread/"+kept.ID, map[string]any{"decision": "ban"}, 400, townhall.EINVALID)
		f.mod.WantError("POST", "/api/v1/review/thread/"+kept.ID, map[string]any{"decision": "delete"}, 400, townhall.EINVALID)
		f.mod.WantError("POST", "/api/v1/review/thread/"+townhall.NewID(), map[string]any{"decision": "approve"}, 404, townhall.ENOTFOUND)
		f.mod.WantError("POST", "/api/v1/review/post/"+rude.ID, map[string]any{"decision": "hide_suspend", "days": 7}, 400, townhall.EINVALID)
	})

	step(t, "ApproveUnhidesAndTellsTheFlaggers", func(t *testing.T) {
		decide(f.mod, "thread", kept.ID, map[string]any{"decision": "approve"}, 200)
		if th := f.get(t, f.anon, kept.ID); th.Title != "Is this allowed?" {
			t.Fatalf("approved thread = %+v", th)
		}
		for _, who := range []*apptest.Client{f.ann, carl} {
			ns := notificationsOf(t, who, "flag_handled")
			if len(ns) != 1 || !strings.Contains(ns[0].Text, "left it up") || ns[0].URL != "/t/"+kept.ID {
				t.Fatalf("%s's flag_handled notifications = %+v", who.User.Name, ns)
			}
		}
		e := wantLogged(t, env, "flag.resolve", f.mod.User.ID, kept.ID)
		if e.TargetKind != "thread" || !strings.Contains(e.Before, `"hidden":true`) || !strings.Contains(e.After, `"decision":"approve"`) {
			t.Fatalf("staff log entry = %+v", e)
		}
		msg := f.mod.WantError("POST", "/api/v1/review/thread/"+kept.ID, map[string]any{"decision": "hide"}, 409, townhall.ECONFLICT)
		if !strings.Contains(msg, "already handled") {
			t.Fatalf("second decision: %q", msg)
		}
	})

	step(t, "HideKeepsItHidden", func(t *testing.T) {
		decide(f.mod, "post", rude.ID, map[string]any{"decision": "hide", "reason": "Abuse"}, 200)
		if th := f.get(t, f.anon, kept.ID); len(th.Posts) != 0 {
			t.Fatalf("hidden reply still listed: %+v", th.Posts)
		}
		if ns := notificationsOf(t, carl, "flag_handled"); len(ns) != 2 || !strings.Contains(ns[0].Text, "hid it") {
			t.Fatalf("carl's notifications = %+v", ns)
		}
		wantLogged(t, env, "flag.resolve", f.mod.User.ID, rude.ID)
	})

	step(t, "DeleteRemovesCommentsAndReviews", func(t *testing.T) {
		decide(f.mod, "comment", c.ID, map[string]any{"decision": "delete"}, 200)
		cs := comments(t, f.mod, idea.ID)
		if len(cs) != 1 || !cs[0].Deleted {
			t.Fatalf("comments after delete = %+v", cs)
		}
		// Moderators hide and unhide a review by hand too; its rating follows.
		var got struct{ Hidden bool }
		f.ann.WantError("PUT", "/api/v1/reviews/"+rv.ID+"/hidden", map[string]any{"hidden": false}, 403, townhall.EFORBIDDEN)
		f.mod.JSON("PUT", "/api/v1/reviews/"+rv.ID+"/hidden", map[string]any{"hidden": false}, 200, &got)
		wantRatingOut(t, f.anon, prod.ID, 1, 1, [5]int{1, 0, 0, 0, 0})
		f.mod.WantError("PUT", "/api/v1/reviews/"+rv.ID+"/hidden", map[string]any{"hidden": true}, 400, townhall.EINVALID)
		f.mod.JSON("PUT", "/api/v1/reviews/"+rv.ID+"/hidden", map[string]any{"hidden": true, "reason": "Spam"}, 200, &got)
		if !got.Hidden {
			t.Fatal("the review is not hidden again")
		}
		wantRatingOut(t, f.anon, prod.ID, 0, 0, [5]int{})
		decide(f.admin, "review", rv.ID, map[string]any{"decision": "delete"}, 200)
		f.mod.WantError("GET", "/api/v1/reviews/"+rv.ID, nil, 404, townhall.ENOTFOUND)
		wantRatingOut(t, f.anon, prod.ID, 0, 0, [5]int{})
		wantLogged(t, env, "flag.resolve", f.admin.User.ID, rv.ID)
	})

	step(t, "HideAndSuspendEndsTheAuthorsSessions", func(t *testing.T) {
		f.bob.JSON("GET", "/api/v1/me", nil, 200, nil)
		decide(f.mod, "idea", idea.ID, map[string]any{"decision": "hide_suspend", "days": 3, "reason": "Spamming the board"}, 200)
		f.anon.WantError("GET", "/api/v1/ideas/"+idea.ID, nil, 404, townhall.ENOTFOUND)
		f.bob.WantError("GET", "/api/v1/me", nil, 401, townhall.EUNAUTHORIZED)
		e := wantLogged(t, env, "user.suspend", f.mod.User.ID, f.bob.User.ID)
		if e.Reason != "Spamming the board" || !strings.Contains(e.After, "Spamming the board") || e.Before != `{"until":null}` {
			t.Fatalf("suspension entry = %+v", e)
		}
		if q := queue(t, f.mod); len(q.Items) != 0 {
			t.Fatalf("queue after every decision = %+v", q.Items)
		}
	})
}

// TestHeldPostsEndToEnd follows a new member's first thread, idea and
// review through every path that could show them while they wait for
// review (pages, API, listings, counts, search, notifications), then
// through approval, which publishes and notifies, and rejection.
func TestHeldPostsEndToEnd(t *testing.T) {
	f := startForum(t, apptest.WithConfig(privateWebhooks))
	env := f.env
	var prod productOut
	f.admin.JSON("POST", "/api/v1/products", map[string]any{"name": "Widget"}, 201, &prod)
	setSettings(t, f.admin, map[string]any{"hold_new_member_posts": 1})
	hooks := newReceiver(t, nil)
	register(t, f.admin, hooks.srv.URL+"/hook", "a-long-enough-secret", townhall.EventThreadCreated, townhall.EventIdeaCreated,
		townhall.EventReviewCreated, townhall.EventFlagCreated)
	// delivered lists the ids of the subjects of the events received so far.
	delivered := func() map[string]string {
		got := map[string]string{}
		for _, d := range hooks.all() {
			var p webhooks.Payload
			if err := json.Unmarshal(d.body, &p); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"thread", "idea", "review", "item"} {
				if sub, ok := p.Data[k].(map[string]any); ok {
					got[sub["id"].(string)] = p.Type
				}
			}
		}
		return got
	}
	noa := env.Client(t, "Noa", "")
	staff := env.Client(t, "Sam", townhall.RoleModerator)

	var th apiThread
	noa.JSON("POST", "/api/v1/threads", map[string]string{"category": f.questions.Slug, "title": "Zeppelin question",
		"body": "Hello @ann, zeppelinword here"}, 201, &th)
	var idea struct {
		ideaResp
		Held bool
	}
	noa.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Blimp mode", "body": "blimpword"}, 201, &idea)
	var rv struct {
		reviewOut
		Held bool
	}
	noa.JSON("POST", "/api/v1/products/"+prod.ID+"/reviews", map[string]any{"rating": 2, "body": "dirigibleword"}, 201, &rv)
	// Staff's and regulars' posts are never held.
	control := f.thread(t, staff, f.questions.Slug, "Control thread", "controlword")

	step(t, "TheAuthorSeesWaitingForReview", func(t *testing.T) {
		if !idea.Held || !rv.Held {
			t.Fatalf("created: idea held %v, review held %v", idea.Held, rv.Held)
		}
		var got struct {
			Held, Hidden bool
		}
		noa.JSON("GET", "/api/v1/threads/"+th.ID, nil, 200, &got)
		if !got.Held || !got.Hidden {
			t.Fatalf("the author's view of the thread: %+v", got)
		}
		noa.JSON("GET", "/api/v1/reviews/"+rv.ID, nil, 200, &got)
		if !got.Held {
			t.Fatal("the author's review is not marked held")
		}
		for _, path := range []string{"/t/" + th.ID, "/ideas/" + idea.ID, "/products/" + prod.Slug} {
			if body := wantStatus(t, noa, path, 200); !strings.Contains(body, `data-testid="held-notice"`) || !strings.Contains(body, "waiting for review") {
				t.Fatalf("%s has no waiting-for-review notice for its author", path)
			}
		}
		noa.WantError("POST", "/api/v1/threads/"+th.ID+"/posts", map[string]string{"body": "bump"}, 409, townhall.ECONFLICT)
	})

	step(t, "NobodyElseSeesThem", func(t *testing.T) {
		for _, c := range []*apptest.Client{f.anon, f.bob} {
			c.WantError("GET", "/api/v1/threads/"+th.ID, nil, 404, townhall.ENOTFOUND)
			c.WantError("GET", "/api/v1/ideas/"+idea.ID, nil, 404, townhall.ENOTFOUND)
			c.WantError("GET", "/api/v1/reviews/"+rv.ID, nil, 404, townhall.ENOTFOUND)
			wantStatus(t, c, "/t/"+th.ID, 404)
			wantStatus(t, c, "/ideas/"+idea.ID, 404)
		}
		var list struct{ Items []apiThread }
		f.anon.JSON("GET", "/api/v1/categories/"+f.questions.Slug+"/threads", nil, 200, &list)
		if len(list.Items) != 1 || list.Items[0].ID != control.ID {
			t.Fatalf("category listing = %+v", list.Items)
		}
		var board ideaPage
		f.anon.JSON("GET", "/api/v1/ideas?sort=new", nil, 200, &board)
		if len(board.Items) != 0 {
			t.Fatalf("board = %+v", board.Items)
		}
		var revs reviewsPage
		f.anon.JSON("GET", "/api/v1/products/"+prod.ID+"/reviews", nil, 200, &revs)
		if len(revs.Items) != 0 {
			t.Fatalf("product reviews = %+v", revs.Items)
		}
		wantRatingOut(t, f.anon, prod.ID, 0, 0, [5]int{})
		for _, page := range []string{"/", "/c/" + f.questions.Slug, "/ideas", "/products/" + prod.Slug} {
			body := wantStatus(t, f.anon, page, 200)
			for _, word := range []string{"Zeppelin question", "Blimp mode", "dirigibleword"} {
				if strings.Contains(body, word) {
					t.Fatalf("%s shows the held %q", page, word)
				}
			}
		}
		// Search: once the indexer has passed the later control thread, the
		// held ones are certainly not in the index.
		waitSearch(t, f.anon, "controlword", 1)
		for _, word := range []string{"zeppelinword", "blimpword", "dirigibleword"} {
			waitSearch(t, f.anon, word, 0)
		}
		if ns := notificationsOf(t, f.ann, "mention"); len(ns) != 0 {
			t.Fatalf("the held thread's mention was delivered: %+v", ns)
		}
		// Webhooks: the control thread's event, created after the held
		// posts, came; theirs did not.
		waitFor(t, "the control thread's webhook", func() bool { return delivered()[control.ID] == townhall.EventThreadCreated })
		for _, id := range []string{th.ID, idea.ID, rv.ID} {
			if typ, ok := delivered()[id]; ok {
				t.Fatalf("a held post's %s went out", typ)
			}
		}
		// Feeds.
		for _, feed := range []string{"/feeds/threads.atom", "/feeds/ideas.atom", "/feeds/c/" + f.questions.Slug + ".atom"} {
			body := wantStatus(t, f.anon, feed, 200)
			if !strings.Contains(body, "<feed") || strings.Contains(body, "Zeppelin question") || strings.Contains(body, "Blimp mode") {
				t.Fatalf("%s shows a held post:\n%.2000s", feed, body)
			}
		}
	})

	step(t, "TheQueueHoldsThem", func(t *testing.T) {
		q := queue(t, f.mod)
		if len(q.Items) != 3 {
			t.Fatalf("queue = %+v", q.Items)
		}
		for _, e := range q.Items {
			if !e.Held || !e.Hidden || e.OpenFlags != 0 || e.Author.Handle != "noa" {
				t.Fatalf("held entry = %+v", e)
			}
		}
		body := wantStatus(t, f.mod, "/review", 200)
		if !strings.Contains(body, "Held for approval") || !strings.Contains(body, "Approve and publish") {
			t.Fatal("the queue page does not mark held posts")
		}
	})

	step(t, "ApprovalPublishesAndNotifies", func(t *testing.T) {
		f.mod.JSON("POST", "/api/v1/review/thread/"+th.ID, map[string]any{"decision": "approve"}, 200, nil)
		f.mod.JSON("POST", "/api/v1/review/review/"+rv.ID, map[string]any{"decision": "approve"}, 200, nil)
		if got := f.get(t, f.anon, th.ID); got.Title != "Zeppelin question" || got.Hidden {
			t.Fatalf("published thread = %+v", got)
		}
		wantRatingOut(t, f.anon, prod.ID, 2, 1, [5]int{0, 1, 0, 0, 0})
		waitSearch(t, f.anon, "zeppelinword", 1)
		waitSearch(t, f.anon, "dirigibleword", 1)
		if ns := notificationsOf(t, f.ann, "mention"); len(ns) != 1 || !strings.Contains(ns[0].URL, th.ID) {
			t.Fatalf("mention after approval = %+v", ns)
		}
		ns := notificationsOf(t, noa, "approved")
		if len(ns) != 2 || !strings.Contains(ns[1].Text, "Zeppelin question") {
			t.Fatalf("approved notifications = %+v", ns)
		}
		// The events publishing sends are the author's, as posting would.
		waitFor(t, "the published posts' webhooks", func() bool {
			d := delivered()
			return d[th.ID] == townhall.EventThreadCreated && d[rv.ID] == townhall.EventReviewCreated
		})
		for _, d := range hooks.all() {
			var p webhooks.Payload
			if json.Unmarshal(d.body, &p) == nil && p.Type == townhall.EventThreadCreated && strings.Contains(string(d.body), th.ID) &&
				p.Actor["id"] != noa.User.ID {
				t.Fatalf("thread.created actor = %v, want the author", p.Actor)
			}
		}
		if body := wantStatus(t, f.anon, "/feeds/threads.atom", 200); !strings.Contains(body, "Zeppelin question") {
			t.Fatal("the published thread is not in the feed")
		}
		// A flag on it is an event too.
		flag(t, f.bob, "thread", th.ID, "off-topic")
		waitFor(t, "the flag's webhook", func() bool { return delivered()[th.ID] == townhall.EventFlagCreated })
		wantLogged(t, env, "flag.resolve", f.mod.User.ID, rv.ID)
	})

	step(t, "RejectionKeepsItHiddenFromTheAuthorToo", func(t *testing.T) {
		f.mod.JSON("POST", "/api/v1/review/idea/"+idea.ID, map[string]any{"decision": "hide", "reason": "Duplicate"}, 200, nil)
		noa.WantError("GET", "/api/v1/ideas/"+idea.ID, nil, 404, townhall.ENOTFOUND)
		waitSearch(t, f.anon, "blimpword", 0)
	})

	step(t, "OnlyTheFirstNAreHeld", func(t *testing.T) {
		var next apiThread
		noa.JSON("POST", "/api/v1/threads", map[string]string{"category": f.questions.Slug, "title": "Second question", "body": "not held"}, 201, &next)
		f.get(t, f.anon, next.ID)
	})
}

func TestSilenceAndSuspend(t *testing.T) {
	f := startForum(t)
	env := f.env
	idea := propose(t, f.ann, "Calm idea")
	usersPath := func(c *apptest.Client, what string) string { return "/api/v1/admin/users/" + c.User.ID + "/" + what }

	step(t, "WhoMayAndBadInput", func(t *testing.T) {
		wantAPIErrors(t, []apiErrorCase{
			{"member", f.ann, "POST", usersPath(f.bob, "suspend"), map[string]any{"days": 7, "reason": "x"}, 403, townhall.EFORBIDDEN},
			{"signed out", f.anon, "POST", usersPath(f.bob, "silence"), map[string]any{"days": 7, "reason": "x"}, 401, townhall.EUNAUTHORIZED},
			{"no days", f.mod, "POST", usersPath(f.bob, "suspend"), map[string]any{"reason": "x"}, 400, townhall.EINVALID},
			{"zero days", f.mod, "POST", usersPath(f.bob, "suspend"), map[string]any{"days": 0, "reason": "x"}, 400, townhall.EINVALID},
			{"too many days", f.mod, "POST", usersPath(f.bob, "silence"), map[string]any{"days": 4000, "reason": "x"}, 400, townhall.EINVALID},
			{"days as text", f.mod, "POST", usersPath(f.bob, "silence"), map[string]any{"days": "7", "reason": "x"}, 400, townhall.EINVALID},
			{"no reason", f.mod, "POST", usersPath(f.bob, "silence"), map[string]any{"days": 7}, 400, townhall.EINVALID},
			{"staff", f.mod, "POST", usersPath(f.admin, "suspend"), map[string]any{"days": 7, "reason": "x"}, 403, townhall.EFORBIDDEN},
			{"oneself", f.admin, "POST", usersPath(f.admin, "suspend"), map[string]any{"days": 7, "reason": "x"}, 403, townhall.EFORBIDDEN},
			{"unknown user", f.mod, "POST", "/api/v1/admin/users/" + townhall.NewID() + "/suspend", map[string]any{"days": 7, "reason": "x"}, 404, townhall.ENOTFOUND},
		})
	})

	step(t, "ASilencedPersonReadsButDoesNotWrite", func(t *testing.T) {
		var u struct {
			Silenced *struct{ Until, Reason string }
		}
		f.mod.JSON("POST", usersPath(f.bob, "silence"), map[string]any{"days": 2, "reason": "Cool off"}, 200, &u)
		if u.Silenced == nil || u.Silenced.Reason != "Cool off" {
			t.Fatalf("silenced user = %+v", u)
		}
		for _, w := range []struct{ method, path string }{
			{"POST", "/api/v1/threads"}, {"POST", "/api/v1/ideas/" + idea.ID + "/vote"}, {"POST", "/api/v1/flags"},
		} {
			msg := f.bob.WantError(w.method, w.path, map[string]string{"category": f.questions.Slug, "title": "Hello there", "body": "x"}, 403, townhall.EFORBIDDEN)
			if !strings.Contains(msg, "Cool off") || !strings.Contains(msg, "silenced") {
				t.Fatalf("%s %s: %q does not say why", w.method, w.path, msg)
			}
		}
		getIdea(t, f.bob, idea.ID)
		body := wantStatus(t, f.bob, "/ideas/"+idea.ID, 200)
		if !strings.Contains(body, `data-testid="silenced-notice"`) || !strings.Contains(body, "Cool off") {
			t.Fatal("a silenced person's pages do not say so")
		}
		f.bob.JSON("POST", "/api/v1/notifications/read", nil, 204, nil)
		// Their own account stays theirs to keep in order (email
		// settings, tokens, deleting it).
		f.bob.JSON("PUT", "/api/v1/settings/notifications", map[string]any{"digest": "off"}, 200, nil)
		e := wantLogged(t, env, "user.silence", f.mod.User.ID, f.bob.User.ID)
		if e.Target != "@bob" || e.Reason != "Cool off" {
			t.Fatalf("silence entry = %+v", e)
		}
		f.mod.JSON("DELETE", usersPath(f.bob, "silence"), nil, 200, &u)
		if u.Silenced != nil {
			t.Fatalf("lifted silence = %+v", u)
		}
		f.bob.JSON("POST", "/api/v1/ideas/"+idea.ID+"/vote", nil, 200, nil)
		if e := wantLogged(t, env, "user.unsilence", f.mod.User.ID, f.bob.User.ID); !strings.Contains(e.Before, "Cool off") {
			t.Fatalf("unsilence entry = %+v", e)
		}
	})

	step(t, "SuspensionEndsSessionsAndRefusesSignIn", func(t *testing.T) {
		second := env.Client(t, "Bob", "") // a second browser of Bob's
		second.JSON("GET", "/api/v1/me", nil, 200, nil)
		script := env.Bearer(t, newToken(t, f.bob, map[string]any{"name": "script", "scopes": []string{"read", "write"}, "expires_in_days": 30}).Token)
		script.JSON("GET", "/api/v1/me", nil, 200, nil)
		f.admin.JSON("POST", usersPath(f.bob, "suspend"), map[string]any{"days": 7, "reason": "Spam links"}, 200, nil)
		for _, c := range []*apptest.Client{f.bob, second, script} {
			c.WantError("GET", "/api/v1/me", nil, 401, townhall.EUNAUTHORIZED)
			c.WantError("POST", "/api/v1/ideas/"+idea.ID+"/vote", nil, 401, townhall.EUNAUTHORIZED)
		}
		res, body := env.Anonymous(t).Form("POST", "/auth/dev/login", url.Values{"name": {"Bob"}})
		if res.StatusCode != 403 || !strings.Contains(body, "suspended your account until") || !strings.Contains(body, "Spam links") {
			t.Fatalf("sign-in while suspended: %d\n%.3000s", res.StatusCode, body)
		}
		f.ann.JSON("GET", "/api/v1/me", nil, 200, nil) // other people stay signed in
		wantLogged(t, env, "user.suspend", f.admin.User.ID, f.bob.User.ID)
		f.admin.JSON("DELETE", usersPath(f.bob, "suspend"), nil, 200, nil)
		wantLogged(t, env, "user.unsuspend", f.admin.User.ID, f.bob.User.ID)
		f.bob = env.Client(t, "Bob", "")
		f.bob.JSON("GET", "/api/v1/me", nil, 200, nil)
	})

	step(t, "AdminUsersPageButtons", func(t *testing.T) {
		body := wantStatus(t, f.admin, "/admin/users", 200)
		if !strings.Contains(body, `action="/admin/users/`+f.bob.User.ID+`/silence"`) || !strings.Contains(body, `formaction="/admin/users/`+f.bob.User.ID+`/suspend"`) {
			t.Fatal("the users page has no silence or suspend form")
		}
		res, _ := f.admin.Form("POST", "/admin/users/"+f.bob.User.ID+"/silence", url.Values{"days": {"1"}, "reason": {"Too loud"}, "back": {"/admin/users"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("silence form: %d", res.StatusCode)
		}
		body = wantStatus(t, f.admin, "/admin/users", 200)
		if !strings.Contains(body, "Silenced until") || !strings.Contains(body, "Too loud") {
			t.Fatal("the users page does not show the silence")
		}
		res, body = f.admin.Form("POST", "/admin/users/"+f.bob.User.ID+"/suspend", url.Values{"days": {"x"}, "reason": {"r"}, "back": {"/admin/users"}})
		if res.StatusCode != 400 || !strings.Contains(body, "days must be a whole number") {
			t.Fatalf("bad days: %d", res.StatusCode)
		}
		res, _ = f.admin.Form("POST", "/admin/users/"+f.bob.User.ID+"/silence/lift", url.Values{"back": {"/admin/users"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("lift form: %d", res.StatusCode)
		}
		f.bob.JSON("POST", "/api/v1/ideas/"+idea.ID+"/vote", nil, 200, nil)
	})
}

func TestAdminSettings(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Ada", "")
	mod := env.Client(t, "Mo", townhall.RoleModerator)
	type site struct {
		FlagThreshold       int  `json:"flag_threshold"`
		NewMemberFlagsCount bool `json:"new_member_flags_count"`
		HoldNewMemberPosts  int  `json:"hold_new_member_posts"`
		SegmentsPublic      bool `json:"segments_public"`
		TrustLevels         map[string]struct {
			DaysVisited int `json:"days_visited"`
			Posts       int
		} `json:"trust_levels"`
	}

	step(t, "DefaultsAndWhoMay", func(t *testing.T) {
		var got site
		admin.JSON("GET", "/api/v1/admin/settings", nil, 200, &got)
		if got.FlagThreshold != 3 || !got.NewMemberFlagsCount || got.HoldNewMemberPosts != 0 || got.TrustLevels["basic"].DaysVisited != 2 {
			t.Fatalf("defaults = %+v", got)
		}
		mod.WantError("GET", "/api/v1/admin/settings", nil, 403, townhall.EFORBIDDEN)
		mod.WantError("PUT", "/api/v1/admin/settings", map[string]any{"flag_threshold": 2}, 403, townhall.EFORBIDDEN)
		env.Anonymous(t).WantError("GET", "/api/v1/admin/settings", nil, 401, townhall.EUNAUTHORIZED)
		wantStatus(t, mod, "/admin/settings", 403)
	})

	step(t, "BadValuesNameTheField", func(t *testing.T) {
		for _, tc := range []struct {
			body  any
			field string
		}{
			{map[string]any{"flag_threshold": 0}, "flag_threshold"},
			{map[string]any{"flag_threshold": "3"}, "flag_threshold"},
			{map[string]any{"hold_new_member_posts": 99}, "hold_new_member_posts"},
			{map[string]any{"trust_levels": map[string]any{"member": map[string]any{"posts": 0}}}, "trust_levels.member.posts"},
			{map[string]any{"trust_levels": map[string]any{"basic": map[string]any{"days_visited": -1}}}, "trust_levels.basic.days_visited"},
			{map[string]any{"flag_treshold": 2}, "flag_treshold"},
			{[]int{1}, "JSON object"},
		} {
			msg := admin.WantError("PUT", "/api/v1/admin/settings", tc.body, 400, townhall.EINVALID)
			if !strings.Contains(msg, tc.field) {
				t.Errorf("%v: %q does not name %s", tc.body, msg, tc.field)
			}
		}
		var got site
		admin.JSON("GET", "/api/v1/admin/settings", nil, 200, &got)
		if got.FlagThreshold != 3 || got.TrustLevels["member"].Posts != 10 {
			t.Fatalf("a refused change was stored: %+v", got)
		}
	})

	step(t, "APartialChangeKeepsTheRestAndIsLogged", func(t *testing.T) {
		var got site
		admin.JSON("PUT", "/api/v1/admin/settings", map[string]any{"flag_threshold": 5, "trust_levels": map[string]any{"basic": map[string]any{"posts": 2}}}, 200, &got)
		if got.FlagThreshold != 5 || got.TrustLevels["basic"].Posts != 2 || got.TrustLevels["basic"].DaysVisited != 2 || !got.NewMemberFlagsCount {
			t.Fatalf("after change = %+v", got)
		}
		e := wantLogged(t, env, "settings.update", admin.User.ID, "site_settings")
		if !strings.Contains(e.Before, `"flag_threshold":3`) || !strings.Contains(e.After, `"flag_threshold":5`) {
			t.Fatalf("settings entry = %+v", e)
		}
	})

	step(t, "ThePageGroupsAndSaves", func(t *testing.T) {
		body := wantStatus(t, admin, "/admin/settings", 200)
		for _, want := range []string{"<legend>Flags</legend>", "<legend>New members</legend>", "<legend>Trust levels</legend>",
			"<legend>Profiles</legend>", `name="segments_public"`,
			`name="flag_threshold"`, `value="5"`, `name="trust_levels.regular.accepted_answers"`} {
			if !strings.Contains(body, want) {
				t.Fatalf("settings page lacks %s", want)
			}
		}
		form := url.Values{}
		for _, g := range []string{"basic", "member", "regular"} {
			for _, k := range []string{"days_visited", "posts", "accepted_answers", "reputation"} {
				form.Set("trust_levels."+g+"."+k, "0")
			}
		}
		form.Set("flag_threshold", "4")
		form.Set("hold_new_member_posts", "2")
		form.Set("segments_public", "on")
		form.Set("trust_levels.member.posts", "abc")
		res, body := admin.Form("POST", "/admin/settings", form)
		if res.StatusCode != 400 || !strings.Contains(body, "trust_levels.member.posts must be a whole number") || !strings.Contains(body, `value="abc"`) {
			t.Fatalf("bad form: %d\n%.3000s", res.StatusCode, body)
		}
		form.Set("trust_levels.member.posts", "3")
		res, body = admin.Form("POST", "/admin/settings", form)
		if res.StatusCode != 400 || !strings.Contains(body, "trust_levels.regular.posts must be at least member") {
			t.Fatalf("a regular asking for less than a member: %d", res.StatusCode)
		}
		form.Set("trust_levels.regular.posts", "3")
		res, _ = admin.Form("POST", "/admin/settings", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", res.StatusCode)
		}
		var got site
		admin.JSON("GET", "/api/v1/admin/settings", nil, 200, &got)
		// The unchecked box turns the switch off.
		if got.FlagThreshold != 4 || got.HoldNewMemberPosts != 2 || got.NewMemberFlagsCount || got.TrustLevels["member"].Posts != 3 || !got.SegmentsPublic {
			t.Fatalf("after the form = %+v", got)
		}
	})
}

func TestNewMembersLinkLimitAndTrustLevels(t *testing.T) {
	f := startForum(t)
	env := f.env
	three := "See https://a.example, https://b.example and [c](https://c.example)"

	step(t, "ANewMemberMayPostTwoLinks", func(t *testing.T) {
		f.thread(t, f.ann, f.questions.Slug, "Two links", "https://a.example and https://b.example")
		msg := f.ann.WantError("POST", "/api/v1/threads", map[string]string{"category": f.questions.Slug, "title": "Three links", "body": three}, 400, townhall.EINVALID)
		if !strings.Contains(msg, "at most 2 links") || !strings.Contains(msg, "has 3") {
			t.Fatalf("message %q", msg)
		}
		idea := propose(t, f.bob, "Idea")
		f.ann.WantError("POST", "/api/v1/ideas/"+idea.ID+"/comments", map[string]string{"body": three}, 400, townhall.EINVALID)
		res, body := f.ann.Form("POST", "/forum/new", url.Values{"category": {f.questions.Slug}, "title": {"Three links"}, "body": {three}})
		if res.StatusCode != 400 || !strings.Contains(body, "at most 2 links") || !strings.Contains(body, "c.example") {
			t.Fatalf("form: %d, the page must keep what was typed", res.StatusCode)
		}
		// Staff are never new.
		f.thread(t, f.mod, f.questions.Slug, "Three links by staff", three)
	})

	step(t, "LevelsFollowActivityAndTheSettings", func(t *testing.T) {
		var p struct {
			Level     int
			NextLevel *int `json:"next_level"`
			Needs     []struct {
				What       string
				Have, Need int
			}
		}
		f.bob.JSON("GET", "/api/v1/me/trust", nil, 200, &p)
		if p.Level != 0 || p.NextLevel == nil || *p.NextLevel != 1 || len(p.Needs) != 2 || p.Needs[0].Need != 2 || p.Needs[1].Have != 1 {
			t.Fatalf("a new member's progress = %+v", p)
		}
		body := wantStatus(t, f.bob, "/trust", 200)
		if !strings.Contains(body, "Trust level: New") || !strings.Contains(body, "of 2 days visited") {
			t.Fatalf("trust page:\n%.3000s", body)
		}
		// Lower the bar: a pass in the background recomputes everyone.
		setSettings(t, f.admin, map[string]any{"trust_levels": map[string]any{"basic": map[string]any{"days_visited": 1, "posts": 1}}})
		var me struct {
			TrustLevel int `json:"trust_level"`
		}
		// The app's own runner may have claimed the pass already; step the
		// queue here too until it has reached Bob.
		for deadline := time.Now().Add(10 * time.Second); ; {
			if _, err := env.App.Jobs.RunOne(context.Background(), app.TrustQueue); err != nil {
				t.Fatal(err)
			}
			if f.bob.JSON("GET", "/api/v1/me", nil, 200, &me); me.TrustLevel == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after the pass bob is level %d, want 1", me.TrustLevel)
			}
			time.Sleep(20 * time.Millisecond)
		}
		// A basic member may post more links.
		f.bob.JSON("POST", "/api/v1/threads", map[string]string{"category": f.questions.Slug, "title": "Three links now", "body": three}, 201, nil)
		// Activity keeps it current without a pass: a newcomer's first post.
		carl := env.Client(t, "Carl", "")
		carl.JSON("GET", "/api/v1/me", nil, 200, &me)
		if me.TrustLevel != 0 {
			t.Fatalf("carl before posting = %d", me.TrustLevel)
		}
		f.reply(t, carl, f.thread(t, f.ann, f.questions.Slug, "Welcome", "hi").ID, "Thanks")
		carl.JSON("GET", "/api/v1/me", nil, 200, &me)
		if me.TrustLevel != 1 {
			t.Fatalf("carl after a visit and a post = %d, want 1", me.TrustLevel)
		}
	})

	step(t, "AdminsSetLevelsByHandStaffAreTop", func(t *testing.T) {
		var u struct {
			TrustLevel  int  `json:"trust_level"`
			TrustLocked bool `json:"trust_locked"`
		}
		f.mod.WantError("PUT", "/api/v1/admin/users/"+f.bob.User.ID+"/trust_level", map[string]any{"level": 3}, 403, townhall.EFORBIDDEN)
		f.admin.WantError("PUT", "/api/v1/admin/users/"+f.bob.User.ID+"/trust_level", map[string]any{"level": 4}, 400, townhall.EINVALID)
		f.admin.JSON("PUT", "/api/v1/admin/users/"+f.bob.User.ID+"/trust_level", map[string]any{"level": 0}, 200, &u)
		if u.TrustLevel != 0 || !u.TrustLocked {
			t.Fatalf("set by hand = %+v", u)
		}
		e := wantLogged(t, env, "user.trust_level", f.admin.User.ID, f.bob.User.ID)
		if e.Before != `{"level":1,"locked":false}` || e.After != `{"level":0,"locked":true}` {
			t.Fatalf("trust entry = %+v", e)
		}
		// Locked: his activity no longer moves it.
		f.reply(t, f.bob, f.thread(t, f.ann, f.questions.Slug, "Another", "q").ID, "answer")
		f.bob.WantError("POST", "/api/v1/threads", map[string]string{"category": f.questions.Slug, "title": "Links again", "body": three}, 400, townhall.EINVALID)
		f.admin.JSON("PUT", "/api/v1/admin/users/"+f.bob.User.ID+"/trust_level", map[string]any{"level": nil}, 200, &u)
		if u.TrustLevel != 1 || u.TrustLocked {
			t.Fatalf("unlocked = %+v", u)
		}
		var me struct {
			TrustLevel int `json:"trust_level"`
		}
		f.mod.JSON("GET", "/api/v1/me", nil, 200, &me)
		if me.TrustLevel != 3 {
			t.Fatalf("a moderator is level %d", me.TrustLevel)
		}
	})
}

// TestReactionsHaveTheirOwnBudget: a new member votes on twelve ideas and
// likes twelve comments in a row (the bug was a 429 on the seventh), while the content budget still
// stops a flood of posts.
func TestReactionsHaveTheirOwnBudget(t *testing.T) {
	env := apptest.Start(t, apptest.WithConfig(func(c *app.Config) {
		d := app.Defaults()
		c.UserWritesPerMinute, c.ReactionsPerMinute = d.UserWritesPerMinute, d.ReactionsPerMinute
	}))
	env.Client(t, "Ada", "")
	author := env.Client(t, "Author", townhall.RoleModerator) // staff: a budget large enough to set up
	var ids []string
	for i := range 12 {
		ids = append(ids, propose(t, author, fmt.Sprintf("Idea number %d", i)).ID)
	}
	voter := env.Client(t, "Newcomer", "")
	for i, id := range ids {
		res, body := voter.Do("POST", "/api/v1/ideas/"+id+"/vote", nil)
		if res.StatusCode != 200 {
			t.Fatalf("vote %d: %d %s", i+1, res.StatusCode, body)
		}
	}
	// Likes are reactions too: twelve in a row down a discussion.
	writer, err := env.App.Auth.User(context.Background(), author.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		// Through the service: the author's own budget is not the point.
		c, err := env.App.Ideas.Comment(context.Background(), writer, ids[1], fmt.Sprintf("Comment number %d", i))
		if err != nil {
			t.Fatal(err)
		}
		if res, body := voter.Do("POST", "/api/v1/comments/"+c.ID+"/like", nil); res.StatusCode != 200 {
			t.Fatalf("like %d: %d %s", i+1, res.StatusCode, body)
		}
	}
	// Content: a level-0 member's budget is half of 30 a minute: in bursts
	// of 5 on the embedded store (the sixth idea in a row is refused), in
	// one-minute windows of 15 where MongoDB counts for every node (a
	// window may turn over once during the loop).
	limited := 0
	for i := range 40 {
		res, _ := voter.Do("POST", "/api/v1/ideas", map[string]any{"title": fmt.Sprintf("Flood %d", i)})
		if res.StatusCode == http.StatusTooManyRequests {
			limited = i + 1
			break
		}
		if res.StatusCode != 201 {
			t.Fatalf("idea %d: %d", i+1, res.StatusCode)
		}
	}
	if apptest.MongoDBURI() == "" && limited != 6 || limited < 6 || limited > 31 {
		t.Fatalf("the content flood was refused at write %d, want the 6th (16th to 31st on MongoDB)", limited)
	}
	voter.WantError("POST", "/api/v1/ideas", map[string]any{"title": "One more"}, 429, townhall.ERATELIMIT)
	// The spent content budget leaves reactions alone.
	voter.JSON("DELETE", "/api/v1/ideas/"+ids[0]+"/vote", nil, 200, nil)
}

// TestFlagBoxesShareOneForm: a thread page carries one flag form however
// many posts it has (app.js copies it into the box that opens), and
// without JavaScript each box links to the same form on a page of its
// own, which flags the post.
func TestFlagBoxesShareOneForm(t *testing.T) {
	f := startForum(t)
	q := f.thread(t, f.ann, "questions", "How do I export invoices?", "Where is the button?")
	var replies []string
	for i := range 3 {
		replies = append(replies, f.reply(t, f.bob, q.ID, fmt.Sprintf("Reply %d with a link to example.com", i)).ID)
	}
	_, page := f.ann.Get("/t/" + q.ID)
	if n := strings.Count(page, `id="flag-form-template"`); n != 1 {
		t.Fatalf("%d flag form templates on the page, want 1", n)
	}
	if n := strings.Count(page, `name="reason"`); n != len(moderation.Reasons) {
		t.Errorf("%d reason radios on a page of %d posts, want one set", n, len(replies)+1)
	}
	link := "/flags/new?kind=post&amp;id=" + replies[1] + "&amp;back=%2fp%2f" + replies[1]
	if !strings.Contains(strings.ToLower(page), strings.ToLower(link)) {
		t.Fatalf("no fallback link %s on the page", link)
	}
	res, form := f.ann.Get("/flags/new?kind=post&id=" + replies[1] + "&back=/p/" + replies[1])
	if res.StatusCode != http.StatusOK || !strings.Contains(form, `value="spam"`) || !strings.Contains(form, "Reply 1 with a link") {
		t.Fatalf("the flag page: %d\n%s", res.StatusCode, form)
	}
	res, done := f.ann.Form("POST", "/flags", url.Values{"kind": {"post"}, "id": {replies[1]}, "reason": {"spam"}, "back": {"/p/" + replies[1]}})
	if res.StatusCode != http.StatusOK || !strings.Contains(done, `data-testid="flag-done"`) {
		t.Fatalf("flagging from the page: %d\n%s", res.StatusCode, done)
	}
	if _, anon := f.anon.Get("/t/" + q.ID); strings.Contains(anon, "flag-form-template") || strings.Contains(anon, "flag-box") {
		t.Error("an anonymous reader gets flag forms")
	}
}
