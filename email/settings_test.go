package email_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/email"
	"github.com/townhall/townhall/email/mailtest"
)

type settingsJSON struct {
	Email     string            `json:"email"`
	EmailOK   bool              `json:"email_ok"`
	NoEmail   bool              `json:"no_email"`
	Digest    string            `json:"digest"`
	Kinds     map[string]string `json:"kinds"`
	Available []struct{ Kind, Label, Default string }
}

func TestPreferencesAPI(t *testing.T) {
	s := newSite(t, nil)
	ann := s.user("Ann", "ann@example.com")
	var got settingsJSON
	ann.JSON("GET", "/api/v1/settings/notifications", nil, http.StatusOK, &got)
	if got.Email != "ann@example.com" || !got.EmailOK || got.NoEmail || got.Digest != "weekly" ||
		got.Kinds["reply"] != "instant" || got.Kinds["mention"] != "instant" || got.Kinds["answer"] != "instant" ||
		got.Kinds["status"] != "instant" || got.Kinds["followed"] != "digest" || len(got.Available) != len(email.Kinds) {
		t.Fatalf("defaults = %+v", got)
	}
	ann.JSON("PUT", "/api/v1/settings/notifications", map[string]any{"digest": "daily", "kinds": map[string]string{"reply": "digest", "followed": "off"}}, http.StatusOK, &got)
	if got.Digest != "daily" || got.Kinds["reply"] != "digest" || got.Kinds["followed"] != "off" || got.Kinds["mention"] != "instant" || got.NoEmail {
		t.Fatalf("after PUT = %+v; kinds left out keep their values", got)
	}
	ann.JSON("PUT", "/api/v1/settings/notifications", map[string]any{"no_email": true}, http.StatusOK, &got)
	ann.JSON("GET", "/api/v1/settings/notifications", nil, http.StatusOK, &got)
	if !got.NoEmail || got.Digest != "daily" || got.Kinds["reply"] != "digest" {
		t.Fatalf("after no_email = %+v", got)
	}
	for _, tc := range []struct {
		body any
		want string
	}{
		{map[string]any{"kinds": map[string]string{"bogus": "off"}}, "kinds.bogus"},
		{map[string]any{"kinds": map[string]string{"reply": "sometimes"}}, "kinds.reply"},
		{map[string]any{"digest": "hourly"}, "digest"},
		{map[string]any{"no_email": "yes"}, "no_email"},
		{"[1,2]", "JSON object"},
	} {
		if msg := ann.WantError("PUT", "/api/v1/settings/notifications", tc.body, http.StatusBadRequest, townhall.EINVALID); !strings.Contains(msg, tc.want) {
			t.Errorf("%v: message %q does not name %s", tc.body, msg, tc.want)
		}
	}
	ann.JSON("GET", "/api/v1/settings/notifications", nil, http.StatusOK, &got)
	if !got.NoEmail || got.Digest != "daily" {
		t.Fatalf("a refused PUT changed something: %+v", got)
	}
	s.env.Anonymous(t).WantError("GET", "/api/v1/settings/notifications", nil, http.StatusUnauthorized, townhall.EUNAUTHORIZED)
	s.env.Anonymous(t).WantError("PUT", "/api/v1/settings/notifications", map[string]any{"no_email": true}, http.StatusUnauthorized, townhall.EUNAUTHORIZED)
}

func TestPreferencesPage(t *testing.T) {
	s := newSite(t, nil)
	ann := s.user("Ann", "ann@example.com")
	_, page := ann.Get("/settings/notifications")
	mustContain(t, "settings page", page, "Email goes to <strong>ann@example.com</strong>",
		`name="kind_reply" value="instant" id="kind-reply-instant"`, `<option value="weekly" selected>`)
	form := url.Values{"digest": {"daily"}, "kind_mention": {"off"}}
	for _, k := range email.Kinds {
		if k.Name != "mention" {
			form.Set("kind_"+k.Name, string(k.Default))
		}
	}
	res, _ := ann.Form("POST", "/settings/notifications", form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/settings/notifications?saved=1" {
		t.Fatalf("save: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, page = ann.Get("/settings/notifications?saved=1")
	mustContain(t, "saved page", page, "Your email settings are saved.", `<option value="daily" selected>`)
	if !strings.Contains(page, `value="off" id="kind-mention-off" aria-labelledby="kind-mention kind-mention-off-label" checked`) {
		t.Fatalf("mentions are not shown off:\n%s", page)
	}
	// A refused form comes back with the message and what was chosen.
	form.Set("kind_mention", "sometimes")
	form.Set("no_email", "1")
	res, page = ann.Form("POST", "/settings/notifications", form)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad choice: %d", res.StatusCode)
	}
	mustContain(t, "refused form", page, "kinds.mention must be instant, digest or off", `id="no-email" name="no_email" value="1" checked`)
	st, err := s.env.App.Email.Settings(context.Background(), ann.User)
	if err != nil || st.NoEmail || st.Kinds["mention"] != email.Off {
		t.Fatalf("the refused form changed the settings: %+v, %v", st, err)
	}
	// Without an address the page says so.
	nia := s.user("Nia", "")
	_, page = nia.Get("/settings/notifications")
	mustContain(t, "page without address", page, "did not give us an email address")
	if res, _ := s.env.Anonymous(t).Get("/settings/notifications"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("anonymous settings page: %d, want a redirect to sign in", res.StatusCode)
	}
}

func TestOneClickUnsubscribe(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSite(t, srv)
	ann := s.user("Ann", "ann@example.com")
	tid := thread(t, ann, s.category("General"), "Dark mode?", "Please.")
	reply(t, s.admin, tid, "Soon.")
	m := srv.Wait(t, 1, 20*time.Second)[0]
	link := strings.Trim(header(t, m, "List-Unsubscribe"), "<>")
	path := strings.TrimPrefix(link, s.env.URL)
	anon := s.env.Anonymous(t)

	// Opening the link asks first and changes nothing (link scanners open links).
	res, page := anon.Get(path)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "Replies in threads you started") || !strings.Contains(page, `<form action="`+path+`" method="post">`) {
		t.Fatalf("GET %s: %d\n%s", path, res.StatusCode, page)
	}
	if st, _ := s.env.App.Email.Settings(context.Background(), ann.User); st.Kinds["reply"] != email.Instant {
		t.Fatal("opening the link unsubscribed")
	}
	// A tampered or cut token: a clear 400 page, nothing changed.
	for _, bad := range []string{path[:len(path)-3] + "xyz", path[:len(path)-10], "/unsubscribe/not-a-token"} {
		res, page := oneClick(t, s.env.URL+bad, "https://mail.provider.example")
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "This unsubscribe link is not valid") {
			t.Fatalf("POST %s: %d\n%.2000s", bad, res.StatusCode, page)
		}
	}
	if st, _ := s.env.App.Email.Settings(context.Background(), ann.User); st.Kinds["reply"] != email.Instant {
		t.Fatal("a bad token changed the settings")
	}
	// The mail provider's one-click POST, from its own origin, without sign-in.
	res, page = oneClick(t, link, "https://mail.provider.example")
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "You are unsubscribed") {
		t.Fatalf("one-click: %d\n%.2000s", res.StatusCode, page)
	}
	st, _ := s.env.App.Email.Settings(context.Background(), ann.User)
	if st.Kinds["reply"] != email.Off || st.Kinds["mention"] != email.Instant {
		t.Fatalf("after one-click: %+v; want replies off, the rest as it was", st.Kinds)
	}
	// No more reply email for Ann.
	reply(t, s.admin, tid, "Now really soon.")
	s.settle()
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("%d emails after unsubscribing, want the first only", n)
	}
	// Only that path skips cross-origin protection.
	if res, _ := oneClick(t, s.env.URL+"/settings/notifications", "https://mail.provider.example"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a cross-origin POST to the settings: %d, want 403", res.StatusCode)
	}
	// An expired link changes nothing either.
	s.env.App.Email.SetClock(func() time.Time { return time.Now().Add(email.TokenLifetime + time.Hour) })
	res, page = oneClick(t, link, "")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "expired") {
		t.Fatalf("expired link: %d\n%.2000s", res.StatusCode, page)
	}
}

// oneClick posts "List-Unsubscribe=One-Click" the way a mail provider does
// (RFC 8058), from origin when set.
func oneClick(t *testing.T, link, origin string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("POST", link, strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}
