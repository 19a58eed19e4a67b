package email_test

import (
	"fmt"
	"mime"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/email/mailtest"
)

func propose(t *testing.T, c *apptest.Client, title string) string {
	t.Helper()
	var i struct{ ID string }
	c.JSON("POST", "/api/v1/ideas", map[string]any{"title": title, "body": "Please."}, http.StatusCreated, &i)
	return i.ID
}

// byRecipient groups received messages by their envelope recipient.
func byRecipient(ms []*mailtest.Message) map[string][]*mailtest.Message {
	out := map[string][]*mailtest.Message{}
	for _, m := range ms {
		out[m.To[0]] = append(out[m.To[0]], m)
	}
	return out
}

func TestShippedIdeaEmailsEveryVoterOnceWithTheResponse(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSite(t, srv)
	pat := s.env.ClientWithEmail(t, "Pat", townhall.RoleProduct, "pat@acme.example")
	ann := s.user("Ann", "ann@example.com")
	idea := propose(t, ann, "Offline mode")
	voters := []string{"ann@example.com"}
	var optedOut *apptest.Client
	for k := range 5 {
		v := s.user(fmt.Sprintf("Voter %d", k), fmt.Sprintf("v%d@example.com", k))
		v.JSON("POST", "/api/v1/ideas/"+idea+"/vote", nil, http.StatusOK, nil)
		if k == 4 {
			optedOut = v // switched status email off
			v.JSON("PUT", "/api/v1/settings/notifications", map[string]any{"kinds": map[string]string{"status": "off"}}, http.StatusOK, nil)
		} else {
			voters = append(voters, fmt.Sprintf("v%d@example.com", k))
		}
	}
	s.user("No Address", "").JSON("POST", "/api/v1/ideas/"+idea+"/vote", nil, http.StatusOK, nil)
	cy := s.user("Cy", "cy@example.com") // only commented: followed activity, a digest line
	cy.JSON("POST", "/api/v1/ideas/"+idea+"/comments", map[string]string{"body": "Would love this"}, http.StatusCreated, nil)
	// A duplicate with voters of its own, merged in: they vote for the idea now.
	dee := s.user("Dee", "dee@example.com")
	dup := propose(t, dee, "Work without a connection")
	for k := range 2 {
		w := s.user(fmt.Sprintf("Dup voter %d", k), fmt.Sprintf("w%d@example.com", k))
		w.JSON("POST", "/api/v1/ideas/"+dup+"/vote", nil, http.StatusOK, nil)
		voters = append(voters, fmt.Sprintf("w%d@example.com", k))
	}
	voters = append(voters, "dee@example.com")
	pat.JSON("POST", "/api/v1/ideas/"+dup+"/merge", map[string]string{"into": idea}, http.StatusOK, nil)
	s.settle()
	before := len(srv.Messages())

	pat.JSON("PUT", "/api/v1/ideas/"+idea+"/status", map[string]string{"status": "done", "response": "Shipped in **4.3**. Thanks for voting!"}, http.StatusOK, nil)
	srv.Wait(t, before+len(voters), 30*time.Second)
	s.settle()
	shipped := byRecipient(srv.Messages()[before:])
	dec := new(mime.WordDecoder)
	for _, addr := range voters {
		ms := shipped[addr]
		if len(ms) != 1 {
			t.Fatalf("%s got %d emails about shipping, want 1", addr, len(ms))
		}
		m := ms[0]
		subject, _ := dec.DecodeHeader(m.Header.Get("Subject"))
		if subject != "[Acme Community] “Offline mode” is now Done" {
			t.Fatalf("%s: subject %q", addr, subject)
		}
		mustContain(t, addr+"'s text part", m.Text, "Official response", "Shipped in **4.3**. Thanks for voting!", s.env.URL+"/ideas/"+idea)
		mustContain(t, addr+"'s HTML part", m.HTML, "Shipped in <strong>4.3</strong>", `href="`+s.env.URL+`/ideas/`+idea)
	}
	if len(shipped) != len(voters) {
		t.Fatalf("emails went to %d people, want the %d voters: %v", len(shipped), len(voters), keys(shipped))
	}
	for _, who := range []string{optedOut.User.ID, cy.User.ID, pat.User.ID} {
		for _, m := range s.messages() {
			if m.UserID == who && strings.Contains(m.Subject, "is now Done") {
				t.Fatalf("%s was emailed: %s", who, m.Subject)
			}
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
