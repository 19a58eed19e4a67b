// Package web is Townhall's HTTP layer: a Gin router serving server-rendered
// pages and the JSON API under /api/v1 from the same domain services. It is
// deliberately thin: parse input, call one service method, render. Handlers
// return their errors, and one adapter (h, in errors.go) answers them all
// through one mapping from townhall error codes to statuses.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/account"
	"github.com/townhall/townhall/audit"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/email"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/insights"
	"github.com/townhall/townhall/loyalty"
	"github.com/townhall/townhall/moderation"
	"github.com/townhall/townhall/notify"
	"github.com/townhall/townhall/reviews"
	"github.com/townhall/townhall/search"
	"github.com/townhall/townhall/settings"
	"github.com/townhall/townhall/tokens"
	"github.com/townhall/townhall/webhooks"
)

// Config is what the web layer needs from the command line.
type Config struct {
	SiteName     string
	BaseURL      *url.URL // public URL: Secure cookie flag, trusted origin, absolute links in exports
	DevLogin     bool     // enables POST /auth/dev/login (loopback only; main enforces it)
	MaxBodyBytes int64    // request body cap; larger bodies get 413
	// Write rate limits per minute (0 disables): per signed-in user and per
	// client IP, for POST/PUT/PATCH/DELETE.
	UserWritesPerMinute int
	IPWritesPerMinute   int
	// UserReactionsPerMinute is the per-user budget of reactions (votes,
	// helpful votes, follows); see ratelimit_kinds.go. 0 disables it.
	UserReactionsPerMinute int
	// TrustProxy makes the client IP come from X-Forwarded-For; only set it
	// behind a reverse proxy that overwrites that header.
	TrustProxy bool
	// AnonPageCache is how long a page rendered for an anonymous visitor
	// is served to others (see pageCache); 0 renders every request.
	AnonPageCache time.Duration
	// MaxRenders is how many reads compute at once (see renderGate); the
	// rest wait their turn. 0 lets every request run at once.
	MaxRenders int
	Logger     *slog.Logger
}

// Services are the domain services the handlers call.
type Services struct {
	Auth    *auth.Service
	Notify  *notify.Service
	Forum   *forum.Service
	Ideas   *ideas.Service
	Reviews *reviews.Service
	Search  *search.Service
	// Loyalty is profiles, likes, reputation, badges and leaderboards.
	Loyalty *loyalty.Service
	// Settings are the site settings admins change at run time.
	Settings *settings.Service
	// StaffLog is the append-only record of staff actions.
	StaffLog *audit.Log
	// Insights are the product team's figures.
	Insights *insights.Service
	// Moderation is trust and safety: flags, the review queue, trust
	// levels, silences and suspensions.
	Moderation *moderation.Service
	// Email keeps people's email settings, unsubscribes them, and shows
	// admins the composed email.
	Email *email.Service
	// Account downloads and deletes accounts (data rights).
	Account *account.Service
	// OAuth signs people in through GitHub, Google, GitLab and OIDC; nil
	// means no provider is configured.
	OAuth *auth.OAuth
	// Ping reports whether the store answers, for /healthz.
	Ping func(context.Context) error
	// Limiter counts write rate limits across every app node; nil counts
	// them in this node's memory.
	Limiter RateLimiter
	// Tokens authenticates API requests that carry a bearer token.
	Tokens *tokens.Service
	// Webhooks manages webhook endpoints and their delivery log.
	Webhooks *webhooks.Service
}

// Server holds the router and everything handlers share.
type Server struct {
	cfg       Config
	svc       Services
	engine    *gin.Engine
	pages     *renderer
	limits    *writeLimits
	pageCache *pageCache
	gate      *renderGate   // nil: no bound
	writers   recentWriters // members who just wrote: their pages are their own renders
	metrics   *metrics
	log       *slog.Logger
	secure    bool
}

// New builds the router.
func New(cfg Config, svc Services) (*Server, error) {
	if cfg.SiteName == "" {
		cfg.SiteName = "Townhall"
	}
	if cfg.BaseURL == nil {
		cfg.BaseURL = &url.URL{Scheme: "http", Host: "127.0.0.1:8080"}
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	pages, err := newRenderer()
	if err != nil {
		return nil, err
	}
	if svc.Auth != nil {
		pages.loc = svc.Auth.Location()
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{
		cfg:       cfg,
		svc:       svc,
		engine:    gin.New(),
		pages:     pages,
		pageCache: newPageCache(cfg.AnonPageCache, 64<<20),
		gate:      newRenderGate(cfg.MaxRenders),
		metrics:   newMetrics(),
		log:       cfg.Logger,
		secure:    cfg.BaseURL.Scheme == "https",
	}
	s.limits = &writeLimits{shared: svc.Limiter, local: newLimiter(), log: cfg.Logger, onFail: s.metrics.rateLimiterFailed.Inc}
	s.engine.HandleMethodNotAllowed = true
	s.engine.RemoveExtraSlash = true
	s.routes()
	return s, nil
}

// Handler returns the complete handler: cross-origin protection around the
// router, so every state-changing request from another site is refused
// before any handler runs.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	if o := s.cfg.BaseURL; o.Host != "" {
		cop.AddTrustedOrigin(o.Scheme + "://" + o.Host)
	}
	cop.AddInsecureBypassPattern(unsubscribePattern)
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.metrics.crossOriginDenied.Inc()
		s.writeError(w, r, s.baseView(r), townhall.Errorf(townhall.EFORBIDDEN,
			"This request came from another site and was refused. Please submit the form from this site."))
	}))
	return cop.Handler(s.engine)
}

// Close stops background work (rate-limit sweeping).
func (s *Server) Close() { s.limits.stop() }

func (s *Server) routes() {
	r := s.engine
	r.Use(s.recovery, s.requestID, s.accessLog, s.h(s.limitBody), s.h(s.validUTF8), s.h(s.loadUser), s.h(s.refuseSilenced), s.h(s.rateLimitWrites), s.anonPageCache)
	r.NoRoute(s.h(func(c *gin.Context) error { return notFoundErr("page") }))
	r.NoMethod(s.h(func(c *gin.Context) error {
		return townhall.Errorf(townhall.EMETHOD, "That method is not allowed here.")
	}))

	r.GET("/healthz", s.healthz)
	r.GET("/metrics", s.metricsHandler())
	r.GET("/static/*file", s.h(s.static))
	r.GET("/favicon.ico", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, s.pages.staticURL("favicon.svg")) })
	r.GET("/", s.h(s.home))

	s.authRoutes(r)
	s.markdownRoutes(r)
	s.notificationRoutes(r)
	s.adminRoutes(r)
	s.staffLogRoutes(r)
	s.accountRoutes(r)
	s.forumRoutes(r)
	s.ideaRoutes(r)
	s.productRoutes(r)
	s.reviewRoutes(r)
	s.searchRoutes(r)
	s.loyaltyRoutes(r)
	s.emailRoutes(r)
	s.tokenRoutes(r)
	s.webhookRoutes(r)
	s.feedRoutes(r)
	s.insightRoutes(r)
	s.trustRoutes(r)
}

// api is the JSON API group; handlers under it answer errors as JSON.
func (s *Server) api() *gin.RouterGroup { return s.engine.Group("/api/v1") }

func isAPI(path string) bool { return strings.HasPrefix(path, "/api/") }

func (s *Server) healthz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if s.svc.Ping != nil {
		if err := s.svc.Ping(ctx); err != nil {
			s.log.Error("health check failed", "err", err)
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable"})
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}
