// Package jobs is Townhall's durable work queue, the outbox: work that must
// happen after a write but not inside the request (email, webhook
// deliveries, digests, badge awards, fan-out to thousands of voters).
//
// A request writes a job to the store; a Runner in every app node claims due
// jobs with a lease (one atomic claim in the store), runs them and records
// the outcome. A node that dies mid-job loses nothing: its lease expires and
// another node (or the same one after a restart) claims the job again. So a
// job runs at least once, and every job carries a stable Key: enqueueing the
// same key twice is one job, and handlers make a repeated run harmless (an
// email keeps its Message-ID, a webhook its delivery id), so "at least
// once" never shows as "twice" to a person.
//
// Temporary failures retry with exponential backoff; permanent ones (and
// jobs out of attempts or past their queue's MaxAge) are kept as failed with
// their reason, for admins to see and requeue. Nothing lives only in memory.
package jobs

import (
	"context"
	"time"

	"github.com/townhall/townhall"
)

// State is where a job stands.
type State string

// The states of a job. Pending and running jobs are "due" at a time (RunAt,
// or the end of the lease); done and failed ones never run again unless an
// admin requeues them.
const (
	StatePending State = "pending" // waits for RunAt
	StateRunning State = "running" // claimed by LeaseOwner until LeaseUntil
	StateDone    State = "done"
	StateFailed  State = "failed" // gave up; LastError says why
)

// States lists every state in the order admin pages show them.
var States = []State{StatePending, StateRunning, StateDone, StateFailed}

// Valid reports whether s is one of the known states.
func (s State) Valid() bool {
	switch s {
	case StatePending, StateRunning, StateDone, StateFailed:
		return true
	}
	return false
}

// Job is one unit of background work.
type Job struct {
	ID    string // made by NewID at enqueue time: sorts by creation, pages listings
	Key   string // stable idempotency key, unique across queues ("mail:…", "webhook:…")
	Queue string // which handler runs it
	// Ref names what the job is about (a webhook endpoint, a user), so
	// admin pages can list one endpoint's deliveries; optional.
	Ref        string
	Payload    []byte // the queue's own format, usually JSON
	State      State
	Attempts   int       // how many times it was claimed
	RunAt      time.Time // not before
	LeaseOwner string    // the node running it
	LeaseUntil time.Time
	LastError  string // the last failure, kept after a success too for the log
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt time.Time // when it became done or failed
}

// Outcome is what a run of a claimed job came to.
type Outcome struct {
	State State     // StateDone, StateFailed, or StatePending to retry
	RunAt time.Time // for StatePending: when to try again
	Error string    // the failure, for StateFailed and retries
	At    time.Time
}

// Query selects a page of jobs, newest first. Empty fields match all.
type Query struct {
	Queue  string
	Ref    string
	State  State
	Before string // a job ID: the page after the one ending there
	Limit  int
}

// MaxError bounds a stored failure reason; SMTP servers and webhook
// receivers can answer with whole pages.
const MaxError = 1000

// ErrLeaseLost is returned by FinishJob when the caller no longer holds the
// job: its lease expired and another node claimed it. The other run's
// outcome wins; the job's idempotency makes the overlap harmless.
var ErrLeaseLost = townhall.Errorf(townhall.ECONFLICT, "This job was claimed by another worker after its lease expired.")

// ErrNotFound is returned for an unknown job id.
var ErrNotFound = townhall.Errorf(townhall.ENOTFOUND, "Job not found.")

// ErrNotFinished is returned by RequeueJob for a job that is still pending
// or running: it will run anyway.
var ErrNotFinished = townhall.Errorf(townhall.ECONFLICT, "This job has not finished yet; it will run on its own.")

// Store is what the queue needs from a storage backend. Every method is
// atomic on its own; ClaimJob in particular hands a due job to exactly one
// caller even when several nodes claim at once.
type Store interface {
	// EnqueueJobs stores each job as pending unless a job with its Key
	// exists already, and returns how many were added. Jobs must have ID,
	// Key, Queue, RunAt and CreatedAt set.
	EnqueueJobs(ctx context.Context, jobs []*Job) (added int, err error)
	// ClaimJob hands owner the due job of queue that has waited longest: a
	// pending job whose RunAt has come, or a running one whose lease has
	// expired (its node died). It sets the lease to leaseUntil, the state
	// to running and counts an attempt. It returns nil, nil when no job is
	// due.
	ClaimJob(ctx context.Context, queue, owner string, now, leaseUntil time.Time) (*Job, error)
	// FinishJob records the outcome of owner's claim of job id:
	// ErrLeaseLost when owner no longer holds it.
	FinishJob(ctx context.Context, id, owner string, o Outcome) error
	// Job returns one job (ErrNotFound).
	Job(ctx context.Context, id string) (*Job, error)
	// JobByKey returns the job with the given key (ErrNotFound).
	JobByKey(ctx context.Context, key string) (*Job, error)
	// Jobs returns a page of jobs newest first.
	Jobs(ctx context.Context, q Query) ([]*Job, error)
	// CountJobs counts queue's jobs by state.
	CountJobs(ctx context.Context, queue string) (map[State]int, error)
	// RequeueJob makes a done or failed job pending again at at, with its
	// attempts reset (an admin's "retry" or "redeliver"): ErrNotFound,
	// ErrNotFinished.
	RequeueJob(ctx context.Context, id string, at time.Time) error
	// PruneJobs deletes the jobs in state (done or failed) that finished
	// before before, and returns how many.
	PruneJobs(ctx context.Context, state State, before time.Time) (int, error)
}
