package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/jobs"
)

func init() { register("jobs", testJobs) }

func testJobs(t *testing.T, open Opener) {
	cases := []struct {
		name string
		run  func(t *testing.T, s jobs.Store)
	}{
		{"EnqueueIsIdempotentByKey", jobsEnqueueIdempotent},
		{"ClaimTakesTheLongestDueFirst", jobsClaimOrder},
		{"ClaimWaitsForRunAt", jobsClaimWaits},
		{"ExpiredLeaseIsClaimedAgain", jobsLeaseExpiry},
		{"FinishNeedsTheLease", jobsFinishNeedsLease},
		{"RetryAndFailure", jobsRetryAndFailure},
		{"RequeueFinished", jobsRequeue},
		{"ListAndCount", jobsListAndCount},
		{"Prune", jobsPrune},
		{"ConcurrentClaimsRunEachJobOnce", jobsConcurrentClaims},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, As[jobs.Store](t, open(t))) })
	}
}

// newJob is a pending job due at at, as jobs.Enqueue would build it.
func newJob(queue, key string, at time.Time) *jobs.Job {
	return &jobs.Job{ID: townhall.NewID(), Key: key, Queue: queue, Payload: []byte(`{"k":"` + key + `"}`),
		RunAt: at, CreatedAt: at, UpdatedAt: at}
}

func mustEnqueue(t *testing.T, s jobs.Store, js ...*jobs.Job) {
	t.Helper()
	if _, err := s.EnqueueJobs(context.Background(), js); err != nil {
		t.Fatalf("enqueue: %v", err)
	}
}

func mustClaim(t *testing.T, s jobs.Store, queue, owner string, now time.Time) *jobs.Job {
	t.Helper()
	j, err := s.ClaimJob(context.Background(), queue, owner, now, now.Add(time.Minute))
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	return j
}

func jobsEnqueueIdempotent(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	now := Now()
	n, err := s.EnqueueJobs(ctx, []*jobs.Job{newJob("mail", "a", now), newJob("mail", "b", now)})
	if err != nil || n != 2 {
		t.Fatalf("first enqueue = %d, %v; want 2", n, err)
	}
	again := newJob("mail", "a", now.Add(time.Hour))
	again.Payload = []byte(`{"k":"changed"}`)
	n, err = s.EnqueueJobs(ctx, []*jobs.Job{again, newJob("mail", "c", now)})
	if err != nil || n != 1 {
		t.Fatalf("second enqueue = %d, %v; want 1 (a exists)", n, err)
	}
	j, err := s.JobByKey(ctx, "a")
	if err != nil || string(j.Payload) != `{"k":"a"}` || !j.RunAt.Equal(now) || j.State != jobs.StatePending {
		t.Fatalf("job a = %+v, %v; want the first one kept, pending", j, err)
	}
	if _, err := s.JobByKey(ctx, "nope"); !errors.Is(err, jobs.ErrNotFound) {
		t.Fatalf("unknown key: %v, want ErrNotFound", err)
	}
	got, err := s.Job(ctx, j.ID)
	if err != nil || got.Key != "a" || got.Queue != "mail" {
		t.Fatalf("Job(id) = %+v, %v", got, err)
	}
}

func jobsClaimOrder(t *testing.T, s jobs.Store) {
	now := Now()
	mustEnqueue(t, s, newJob("mail", "late", now.Add(-time.Minute)), newJob("mail", "early", now.Add(-time.Hour)),
		newJob("webhook", "other-queue", now.Add(-2*time.Hour)))
	j := mustClaim(t, s, "mail", "node1", now)
	if j == nil || j.Key != "early" || j.State != jobs.StateRunning || j.Attempts != 1 || j.LeaseOwner != "node1" ||
		!j.LeaseUntil.Equal(now.Add(time.Minute)) {
		t.Fatalf("first claim = %+v; want early, running, attempt 1, leased to node1 for a minute", j)
	}
	if j := mustClaim(t, s, "mail", "node1", now); j == nil || j.Key != "late" {
		t.Fatalf("second claim = %+v; want late", j)
	}
	if j := mustClaim(t, s, "mail", "node1", now); j != nil {
		t.Fatalf("third claim = %+v; want none (webhook jobs are another queue)", j)
	}
}

func jobsClaimWaits(t *testing.T, s jobs.Store) {
	now := Now()
	mustEnqueue(t, s, newJob("mail", "later", now.Add(2*time.Minute)))
	if j := mustClaim(t, s, "mail", "n", now); j != nil {
		t.Fatalf("claimed %+v before its RunAt", j)
	}
	if j := mustClaim(t, s, "mail", "n", now.Add(2*time.Minute)); j == nil || j.Key != "later" {
		t.Fatalf("claim at RunAt = %+v; want later", j)
	}
}

func jobsLeaseExpiry(t *testing.T, s jobs.Store) {
	now := Now()
	mustEnqueue(t, s, newJob("mail", "a", now))
	first := mustClaim(t, s, "mail", "dead-node", now)
	if j := mustClaim(t, s, "mail", "node2", now.Add(30*time.Second)); j != nil {
		t.Fatalf("claimed %+v while leased", j)
	}
	j := mustClaim(t, s, "mail", "node2", now.Add(time.Minute))
	if j == nil || j.ID != first.ID || j.Attempts != 2 || j.LeaseOwner != "node2" {
		t.Fatalf("claim after the lease = %+v; want the same job, attempt 2, node2", j)
	}
}

func jobsFinishNeedsLease(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	now := Now()
	mustEnqueue(t, s, newJob("mail", "a", now))
	first := mustClaim(t, s, "mail", "slow", now)
	mustClaim(t, s, "mail", "fast", now.Add(time.Minute)) // slow's lease ran out
	done := jobs.Outcome{State: jobs.StateDone, At: now.Add(time.Minute)}
	if err := s.FinishJob(ctx, first.ID, "slow", done); !errors.Is(err, jobs.ErrLeaseLost) {
		t.Fatalf("finish by the old owner: %v, want ErrLeaseLost", err)
	}
	if err := s.FinishJob(ctx, first.ID, "fast", done); err != nil {
		t.Fatalf("finish by the holder: %v", err)
	}
	if err := s.FinishJob(ctx, first.ID, "fast", done); !errors.Is(err, jobs.ErrLeaseLost) {
		t.Fatalf("finishing twice: %v, want ErrLeaseLost", err)
	}
	if err := s.FinishJob(ctx, "no-such-job", "fast", done); !errors.Is(err, jobs.ErrNotFound) {
		t.Fatalf("finish unknown: %v, want ErrNotFound", err)
	}
	j, _ := s.Job(ctx, first.ID)
	if j.State != jobs.StateDone || !j.FinishedAt.Equal(now.Add(time.Minute)) || j.LeaseOwner != "" {
		t.Fatalf("after finish: %+v; want done at +1m, no lease", j)
	}
	if j := mustClaim(t, s, "mail", "n", now.Add(time.Hour)); j != nil {
		t.Fatalf("claimed a done job: %+v", j)
	}
}

func jobsRetryAndFailure(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	now := Now()
	mustEnqueue(t, s, newJob("mail", "a", now))
	j := mustClaim(t, s, "mail", "n", now)
	retry := jobs.Outcome{State: jobs.StatePending, RunAt: now.Add(30 * time.Second), Error: "421 try later", At: now}
	if err := s.FinishJob(ctx, j.ID, "n", retry); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Job(ctx, j.ID)
	if got.State != jobs.StatePending || !got.RunAt.Equal(now.Add(30*time.Second)) || got.LastError != "421 try later" || got.Attempts != 1 {
		t.Fatalf("after retry: %+v", got)
	}
	if c := mustClaim(t, s, "mail", "n", now.Add(29*time.Second)); c != nil {
		t.Fatalf("claimed before the retry time: %+v", c)
	}
	j = mustClaim(t, s, "mail", "n", now.Add(30*time.Second))
	if j == nil || j.Attempts != 2 {
		t.Fatalf("retry claim = %+v; want attempt 2", j)
	}
	fail := jobs.Outcome{State: jobs.StateFailed, Error: "550 no such user", At: now.Add(31 * time.Second)}
	if err := s.FinishJob(ctx, j.ID, "n", fail); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Job(ctx, j.ID)
	if got.State != jobs.StateFailed || got.LastError != "550 no such user" || got.FinishedAt.IsZero() {
		t.Fatalf("after failure: %+v", got)
	}
	if c := mustClaim(t, s, "mail", "n", now.Add(24*time.Hour)); c != nil {
		t.Fatalf("claimed a failed job: %+v", c)
	}
}

func jobsRequeue(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	now := Now()
	mustEnqueue(t, s, newJob("webhook", "a", now), newJob("webhook", "b", now))
	a := mustClaim(t, s, "webhook", "n", now)
	if err := s.FinishJob(ctx, a.ID, "n", jobs.Outcome{State: jobs.StateFailed, Error: "HTTP 500", At: now}); err != nil {
		t.Fatal(err)
	}
	b, _ := s.JobByKey(ctx, "b")
	if err := s.RequeueJob(ctx, b.ID, now); !errors.Is(err, jobs.ErrNotFinished) {
		t.Fatalf("requeue pending: %v, want ErrNotFinished", err)
	}
	if err := s.RequeueJob(ctx, "nope", now); !errors.Is(err, jobs.ErrNotFound) {
		t.Fatalf("requeue unknown: %v, want ErrNotFound", err)
	}
	later := now.Add(time.Hour)
	if err := s.RequeueJob(ctx, a.ID, later); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Job(ctx, a.ID)
	if got.State != jobs.StatePending || got.Attempts != 0 || !got.RunAt.Equal(later) || !got.FinishedAt.IsZero() {
		t.Fatalf("after requeue: %+v; want pending at +1h, attempts 0", got)
	}
	bc := mustClaim(t, s, "webhook", "n", now)
	if err := s.FinishJob(ctx, bc.ID, "n", jobs.Outcome{State: jobs.StateDone, At: now}); err != nil {
		t.Fatal(err)
	}
	if c := mustClaim(t, s, "webhook", "n", later); c == nil || c.ID != a.ID || c.Attempts != 1 {
		t.Fatalf("claim after requeue = %+v; want a, attempt 1", c)
	}
}

func jobsListAndCount(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	now := Now()
	var want []string
	for i := range 5 {
		j := newJob("webhook", fmt.Sprintf("w%d", i), now)
		j.Ref = "endpoint-1"
		if i%2 == 1 {
			j.Ref = "endpoint-2"
		}
		mustEnqueue(t, s, j)
		want = append([]string{j.Key}, want...) // newest first
	}
	mustEnqueue(t, s, newJob("mail", "m", now))
	c := mustClaim(t, s, "webhook", "n", now) // w0 runs
	if err := s.FinishJob(ctx, c.ID, "n", jobs.Outcome{State: jobs.StateDone, At: now}); err != nil {
		t.Fatal(err)
	}
	keys := func(js []*jobs.Job) []string {
		var out []string
		for _, j := range js {
			out = append(out, j.Key)
		}
		return out
	}
	page, err := s.Jobs(ctx, jobs.Query{Queue: "webhook", Limit: 3})
	if err != nil || fmt.Sprint(keys(page)) != fmt.Sprint(want[:3]) {
		t.Fatalf("page 1 = %v, %v; want %v", keys(page), err, want[:3])
	}
	page2, err := s.Jobs(ctx, jobs.Query{Queue: "webhook", Before: page[2].ID, Limit: 3})
	if err != nil || fmt.Sprint(keys(page2)) != fmt.Sprint(want[3:]) {
		t.Fatalf("page 2 = %v, %v; want %v", keys(page2), err, want[3:])
	}
	ref, _ := s.Jobs(ctx, jobs.Query{Queue: "webhook", Ref: "endpoint-2", Limit: 10})
	if fmt.Sprint(keys(ref)) != "[w3 w1]" {
		t.Fatalf("endpoint-2's jobs = %v, want [w3 w1]", keys(ref))
	}
	done, _ := s.Jobs(ctx, jobs.Query{Queue: "webhook", State: jobs.StateDone, Limit: 10})
	if fmt.Sprint(keys(done)) != "[w0]" {
		t.Fatalf("done jobs = %v, want [w0]", keys(done))
	}
	counts, err := s.CountJobs(ctx, "webhook")
	if err != nil || counts[jobs.StatePending] != 4 || counts[jobs.StateDone] != 1 || counts[jobs.StateFailed] != 0 {
		t.Fatalf("counts = %v, %v; want 4 pending, 1 done", counts, err)
	}
}

func jobsPrune(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	now := Now()
	mustEnqueue(t, s, newJob("mail", "old-done", now), newJob("mail", "old-failed", now), newJob("mail", "new-done", now),
		newJob("mail", "pending", now.Add(time.Hour)))
	for _, f := range []struct {
		state jobs.State
		at    time.Time
	}{{jobs.StateDone, now}, {jobs.StateFailed, now}, {jobs.StateDone, now.Add(48 * time.Hour)}} {
		j := mustClaim(t, s, "mail", "n", now)
		if err := s.FinishJob(ctx, j.ID, "n", jobs.Outcome{State: f.state, At: f.at}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.PruneJobs(ctx, jobs.StateDone, now.Add(24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("prune done = %d, %v; want 1", n, err)
	}
	for key, want := range map[string]bool{"old-done": false, "old-failed": true, "new-done": true, "pending": true} {
		_, err := s.JobByKey(ctx, key)
		if got := err == nil; got != want {
			t.Errorf("%s kept = %v, want %v (%v)", key, got, want, err)
		}
	}
	if n, err := s.PruneJobs(ctx, jobs.StateFailed, now.Add(24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("prune failed = %d, %v; want 1", n, err)
	}
}

// jobsConcurrentClaims has 8 workers race for 40 jobs: every job is claimed
// exactly once, so two nodes never run the same job in normal operation.
func jobsConcurrentClaims(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	now := Now()
	var all []*jobs.Job
	for i := range 40 {
		all = append(all, newJob("mail", fmt.Sprintf("c%02d", i), now))
	}
	mustEnqueue(t, s, all...)
	var mu sync.Mutex
	claims := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			owner := fmt.Sprintf("node%d", w)
			for {
				j, err := s.ClaimJob(ctx, "mail", owner, now, now.Add(time.Minute))
				if err != nil {
					errs <- err
					return
				}
				if j == nil {
					return
				}
				mu.Lock()
				claims[j.Key]++
				mu.Unlock()
				if err := s.FinishJob(ctx, j.ID, owner, jobs.Outcome{State: jobs.StateDone, At: now}); err != nil {
					errs <- fmt.Errorf("finish %s: %w", j.Key, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(claims) != 40 {
		t.Fatalf("%d distinct jobs claimed, want 40", len(claims))
	}
	for k, n := range claims {
		if n != 1 {
			t.Errorf("job %s claimed %d times", k, n)
		}
	}
	counts, _ := s.CountJobs(ctx, "mail")
	if counts[jobs.StateDone] != 40 {
		t.Fatalf("done = %d, want 40", counts[jobs.StateDone])
	}
}
