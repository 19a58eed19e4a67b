package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
)

type userOut struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	SegmentID string `json:"segment_id"`
	Verified  bool   `json:"verified"`
}

type segmentOut struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Weight   float64 `json:"weight"`
	Verified bool    `json:"verified"`
}

func TestAdminAPIRolesAndPermissions(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Ada", "")
	member := env.Client(t, "Mel", townhall.RoleMember)
	prod := env.Client(t, "Pat", townhall.RoleProduct)
	anon := env.Anonymous(t)

	for _, c := range []*apptest.Client{member, prod} {
		c.WantError("GET", "/api/v1/admin/users", nil, 403, townhall.EFORBIDDEN)
		c.WantError("PUT", "/api/v1/users/"+member.User.ID+"/role", map[string]string{"role": "admin"}, 403, townhall.EFORBIDDEN)
		c.WantError("POST", "/api/v1/segments", map[string]any{"name": "Sneaky"}, 403, townhall.EFORBIDDEN)
		if res, _ := c.Get("/admin/users"); res.StatusCode != 403 {
			t.Errorf("%s GET /admin/users: %d, want 403", c.User.Name, res.StatusCode)
		}
		if res, _ := c.Get("/admin/segments"); res.StatusCode != 403 {
			t.Errorf("%s GET /admin/segments: %d, want 403", c.User.Name, res.StatusCode)
		}
		if res, _ := c.Form("POST", "/admin/users/"+c.User.ID+"/role", url.Values{"role": {"admin"}}); res.StatusCode != 403 {
			t.Errorf("%s promoting self by form: %d, want 403", c.User.Name, res.StatusCode)
		}
	}
	anon.WantError("GET", "/api/v1/admin/users", nil, 401, townhall.EUNAUTHORIZED)
	anon.WantError("PUT", "/api/v1/users/"+member.User.ID+"/role", map[string]string{"role": "admin"}, 401, townhall.EUNAUTHORIZED)
	if res, _ := anon.Get("/admin/users"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin?next=") {
		t.Errorf("anonymous /admin/users: %d to %q, want a redirect to sign in", res.StatusCode, res.Header.Get("Location"))
	}
	var me userOut
	member.JSON("GET", "/api/v1/me", nil, 200, &me)
	if me.Role != "member" {
		t.Fatalf("after refused promotions member has role %q", me.Role)
	}

	var list struct {
		Items []userOut `json:"items"`
		Next  string    `json:"next"`
	}
	admin.JSON("GET", "/api/v1/admin/users", nil, 200, &list)
	if len(list.Items) != 3 || list.Items[0].Name != "Ada" || list.Items[0].Role != "admin" || list.Next != "" {
		t.Fatalf("users = %+v", list)
	}

	msg := admin.WantError("PUT", "/api/v1/users/"+member.User.ID+"/role", map[string]string{"role": "owner"}, 400, townhall.EINVALID)
	if !strings.Contains(msg, "Unknown role") {
		t.Errorf("invalid role message %q", msg)
	}
	admin.WantError("PUT", "/api/v1/users/"+member.User.ID+"/role", `{"role":`, 400, townhall.EINVALID)
	admin.WantError("PUT", "/api/v1/users/nope/role", map[string]string{"role": "member"}, 404, townhall.ENOTFOUND)
	admin.WantError("PUT", "/api/v1/users/"+townhall.NewID()+"/role", map[string]string{"role": "member"}, 404, townhall.ENOTFOUND)
	msg = admin.WantError("PUT", "/api/v1/users/"+admin.User.ID+"/role", map[string]string{"role": "member"}, 409, townhall.ECONFLICT)
	if !strings.Contains(msg, "only admin") {
		t.Errorf("last admin message %q", msg)
	}

	var u userOut
	admin.JSON("PUT", "/api/v1/users/"+member.User.ID+"/role", map[string]string{"role": "moderator"}, 200, &u)
	if u.Role != "moderator" {
		t.Fatalf("role change answered %+v", u)
	}
	member.JSON("GET", "/api/v1/me", nil, 200, &me)
	if me.Role != "moderator" {
		t.Fatalf("member's own view of their role is %q, want moderator", me.Role)
	}
	// With a second admin, the first may step down.
	admin.JSON("PUT", "/api/v1/users/"+prod.User.ID+"/role", map[string]string{"role": "admin"}, 200, nil)
	admin.JSON("PUT", "/api/v1/users/"+admin.User.ID+"/role", map[string]string{"role": "product"}, 200, &u)
	admin.WantError("GET", "/api/v1/admin/users", nil, 403, townhall.EFORBIDDEN)
}

func TestAdminPagesForms(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Ada", "")
	mel := env.Client(t, "Mel", townhall.RoleMember)

	_, page := admin.Get("/")
	if !strings.Contains(page, `href="/admin/users"`) {
		t.Error("header has no Admin link for an admin")
	}
	_, page = mel.Get("/")
	if strings.Contains(page, `href="/admin/users"`) {
		t.Error("header shows the Admin link to a member")
	}

	// Segments: a bad weight keeps what was typed; a good one is created.
	res, body := admin.Form("POST", "/admin/segments", url.Values{"name": {"Startups"}, "weight": {"lots"}})
	if res.StatusCode != 400 || !strings.Contains(body, "Weight must be a number") || !strings.Contains(body, `value="Startups"`) || !strings.Contains(body, `value="lots"`) {
		t.Fatalf("bad weight: %d, want 400 with the message and typed values:\n%.3000s", res.StatusCode, body)
	}
	res, _ = admin.Form("POST", "/admin/segments", url.Values{"name": {"Startups"}, "weight": {"2.5"}, "verified": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create segment: %d", res.StatusCode)
	}
	var segs struct{ Items []segmentOut }
	admin.JSON("GET", "/api/v1/segments", nil, 200, &segs)
	if len(segs.Items) != 1 || segs.Items[0].Weight != 2.5 || !segs.Items[0].Verified {
		t.Fatalf("segments = %+v", segs.Items)
	}
	id := segs.Items[0].ID
	res, body = admin.Form("POST", "/admin/segments/"+id, url.Values{"name": {""}, "weight": {"7"}})
	if res.StatusCode != 400 || !strings.Contains(body, "Segment name is required") || !strings.Contains(body, `id="weight-`+id+`" name="weight" inputmode="decimal" size="6" value="7"`) {
		t.Fatalf("edit with empty name: %d:\n%.3000s", res.StatusCode, body)
	}
	admin.Form("POST", "/admin/segments/"+id, url.Values{"name": {"Scale-ups"}, "weight": {"4"}})
	_, body = admin.Get("/admin/segments")
	if !strings.Contains(body, `value="Scale-ups"`) {
		t.Fatal("edited segment name not shown")
	}

	// Users: role, verified and segment forms.
	for path, vals := range map[string]url.Values{
		"/role":     {"role": {"product"}},
		"/verified": {"verified": {"1"}},
		"/segment":  {"segment_id": {id}},
	} {
		res, _ := admin.Form("POST", "/admin/users/"+mel.User.ID+path, vals)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/users" {
			t.Fatalf("POST %s: %d to %q", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
	var me userOut
	mel.JSON("GET", "/api/v1/me", nil, 200, &me)
	if me.Role != "product" || me.SegmentID != id || !me.Verified {
		t.Fatalf("after admin forms me = %+v", me)
	}
	_, body = admin.Get("/admin/users")
	if !strings.Contains(body, `<option value="product" selected>`) || !strings.Contains(body, `<option value="`+id+`" selected>Scale-ups</option>`) {
		t.Fatalf("users page does not show the changes:\n%.4000s", body)
	}

	res, body = admin.Form("POST", "/admin/users/"+admin.User.ID+"/role", url.Values{"role": {"member"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "This is the only admin. Make someone else admin first.") {
		t.Fatalf("last admin demotion: %d:\n%.3000s", res.StatusCode, body)
	}
	res, body = admin.Form("POST", "/admin/users/"+mel.User.ID+"/role", url.Values{"role": {"root"}})
	if res.StatusCode != 400 || !strings.Contains(body, "Unknown role") {
		t.Fatalf("invalid role by form: %d", res.StatusCode)
	}

	// Deleting the segment unassigns its members.
	admin.Form("POST", "/admin/segments/"+id+"/delete", nil)
	mel.JSON("GET", "/api/v1/me", nil, 200, &me)
	if me.SegmentID != "" {
		t.Fatalf("segment still assigned after delete: %+v", me)
	}
}

func TestAdminUsersPagination(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Ada", "")
	for i := 0; i < 55; i++ {
		env.Client(t, "user"+string(rune('a'+i/26))+string(rune('a'+i%26)), "")
	}
	seen := map[string]bool{}
	path := "/api/v1/admin/users"
	for pages := 0; ; pages++ {
		var list struct {
			Items []userOut
			Next  string
		}
		admin.JSON("GET", path, nil, 200, &list)
		for _, u := range list.Items {
			if seen[u.ID] {
				t.Fatalf("user %s listed twice", u.Name)
			}
			seen[u.ID] = true
		}
		if list.Next == "" {
			if pages != 1 || len(seen) != 56 {
				t.Fatalf("%d users over %d pages, want 56 over 2", len(seen), pages+1)
			}
			break
		}
		path = "/api/v1/admin/users?after=" + list.Next
	}
	_, body := admin.Get("/admin/users")
	if !strings.Contains(body, `rel="next" href="/admin/users?after=`) {
		t.Fatal("users page has no link to the next page")
	}
}
