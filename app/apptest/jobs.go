package apptest

import (
	"context"
	"testing"
	"time"

	"github.com/townhall/townhall/jobs"
)

// WaitJobs waits (up to 30 s) until no job of the named queues (every
// registered queue when none are named) is due or running: the background
// work a request handed on (a status change's fan-out, its email) is done.
// Jobs due later by the runner's clock (a mail delay) do not count.
func (e *Env) WaitJobs(t testing.TB, queues ...string) {
	t.Helper()
	e.WaitJobsFor(t, 30*time.Second, queues...)
}

// WaitJobsFor is WaitJobs with its own limit, for benchmarks whose setup
// leaves minutes of background work (a generated community's catch-up).
func (e *Env) WaitJobsFor(t testing.TB, limit time.Duration, queues ...string) {
	t.Helper()
	if len(queues) == 0 {
		queues = e.App.Jobs.Queues()
	}
	ctx := context.Background()
	deadline := time.Now().Add(limit)
	// A job moves from pending to running between the two reads, and a
	// running job enqueues its next page before it is done, so one idle
	// look can fall between them: idle counts only three looks in a row.
	for idle := 0; idle < 3; {
		busy := 0
		for _, q := range queues {
			for _, st := range []jobs.State{jobs.StatePending, jobs.StateRunning} {
				js, err := e.App.DB.Jobs(ctx, jobs.Query{Queue: q, State: st, Limit: 1000})
				if err != nil {
					t.Fatal(err)
				}
				for _, j := range js {
					if st == jobs.StateRunning || !j.RunAt.After(e.App.Jobs.Now()) {
						busy++
					}
				}
			}
		}
		if busy == 0 {
			idle++
			time.Sleep(5 * time.Millisecond)
			continue
		}
		idle = 0
		if time.Now().After(deadline) {
			t.Fatalf("%d background job(s) of %v still due or running after %v", busy, queues, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
