package web_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
)

type commentResp struct {
	ID       string `json:"id"`
	IdeaID   string `json:"idea_id"`
	Body     string `json:"body"`
	BodyHTML string `json:"body_html"`
	EditedAt string `json:"edited_at"`
	Deleted  bool   `json:"deleted"`
	Hidden   *struct {
		Reason string `json:"reason"`
		By     struct{ ID, Name string }
	} `json:"hidden"`
}

type hiddenIdeaResp struct {
	ideaResp
	Hidden *struct {
		Reason string `json:"reason"`
		By     struct{ ID, Name string }
	} `json:"hidden"`
}

func comment(t *testing.T, c *apptest.Client, ideaID, body string) commentResp {
	t.Helper()
	var out commentResp
	c.JSON("POST", "/api/v1/ideas/"+ideaID+"/comments", map[string]string{"body": body}, http.StatusCreated, &out)
	return out
}

func comments(t *testing.T, c *apptest.Client, ideaID string) []commentResp {
	t.Helper()
	var out struct{ Items []commentResp }
	c.JSON("GET", "/api/v1/ideas/"+ideaID+"/comments", nil, http.StatusOK, &out)
	return out.Items
}

func TestIdeaModerationAPI(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "root", "")
	ann := env.Client(t, "Ann", townhall.RoleMember)
	bob := env.Client(t, "Bob", townhall.RoleMember)
	mo := env.Client(t, "Mo", townhall.RoleModerator)
	pat := env.Client(t, "Pat", townhall.RoleProduct)
	anon := env.Anonymous(t)

	keep := propose(t, ann, "Dark mode", "ui")
	spam := propose(t, bob, "Dark cheap watches", "ui", "watches")
	first := comment(t, ann, keep.ID, "I want this")
	junk := comment(t, bob, keep.ID, "Buy watches")
	if got := getIdea(t, anon, keep.ID); got.Comments != 2 {
		t.Fatalf("comments = %d, want 2", got.Comments)
	}
	// Each step builds on what the ones before it hid or changed.
	var page string

	step(t, "HiddenIdeaGoneForMembersMarkedForStaff", func(t *testing.T) {
		// Hide an idea: gone for members and readers (the author too), marked for staff.
		var hidden hiddenIdeaResp
		mo.JSON("PUT", "/api/v1/ideas/"+spam.ID+"/hidden", map[string]any{"hidden": true, "reason": "Spam"}, http.StatusOK, &hidden)
		if hidden.Hidden == nil || hidden.Hidden.Reason != "Spam" || hidden.Hidden.By.Name != "Mo" {
			t.Fatalf("hidden idea = %+v", hidden)
		}
		for _, c := range []*apptest.Client{anon, ann, bob} {
			c.WantError("GET", "/api/v1/ideas/"+spam.ID, nil, http.StatusNotFound, townhall.ENOTFOUND)
			c.WantError("GET", "/api/v1/ideas/"+spam.ID+"/comments", nil, http.StatusNotFound, townhall.ENOTFOUND)
			if res, _ := c.Get("/ideas/" + spam.ID); res.StatusCode != http.StatusNotFound {
				t.Fatalf("hidden idea page: %d, want 404", res.StatusCode)
			}
		}
		bob.WantError("POST", "/api/v1/ideas/"+spam.ID+"/vote", nil, http.StatusNotFound, townhall.ENOTFOUND)
		ann.WantError("POST", "/api/v1/ideas/"+spam.ID+"/comments", map[string]string{"body": "hi"}, http.StatusNotFound, townhall.ENOTFOUND)
		pat.WantError("POST", "/api/v1/ideas/"+spam.ID+"/vote", nil, http.StatusConflict, townhall.ECONFLICT)
		for _, c := range []*apptest.Client{mo, pat, admin} {
			var got hiddenIdeaResp
			c.JSON("GET", "/api/v1/ideas/"+spam.ID, nil, http.StatusOK, &got)
			if got.Hidden == nil {
				t.Fatalf("%s does not see the hidden mark", c.User.Name)
			}
			_, page := c.Get("/ideas/" + spam.ID)
			if !strings.Contains(page, `status-hidden">Hidden</span> by <a class="author" href="/users/`+mo.User.ID+`">Mo</a>`) || !strings.Contains(page, "Spam") {
				t.Fatalf("%s's page of the hidden idea lacks the mark and reason", c.User.Name)
			}
		}
		for _, q := range []string{"/api/v1/ideas", "/api/v1/ideas?sort=new&tag=ui", "/api/v1/ideas?tag=watches"} {
			var l ideaPage
			mo.JSON("GET", q, nil, http.StatusOK, &l)
			for _, it := range l.Items {
				if it.ID == spam.ID {
					t.Fatalf("%s lists the hidden idea", q)
				}
			}
		}
		var similar struct{ Items []struct{ ID string } }
		anon.JSON("GET", "/api/v1/ideas/similar?q=cheap+watches", nil, http.StatusOK, &similar)
		if len(similar.Items) != 0 {
			t.Fatalf("similar lists the hidden idea: %+v", similar)
		}
		_, board := anon.Get("/ideas")
		if strings.Contains(board, "watches") {
			t.Fatal("the board page shows the hidden idea or its tag")
		}
		_, body := pat.Get("/api/v1/ideas.csv")
		rows, _ := csv.NewReader(strings.NewReader(body)).ReadAll()
		if len(rows) != 2 || rows[1][0] != keep.ID {
			t.Fatalf("export rows = %v; want the visible idea only", rows)
		}
	})

	step(t, "HiddenCommentGoneForMembersAndUncounted", func(t *testing.T) {
		// Hide a comment: members lose it and the count drops; staff see it marked.
		var hc commentResp
		mo.JSON("PUT", "/api/v1/comments/"+junk.ID+"/hidden", map[string]any{"hidden": true, "reason": "Advertising"}, http.StatusOK, &hc)
		if hc.Hidden == nil || hc.Hidden.Reason != "Advertising" {
			t.Fatalf("hidden comment = %+v", hc)
		}
		if got := comments(t, bob, keep.ID); len(got) != 1 || got[0].ID != first.ID {
			t.Fatalf("member sees %+v", got)
		}
		if got := comments(t, mo, keep.ID); len(got) != 2 || got[1].Hidden == nil {
			t.Fatalf("moderator sees %+v", got)
		}
		if got := getIdea(t, ann, keep.ID); got.Comments != 1 {
			t.Fatalf("count after hiding = %d, want 1", got.Comments)
		}
		_, page = ann.Get("/ideas/" + keep.ID)
		if strings.Contains(page, "Buy watches") || !strings.Contains(page, "1 comment<") {
			t.Fatal("member's idea page shows the hidden comment or the wrong count")
		}
	})

	step(t, "EditAndDeleteOwnCommentModeratorsAnyones", func(t *testing.T) {
		// Edit and delete own comment; moderators may edit anyone's.
		var edited commentResp
		ann.JSON("PATCH", "/api/v1/comments/"+first.ID, map[string]string{"body": "I *really* want this"}, http.StatusOK, &edited)
		if edited.EditedAt == "" || !strings.Contains(edited.BodyHTML, "<em>really</em>") {
			t.Fatalf("edited = %+v", edited)
		}
		mo.JSON("PATCH", "/api/v1/comments/"+first.ID, map[string]string{"body": "I really want this"}, http.StatusOK, &edited)
		_, page = bob.Get("/ideas/" + keep.ID)
		if !strings.Contains(page, ">edited</span>") {
			t.Fatal("the edited mark is missing")
		}
		var deleted commentResp
		ann.JSON("DELETE", "/api/v1/comments/"+first.ID, nil, http.StatusOK, &deleted)
		if !deleted.Deleted || deleted.Body != "" {
			t.Fatalf("deleted = %+v", deleted)
		}
		if got := getIdea(t, anon, keep.ID); got.Comments != 0 {
			t.Fatalf("count after delete = %d, want 0", got.Comments)
		}
		_, page = anon.Get("/ideas/" + keep.ID)
		if !strings.Contains(page, "Comment deleted") || strings.Contains(page, "really want") {
			t.Fatal("the deleted comment's placeholder is missing or its text remains")
		}
	})

	step(t, "UnhideBringsEverythingBack", func(t *testing.T) {
		// Unhide both: everything comes back.
		mo.JSON("PUT", "/api/v1/comments/"+junk.ID+"/hidden", map[string]any{"hidden": false}, http.StatusOK, nil)
		mo.JSON("PUT", "/api/v1/ideas/"+spam.ID+"/hidden", map[string]any{"hidden": false}, http.StatusOK, nil)
		if got := getIdea(t, bob, spam.ID); got.Votes != 1 {
			t.Fatalf("unhidden idea = %+v", got)
		}
		if got := getIdea(t, bob, keep.ID); got.Comments != 1 {
			t.Fatalf("count after unhiding = %d, want 1", got.Comments)
		}
	})
}

func TestIdeaModerationAPIErrors(t *testing.T) {
	env := apptest.Start(t)
	env.Client(t, "root", "")
	ann := env.Client(t, "Ann", townhall.RoleMember)
	bob := env.Client(t, "Bob", townhall.RoleMember)
	mo := env.Client(t, "Mo", townhall.RoleModerator)
	pat := env.Client(t, "Pat", townhall.RoleProduct)
	anon := env.Anonymous(t)
	i := propose(t, ann, "A fine idea")
	cm := comment(t, ann, i.ID, "A fine comment")
	gone := comment(t, bob, i.ID, "Soon gone")
	bob.JSON("DELETE", "/api/v1/comments/"+gone.ID, nil, http.StatusOK, nil)
	dup := propose(t, bob, "A fine duplicate")
	pat.JSON("POST", "/api/v1/ideas/"+dup.ID+"/merge", map[string]string{"into": i.ID}, http.StatusOK, nil)
	ghostIdea := "/api/v1/ideas/" + townhall.NewID() + "/hidden"
	ghost := "/api/v1/comments/" + townhall.NewID()
	hide := map[string]any{"hidden": true, "reason": "Spam"}
	cases := []apiErrorCase{
		{"hide idea signed out", anon, "PUT", "/api/v1/ideas/" + i.ID + "/hidden", hide, 401, townhall.EUNAUTHORIZED},
		{"hide idea as member", bob, "PUT", "/api/v1/ideas/" + i.ID + "/hidden", hide, 403, townhall.EFORBIDDEN},
		{"hide idea as author", ann, "PUT", "/api/v1/ideas/" + i.ID + "/hidden", hide, 403, townhall.EFORBIDDEN},
		{"hide idea as product", pat, "PUT", "/api/v1/ideas/" + i.ID + "/hidden", hide, 403, townhall.EFORBIDDEN},
		{"hide idea without reason", mo, "PUT", "/api/v1/ideas/" + i.ID + "/hidden", map[string]any{"hidden": true}, 400, townhall.EINVALID},
		{"hide idea without hidden", mo, "PUT", "/api/v1/ideas/" + i.ID + "/hidden", map[string]any{"reason": "x"}, 400, townhall.EINVALID},
		{"hide idea hidden not bool", mo, "PUT", "/api/v1/ideas/" + i.ID + "/hidden", `{"hidden":"yes","reason":"x"}`, 400, townhall.EINVALID},
		{"hide idea bad json", mo, "PUT", "/api/v1/ideas/" + i.ID + "/hidden", `{"hidden":`, 400, townhall.EINVALID},
		{"hide unknown idea", mo, "PUT", ghostIdea, hide, 404, townhall.ENOTFOUND},
		{"hide garbage idea", mo, "PUT", "/api/v1/ideas/zzz/hidden", hide, 404, townhall.ENOTFOUND},
		{"hide merged idea", mo, "PUT", "/api/v1/ideas/" + dup.ID + "/hidden", hide, 409, townhall.ECONFLICT},
		{"edit comment signed out", anon, "PATCH", "/api/v1/comments/" + cm.ID, map[string]string{"body": "x"}, 401, townhall.EUNAUTHORIZED},
		{"edit comment of another", bob, "PATCH", "/api/v1/comments/" + cm.ID, map[string]string{"body": "x"}, 403, townhall.EFORBIDDEN},
		{"edit comment as product", pat, "PATCH", "/api/v1/comments/" + cm.ID, map[string]string{"body": "x"}, 403, townhall.EFORBIDDEN},
		{"edit comment empty", ann, "PATCH", "/api/v1/comments/" + cm.ID, map[string]string{"body": " "}, 400, townhall.EINVALID},
		{"edit comment no body", ann, "PATCH", "/api/v1/comments/" + cm.ID, map[string]string{}, 400, townhall.EINVALID},
		{"edit comment unknown", ann, "PATCH", ghost, map[string]string{"body": "x"}, 404, townhall.ENOTFOUND},
		{"edit comment garbage", ann, "PATCH", "/api/v1/comments/zzz", map[string]string{"body": "x"}, 404, townhall.ENOTFOUND},
		{"edit deleted comment", bob, "PATCH", "/api/v1/comments/" + gone.ID, map[string]string{"body": "x"}, 409, townhall.ECONFLICT},
		{"delete comment signed out", anon, "DELETE", "/api/v1/comments/" + cm.ID, nil, 401, townhall.EUNAUTHORIZED},
		{"delete comment of another", bob, "DELETE", "/api/v1/comments/" + cm.ID, nil, 403, townhall.EFORBIDDEN},
		{"delete comment unknown", ann, "DELETE", ghost, nil, 404, townhall.ENOTFOUND},
		{"hide comment signed out", anon, "PUT", "/api/v1/comments/" + cm.ID + "/hidden", hide, 401, townhall.EUNAUTHORIZED},
		{"hide comment as author", ann, "PUT", "/api/v1/comments/" + cm.ID + "/hidden", hide, 403, townhall.EFORBIDDEN},
		{"hide comment as product", pat, "PUT", "/api/v1/comments/" + cm.ID + "/hidden", hide, 403, townhall.EFORBIDDEN},
		{"hide comment without reason", mo, "PUT", "/api/v1/comments/" + cm.ID + "/hidden", map[string]any{"hidden": true, "reason": ""}, 400, townhall.EINVALID},
		{"hide comment unknown", mo, "PUT", ghost + "/hidden", hide, 404, townhall.ENOTFOUND},
		{"hide deleted comment", mo, "PUT", "/api/v1/comments/" + gone.ID + "/hidden", hide, 409, townhall.ECONFLICT},
	}
	wantAPIErrors(t, cases)
	// Nothing was partially written.
	var got hiddenIdeaResp
	mo.JSON("GET", "/api/v1/ideas/"+i.ID, nil, http.StatusOK, &got)
	if got.Hidden != nil || got.Comments != 1 {
		t.Fatalf("after refused writes: hidden=%v comments=%d", got.Hidden, got.Comments)
	}
	all := comments(t, mo, i.ID)
	if len(all) != 2 || all[0].Body != "A fine comment" || all[0].EditedAt != "" || all[0].Hidden != nil || !all[1].Deleted || all[1].Body != "" {
		t.Fatalf("comments after refused writes = %+v", all)
	}
}

func TestIdeaModerationForms(t *testing.T) {
	env := apptest.Start(t)
	env.Client(t, "root", "")
	ann := env.Client(t, "Ann", townhall.RoleMember)
	bob := env.Client(t, "Bob", townhall.RoleMember)
	mo := env.Client(t, "Mo", townhall.RoleModerator)
	i := propose(t, ann, "Forms for everything")
	cm := comment(t, bob, i.ID, "Bob's first take")
	// Each step builds on what the ones before it hid or changed.
	var res *http.Response
	var page string

	step(t, "CommentControlsByRole", func(t *testing.T) {
		_, page = bob.Get("/ideas/" + i.ID)
		if !strings.Contains(page, `href="/ideas/`+i.ID+`/comments/`+cm.ID+`/edit"`) || !strings.Contains(page, `data-confirm="Delete this comment?`) ||
			strings.Contains(page, "Hide comment") || strings.Contains(page, "Moderation") {
			t.Fatal("the author's view lacks edit/delete or shows moderation controls")
		}
		_, page = ann.Get("/ideas/" + i.ID)
		if strings.Contains(page, "/comments/"+cm.ID+"/edit") {
			t.Fatal("another member is offered to edit Bob's comment")
		}
		_, page = mo.Get("/ideas/" + i.ID)
		if !strings.Contains(page, "Hide comment") || !strings.Contains(page, "Hide idea") || !strings.Contains(page, "/comments/"+cm.ID+"/edit") {
			t.Fatal("the moderator's view lacks the moderation controls")
		}
	})

	step(t, "EditCommentFormKeepsTheTextAndMarksEdited", func(t *testing.T) {
		// Edit page and form: errors keep the text; success marks it edited.
		res, page = bob.Get("/ideas/" + i.ID + "/comments/" + cm.ID + "/edit")
		if res.StatusCode != 200 || !strings.Contains(page, "Bob&#39;s first take") {
			t.Fatalf("edit page: %d", res.StatusCode)
		}
		if res, _ := ann.Get("/ideas/" + i.ID + "/comments/" + cm.ID + "/edit"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("edit page for another member: %d", res.StatusCode)
		}
		editPath := "/ideas/" + i.ID + "/comments/" + cm.ID + "/edit"
		res, page = bob.Form("POST", editPath, url.Values{"body": {strings.Repeat("x", 20001)}})
		if res.StatusCode != 400 || !strings.Contains(page, "at most 20000") || !strings.Contains(page, strings.Repeat("x", 100)) {
			t.Fatalf("bad edit: %d", res.StatusCode)
		}
		res, _ = bob.Form("POST", editPath, url.Values{"body": {"Bob's second take"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/ideas/"+i.ID+"#comment-"+cm.ID {
			t.Fatalf("edit form: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if res, _ := ann.Form("POST", editPath, url.Values{"body": {"hijack"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("edit form by another member: %d", res.StatusCode)
		}
	})

	step(t, "HideCommentFormNeedsAReason", func(t *testing.T) {
		// Hide the comment: a reason is required; members no longer see it.
		hidePath := "/ideas/" + i.ID + "/comments/" + cm.ID + "/hidden"
		if res, _ := bob.Form("POST", hidePath, url.Values{"hidden": {"1"}, "comment_reason": {"mine"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("member hide form: %d", res.StatusCode)
		}
		res, page = mo.Form("POST", hidePath, url.Values{"hidden": {"1"}, "comment_reason": {strings.Repeat("r", 501)}})
		if res.StatusCode != 400 || !strings.Contains(page, "Reason must be at most 500") || strings.Contains(page, `value="rrrr`) {
			t.Fatalf("hide without a reason: %d", res.StatusCode)
		}
		if res, _ := mo.Form("POST", hidePath, url.Values{"hidden": {"1"}, "comment_reason": {"Off topic"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("hide form: %d", res.StatusCode)
		}
		_, page = ann.Get("/ideas/" + i.ID)
		if strings.Contains(page, "second take") || !strings.Contains(page, "0 comments") {
			t.Fatal("a member still sees the hidden comment")
		}
		_, page = mo.Get("/ideas/" + i.ID)
		if !strings.Contains(page, "second take") || !strings.Contains(page, "Off topic") || !strings.Contains(page, "Unhide") {
			t.Fatal("the moderator does not see the hidden comment with its reason")
		}
		if res, _ := mo.Form("POST", hidePath, url.Values{"hidden": {"0"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("unhide form: %d", res.StatusCode)
		}
	})

	step(t, "DeleteCommentForm", func(t *testing.T) {
		// Delete with the form.
		delPath := "/ideas/" + i.ID + "/comments/" + cm.ID + "/delete"
		if res, _ := ann.Form("POST", delPath, nil); res.StatusCode != http.StatusForbidden {
			t.Fatalf("delete form by another member: %d", res.StatusCode)
		}
		if res, _ := bob.Form("POST", delPath, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete form: %d", res.StatusCode)
		}
		_, page = ann.Get("/ideas/" + i.ID)
		if !strings.Contains(page, "Comment deleted") || strings.Contains(page, "second take") {
			t.Fatal("no placeholder for the deleted comment")
		}
	})

	step(t, "HideIdeaForm", func(t *testing.T) {
		// Hide and unhide the idea with the form.
		res, page = mo.Form("POST", "/ideas/"+i.ID+"/hidden", url.Values{"hidden": {"1"}, "reason": {"   "}})
		if res.StatusCode != 400 || !strings.Contains(page, "Reason is required") {
			t.Fatalf("hide idea without a reason: %d", res.StatusCode)
		}
		if res, _ := ann.Form("POST", "/ideas/"+i.ID+"/hidden", url.Values{"hidden": {"1"}, "reason": {"x"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("member hide idea form: %d", res.StatusCode)
		}
		if res, _ := mo.Form("POST", "/ideas/"+i.ID+"/hidden", url.Values{"hidden": {"1"}, "reason": {"Duplicate spam"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("hide idea form: %d", res.StatusCode)
		}
		if res, _ := ann.Get("/ideas/" + i.ID); res.StatusCode != http.StatusNotFound {
			t.Fatalf("the author still sees the hidden idea: %d", res.StatusCode)
		}
		if res, _ := ann.Form("POST", "/ideas/"+i.ID+"/comments", url.Values{"body": {"hello?"}}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("commenting on a hidden idea by form: %d", res.StatusCode)
		}
		_, page = mo.Get("/ideas/" + i.ID)
		if !strings.Contains(page, "Duplicate spam") || !strings.Contains(page, "Unhide idea") {
			t.Fatal("the moderator's page lacks the hidden mark or the unhide button")
		}
	})

	step(t, "HiddenIdeasListForModeratorsOnly", func(t *testing.T) {
		// Moderators find hidden ideas again on their own list.
		res, page = mo.Get("/ideas/hidden")
		if res.StatusCode != 200 || !strings.Contains(page, "Forms for everything") || !strings.Contains(page, `href="/ideas/hidden" aria-current="page"`) {
			t.Fatalf("hidden list for a moderator: %d", res.StatusCode)
		}
		if res, _ := ann.Get("/ideas/hidden"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("hidden list for a member: %d", res.StatusCode)
		}
		if res, _ := env.Anonymous(t).Get("/ideas/hidden"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("hidden list signed out: %d, want a sign-in redirect", res.StatusCode)
		}
		if _, page := ann.Get("/ideas"); strings.Contains(page, `href="/ideas/hidden"`) {
			t.Fatal("members are offered the hidden list")
		}
		if res, _ := mo.Form("POST", "/ideas/"+i.ID+"/hidden", url.Values{"hidden": {"0"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("unhide idea form: %d", res.StatusCode)
		}
		if res, _ := ann.Get("/ideas/" + i.ID); res.StatusCode != 200 {
			t.Fatalf("unhidden idea page: %d", res.StatusCode)
		}
	})
}

// TestBrowserModeratorHidesComment has a moderator hide a comment through
// the idea page's own form (hiding asks for a reason rather than a
// confirmation), after which a member opening the idea no longer sees it.
func TestBrowserModeratorHidesComment(t *testing.T) {
	env := apptest.Start(t)
	env.Client(t, "root", "")
	ann := env.Client(t, "Ann", townhall.RoleMember)
	env.Client(t, "Mo", townhall.RoleModerator)
	i := propose(t, ann, "Offline mode")
	cm := comment(t, ann, i.ID, "Visit cheap-watches dot example")
	comment(t, ann, i.ID, "Trains have no signal")

	ctx := apptest.Browser(t)
	env.BrowserSignIn(t, ctx, "Mo")
	li := "#comment-" + cm.ID
	err := chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/ideas/"+i.ID),
		chromedp.WaitVisible(chromedp.CSS(li)),
		chromedp.Click(chromedp.CSS(li+" details.hide-comment summary")),
		chromedp.WaitVisible(chromedp.ID("hide-"+cm.ID)),
		chromedp.SendKeys(chromedp.ID("hide-"+cm.ID), "Advertising"),
		chromedp.Click(chromedp.CSS(li+" details.hide-comment button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(li+" .hidden-note")),
	)
	if err != nil {
		t.Fatal(err)
	}
	note, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(li+" .hidden-note")))
	if err != nil || !strings.Contains(note, "Hidden") || !strings.Contains(note, "Advertising") {
		t.Fatalf("moderator's note = %q, %v", note, err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("comments-head")))
	if err != nil || heading != "1 comment" {
		t.Fatalf("comments heading = %q, %v; want the visible count", heading, err)
	}

	env.BrowserSignOut(t, ctx)
	env.BrowserSignIn(t, ctx, "Ann")
	err = chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/ideas/"+i.ID),
		chromedp.WaitVisible(chromedp.ID("comments-head")),
	)
	if err != nil {
		t.Fatal(err)
	}
	present, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById(`+"`comment-"+cm.ID+"`"+`) !== null || document.body.textContent.includes("cheap-watches")`))
	if err != nil || present {
		t.Fatalf("the member still sees the hidden comment (%v)", err)
	}
	others, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".comment-list .comment").length`))
	if err != nil || others != 1 {
		t.Fatalf("member sees %d comments, %v; want the other one", others, err)
	}
}
