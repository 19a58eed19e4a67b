package ideas

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/townhall/townhall/jobs"
	"github.com/townhall/townhall/notify"
)

// QueueFanout is the job queue of status-change fan-outs.
const QueueFanout = "idea_fanout"

// fanoutPage is how many voters one fan-out job tells: a few thousand
// notifications and mail jobs, well inside a job's lease.
const fanoutPage = 1000

// EventSender sends one event to many people so that sending it again is
// harmless; notify.Service implements it.
type EventSender interface {
	Send(ctx context.Context, ev notify.Event, userIDs []string) error
}

// SetJobs moves the fan-out of status changes to the background: the
// status change request enqueues one job, which tells the idea's author
// and voters page by page, then its commenters. Without it the fan-out
// runs inside ChangeStatus.
func (s *Service) SetJobs(e jobs.Enqueuer) { s.jobs = e }

// statusFanout is the payload of a fan-out job: one page of one status
// change's audience.
type statusFanout struct {
	Change string    `json:"change"`
	Idea   string    `json:"idea"`
	Actor  string    `json:"actor"`
	Author string    `json:"author"`
	Text   string    `json:"text"`
	At     time.Time `json:"at"`
	// Phase is "voters" (the author with the first page) or "commenters".
	Phase string `json:"phase"`
	After string `json:"after,omitempty"` // the last voter of the page before
}

func (f statusFanout) key() string {
	switch {
	case f.Phase == "commenters":
		return "idea-status:" + f.Change + ":c"
	case f.After != "":
		return "idea-status:" + f.Change + ":v:" + f.After
	}
	return "idea-status:" + f.Change
}

// FanoutQueue is the job queue the app registers for status changes.
func (s *Service) FanoutQueue() jobs.Queue {
	return jobs.Queue{Name: QueueFanout, Handle: s.handleFanout, Lease: 2 * time.Minute, MaxAttempts: 20,
		Backoff: jobs.ExpBackoff(5*time.Second, 10*time.Minute), Workers: 1}
}

func (s *Service) handleFanout(ctx context.Context, j *jobs.Job) error {
	var f statusFanout
	if err := json.Unmarshal(j.Payload, &f); err != nil || f.Change == "" || f.Idea == "" {
		return jobs.Permanent(fmt.Errorf("bad fan-out payload %q", j.Payload))
	}
	next, err := s.fanoutPage(ctx, f)
	if err != nil || next == nil {
		return err
	}
	payload, _ := json.Marshal(next)
	_, err = s.jobs.Enqueue(ctx, &jobs.Job{Key: next.key(), Queue: QueueFanout, Ref: f.Idea, Payload: payload})
	return err
}

// fanOut tells a status change's whole audience, in the background when
// jobs are set, inline otherwise.
func (s *Service) fanOut(ctx context.Context, f statusFanout) error {
	if s.jobs != nil {
		payload, _ := json.Marshal(f)
		_, err := s.jobs.Enqueue(ctx, &jobs.Job{Key: f.key(), Queue: QueueFanout, Ref: f.Idea, Payload: payload})
		return err
	}
	for next := &f; next != nil; {
		var err error
		if next, err = s.fanoutPage(ctx, *next); err != nil {
			return err
		}
	}
	return nil
}

// fanoutPage tells one page of the audience and returns the page after
// it (nil when done). Voters and the author hear "status" news, people
// who only commented "followed_status". Every notification's ID comes
// from the change and the person, so a page told twice (a job run again
// after a crash) tells each person once, and someone who both voted and
// commented hears it once, as a voter.
func (s *Service) fanoutPage(ctx context.Context, f statusFanout) (*statusFanout, error) {
	send, ok := s.notify.(EventSender)
	if !ok {
		return nil, fmt.Errorf("ideas: the notifier cannot send events")
	}
	ev := notify.Event{Key: "status:" + f.Change, At: f.At, ActorID: f.Actor, Text: f.Text,
		URL: (&Idea{ID: f.Idea}).URL() + "#status-" + f.Change}
	if f.Phase == "commenters" {
		who, err := s.store.CommentAuthors(ctx, f.Idea)
		if err != nil {
			return nil, err
		}
		ev.Kind = "followed_status"
		return nil, send.Send(ctx, ev, who)
	}
	voters, err := s.store.VotersAfter(ctx, f.Idea, f.After, fanoutPage)
	if err != nil {
		return nil, err
	}
	who := voters
	if f.After == "" && f.Author != "" {
		who = append([]string{f.Author}, voters...)
	}
	ev.Kind = "status"
	if err := send.Send(ctx, ev, who); err != nil {
		return nil, err
	}
	next := f
	if len(voters) == fanoutPage {
		next.After = voters[len(voters)-1]
	} else {
		next.Phase, next.After = "commenters", ""
	}
	return &next, nil
}
