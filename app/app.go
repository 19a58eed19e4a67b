// Package app wires Townhall together: it opens the store, builds the domain
// services and the web server from one Config. main calls it to serve;
// tests call it to get the same application on a loopback port.
package app

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/townhall/townhall/account"
	"github.com/townhall/townhall/audit"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/email"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/insights"
	"github.com/townhall/townhall/jobs"
	"github.com/townhall/townhall/loyalty"
	"github.com/townhall/townhall/moderation"
	"github.com/townhall/townhall/notify"
	"github.com/townhall/townhall/reviews"
	"github.com/townhall/townhall/search"
	"github.com/townhall/townhall/settings"
	"github.com/townhall/townhall/store/mongo"
	"github.com/townhall/townhall/store/sqlite"
	"github.com/townhall/townhall/tokens"
	"github.com/townhall/townhall/web"
	"github.com/townhall/townhall/webhooks"
)

// Config is every setting Townhall has. cmd/townhall fills it from flags
// and TOWNHALL_* environment variables.
type Config struct {
	Addr                string
	DataDir             string
	BaseURL             string
	SiteName            string
	DevLogin            bool
	MongoDBURI          string
	SessionSecret       string
	MaxBodyBytes        int64
	UserWritesPerMinute int
	IPWritesPerMinute   int
	// ReactionsPerMinute is each person's budget of reactions (votes,
	// helpful votes, follows), apart from their content budget.
	ReactionsPerMinute int
	TrustProxy         bool
	AnonPageCache      time.Duration
	// MaxRenders is how many reads compute at once; the rest queue
	// (0 = no bound, AutoRenders = chosen for the store, see renderSlots).
	MaxRenders int
	// TimeZone is the site's IANA time zone ("UTC", "Europe/Berlin"):
	// where a day begins for visits, digests and insights.
	TimeZone string
	Logger   *slog.Logger
	// WebhooksAllowPrivate lets webhook endpoints be on loopback and
	// private networks (refused by default: see webhooks/ssrf.go).
	WebhooksAllowPrivate bool

	// OAuth providers; each is enabled when its client id and secret are set.
	GitHubClientID, GitHubClientSecret string
	GitHubURL                          string // GitHub Enterprise Server; default https://github.com
	GoogleClientID, GoogleClientSecret string
	GitLabClientID, GitLabClientSecret string
	GitLabURL                          string // self-managed GitLab; default https://gitlab.com
	OIDCIssuer, OIDCClientID           string
	OIDCClientSecret, OIDCName         string // OIDCName labels the sign-in button
	// OAuthHTTPClient makes requests to identity providers (custom CAs,
	// proxies, tests); nil is a default client with a timeout.
	OAuthHTTPClient *http.Client

	// Email: SMTPURL names the server (empty keeps mail composed but
	// unsent, for /admin/email), MailFrom the sender (default: the site
	// name at noreply@ the base URL's host), MailDelay how long an event
	// waits for others about the same thread or idea (0 sends at once).
	SMTPURL   string
	MailFrom  string
	MailDelay time.Duration
	// MailTLSConfig replaces the TLS settings of SMTP connections (a
	// private CA, a test server); nil uses the system's roots.
	MailTLSConfig *tls.Config
}

// AutoRenders as Config.MaxRenders lets renderSlots choose.
const AutoRenders = -1

// renderSlots is how many reads compute at once. On the embedded store a
// read is CPU from start to end, so twice the CPUs keeps them busy while
// one waits on a page fault. A MongoDB read spends most of its time on the
// network waiting for the server, so a node needs many more in flight to
// use its CPUs.
func renderSlots(c Config) int {
	if c.MaxRenders != AutoRenders {
		return c.MaxRenders
	}
	if c.MongoDBURI != "" {
		return 8 * runtime.GOMAXPROCS(0)
	}
	return 2 * runtime.GOMAXPROCS(0)
}

// Defaults returns the settings `go run ./cmd/townhall` uses.
func Defaults() Config {
	return Config{
		Addr:                "127.0.0.1:8080",
		DataDir:             "data",
		SiteName:            "Townhall",
		GitHubURL:           "https://github.com",
		GitLabURL:           "https://gitlab.com",
		OIDCName:            "OpenID Connect",
		MaxBodyBytes:        1 << 20,
		UserWritesPerMinute: 30,
		IPWritesPerMinute:   120,
		ReactionsPerMinute:  120,
		AnonPageCache:       10 * time.Second,
		MaxRenders:          AutoRenders,
		TimeZone:            "UTC",
		MailDelay:           2 * time.Minute,
	}
}

// ConfigError is a setting that cannot work, or a database this Townhall
// must not run on (one a newer version wrote); main prints it and exits 2.
type ConfigError struct {
	msg   string
	cause error
}

func (e *ConfigError) Error() string { return e.msg }

// Unwrap returns the store's error behind a refused database.
func (e *ConfigError) Unwrap() error { return e.cause }

// refusedSchema turns a store's refusal of a newer schema into a
// ConfigError, keeping it as the cause; other errors pass through.
func refusedSchema(err error) error {
	var sqliteNew *sqlite.ErrSchemaTooNew
	var mongoNew *mongo.ErrSchemaTooNew
	if errors.As(err, &sqliteNew) || errors.As(err, &mongoNew) {
		return &ConfigError{msg: err.Error(), cause: err}
	}
	return err
}

func configErrorf(format string, args ...any) error {
	return &ConfigError{msg: fmt.Sprintf(format, args...)}
}

// Validate checks settings that do not need the store.
func (c *Config) Validate() error {
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return configErrorf("--addr %q is not host:port: %v", c.Addr, err)
	}
	if c.DevLogin && !isLoopback(host) {
		return configErrorf("--dev-login lets anyone sign in as anyone, so it only works on a loopback address (127.0.0.1, ::1, localhost); --addr is %q", c.Addr)
	}
	if c.BaseURL == "" {
		h := host
		if h == "" || h == "0.0.0.0" || h == "::" {
			h = "localhost"
		}
		_, port, _ := net.SplitHostPort(c.Addr)
		c.BaseURL = "http://" + net.JoinHostPort(h, port)
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return configErrorf("--base-url %q must be an http(s) URL with a host and no path, like https://community.example.com", c.BaseURL)
	}
	if c.MongoDBURI != "" {
		if _, err := mongo.DatabaseFromURI(c.MongoDBURI); err != nil {
			return configErrorf("--mongodb-uri: %v", err)
		}
	}
	if c.MaxBodyBytes < 1024 {
		return configErrorf("--max-body must be at least 1024 bytes")
	}
	if c.UserWritesPerMinute < 0 || c.IPWritesPerMinute < 0 || c.ReactionsPerMinute < 0 {
		return configErrorf("rate limits must be 0 (off) or positive")
	}
	if c.TimeZone == "" {
		c.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return configErrorf("--time-zone %q is not a time zone: use an IANA name like UTC or Europe/Berlin", c.TimeZone)
	}
	if c.MaxRenders < AutoRenders {
		return configErrorf("--max-renders must be -1 (chosen for the store), 0 (no bound) or positive")
	}
	if c.AnonPageCache < 0 || c.AnonPageCache > time.Hour {
		return configErrorf("--anon-cache must be between 0 (off) and 1h, like 10s")
	}
	for _, p := range []struct{ name, id, secret string }{
		{"github", c.GitHubClientID, c.GitHubClientSecret},
		{"google", c.GoogleClientID, c.GoogleClientSecret},
		{"gitlab", c.GitLabClientID, c.GitLabClientSecret},
		{"oidc", c.OIDCClientID, c.OIDCClientSecret},
	} {
		if (p.id == "") != (p.secret == "") {
			return configErrorf("--%s-client-id and --%s-client-secret must be set together", p.name, p.name)
		}
	}
	if (c.OIDCClientID != "") != (c.OIDCIssuer != "") {
		return configErrorf("--oidc-issuer and --oidc-client-id must be set together")
	}
	for flag, v := range map[string]string{"--github-url": c.GitHubURL, "--gitlab-url": c.GitLabURL, "--oidc-issuer": c.OIDCIssuer} {
		if v == "" {
			continue
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return configErrorf("%s %q must be an http(s) URL", flag, v)
		}
	}
	if c.SessionSecret != "" && len(c.SessionSecret) < 32 {
		return configErrorf("--session-secret must be at least 32 characters")
	}
	return c.validateMail()
}

// validateMail checks the email settings.
func (c *Config) validateMail() error {
	if c.SMTPURL != "" {
		if _, err := email.ParseSMTPURL(c.SMTPURL); err != nil {
			return configErrorf("--smtp-url %v", err)
		}
	}
	if c.MailFrom != "" {
		if _, err := parseMailFrom(c.MailFrom); err != nil {
			return configErrorf("--mail-from %q is not one address like \"Acme Community <community@acme.example>\"", c.MailFrom)
		}
	}
	if c.MailDelay < 0 || c.MailDelay > time.Hour {
		return configErrorf("--mail-delay must be between 0 (send at once) and 1h, like 2m")
	}
	return nil
}

// parseMailFrom reads --mail-from: one address, with or without a name.
func parseMailFrom(s string) (*mail.Address, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, err
	}
	if _, ok := email.ValidAddress(a.Address); !ok {
		return nil, fmt.Errorf("%q is not an address", a.Address)
	}
	return a, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Store is what the application needs from a storage backend: every
// domain's Store interface plus health and lifecycle. The embedded SQLite
// store and the MongoDB store both implement it.
type Store interface {
	auth.Store
	auth.CustomerStore
	account.Store
	notify.Store
	forum.Store
	ideas.Store
	reviews.Store
	jobs.Store
	email.Store
	audit.Store
	insights.Store
	settings.Store
	loyalty.Store
	moderation.Store
	tokens.Store
	webhooks.Store
	search.Source // the change feed and search documents
	Ping(ctx context.Context) error
	Close() error
}

// Both backends store every domain; the compiler checks it. MongoDB also
// counts write rate limits for every node (the embedded store serves one
// node, whose memory is enough).
var (
	_ Store           = (*sqlite.DB)(nil)
	_ Store           = (*mongo.DB)(nil)
	_ web.RateLimiter = (*mongo.DB)(nil)
)

// OpenStore opens the store cfg names: MongoDB when MongoDBURI is set, the
// embedded store in DataDir otherwise. Open uses it; so do commands that
// need only the store (reindex). A database a newer Townhall wrote is
// refused with a ConfigError.
func OpenStore(ctx context.Context, cfg Config) (Store, error) {
	if cfg.MongoDBURI != "" {
		db, err := mongo.OpenURI(ctx, cfg.MongoDBURI)
		if err != nil {
			return nil, refusedSchema(fmt.Errorf("open MongoDB store: %w", err))
		}
		return db, nil
	}
	db, err := sqlite.Open(ctx, cfg.DataDir)
	if err != nil {
		return nil, refusedSchema(fmt.Errorf("open store in %s: %w", cfg.DataDir, err))
	}
	return db, nil
}

// App is a running Townhall minus its listener.
type App struct {
	Config  Config
	DB      Store
	Auth    *auth.Service
	Notify  *notify.Service
	Forum   *forum.Service
	Ideas   *ideas.Service
	Reviews *reviews.Service
	// Loyalty is profiles, likes, reputation, badges and leaderboards.
	Loyalty *loyalty.Service
	// Email turns notifications into email and keeps people's choices.
	Email *email.Service
	// Settings are the site settings admins change at run time.
	Settings *settings.Service
	// StaffLog records every staff action (services call it).
	StaffLog *audit.Log
	// Moderation is trust and safety: flags, the review queue, trust
	// levels, silences and suspensions (see wireModeration).
	Moderation *moderation.Service
	// Account downloads and deletes people's accounts.
	Account *account.Service
	OAuth   *auth.OAuth
	// Tokens are the API tokens people and integrations use.
	Tokens *tokens.Service
	// Webhooks deliver the site's events to registered endpoints.
	Webhooks *webhooks.Service
	Web      *web.Server
	Secret   []byte

	// Search answers queries; SearchIndex is its live index in
	// DATA/search, kept current by Indexer tailing the store's change feed.
	Search      *search.Service
	SearchIndex *search.Index
	Indexer     *search.Indexer

	// Location is the site's time zone (Config.TimeZone).
	Location *time.Location

	// Jobs runs the durable background queue (email, webhooks, fan-out);
	// features register their queues on it before it starts.
	Jobs *jobs.Runner

	// Insights are the product team's figures, kept by a pass on the
	// "insights" queue.
	Insights *insights.Service

	bg       context.CancelFunc
	closed   chan struct{}
	indexing chan struct{}
	working  chan struct{}
	pacing   chan struct{} // the insights' schedule
}

// SearchDir is where the search index lives inside a data directory.
func SearchDir(dataDir string) string { return filepath.Join(dataDir, "search") }

// Open builds the application. Call Close when done.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	db, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	secret, err := loadSecret(ctx, cfg, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	a := &App{Config: cfg, DB: db, Secret: secret, closed: make(chan struct{}), indexing: make(chan struct{}), working: make(chan struct{}),
		pacing: make(chan struct{})}
	a.Jobs = jobs.NewRunner(db, cfg.Logger)
	a.SearchIndex, err = search.Open(SearchDir(cfg.DataDir))
	if err != nil {
		db.Close()
		return nil, err
	}
	if a.SearchIndex.Outdated() {
		cfg.Logger.Warn("the search index was built by an older Townhall; run `townhall reindex` to rebuild it while the site keeps serving", "dir", SearchDir(cfg.DataDir))
	}
	a.Search = search.NewService(a.SearchIndex, db)
	a.Indexer = search.NewIndexer(a.SearchIndex, db, cfg.Logger)
	a.Auth = auth.NewService(db)
	a.Settings = settings.NewService(db)
	a.StaffLog = audit.NewLog(db, cfg.Logger)
	a.Location, _ = time.LoadLocation(cfg.TimeZone) // Validate checked it
	a.Auth.SetLocation(a.Location)
	a.Notify = notify.NewService(db)
	a.Insights = insights.NewService(db, a.Location, cfg.Logger)
	a.Jobs.Register(a.Insights.JobQueue(a.Jobs))
	a.Ideas = ideas.NewService(db, a.Notify)
	a.Ideas.OnNotifyError = func(err error) { cfg.Logger.Warn("idea notification not delivered", "err", err) }
	a.Reviews = reviews.NewService(db, a.Notify)
	a.Forum = forum.NewService(db, a.Notify, a.Auth)
	a.Forum.OnNotifyError = func(err error) { cfg.Logger.Warn("forum notification not delivered", "err", err) }
	// Every staff action the services take is recorded in the staff log.
	a.Auth.SetStaffLog(a.StaffLog)
	a.Forum.SetStaffLog(a.StaffLog)
	a.Ideas.SetStaffLog(a.StaffLog)
	a.Reviews.SetStaffLog(a.StaffLog)
	a.Account = account.NewService(db)
	a.Account.SetStaffLog(a.StaffLog)
	a.Tokens = tokens.NewService(db, a.Auth, a.StaffLog)
	a.Tokens.OnTouchError = func(err error) { cfg.Logger.Warn("API token use not recorded", "err", err) }
	base, _ := url.Parse(cfg.BaseURL)
	a.Webhooks = webhooks.NewService(webhooks.Deps{Store: db, Jobs: db, Queue: a.Jobs, Notify: a.Notify, StaffLog: a.StaffLog, Logger: cfg.Logger},
		webhooks.Config{BaseURL: base, SiteName: cfg.SiteName, AllowPrivate: cfg.WebhooksAllowPrivate})
	a.Jobs.Register(a.Webhooks.QueueSpec())
	a.Auth.Events, a.Forum.Events, a.Ideas.Events, a.Reviews.Events = a.Webhooks, a.Webhooks, a.Webhooks, a.Webhooks
	a.Ideas.Customers = a.Auth
	a.wireModeration()
	// Likes and ledger entries fall on days of the site's time zone.
	if s, ok := db.(interface{ SetLocation(*time.Location) }); ok {
		s.SetLocation(a.Location)
	}
	a.Loyalty = loyalty.NewService(loyalty.Config{Store: db, Users: a.Auth, Categories: a.Forum, Settings: a.Settings,
		Notify: a.Notify, StaffLog: a.StaffLog, Location: a.Location})
	a.Loyalty.OnNotifyError = func(err error) { cfg.Logger.Warn("loyalty notification or badge not delivered", "err", err) }
	a.Forum.Rewards, a.Ideas.Rewards, a.Reviews.Rewards = a.Loyalty, a.Loyalty, a.Loyalty
	a.registerBadgePass()
	a.OAuth, err = auth.NewOAuth(auth.OAuthConfig{
		GitHubClientID: cfg.GitHubClientID, GitHubClientSecret: cfg.GitHubClientSecret, GitHubURL: cfg.GitHubURL,
		GoogleClientID: cfg.GoogleClientID, GoogleClientSecret: cfg.GoogleClientSecret,
		GitLabClientID: cfg.GitLabClientID, GitLabClientSecret: cfg.GitLabClientSecret, GitLabURL: cfg.GitLabURL,
		OIDCIssuer: cfg.OIDCIssuer, OIDCClientID: cfg.OIDCClientID, OIDCClientSecret: cfg.OIDCClientSecret, OIDCName: cfg.OIDCName,
		HTTPClient: cfg.OAuthHTTPClient,
	}, secret, cfg.BaseURL)
	if err != nil {
		a.SearchIndex.Close() // releases the index lock, so a retry can open it
		db.Close()
		return nil, err
	}
	if err := a.openEmail(base); err != nil {
		a.SearchIndex.Close()
		db.Close()
		return nil, err
	}
	// A person's data export holds what every feature keeps about them.
	a.Account.Sections = []account.Section{a.Loyalty, a.Email, a.Tokens}
	// A store that can count rate limits for all nodes does; a limiter
	// error falls back to this node's own buckets (see web.RateLimiter).
	limiter, _ := db.(web.RateLimiter)
	a.Web, err = web.New(web.Config{
		SiteName:               cfg.SiteName,
		BaseURL:                base,
		DevLogin:               cfg.DevLogin,
		MaxBodyBytes:           cfg.MaxBodyBytes,
		UserWritesPerMinute:    cfg.UserWritesPerMinute,
		UserReactionsPerMinute: cfg.ReactionsPerMinute,
		IPWritesPerMinute:      cfg.IPWritesPerMinute,
		TrustProxy:             cfg.TrustProxy,
		AnonPageCache:          cfg.AnonPageCache,
		MaxRenders:             renderSlots(cfg),
		Logger:                 cfg.Logger,
	}, web.Services{
		Auth:     a.Auth,
		Notify:   a.Notify,
		Forum:    a.Forum,
		Ideas:    a.Ideas,
		Reviews:  a.Reviews,
		Loyalty:  a.Loyalty,
		Settings: a.Settings,
		StaffLog: a.StaffLog,
		Insights: a.Insights,
		Email:    a.Email,
		Account:  a.Account,
		// Moderation is trust and safety (flags, review queue, sanctions).
		Moderation: a.Moderation,
		OAuth:      a.OAuth,
		Search:     a.Search,
		Ping:       db.Ping,
		Limiter:    limiter,
		Tokens:     a.Tokens,
		Webhooks:   a.Webhooks,
	})
	if err != nil {
		a.SearchIndex.Close()
		db.Close()
		return nil, err
	}
	a.Web.Registry().MustRegister(newJobMetrics(a.Jobs, db), newMailMetrics(a.Email, db))
	bgctx, cancel := context.WithCancel(context.Background())
	a.bg = cancel
	go a.background(bgctx)
	go func() {
		defer close(a.indexing)
		a.Indexer.Run(bgctx)
	}()
	go func() {
		defer close(a.working)
		a.Jobs.Run(bgctx)
	}()
	go func() {
		defer close(a.pacing)
		a.Insights.Schedule(bgctx, a.Jobs, insights.RefreshEvery)
	}()
	return a, nil
}

// background runs periodic housekeeping until Close.
func (a *App) background(ctx context.Context) {
	defer close(a.closed)
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := a.StartBadgePass(ctx, time.Now().In(a.Location).Format(time.DateOnly)); err != nil && ctx.Err() == nil {
			a.Config.Logger.Warn("starting the badge pass", "err", err)
		}
		if n, err := a.Auth.PruneSessions(ctx); err != nil && ctx.Err() == nil {
			a.Config.Logger.Warn("pruning sessions", "err", err)
		} else if n > 0 {
			a.Config.Logger.Info("pruned expired sessions", "count", n)
		}
		// Servers without TTL indexes keep finished rate-limit windows
		// until pruned; on MongoDB this finds the TTL monitor's leftovers.
		if p, ok := a.DB.(interface {
			PruneRateLimits(ctx context.Context, now time.Time) (int, error)
		}); ok {
			if _, err := p.PruneRateLimits(ctx, time.Now()); err != nil && ctx.Err() == nil {
				a.Config.Logger.Warn("pruning rate-limit windows", "err", err)
			}
		}
		a.emailHousekeeping(ctx)
		if _, err := a.Webhooks.Prune(ctx, a.Jobs.FailedRetention); err != nil && ctx.Err() == nil {
			a.Config.Logger.Warn("pruning webhook attempts", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Handler is the complete HTTP handler.
func (a *App) Handler() http.Handler { return a.Web.Handler() }

// Close stops background work (waiting for the indexer to finish its
// batch and the job runner its jobs in flight), then closes the search
// index and the store.
func (a *App) Close() error {
	a.bg()
	<-a.closed
	<-a.indexing
	<-a.working
	<-a.pacing
	a.Web.Close()
	return errors.Join(a.SearchIndex.Close(), a.DB.Close())
}

// Serve serves on ln until ctx ends, then shuts down gracefully: it stops
// accepting, lets in-flight requests finish (up to 15 s), and returns.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Config.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Config.Logger.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// loadSecret returns the configured session secret, or the one persisted in
// the data directory, creating it on first start so restarts keep sessions.
// On MongoDB it is persisted in the database instead, so every node behind a
// load balancer shares it (the first node to start generates it).
func loadSecret(ctx context.Context, cfg Config, db Store) ([]byte, error) {
	if cfg.SessionSecret != "" {
		return []byte(cfg.SessionSecret), nil
	}
	if m, ok := db.(interface {
		SettingOnce(ctx context.Context, key, value string) (string, error)
	}); ok {
		var b [32]byte
		rand.Read(b[:])
		s, err := m.SettingOnce(ctx, "session_secret", hex.EncodeToString(b[:]))
		if err != nil {
			return nil, fmt.Errorf("session secret: %w", err)
		}
		return []byte(s), nil
	}
	path := filepath.Join(cfg.DataDir, "session.key")
	if b, err := os.ReadFile(path); err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) < 32 {
			return nil, configErrorf("%s is too short; delete it to generate a new one", path)
		}
		return []byte(s), nil
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	var b [32]byte
	rand.Read(b[:])
	s := hex.EncodeToString(b[:])
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("save session secret: %w", err)
	}
	return []byte(s), nil
}
