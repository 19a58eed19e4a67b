package web

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/loyalty"
)

// Public profiles: /u/HANDLE with its tabs, /users/ID (a redirect there),
// /settings/profile, and the same through the API.

type profileData struct {
	*loyalty.ProfileView
	Tab        string
	Tabs       []profileTab
	Activity   townhall.Page[*loyalty.Activity]
	Reputation townhall.Page[*loyalty.Entry]
	Mine       bool // the viewer's own profile
	CanGrant   bool // the viewer is an admin
	Champion   *loyalty.Badge
	URL        *url.URL
}

type profileTab struct{ Key, Label string }

var profileTabs = []profileTab{
	{loyalty.TabThreads, "Threads"}, {loyalty.TabReplies, "Replies"}, {loyalty.TabAnswers, "Accepted answers"},
	{loyalty.TabIdeas, "Ideas"}, {loyalty.TabReviews, "Reviews"}, {loyalty.TabReputation, "Reputation"},
}

func (s *Server) profilePage(c *gin.Context) error {
	ctx := c.Request.Context()
	viewer := currentUser(c)
	p, err := s.svc.Loyalty.Profile(ctx, viewer, c.Param("handle"))
	if err != nil {
		return err
	}
	if c.Param("handle") != p.User.Handle { // "@Ann" or "ANN": one address per person
		c.Redirect(http.StatusMovedPermanently, "/u/"+p.User.Handle+queryString(c))
		return nil
	}
	d := &profileData{ProfileView: p, Tab: c.DefaultQuery("tab", loyalty.TabThreads), Tabs: profileTabs, Mine: viewer.Is(p.User.ID),
		CanGrant: viewer != nil && viewer.Role == townhall.RoleAdmin, Champion: loyalty.BadgeBySlug(loyalty.Champion), URL: c.Request.URL}
	if d.Tab == loyalty.TabReputation {
		_, d.Reputation, err = s.svc.Loyalty.Reputation(ctx, viewer, p.User.Handle, c.Query("after"))
	} else {
		_, d.Activity, err = s.svc.Loyalty.Activity(ctx, viewer, p.User.Handle, d.Tab, c.Query("after"))
	}
	if err != nil {
		return err
	}
	v := s.view(c, p.User.Name)
	v.Nav = "people"
	v.Data = d
	return s.html(c, http.StatusOK, "loyalty_profile", v)
}

func queryString(c *gin.Context) string {
	if q := c.Request.URL.RawQuery; q != "" {
		return "?" + q
	}
	return ""
}

// userRedirect sends /users/ID to the person's profile, so pages that know
// an author's id but not their handle can link every name.
func (s *Server) userRedirect(c *gin.Context) error {
	u, err := s.svc.Auth.User(c.Request.Context(), c.Param("id"))
	if err != nil {
		if townhall.ErrorCode(err) == townhall.ENOTFOUND {
			return loyalty.ErrUserNotFound
		}
		return err
	}
	if !u.DeletedAt.IsZero() {
		return loyalty.ErrUserNotFound // a deleted account has no profile
	}
	c.Redirect(http.StatusFound, "/u/"+u.Handle)
	return nil
}

type settingsData struct {
	*loyalty.ProfileSettings
	Saved bool
}

func (s *Server) settingsView(c *gin.Context) (*view, *settingsData, error) {
	u, err := requireUser(c)
	if err != nil {
		return nil, nil, err
	}
	set, err := s.svc.Loyalty.Settings(c.Request.Context(), u)
	if err != nil {
		return nil, nil, err
	}
	v := s.view(c, "Edit your profile")
	d := &settingsData{ProfileSettings: set}
	v.Data = d
	return v, d, nil
}

func (s *Server) profileSettingsPage(c *gin.Context) error {
	v, d, err := s.settingsView(c)
	if err != nil {
		return err
	}
	d.Saved = c.Query("saved") == "1"
	v.Form = url.Values{"name": {d.User.Name}, "bio": {d.Profile.Bio}, "badge": {""}}
	if d.Profile.BadgeChosen {
		v.Form.Set("badge", d.User.Badge)
	}
	return s.html(c, http.StatusOK, "loyalty_settings", v)
}

func (s *Server) profileSettingsForm(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	name, bio, badge := c.PostForm("name"), c.PostForm("bio"), c.PostForm("badge")
	_, err = s.svc.Loyalty.UpdateProfile(c.Request.Context(), u, loyalty.ProfileInput{Name: &name, Bio: &bio, Badge: &badge})
	if err != nil {
		v, _, lerr := s.settingsView(c)
		if lerr != nil {
			return lerr
		}
		return rerender("loyalty_settings", v, err)
	}
	return redirectBack(c, "/settings/profile?saved=1")
}

// badgeJSON is a badge, with when its holder got it on a profile.
type badgeJSON struct {
	Slug        string     `json:"slug"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Tier        string     `json:"tier"`
	Granted     bool       `json:"granted,omitempty"` // given by admins, not earned
	AwardedAt   *time.Time `json:"awarded_at,omitempty"`
	Holders     *int       `json:"holders,omitempty"`
	URL         string     `json:"url"`
}

func toBadgeJSON(b *loyalty.Badge) badgeJSON {
	return badgeJSON{Slug: b.Slug, Name: b.Name, Description: b.Description, Tier: b.Tier.String(), Granted: b.Granted, URL: loyalty.BadgeURL(b.Slug)}
}

// profileJSON is a public profile.
type profileJSON struct {
	ID          string        `json:"id"`
	Handle      string        `json:"handle"`
	Name        string        `json:"name"`
	AvatarURL   string        `json:"avatar_url,omitempty"`
	MemberSince time.Time     `json:"member_since"`
	Staff       bool          `json:"staff"`
	Role        townhall.Role `json:"role,omitempty"` // for staff, what they do
	Verified    bool          `json:"verified"`
	Champion    bool          `json:"champion"`
	Reputation  int           `json:"reputation"`
	Badge       *badgeJSON    `json:"highlighted_badge,omitempty"`
	Badges      []badgeJSON   `json:"badges"`
	Bio         string        `json:"bio"`
	BioHTML     template.HTML `json:"bio_html"`
	Segment     string        `json:"segment,omitempty"`
	URL         string        `json:"url"`
}

func toProfileJSON(p *loyalty.ProfileView) profileJSON {
	u := p.User
	out := profileJSON{ID: u.ID, Handle: u.Handle, Name: u.Name, AvatarURL: u.AvatarURL, MemberSince: u.CreatedAt, Staff: p.Staff,
		Verified: u.Verified, Champion: u.Champion, Reputation: u.Reputation, Badges: []badgeJSON{}, Bio: p.BioSource, BioHTML: p.Bio,
		Segment: p.Segment, URL: "/u/" + u.Handle}
	if p.Staff {
		out.Role = u.Role
	}
	if p.Highlight != nil {
		b := toBadgeJSON(p.Highlight)
		out.Badge = &b
	}
	for _, h := range p.Badges {
		b := toBadgeJSON(h.Badge)
		at := h.At
		b.AwardedAt, b.Granted = &at, h.Granted
		out.Badges = append(out.Badges, b)
	}
	return out
}

func (s *Server) apiProfile(c *gin.Context) error {
	ctx := c.Request.Context()
	p, err := s.svc.Loyalty.Profile(ctx, currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toProfileJSON(p))
}

type activityJSON struct {
	Kind      string    `json:"kind"`
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Excerpt   string    `json:"excerpt"`
	Count     int       `json:"count"` // replies, votes, stars or likes, by kind
	Status    string    `json:"status,omitempty"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
}

type entryJSON struct {
	ID          string    `json:"id"`
	Points      int       `json:"points"`
	Reason      string    `json:"reason"`
	Explanation string    `json:"explanation"`
	Title       string    `json:"title,omitempty"`
	URL         string    `json:"url,omitempty"`
	At          time.Time `json:"at"`
}

// apiProfileTab answers one profile tab: threads, replies, answers, ideas,
// reviews or reputation.
func (s *Server) apiProfileTab(c *gin.Context) error {
	ctx := c.Request.Context()
	if tab := c.Param("tab"); tab == loyalty.TabReputation {
		_, page, err := s.svc.Loyalty.Reputation(ctx, currentUser(c), c.Param("id"), c.Query("after"))
		if err != nil {
			return err
		}
		items := make([]entryJSON, len(page.Items))
		for i, e := range page.Items {
			expl := e.Signed() + " " + e.Phrase()
			if e.Title != "" {
				expl += " “" + e.Title + "”"
			}
			items[i] = entryJSON{ID: e.ID, Points: e.Points, Reason: string(e.Reason), Explanation: expl, Title: e.Title, URL: e.URL(), At: e.At}
		}
		return sendJSON(c, http.StatusOK, gin.H{"items": items, "next": page.Next})
	}
	_, page, err := s.svc.Loyalty.Activity(ctx, currentUser(c), c.Param("id"), c.Param("tab"), c.Query("after"))
	if err != nil {
		if townhall.ErrorCode(err) == townhall.EINVALID && c.Query("after") == "" {
			return notFoundErr("page") // /users/ann/nonsense is no address
		}
		return err
	}
	items := make([]activityJSON, len(page.Items))
	for i, a := range page.Items {
		items[i] = activityJSON{Kind: a.Kind, ID: a.ID, Title: a.Title, Excerpt: a.Excerpt, Count: a.Count, Status: string(a.Status),
			URL: a.URL(), CreatedAt: a.At}
	}
	return sendJSON(c, http.StatusOK, gin.H{"items": items, "next": page.Next})
}

// apiUpdateProfile changes your own display name, bio and highlighted
// badge: PATCH /api/v1/me {"name", "bio", "badge"}, each optional.
func (s *Server) apiUpdateProfile(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	fields, err := decodeStrings(c, "name", "bio", "badge")
	if err != nil {
		return err
	}
	if _, err := s.svc.Loyalty.UpdateProfile(c.Request.Context(), u, loyalty.ProfileInput{Name: fields["name"], Bio: fields["bio"],
		Badge: fields["badge"]}); err != nil {
		return err
	}
	p, err := s.svc.Loyalty.Profile(c.Request.Context(), u, u.Handle)
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toProfileJSON(p))
}

// decodeStrings reads a JSON object whose fields are all optional strings,
// refusing unknown fields, other types and text that is not valid UTF-8,
// each with a message naming the field. JSON decoding alone would turn
// invalid bytes (and lone surrogates like "\ud800") into U+FFFD without a
// word.
func decodeStrings(c *gin.Context, names ...string) (map[string]*string, error) {
	var raw map[string]json.RawMessage
	if err := decodeJSON(c, &raw); err != nil {
		return nil, err
	}
	out := map[string]*string{}
	for field, v := range raw {
		known := false
		for _, n := range names {
			known = known || n == field
		}
		if !known {
			return nil, townhall.Errorf(townhall.EINVALID, "Unknown field %.40q; send %s.", field, strings.Join(names, ", "))
		}
		if !utf8.Valid(v) {
			return nil, townhall.Errorf(townhall.EINVALID, "Field %q is not valid UTF-8.", field)
		}
		var s *string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, townhall.Errorf(townhall.EINVALID, "Field %q must be a string.", field)
		}
		if s != nil && strings.ContainsRune(*s, utf8.RuneError) && !bytes.Contains(v, []byte("\uFFFD")) && !bytes.Contains(bytes.ToLower(v), []byte(`\ufffd`)) {
			return nil, townhall.Errorf(townhall.EINVALID, "Field %q is not valid UTF-8 (it holds an unpaired surrogate).", field)
		}
		out[field] = s
	}
	return out, nil
}

// grantForm gives or takes back a granted badge (Champion) from a profile
// page: on=true grants.
func (s *Server) grantForm(c *gin.Context) error {
	ctx := c.Request.Context()
	p, err := s.svc.Loyalty.Profile(ctx, currentUser(c), c.Param("handle"))
	if err != nil {
		return err
	}
	if _, err := s.svc.Loyalty.Grant(ctx, currentUser(c), p.User.ID, c.Param("badge"), formOn(c)); err != nil {
		return err
	}
	return redirectBack(c, "/u/"+p.User.Handle)
}

// apiGrant grants (PUT) or revokes (DELETE) a granted badge of the person
// with the given id; admins only.
func (s *Server) apiGrant(on bool) handler {
	return func(c *gin.Context) error {
		ctx := c.Request.Context()
		u, err := s.svc.Loyalty.Grant(ctx, currentUser(c), c.Param("id"), c.Param("badge"), on)
		if err != nil {
			return err
		}
		p, err := s.svc.Loyalty.Profile(ctx, currentUser(c), u.Handle)
		if err != nil {
			return err
		}
		return sendJSON(c, http.StatusOK, toProfileJSON(p))
	}
}
