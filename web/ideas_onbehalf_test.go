package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/audit"
)

type recordedResp struct {
	Added    bool
	Customer struct {
		ID, Handle, Name, Email string
		Pending                 bool
	}
	Idea ideaResp
}

type proxyResp struct {
	Customer struct {
		ID, Handle, Email string
		Pending           bool
	}
	Note       string
	RecordedBy struct{ ID, Name string } `json:"recorded_by"`
}

func listProxyVotes(t *testing.T, c *apptest.Client, ideaID string) []proxyResp {
	t.Helper()
	var out struct{ Items []proxyResp }
	c.JSON("GET", "/api/v1/ideas/"+ideaID+"/votes", nil, http.StatusOK, &out)
	return out.Items
}

func notificationKinds(t *testing.T, c *apptest.Client) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range adminNotifications(t, c) {
		out[n.Kind] = n.Text
	}
	return out
}

// TestVoteOnBehalf: the product team records a customer's vote; it counts
// once, in the customer's segment, whatever the customer does later;
// staff see who recorded it and why; the customer is told; members cannot.
func TestVoteOnBehalf(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Ada", "")
	pm := env.Client(t, "Pat", townhall.RoleProduct)
	bob := env.Client(t, "Bob", "")
	ann := env.Client(t, "Ann", "")
	var pro struct{ ID string }
	admin.JSON("POST", "/api/v1/segments", map[string]any{"name": "Pro", "weight": 3}, http.StatusCreated, &pro)
	admin.JSON("PUT", "/api/v1/users/"+bob.User.ID+"/segment", map[string]any{"segment_id": pro.ID}, http.StatusOK, nil)
	i := propose(t, ann, "Salesforce sync")
	votes := "/api/v1/ideas/" + i.ID + "/votes"

	step(t, "recorded, it counts like the customer's own vote", func(t *testing.T) {
		var rec recordedResp
		pm.JSON("POST", votes, map[string]any{"user": "@bob", "note": "From a sales call with Acme"}, http.StatusCreated, &rec)
		if !rec.Added || rec.Customer.ID != bob.User.ID || rec.Customer.Pending || rec.Idea.Votes != 2 {
			t.Fatalf("recorded %+v", rec)
		}
		if got := getIdea(t, bob, i.ID); !got.Voted || got.Votes != 2 {
			t.Fatalf("Bob sees votes %d, voted %v", got.Votes, got.Voted)
		}
		_, page := pm.Get("/ideas/" + i.ID)
		if !strings.Contains(page, "Pro</td><td class=\"num\">1<") {
			t.Fatal("the vote does not count in the customer's segment")
		}
	})
	step(t, "the customer is told, and staff see who and why", func(t *testing.T) {
		if text := notificationKinds(t, bob)["vote_recorded"]; !strings.Contains(text, "Salesforce sync") || strings.Contains(text, "Acme") {
			t.Fatalf("Bob's vote_recorded notification: %q (the internal note must not show)", text)
		}
		list := listProxyVotes(t, pm, i.ID)
		if len(list) != 1 || list[0].Customer.Handle != "bob" || list[0].Note != "From a sales call with Acme" || list[0].RecordedBy.ID != pm.User.ID {
			t.Fatalf("recorded votes = %+v", list)
		}
		_, page := pm.Get("/ideas/" + i.ID)
		if !strings.Contains(page, "Recorded on customers' behalf") || !strings.Contains(page, "From a sales call with Acme") || !strings.Contains(page, "Recorded by Pat") {
			t.Fatal("the idea page does not show staff the recorded vote")
		}
		if _, page := bob.Get("/ideas/" + i.ID); strings.Contains(page, "From a sales call") {
			t.Fatal("a member sees the internal note")
		}
		adminUser, _ := env.App.Auth.User(context.Background(), admin.User.ID)
		log, _ := env.App.StaffLog.Entries(context.Background(), adminUser, audit.Query{Action: "idea.vote_on_behalf"})
		if len(log.Items) != 1 || log.Items[0].ActorID != pm.User.ID || !strings.Contains(log.Items[0].After, "@bob") || !strings.Contains(log.Items[0].Before, `"votes":1`) {
			t.Fatalf("staff log = %+v", log.Items)
		}
	})
	step(t, "the customer voting too changes nothing", func(t *testing.T) {
		var got ideaResp
		bob.JSON("POST", "/api/v1/ideas/"+i.ID+"/vote", nil, http.StatusOK, &got)
		if got.Votes != 2 {
			t.Fatalf("votes after Bob's own vote: %d, want 2", got.Votes)
		}
		var again recordedResp
		pm.JSON("POST", votes, map[string]any{"user": "bob"}, http.StatusOK, &again)
		if again.Added || again.Idea.Votes != 2 {
			t.Fatalf("recording again: %+v", again)
		}
	})
	step(t, "the customer taking it back removes it", func(t *testing.T) {
		var got ideaResp
		bob.JSON("DELETE", "/api/v1/ideas/"+i.ID+"/vote", nil, http.StatusOK, &got)
		if got.Votes != 1 || len(listProxyVotes(t, pm, i.ID)) != 0 {
			t.Fatalf("after Bob unvoted: votes %d, recorded %v", got.Votes, listProxyVotes(t, pm, i.ID))
		}
	})
	step(t, "refused for members, bad customers and closed ideas", func(t *testing.T) {
		hidden := propose(t, ann, "Spam idea")
		mod := env.Client(t, "Mo", townhall.RoleModerator)
		mod.JSON("PUT", "/api/v1/ideas/"+hidden.ID+"/hidden", map[string]any{"hidden": true, "reason": "spam"}, http.StatusOK, nil)
		msg := pm.WantError("POST", votes, map[string]any{"user": "@nobody"}, 400, townhall.EINVALID)
		if !strings.Contains(msg, "email address") {
			t.Errorf("unknown handle message %q does not suggest an email", msg)
		}
		wantAPIErrors(t, []apiErrorCase{
			{"member", bob, "POST", votes, map[string]any{"user": "@ann"}, 403, townhall.EFORBIDDEN},
			{"member lists", bob, "GET", votes, nil, 403, townhall.EFORBIDDEN},
			{"anonymous", env.Anonymous(t), "POST", votes, map[string]any{"user": "@ann"}, 401, townhall.EUNAUTHORIZED},
			{"no customer", pm, "POST", votes, map[string]any{"user": " "}, 400, townhall.EINVALID},
			{"bad email", pm, "POST", votes, map[string]any{"user": "jane@"}, 400, townhall.EINVALID},
			{"named address", pm, "POST", votes, map[string]any{"user": "Jane <jane@acme.example>"}, 400, townhall.EINVALID},
			{"long note", pm, "POST", votes, map[string]any{"user": "@ann", "note": strings.Repeat("n", 501)}, 400, townhall.EINVALID},
			{"yourself", pm, "POST", votes, map[string]any{"user": "@pat"}, 400, townhall.EINVALID},
			{"user not a string", pm, "POST", votes, `{"user": 5}`, 400, townhall.EINVALID},
			{"unknown idea", pm, "POST", "/api/v1/ideas/" + townhall.NewID() + "/votes", map[string]any{"user": "@ann"}, 404, townhall.ENOTFOUND},
			{"hidden idea", pm, "POST", "/api/v1/ideas/" + hidden.ID + "/votes", map[string]any{"user": "@ann"}, 409, townhall.ECONFLICT},
		})
		if got := getIdea(t, ann, i.ID); got.Votes != 1 {
			t.Fatalf("refused requests changed the count to %d", got.Votes)
		}
	})
}

// TestVoteOnBehalfByEmail: a customer without an account is recorded by
// email; the vote becomes theirs when they first sign in with that
// address, and counts once.
func TestVoteOnBehalfByEmail(t *testing.T) {
	env := apptest.Start(t)
	env.Client(t, "Ada", "")
	pm := env.Client(t, "Pat", townhall.RoleProduct)
	ann := env.Client(t, "Ann", "")
	i := propose(t, ann, "SAML single sign-on")
	var rec recordedResp
	pm.JSON("POST", "/api/v1/ideas/"+i.ID+"/votes", map[string]any{"user": "Jane.Doe@Acme.example", "note": "Renewal call"}, http.StatusCreated, &rec)
	if !rec.Added || !rec.Customer.Pending || rec.Customer.Email != "jane.doe@acme.example" || rec.Idea.Votes != 2 {
		t.Fatalf("recorded %+v", rec)
	}
	// The same address again (any case) is the same customer.
	var again recordedResp
	pm.JSON("POST", "/api/v1/ideas/"+i.ID+"/votes", map[string]any{"user": "jane.doe@acme.example"}, http.StatusOK, &again)
	if again.Added || again.Customer.ID != rec.Customer.ID {
		t.Fatalf("second record: %+v", again)
	}
	if list := listProxyVotes(t, pm, i.ID); len(list) != 1 || !list[0].Customer.Pending || list[0].Customer.Email != "jane.doe@acme.example" {
		t.Fatalf("recorded = %+v", list)
	}
	_, page := pm.Get("/ideas/" + i.ID)
	if !strings.Contains(page, "No account yet") || !strings.Contains(page, "jane.doe@acme.example") {
		t.Fatal("the page does not show the customer as not signed in yet")
	}

	jane := env.Anonymous(t)
	res, _ := jane.Form("POST", "/auth/dev/login", url.Values{"name": {"Jane Doe"}, "email": {"jane.doe@acme.example"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	if u := me(t, jane); u.ID != rec.Customer.ID || u.Name != "Jane Doe" {
		t.Fatalf("Jane signed in as %+v, want the recorded customer %s", u, rec.Customer.ID)
	}
	got := getIdea(t, jane, i.ID)
	if !got.Voted || got.Votes != 2 {
		t.Fatalf("Jane sees votes %d, voted %v", got.Votes, got.Voted)
	}
	if _, ok := notificationKinds(t, jane)["vote_recorded"]; !ok {
		t.Fatal("Jane was not told her vote was recorded")
	}
	jane.JSON("POST", "/api/v1/ideas/"+i.ID+"/vote", nil, http.StatusOK, &got)
	if got.Votes != 2 {
		t.Fatalf("Jane's own vote made it %d", got.Votes)
	}
	if list := listProxyVotes(t, pm, i.ID); len(list) != 1 || list[0].Customer.Pending || list[0].Customer.Handle == "" {
		t.Fatalf("after sign-in, recorded = %+v", list)
	}
}

// TestVoteOnBehalfForm: the idea page's form records a vote without
// JavaScript and says what happened.
func TestVoteOnBehalfForm(t *testing.T) {
	env := apptest.Start(t)
	env.Client(t, "Ada", "")
	pm := env.Client(t, "Pat", townhall.RoleProduct)
	ann := env.Client(t, "Ann", "")
	env.Client(t, "Bob", "")
	i := propose(t, ann, "Offline mode")
	res, page := pm.Form("POST", "/ideas/"+i.ID+"/votes", url.Values{"user": {"@nobody"}, "note": {"typed note"}})
	if res.StatusCode != 400 || !strings.Contains(page, "No member has the handle @nobody") || !strings.Contains(page, `value="typed note"`) {
		t.Fatalf("bad customer: %d", res.StatusCode)
	}
	res, _ = pm.Form("POST", "/ideas/"+i.ID+"/votes", url.Values{"user": {"@bob"}, "note": {"Support ticket 42"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("record: %d", res.StatusCode)
	}
	_, page = pm.Get(res.Header.Get("Location"))
	if !strings.Contains(page, "Vote recorded for @bob") || !strings.Contains(page, "Support ticket 42") {
		t.Fatal("the page does not confirm the recorded vote")
	}
	res, _ = pm.Form("POST", "/ideas/"+i.ID+"/votes", url.Values{"user": {"@bob"}})
	_, page = pm.Get(res.Header.Get("Location"))
	if !strings.Contains(page, "@bob had already voted") {
		t.Fatal("recording twice does not say the customer had voted")
	}
	if got := getIdea(t, ann, i.ID); got.Votes != 2 {
		t.Fatalf("votes = %d, want 2", got.Votes)
	}
}
