package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
)

// oauthRoutes serves sign-in through external providers: GET /auth/NAME
// sends the browser to the provider, GET /auth/NAME/callback brings it back.
func (s *Server) oauthRoutes(r *gin.Engine) {
	r.GET("/auth/:provider", s.h(s.oauthBegin))
	r.GET("/auth/:provider/callback", s.h(s.oauthCallback))
}

func (s *Server) oauthBegin(c *gin.Context) error {
	if s.svc.OAuth == nil {
		return notFoundErr("sign-in provider")
	}
	// Any ?state= the client sends is ignored: auth.OAuth always makes its own.
	begin := s.svc.OAuth.Begin
	if c.Query("fresh") != "" { // after being told their old account is deleted
		begin = s.svc.OAuth.BeginFresh
	}
	authURL, cookie, err := begin(c.Param("provider"), localPath(c.Query("next")))
	if err != nil {
		return s.signinError(c, err)
	}
	s.setFlowCookie(c, cookie, int(auth.FlowTTL/time.Second))
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, authURL)
	return nil
}

func (s *Server) oauthCallback(c *gin.Context) error {
	if s.svc.OAuth == nil {
		return notFoundErr("sign-in provider")
	}
	var cookie string
	if ck, err := c.Request.Cookie(auth.FlowCookie); err == nil {
		cookie = ck.Value
	}
	// The flow cookie is single-use, whatever the outcome.
	s.setFlowCookie(c, "", -1)
	id, next, err := s.svc.OAuth.Complete(c.Param("provider"), cookie, c.Request.URL.Query())
	if err != nil {
		return s.signinError(c, err)
	}
	u, err := s.svc.Auth.SignIn(c.Request.Context(), id)
	if errors.Is(err, auth.ErrAccountDeleted) {
		// Offer a new account: the same sign-in again, this time fresh.
		v := s.view(c, "Sign in")
		data := s.signinData(next)
		data["Fresh"] = map[string]any{"URL": "/auth/" + urlQueryEscape(c.Param("provider")) + "?fresh=1&next=" + urlQueryEscape(next)}
		v.Data = data
		v.Error = townhall.ErrorMessage(err)
		return s.html(c, http.StatusConflict, "signin", v)
	}
	if err != nil {
		return s.signinError(c, err)
	}
	return s.startSession(c, u, next)
}

// signinError shows the sign-in page with what went wrong, so the person
// can pick a provider again; details go to the log. An unknown provider is
// a plain 404.
func (s *Server) signinError(c *gin.Context, err error) error {
	code := townhall.ErrorCode(err)
	if code == townhall.ENOTFOUND {
		return err
	}
	s.log.Warn("oauth sign-in failed", "provider", c.Param("provider"), "err", err, "request_id", c.GetString(ctxRequestID))
	v := s.view(c, "Sign in")
	v.Error = townhall.ErrorMessage(err)
	v.Data = s.signinData("/")
	return s.html(c, statusOf(code), "signin", v)
}

// setFlowCookie sets (or, with maxAge < 0, clears) the OAuth flow cookie.
// SameSite=Lax, not Strict: the provider's redirect back is a cross-site
// top-level navigation that must carry it.
func (s *Server) setFlowCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: auth.FlowCookie, Value: value, Path: "/auth/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}
