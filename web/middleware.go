package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
)

const (
	ctxRequestID  = "request_id"
	ctxUser       = "user"
	sessionCookie = "townhall_session"
)

// currentUser is the signed-in user, or nil.
func currentUser(c *gin.Context) *townhall.User {
	if u, ok := c.Get(ctxUser); ok {
		return u.(*townhall.User)
	}
	return nil
}

// recovery turns a panic into a logged 500 instead of a dropped connection.
func (s *Server) recovery(c *gin.Context) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic", "panic", p, "request_id", c.GetString(ctxRequestID), "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				s.fail(c, fmt.Errorf("panic: %v", p))
			}
			c.Abort()
		}
	}()
	c.Next()
}

// requestID tags each request with an id (the client's, if sane) that logs
// and error pages show, so a user's report can be matched to a log line.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-Id")
	if len(id) == 0 || len(id) > 64 || !printableASCII(id) {
		var b [8]byte
		rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Set(ctxRequestID, id)
	h := c.Writer.Header()
	h.Set("X-Request-Id", id)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	if s.secure {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	c.Next()
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// accessLog logs one line per request and feeds the request metrics.
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	d := time.Since(start)
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	s.metrics.observe(c.Request.Method, route, status, d)
	if route == "/healthz" || route == "/metrics" || route == "/static/*file" {
		return
	}
	s.log.Info("request", "method", c.Request.Method, "path", c.Request.URL.Path, "route", route,
		"status", status, "duration_ms", float64(d.Microseconds())/1000, "bytes", c.Writer.Size(),
		"ip", s.clientIP(c), "request_id", c.GetString(ctxRequestID))
}

// limitBody caps request bodies. A declared oversize length is refused at
// once; a body that grows past the cap fails when read (see asTownhall).
func (s *Server) limitBody(c *gin.Context) error {
	if c.Request.ContentLength > s.cfg.MaxBodyBytes {
		return townhall.Errorf(townhall.ETOOLARGE, "The request is too large (limit %d bytes).", s.cfg.MaxBodyBytes)
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes)
	c.Next()
	return nil
}

// loadUser resolves the session cookie to the signed-in user; an API
// request with an Authorization header is the token's user instead.
func (s *Server) loadUser(c *gin.Context) error {
	if c.GetHeader("Authorization") != "" && isAPI(c.Request.URL.Path) && s.svc.Tokens != nil {
		return s.bearerUser(c)
	}
	ck, err := c.Request.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		c.Next()
		return nil
	}
	u, renewed, err := s.svc.Auth.SessionUser(c.Request.Context(), ck.Value)
	if err != nil {
		return err
	}
	if u == nil {
		s.clearSessionCookie(c) // expired or signed out elsewhere
	} else {
		// The day's first request records a visit (one write a day per
		// person); failing to record one must not fail the request.
		if first, err := s.svc.Auth.Visit(c.Request.Context(), u); err != nil {
			s.log.Warn("recording a visit", "err", err, "request_id", c.GetString(ctxRequestID))
		} else if first && s.svc.Moderation != nil {
			s.svc.Moderation.Activity(c.Request.Context(), u.ID) // a new day visited counts toward the trust level
		}
		c.Set(ctxUser, u)
		if !renewed.IsZero() {
			s.setSessionCookie(c, ck.Value, renewed)
		}
	}
	c.Next()
	return nil
}

func (s *Server) setSessionCookie(c *gin.Context, token string, expires time.Time) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// rateLimitWrites applies the per-IP and per-user write budgets (the
// user's by kind of action and trust level, see ratelimit_kinds.go).
func (s *Server) rateLimitWrites(c *gin.Context) error {
	if !isWrite(c.Request.Method) {
		c.Next()
		return nil
	}
	now := time.Now()
	if n := s.cfg.IPWritesPerMinute; n > 0 {
		if ok, wait := s.limits.allow(c.Request.Context(), "ip:"+s.clientIP(c), n, now); !ok {
			return s.tooMany(c, wait)
		}
	}
	if u := currentUser(c); u != nil {
		if err := s.limitUser(c, u, now); err != nil {
			return err
		}
	}
	c.Next()
	return nil
}

// tooMany is the 429 for a spent budget, with Retry-After set.
func (s *Server) tooMany(c *gin.Context, wait time.Duration) error {
	secs := int(wait/time.Second) + 1
	c.Header("Retry-After", strconv.Itoa(secs))
	s.metrics.rateLimited.Inc()
	return townhall.Errorf(townhall.ERATELIMIT, "You're doing that too often. Please wait %d seconds and try again.", secs)
}

// clientIP is the peer address, or the proxy's X-Forwarded-For when trusted.
func (s *Server) clientIP(c *gin.Context) string {
	if s.cfg.TrustProxy {
		if ip := c.ClientIP(); ip != "" {
			return ip
		}
	}
	host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
	if err != nil {
		return c.Request.RemoteAddr
	}
	return host
}
