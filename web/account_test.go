package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/account"
	"github.com/townhall/townhall/app/apptest"
)

// community is a small site in which Ann has written and done something
// of every kind, and Bob has too, with Bob's votes on Ann's things.
type community struct {
	env                   *apptest.Env
	admin, ann, bob, mod  *apptest.Client
	thread, bobThread     apiThread
	reply                 apiPost
	idea, bobIdea         struct{ ID string }
	product               struct{ ID, Slug string }
	review, bobReview     struct{ ID string }
	annComment, bobAnswer struct{ ID string }
}

func startCommunity(t *testing.T) *community {
	t.Helper()
	env := apptest.Start(t)
	c := &community{env: env, admin: env.Client(t, "Ada", "")}
	c.ann = env.Client(t, "Ann", townhall.RoleMember)
	c.bob = env.Client(t, "Bob", townhall.RoleMember)
	c.mod = env.Client(t, "Mo", townhall.RoleModerator)
	type m = map[string]any
	c.admin.JSON("POST", "/api/v1/categories", m{"name": "General", "slug": "general"}, http.StatusCreated, nil)
	c.ann.JSON("POST", "/api/v1/threads", m{"category": "general", "title": "Printer jams daily", "body": "Every morning."}, http.StatusCreated, &c.thread)
	c.bob.JSON("POST", "/api/v1/threads", m{"category": "general", "title": "Bob's question", "body": "Why?"}, http.StatusCreated, &c.bobThread)
	c.ann.JSON("POST", "/api/v1/threads/"+c.bobThread.ID+"/posts", m{"body": "Because of the toner."}, http.StatusCreated, &c.reply)
	c.bob.JSON("POST", "/api/v1/threads/"+c.thread.ID+"/posts", m{"body": "Same here."}, http.StatusCreated, &c.bobAnswer)
	c.mod.JSON("POST", "/api/v1/posts/"+c.reply.ID+"/hide", nil, http.StatusOK, nil)
	c.ann.JSON("POST", "/api/v1/ideas", m{"title": "Dark mode", "body": "Please."}, http.StatusCreated, &c.idea)
	c.bob.JSON("POST", "/api/v1/ideas", m{"title": "Offline mode", "body": "For trains."}, http.StatusCreated, &c.bobIdea)
	c.ann.JSON("POST", "/api/v1/ideas/"+c.bobIdea.ID+"/vote", nil, http.StatusOK, nil)
	c.bob.JSON("POST", "/api/v1/ideas/"+c.idea.ID+"/vote", nil, http.StatusOK, nil)
	c.ann.JSON("POST", "/api/v1/ideas/"+c.bobIdea.ID+"/comments", m{"body": "Yes, for planes too."}, http.StatusCreated, &c.annComment)
	c.admin.JSON("POST", "/api/v1/products", m{"name": "Router X2"}, http.StatusCreated, &c.product)
	c.ann.JSON("POST", "/api/v1/products/"+c.product.ID+"/reviews", m{"rating": 4, "title": "Solid", "body": "Works well."}, http.StatusCreated, &c.review)
	c.bob.JSON("POST", "/api/v1/products/"+c.product.ID+"/reviews", m{"rating": 2, "title": "Meh", "body": "Slow."}, http.StatusCreated, &c.bobReview)
	c.ann.JSON("POST", "/api/v1/reviews/"+c.bobReview.ID+"/helpful", nil, http.StatusOK, nil)
	c.bob.JSON("POST", "/api/v1/reviews/"+c.review.ID+"/helpful", nil, http.StatusOK, nil)
	return c
}

// exportDoc is the data export as JSON.
type exportDoc struct {
	Site       string
	ExportedAt string `json:"exported_at"`
	Profile    struct {
		ID, Handle, Name string
		Role             townhall.Role
		DeletedAt        *string `json:"deleted_at"`
	}
	SignIns []struct{ Provider, Subject string } `json:"sign_ins"`
	Threads []struct {
		ID, Title string
		Category  struct{ ID, Name string }
		Hidden    bool
	}
	Posts []struct {
		ID, Body string
		Thread   struct{ ID, Title string }
		Hidden   bool
	}
	Ideas    []struct{ ID, Title, Body, Status string }
	Comments []struct {
		ID, Body string
		Idea     struct{ ID, Title string }
	}
	IdeaVotes []struct {
		Idea struct{ ID, Title string }
	} `json:"idea_votes"`
	Reviews []struct {
		ID, Title, Body string
		Rating          int
		Product         struct{ ID, Name string }
	}
	HelpfulVotes []struct {
		Review  struct{ ID, Title string }
		Product struct{ ID, Name string }
	} `json:"helpful_votes"`
	Follows []struct {
		Thread struct{ ID, Title string }
	}
	Notifications []struct{ Kind, Text, URL string }
	Loyalty       struct {
		Bio        string
		Reputation int
		Badges     []struct{ Slug, Name, Tier string }
		Ledger     []struct{ Points int } `json:"reputation_ledger"`
	}
	EmailSettings struct {
		Address string
		Digest  string
		Kinds   map[string]string
	} `json:"email_settings"`
	APITokens []map[string]any `json:"api_tokens"`
}

// export downloads the data export at path.
func export(t *testing.T, cl *apptest.Client, path string) exportDoc {
	t.Helper()
	res, body := cl.Do("GET", path, nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("export: %d %q %q: %.300s", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"), body)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		t.Fatalf("export is not JSON: %v\n%.2000s", err, body)
	}
	var keys []string
	for k := range top {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := append([]string{"exported_at", "profile", "site", "loyalty", "email_settings", "api_tokens"}, account.Kinds...)
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Fatalf("export sections %v, want %v", keys, want)
	}
	var d exportDoc
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatalf("export is not the documented JSON: %v\n%.2000s", err, body)
	}
	return d
}

// TestAccountExport downloads a person's data through the API and the
// page: every kind of record, theirs alone, hidden items marked; others
// may not download it, and an admin's download is in the staff log.
func TestAccountExport(t *testing.T) {
	c := startCommunity(t)
	ann := c.ann.User

	bio := "I fly **a lot**."
	c.ann.JSON("PATCH", "/api/v1/me", map[string]any{"bio": bio}, http.StatusOK, nil)
	tok := newToken(t, c.ann, map[string]any{"name": "Sync", "scopes": []string{"read"}})
	d := export(t, c.ann, "/api/v1/me/export")
	// What the other features keep about her: profile, badges, ledger,
	// email settings, tokens (never their secrets).
	if d.Loyalty.Bio != bio || len(d.Loyalty.Badges) == 0 || d.Loyalty.Badges[0].Slug != "first-post" || d.Loyalty.Badges[0].Name != "First Post" {
		t.Errorf("loyalty %+v", d.Loyalty)
	}
	sum := 0
	for _, e := range d.Loyalty.Ledger {
		sum += e.Points
	}
	if sum != d.Loyalty.Reputation {
		t.Errorf("ledger sums to %d, reputation %d", sum, d.Loyalty.Reputation)
	}
	if d.EmailSettings.Digest != "weekly" || d.EmailSettings.Kinds["mention"] != "instant" {
		t.Errorf("email settings %+v", d.EmailSettings)
	}
	if len(d.APITokens) != 1 || d.APITokens[0]["id"] != tok.ID || d.APITokens[0]["name"] != "Sync" {
		t.Errorf("api tokens %+v", d.APITokens)
	}
	if raw, _ := json.Marshal(d.APITokens); strings.Contains(string(raw), tok.Token) || strings.Contains(string(raw), "hash") {
		t.Errorf("the export holds a token's secret: %s", raw)
	}
	if d.Profile.ID != ann.ID || d.Profile.Handle != "ann" || d.Profile.Name != "Ann" || d.Profile.DeletedAt != nil || d.Site == "" || d.ExportedAt == "" {
		t.Errorf("profile %+v", d.Profile)
	}
	if len(d.SignIns) != 1 || d.SignIns[0].Provider != "dev" || d.SignIns[0].Subject != "Ann" {
		t.Errorf("sign-ins %+v", d.SignIns)
	}
	if len(d.Threads) != 1 || d.Threads[0].ID != c.thread.ID || d.Threads[0].Category.Name != "General" {
		t.Errorf("threads %+v", d.Threads)
	}
	if len(d.Posts) != 2 || d.Posts[0].Body != "Every morning." || d.Posts[0].Hidden ||
		d.Posts[1].ID != c.reply.ID || !d.Posts[1].Hidden || d.Posts[1].Thread.Title != "Bob's question" {
		t.Errorf("posts %+v", d.Posts)
	}
	if len(d.Ideas) != 1 || d.Ideas[0].Title != "Dark mode" || d.Ideas[0].Body != "Please." || d.Ideas[0].Status != "open" {
		t.Errorf("ideas %+v", d.Ideas)
	}
	if len(d.Comments) != 1 || d.Comments[0].Body != "Yes, for planes too." || d.Comments[0].Idea.Title != "Offline mode" {
		t.Errorf("comments %+v", d.Comments)
	}
	if len(d.IdeaVotes) != 2 { // her own idea and Bob's
		t.Errorf("idea votes %+v", d.IdeaVotes)
	}
	if len(d.Reviews) != 1 || d.Reviews[0].Rating != 4 || d.Reviews[0].Body != "Works well." || d.Reviews[0].Product.Name != "Router X2" {
		t.Errorf("reviews %+v", d.Reviews)
	}
	if len(d.HelpfulVotes) != 1 || d.HelpfulVotes[0].Review.ID != c.bobReview.ID || d.HelpfulVotes[0].Product.Name != "Router X2" {
		t.Errorf("helpful votes %+v", d.HelpfulVotes)
	}
	if len(d.Follows) != 2 {
		t.Errorf("follows %+v", d.Follows)
	}
	// Ann's badge (her First Post) is among them too; Bob's reply must be.
	heard := false
	for _, n := range d.Notifications {
		heard = heard || strings.Contains(n.Text, "Bob replied")
	}
	if !heard {
		t.Errorf("notifications %+v", d.Notifications)
	}
	// Bob's words may only appear in Ann's notifications, which quote him.
	mine := d
	mine.Notifications = nil
	everything, _ := json.Marshal(mine)
	for _, bobs := range []string{"Why?", "Same here.", "For trains.", "Slow."} {
		if strings.Contains(string(everything), bobs) {
			t.Errorf("Ann's export holds Bob's %q", bobs)
		}
	}

	t.Run("the page and its download", func(t *testing.T) {
		res, page := c.ann.Get("/settings/account")
		if res.StatusCode != http.StatusOK || !strings.Contains(page, `href="/settings/account/export"`) ||
			!strings.Contains(page, "@ann") || !strings.Contains(page, `action="/settings/account/delete"`) {
			t.Fatalf("account page: %d\n%.3000s", res.StatusCode, page)
		}
		fromPage := export(t, c.ann, "/settings/account/export")
		if fromPage.Profile.ID != ann.ID || len(fromPage.Posts) != 2 {
			t.Fatalf("page download differs: %+v", fromPage.Profile)
		}
		if _, header := c.ann.Get("/"); !strings.Contains(header, `href="/settings/account"`) {
			t.Error("the header does not link to the account page")
		}
	})

	t.Run("only the person and admins", func(t *testing.T) {
		anon := c.env.Anonymous(t)
		wantAPIErrors(t, []apiErrorCase{
			{"visitor", anon, "GET", "/api/v1/me/export", nil, 401, townhall.EUNAUTHORIZED},
			{"member for someone else", c.bob, "GET", "/api/v1/admin/users/" + ann.ID + "/export", nil, 403, townhall.EFORBIDDEN},
			{"moderator for someone else", c.mod, "GET", "/api/v1/admin/users/" + ann.ID + "/export", nil, 403, townhall.EFORBIDDEN},
			{"unknown person", c.admin, "GET", "/api/v1/admin/users/" + townhall.NewID() + "/export", nil, 404, townhall.ENOTFOUND},
		})
		if res, _ := anon.Get("/settings/account"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("visitor on the account page: %d, want a redirect to sign in", res.StatusCode)
		}
	})

	t.Run("an admin's download is in the staff log", func(t *testing.T) {
		d := export(t, c.admin, "/api/v1/admin/users/"+ann.ID+"/export")
		if d.Profile.ID != ann.ID || len(d.Ideas) != 1 {
			t.Fatalf("admin's export of Ann: %+v", d.Profile)
		}
		e := newestEntry(t, c.admin, "user.export")
		if e.TargetID != ann.ID || e.Target != "@ann" || e.Actor.ID != c.admin.User.ID {
			t.Fatalf("entry %+v", e)
		}
	})
}

// counts are the numbers pages show that Ann's deletion must not move.
type counts struct {
	annIdeaVotes, bobIdeaVotes, bobIdeaComments int
	ratingCount, annReviewHelpful               int
	bobThreadReplies                            int
}

func readCounts(t *testing.T, c *community) counts {
	t.Helper()
	var n counts
	var idea struct{ Votes, Comments int }
	c.bob.JSON("GET", "/api/v1/ideas/"+c.idea.ID, nil, http.StatusOK, &idea)
	n.annIdeaVotes = idea.Votes
	c.bob.JSON("GET", "/api/v1/ideas/"+c.bobIdea.ID, nil, http.StatusOK, &idea)
	n.bobIdeaVotes, n.bobIdeaComments = idea.Votes, idea.Comments
	var p struct{ Rating struct{ Count int } }
	c.bob.JSON("GET", "/api/v1/products/"+c.product.ID, nil, http.StatusOK, &p)
	n.ratingCount = p.Rating.Count
	var r struct{ Helpful int }
	c.bob.JSON("GET", "/api/v1/reviews/"+c.review.ID, nil, http.StatusOK, &r)
	n.annReviewHelpful = r.Helpful
	var th struct{ Replies int }
	c.bob.JSON("GET", "/api/v1/threads/"+c.bobThread.ID, nil, http.StatusOK, &th)
	n.bobThreadReplies = th.Replies
	return n
}

// TestAccountDeletion deletes Ann's account from her account page: the
// confirmation, what stays (her content, credited to "Deleted user"; every
// count), what goes (her name and handle, every session, her sign-in,
// notifications), and signing in again with the same identity.
func TestAccountDeletion(t *testing.T) {
	c := startCommunity(t)
	ctx := context.Background()
	annID := c.ann.User.ID
	otherBrowser := c.env.Client(t, "Ann", "")
	before := readCounts(t, c)
	if before.bobIdeaVotes != 2 || before.annReviewHelpful != 1 || before.ratingCount != 2 {
		t.Fatalf("setup counts %+v", before)
	}

	step(t, "a wrong confirmation deletes nothing", func(t *testing.T) {
		res, page := c.ann.Form("POST", "/settings/account/delete", url.Values{"confirm": {"bob"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "type the handle @ann") || !strings.Contains(page, `value="bob"`) {
			t.Fatalf("wrong confirmation: %d\n%.2000s", res.StatusCode, page)
		}
		c.ann.JSON("GET", "/api/v1/me", nil, http.StatusOK, nil)
		c.ann.WantError("DELETE", "/api/v1/me", map[string]any{}, http.StatusBadRequest, townhall.EINVALID)
	})

	step(t, "deleting signs out every browser", func(t *testing.T) {
		res, _ := c.ann.Form("POST", "/settings/account/delete", url.Values{"confirm": {"@Ann"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/settings/account/deleted" {
			t.Fatalf("delete: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		for _, cl := range []*apptest.Client{c.ann, otherBrowser} {
			cl.WantError("GET", "/api/v1/me", nil, http.StatusUnauthorized, townhall.EUNAUTHORIZED)
		}
		if _, page := c.ann.Get("/settings/account/deleted"); !strings.Contains(page, "Your account is deleted") {
			t.Fatal("no confirmation page")
		}
	})

	step(t, "content stays, credited to Deleted user, with every count", func(t *testing.T) {
		if after := readCounts(t, c); after != before {
			t.Fatalf("counts moved: %+v, were %+v", after, before)
		}
		var th apiThread
		c.bob.JSON("GET", "/api/v1/threads/"+c.thread.ID, nil, http.StatusOK, &th)
		if th.Title != "Printer jams daily" || th.Question == nil || th.Question.Body != "Every morning." {
			t.Fatalf("thread %+v", th)
		}
		_, page := c.bob.Get("/t/" + c.thread.ID)
		if !strings.Contains(page, account.DeletedName) || strings.Contains(page, ">Ann<") {
			t.Fatalf("the thread page still names Ann:\n%.3000s", page)
		}
		var cs struct {
			Items []struct{ Author struct{ Name string } }
		}
		c.bob.JSON("GET", "/api/v1/ideas/"+c.bobIdea.ID+"/comments", nil, http.StatusOK, &cs)
		if len(cs.Items) != 1 || cs.Items[0].Author.Name != account.DeletedName {
			t.Fatalf("comments %+v", cs.Items)
		}
		doc, err := c.env.App.DB.SearchDocument(ctx, townhall.KindThread, c.thread.ID)
		if err != nil || doc.Author != account.DeletedName || !doc.Visible {
			t.Fatalf("search document %+v, %v", doc, err)
		}
		u, err := c.env.App.Auth.User(ctx, annID)
		if err != nil || u.Name != account.DeletedName || u.Email != "" || u.Handle == "ann" || u.DeletedAt.IsZero() {
			t.Fatalf("account %+v, %v", u, err)
		}
		if _, err := c.env.App.Auth.UserByHandle(ctx, "ann"); townhall.ErrorCode(err) != townhall.ENOTFOUND {
			t.Fatalf("@ann still finds someone: %v", err)
		}
	})

	step(t, "no more notifications reach the deleted account", func(t *testing.T) {
		c.bob.JSON("POST", "/api/v1/threads/"+c.bobThread.ID+"/posts", map[string]any{"body": "Thanks Ann!"}, http.StatusCreated, nil)
		c.admin.JSON("PUT", "/api/v1/ideas/"+c.bobIdea.ID+"/status", map[string]any{"status": "planned"}, http.StatusOK, nil)
		rs, err := c.env.App.DB.AccountRecords(ctx, annID, account.Notifications, "", 100)
		if err != nil || len(rs) != 0 {
			t.Fatalf("notifications of the deleted account: %+v, %v", rs, err)
		}
	})

	step(t, "signing in again offers a new account, only when asked", func(t *testing.T) {
		again := c.env.Anonymous(t)
		res, page := again.Form("POST", "/auth/dev/login", url.Values{"name": {"Ann"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(page, "You deleted the account of this sign-in") ||
			!strings.Contains(page, `name="fresh"`) {
			t.Fatalf("sign-in with the deleted account's identity: %d\n%.2000s", res.StatusCode, page)
		}
		again.WantError("GET", "/api/v1/me", nil, http.StatusUnauthorized, townhall.EUNAUTHORIZED)
		res, _ = again.Form("POST", "/auth/dev/login", url.Values{"name": {"Ann"}, "fresh": {"1"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("fresh sign-in: %d", res.StatusCode)
		}
		var me struct{ ID, Handle, Name string }
		again.JSON("GET", "/api/v1/me", nil, http.StatusOK, &me)
		if me.ID == annID || me.Handle != "ann" || me.Name != "Ann" {
			t.Fatalf("new account %+v", me)
		}
		d := export(t, again, "/api/v1/me/export")
		if len(d.Ideas)+len(d.Posts)+len(d.Reviews)+len(d.IdeaVotes) != 0 {
			t.Fatalf("the new account is not empty: %+v", d)
		}
	})
}

// TestAdminDeletesAccount: an admin deletes a person from /admin/users or
// the API, which the staff log records; that sign-in can never come back;
// members cannot; the last admin cannot be deleted.
func TestAdminDeletesAccount(t *testing.T) {
	c := startCommunity(t)
	bobID := c.bob.User.ID

	t.Run("refusals", func(t *testing.T) {
		wantAPIErrors(t, []apiErrorCase{
			{"a member", c.ann, "DELETE", "/api/v1/admin/users/" + bobID, nil, 403, townhall.EFORBIDDEN},
			{"a moderator", c.mod, "DELETE", "/api/v1/admin/users/" + bobID, nil, 403, townhall.EFORBIDDEN},
			{"an unknown person", c.admin, "DELETE", "/api/v1/admin/users/" + townhall.NewID(), nil, 404, townhall.ENOTFOUND},
			{"the last admin", c.admin, "DELETE", "/api/v1/me", map[string]any{"confirm": "ada"}, 409, townhall.ECONFLICT},
			{"the last admin by id", c.admin, "DELETE", "/api/v1/admin/users/" + c.admin.User.ID, nil, 409, townhall.ECONFLICT},
		})
		if res, _ := c.ann.Get("/admin/users/" + bobID + "/delete"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("member on the admin delete page: %d", res.StatusCode)
		}
		c.bob.JSON("GET", "/api/v1/me", nil, http.StatusOK, nil)
	})

	t.Run("from the admin page", func(t *testing.T) {
		_, page := c.admin.Get("/admin/users")
		if !strings.Contains(page, `href="/admin/users/`+bobID+`/delete"`) {
			t.Fatal("the users page has no delete link")
		}
		res, page := c.admin.Get("/admin/users/" + bobID + "/delete")
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "@bob") || !strings.Contains(page, "What stays") {
			t.Fatalf("confirmation page: %d", res.StatusCode)
		}
		res, page = c.admin.Form("POST", "/admin/users/"+bobID+"/delete", url.Values{"confirm": {"ann"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "type the handle @bob") {
			t.Fatalf("wrong confirmation: %d", res.StatusCode)
		}
		c.bob.JSON("GET", "/api/v1/me", nil, http.StatusOK, nil)
		res, _ = c.admin.Form("POST", "/admin/users/"+bobID+"/delete", url.Values{"confirm": {"bob"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", res.StatusCode)
		}
		c.bob.WantError("GET", "/api/v1/me", nil, http.StatusUnauthorized, townhall.EUNAUTHORIZED)
		e := newestEntry(t, c.admin, "user.delete")
		if e.TargetID != bobID || e.Target != "@bob" || e.Before["role"] != "member" || e.After["deleted"] != true {
			t.Fatalf("staff log entry %+v", e)
		}
		var users struct {
			Items []struct {
				ID, Name  string
				DeletedAt *string `json:"deleted_at"`
			}
		}
		c.admin.JSON("GET", "/api/v1/admin/users", nil, http.StatusOK, &users)
		for _, u := range users.Items {
			if u.ID == bobID && (u.Name != account.DeletedName || u.DeletedAt == nil) {
				t.Fatalf("Bob in the users list: %+v", u)
			}
		}
		if _, page := c.admin.Get("/admin/users"); !strings.Contains(page, "Deleted <time") {
			t.Fatal("the users page does not mark the deleted account")
		}
		if _, page := c.admin.Get("/admin/users"); strings.Contains(page, `action="/admin/users/`+bobID+`/role"`) {
			t.Fatal("the users page still offers to change the deleted account's role")
		}
		c.admin.WantError("PUT", "/api/v1/users/"+bobID+"/role", map[string]any{"role": "admin"}, http.StatusConflict, townhall.ECONFLICT)
		c.admin.WantError("PUT", "/api/v1/users/"+bobID+"/verified", map[string]any{"verified": true}, http.StatusConflict, townhall.ECONFLICT)
	})

	t.Run("that sign-in cannot come back", func(t *testing.T) {
		again := c.env.Anonymous(t)
		for _, fresh := range []string{"", "1"} {
			res, page := again.Form("POST", "/auth/dev/login", url.Values{"name": {"Bob"}, "fresh": {fresh}})
			if res.StatusCode != http.StatusForbidden || !strings.Contains(page, "deleted by the site") || strings.Contains(page, `name="fresh"`) {
				t.Fatalf("Bob signs in (fresh=%q): %d\n%.1500s", fresh, res.StatusCode, page)
			}
		}
	})

	t.Run("through the API", func(t *testing.T) {
		res, body := c.admin.Do("DELETE", "/api/v1/admin/users/"+c.ann.User.ID, nil)
		if res.StatusCode != http.StatusNoContent {
			t.Fatalf("delete Ann: %d %s", res.StatusCode, body)
		}
		c.ann.WantError("GET", "/api/v1/me", nil, http.StatusUnauthorized, townhall.EUNAUTHORIZED)
		// Again: already deleted, nothing more to do, no second entry.
		res, _ = c.admin.Do("DELETE", "/api/v1/admin/users/"+c.ann.User.ID, nil)
		var p logPage
		c.admin.JSON("GET", "/api/v1/admin/log?action=user.delete", nil, http.StatusOK, &p)
		if res.StatusCode != http.StatusNoContent || len(p.Items) != 2 {
			t.Fatalf("second delete: %d, %d entries", res.StatusCode, len(p.Items))
		}
	})
}
