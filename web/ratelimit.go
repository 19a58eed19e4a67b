package web

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// RateLimiter counts writes against per-minute budgets shared by every app
// node, so N nodes behind a load balancer allow a person the configured
// rate, not N times it. The MongoDB store provides one; without it each
// node counts in its own memory (the embedded store runs one node).
type RateLimiter interface {
	// Allow counts one action for key and reports whether it is within
	// perMinute; when not, retry says how long until it would be.
	Allow(ctx context.Context, key string, perMinute int, now time.Time) (ok bool, retry time.Duration, err error)
}

// sharedLimitTimeout bounds one shared-limiter call: a slow database must
// not hold every write for the store's full operation timeout.
const sharedLimitTimeout = 2 * time.Second

// writeLimits asks the shared limiter when there is one and falls back to
// this node's token buckets when it fails. A rate limiter protects the
// site; it must never take it down, so a limiter error neither refuses the
// write (no 500) nor lets it through unlimited: the node keeps counting on
// its own until the database answers again.
type writeLimits struct {
	shared RateLimiter // nil: local buckets only
	local  *limiter
	log    *slog.Logger
	onFail func() // counts fallbacks (a metric)

	mu       sync.Mutex
	lastLog  time.Time
	failures int // since the last log line
}

func (w *writeLimits) allow(ctx context.Context, key string, perMinute int, now time.Time) (bool, time.Duration) {
	return w.allowBurst(ctx, key, perMinute, burst(perMinute), now)
}

// allowBurst is allow with the local bucket's burst given (the shared
// limiter's one-minute window has no separate burst).
func (w *writeLimits) allowBurst(ctx context.Context, key string, perMinute int, burst float64, now time.Time) (bool, time.Duration) {
	if w.shared != nil {
		ctx, cancel := context.WithTimeout(ctx, sharedLimitTimeout)
		ok, retry, err := w.shared.Allow(ctx, key, perMinute, now)
		cancel()
		if err == nil {
			return ok, retry
		}
		w.failed(err)
	}
	return w.local.allowBurst(key, perMinute, burst, now)
}

// failed logs a shared-limiter error at most once a minute, with how many
// writes fell back since the previous line, so an outage does not flood
// the log with one line per write.
func (w *writeLimits) failed(err error) {
	if w.onFail != nil {
		w.onFail()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.failures++
	if time.Since(w.lastLog) < time.Minute {
		return
	}
	w.log.Warn("shared rate limiter failed; counting writes on this node until it answers", "err", err, "writes", w.failures)
	w.lastLog, w.failures = time.Now(), 0
}

func (w *writeLimits) stop() { w.local.stop() }

// limiter is a set of token buckets, one per key, each refilling perMinute
// tokens a minute with a burst of a fifth of that (at least 5), so a person
// can post a few things quickly but not flood. State is in memory, counted
// by this node alone; idle buckets are swept every minute.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	done    chan struct{}
	once    sync.Once
}
type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter() *limiter {
	l := &limiter{buckets: map[string]*bucket{}, done: make(chan struct{})}
	go l.sweep()
	return l
}

func burst(perMinute int) float64 { return float64(max(5, perMinute/5)) }

// allow takes one token from key's bucket; when empty it says how long until
// the next token.
func (l *limiter) allow(key string, perMinute int, now time.Time) (bool, time.Duration) {
	return l.allowBurst(key, perMinute, burst(perMinute), now)
}

// allowBurst is allow with a bucket that holds up to size tokens.
func (l *limiter) allowBurst(key string, perMinute int, size float64, now time.Time) (bool, time.Duration) {
	rate := float64(perMinute) / 60 // tokens per second
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: size, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(size, b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

func (l *limiter) sweep() {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-l.done:
			return
		case now := <-t.C:
			l.mu.Lock()
			for k, b := range l.buckets {
				if now.Sub(b.last) > 10*time.Minute {
					delete(l.buckets, k)
				}
			}
			l.mu.Unlock()
		}
	}
}

func (l *limiter) stop() { l.once.Do(func() { close(l.done) }) }
