package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/reviews"
	"github.com/townhall/townhall/web"
)

type reviewOut struct {
	ID        string
	ProductID string `json:"product_id"`
	Author    struct{ ID, Name string }
	Rating    int
	Title     string
	Body      string
	BodyHTML  string `json:"body_html"`
	Verified  bool
	Helpful   int
	Voted     bool
	Response  *struct {
		Author   struct{ ID, Name string }
		Body     string
		BodyHTML string `json:"body_html"`
	}
}

type reviewsPage struct {
	Items []reviewOut
	Next  string
}

func TestMaxBodyMatchesMarkdownLimit(t *testing.T) {
	if reviews.MaxBody != web.MaxMarkdown {
		t.Fatalf("reviews.MaxBody = %d, web.MaxMarkdown = %d", reviews.MaxBody, web.MaxMarkdown)
	}
}

func TestReviewsAPI(t *testing.T) {
	env := apptest.Start(t)
	env.Client(t, "Admin", "")
	prod := env.Client(t, "Pat", townhall.RoleProduct)
	ann := env.Client(t, "Ann", townhall.RoleMember)
	bob := env.Client(t, "Bob", townhall.RoleMember)
	anon := env.Anonymous(t)
	var p productOut
	prod.JSON("POST", "/api/v1/products", map[string]any{"name": "Widget", "description": "A widget"}, http.StatusCreated, &p)
	reviewsURL := "/api/v1/products/" + p.ID + "/reviews"
	// Later steps build on the reviews the first one writes.
	var annReview, bobReview reviewOut
	var reviewURL, respURL string

	step(t, "OnePerPersonWithAWholeStarRating", func(t *testing.T) {
		anon.WantError("POST", reviewsURL, map[string]any{"rating": 5}, http.StatusUnauthorized, townhall.EUNAUTHORIZED)
		ann.JSON("POST", reviewsURL, map[string]any{"rating": 5, "title": "Great", "body": "Love **it**"}, http.StatusCreated, &annReview)
		if !townhall.ValidID(annReview.ID) || annReview.Rating != 5 || annReview.Author.Name != "Ann" || !strings.Contains(annReview.BodyHTML, "<strong>it</strong>") || annReview.Verified {
			t.Fatalf("created %+v", annReview)
		}
		ann.WantError("POST", reviewsURL, map[string]any{"rating": 1, "title": "Again"}, http.StatusConflict, townhall.ECONFLICT)
		ann.WantError("POST", "/api/v1/products/widget/reviews", map[string]any{"rating": 1}, http.StatusConflict, townhall.ECONFLICT)

		for _, bad := range []string{
			`{"rating": 4.5}`, `{"rating": "5"}`, `{"rating": null}`, `{"rating": 0}`, `{"rating": 6}`,
			`{"rating": -1}`, `{"rating": 1e0}`, `{"rating": 4.0}`, `{"rating": true}`, `{"title": "no rating"}`,
			`{"rating": 3, "title": "` + strings.Repeat("t", 121) + `"}`,
			`{"rating": 3, "title": "two\nlines"}`,
			`{"rating": 3, "body": "` + strings.Repeat("b", web.MaxMarkdown+1) + `"}`,
			`{"rating": 3, "body": "bad \u0000 byte"}`,
			`[1]`, `not json`,
		} {
			bob.WantError("POST", reviewsURL, bad, http.StatusBadRequest, townhall.EINVALID)
		}
		bob.WantError("POST", "/api/v1/products/"+townhall.NewID()+"/reviews", map[string]any{"rating": 3}, http.StatusNotFound, townhall.ENOTFOUND)
		// Nothing of the refused attempts was written.
		wantRatingOut(t, anon, p.ID, 5, 1, [5]int{0, 0, 0, 0, 1})

		bob.JSON("POST", reviewsURL, map[string]any{"rating": 2, "title": "Meh"}, http.StatusCreated, &bobReview)
		wantRatingOut(t, anon, p.ID, 3.5, 2, [5]int{0, 1, 0, 0, 1})
		reviewURL = "/api/v1/reviews/" + bobReview.ID
		respURL = reviewURL + "/response"
	})

	step(t, "EditOwnReviewOnlyMovesTheAggregates", func(t *testing.T) {
		// Edits: own review only; the aggregates move with the rating.
		ann.WantError("PATCH", reviewURL, map[string]any{"rating": 1}, http.StatusForbidden, townhall.EFORBIDDEN)
		anon.WantError("PATCH", reviewURL, map[string]any{"rating": 1}, http.StatusUnauthorized, townhall.EUNAUTHORIZED)
		bob.WantError("PATCH", reviewURL, `{"rating": 4.5}`, http.StatusBadRequest, townhall.EINVALID)
		bob.WantError("PATCH", reviewURL, `{"rating": null}`, http.StatusBadRequest, townhall.EINVALID)
		bob.WantError("PATCH", "/api/v1/reviews/garbage", map[string]any{"rating": 1}, http.StatusNotFound, townhall.ENOTFOUND)
		wantRatingOut(t, anon, p.ID, 3.5, 2, [5]int{0, 1, 0, 0, 1})
		var edited reviewOut
		bob.JSON("PATCH", reviewURL, map[string]any{"rating": 4}, http.StatusOK, &edited)
		if edited.Rating != 4 || edited.Title != "Meh" {
			t.Fatalf("partial edit = %+v; want rating 4, title kept", edited)
		}
		wantRatingOut(t, anon, p.ID, 4.5, 2, [5]int{0, 0, 0, 1, 1})
	})

	step(t, "SortAndFilter", func(t *testing.T) {
		// Sorting and filtering.
		var page reviewsPage
		anon.JSON("GET", reviewsURL+"?sort=lowest", nil, http.StatusOK, &page)
		if len(page.Items) != 2 || page.Items[0].ID != bobReview.ID || page.Next != "" {
			t.Fatalf("lowest first = %+v", page)
		}
		anon.JSON("GET", reviewsURL+"?sort=highest", nil, http.StatusOK, &page)
		if len(page.Items) != 2 || page.Items[0].ID != annReview.ID {
			t.Fatalf("highest first = %+v", page)
		}
		anon.JSON("GET", reviewsURL+"?sort=newest&stars=4", nil, http.StatusOK, &page)
		if len(page.Items) != 1 || page.Items[0].ID != bobReview.ID {
			t.Fatalf("4 stars only = %+v", page)
		}
		anon.WantError("GET", reviewsURL+"?sort=best", nil, http.StatusBadRequest, townhall.EINVALID)
		anon.WantError("GET", reviewsURL+"?stars=9", nil, http.StatusBadRequest, townhall.EINVALID)
		anon.WantError("GET", reviewsURL+"?after=zzz", nil, http.StatusBadRequest, townhall.EINVALID)
	})

	step(t, "HelpfulVotesOnePerPersonNeverYourOwn", func(t *testing.T) {
		// Helpful votes: one per user, idempotent, undoable, never your own.
		helpfulURL := reviewURL + "/helpful"
		var vote struct {
			Helpful int
			Voted   bool
		}
		anon.WantError("POST", helpfulURL, nil, http.StatusUnauthorized, townhall.EUNAUTHORIZED)
		bob.WantError("POST", helpfulURL, nil, http.StatusForbidden, townhall.EFORBIDDEN)
		ann.JSON("POST", helpfulURL, nil, http.StatusOK, &vote)
		ann.JSON("POST", helpfulURL, nil, http.StatusOK, &vote)
		if vote.Helpful != 1 || !vote.Voted {
			t.Fatalf("after two votes by one user: %+v, want 1", vote)
		}
		prod.JSON("POST", helpfulURL, nil, http.StatusOK, &vote)
		var page reviewsPage
		anon.JSON("GET", reviewsURL, nil, http.StatusOK, &page)
		if page.Items[0].ID != bobReview.ID || page.Items[0].Helpful != 2 {
			t.Fatalf("most helpful first = %+v", page.Items)
		}
		var seen reviewOut
		ann.JSON("GET", reviewURL, nil, http.StatusOK, &seen)
		if !seen.Voted {
			t.Fatal("Ann's vote does not show as hers")
		}
		ann.JSON("DELETE", helpfulURL, nil, http.StatusOK, &vote)
		ann.JSON("DELETE", helpfulURL, nil, http.StatusOK, &vote)
		if vote.Helpful != 1 || vote.Voted {
			t.Fatalf("after undo twice: %+v, want 1", vote)
		}
	})

	step(t, "ResponseByProductTeamTellsTheReviewer", func(t *testing.T) {
		// Business response: product team only; the reviewer hears of it.
		ann.WantError("PUT", respURL, map[string]any{"body": "Fake staff"}, http.StatusForbidden, townhall.EFORBIDDEN)
		prod.WantError("PUT", respURL, map[string]any{"body": "  "}, http.StatusBadRequest, townhall.EINVALID)
		prod.WantError("PUT", respURL, map[string]any{}, http.StatusBadRequest, townhall.EINVALID)
		var responded reviewOut
		prod.JSON("PUT", respURL, map[string]any{"body": "Thanks, *fixed* in 2.1"}, http.StatusOK, &responded)
		if responded.Response == nil || responded.Response.Author.Name != "Pat" || !strings.Contains(responded.Response.BodyHTML, "<em>fixed</em>") {
			t.Fatalf("response = %+v", responded.Response)
		}
		prod.JSON("PUT", respURL, map[string]any{"body": "Fixed in 2.1."}, http.StatusOK, &responded)
		if responded.Response.Body != "Fixed in 2.1." {
			t.Fatalf("edited response = %+v", responded.Response)
		}
		var notes struct {
			Items []struct{ Kind, Text, URL string }
		}
		bob.JSON("GET", "/api/v1/notifications", nil, http.StatusOK, &notes)
		if len(notes.Items) != 2 || notes.Items[0].URL != "/products/widget#review-"+bobReview.ID || !strings.Contains(notes.Items[0].Text, "Pat responded to your review of Widget") {
			t.Fatalf("reviewer notifications = %+v", notes.Items)
		}
	})

	step(t, "RemoveResponse", func(t *testing.T) {
		// Removing the response: product team only; the page loses it.
		var responded reviewOut
		ann.WantError("DELETE", respURL, nil, http.StatusForbidden, townhall.EFORBIDDEN)
		anon.WantError("DELETE", respURL, nil, http.StatusUnauthorized, townhall.EUNAUTHORIZED)
		prod.WantError("DELETE", "/api/v1/reviews/"+townhall.NewID()+"/response", nil, http.StatusNotFound, townhall.ENOTFOUND)
		if _, page := anon.Get("/products/widget"); !strings.Contains(page, "Fixed in 2.1.") {
			t.Fatal("the product page does not show the response")
		}
		prod.JSON("DELETE", respURL, nil, http.StatusOK, &responded)
		if responded.Response != nil {
			t.Fatalf("response after removal = %+v", responded.Response)
		}
		if _, page := anon.Get("/products/widget"); strings.Contains(page, "Fixed in 2.1.") {
			t.Fatal("the product page still shows the removed response")
		}
		prod.JSON("PUT", respURL, map[string]any{"body": "Fixed in 2.1."}, http.StatusOK, &responded)
		if res, _ := prod.Form("POST", "/reviews/"+bobReview.ID+"/response/delete", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove response form: %d", res.StatusCode)
		}
		if _, page := anon.Get("/products/widget"); strings.Contains(page, "Fixed in 2.1.") {
			t.Fatal("the form did not remove the response")
		}
	})

	step(t, "DeleteShrinksTheAggregatesExactly", func(t *testing.T) {
		// Deleting: own review (or a moderator); the aggregates shrink exactly.
		ann.WantError("DELETE", reviewURL, nil, http.StatusForbidden, townhall.EFORBIDDEN)
		bob.JSON("DELETE", reviewURL, nil, http.StatusNoContent, nil)
		bob.WantError("DELETE", reviewURL, nil, http.StatusNotFound, townhall.ENOTFOUND)
		wantRatingOut(t, anon, p.ID, 5, 1, [5]int{0, 0, 0, 0, 1})
		bob.JSON("POST", reviewsURL, map[string]any{"rating": 3}, http.StatusCreated, nil)
		mod := env.Client(t, "Mo", townhall.RoleModerator)
		mod.JSON("DELETE", "/api/v1/reviews/"+annReview.ID, nil, http.StatusNoContent, nil)
		wantRatingOut(t, anon, p.ID, 3, 1, [5]int{0, 0, 1, 0, 0})
	})

	step(t, "ArchivedStaysReadableButClosed", func(t *testing.T) {
		// Archived: readable, closed to new reviews and edits.
		prod.JSON("PATCH", "/api/v1/products/"+p.ID, map[string]any{"archived": true}, http.StatusOK, nil)
		ann.WantError("POST", reviewsURL, map[string]any{"rating": 5}, http.StatusConflict, townhall.ECONFLICT)
		var page reviewsPage
		anon.JSON("GET", reviewsURL, nil, http.StatusOK, &page)
		if len(page.Items) != 1 {
			t.Fatalf("archived product's reviews: %+v", page.Items)
		}
		bob.WantError("PATCH", "/api/v1/reviews/"+page.Items[0].ID, map[string]any{"rating": 5}, http.StatusConflict, townhall.ECONFLICT)
		wantRatingOut(t, anon, p.ID, 3, 1, [5]int{0, 0, 1, 0, 0})
	})
}

func TestReviewsPaginateByCursor(t *testing.T) {
	env := apptest.Start(t)
	prod := env.Client(t, "Admin", "")
	var p productOut
	prod.JSON("POST", "/api/v1/products", map[string]any{"name": "Popular"}, http.StatusCreated, &p)
	const n = reviews.PageSize + 5
	for i := range n {
		c := env.Client(t, fmt.Sprint("fan", i), "")
		c.JSON("POST", "/api/v1/products/popular/reviews", map[string]any{"rating": 1 + i%5}, http.StatusCreated, nil)
	}
	seen := map[string]bool{}
	next := ""
	for pages := 0; ; pages++ {
		var page reviewsPage
		prod.JSON("GET", "/api/v1/products/popular/reviews?sort=highest&after="+url.QueryEscape(next), nil, http.StatusOK, &page)
		for _, r := range page.Items {
			if seen[r.ID] {
				t.Fatalf("review %s on two pages", r.ID)
			}
			seen[r.ID] = true
		}
		if next = page.Next; next == "" {
			if pages != 1 {
				t.Fatalf("%d reviews took %d pages, want 2", n, pages+1)
			}
			break
		}
	}
	if len(seen) != n {
		t.Fatalf("pages held %d reviews, want %d", len(seen), n)
	}
	_, body := prod.Get("/products/popular?sort=highest")
	if !strings.Contains(body, "More reviews") || strings.Count(body, `class="card review"`) != reviews.PageSize {
		t.Fatalf("product page does not show one page of %d reviews and a next link", reviews.PageSize)
	}
}

func TestConcurrentReviewsOverHTTP(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Admin", "")
	admin.JSON("POST", "/api/v1/products", map[string]any{"name": "Rush"}, http.StatusCreated, nil)
	const n = 16
	clients := make([]*apptest.Client, n)
	for i := range clients {
		clients[i] = env.Client(t, fmt.Sprint("rusher", i), "")
	}
	var wg sync.WaitGroup
	var hist [5]int
	sum := 0
	for i, c := range clients {
		hist[i%5]++
		sum += i%5 + 1
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each client races itself too: exactly one of two posts wins.
			res1, _ := c.Do("POST", "/api/v1/products/rush/reviews", map[string]any{"rating": i%5 + 1})
			res2, _ := c.Do("POST", "/api/v1/products/rush/reviews", map[string]any{"rating": i%5 + 1})
			if res1.StatusCode+res2.StatusCode != http.StatusCreated+http.StatusConflict {
				t.Errorf("two posts by one user: %d and %d, want 201 and 409", res1.StatusCode, res2.StatusCode)
			}
		}()
	}
	wg.Wait()
	avg := float64(int(float64(sum)*10/n+0.5)) / 10
	wantRatingOut(t, admin, "rush", avg, n, hist)
}

func TestReviewPagesWithoutJavaScript(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Admin", "")
	prod := env.Client(t, "Pat", townhall.RoleProduct)
	ann := env.Client(t, "Ann", "")
	bob := env.Client(t, "Bob", "")
	anon := env.Anonymous(t)
	// Each step builds on the pages and review the ones before it made.
	var res *http.Response
	var body, reviewID string

	step(t, "ProductFormsForTheProductTeamOnly", func(t *testing.T) {
		res, _ = ann.Get("/products/new")
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("member opening the product form: %d, want 403", res.StatusCode)
		}
		res, body = prod.Form("POST", "/products", url.Values{"name": {"Trail Shoe"}, "description": {"Grippy *sole*"}, "image_url": {"ftp://x"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "https://") || !strings.Contains(body, `value="Trail Shoe"`) {
			t.Fatalf("bad image URL: %d, want 400 with the form kept", res.StatusCode)
		}
		res, _ = prod.Form("POST", "/products", url.Values{"name": {"Trail Shoe"}, "description": {"Grippy *sole*"}, "image_url": {"https://img.example/shoe.png"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/products/trail-shoe" {
			t.Fatalf("create product: %d → %q", res.StatusCode, res.Header.Get("Location"))
		}
	})

	step(t, "ListingAndPageForVisitors", func(t *testing.T) {
		res, body = anon.Get("/products")
		if res.StatusCode != 200 || !strings.Contains(body, `href="/products/trail-shoe"`) || !strings.Contains(body, "No reviews yet") || !strings.Contains(body, `aria-current="page">Reviews`) {
			t.Fatalf("listing: %d\n%.3000s", res.StatusCode, body)
		}
		_, body = anon.Get("/products/trail-shoe")
		if !strings.Contains(body, "<em>sole</em>") || !strings.Contains(body, "Sign in to write a review") || !strings.Contains(body, `src="https://img.example/shoe.png"`) {
			t.Fatalf("product page for visitors:\n%.4000s", body)
		}
	})

	step(t, "WriteAReviewThroughTheForm", func(t *testing.T) {
		// Ann writes a review through the form.
		_, body = ann.Get("/products/trail-shoe/review")
		if !strings.Contains(body, `name="rating"`) || !strings.Contains(body, "Excellent") {
			t.Fatal("review form has no star picker")
		}
		res, _ = ann.Form("POST", "/products/trail-shoe/reviews", url.Values{"rating": {"4"}, "title": {"Comfy"}, "body": {"Good on **rock**"}})
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/products/trail-shoe?sort=newest#review-") {
			t.Fatalf("post review: %d → %q", res.StatusCode, loc)
		}
		reviewID = loc[strings.LastIndex(loc, "-")+1:]
		_, body = ann.Get("/products/trail-shoe")
		for _, want := range []string{`data-testid="rating-average">4.0<`, `data-testid="rating-count">1 review<`, "Edit your review", "<strong>rock</strong>", `id="review-` + reviewID + `"`, `data-testid="histogram-4">1<`} {
			if !strings.Contains(body, want) {
				t.Fatalf("product page after a review lacks %q", want)
			}
		}
		if strings.Contains(body, `style=`) {
			t.Fatal("product page uses inline styles, which the CSP blocks")
		}
		res, _ = ann.Get("/products/trail-shoe/review")
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/reviews/"+reviewID+"/edit" {
			t.Fatalf("second review form: %d → %q, want the edit form", res.StatusCode, res.Header.Get("Location"))
		}
		res, body = ann.Form("POST", "/products/trail-shoe/reviews", url.Values{"rating": {"1"}, "title": {"Second try"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "/reviews/"+reviewID+"/edit") || !strings.Contains(body, `value="Second try"`) {
			t.Fatalf("duplicate review form: %d, want 409 offering the edit link and keeping the input", res.StatusCode)
		}
		res, body = bob.Form("POST", "/products/trail-shoe/reviews", url.Values{"title": {"Forgot stars"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Rating is required") || !strings.Contains(body, `value="Forgot stars"`) {
			t.Fatalf("review without rating: %d", res.StatusCode)
		}
	})

	step(t, "EditOwnReviewThroughTheForm", func(t *testing.T) {
		// Edit through the form.
		_, body = ann.Get("/reviews/" + reviewID + "/edit")
		if !strings.Contains(body, `value="4" required checked`) || !strings.Contains(body, `value="Comfy"`) {
			t.Fatal("edit form is not filled with the review")
		}
		res, _ = bob.Get("/reviews/" + reviewID + "/edit")
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("someone else's edit form: %d", res.StatusCode)
		}
		res, _ = ann.Form("POST", "/reviews/"+reviewID+"/edit", url.Values{"rating": {"2"}, "title": {"Blisters"}, "body": {""}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit review: %d", res.StatusCode)
		}
		wantRatingOut(t, anon, "trail-shoe", 2, 1, [5]int{0, 1, 0, 0, 0})
	})

	step(t, "HelpfulVoteAndUndoWithoutJavaScript", func(t *testing.T) {
		// Helpful vote and its undo without JavaScript.
		res, _ = bob.Form("POST", "/reviews/"+reviewID+"/helpful", nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("helpful form: %d", res.StatusCode)
		}
		_, body = bob.Get("/products/trail-shoe")
		if !strings.Contains(body, `aria-pressed="true">Helpful <span class="helpful-count">1</span>`) || !strings.Contains(body, `name="undo" value="1"`) {
			t.Fatal("voted review does not show the pressed helpful button")
		}
		bob.Form("POST", "/reviews/"+reviewID+"/helpful", url.Values{"undo": {"1"}})
		var r reviewOut
		bob.JSON("GET", "/api/v1/reviews/"+reviewID, nil, http.StatusOK, &r)
		if r.Helpful != 0 || r.Voted {
			t.Fatalf("after undo: %+v", r)
		}
		res, _ = ann.Form("POST", "/reviews/"+reviewID+"/helpful", nil)
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("own review helpful: %d, want 403", res.StatusCode)
		}
	})

	step(t, "StaffResponseWithBadge", func(t *testing.T) {
		// Staff response with badge.
		res, _ = prod.Form("POST", "/reviews/"+reviewID+"/response", url.Values{"body": {"Try the wide fit."}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("respond: %d", res.StatusCode)
		}
		_, body = anon.Get("/products/trail-shoe")
		if !strings.Contains(body, `<span class="staff-badge">Staff</span>`) || !strings.Contains(body, "Try the wide fit.") {
			t.Fatal("response or staff badge missing")
		}
	})

	step(t, "VerifiedBadgeAndStarFilter", func(t *testing.T) {
		// Verified customers get the badge on what they write from then on.
		ctx := context.Background()
		adminUser, _ := env.App.Auth.User(ctx, admin.User.ID)
		if err := env.App.Auth.SetVerified(ctx, adminUser, bob.User.ID, true); err != nil {
			t.Fatal(err)
		}
		bob.Form("POST", "/products/trail-shoe/reviews", url.Values{"rating": {"5"}, "title": {"Love them"}})
		_, body = anon.Get("/products/trail-shoe?sort=newest")
		if strings.Count(body, "✓ Verified customer") != 1 {
			t.Fatalf("want exactly one verified badge (Bob's), got %d", strings.Count(body, "✓ Verified customer"))
		}
		_, body = anon.Get("/products/trail-shoe?stars=5")
		if !strings.Contains(body, "Love them") || strings.Contains(body, "Blisters") {
			t.Fatal("star filter on the page does not filter")
		}
		_, body = anon.Get("/products/trail-shoe?stars=3")
		if !strings.Contains(body, "No 3-star reviews") {
			t.Fatal("empty star filter has no helpful empty state")
		}
	})

	step(t, "ByIDRedirectsToTheSlug", func(t *testing.T) {
		// Reaching the page by id redirects to the slug.
		var p productOut
		anon.JSON("GET", "/api/v1/products/trail-shoe", nil, http.StatusOK, &p)
		res, _ = anon.Get("/products/" + p.ID + "?sort=newest")
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/products/trail-shoe?sort=newest" {
			t.Fatalf("by id: %d → %q", res.StatusCode, res.Header.Get("Location"))
		}
	})

	step(t, "ArchiveThroughTheEditForm", func(t *testing.T) {
		// Archive through the edit form: gone from the listing, page has a notice.
		res, _ = prod.Form("POST", "/products/trail-shoe/edit", url.Values{"name": {"Trail Shoe"}, "slug": {"trail-shoe"}, "description": {"Grippy *sole*"}, "archived": {"1"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("archive: %d", res.StatusCode)
		}
		_, body = anon.Get("/products")
		if strings.Contains(body, "/products/trail-shoe") {
			t.Fatal("archived product is still listed")
		}
		res, body = anon.Get("/products/trail-shoe")
		if res.StatusCode != 200 || !strings.Contains(body, `data-testid="archived-notice"`) || !strings.Contains(body, "Blisters") {
			t.Fatalf("archived page: %d", res.StatusCode)
		}
		res, _ = ann.Form("POST", "/products/trail-shoe/reviews", url.Values{"rating": {"5"}})
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("review of archived product: %d, want 409", res.StatusCode)
		}
		res, _ = anon.Get("/products/no-such-thing")
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("unknown product page: %d", res.StatusCode)
		}
	})

	step(t, "DeleteThroughTheForm", func(t *testing.T) {
		// Delete through the form.
		res, _ = ann.Form("POST", "/reviews/"+reviewID+"/delete", nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", res.StatusCode)
		}
		wantRatingOut(t, anon, "trail-shoe", 5, 1, [5]int{0, 0, 0, 0, 1})
	})
}

func TestBrowserWriteReviewUpdatesSummary(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Admin", "")
	admin.JSON("POST", "/api/v1/products", map[string]any{"name": "Desk Lamp", "description": "Warm light"}, http.StatusCreated, nil)
	var other reviewOut
	env.Client(t, "Olga", "").JSON("POST", "/api/v1/products/desk-lamp/reviews", map[string]any{"rating": 2, "title": "Too dim"}, http.StatusCreated, &other)

	ctx := apptest.Browser(t)
	env.BrowserSignIn(t, ctx, "Rita")
	summary := func() (string, string) {
		t.Helper()
		avg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="rating-average"]`)))
		if err != nil {
			t.Fatal(err)
		}
		count, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="rating-count"]`)))
		if err != nil {
			t.Fatal(err)
		}
		return avg, count
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/products/desk-lamp"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="write-review"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if avg, count := summary(); avg != "2.0" || count != "1 review" {
		t.Fatalf("before: %q, %q", avg, count)
	}
	// The helpful button works without a reload.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#review-`+other.ID+` button.helpful`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('#review-`+other.ID+` .helpful-count').textContent === "1" && document.querySelector('#review-`+other.ID+` button.helpful').getAttribute("aria-pressed") === "true"`),
	)
	if err != nil {
		t.Fatalf("helpful click: %v", err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="write-review"]`)),
		chromedp.WaitVisible(chromedp.ID("rating-5")),
		chromedp.Click(chromedp.ID("rating-5")),
		chromedp.SendKeys(chromedp.ID("review-title"), "Lovely"),
		chromedp.SendKeys(chromedp.ID("review-body"), "Great for **reading**"),
		chromedp.Click(chromedp.CSS(`.review-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="edit-review"]`)),
	)
	if err != nil {
		t.Fatalf("write review: %v", err)
	}
	if avg, count := summary(); avg != "3.5" || count != "2 reviews" {
		t.Fatalf("after: %q, %q; want 3.5 and 2 reviews", avg, count)
	}
	bold, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.review-list li:first-child .prose strong`)))
	if err != nil || bold != "reading" {
		t.Fatalf("new review on top with rendered Markdown: %q, %v", bold, err)
	}
	var votes reviewOut
	admin.JSON("GET", "/api/v1/reviews/"+other.ID, nil, http.StatusOK, &votes)
	if votes.Helpful != 1 {
		t.Fatalf("helpful count stored = %d, want 1", votes.Helpful)
	}
}

func TestVerifiedMarkThroughSegment(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Admin", "")
	cust := env.Client(t, "Cleo", "")
	admin.JSON("POST", "/api/v1/products", map[string]any{"name": "Kettle"}, http.StatusCreated, nil)
	ctx := context.Background()
	adminUser, _ := env.App.Auth.User(ctx, admin.User.ID)
	seg := &townhall.Segment{Name: "Customers", Weight: 1, Verified: true}
	if err := env.App.Auth.SaveSegment(ctx, adminUser, seg); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Auth.AssignSegment(ctx, adminUser, cust.User.ID, seg.ID); err != nil {
		t.Fatal(err)
	}
	var r reviewOut
	cust.JSON("POST", "/api/v1/products/kettle/reviews", map[string]any{"rating": 4}, http.StatusCreated, &r)
	if !r.Verified {
		t.Fatal("member of a verified segment wrote an unverified review")
	}
	// The mark is captured when written: leaving the segment does not
	// rewrite it until the review is edited again.
	if err := env.App.Auth.AssignSegment(ctx, adminUser, cust.User.ID, ""); err != nil {
		t.Fatal(err)
	}
	admin.JSON("GET", "/api/v1/reviews/"+r.ID, nil, http.StatusOK, &r)
	if !r.Verified {
		t.Fatal("verified mark changed without an edit")
	}
	cust.JSON("PATCH", "/api/v1/reviews/"+r.ID, map[string]any{"title": "Still good"}, http.StatusOK, &r)
	if r.Verified {
		t.Fatal("edit by a no-longer-verified author kept the mark")
	}
}
