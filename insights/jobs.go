package insights

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/townhall/townhall/jobs"
)

// Queue is the background queue the pass runs on.
const Queue = "insights"

// RefreshEvery is how often a pass is due. Every node asks for it; the
// job's key names the time slot, so one node runs each.
const RefreshEvery = 5 * time.Minute

// passJob is a pass's payload: its slot, and how many runs of that slot's
// catch-up came before.
type passJob struct {
	Slot int64 `json:"slot"`
	Run  int   `json:"run"`
}

func passKey(p passJob) string { return fmt.Sprintf("insights:refresh:%d:%d", p.Slot, p.Run) }

// JobQueue is the queue to register on the node's job runner; a catch-up
// that does not fit one run enqueues its next run on enq.
func (s *Service) JobQueue(enq jobs.Enqueuer) jobs.Queue {
	return jobs.Queue{
		Name:        Queue,
		Lease:       5 * time.Minute, // Budget keeps a run well inside it
		MaxAttempts: 3,
		MaxAge:      time.Hour, // a later slot's pass does the same work
		Backoff:     jobs.ExpBackoff(30*time.Second, 10*time.Minute),
		Handle: func(ctx context.Context, j *jobs.Job) error {
			var p passJob
			if err := json.Unmarshal(j.Payload, &p); err != nil {
				return jobs.Permanent(fmt.Errorf("insights pass %s: %w", j.Key, err))
			}
			more, err := s.Refresh(ctx)
			if err != nil {
				return err
			}
			if more {
				p.Run++
				_, err = enq.Enqueue(ctx, s.passJob(p))
			}
			return err
		},
	}
}

func (s *Service) passJob(p passJob) *jobs.Job {
	payload, _ := json.Marshal(p)
	return &jobs.Job{Key: passKey(p), Queue: Queue, Payload: payload}
}

// Schedule asks for a pass now and then every RefreshEvery until ctx
// ends. Enqueueing the slot's key again is a no-op, so every node may run
// it.
func (s *Service) Schedule(ctx context.Context, enq jobs.Enqueuer, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		slot := s.now().Truncate(every).Unix()
		if _, err := enq.Enqueue(ctx, s.passJob(passJob{Slot: slot})); err != nil && ctx.Err() == nil {
			s.log.Warn("insights: could not enqueue the pass", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
