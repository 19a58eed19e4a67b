package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/townhall/townhall"
)

// Handler runs one claimed job. A nil error marks it done; an error wrapped
// with Permanent marks it failed at once; any other error retries it after
// the queue's backoff, until it runs out of attempts or age.
type Handler func(ctx context.Context, j *Job) error

// Queue is one kind of job and how the Runner treats it.
type Queue struct {
	Name   string
	Handle Handler
	// Lease is how long one claim lasts (default 2 minutes). The handler's
	// context ends with it; work that can take longer is split into
	// several jobs (a fan-out enqueues its next page as a new job).
	Lease time.Duration
	// MaxAttempts gives up after this many claims (default 10).
	MaxAttempts int
	// MaxAge gives up on a job enqueued longer ago than this; 0 is no limit.
	MaxAge time.Duration
	// Backoff is the delay before the next try after the given failed
	// attempt (1 for the first); default ExpBackoff(15s, 6h).
	Backoff func(attempt int) time.Duration
	// Workers is how many jobs of this queue one node runs at once
	// (default 1).
	Workers int
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as a failure that retrying cannot fix (an SMTP 5xx, a
// payload that cannot be built): the job is failed at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// ExpBackoff returns a backoff that waits base after the first failure and
// doubles after each one, capped at limit, with ±20% jitter so the retries
// of many jobs that failed together (a receiver down) spread out.
func ExpBackoff(base, limit time.Duration) func(attempt int) time.Duration {
	return func(attempt int) time.Duration {
		d := float64(base) * math.Pow(2, float64(max(attempt-1, 0)))
		d = min(d, float64(limit))
		return time.Duration(d * (0.8 + 0.4*mrand.Float64()))
	}
}

// Enqueuer adds jobs to the queue; services that hand work to the
// background (a status change's fan-out) depend on this, not on the Runner.
type Enqueuer interface {
	Enqueue(ctx context.Context, jobs ...*Job) (added int, err error)
}

// Runner claims and runs the jobs of its registered queues until its
// context ends. Every app node runs one; they share the work through the
// store's atomic claims.
type Runner struct {
	store Store
	owner string
	log   *slog.Logger
	clock atomic.Pointer[func() time.Time]

	// Poll is how often an idle worker asks the store for due jobs
	// (default 1 s). Jobs enqueued through this Runner wake its workers at
	// once; Poll bounds the wait for jobs that become due later or were
	// enqueued by another node.
	Poll time.Duration
	// DoneRetention and FailedRetention are how long finished jobs are
	// kept for the admin pages (default 7 and 90 days).
	DoneRetention, FailedRetention time.Duration
	// OnOutcome, when set, is told each run's outcome (for metrics):
	// StateDone, StateFailed, or StatePending for a retry.
	OnOutcome func(queue string, o Outcome)

	mu     sync.Mutex
	queues map[string]*queue
	ran    bool
}

type queue struct {
	Queue
	wake chan struct{}
}

// NewRunner returns a Runner over store. Its owner name (host, process and
// a random part) tells nodes' leases apart.
func NewRunner(store Store, log *slog.Logger) *Runner {
	if log == nil {
		log = slog.Default()
	}
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	r := &Runner{
		store: store, log: log,
		owner:           fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:])),
		Poll:            time.Second,
		DoneRetention:   7 * 24 * time.Hour,
		FailedRetention: 90 * 24 * time.Hour,
		queues:          map[string]*queue{},
	}
	r.SetClock(time.Now)
	return r
}

// SetClock replaces the clock; tests use it, also while the Runner runs
// (to make jobs due later due now).
func (r *Runner) SetClock(now func() time.Time) { r.clock.Store(&now) }

// Now is the Runner's clock: what RunAt and leases are compared with.
func (r *Runner) Now() time.Time { return (*r.clock.Load())() }

func (r *Runner) now() time.Time { return r.Now() }

// Owner is the name this Runner claims jobs under.
func (r *Runner) Owner() string { return r.owner }

// Register adds a queue. Call it before Run.
func (r *Runner) Register(q Queue) {
	if q.Name == "" || q.Handle == nil {
		panic("jobs: a queue needs a name and a handler")
	}
	if q.Lease <= 0 {
		q.Lease = 2 * time.Minute
	}
	if q.MaxAttempts <= 0 {
		q.MaxAttempts = 10
	}
	if q.Backoff == nil {
		q.Backoff = ExpBackoff(15*time.Second, 6*time.Hour)
	}
	if q.Workers <= 0 {
		q.Workers = 1
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ran {
		panic("jobs: Register after Run")
	}
	r.queues[q.Name] = &queue{Queue: q, wake: make(chan struct{}, 1)}
}

// Enqueue stores jobs, filling what the caller left out: ID, State, RunAt
// (now) and CreatedAt. A job whose Key exists already is not added again.
// Workers of this node are woken for jobs that are due now.
func (r *Runner) Enqueue(ctx context.Context, jobs ...*Job) (int, error) {
	return Enqueue(ctx, r.store, r.now(), r.Wake, jobs...)
}

// Enqueue is Runner.Enqueue for callers without a Runner (commands, bulk
// loaders): it fills the defaults and stores the jobs; wake (optional) is
// called with each queue that got a job due now.
func Enqueue(ctx context.Context, s Store, now time.Time, wake func(queue string), jobs ...*Job) (int, error) {
	if len(jobs) == 0 {
		return 0, nil
	}
	due := map[string]bool{}
	for _, j := range jobs {
		if j.Key == "" || j.Queue == "" {
			return 0, townhall.Errorf(townhall.EINTERNAL, "jobs: a job needs a key and a queue")
		}
		if j.ID == "" {
			j.ID = townhall.NewID()
		}
		j.State = StatePending
		if j.CreatedAt.IsZero() {
			j.CreatedAt = now
		}
		if j.RunAt.IsZero() {
			j.RunAt = now
		}
		j.UpdatedAt = now
		if !j.RunAt.After(now) {
			due[j.Queue] = true
		}
	}
	n, err := s.EnqueueJobs(ctx, jobs)
	if err == nil && wake != nil {
		for q := range due {
			wake(q)
		}
	}
	return n, err
}

// Queues lists the names of the registered queues, sorted.
func (r *Runner) Queues() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.queues))
	for n := range r.queues {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Wake makes an idle worker of queue look for due jobs now.
func (r *Runner) Wake(name string) {
	r.mu.Lock()
	q := r.queues[name]
	r.mu.Unlock()
	if q == nil {
		return
	}
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Run runs the workers of every registered queue, and prunes old finished
// jobs hourly, until ctx ends; it returns when the jobs in flight have
// finished or given up.
func (r *Runner) Run(ctx context.Context) {
	r.mu.Lock()
	r.ran = true
	qs := make([]*queue, 0, len(r.queues))
	for _, q := range r.queues {
		qs = append(qs, q)
	}
	r.mu.Unlock()
	var wg sync.WaitGroup
	for _, q := range qs {
		for range q.Workers {
			wg.Go(func() { r.work(ctx, q) })
		}
	}
	wg.Go(func() { r.prune(ctx) })
	wg.Wait()
}

// work is one worker: claim, run, record, until ctx ends.
func (r *Runner) work(ctx context.Context, q *queue) {
	t := time.NewTimer(0)
	defer t.Stop()
	var lastErr time.Time
	for {
		ran, err := r.RunOne(ctx, q.Name)
		if err != nil && ctx.Err() == nil && time.Since(lastErr) > time.Minute {
			r.log.Warn("job queue", "queue", q.Name, "err", err)
			lastErr = time.Now()
		}
		if ran && err == nil {
			continue // more may be due
		}
		t.Reset(r.Poll)
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		case <-t.C:
		}
	}
}

// RunOne claims one due job of the named queue and runs it; ran is false
// when none was due. Workers call it in a loop; tests call it to step the
// queue deterministically.
func (r *Runner) RunOne(ctx context.Context, name string) (ran bool, err error) {
	r.mu.Lock()
	q := r.queues[name]
	r.mu.Unlock()
	if q == nil {
		return false, fmt.Errorf("jobs: no queue %q", name)
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	now := r.now()
	j, err := r.store.ClaimJob(ctx, q.Name, r.owner, now, now.Add(q.Lease))
	if err != nil || j == nil {
		return false, err
	}
	hctx, cancel := context.WithTimeout(ctx, q.Lease)
	herr := r.call(hctx, q, j)
	cancel()
	o := r.outcome(ctx, q, j, herr)
	// The outcome is recorded even while shutting down, so an interrupted
	// job is retried at once by the next node rather than after its lease.
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer fcancel()
	if err := r.store.FinishJob(fctx, j.ID, r.owner, o); err != nil {
		return true, fmt.Errorf("record outcome of job %s: %w", j.Key, err)
	}
	if r.OnOutcome != nil {
		r.OnOutcome(q.Name, o)
	}
	return true, nil
}

// call runs the handler, turning a panic into a permanent failure so one
// bad job cannot stop the worker or be retried forever.
func (r *Runner) call(ctx context.Context, q *queue, j *Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("job panicked", "queue", q.Name, "key", j.Key, "panic", p)
			err = Permanent(fmt.Errorf("panic: %v", p))
		}
	}()
	return q.Handle(ctx, j)
}

func (r *Runner) outcome(ctx context.Context, q *queue, j *Job, err error) Outcome {
	now := r.now()
	switch {
	case err == nil:
		return Outcome{State: StateDone, At: now}
	case ctx.Err() != nil:
		// Shutting down mid-job: not the job's fault, try again at once.
		return Outcome{State: StatePending, RunAt: now, Error: clip("interrupted by shutdown: " + err.Error()), At: now}
	case IsPermanent(err):
		return Outcome{State: StateFailed, Error: clip(err.Error()), At: now}
	case j.Attempts >= q.MaxAttempts:
		return Outcome{State: StateFailed, Error: clip(fmt.Sprintf("gave up after %d attempts: %v", j.Attempts, err)), At: now}
	}
	next := now.Add(q.Backoff(j.Attempts))
	if q.MaxAge > 0 && next.After(j.CreatedAt.Add(q.MaxAge)) {
		return Outcome{State: StateFailed, Error: clip(fmt.Sprintf("gave up after %s: %v", q.MaxAge, err)), At: now}
	}
	return Outcome{State: StatePending, RunAt: next, Error: clip(err.Error()), At: now}
}

// clip bounds a failure reason to MaxError bytes on a rune boundary.
func clip(s string) string {
	if len(s) <= MaxError {
		return s
	}
	s = s[:MaxError]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

func (r *Runner) prune(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		now := r.now()
		for _, p := range []struct {
			state State
			keep  time.Duration
		}{{StateDone, r.DoneRetention}, {StateFailed, r.FailedRetention}} {
			if _, err := r.store.PruneJobs(ctx, p.state, now.Add(-p.keep)); err != nil && ctx.Err() == nil {
				r.log.Warn("pruning finished jobs", "state", p.state, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
