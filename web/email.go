package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/email"
)

// unsubscribePattern is the one-click unsubscribe endpoint. Mail providers
// POST to it from their own servers (RFC 8058), with no Origin of this
// site, so it alone is exempt from cross-origin protection; its signed
// token is what authorizes the request.
const unsubscribePattern = "POST /unsubscribe/{token}"

func (s *Server) emailRoutes(r *gin.Engine) {
	r.GET("/settings/notifications", s.h(s.emailSettingsPage))
	r.POST("/settings/notifications", s.h(s.saveEmailSettings))
	r.GET("/unsubscribe/:token", s.h(s.unsubscribePage))
	r.POST("/unsubscribe/:token", s.h(s.unsubscribe))
	r.GET("/admin/email", s.h(s.adminEmailPage))
	r.GET("/admin/email/:id", s.h(s.adminEmailMessage))
	r.GET("/admin/email/:id/html", s.h(s.adminEmailHTML))
	r.POST("/admin/email/:id/retry", s.h(s.adminEmailRetry))

	api := s.api()
	api.GET("/settings/notifications", s.h(s.apiEmailSettings))
	api.PUT("/settings/notifications", s.h(s.apiSaveEmailSettings))
	api.GET("/admin/email", s.h(s.apiAdminEmail))
	api.POST("/admin/email/:id/retry", s.h(s.apiAdminEmailRetry))
}

// markSeen records that the reader saw the thread, idea or product at
// path, so its notifications are read and never emailed. A failure to
// record it must not fail the page.
func (s *Server) markSeen(c *gin.Context, path string) {
	c.Set(ctxSeen, path) // a shared page marks it seen for each member who views it
	if err := s.svc.Notify.MarkSeen(c.Request.Context(), currentUser(c), path); err != nil {
		s.log.Warn("marking notifications seen", "err", err, "request_id", c.GetString(ctxRequestID))
	}
}

// emailSettingsJSON is the API's view of a person's email settings.
type emailSettingsJSON struct {
	Email     string                    `json:"email"`
	EmailOK   bool                      `json:"email_ok"`
	NoEmail   bool                      `json:"no_email"`
	Digest    email.Frequency           `json:"digest"`
	Kinds     map[string]email.Delivery `json:"kinds"`
	Available []emailKindJSON           `json:"available"`
}

type emailKindJSON struct {
	Kind    string         `json:"kind"`
	Label   string         `json:"label"`
	Default email.Delivery `json:"default"`
}

func toEmailSettingsJSON(st *email.Settings) emailSettingsJSON {
	out := emailSettingsJSON{Email: st.Address, EmailOK: st.AddressOK, NoEmail: st.NoEmail, Digest: st.Digest, Kinds: st.Kinds}
	for _, k := range email.Kinds {
		out.Available = append(out.Available, emailKindJSON{k.Name, k.Label, k.Default})
	}
	return out
}

func (s *Server) apiEmailSettings(c *gin.Context) error {
	st, err := s.svc.Email.Settings(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toEmailSettingsJSON(st))
}

func (s *Server) apiSaveEmailSettings(c *gin.Context) error {
	if _, err := requireUser(c); err != nil {
		return err
	}
	var req struct {
		NoEmail *bool             `json:"no_email"`
		Digest  *string           `json:"digest"`
		Kinds   map[string]string `json:"kinds"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	st, err := s.svc.Email.SaveSettings(c.Request.Context(), currentUser(c), email.Change{NoEmail: req.NoEmail, Digest: req.Digest, Kinds: req.Kinds})
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toEmailSettingsJSON(st))
}

// emailSettingsData is what the settings page shows.
type emailSettingsData struct {
	Settings    *email.Settings
	Kinds       []email.Kind
	Deliveries  []email.Delivery
	Frequencies []email.Frequency
	Saved       bool
}

// Choice is the delivery the page shows for a kind: what was posted when
// the page comes back with an error, the saved one otherwise.
func (d *emailSettingsData) Choice(form map[string][]string, kind string) email.Delivery {
	if v := form["kind_"+kind]; len(v) > 0 {
		return email.Delivery(v[0])
	}
	return d.Settings.Kinds[kind]
}

func (s *Server) emailSettingsView(c *gin.Context) (*view, error) {
	st, err := s.svc.Email.Settings(c.Request.Context(), currentUser(c))
	if err != nil {
		return nil, err
	}
	v := s.view(c, "Email settings")
	v.Data = &emailSettingsData{Settings: st, Kinds: email.Kinds,
		Deliveries:  []email.Delivery{email.Instant, email.Digest, email.Off},
		Frequencies: []email.Frequency{email.Daily, email.Weekly, email.Never},
		Saved:       c.Query("saved") != ""}
	return v, nil
}

func (s *Server) emailSettingsPage(c *gin.Context) error {
	v, err := s.emailSettingsView(c)
	if err != nil {
		return err
	}
	return s.html(c, http.StatusOK, "email_settings", v)
}

// saveEmailSettings takes the whole form: every kind's choice, the digest
// frequency and the no-email box (unchecked means email is on).
func (s *Server) saveEmailSettings(c *gin.Context) error {
	noEmail := c.PostForm("no_email") != ""
	digest := c.PostForm("digest")
	ch := email.Change{NoEmail: &noEmail, Kinds: map[string]string{}}
	if digest != "" {
		ch.Digest = &digest
	}
	for _, k := range email.Kinds {
		if v := c.PostForm("kind_" + k.Name); v != "" {
			ch.Kinds[k.Name] = v
		}
	}
	if _, err := s.svc.Email.SaveSettings(c.Request.Context(), currentUser(c), ch); err != nil {
		v, verr := s.emailSettingsView(c)
		if verr != nil {
			return verr
		}
		v.Form = c.Request.PostForm
		return rerender("email_settings", v, err)
	}
	return redirectBack(c, "/settings/notifications?saved=1")
}

// unsubscribeData is what the unsubscribe pages show.
type unsubscribeData struct {
	Token string
	Un    *email.Unsubscription
	Done  bool
}

// unsubscribePage asks to confirm: a GET changes nothing, since mail
// scanners and link previews fetch links nobody clicked.
func (s *Server) unsubscribePage(c *gin.Context) error {
	un, err := s.svc.Email.CheckUnsubscribe(c.Request.Context(), c.Param("token"))
	if err != nil {
		return err
	}
	v := s.view(c, "Unsubscribe")
	v.Data = &unsubscribeData{Token: c.Param("token"), Un: un}
	return s.html(c, http.StatusOK, "email_unsubscribe", v)
}

// unsubscribe switches the token's kinds off: the confirmation form's
// POST and a mail provider's one-click POST alike.
func (s *Server) unsubscribe(c *gin.Context) error {
	un, err := s.svc.Email.Unsubscribe(c.Request.Context(), c.Param("token"))
	if err != nil {
		return err
	}
	v := s.view(c, "Unsubscribed")
	v.Data = &unsubscribeData{Un: un, Done: true}
	return s.html(c, http.StatusOK, "email_unsubscribe", v)
}

// adminEmailData is the admin email list.
type adminEmailData struct {
	Page    townhall.Page[*email.Message]
	State   email.State
	States  []email.State
	Sending bool
	From    string
}

func (s *Server) adminEmailPage(c *gin.Context) error {
	page, err := s.svc.Email.Messages(c.Request.Context(), currentUser(c), email.State(c.Query("state")), c.Query("before"))
	if err != nil {
		return err
	}
	v := s.view(c, "Email · Admin")
	v.Nav = "admin"
	v.Data = &adminEmailData{Page: page, State: email.State(c.Query("state")), States: email.States,
		Sending: s.svc.Email.Sending(), From: s.svc.Email.From().String()}
	return s.html(c, http.StatusOK, "admin_email", v)
}

func (s *Server) adminEmailMessage(c *gin.Context) error {
	m, err := s.svc.Email.Message(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	v := s.view(c, m.Subject+" · Email · Admin")
	v.Nav = "admin"
	v.Data = map[string]any{"M": m, "From": s.svc.Email.From().String()}
	return s.html(c, http.StatusOK, "admin_email_message", v)
}

// adminEmailHTML shows a message's HTML part as the recipient's mail
// client would, sandboxed: no scripts, no forms, nothing of this site's.
func (s *Server) adminEmailHTML(c *gin.Context) error {
	m, err := s.svc.Email.Message(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	c.Header("Content-Security-Policy", "sandbox; default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'")
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(m.HTML))
	return nil
}

func (s *Server) adminEmailRetry(c *gin.Context) error {
	m, err := s.svc.Email.Retry(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	return redirectBack(c, "/admin/email/"+m.ID)
}

// messageJSON is a composed email as the admin API lists it.
type messageJSON struct {
	ID        string      `json:"id"`
	To        string      `json:"to"`
	Kind      string      `json:"kind"`
	Subject   string      `json:"subject"`
	MessageID string      `json:"message_id"`
	State     email.State `json:"state"`
	Error     string      `json:"error,omitempty"`
	Attempts  int         `json:"attempts"`
	CreatedAt time.Time   `json:"created_at"`
	SentAt    *time.Time  `json:"sent_at,omitempty"`
	Text      string      `json:"text"`
}

func toMessageJSON(m *email.Message) messageJSON {
	out := messageJSON{ID: m.ID, To: m.To, Kind: m.Kind, Subject: m.Subject, MessageID: m.MessageID, State: m.State,
		Error: m.Error, Attempts: m.Attempts, CreatedAt: m.CreatedAt, Text: m.Text}
	if !m.SentAt.IsZero() {
		out.SentAt = &m.SentAt
	}
	return out
}

func (s *Server) apiAdminEmail(c *gin.Context) error {
	page, err := s.svc.Email.Messages(c.Request.Context(), currentUser(c), email.State(c.Query("state")), c.Query("before"))
	if err != nil {
		return err
	}
	items := make([]messageJSON, len(page.Items))
	for i, m := range page.Items {
		items[i] = toMessageJSON(m)
	}
	return sendJSON(c, http.StatusOK, gin.H{"items": items, "next": page.Next})
}

func (s *Server) apiAdminEmailRetry(c *gin.Context) error {
	m, err := s.svc.Email.Retry(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toMessageJSON(m))
}
