package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/email"
)

func (s *Server) authRoutes(r *gin.Engine) {
	r.GET("/signin", s.h(s.signinPage))
	r.POST("/auth/logout", s.h(s.logout))
	if s.cfg.DevLogin {
		r.POST("/auth/dev/login", s.h(s.devLogin))
	}
	s.oauthRoutes(r)
	s.api().GET("/me", s.h(s.apiMe))
}

func (s *Server) signinPage(c *gin.Context) error {
	v := s.view(c, "Sign in")
	v.Data = s.signinData(localPath(c.Query("next")))
	return s.html(c, http.StatusOK, "signin", v)
}

// signinData is what the sign-in page shows: the enabled providers and
// where to go afterwards.
func (s *Server) signinData(next string) map[string]any {
	var providers []auth.ProviderInfo
	if s.svc.OAuth != nil {
		providers = s.svc.OAuth.Providers()
	}
	return map[string]any{"Next": next, "Providers": providers}
}

// devLogin signs in as any name, with an optional email address so mail
// can reach them: for local trials and tests only. main
// refuses to enable it unless the server listens on loopback.
func (s *Server) devLogin(c *gin.Context) error {
	name := c.PostForm("name")
	role := townhall.Role(c.PostForm("role"))
	addr := strings.TrimSpace(c.PostForm("email"))
	var u *townhall.User
	var err error = townhall.Errorf(townhall.EINVALID, "Name is required.")
	if _, ok := email.ValidAddress(addr); addr != "" && !ok {
		err = townhall.Errorf(townhall.EINVALID, "Email %q is not an address like ann@example.com; leave it empty for no email.", addr)
	} else if strings.TrimSpace(name) != "" {
		// An email address (optional) lets mail reach the person, and a
		// trial play a customer the product team recorded by email.
		u, err = s.svc.Auth.SignIn(c.Request.Context(), auth.Identity{Provider: "dev", Subject: name, Name: name, Email: addr, Role: role,
			Fresh: c.PostForm("fresh") != ""})
	}
	if err != nil {
		v := s.view(c, "Sign in")
		data := s.signinData(localPath(c.PostForm("next")))
		if errors.Is(err, auth.ErrAccountDeleted) {
			data["Fresh"] = map[string]any{"Dev": true, "Name": name, "Role": role}
		}
		v.Data = data
		return rerender("signin", v, err)
	}
	return s.startSession(c, u, c.PostForm("next"))
}

// startSession signs the browser in as u and sends it on to next.
func (s *Server) startSession(c *gin.Context, u *townhall.User, next string) error {
	token, expires, err := s.svc.Auth.StartSession(c.Request.Context(), u.ID)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token, expires)
	return redirectBack(c, localPath(next))
}

func (s *Server) logout(c *gin.Context) error {
	if ck, err := c.Request.Cookie(sessionCookie); err == nil {
		if err := s.svc.Auth.EndSession(c.Request.Context(), ck.Value); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	return redirectBack(c, "/")
}

func (s *Server) apiMe(c *gin.Context) error {
	u, err := requireUser(c)
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, gin.H{"id": u.ID, "name": u.Name, "handle": u.Handle, "role": u.Role, "segment_id": u.SegmentID, "verified": u.Verified,
		"trust_level": u.Level()})
}
