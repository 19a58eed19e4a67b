// Command townhall runs a Townhall customer community: `townhall` (or
// `townhall serve`) starts the site; other subcommands maintain its data.
// Every flag has a TOWNHALL_* environment variable fallback.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // --time-zone works on machines without a zoneinfo database

	"github.com/townhall/townhall/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code, so tests can
// drive the command in-process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, stdout, stderr)
	case "seed":
		return seedCmd(ctx, args, stdout, stderr)
	case "reindex":
		return reindex(ctx, args, stdout, stderr)
	case "migrate-store":
		return migrateStore(ctx, args, stdout, stderr)
	case "check":
		return check(ctx, args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "townhall: unknown command %q\n%s", cmd, usage)
	return 2
}

const usage = `Usage: townhall [command] [flags]

Commands:
  serve          start the site (the default)
  seed           fill the site with a demo community (--demo) or a large generated one (--scale N)
  reindex        rebuild the search index from the database; safe while serving
  check          recompute every counter from its facts and report differences (--repair on MongoDB)
  migrate-store  copy a site into another store: --from sqlite:./data --to mongodb://HOST/DB
  help           show this help

Run "townhall serve -h" or "townhall seed -h" for the flags; each has a TOWNHALL_* environment variable.
`

// configFlags declares the settings shared by every command that opens the
// store, with environment fallbacks applied after parsing.
func configFlags(name string, stderr io.Writer) (*flag.FlagSet, *app.Config, *string) {
	cfg := app.Defaults()
	fs := flag.NewFlagSet("townhall "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "address to listen on, host:port")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory (database, search index, secrets)")
	fs.StringVar(&cfg.BaseURL, "base-url", "", "public URL of the site, e.g. https://community.example.com (default http://ADDR)")
	fs.StringVar(&cfg.SiteName, "site-name", cfg.SiteName, "community name shown in the header and titles")
	fs.BoolVar(&cfg.DevLogin, "dev-login", false, "enable password-less developer sign-in (loopback addresses only)")
	fs.StringVar(&cfg.MongoDBURI, "mongodb-uri", "", "MongoDB connection string; empty uses the embedded store")
	fs.StringVar(&cfg.SessionSecret, "session-secret", "", "secret (32+ chars) for OAuth state cookies; generated into the data directory when empty")
	fs.Int64Var(&cfg.MaxBodyBytes, "max-body", cfg.MaxBodyBytes, "largest accepted request body in bytes")
	fs.IntVar(&cfg.UserWritesPerMinute, "rate-user", cfg.UserWritesPerMinute, "writes per minute per signed-in user (0 = unlimited)")
	fs.IntVar(&cfg.ReactionsPerMinute, "rate-reactions", cfg.ReactionsPerMinute, "votes, helpful votes and follows per minute per signed-in user, apart from --rate-user (0 = unlimited)")
	fs.IntVar(&cfg.IPWritesPerMinute, "rate-ip", cfg.IPWritesPerMinute, "writes per minute per client IP (0 = unlimited)")
	fs.DurationVar(&cfg.AnonPageCache, "anon-cache", cfg.AnonPageCache, "how long a shared page render is served, e.g. 10s (0 = off); a write drops the pages of what it changed at once")
	fs.IntVar(&cfg.MaxRenders, "max-renders", cfg.MaxRenders, "page and API reads computed at once, the rest queue in arrival order; -1 = twice the CPUs on the embedded store, eight times on MongoDB, 0 = no bound")
	fs.StringVar(&cfg.TimeZone, "time-zone", cfg.TimeZone, "the site's time zone, where days begin for visits, digests and insights (an IANA name like Europe/Berlin)")
	fs.BoolVar(&cfg.TrustProxy, "trust-proxy", false, "take the client IP from X-Forwarded-For (only behind a proxy that sets it)")
	fs.BoolVar(&cfg.WebhooksAllowPrivate, "webhooks-allow-private", false, "let webhooks go to loopback and private network addresses (refused by default)")
	fs.StringVar(&cfg.GitHubClientID, "github-client-id", "", "GitHub OAuth app client id")
	fs.StringVar(&cfg.GitHubClientSecret, "github-client-secret", "", "GitHub OAuth app client secret")
	fs.StringVar(&cfg.GitHubURL, "github-url", cfg.GitHubURL, "GitHub URL, for GitHub Enterprise Server")
	fs.StringVar(&cfg.GoogleClientID, "google-client-id", "", "Google OAuth client id")
	fs.StringVar(&cfg.GoogleClientSecret, "google-client-secret", "", "Google OAuth client secret")
	fs.StringVar(&cfg.GitLabClientID, "gitlab-client-id", "", "GitLab application id")
	fs.StringVar(&cfg.GitLabClientSecret, "gitlab-client-secret", "", "GitLab application secret")
	fs.StringVar(&cfg.GitLabURL, "gitlab-url", cfg.GitLabURL, "GitLab instance URL, for self-managed GitLab")
	fs.StringVar(&cfg.OIDCIssuer, "oidc-issuer", "", "OpenID Connect issuer URL (Keycloak, Okta, Auth0, Entra ID, ...)")
	fs.StringVar(&cfg.OIDCClientID, "oidc-client-id", "", "OpenID Connect client id")
	fs.StringVar(&cfg.OIDCClientSecret, "oidc-client-secret", "", "OpenID Connect client secret")
	fs.StringVar(&cfg.OIDCName, "oidc-name", cfg.OIDCName, "label of the OpenID Connect sign-in button")
	fs.StringVar(&cfg.SMTPURL, "smtp-url", "", "SMTP server for email: smtp://user:pass@host:587 (STARTTLS), smtp://host:25?tls=none (local relay) or smtps://user:pass@host:465; empty keeps email unsent for /admin/email")
	fs.StringVar(&cfg.MailFrom, "mail-from", "", `sender of email, e.g. "Acme Community <community@acme.example>" (default: the site name at noreply@ the base URL's host)`)
	fs.DurationVar(&cfg.MailDelay, "mail-delay", cfg.MailDelay, "how long an event waits so others about the same thread or idea go out in one email (0 = at once)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	return fs, &cfg, logFormat
}

// parse parses flags, then fills every flag not given on the command line
// from its TOWNHALL_* variable (--base-url → TOWNHALL_BASE_URL).
func parse(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		env := EnvName(f.Name)
		if v := getenv(env); v != "" && !set[f.Name] && err == nil {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %v", env, v, e)
			}
		}
	})
	return err
}

// EnvName is the environment variable for a flag.
func EnvName(flagName string) string {
	return "TOWNHALL_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

// openApp parses the command's flags and opens the application. A non-zero
// code means it failed and said why on stderr.
// extra, when not nil, declares the command's own flags.
func openApp(ctx context.Context, name string, args []string, stdout, stderr io.Writer, extra func(*flag.FlagSet)) (*app.App, int) {
	fs, cfg, logFormat := configFlags(name, stderr)
	if extra != nil {
		extra(fs)
	}
	if err := parse(fs, args, os.Getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, 0
		}
		fmt.Fprintf(stderr, "townhall: %v\n", err)
		return nil, 2
	}
	logger, err := newLogger(*logFormat, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "townhall: %v\n", err)
		return nil, 2
	}
	cfg.Logger = logger
	a, err := app.Open(ctx, *cfg)
	if err != nil {
		fmt.Fprintf(stderr, "townhall: %v\n", err)
		var ce *app.ConfigError
		if errors.As(err, &ce) {
			return nil, 2
		}
		return nil, 1
	}
	return a, 0
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a, code := openApp(ctx, "serve", args, stdout, stderr, nil)
	if a == nil {
		return code
	}
	defer a.Close()
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "townhall: listen on %s: %v\n", a.Config.Addr, err)
		return 2
	}
	log := a.Config.Logger
	log.Info("Townhall is running", "url", a.Config.BaseURL, "listen", ln.Addr().String(), "data", a.Config.DataDir, "dev_login", a.Config.DevLogin)
	if err := a.Serve(ctx, ln); err != nil {
		log.Error("server stopped", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}
