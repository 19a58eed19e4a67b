package app

import (
	"context"
	"encoding/json"
	"time"

	"github.com/townhall/townhall/jobs"
	"github.com/townhall/townhall/loyalty"
)

// BadgeQueue is the jobs queue of the background badge pass: each job
// looks at one page of people and enqueues the next page, so a pass over
// any number of people is many short jobs, each idempotent.
const BadgeQueue = "badges"

// badgePass is a badge job's payload: the page after which person.
type badgePass struct {
	Pass  string `json:"pass"` // names the pass (its day), so its pages are its own jobs
	After string `json:"after"`
}

// badgePassJob is the job of one page of a pass.
func badgePassJob(p badgePass) *jobs.Job {
	payload, _ := json.Marshal(p)
	return &jobs.Job{Key: "badges:" + p.Pass + ":" + p.After, Queue: BadgeQueue, Payload: payload}
}

// registerBadgePass registers the queue on the runner.
func (a *App) registerBadgePass() {
	a.Jobs.Register(jobs.Queue{
		Name:        BadgeQueue,
		MaxAttempts: 5,
		MaxAge:      24 * time.Hour,
		Handle: func(ctx context.Context, j *jobs.Job) error {
			var p badgePass
			if err := json.Unmarshal(j.Payload, &p); err != nil {
				return jobs.Permanent(err)
			}
			next, _, err := a.Loyalty.Pass(ctx, p.After, loyalty.PassPage)
			if err != nil || next == "" {
				return err
			}
			_, err = a.Jobs.Enqueue(ctx, badgePassJob(badgePass{Pass: p.Pass, After: next}))
			return err
		},
	})
}

// StartBadgePass enqueues a pass over everyone, which awards the badges
// no event triggers (Anniversary) and any a crash kept from being awarded
// right away. name names the pass: enqueueing the same name again is the
// same pass, so the hourly housekeeping, which names it by the day, runs
// one pass a day however many nodes enqueue it.
func (a *App) StartBadgePass(ctx context.Context, name string) error {
	_, err := a.Jobs.Enqueue(ctx, badgePassJob(badgePass{Pass: name}))
	return err
}
