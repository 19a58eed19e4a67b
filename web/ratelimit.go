package web

import (
	"sync"
	"time"
)

// limiter is a set of token buckets, one per key, each refilling perMinute
// tokens a minute with a burst of a fifth of that (at least 5), so a person
// can post a few things quickly but not flood. State is in memory: the
// embedded store runs one node; idle buckets are swept every minute.
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
	rate := float64(perMinute) / 60 // tokens per second
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: burst(perMinute), last: now}
		l.buckets[key] = b
	}
	b.tokens = min(burst(perMinute), b.tokens+now.Sub(b.last).Seconds()*rate)
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
