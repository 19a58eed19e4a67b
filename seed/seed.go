// Package seed fills a Townhall with content: a small hand-written demo
// community for first-time users, through the domain services, or a large
// generated one for benchmarks, written by the embedded store's bulk loader
// (sqlite.Bulk), which derives every counter as the services would.
package seed

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/store/sqlite"
)

// seeder holds what both kinds of seeding share.
type seeder struct {
	a    *app.App
	prog *progress
}

// user signs a seeded person in through the auth service; seed identities
// use their own provider so they never collide with real sign-ins.
func (s *seeder) user(ctx context.Context, key, name string, role townhall.Role) (*townhall.User, error) {
	return s.a.Auth.SignIn(ctx, auth.Identity{
		Provider: "seed", Subject: key, Name: name,
		Email: fmt.Sprintf("%s@example.com", auth.Handle(name)), Role: role,
	})
}

// segments creates the plan tiers with their vote weights.
func (s *seeder) segments(ctx context.Context, admin *townhall.User) ([]*townhall.Segment, error) {
	segs := []*townhall.Segment{
		{Name: "Free", Weight: 1},
		{Name: "Pro", Weight: 3, Verified: true},
		{Name: "Enterprise", Weight: 10, Verified: true},
	}
	existing, err := s.a.Auth.Segments(ctx)
	if err != nil {
		return nil, err
	}
	for _, seg := range segs {
		for _, e := range existing {
			if e.Name == seg.Name {
				seg.ID = e.ID // seeding twice updates instead of duplicating
			}
		}
		if err := s.a.Auth.SaveSegment(ctx, admin, seg); err != nil {
			return nil, err
		}
	}
	return segs, nil
}

// progress draws a one-line progress bar, redrawn at most every 200 ms.
type progress struct {
	w     io.Writer
	phase string
	done  int
	total int
	start time.Time
	last  time.Time
}

func newProgress(w io.Writer) *progress {
	if w == nil {
		w = io.Discard
	}
	return &progress{w: w, start: time.Now()}
}

// begin starts a phase of total steps.
func (p *progress) begin(phase string, total int) {
	p.finish()
	p.phase, p.done, p.total, p.last = phase, 0, total, time.Time{}
	p.draw()
}

// step advances the current phase by n.
func (p *progress) step(n int) {
	p.done += n
	if time.Since(p.last) >= 200*time.Millisecond {
		p.draw()
	}
}

func (p *progress) draw() {
	p.last = time.Now()
	const width = 30
	frac := 1.0
	if p.total > 0 {
		frac = min(1, float64(p.done)/float64(p.total))
	}
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = ' '
		if float64(i) < frac*width {
			bar[i] = '#'
		}
	}
	fmt.Fprintf(p.w, "\r%-12s [%s] %3.0f%% %d/%d  %s ", p.phase, bar, frac*100, p.done, p.total,
		time.Since(p.start).Truncate(100*time.Millisecond))
}

// finish completes the current phase's line.
func (p *progress) finish() {
	if p.phase != "" {
		p.done = p.total
		p.draw()
		fmt.Fprintln(p.w)
		p.phase = ""
	}
}

// batcher is a store that can run many calls in few transactions; the
// embedded store can (sqlite.DB.Batch), MongoDB needs no such thing.
type batcher interface {
	Batch(ctx context.Context, fn func(ctx context.Context) error) error
}

// The embedded store must stay a batcher, or seeding silently slows down.
var _ batcher = (*sqlite.DB)(nil)

// batch runs fn batched when the app's store supports it.
func batch(ctx context.Context, a *app.App, fn func(ctx context.Context) error) error {
	if b, ok := a.DB.(batcher); ok {
		return b.Batch(ctx, fn)
	}
	return fn(ctx)
}
