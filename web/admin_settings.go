package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/settings"
)

// The site settings admins change while the site runs (package settings):
// /admin/settings, a form grouped by feature, and GET/PUT
// /api/v1/admin/settings, the whole document as JSON.
func (s *Server) adminSettingsRoutes(r *gin.Engine) {
	r.GET("/admin/settings", s.h(s.adminSettingsPage))
	r.POST("/admin/settings", s.h(s.adminSettingsForm))
	api := s.api()
	api.GET("/admin/settings", s.h(s.apiAdminSettings))
	api.PUT("/admin/settings", s.h(s.apiUpdateAdminSettings))
}

// settingField is one row of the settings page: a field of settings.Site
// by its JSON name, with the words the page shows. Features add their
// rows here (a whole number or a switch).
type settingField struct {
	Group, Name, Label, Help string
	Min, Max                 int
	num                      func(*settings.Site) *int
	on                       func(*settings.Site) *bool
}

// IsSwitch reports whether the field is a checkbox.
func (f settingField) IsSwitch() bool { return f.on != nil }

func trustRows(name, label string, req func(*settings.Site) *settings.TrustRequirement) []settingField {
	const group = "Trust levels"
	return []settingField{
		{Group: group, Name: "trust_levels." + name + ".days_visited", Label: label + ": days visited", Max: 100000,
			num: func(s *settings.Site) *int { return &req(s).DaysVisited }},
		{Group: group, Name: "trust_levels." + name + ".posts", Label: label + ": posts", Max: 100000,
			Help: "Threads, replies, ideas, comments and reviews that are not hidden.",
			num:  func(s *settings.Site) *int { return &req(s).Posts }},
		{Group: group, Name: "trust_levels." + name + ".accepted_answers", Label: label + ": accepted answers", Max: 100000,
			num: func(s *settings.Site) *int { return &req(s).AcceptedAnswers }},
		{Group: group, Name: "trust_levels." + name + ".reputation", Label: label + ": reputation", Max: 100000,
			Help: "Points from accepted answers, likes, helpful votes on reviews and planned or shipped ideas.",
			num:  func(s *settings.Site) *int { return &req(s).Reputation }},
	}
}

// settingFields lists every row of the settings page, in page order.
var settingFields = append([]settingField{
	{Group: "Flags", Name: "flag_threshold", Label: "Flags that hide an item", Min: 1, Max: settings.MaxFlagThreshold,
		Help: "When this many members flag the same post it is hidden at once until a moderator reviews it. A regular's (trust level 3) flag hides at once.",
		num:  func(s *settings.Site) *int { return &s.FlagThreshold }},
	{Group: "Flags", Name: "new_member_flags_count", Label: "New members' flags count toward that",
		Help: "Off: flags from trust level 0 still reach the review queue but never hide anything.",
		on:   func(s *settings.Site) *bool { return &s.NewMemberFlagsCount }},
	{Group: "New members", Name: "hold_new_member_posts", Label: "Hold a new member's first threads, ideas and reviews", Max: settings.MaxHoldPosts,
		Help: "That many of a level 0 member's first threads, ideas and reviews wait in the review queue until a moderator approves them; 0 holds none.",
		num:  func(s *settings.Site) *int { return &s.HoldNewMemberPosts }},
	{Group: "Profiles", Name: "segments_public", Label: "Show each member's customer segment on their profile",
		Help: "Off: segments stay between the product team and the member.",
		on:   func(s *settings.Site) *bool { return &s.SegmentsPublic }},
},
	append(append(trustRows("basic", "Basic (level 1)", func(s *settings.Site) *settings.TrustRequirement { return &s.TrustLevels.Basic }),
		trustRows("member", "Member (level 2)", func(s *settings.Site) *settings.TrustRequirement { return &s.TrustLevels.Member })...),
		trustRows("regular", "Regular (level 3)", func(s *settings.Site) *settings.TrustRequirement { return &s.TrustLevels.Regular })...)...)

// settingRow is a field with its current value, for the page.
type settingRow struct {
	settingField
	Value string
	On    bool
}

type settingGroup struct {
	Name string
	Rows []settingRow
}

func settingGroups(site settings.Site) []settingGroup {
	var groups []settingGroup
	for _, f := range settingFields {
		row := settingRow{settingField: f}
		if f.on != nil {
			row.On = *f.on(&site)
		} else {
			row.Value = strconv.Itoa(*f.num(&site))
		}
		if len(groups) == 0 || groups[len(groups)-1].Name != f.Group {
			groups = append(groups, settingGroup{Name: f.Group})
		}
		groups[len(groups)-1].Rows = append(groups[len(groups)-1].Rows, row)
	}
	return groups
}

func (s *Server) adminSettingsView(c *gin.Context, site settings.Site, saved bool) *view {
	v := s.view(c, "Settings · Admin")
	v.Nav = "admin"
	v.Data = map[string]any{"Groups": settingGroups(site), "Saved": saved}
	return v
}

func (s *Server) adminSettingsPage(c *gin.Context) error {
	site, err := s.svc.Settings.ForAdmin(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	return s.html(c, http.StatusOK, "admin_settings", s.adminSettingsView(c, site, c.Query("saved") != ""))
}

// applyForm sets every field of the page from the posted form.
func applyForm(c *gin.Context, site *settings.Site) error {
	for _, f := range settingFields {
		if f.on != nil {
			*f.on(site) = c.PostForm(f.Name) != ""
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(c.PostForm(f.Name)))
		if err != nil {
			return townhall.Errorf(townhall.EINVALID, "%s must be a whole number.", f.Name)
		}
		*f.num(site) = n
	}
	return nil
}

func (s *Server) adminSettingsForm(c *gin.Context) error {
	u := currentUser(c)
	_, _, err := s.svc.Settings.Update(c.Request.Context(), u, func(site *settings.Site) error { return applyForm(c, site) })
	if err == nil {
		return redirectBack(c, "/admin/settings?saved=1")
	}
	current, gerr := s.svc.Settings.ForAdmin(c.Request.Context(), u)
	if gerr != nil {
		return gerr
	}
	return rerender("admin_settings", s.adminSettingsView(c, current, false), err)
}

func (s *Server) apiAdminSettings(c *gin.Context) error {
	site, err := s.svc.Settings.ForAdmin(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, site)
}

// apiUpdateAdminSettings changes the fields the body names and leaves the
// others as they are; an unknown field is refused, so a typo never passes
// for a change.
func (s *Server) apiUpdateAdminSettings(c *gin.Context) error {
	var raw json.RawMessage
	if err := decodeJSON(c, &raw); err != nil {
		return err
	}
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return townhall.Errorf(townhall.EINVALID, "The request body must be a JSON object of settings.")
	}
	_, after, err := s.svc.Settings.Update(c.Request.Context(), currentUser(c), func(site *settings.Site) error {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		return settingsDecodeError(dec.Decode(site))
	})
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, after)
}

// settingsDecodeError says which setting a body got wrong.
func settingsDecodeError(err error) error {
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typ) && typ.Field != "":
		return townhall.Errorf(townhall.EINVALID, "%s must be a %s.", typ.Field, jsonKind(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return townhall.Errorf(townhall.EINVALID, "There is no setting %s.", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return townhall.Errorf(townhall.EINVALID, "The settings are not valid JSON: %s.", strings.TrimPrefix(err.Error(), "json: "))
}
