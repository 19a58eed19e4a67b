package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
)

// TestCheckCleanAfterAccountDeletion deletes two accounts that wrote,
// voted, commented and marked reviews helpful, one by its owner and one by
// an admin, and then runs `townhall check` on the site: every counter still
// agrees with its facts, on whichever store the tests run.
func TestCheckCleanAfterAccountDeletion(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "root", "")
	ann := env.Client(t, "Ann", townhall.RoleMember)
	bob := env.Client(t, "Bob", townhall.RoleMember)
	cy := env.Client(t, "Cy", townhall.RoleMember)
	type m = map[string]any
	admin.JSON("POST", "/api/v1/categories", m{"name": "General", "slug": "general"}, http.StatusCreated, nil)
	var thread, idea, product, review struct{ ID string }
	ann.JSON("POST", "/api/v1/threads", m{"category": "general", "title": "Printer jams", "body": "Daily."}, http.StatusCreated, &thread)
	bob.JSON("POST", "/api/v1/threads/"+thread.ID+"/posts", m{"body": "Same."}, http.StatusCreated, nil)
	cy.JSON("POST", "/api/v1/threads/"+thread.ID+"/posts", m{"body": "Me too."}, http.StatusCreated, nil)
	ann.JSON("POST", "/api/v1/ideas", m{"title": "Dark mode", "body": "Please."}, http.StatusCreated, &idea)
	for _, c := range []*apptest.Client{bob, cy} {
		c.JSON("POST", "/api/v1/ideas/"+idea.ID+"/vote", nil, http.StatusOK, nil)
		c.JSON("POST", "/api/v1/ideas/"+idea.ID+"/comments", m{"body": "Yes."}, http.StatusCreated, nil)
	}
	admin.JSON("POST", "/api/v1/products", m{"name": "Router X2"}, http.StatusCreated, &product)
	ann.JSON("POST", "/api/v1/products/"+product.ID+"/reviews", m{"rating": 5, "title": "Great"}, http.StatusCreated, &review)
	bob.JSON("POST", "/api/v1/products/"+product.ID+"/reviews", m{"rating": 2, "title": "Meh"}, http.StatusCreated, nil)
	bob.JSON("POST", "/api/v1/reviews/"+review.ID+"/helpful", nil, http.StatusOK, nil)

	ann.JSON("DELETE", "/api/v1/me", m{"confirm": "ann"}, http.StatusNoContent, nil)
	admin.JSON("DELETE", "/api/v1/admin/users/"+bob.User.ID, nil, http.StatusNoContent, nil)

	var i struct{ Votes, Comments int }
	cy.JSON("GET", "/api/v1/ideas/"+idea.ID, nil, http.StatusOK, &i)
	if i.Votes != 3 || i.Comments != 2 {
		t.Fatalf("idea after the deletions: %+v, want 3 votes and 2 comments", i)
	}
	args := []string{"check", "--data", env.App.Config.DataDir}
	if uri := env.App.Config.MongoDBURI; uri != "" {
		args = append(args, "--mongodb-uri", uri)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), args, &out, &errOut); code != 0 || !strings.Contains(out.String(), "all consistent") {
		t.Fatalf("townhall check after deleting accounts: exit %d\n%s%s", code, out.String(), errOut.String())
	}
}
