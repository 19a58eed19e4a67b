package web

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/audit"
)

// The staff log: every moderator, admin and product-team action, newest
// first, filtered by who, what, the kind of target and a date range, as a
// page, JSON and CSV. Staff read it; members get 403 (the log decides).

// staffLogPage is how many entries a page of the log shows.
const staffLogPage = 50

func (s *Server) staffLogRoutes(r *gin.Engine) {
	r.GET("/admin/log", s.h(s.staffLogPage))
	r.GET("/admin/log.csv", s.h(s.staffLogCSV))
	api := s.api()
	api.GET("/admin/log", s.h(s.apiStaffLog))
	api.GET("/admin/log.csv", s.h(s.staffLogCSV))
}

// staffLogQuery reads the filters of a log request: actor (an @handle or
// a user id), action, target_kind, target_id, from and to (dates in the
// site's time zone, both included) and the page cursor before.
func (s *Server) staffLogQuery(c *gin.Context) (audit.Query, error) {
	q := audit.Query{
		Action:     strings.TrimSpace(c.Query("action")),
		TargetKind: strings.TrimSpace(c.Query("target_kind")),
		TargetID:   strings.TrimSpace(c.Query("target_id")),
		Before:     c.Query("before"),
	}
	if q.Before != "" && !townhall.ValidID(q.Before) {
		return q, townhall.Errorf(townhall.EINVALID, "The page cursor is not valid; start from the first page.")
	}
	for name, v := range map[string]string{"action": q.Action, "target_kind": q.TargetKind, "target_id": q.TargetID} {
		if utf8.RuneCountInString(v) > 100 {
			return q, townhall.Errorf(townhall.EINVALID, "The %s filter is too long (at most 100 characters).", name)
		}
	}
	if actor := strings.TrimSpace(c.Query("actor")); actor != "" {
		if townhall.ValidID(actor) {
			q.ActorID = actor
		} else if u, err := s.svc.Auth.UserByHandle(c.Request.Context(), actor); err == nil {
			q.ActorID = u.ID
		} else if townhall.ErrorCode(err) == townhall.ENOTFOUND {
			return q, townhall.Errorf(townhall.EINVALID, "Nobody has the handle %.40q; give a handle like @ann or a user id.", actor)
		} else {
			return q, err
		}
	}
	loc := s.svc.Auth.Location()
	day := func(field string) (time.Time, error) {
		v := strings.TrimSpace(c.Query(field))
		if v == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, v, loc)
		if err != nil {
			return t, townhall.Errorf(townhall.EINVALID, "%q must be a date like 2026-01-31 (got %.20q).", field, v)
		}
		return t, nil
	}
	var err error
	if q.From, err = day("from"); err != nil {
		return q, err
	}
	if q.To, err = day("to"); err != nil {
		return q, err
	}
	if !q.To.IsZero() {
		q.To = q.To.AddDate(0, 0, 1) // "to" includes its whole day
		if !q.From.IsZero() && !q.To.After(q.From) {
			return q, townhall.Errorf(townhall.EINVALID, "The date range ends before it begins: \"to\" must not be before \"from\".")
		}
	}
	return q, nil
}

// staffLogEntryJSON is one entry in the API: the values before and after
// as the JSON they were recorded as (null for none).
type staffLogEntryJSON struct {
	ID    string `json:"id"`
	At    string `json:"at"`
	Actor struct {
		ID   string        `json:"id"`
		Name string        `json:"name"`
		Role townhall.Role `json:"role"`
	} `json:"actor"`
	Action     string          `json:"action"`
	Label      string          `json:"label"`
	TargetKind string          `json:"target_kind"`
	TargetID   string          `json:"target_id"`
	Target     string          `json:"target"`
	URL        string          `json:"url,omitempty"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	Reason     string          `json:"reason"`
}

func rawJSON(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}

func toStaffLogEntryJSON(e *audit.Entry) staffLogEntryJSON {
	out := staffLogEntryJSON{ID: e.ID, At: e.At.UTC().Format(time.RFC3339Nano), Action: e.Action, Label: audit.Label(e.Action),
		TargetKind: e.TargetKind, TargetID: e.TargetID, Target: e.Target, URL: targetURL(e.TargetKind, e.TargetID),
		Before: rawJSON(e.Before), After: rawJSON(e.After), Reason: e.Reason}
	out.Actor.ID, out.Actor.Name, out.Actor.Role = e.ActorID, e.ActorName, e.ActorRole
	return out
}

// targetURL is where a target can be seen, for the kinds that have a page.
func targetURL(kind, id string) string {
	if !townhall.ValidID(id) {
		return ""
	}
	switch kind {
	case townhall.KindThread:
		return "/t/" + id
	case townhall.KindPost:
		return "/p/" + id
	case townhall.KindIdea:
		return "/ideas/" + id
	case "product":
		return "/products/" + id
	case "category":
		return "/c/" + id
	}
	return ""
}

func (s *Server) apiStaffLog(c *gin.Context) error {
	q, err := s.staffLogQuery(c)
	if err != nil {
		return err
	}
	q.Limit = staffLogPage
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 200 {
			return townhall.Errorf(townhall.EINVALID, "limit must be a whole number from 1 to 200.")
		}
		q.Limit = n
	}
	page, err := s.svc.StaffLog.Entries(c.Request.Context(), currentUser(c), q)
	if err != nil {
		return err
	}
	out := townhall.Page[staffLogEntryJSON]{Items: make([]staffLogEntryJSON, 0, len(page.Items)), Next: page.Next}
	for _, e := range page.Items {
		out.Items = append(out.Items, toStaffLogEntryJSON(e))
	}
	c.Header("Cache-Control", "no-store")
	return sendJSON(c, http.StatusOK, out)
}

// staffLogRow is one entry as the page shows it.
type staffLogRow struct {
	*audit.Entry
	Label   string
	URL     string
	Changes []valueChange
}

// valueChange is one value an action changed, as the page shows it.
type valueChange struct {
	Field, Before, After string
}

// changesOf pairs up the values of an entry's Before and After objects,
// field by field in name order; values that are not objects show as one
// unnamed change. Long values are cut for the page (the API and the CSV
// export carry them whole).
func changesOf(before, after string) []valueChange {
	var b, a map[string]any
	bok := before == "" || json.Unmarshal([]byte(before), &b) == nil
	aok := after == "" || json.Unmarshal([]byte(after), &a) == nil
	if !bok || !aok {
		return []valueChange{{Before: shortValue(before), After: shortValue(after)}}
	}
	fields := map[string]bool{}
	for k := range b {
		fields[k] = true
	}
	for k := range a {
		fields[k] = true
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]valueChange, 0, len(names))
	for _, k := range names {
		vc := valueChange{Field: k}
		if v, ok := b[k]; ok {
			vc.Before = showValue(v)
		}
		if v, ok := a[k]; ok {
			vc.After = showValue(v)
		}
		out = append(out, vc)
	}
	return out
}

// showValue renders one recorded value: strings as they are, "" as
// "(empty)", anything else as its JSON.
func showValue(v any) string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return "(empty)"
		}
		return shortValue(x)
	case nil:
		return "(none)"
	}
	b, _ := json.Marshal(v)
	return shortValue(string(b))
}

func shortValue(s string) string {
	const max = 300
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max-1]) + "…"
}

// staffLogPage renders a page of the entries the filters select; a
// refused filter is shown above the form, which keeps what was typed.
func (s *Server) staffLogPage(c *gin.Context) error {
	v := s.view(c, "Staff log · Admin")
	v.Nav = "admin"
	v.Form = c.Request.URL.Query()
	data := map[string]any{"Actions": actionOptions(c.Query("action")), "Kinds": audit.TargetKinds(), "URL": c.Request.URL,
		"CSV": "/admin/log.csv?" + csvQuery(c)}
	v.Data = data
	q, err := s.staffLogQuery(c)
	if err == nil {
		q.Limit = staffLogPage
		var page townhall.Page[*audit.Entry]
		page, err = s.svc.StaffLog.Entries(c.Request.Context(), currentUser(c), q)
		if err == nil {
			rows := make([]staffLogRow, 0, len(page.Items))
			for _, e := range page.Items {
				rows = append(rows, staffLogRow{Entry: e, Label: audit.Label(e.Action), URL: targetURL(e.TargetKind, e.TargetID),
					Changes: changesOf(e.Before, e.After)})
			}
			data["Rows"], data["Next"] = rows, page.Next
			return s.html(c, http.StatusOK, "admin_log", v)
		}
	}
	switch townhall.ErrorCode(err) {
	case townhall.EINVALID:
		return rerender("admin_log", v, err)
	}
	return err
}

// option is one choice of a select.
type option struct{ Value, Label string }

// actionOptions are the action filter's choices: every labelled action,
// and the one asked for when it has no label (an action another feature
// records), so the select can show it.
func actionOptions(current string) []option {
	known := audit.Known()
	out := make([]option, 0, len(known)+1)
	found := current == ""
	for _, a := range known {
		out = append(out, option{a, audit.Label(a)})
		found = found || a == current
	}
	if !found {
		out = append(out, option{current, audit.Label(current)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}

// csvQuery is the request's filters without its page cursor: an export
// holds every matching entry.
func csvQuery(c *gin.Context) string {
	q := c.Request.URL.Query()
	q.Del("before")
	return q.Encode()
}

var staffLogCSVHeader = []string{"id", "at", "actor_id", "actor_name", "actor_role", "action", "label", "target_kind", "target_id",
	"target", "before", "after", "reason"}

// staffLogCSV streams every entry the filters select, newest first. A
// refusal (a member, a bad filter) comes before the first byte, so it is a
// clean error; a failure later can only end the file early and is logged.
func (s *Server) staffLogCSV(c *gin.Context) error {
	q, err := s.staffLogQuery(c)
	if err != nil {
		return err
	}
	q.Limit = 500
	var w *csv.Writer
	for {
		page, err := s.svc.StaffLog.Entries(c.Request.Context(), currentUser(c), q)
		if err != nil && w == nil {
			return err
		} else if err != nil {
			s.log.Error("export staff log", "err", err, "request_id", c.GetString(ctxRequestID))
			return nil
		}
		if w == nil {
			c.Header("Content-Type", "text/csv; charset=utf-8")
			c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="staff-log-%s.csv"`, time.Now().In(s.svc.Auth.Location()).Format(time.DateOnly)))
			c.Header("Cache-Control", "no-store")
			c.Status(http.StatusOK)
			w = csv.NewWriter(c.Writer)
			w.Write(staffLogCSVHeader)
		}
		for _, e := range page.Items {
			w.Write([]string{e.ID, e.At.UTC().Format(time.RFC3339), e.ActorID, csvCell(e.ActorName), string(e.ActorRole),
				csvCell(e.Action), csvCell(audit.Label(e.Action)), csvCell(e.TargetKind), csvCell(e.TargetID), csvCell(e.Target),
				csvCell(e.Before), csvCell(e.After), csvCell(e.Reason)})
		}
		if page.Next == "" {
			break
		}
		q.Before = page.Next
	}
	w.Flush()
	return w.Error()
}
