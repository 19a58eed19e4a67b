package app

import (
	"context"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/townhall/townhall/email"
	"github.com/townhall/townhall/jobs"
)

// mailRetention is how long composed email stays readable on /admin/email.
const mailRetention = 90 * 24 * time.Hour

// openEmail builds the email service from the configuration, makes it
// the notifications' mailer, and registers its job queues and the idea
// board's status fan-out on the runner.
func (a *App) openEmail(base *url.URL) error {
	cfg := a.Config
	ec := email.Config{
		SiteName: cfg.SiteName, BaseURL: base, Delay: cfg.MailDelay, Secret: a.Secret,
		Location: a.Location, DigestHour: 8, Logger: cfg.Logger,
	}
	ec.From = email.DefaultFrom(cfg.SiteName, base)
	if cfg.MailFrom != "" {
		ec.From, _ = parseMailFrom(cfg.MailFrom) // Validate checked it
		if ec.From.Name == "" {
			ec.From.Name = cfg.SiteName
		}
	}
	if cfg.SMTPURL != "" {
		server, _ := email.ParseSMTPURL(cfg.SMTPURL) // Validate checked it
		ec.Sender = &email.SMTPSender{Server: server, From: ec.From, TLSConfig: cfg.MailTLSConfig}
	}
	svc, err := email.NewService(ec, email.Deps{
		Store: a.DB, Users: a.DB, Forum: a.Forum, Ideas: a.Ideas, Reviews: a.Reviews,
		Jobs: a.Jobs, Control: a.DB, StaffLog: a.StaffLog,
	})
	if err != nil {
		return err
	}
	a.Email = svc
	a.Notify.SetMailer(svc)
	for _, q := range svc.Queues() {
		a.Jobs.Register(q)
	}
	a.Ideas.SetJobs(a.Jobs)
	a.Jobs.Register(a.Ideas.FanoutQueue())
	if ec.Sender == nil {
		cfg.Logger.Info("no --smtp-url: email is composed and kept for admins at /admin/email, not sent")
	}
	return nil
}

// emailHousekeeping schedules the digests of the periods that ended and
// prunes old composed email; background runs it hourly on every node (the
// digest job keys make it one run per period).
func (a *App) emailHousekeeping(ctx context.Context) {
	if err := a.Email.ScheduleDigests(ctx); err != nil && ctx.Err() == nil {
		a.Config.Logger.Warn("scheduling digests", "err", err)
	}
	if _, err := a.Email.Prune(ctx, mailRetention); err != nil && ctx.Err() == nil {
		a.Config.Logger.Warn("pruning old email", "err", err)
	}
}

// mailMetrics exports email deliveries by outcome, and the outbox: the
// email jobs waiting or running, read from the store at scrape time.
type mailMetrics struct {
	store      jobs.Store
	deliveries *prometheus.CounterVec
	outbox     *prometheus.Desc
}

func newMailMetrics(svc *email.Service, s jobs.Store) *mailMetrics {
	m := &mailMetrics{
		store: s,
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "townhall_mail_total",
			Help: "Email delivery attempts on this node by outcome: sent, retried (a temporary failure), failed (permanent or out of attempts), kept (no SMTP server configured).",
		}, []string{"outcome"}),
		outbox: prometheus.NewDesc("townhall_mail_outbox", "Email jobs waiting to be sent or being sent, by queue.", []string{"queue"}, nil),
	}
	for _, o := range []string{"sent", "retried", "failed", "kept"} {
		m.deliveries.WithLabelValues(o) // present at zero from the start
	}
	svc.OnDelivery = func(st email.State) {
		outcome := string(st)
		if st == email.StateRetrying {
			outcome = "retried"
		}
		m.deliveries.WithLabelValues(outcome).Inc()
	}
	return m
}

// Describe implements prometheus.Collector.
func (m *mailMetrics) Describe(ch chan<- *prometheus.Desc) {
	m.deliveries.Describe(ch)
	ch <- m.outbox
}

// Collect implements prometheus.Collector.
func (m *mailMetrics) Collect(ch chan<- prometheus.Metric) {
	m.deliveries.Collect(ch)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, q := range []string{email.QueueMail, email.QueueDigest} {
		counts, err := m.store.CountJobs(ctx, q)
		if err != nil {
			continue // a slow store must not break the scrape
		}
		ch <- prometheus.MustNewConstMetric(m.outbox, prometheus.GaugeValue, float64(counts[jobs.StatePending]+counts[jobs.StateRunning]), q)
	}
}
