package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/account"
)

// Account data rights: /settings/account, where a person downloads their
// data or deletes their account, the admin's same two actions for anyone
// (from /admin/users), and the JSON API for both.

func (s *Server) accountRoutes(r *gin.Engine) {
	r.GET("/settings/account", s.h(s.accountPage))
	r.GET("/settings/account/export", s.h(s.exportOwnData))
	r.POST("/settings/account/delete", s.h(s.deleteOwnAccountForm))
	r.GET("/settings/account/deleted", s.h(s.accountDeletedPage))
	r.GET("/admin/users/:id/export", s.h(s.exportUserData))
	r.GET("/admin/users/:id/delete", s.h(s.adminDeleteUserPage))
	r.POST("/admin/users/:id/delete", s.h(s.adminDeleteUserForm))

	api := s.api()
	api.GET("/me/export", s.h(s.exportOwnData))
	api.DELETE("/me", s.h(s.apiDeleteOwnAccount))
	api.GET("/admin/users/:id/export", s.h(s.exportUserData))
	api.DELETE("/admin/users/:id", s.h(s.apiAdminDeleteUser))
}

// confirms reports whether what a person typed to confirm a deletion is
// the account's handle (with or without the @, in any case).
func confirms(typed string, u *townhall.User) bool {
	return strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(typed), "@"), u.Handle)
}

func errNotConfirmed(u *townhall.User) error {
	return townhall.Errorf(townhall.EINVALID, "To confirm, type the handle @%s exactly.", u.Handle)
}

func (s *Server) accountPage(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	return s.html(c, http.StatusOK, "account_settings", s.accountView(c, u))
}

// accountView is the view of a person's own account page.
func (s *Server) accountView(c *gin.Context, u *townhall.User) *view {
	v := s.view(c, "Your account")
	d := map[string]any{"Person": u, "Self": true}
	if s.svc.Moderation != nil { // the trust level and what the next one needs
		if p, err := s.svc.Moderation.Progress(c.Request.Context(), u); err == nil {
			d["Trust"] = p
		}
	}
	v.Data = d
	return v
}

// deleteOwnAccountForm deletes the signed-in person's account once they
// typed their handle, signs the browser out and says what happened.
func (s *Server) deleteOwnAccountForm(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	v := s.accountView(c, u)
	if !confirms(c.PostForm("confirm"), u) {
		return rerender("account_settings", v, errNotConfirmed(u))
	}
	if err := s.svc.Account.Delete(c.Request.Context(), u, u.ID); err != nil {
		return rerender("account_settings", v, err)
	}
	s.accountDeleted(c)
	return redirectBack(c, "/settings/account/deleted")
}

func (s *Server) accountDeletedPage(c *gin.Context) error {
	v := s.view(c, "Account deleted")
	return s.html(c, http.StatusOK, "account_deleted", v)
}

func (s *Server) apiDeleteOwnAccount(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	var req struct {
		Confirm string `json:"confirm"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if !confirms(req.Confirm, u) {
		return townhall.Errorf(townhall.EINVALID, `Send {"confirm": "%s"}, your handle, to delete your account.`, u.Handle)
	}
	if err := s.svc.Account.Delete(c.Request.Context(), u, u.ID); err != nil {
		return err
	}
	s.accountDeleted(c)
	c.Status(http.StatusNoContent)
	return nil
}

// accountDeleted finishes a person's own deletion: this browser is signed
// out (the store ended every session already), and pages cached for
// visitors drop the name at once, as they do after a staff member's
// write (anonPageCache).
func (s *Server) accountDeleted(c *gin.Context) {
	s.clearSessionCookie(c)
	if s.pageCache != nil {
		s.pageCache.purge()
	}
}

// adminDeleteView is the confirmation page of deleting the person the
// path names, refused before the lookup for anyone but admins.
func (s *Server) adminDeleteView(c *gin.Context) (*townhall.User, *view, error) {
	actor, err := requireUser(c)
	if err != nil {
		return nil, nil, err
	}
	if actor.Role != townhall.RoleAdmin {
		return nil, nil, townhall.Errorf(townhall.EFORBIDDEN, "Only admins can manage other people's accounts.")
	}
	u, err := s.svc.Auth.User(c.Request.Context(), c.Param("id"))
	if err != nil {
		return nil, nil, err
	}
	v := s.view(c, "Delete "+u.Name+" · Admin")
	v.Nav = "admin"
	v.Data = map[string]any{"Person": u}
	return u, v, nil
}

func (s *Server) adminDeleteUserPage(c *gin.Context) error {
	_, v, err := s.adminDeleteView(c)
	if err != nil {
		return err
	}
	return s.html(c, http.StatusOK, "admin_user_delete", v)
}

func (s *Server) adminDeleteUserForm(c *gin.Context) error {
	u, v, err := s.adminDeleteView(c)
	if err != nil {
		return err
	}
	if !confirms(c.PostForm("confirm"), u) {
		return rerender("admin_user_delete", v, errNotConfirmed(u))
	}
	if err := s.svc.Account.Delete(c.Request.Context(), currentUser(c), u.ID); err != nil {
		return rerender("admin_user_delete", v, err)
	}
	return redirectBack(c, "/admin/users#user-"+u.ID)
}

func (s *Server) apiAdminDeleteUser(c *gin.Context) error {
	if err := s.svc.Account.Delete(c.Request.Context(), currentUser(c), c.Param("id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) exportOwnData(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	return s.exportData(c, u.ID)
}

func (s *Server) exportUserData(c *gin.Context) error {
	if _, err := requireUser(c); err != nil {
		return err
	}
	return s.exportData(c, c.Param("id"))
}

// exportData streams userID's data as one JSON document (see jsonExport);
// the service refuses anyone but the person and admins before a byte is
// sent.
func (s *Server) exportData(c *gin.Context, userID string) error {
	segs, err := s.svc.Auth.Segments(c.Request.Context())
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, g := range segs {
		names[g.ID] = g.Name
	}
	w := &jsonExport{c: c, site: s.cfg.SiteName, segments: names, loc: s.svc.Auth.Location()}
	if err := s.svc.Account.Export(c.Request.Context(), currentUser(c), userID, w); err != nil {
		return err
	}
	return w.end()
}

// jsonExport writes an account.Export as it arrives, one record at a time:
//
//	{"site": ..., "exported_at": ..., "profile": {...},
//	 "sign_ins": [...], "threads": [...], ..., "notifications": [...],
//	 "loyalty": {...}, "email_settings": {...}, "api_tokens": [...]}
type jsonExport struct {
	c        *gin.Context
	site     string
	segments map[string]string
	loc      *time.Location
	w        io.Writer
	enc      *json.Encoder
	kind     string // the kind being written, "" before the first
	n        int    // records written in the current kind
	inList   bool   // a kind's list is open
}

// Person begins the answer: the headers, then the profile.
func (e *jsonExport) Person(u *townhall.User) error {
	c := e.c
	c.Header("Content-Type", "application/json; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-data-%s.json"`, u.Handle, time.Now().In(e.loc).Format(time.DateOnly)))
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	e.w = c.Writer
	e.enc = json.NewEncoder(e.w)
	profile := map[string]any{"id": u.ID, "handle": u.Handle, "name": u.Name, "email": u.Email, "avatar_url": u.AvatarURL,
		"role": u.Role, "verified": u.Verified, "created_at": u.CreatedAt, "days_visited": u.DaysVisited,
		"segment": nil, "last_seen_at": nil, "deleted_at": nil}
	if u.SegmentID != "" {
		profile["segment"] = map[string]string{"id": u.SegmentID, "name": e.segments[u.SegmentID]}
	}
	if !u.LastSeenAt.IsZero() {
		profile["last_seen_at"] = u.LastSeenAt
	}
	if !u.DeletedAt.IsZero() {
		profile["deleted_at"] = u.DeletedAt
	}
	head, err := json.Marshal(map[string]any{"site": e.site, "exported_at": time.Now().UTC()})
	if err != nil {
		return err
	}
	if _, err := e.w.Write(head[:len(head)-1]); err != nil { // the object stays open
		return err
	}
	if _, err := io.WriteString(e.w, `,"profile":`); err != nil {
		return err
	}
	return e.enc.Encode(profile)
}

// Kind opens the list of one kind of records, closing the one before.
func (e *jsonExport) Kind(kind string) error {
	if err := e.key(kind); err != nil {
		return err
	}
	e.kind, e.n, e.inList = kind, 0, true
	_, err := io.WriteString(e.w, "[")
	return err
}

// key writes the next top-level key, closing the kind's list before it.
func (e *jsonExport) key(name string) error {
	sep := ","
	if e.inList {
		sep = "],"
	}
	e.inList = false
	k, _ := json.Marshal(name)
	_, err := io.WriteString(e.w, sep+string(k)+":")
	return err
}

// Record writes one record as its kind's JSON object.
func (e *jsonExport) Record(r *account.Record) error {
	if e.n > 0 {
		if _, err := io.WriteString(e.w, ","); err != nil {
			return err
		}
	}
	e.n++
	return e.enc.Encode(exportRecordJSON(e.kind, r))
}

// Section writes another feature's data (account.Section) as one value.
func (e *jsonExport) Section(name string, data any) error {
	if err := e.key(name); err != nil {
		return err
	}
	return e.enc.Encode(data)
}

func (e *jsonExport) end() error {
	closing := "}"
	if e.inList {
		closing = "]}"
	}
	_, err := io.WriteString(e.w, closing+"\n")
	return err
}

// optTime is a time for the export: null when zero.
func optTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// exportRecordJSON is one record of the export as its kind's object.
func exportRecordJSON(kind string, r *account.Record) map[string]any {
	ref := func(id, title string) map[string]string { return map[string]string{"id": id, "title": title} }
	switch kind {
	case account.SignIns:
		return map[string]any{"provider": r.Provider, "subject": strings.TrimPrefix(r.ID, r.Provider+":")}
	case account.Threads:
		return map[string]any{"id": r.ID, "title": r.Title, "category": map[string]string{"id": r.ParentID, "name": r.ParentTitle},
			"hidden": r.Hidden, "created_at": r.CreatedAt, "url": "/t/" + r.ID}
	case account.Posts:
		return map[string]any{"id": r.ID, "thread": ref(r.ParentID, r.ParentTitle), "body": r.Body, "hidden": r.Hidden,
			"created_at": r.CreatedAt, "edited_at": optTime(r.EditedAt), "url": "/p/" + r.ID}
	case account.Ideas:
		return map[string]any{"id": r.ID, "title": r.Title, "body": r.Body, "status": r.Status, "hidden": r.Hidden,
			"created_at": r.CreatedAt, "updated_at": optTime(r.EditedAt), "url": "/ideas/" + r.ID}
	case account.Comments:
		return map[string]any{"id": r.ID, "idea": ref(r.ParentID, r.ParentTitle), "body": r.Body, "hidden": r.Hidden,
			"deleted": r.Deleted, "created_at": r.CreatedAt, "edited_at": optTime(r.EditedAt)}
	case account.IdeaVotes:
		return map[string]any{"idea": ref(r.ID, r.Title), "voted_at": r.CreatedAt}
	case account.Reviews:
		return map[string]any{"id": r.ID, "product": map[string]string{"id": r.ParentID, "name": r.ParentTitle}, "rating": r.Rating,
			"title": r.Title, "body": r.Body, "created_at": r.CreatedAt, "updated_at": optTime(r.EditedAt)}
	case account.HelpfulVotes:
		return map[string]any{"review": ref(r.ID, r.Title), "product": map[string]string{"id": r.ParentID, "name": r.ParentTitle},
			"voted_at": r.CreatedAt}
	case account.Follows:
		return map[string]any{"thread": ref(r.ID, r.Title)}
	case account.Notifications:
		return map[string]any{"id": r.ID, "kind": r.Kind, "text": r.Body, "url": r.URL, "read": r.Read, "created_at": r.CreatedAt}
	}
	return map[string]any{"id": r.ID}
}
