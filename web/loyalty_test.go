package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/audit"
	"github.com/townhall/townhall/settings"
)

type apiLike struct {
	ID    string
	Kind  string
	Likes int
	Liked bool
	URL   string
}

type apiBadge struct {
	Slug, Name, Description, Tier string
	Holders                       *int
}

type apiProfile struct {
	ID, Handle, Name, Bio, Segment string
	BioHTML                        string `json:"bio_html"`
	Reputation                     int
	Staff, Verified, Champion      bool
	Badges                         []apiBadge
	Highlighted                    *apiBadge `json:"highlighted_badge"`
}

type apiItems struct {
	Items []struct {
		Kind, ID, Title, Excerpt, URL, Reason, Explanation string
		Count, Points                                      int
	}
	Next string
}

func profile(t *testing.T, c *apptest.Client, handle string) apiProfile {
	t.Helper()
	var p apiProfile
	c.JSON("GET", "/api/v1/users/"+handle, nil, http.StatusOK, &p)
	return p
}

func hasBadge(p apiProfile, slug string) bool {
	for _, b := range p.Badges {
		if b.Slug == slug && b.Name != "" {
			return true
		}
	}
	return false
}

func TestLikesAPI(t *testing.T) {
	f := startForum(t)
	th := f.thread(t, f.ann, "questions", "How do I export invoices?", "I need CSV.")
	answer := f.reply(t, f.bob, th.ID, "Use the reports page.")
	var idea struct{ ID string }
	f.ann.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Dark mode for reports"}, http.StatusCreated, &idea)
	var comment struct{ ID string }
	f.bob.JSON("POST", "/api/v1/ideas/"+idea.ID+"/comments", map[string]string{"body": "Yes please"}, http.StatusCreated, &comment)

	step(t, "LikeAndUnlikeAPost", func(t *testing.T) {
		var got apiLike
		f.ann.JSON("POST", "/api/v1/posts/"+answer.ID+"/like", nil, http.StatusOK, &got)
		if got.Likes != 1 || !got.Liked || got.ID != answer.ID || !strings.Contains(got.URL, "#post-"+answer.ID) {
			t.Fatalf("like = %+v", got)
		}
		f.ann.JSON("POST", "/api/v1/posts/"+answer.ID+"/like", nil, http.StatusOK, &got)
		f.mod.JSON("POST", "/api/v1/posts/"+answer.ID+"/like", nil, http.StatusOK, &got)
		if got.Likes != 2 {
			t.Fatalf("after a repeat and a second person: %d likes, want 2", got.Likes)
		}
		// The post JSON carries likes and liked, for whoever reads it.
		var p struct {
			Likes int
			Liked bool
		}
		f.ann.JSON("GET", "/api/v1/posts/"+answer.ID, nil, http.StatusOK, &p)
		if p.Likes != 2 || !p.Liked {
			t.Fatalf("ann reads %+v", p)
		}
		f.anon.JSON("GET", "/api/v1/posts/"+answer.ID, nil, http.StatusOK, &p)
		if p.Likes != 2 || p.Liked {
			t.Fatalf("a visitor reads %+v", p)
		}
		page := f.get(t, f.bob, th.ID)
		var thread struct {
			Question struct{ Likes int }
			Posts    []struct {
				ID    string
				Likes int
				Liked bool
			}
		}
		f.ann.JSON("GET", "/api/v1/threads/"+th.ID, nil, http.StatusOK, &thread)
		if len(page.Posts) != 1 || len(thread.Posts) != 1 || thread.Posts[0].Likes != 2 || !thread.Posts[0].Liked || thread.Question.Likes != 0 {
			t.Fatalf("thread JSON = %+v", thread)
		}
		f.ann.JSON("DELETE", "/api/v1/posts/"+answer.ID+"/like", nil, http.StatusOK, &got)
		if got.Likes != 1 || got.Liked {
			t.Fatalf("unlike = %+v", got)
		}
		f.ann.JSON("DELETE", "/api/v1/posts/"+answer.ID+"/like", nil, http.StatusOK, &got)
		if got.Likes != 1 {
			t.Fatalf("a repeated unlike = %+v", got)
		}
		// Bob heard of both likes, as "like" notifications, and earned a point for each that stayed.
		var notes struct {
			Items []struct{ Kind, Text, URL string }
		}
		f.bob.JSON("GET", "/api/v1/notifications", nil, http.StatusOK, &notes)
		likes := 0
		for _, n := range notes.Items {
			if n.Kind == "like" {
				likes++
				if !strings.Contains(n.Text, "liked your reply in “How do I export invoices?”") || !strings.Contains(n.URL, "#post-"+answer.ID) {
					t.Errorf("like notification %+v", n)
				}
			}
		}
		if likes != 2 { // Ann's repeated like was no new like
			t.Fatalf("%d like notifications, want 2 (Ann's and Mo's)", likes)
		}
		if p := profile(t, f.anon, "bob"); p.Reputation != 1 {
			t.Fatalf("bob's reputation = %d, want 1 (Mo's like)", p.Reputation)
		}
	})

	step(t, "LikeAComment", func(t *testing.T) {
		var got apiLike
		f.ann.JSON("POST", "/api/v1/comments/"+comment.ID+"/like", nil, http.StatusOK, &got)
		if got.Likes != 1 || !got.Liked || got.URL != "/ideas/"+idea.ID+"#comment-"+comment.ID {
			t.Fatalf("comment like = %+v", got)
		}
		var list struct {
			Items []struct {
				ID    string
				Likes int
				Liked bool
			}
		}
		f.ann.JSON("GET", "/api/v1/ideas/"+idea.ID+"/comments", nil, http.StatusOK, &list)
		if len(list.Items) != 1 || list.Items[0].Likes != 1 || !list.Items[0].Liked {
			t.Fatalf("comments JSON = %+v", list.Items)
		}
	})

	step(t, "Refusals", func(t *testing.T) {
		hidden := f.reply(t, f.bob, th.ID, "Buy my crypto")
		f.mod.JSON("POST", "/api/v1/posts/"+hidden.ID+"/hide", nil, http.StatusOK, nil)
		msg := f.bob.WantError("POST", "/api/v1/posts/"+answer.ID+"/like", nil, http.StatusForbidden, townhall.EFORBIDDEN)
		if !strings.Contains(msg, "your own") {
			t.Errorf("own-post refusal says %q", msg)
		}
		wantAPIErrors(t, []apiErrorCase{
			{"OwnComment", f.bob, "POST", "/api/v1/comments/" + comment.ID + "/like", nil, http.StatusForbidden, townhall.EFORBIDDEN},
			{"HiddenPost", f.ann, "POST", "/api/v1/posts/" + hidden.ID + "/like", nil, http.StatusNotFound, townhall.ENOTFOUND},
			{"HiddenPostEvenForStaff", f.mod, "POST", "/api/v1/posts/" + hidden.ID + "/like", nil, http.StatusNotFound, townhall.ENOTFOUND},
			{"MissingPost", f.ann, "POST", "/api/v1/posts/" + townhall.NewID() + "/like", nil, http.StatusNotFound, townhall.ENOTFOUND},
			{"GarbageID", f.ann, "POST", "/api/v1/posts/not-an-id/like", nil, http.StatusNotFound, townhall.ENOTFOUND},
			{"MissingComment", f.ann, "DELETE", "/api/v1/comments/" + townhall.NewID() + "/like", nil, http.StatusNotFound, townhall.ENOTFOUND},
			{"SignedOut", f.anon, "POST", "/api/v1/posts/" + answer.ID + "/like", nil, http.StatusUnauthorized, townhall.EUNAUTHORIZED},
		})
		if got := f.get(t, f.mod, th.ID); got.Posts[1].ID != hidden.ID {
			t.Fatalf("the hidden reply is not where staff see it: %+v", got.Posts)
		}
	})
}

func TestLikeFormWithoutJavaScript(t *testing.T) {
	f := startForum(t)
	th := f.thread(t, f.ann, "questions", "Where are the invoices?", "Looking for them.")
	answer := f.reply(t, f.bob, th.ID, "Under Billing.")
	res, _ := f.ann.Form("POST", "/p/"+answer.ID+"/like", url.Values{"on": {"true"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "#post-"+answer.ID) {
		t.Fatalf("like form: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, page := f.ann.Get("/t/" + th.ID)
	if !strings.Contains(page, `action="/p/`+answer.ID+`/like" data-kind="post" data-id="`+answer.ID+`" data-liked="true"`) ||
		!strings.Contains(page, `name="on" value="false"`) {
		t.Fatal("the thread page does not show Ann's like as pressed, with an unlike form")
	}
	// Bob sees the count of his own reply without a button; a visitor gets a sign-in link.
	_, page = f.bob.Get("/t/" + th.ID)
	if strings.Contains(page, `action="/p/`+answer.ID+`/like"`) || !strings.Contains(page, `title="Likes of what you wrote"`) {
		t.Fatal("Bob is offered a like button for his own reply")
	}
	_, page = f.anon.Get("/t/" + th.ID)
	if !strings.Contains(page, `title="Sign in to like"`) || strings.Contains(page, `class="like-form"`) {
		t.Fatal("a visitor is offered a like form instead of a sign-in link")
	}
	res, _ = f.ann.Form("POST", "/p/"+answer.ID+"/like", url.Values{"on": {"false"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("unlike form: %d", res.StatusCode)
	}
	var p struct{ Likes int }
	f.anon.JSON("GET", "/api/v1/posts/"+answer.ID, nil, http.StatusOK, &p)
	if p.Likes != 0 {
		t.Fatalf("likes after the unlike form = %d", p.Likes)
	}
}

func TestProfiles(t *testing.T) {
	f := startForum(t)
	ctx := context.Background()
	th := f.thread(t, f.ann, "questions", "How do I export invoices?", "I need **CSV**.")
	answer := f.reply(t, f.bob, th.ID, "Use the reports page.")
	f.ann.JSON("POST", "/api/v1/posts/"+answer.ID+"/accept", nil, http.StatusOK, nil)
	rude := f.reply(t, f.bob, th.ID, "RTFM")
	f.mod.JSON("POST", "/api/v1/posts/"+rude.ID+"/hide", nil, http.StatusOK, nil)
	spam := f.thread(t, f.bob, "tips", "Cheap watches", "Buy now")
	f.mod.JSON("POST", "/api/v1/threads/"+spam.ID+"/hide", nil, http.StatusOK, nil)
	var idea, hiddenIdea struct{ ID string }
	f.bob.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Offline mode"}, http.StatusCreated, &idea)
	f.bob.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Spam idea"}, http.StatusCreated, &hiddenIdea)
	f.mod.JSON("PUT", "/api/v1/ideas/"+hiddenIdea.ID+"/hidden", map[string]any{"hidden": true, "reason": "spam"}, http.StatusOK, nil)
	team := f.env.Client(t, "Pat", townhall.RoleProduct)
	team.JSON("PUT", "/api/v1/ideas/"+idea.ID+"/status", map[string]string{"status": "done"}, http.StatusOK, nil)
	var product struct{ ID, Slug string }
	team.JSON("POST", "/api/v1/products", map[string]any{"name": "Acme Sync"}, http.StatusCreated, &product)
	var review struct{ ID string }
	f.bob.JSON("POST", "/api/v1/products/"+product.ID+"/reviews", map[string]any{"rating": 4, "title": "Solid"}, http.StatusCreated, &review)
	f.ann.JSON("POST", "/api/v1/reviews/"+review.ID+"/helpful", nil, http.StatusOK, nil)

	step(t, "APIShowsReputationAndBadges", func(t *testing.T) {
		p := profile(t, f.anon, "bob")
		want := 15 + 10 + 25 + 2 // accepted, planned and shipped, one helpful vote
		if p.Reputation != want || p.Name != "Bob" || p.ID != f.bob.User.ID || p.Staff {
			t.Fatalf("bob's profile = %+v; want reputation %d", p, want)
		}
		for _, slug := range []string{"first-post", "helpful", "co-creator"} {
			if !hasBadge(p, slug) {
				t.Errorf("bob lacks the %s badge: %+v", slug, p.Badges)
			}
		}
		if p.Highlighted == nil || p.Highlighted.Slug != "co-creator" {
			t.Errorf("highlighted badge = %+v, want co-creator (his highest)", p.Highlighted)
		}
		if profile(t, f.anon, "mo").Staff != true {
			t.Error("a moderator's profile lacks the staff mark")
		}
		f.anon.WantError("GET", "/api/v1/users/nobody-here", nil, http.StatusNotFound, townhall.ENOTFOUND)
		if res, _ := f.anon.Get("/u/nobody-here"); res.StatusCode != http.StatusNotFound {
			t.Errorf("unknown profile page: %d", res.StatusCode)
		}
		if res, _ := f.anon.Get("/u/BOB"); res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/u/bob" {
			t.Errorf("/u/BOB: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if res, _ := f.anon.Get("/users/" + f.bob.User.ID); res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/u/bob" {
			t.Errorf("/users/ID: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
	})

	step(t, "TabsListOnlyVisibleContent", func(t *testing.T) {
		titles := func(tab string) []string {
			var got apiItems
			f.anon.JSON("GET", "/api/v1/users/bob/"+tab, nil, http.StatusOK, &got)
			var out []string
			for _, it := range got.Items {
				out = append(out, it.Title)
			}
			return out
		}
		for tab, want := range map[string]string{
			"threads": "[]", "replies": "[How do I export invoices?]", "answers": "[How do I export invoices?]",
			"ideas": "[Offline mode]", "reviews": "[Acme Sync]",
		} {
			if got := fmt.Sprint(titles(tab)); got != want {
				t.Errorf("%s = %s, want %s (nothing hidden)", tab, got, want)
			}
		}
		var rep apiItems
		f.anon.JSON("GET", "/api/v1/users/bob/reputation", nil, http.StatusOK, &rep)
		if len(rep.Items) != 4 || rep.Items[0].Points != 2 || rep.Items[3].Explanation != "+15 answer accepted in “How do I export invoices?”" {
			t.Fatalf("bob's reputation tab = %+v", rep.Items)
		}
		f.anon.WantError("GET", "/api/v1/users/bob/friends", nil, http.StatusNotFound, townhall.ENOTFOUND)
		f.anon.WantError("GET", "/api/v1/users/bob/replies?after=nonsense", nil, http.StatusBadRequest, townhall.EINVALID)
		// The page shows the same, with the hidden reply's text nowhere.
		_, page := f.anon.Get("/u/bob?tab=replies")
		if !strings.Contains(page, "Use the reports page.") || strings.Contains(page, "RTFM") || strings.Contains(page, "Cheap watches") {
			t.Fatal("the replies tab does not show exactly the visible reply")
		}
		_, page = f.anon.Get("/u/bob?tab=reputation")
		if !strings.Contains(page, "answer accepted in") || !strings.Contains(page, `data-testid="reputation">52<`) {
			t.Fatal("the reputation tab does not explain bob's points")
		}
	})

	step(t, "TabsPageByCursor", func(t *testing.T) {
		for k := range 22 {
			f.thread(t, f.ann, "tips", fmt.Sprintf("Tip number %02d", k), "A tip.")
		}
		var first, second apiItems
		f.anon.JSON("GET", "/api/v1/users/ann/threads", nil, http.StatusOK, &first)
		f.anon.JSON("GET", "/api/v1/users/ann/threads?after="+first.Next, nil, http.StatusOK, &second)
		if len(first.Items) != 20 || first.Next == "" || len(second.Items) != 3 || second.Next != "" ||
			first.Items[0].Title != "Tip number 21" || second.Items[2].Title != "How do I export invoices?" {
			t.Fatalf("pages of ann's threads: %d then %d (next %q)", len(first.Items), len(second.Items), first.Next)
		}
		_, page := f.anon.Get("/u/ann?tab=threads&after=" + first.Next)
		if !strings.Contains(page, "How do I export invoices?") || strings.Contains(page, "Tip number 21") {
			t.Fatal("the second page of the threads tab is wrong")
		}
	})

	step(t, "SegmentOnlyWhenPublic", func(t *testing.T) {
		var seg struct{ ID string }
		f.admin.JSON("POST", "/api/v1/segments", map[string]any{"name": "Enterprise", "weight": 10}, http.StatusCreated, &seg)
		f.admin.JSON("PUT", "/api/v1/users/"+f.bob.User.ID+"/segment", map[string]string{"segment_id": seg.ID}, http.StatusOK, nil)
		if p := profile(t, f.anon, "bob"); p.Segment != "" {
			t.Fatalf("segment shown while segments are private: %q", p.Segment)
		}
		if _, page := f.anon.Get("/u/bob"); strings.Contains(page, "Enterprise") {
			t.Fatal("the profile page names the private segment")
		}
		admin, err := f.env.App.Auth.User(ctx, f.admin.User.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.env.App.Settings.Update(ctx, admin, func(s *settings.Site) error { s.SegmentsPublic = true; return nil }); err != nil {
			t.Fatal(err)
		}
		if p := profile(t, f.anon, "bob"); p.Segment != "Enterprise" {
			t.Fatalf("segment = %q with segments public", p.Segment)
		}
	})
}

func TestProfileSettings(t *testing.T) {
	env := apptest.Start(t)
	env.Client(t, "Ada", "")
	ann := env.Client(t, "Ann", townhall.RoleMember)

	step(t, "APIChangesNameAndBio", func(t *testing.T) {
		var p apiProfile
		ann.JSON("PATCH", "/api/v1/me", map[string]any{"name": "Annie Anders", "bio": "I *love* exports <script>alert(1)</script>"}, http.StatusOK, &p)
		if p.Name != "Annie Anders" || !strings.Contains(p.BioHTML, "<em>love</em>") || strings.Contains(p.BioHTML, "<script") {
			t.Fatalf("after PATCH: %+v", p)
		}
		if got := profile(t, env.Anonymous(t), "ann"); got.Bio != "I *love* exports <script>alert(1)</script>" || got.Name != "Annie Anders" {
			t.Fatalf("public profile = %+v", got)
		}
		// Signing in again keeps the chosen name.
		again := env.Client(t, "Ann", townhall.RoleMember)
		if again.User.Name != "Annie Anders" {
			t.Fatalf("after signing in again the name is %q", again.User.Name)
		}
	})

	step(t, "BadInputNamesTheField", func(t *testing.T) {
		for _, c := range []struct{ body, field string }{
			{`{"name": "` + strings.Repeat("x", 61) + `"}`, "Name"},
			{`{"bio": "` + strings.Repeat("y", 501) + `"}`, "Bio"},
			{`{"name": ""}`, "Name"},
			{"{\"bio\": \"bad \xff\xfe bytes\"}", "bio"},
			{`{"name": "lone \ud800 surrogate"}`, "name"},
			{`{"name": 42}`, "name"},
			{`{"badge": "guru"}`, "Badge"},
			{`{"colour": "red"}`, "colour"},
		} {
			res, body := ann.Do("PATCH", "/api/v1/me", c.body)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), c.field) {
				t.Errorf("PATCH %q: %d %s; want 400 naming %s", c.body, res.StatusCode, body, c.field)
			}
		}
		if p := profile(t, ann, "ann"); p.Name != "Annie Anders" || !strings.HasPrefix(p.Bio, "I *love*") {
			t.Fatalf("refused input changed the profile: %+v", p)
		}
	})

	step(t, "FormKeepsWhatWasTyped", func(t *testing.T) {
		res, page := ann.Form("POST", "/settings/profile", url.Values{"name": {"Ann"}, "bio": {strings.Repeat("z", 501)}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Bio must be at most 500 characters") || !strings.Contains(page, strings.Repeat("z", 501)) {
			t.Fatalf("too long a bio: %d; want 400 with the message and the text kept", res.StatusCode)
		}
		res, page = ann.Form("POST", "/settings/profile", url.Values{"name": {"Ann \xff"}, "bio": {""}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "form field &#34;name&#34; is not valid UTF-8") {
			t.Fatalf("invalid UTF-8 in the form: %d", res.StatusCode)
		}
		res, _ = ann.Form("POST", "/settings/profile", url.Values{"name": {"Ann A."}, "bio": {"Hello"}, "badge": {""}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/settings/profile?saved=1" {
			t.Fatalf("saving: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if _, page := ann.Get("/settings/profile?saved=1"); !strings.Contains(page, `value="Ann A."`) || !strings.Contains(page, "Your profile is saved") {
			t.Fatal("the settings page does not show the saved name")
		}
		if res, _ := env.Anonymous(t).Get("/settings/profile"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("signed out: %d, want the sign-in redirect", res.StatusCode)
		}
	})
}

func TestLeaderboard(t *testing.T) {
	f := startForum(t)
	th := f.thread(t, f.ann, "questions", "How do I export?", "Please help.")
	a := f.reply(t, f.bob, th.ID, "Reports page.")
	f.ann.JSON("POST", "/api/v1/posts/"+a.ID+"/accept", nil, http.StatusOK, nil)
	tip := f.thread(t, f.mod, "tips", "Keyboard shortcuts", "Press ?")
	f.ann.JSON("POST", "/api/v1/posts/"+f.get(t, f.ann, tip.ID).Question.ID+"/like", nil, http.StatusOK, nil)

	board := func(c *apptest.Client, query string) []string {
		t.Helper()
		var got struct {
			Period string
			Items  []struct {
				Rank       int
				Handle     string
				Reputation int
			}
		}
		c.JSON("GET", "/api/v1/leaderboard"+query, nil, http.StatusOK, &got)
		var out []string
		for _, it := range got.Items {
			out = append(out, fmt.Sprintf("%d:%s:%d", it.Rank, it.Handle, it.Reputation))
		}
		return out
	}
	for _, q := range []string{"", "?period=week", "?period=month", "?period=all"} {
		if got := fmt.Sprint(board(f.anon, q)); got != "[1:bob:15 2:mo:1]" {
			t.Errorf("leaderboard %q = %s", q, got)
		}
	}
	if got := fmt.Sprint(board(f.anon, "?category=questions")); got != "[1:bob:15]" {
		t.Errorf("questions leaderboard = %s", got)
	}
	if got := fmt.Sprint(board(f.anon, "?period=all&category=tips")); got != "[1:mo:1]" {
		t.Errorf("tips leaderboard = %s", got)
	}
	var seg struct{ ID string }
	f.admin.JSON("POST", "/api/v1/segments", map[string]any{"name": "Pro", "weight": 3}, http.StatusCreated, &seg)
	f.admin.JSON("PUT", "/api/v1/users/"+f.ann.User.ID+"/segment", map[string]string{"segment_id": seg.ID}, http.StatusOK, nil)
	a2 := f.reply(t, f.ann, tip.ID, "Also ctrl-k.")
	f.bob.JSON("POST", "/api/v1/posts/"+a2.ID+"/like", nil, http.StatusOK, nil)
	if got := fmt.Sprint(board(f.mod, "?segment="+seg.ID)); got != "[1:ann:1]" {
		t.Errorf("segment leaderboard for staff = %s", got)
	}
	wantAPIErrors(t, []apiErrorCase{
		{"BadPeriod", f.anon, "GET", "/api/v1/leaderboard?period=year", nil, http.StatusBadRequest, townhall.EINVALID},
		{"UnknownCategory", f.anon, "GET", "/api/v1/leaderboard?category=nope", nil, http.StatusBadRequest, townhall.EINVALID},
		{"SegmentForMembers", f.ann, "GET", "/api/v1/leaderboard?segment=" + seg.ID, nil, http.StatusForbidden, townhall.EFORBIDDEN},
		{"SegmentSignedOut", f.anon, "GET", "/api/v1/leaderboard?segment=" + seg.ID, nil, http.StatusUnauthorized, townhall.EUNAUTHORIZED},
		{"UnknownSegment", f.mod, "GET", "/api/v1/leaderboard?segment=" + townhall.NewID(), nil, http.StatusBadRequest, townhall.EINVALID},
	})
	_, page := f.anon.Get("/leaderboard?period=all")
	if !strings.Contains(page, `href="/u/bob"`) || !strings.Contains(page, "+15") || strings.Contains(page, `id="lb-segment"`) {
		t.Fatal("the leaderboard page lacks bob's row, or offers visitors the segment filter")
	}
	if _, page := f.mod.Get("/leaderboard"); !strings.Contains(page, `id="lb-segment"`) {
		t.Fatal("staff are not offered the segment filter")
	}
}

func TestBadges(t *testing.T) {
	f := startForum(t)
	ctx := context.Background()
	th := f.thread(t, f.ann, "questions", "How do I export?", "Please help.")
	a := f.reply(t, f.bob, th.ID, "Reports page.")
	f.ann.JSON("POST", "/api/v1/posts/"+a.ID+"/accept", nil, http.StatusOK, nil)

	step(t, "AwardedRightAfterTheEventAndNotified", func(t *testing.T) {
		if p := profile(t, f.anon, "bob"); !hasBadge(p, "first-post") || !hasBadge(p, "helpful") || hasBadge(p, "problem-solver") {
			t.Fatalf("bob's badges = %+v", p.Badges)
		}
		var notes struct {
			Items []struct{ Kind, Text, URL string }
		}
		f.bob.JSON("GET", "/api/v1/notifications", nil, http.StatusOK, &notes)
		n := 0
		for _, x := range notes.Items {
			if x.Kind == "badge" {
				n++
				if !strings.HasPrefix(x.Text, "You earned the “") {
					t.Errorf("badge notification %+v", x)
				}
			}
		}
		if n != 2 {
			t.Fatalf("%d badge notifications, want 2", n)
		}
	})

	step(t, "BadgesPageListsHolders", func(t *testing.T) {
		var all struct {
			Items []struct {
				apiBadge
				Recent []struct{ Handle string }
			}
		}
		f.anon.JSON("GET", "/api/v1/badges", nil, http.StatusOK, &all)
		byslug := map[string]int{}
		for _, b := range all.Items {
			byslug[b.Slug] = *b.Holders
			if b.Slug == "helpful" && (len(b.Recent) != 1 || b.Recent[0].Handle != "bob") {
				t.Errorf("helpful's recent holders = %+v", b.Recent)
			}
		}
		if len(all.Items) != 8 || byslug["first-post"] != 2 || byslug["helpful"] != 1 || byslug["guru"] != 0 {
			t.Fatalf("badges = %v", byslug)
		}
		_, page := f.anon.Get("/badges")
		if !strings.Contains(page, "Problem Solver") || !strings.Contains(page, `href="/u/bob"`) || !strings.Contains(page, "2 holders") {
			t.Fatal("the badges page lacks a badge, a holder or a count")
		}
		var one struct {
			Badge apiBadge
			Items []struct{ Handle string }
		}
		f.anon.JSON("GET", "/api/v1/badges/first-post", nil, http.StatusOK, &one)
		if one.Badge.Name != "First Post" || len(one.Items) != 2 || one.Items[0].Handle != "bob" {
			t.Fatalf("first-post holders = %+v", one)
		}
		if res, page := f.anon.Get("/badges/first-post"); res.StatusCode != http.StatusOK || !strings.Contains(page, `href="/u/bob"`) || !strings.Contains(page, "2 holders") {
			t.Fatalf("the First Post page: %d, or it lacks its holders", res.StatusCode)
		}
		f.anon.WantError("GET", "/api/v1/badges/nope", nil, http.StatusNotFound, townhall.ENOTFOUND)
		if res, _ := f.anon.Get("/badges/nope"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("unknown badge page: %d", res.StatusCode)
		}
	})

	step(t, "ChampionIsGrantedByAdminsAndLogged", func(t *testing.T) {
		path := "/api/v1/users/" + f.bob.User.ID + "/badges/champion"
		wantAPIErrors(t, []apiErrorCase{
			{"Member", f.ann, "PUT", path, nil, http.StatusForbidden, townhall.EFORBIDDEN},
			{"Moderator", f.mod, "PUT", path, nil, http.StatusForbidden, townhall.EFORBIDDEN},
			{"EarnedBadge", f.admin, "PUT", "/api/v1/users/" + f.bob.User.ID + "/badges/guru", nil, http.StatusBadRequest, townhall.EINVALID},
			{"UnknownBadge", f.admin, "PUT", "/api/v1/users/" + f.bob.User.ID + "/badges/nope", nil, http.StatusNotFound, townhall.ENOTFOUND},
			{"UnknownUser", f.admin, "PUT", "/api/v1/users/" + townhall.NewID() + "/badges/champion", nil, http.StatusNotFound, townhall.ENOTFOUND},
		})
		var p apiProfile
		f.admin.JSON("PUT", path, nil, http.StatusOK, &p)
		if !p.Champion || !hasBadge(p, "champion") {
			t.Fatalf("after granting: %+v", p)
		}
		f.admin.JSON("PUT", path, nil, http.StatusOK, &p) // again: nothing new
		_, page := f.anon.Get("/t/" + th.ID)
		if !strings.Contains(page, `class="vip-mark"`) {
			t.Fatal("the thread page does not show Bob's VIP mark")
		}
		f.admin.JSON("DELETE", path, nil, http.StatusOK, &p)
		if p.Champion || hasBadge(p, "champion") {
			t.Fatalf("after revoking: %+v", p)
		}
		admin, _ := f.env.App.Auth.User(ctx, f.admin.User.ID)
		log, err := f.env.App.StaffLog.Entries(ctx, admin, audit.Query{TargetID: f.bob.User.ID})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range log.Items {
			got = append(got, e.Action+" "+e.Before+" "+e.After)
		}
		if fmt.Sprint(got) != `[badge.revoke {"champion":true} {"champion":false} badge.grant {"champion":false} {"champion":true}]` {
			t.Fatalf("staff log = %q; want the revoke and the grant, once each", got)
		}
		// The profile's form does the same without JavaScript.
		res, _ := f.admin.Form("POST", "/u/bob/badges/champion", url.Values{"on": {"true"}})
		if res.StatusCode != http.StatusSeeOther || !profile(t, f.anon, "bob").Champion {
			t.Fatalf("grant form: %d", res.StatusCode)
		}
	})

	step(t, "BackgroundPassAwardsOnceAndCanRerun", func(t *testing.T) {
		// A year on, everyone has been a member for a year.
		f.env.App.Loyalty.SetClock(func() time.Time { return time.Now().AddDate(1, 0, 1) })
		defer f.env.App.Loyalty.SetClock(time.Now)
		if err := f.env.App.StartBadgePass(ctx, "test-pass"); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); !hasBadge(profile(t, f.anon, "mo"), "anniversary"); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the background pass did not award Anniversary")
			}
		}
		_, awarded, err := f.env.App.Loyalty.Pass(ctx, "", 200)
		if err != nil || awarded != 0 {
			t.Fatalf("a second pass awarded %d (%v); want none", awarded, err)
		}
		var all struct{ Items []apiBadge }
		f.anon.JSON("GET", "/api/v1/badges", nil, http.StatusOK, &all)
		for _, b := range all.Items {
			if b.Slug == "anniversary" && *b.Holders != 4 {
				t.Fatalf("anniversary holders = %d, want all 4 people", *b.Holders)
			}
		}
	})
}

func TestDeletedAccountLeavesLoyalty(t *testing.T) {
	f := startForum(t)
	ctx := context.Background()
	th := f.thread(t, f.bob, "questions", "How do I export?", "Please help.")
	a := f.reply(t, f.ann, th.ID, "Reports page.")
	f.bob.JSON("POST", "/api/v1/posts/"+a.ID+"/accept", nil, http.StatusOK, nil)
	f.bob.JSON("PATCH", "/api/v1/me", map[string]string{"bio": "Bob's bio"}, http.StatusOK, nil)
	f.ann.JSON("PATCH", "/api/v1/me", map[string]string{"bio": "Ann's bio"}, http.StatusOK, nil)
	if got := profile(t, f.anon, "ann"); got.Reputation != 15 {
		t.Fatalf("ann's reputation = %d", got.Reputation)
	}
	f.ann.JSON("DELETE", "/api/v1/me", map[string]any{"confirm": "ann"}, http.StatusNoContent, nil)
	f.anon.WantError("GET", "/api/v1/users/ann", nil, http.StatusNotFound, townhall.ENOTFOUND)
	if res, _ := f.anon.Get("/users/" + f.ann.User.ID); res.StatusCode != http.StatusNotFound {
		t.Errorf("/users/ID of a deleted account: %d, want 404", res.StatusCode)
	}
	var board struct{ Items []struct{ Handle string } }
	f.anon.JSON("GET", "/api/v1/leaderboard?period=all", nil, http.StatusOK, &board)
	if len(board.Items) != 0 {
		t.Errorf("the leaderboard lists %+v after the only earner was deleted", board.Items)
	}
	var holders struct{ Items []struct{ Handle string } }
	f.anon.JSON("GET", "/api/v1/badges/helpful", nil, http.StatusOK, &holders)
	if len(holders.Items) != 0 {
		t.Errorf("helpful's holders = %+v after its holder was deleted", holders.Items)
	}
	// A year on, the pass gives the deleted account nothing.
	f.env.App.Loyalty.SetClock(func() time.Time { return time.Now().AddDate(1, 0, 1) })
	defer f.env.App.Loyalty.SetClock(time.Now)
	if _, awarded, err := f.env.App.Loyalty.Pass(ctx, "", 200); err != nil || awarded != 3 {
		t.Fatalf("the pass awarded %d (%v); want Anniversary for the 3 remaining people (Ada, Bob, Mo)", awarded, err)
	}
	// Her bio went with her; Bob's stays.
	for _, c := range []struct {
		id, bio string
	}{{f.ann.User.ID, ""}, {f.bob.User.ID, "Bob's bio"}} {
		p, err := f.env.App.DB.Profile(ctx, c.id)
		if err != nil || p.Bio != c.bio {
			t.Errorf("bio of %s = %+v, %v; want %q", c.id, p, err, c.bio)
		}
	}
}
