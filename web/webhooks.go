package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/jobs"
	"github.com/townhall/townhall/webhooks"
)

// Webhooks: admins register endpoints at /admin/webhooks (or with the
// API), see each endpoint's delivery log, send test events and redeliver.

func (s *Server) webhookRoutes(r *gin.Engine) {
	r.GET("/admin/webhooks", s.h(s.webhooksPage))
	r.POST("/admin/webhooks", s.h(s.createWebhookForm))
	r.GET("/admin/webhooks/:id", s.h(s.webhookPage))
	r.POST("/admin/webhooks/:id", s.h(s.updateWebhookForm))
	r.POST("/admin/webhooks/:id/delete", s.h(s.deleteWebhookForm))
	r.POST("/admin/webhooks/:id/enable", s.h(s.webhookAction("enabled", func(c *gin.Context) error {
		_, err := s.svc.Webhooks.Enable(c.Request.Context(), currentUser(c), c.Param("id"))
		return err
	})))
	r.POST("/admin/webhooks/:id/test", s.h(s.webhookAction("test", func(c *gin.Context) error {
		return s.svc.Webhooks.SendTest(c.Request.Context(), currentUser(c), c.Param("id"))
	})))
	r.POST("/admin/webhooks/:id/deliveries/:delivery/redeliver", s.h(s.webhookAction("redeliver", func(c *gin.Context) error {
		return s.svc.Webhooks.Redeliver(c.Request.Context(), currentUser(c), c.Param("id"), c.Param("delivery"))
	})))

	api := s.api()
	api.GET("/webhooks", s.h(s.apiWebhooks))
	api.POST("/webhooks", s.h(s.apiCreateWebhook))
	api.GET("/webhooks/:id", s.h(s.apiWebhook))
	api.PATCH("/webhooks/:id", s.h(s.apiUpdateWebhook))
	api.DELETE("/webhooks/:id", s.h(s.apiDeleteWebhook))
	api.POST("/webhooks/:id/enable", s.h(s.apiEnableWebhook))
	api.POST("/webhooks/:id/test", s.h(s.apiWebhookAccepted(func(c *gin.Context) error {
		return s.svc.Webhooks.SendTest(c.Request.Context(), currentUser(c), c.Param("id"))
	})))
	api.GET("/webhooks/:id/deliveries", s.h(s.apiWebhookDeliveries))
	api.POST("/webhooks/:id/deliveries/:delivery/redeliver", s.h(s.apiWebhookAccepted(func(c *gin.Context) error {
		return s.svc.Webhooks.Redeliver(c.Request.Context(), currentUser(c), c.Param("id"), c.Param("delivery"))
	})))
}

// webhookJSON is an endpoint as the API shows it; the secret only when
// the endpoint is created.
type webhookJSON struct {
	ID               string     `json:"id"`
	URL              string     `json:"url"`
	Events           []string   `json:"events"`
	Format           string     `json:"format"`
	Description      string     `json:"description"`
	Secret           string     `json:"secret,omitempty"`
	Active           bool       `json:"active"`
	DisabledAt       *time.Time `json:"disabled_at"`
	DisabledReason   string     `json:"disabled_reason,omitempty"`
	Failures         int        `json:"failures"`
	FailedDeliveries int        `json:"failed_deliveries"`
	FailingSince     *time.Time `json:"failing_since"`
	LastAttemptAt    *time.Time `json:"last_attempt_at"`
	LastSuccessAt    *time.Time `json:"last_success_at"`
	LastStatus       int        `json:"last_status"`
	LastError        string     `json:"last_error,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

func toWebhookJSON(e *webhooks.Endpoint) webhookJSON {
	return webhookJSON{ID: e.ID, URL: e.URL, Events: e.Events, Format: e.Format, Description: e.Description, Active: !e.Disabled(),
		DisabledAt: timePtr(e.DisabledAt), DisabledReason: e.DisabledReason, Failures: e.Failures, FailedDeliveries: e.FailedDeliveries,
		FailingSince: timePtr(e.FailingSince), LastAttemptAt: timePtr(e.LastAttemptAt), LastSuccessAt: timePtr(e.LastSuccessAt),
		LastStatus: e.LastStatus, LastError: e.LastError, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

// webhookRequest is the body of POST and PATCH /api/v1/webhooks; PATCH
// changes only the fields it sends.
type webhookRequest struct {
	URL         *string   `json:"url"`
	Events      *[]string `json:"events"`
	Secret      *string   `json:"secret"`
	Format      *string   `json:"format"`
	Description *string   `json:"description"`
}

// input overlays the request on an endpoint's current settings (nil for
// a new one).
func (r webhookRequest) input(cur *webhooks.Endpoint) webhooks.Input {
	var in webhooks.Input
	if cur != nil {
		in = webhooks.Input{URL: cur.URL, Events: cur.Events, Format: cur.Format, Description: cur.Description}
	}
	if r.URL != nil {
		in.URL = *r.URL
	}
	if r.Events != nil {
		in.Events = *r.Events
	}
	if r.Secret != nil {
		in.Secret = *r.Secret
	}
	if r.Format != nil {
		in.Format = *r.Format
	}
	if r.Description != nil {
		in.Description = *r.Description
	}
	return in
}

func (s *Server) apiWebhooks(c *gin.Context) error {
	all, err := s.svc.Webhooks.List(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	out := make([]webhookJSON, len(all))
	for i, e := range all {
		out[i] = toWebhookJSON(e)
	}
	return sendJSON(c, http.StatusOK, gin.H{"items": out})
}

func (s *Server) apiCreateWebhook(c *gin.Context) error {
	var req webhookRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, err := s.svc.Webhooks.Register(c.Request.Context(), currentUser(c), req.input(nil))
	if err != nil {
		return err
	}
	j := toWebhookJSON(e)
	j.Secret = e.Secret
	c.Header("Cache-Control", "no-store")
	return sendJSON(c, http.StatusCreated, j)
}

func (s *Server) apiWebhook(c *gin.Context) error {
	e, err := s.svc.Webhooks.Endpoint(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toWebhookJSON(e))
}

func (s *Server) apiUpdateWebhook(c *gin.Context) error {
	u := currentUser(c)
	cur, err := s.svc.Webhooks.Endpoint(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		return err
	}
	var req webhookRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, err := s.svc.Webhooks.Update(c.Request.Context(), u, cur.ID, req.input(cur))
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toWebhookJSON(e))
}

func (s *Server) apiDeleteWebhook(c *gin.Context) error {
	if err := s.svc.Webhooks.Delete(c.Request.Context(), currentUser(c), c.Param("id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) apiEnableWebhook(c *gin.Context) error {
	e, err := s.svc.Webhooks.Enable(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toWebhookJSON(e))
}

// apiWebhookAccepted answers an action that queues a delivery with 202.
func (s *Server) apiWebhookAccepted(do handler) handler {
	return func(c *gin.Context) error {
		if err := do(c); err != nil {
			return err
		}
		return sendJSON(c, http.StatusAccepted, gin.H{"status": "queued"})
	}
}

// deliveryJSON is one delivery of the log with its attempts.
type deliveryJSON struct {
	ID          string        `json:"id"`
	Event       string        `json:"event"`
	EventID     string        `json:"event_id"`
	State       jobs.State    `json:"state"`
	Attempts    int           `json:"attempts"`
	CreatedAt   time.Time     `json:"created_at"`
	NextAttempt *time.Time    `json:"next_attempt_at"`
	LastStatus  int           `json:"last_status"`
	LastError   string        `json:"last_error,omitempty"`
	Log         []attemptJSON `json:"log"`
}

type attemptJSON struct {
	Attempt    int       `json:"attempt"`
	StatusCode int       `json:"status_code"`
	OK         bool      `json:"ok"`
	Error      string    `json:"error,omitempty"`
	DurationMS int64     `json:"duration_ms"`
	At         time.Time `json:"at"`
}

func toDeliveryJSON(d *webhooks.Delivery) deliveryJSON {
	j := deliveryJSON{ID: d.Job.ID, Event: d.Event, EventID: d.EventID, State: d.Job.State, Attempts: d.Job.Attempts,
		CreatedAt: d.Job.CreatedAt, LastError: d.Job.LastError, Log: make([]attemptJSON, len(d.Attempts))}
	if d.Job.State == jobs.StatePending {
		j.NextAttempt = &d.Job.RunAt
	}
	if l := d.Last(); l != nil {
		j.LastStatus = l.StatusCode
		if l.OK {
			j.LastError = ""
		}
	}
	for i, a := range d.Attempts {
		j.Log[i] = attemptJSON{Attempt: a.Attempt, StatusCode: a.StatusCode, OK: a.OK, Error: a.Error, DurationMS: a.Duration.Milliseconds(), At: a.At}
	}
	return j
}

func (s *Server) apiWebhookDeliveries(c *gin.Context) error {
	page, err := s.svc.Webhooks.Deliveries(c.Request.Context(), currentUser(c), c.Param("id"), c.Query("before"))
	if err != nil {
		return err
	}
	out := make([]deliveryJSON, len(page.Items))
	for i, d := range page.Items {
		out[i] = toDeliveryJSON(d)
	}
	return sendJSON(c, http.StatusOK, gin.H{"items": out, "next": page.Next})
}

// webhooksData is what the webhook pages show.
type webhooksData struct {
	Endpoints  []*webhooks.Endpoint
	Endpoint   *webhooks.Endpoint
	Deliveries townhall.Page[*webhooks.Delivery]
	Events     []string
	Formats    []string
	// Done names what the page's last button did: "enabled", "test"
	// (a test event queued), "redeliver" or "created".
	Done string
}

func (s *Server) webhooksView(c *gin.Context) (*view, error) {
	all, err := s.svc.Webhooks.List(c.Request.Context(), currentUser(c))
	if err != nil {
		return nil, err
	}
	v := s.view(c, "Webhooks · Admin")
	v.Nav = "admin"
	v.Data = &webhooksData{Endpoints: all, Events: townhall.EventTypes, Formats: []string{webhooks.FormatJSON, webhooks.FormatSlack}}
	return v, nil
}

func (s *Server) webhooksPage(c *gin.Context) error {
	v, err := s.webhooksView(c)
	if err != nil {
		return err
	}
	return s.html(c, http.StatusOK, "admin_webhooks", v)
}

func formWebhookInput(c *gin.Context) webhooks.Input {
	return webhooks.Input{URL: c.PostForm("url"), Events: c.PostFormArray("events"), Secret: c.PostForm("secret"),
		Format: c.PostForm("format"), Description: c.PostForm("description")}
}

func (s *Server) createWebhookForm(c *gin.Context) error {
	e, err := s.svc.Webhooks.Register(c.Request.Context(), currentUser(c), formWebhookInput(c))
	if err != nil {
		v, verr := s.webhooksView(c)
		if verr != nil {
			return verr
		}
		return rerender("admin_webhooks", v, err)
	}
	return redirectBack(c, "/admin/webhooks/"+e.ID+"?done=created")
}

func (s *Server) webhookView(c *gin.Context) (*view, error) {
	ctx, u := c.Request.Context(), currentUser(c)
	e, err := s.svc.Webhooks.Endpoint(ctx, u, c.Param("id"))
	if err != nil {
		return nil, err
	}
	page, err := s.svc.Webhooks.Deliveries(ctx, u, e.ID, c.Query("before"))
	if err != nil {
		return nil, err
	}
	v := s.view(c, "Webhook · Admin")
	v.Nav = "admin"
	v.Data = &webhooksData{Endpoint: e, Deliveries: page, Events: townhall.EventTypes, Formats: []string{webhooks.FormatJSON, webhooks.FormatSlack},
		Done: c.Query("done")}
	return v, nil
}

func (s *Server) webhookPage(c *gin.Context) error {
	v, err := s.webhookView(c)
	if err != nil {
		return err
	}
	return s.html(c, http.StatusOK, "admin_webhook", v)
}

func (s *Server) updateWebhookForm(c *gin.Context) error {
	_, err := s.svc.Webhooks.Update(c.Request.Context(), currentUser(c), c.Param("id"), formWebhookInput(c))
	if err != nil {
		v, verr := s.webhookView(c)
		if verr != nil {
			return verr
		}
		return rerender("admin_webhook", v, err)
	}
	return redirectBack(c, "/admin/webhooks/"+c.Param("id"))
}

func (s *Server) deleteWebhookForm(c *gin.Context) error {
	if err := s.svc.Webhooks.Delete(c.Request.Context(), currentUser(c), c.Param("id")); err != nil {
		return err
	}
	return redirectBack(c, "/admin/webhooks")
}

// webhookAction runs a button of the endpoint page and goes back to it,
// saying what was done; a refusal (a disabled endpoint) shows on the page.
func (s *Server) webhookAction(done string, do handler) handler {
	return func(c *gin.Context) error {
		if err := do(c); err != nil {
			v, verr := s.webhookView(c)
			if verr != nil {
				return verr
			}
			return rerender("admin_webhook", v, err)
		}
		return redirectBack(c, "/admin/webhooks/"+c.Param("id")+"?done="+done+"#deliveries")
	}
}
