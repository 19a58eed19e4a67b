package jobs_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall/jobs"
	"github.com/townhall/townhall/store/sqlite"
)

func openStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestRunnerOutcomes(t *testing.T) {
	errTemporary := errors.New("421 busy")
	cases := []struct {
		name      string
		results   []error // what the handler returns on each attempt
		wantState jobs.State
		wantRuns  int
		wantError string
	}{
		{"success", []error{nil}, jobs.StateDone, 1, ""},
		{"retried then done", []error{errTemporary, errTemporary, nil}, jobs.StateDone, 3, "421 busy"},
		{"permanent", []error{jobs.Permanent(errors.New("550 no such user"))}, jobs.StateFailed, 1, "550 no such user"},
		{"out of attempts", []error{errTemporary, errTemporary, errTemporary, errTemporary}, jobs.StateFailed, 3, "gave up after 3 attempts: 421 busy"},
		{"panic", nil, jobs.StateFailed, 1, "panic: boom"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db := openStore(t)
			clk := &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
			r := jobs.NewRunner(db, nil)
			r.SetClock(clk.now)
			runs := 0
			var outcomes []jobs.State
			r.OnOutcome = func(q string, o jobs.Outcome) { outcomes = append(outcomes, o.State) }
			r.Register(jobs.Queue{Name: "mail", MaxAttempts: 3, Backoff: func(int) time.Duration { return 30 * time.Second },
				Handle: func(ctx context.Context, j *jobs.Job) error {
					runs++
					if c.results == nil {
						panic("boom")
					}
					return c.results[runs-1]
				}})
			if n, err := r.Enqueue(ctx, &jobs.Job{Key: "k", Queue: "mail", Payload: []byte("{}")}); err != nil || n != 1 {
				t.Fatalf("enqueue = %d, %v", n, err)
			}
			for step := 0; step < 10; step++ {
				ran, err := r.RunOne(ctx, "mail")
				if err != nil {
					t.Fatal(err)
				}
				if !ran {
					// Nothing due: the retry waits its backoff.
					clk.add(30 * time.Second)
				}
			}
			j, err := db.JobByKey(ctx, "k")
			if err != nil {
				t.Fatal(err)
			}
			if j.State != c.wantState || runs != c.wantRuns || j.LastError != c.wantError {
				t.Fatalf("state %s after %d runs, error %q; want %s after %d, %q", j.State, runs, j.LastError, c.wantState, c.wantRuns, c.wantError)
			}
			if len(outcomes) != c.wantRuns || outcomes[len(outcomes)-1] != c.wantState {
				t.Fatalf("outcomes told = %v", outcomes)
			}
		})
	}
}

func TestRunnerBackoffWaits(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	clk := &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	r := jobs.NewRunner(db, nil)
	r.SetClock(clk.now)
	runs := 0
	r.Register(jobs.Queue{Name: "mail", Backoff: func(attempt int) time.Duration { return time.Duration(attempt) * time.Minute },
		Handle: func(ctx context.Context, j *jobs.Job) error { runs++; return errors.New("connection refused") }})
	r.Enqueue(ctx, &jobs.Job{Key: "k", Queue: "mail"})
	r.RunOne(ctx, "mail") // attempt 1 fails: next in 1 minute
	clk.add(59 * time.Second)
	if ran, _ := r.RunOne(ctx, "mail"); ran {
		t.Fatal("retried before its backoff")
	}
	clk.add(time.Second)
	if ran, _ := r.RunOne(ctx, "mail"); !ran || runs != 2 {
		t.Fatalf("retry at 1 minute: ran %v, runs %d", ran, runs)
	}
	j, _ := db.JobByKey(ctx, "k")
	if want := clk.now().Add(2 * time.Minute); !j.RunAt.Equal(want) {
		t.Fatalf("second retry at %v, want %v (doubling)", j.RunAt, want)
	}
}

func TestRunnerMaxAge(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	clk := &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	r := jobs.NewRunner(db, nil)
	r.SetClock(clk.now)
	r.Register(jobs.Queue{Name: "webhook", MaxAttempts: 100, MaxAge: time.Hour, Backoff: func(int) time.Duration { return 25 * time.Minute },
		Handle: func(ctx context.Context, j *jobs.Job) error { return errors.New("HTTP 503") }})
	r.Enqueue(ctx, &jobs.Job{Key: "k", Queue: "webhook"})
	for range 6 {
		if ran, _ := r.RunOne(ctx, "webhook"); !ran {
			clk.add(25 * time.Minute)
		}
	}
	j, _ := db.JobByKey(ctx, "k")
	if j.State != jobs.StateFailed || !strings.HasPrefix(j.LastError, "gave up after 1h0m0s") || j.Attempts != 3 {
		t.Fatalf("after an hour: %s, %d attempts, %q; want failed after 3 (0, 25, 50 min)", j.State, j.Attempts, j.LastError)
	}
}

func TestRunnerWakesOnEnqueueAndStopsCleanly(t *testing.T) {
	db := openStore(t)
	r := jobs.NewRunner(db, nil)
	r.Poll = time.Hour // only a wake-up can make it run soon
	ran := make(chan string, 1)
	block := make(chan struct{})
	r.Register(jobs.Queue{Name: "mail", Handle: func(ctx context.Context, j *jobs.Job) error {
		if j.Key == "blocks" {
			close(block)
			<-ctx.Done() // a send that is interrupted by shutdown
			return ctx.Err()
		}
		ran <- j.Key
		return nil
	}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	time.Sleep(50 * time.Millisecond) // the worker's first look finds nothing
	if _, err := r.Enqueue(context.Background(), &jobs.Job{Key: "first", Queue: "mail"}); err != nil {
		t.Fatal(err)
	}
	select {
	case k := <-ran:
		if k != "first" {
			t.Fatalf("ran %q", k)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the enqueue did not wake the worker")
	}
	r.Enqueue(context.Background(), &jobs.Job{Key: "blocks", Queue: "mail"})
	<-block
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	j, _ := db.JobByKey(context.Background(), "blocks")
	if j.State != jobs.StatePending || !strings.HasPrefix(j.LastError, "interrupted by shutdown") {
		t.Fatalf("interrupted job: %s %q; want pending again, retried at once", j.State, j.LastError)
	}
	// The next start (this node after a restart, or another) runs it.
	r2 := jobs.NewRunner(db, nil)
	r2.Register(jobs.Queue{Name: "mail", Handle: func(ctx context.Context, j *jobs.Job) error { ran <- j.Key; return nil }})
	if ok, err := r2.RunOne(context.Background(), "mail"); !ok || err != nil || <-ran != "blocks" {
		t.Fatalf("resumed run: %v, %v", ok, err)
	}
}
