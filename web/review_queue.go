package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/moderation"
)

// The review queue: flagged items and new members' held posts, oldest
// first, for moderators and admins, with a decision form on each.
func (s *Server) reviewQueueRoutes(r *gin.Engine) {
	r.GET("/review", s.h(s.reviewQueuePage))
	r.POST("/review/:kind/:id", s.h(s.reviewDecisionForm))
	api := s.api()
	api.GET("/review", s.h(s.apiReviewQueue))
	api.POST("/review/:kind/:id", s.h(s.apiReviewDecision))
}

// reviewQueueData is the queue page.
type reviewQueueData struct {
	Entries   []*moderation.Entry
	Pager     map[string]any
	Decisions []moderation.Decision
	Now       time.Time
}

func (s *Server) reviewQueueView(c *gin.Context, formErr error) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	page, err := s.svc.Moderation.Queue(c.Request.Context(), u, c.Query("after"))
	if err != nil {
		return err
	}
	v := s.view(c, "Review queue")
	v.Nav = "review"
	v.Data = &reviewQueueData{Entries: page.Items, Pager: map[string]any{"Next": page.Next, "URL": c.Request.URL},
		Decisions: moderation.Decisions, Now: time.Now()}
	if formErr != nil {
		return rerender("moderation_queue", v, formErr)
	}
	return s.html(c, http.StatusOK, "moderation_queue", v)
}

func (s *Server) reviewQueuePage(c *gin.Context) error { return s.reviewQueueView(c, nil) }

// decisionInput reads a decision from a form or JSON body's fields.
func decisionInput(decision, reason, days string) (moderation.DecisionInput, error) {
	in := moderation.DecisionInput{Decision: moderation.Decision(strings.TrimSpace(decision)), Reason: reason}
	if days = strings.TrimSpace(days); days != "" {
		n, err := strconv.Atoi(days)
		if err != nil {
			return in, townhall.Errorf(townhall.EINVALID, "days must be a whole number.")
		}
		in.Days = n
	}
	return in, nil
}

func (s *Server) reviewDecisionForm(c *gin.Context) error {
	in, err := decisionInput(c.PostForm("decision"), c.PostForm("reason"), c.PostForm("days"))
	if err == nil {
		_, err = s.svc.Moderation.Decide(c.Request.Context(), currentUser(c), c.Param("kind"), c.Param("id"), in)
	}
	switch townhall.ErrorCode(err) {
	case "":
		return redirectBack(c, "/review")
	case townhall.EINVALID, townhall.ECONFLICT:
		c.Request.URL.RawQuery = ""
		return s.reviewQueueView(c, err)
	}
	return err
}

func (s *Server) apiReviewDecision(c *gin.Context) error {
	var req struct {
		Decision string `json:"decision"`
		Reason   string `json:"reason"`
		Days     int    `json:"days"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := moderation.DecisionInput{Decision: moderation.Decision(req.Decision), Reason: req.Reason, Days: req.Days}
	cs, err := s.svc.Moderation.Decide(c.Request.Context(), currentUser(c), c.Param("kind"), c.Param("id"), in)
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toCaseJSON(cs))
}

// caseJSON is a queue case as the API shows it.
type caseJSON struct {
	Kind       string     `json:"kind"`
	ID         string     `json:"id"`
	Open       bool       `json:"open"`
	Held       bool       `json:"held"`
	AutoHidden bool       `json:"auto_hidden"`
	Flags      int        `json:"open_flags"`
	OpenedAt   time.Time  `json:"opened_at"`
	Resolution string     `json:"resolution,omitempty"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

func toCaseJSON(c *moderation.Case) caseJSON {
	j := caseJSON{Kind: c.Kind, ID: c.ItemID, Open: c.Open, Held: c.Held, AutoHidden: c.AutoHidden, Flags: c.Flags, OpenedAt: c.OpenedAt,
		Resolution: c.Resolution}
	if !c.ResolvedAt.IsZero() {
		j.ResolvedAt = &c.ResolvedAt
	}
	return j
}

// queueAuthorJSON is an item's author with their history.
type queueAuthorJSON struct {
	ID            string    `json:"id"`
	Handle        string    `json:"handle"`
	Name          string    `json:"name"`
	JoinedAt      time.Time `json:"joined_at"`
	TrustLevel    int       `json:"trust_level"`
	DaysVisited   int       `json:"days_visited"`
	Posts         int       `json:"posts"`
	FlagsReceived int       `json:"flags_received"`
	ItemsHidden   int       `json:"items_hidden"`
	Silenced      bool      `json:"silenced"`
	Suspended     bool      `json:"suspended"`
}

type queueFlagJSON struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	UserName  string    `json:"user_name"`
	Reason    string    `json:"reason"`
	Text      string    `json:"text,omitempty"`
	Open      bool      `json:"open"`
	CreatedAt time.Time `json:"created_at"`
}

type queueEntryJSON struct {
	caseJSON
	Title     string          `json:"title"`
	HTML      string          `json:"html"`
	URL       string          `json:"url"`
	Hidden    bool            `json:"hidden"`
	CreatedAt time.Time       `json:"created_at"`
	Author    queueAuthorJSON `json:"author"`
	FlagList  []queueFlagJSON `json:"flags"`
}

func toQueueEntryJSON(e *moderation.Entry, now time.Time) queueEntryJSON {
	a, r := e.Author, e.Record
	j := queueEntryJSON{caseJSON: toCaseJSON(e.Case), Title: e.Item.Title, HTML: string(e.Item.HTML), URL: e.Item.URL, Hidden: e.Item.Hidden,
		CreatedAt: e.Item.CreatedAt, FlagList: make([]queueFlagJSON, 0, len(e.Flags)),
		Author: queueAuthorJSON{ID: a.ID, Handle: a.Handle, Name: a.Name, JoinedAt: a.CreatedAt, TrustLevel: a.Level(),
			DaysVisited: a.DaysVisited, Posts: r.Stats.Posts, FlagsReceived: r.FlagsReceived, ItemsHidden: r.Hidden,
			Silenced: a.Silenced(now), Suspended: a.Suspended(now)}}
	for _, f := range e.Flags {
		j.FlagList = append(j.FlagList, queueFlagJSON{f.ID, f.UserID, f.UserName, f.Reason, f.Text, f.ResolvedAt.IsZero(), f.CreatedAt})
	}
	return j
}

func (s *Server) apiReviewQueue(c *gin.Context) error {
	page, err := s.svc.Moderation.Queue(c.Request.Context(), currentUser(c), c.Query("after"))
	if err != nil {
		return err
	}
	now := time.Now()
	out := townhall.Page[queueEntryJSON]{Items: make([]queueEntryJSON, 0, len(page.Items)), Next: page.Next}
	for _, e := range page.Items {
		out.Items = append(out.Items, toQueueEntryJSON(e, now))
	}
	return sendJSON(c, http.StatusOK, out)
}
