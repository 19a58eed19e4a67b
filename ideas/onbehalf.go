package ideas

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/townhall/townhall"
)

// Votes on behalf of customers: a product-team member records the vote
// of a customer heard on a sales or support call. It is the customer's
// vote, stored like one (counted once, in the customer's segment), with
// who recorded it, when and a note kept beside it for staff. Should the
// customer vote themselves later, nothing changes (the vote is there);
// should they take it back, it is gone, note and all: the customer has
// the last word on their own vote.
//
// A customer without an account is recorded by email: the vote goes to a
// placeholder account that becomes theirs when they first sign in with
// that address (see auth.ProviderEmail).

// MaxNote bounds the note of a vote on behalf, in runes.
const MaxNote = 500

// Customers finds the customer a vote on behalf is for; auth.Service
// implements it.
type Customers interface {
	// Customer returns the person with the given @handle or email
	// address. An address nobody has signed in with gets a placeholder
	// account (pending true) that the customer's first sign-in with it
	// takes over.
	Customer(ctx context.Context, handleOrEmail string) (u *townhall.User, pending bool, err error)
}

// ProxyVote is a vote recorded on a customer's behalf, as staff see it.
type ProxyVote struct {
	IdeaID string
	UserID string // the customer
	// The customer as reads fill it: Pending while they have not signed
	// in yet (recorded by email).
	UserName, UserHandle, UserEmail string
	Pending                         bool
	RecordedBy                      string
	RecordedByName                  string // filled by reads
	Note                            string
	At                              time.Time
}

// ProxyVoteStore is what votes on behalf need from a backend.
type ProxyVoteStore interface {
	// VoteOnBehalf adds v.UserID's vote exactly as Vote does (the same
	// counters, the customer's segment) and records v beside it, in one
	// step; added is false, and nothing is recorded, when the customer
	// had voted already. Unvote removes the record with the vote, and a
	// merge moves it with the vote. ErrNotFound, ErrMerged, ErrHidden.
	VoteOnBehalf(ctx context.Context, v *ProxyVote) (added bool, err error)
	// ProxyVotes lists the live votes recorded on behalf of customers for
	// an idea, newest first, at most limit.
	ProxyVotes(ctx context.Context, ideaID string, limit int) ([]*ProxyVote, error)
}

// OnBehalf is a vote to record: the customer's @handle or email, and a
// note for staff ("From a sales call with Acme").
type OnBehalf struct {
	User string
	Note string
}

// Recorded is the outcome of a vote on behalf.
type Recorded struct {
	Idea     *Idea
	Customer *townhall.User
	Pending  bool // the customer has no account yet
	Added    bool // false: the customer had voted already
}

// VoteOnBehalf records a customer's vote for an idea. Product team only;
// the customer is told, and the staff log keeps it.
func (s *Service) VoteOnBehalf(ctx context.Context, actor *townhall.User, id string, in OnBehalf) (*Recorded, error) {
	if err := requireTeam(actor, "record votes for customers"); err != nil {
		return nil, err
	}
	idea, err := s.Idea(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.User) == "" {
		return nil, townhall.Errorf(townhall.EINVALID, "Customer is required: their @handle or email address.")
	}
	note, err := townhall.CleanText("Note", in.Note, 0, MaxNote)
	if err != nil {
		return nil, err
	}
	if s.Customers == nil {
		return nil, townhall.Errorf(townhall.EINTERNAL, "ideas: no customer directory configured")
	}
	if idea.Merged() {
		return nil, ErrMerged
	}
	customer, pending, err := s.Customers.Customer(ctx, in.User)
	if err != nil {
		return nil, err
	}
	if customer.ID == actor.ID {
		return nil, townhall.Errorf(townhall.EINVALID, "That is you: use the vote button for your own vote.")
	}
	v := &ProxyVote{IdeaID: id, UserID: customer.ID, RecordedBy: actor.ID, Note: note, At: s.now().UTC().Truncate(time.Millisecond)}
	added, err := s.store.VoteOnBehalf(ctx, v)
	if err != nil {
		return nil, s.hiddenAsNotFound(ctx, actor, id, err)
	}
	after, err := s.store.Idea(ctx, id, actor.ID)
	if err != nil {
		return nil, err
	}
	if added {
		s.tell(ctx, actor.ID, []string{customer.ID}, "vote_recorded",
			fmt.Sprintf("The product team recorded your vote for “%s”", idea.Title), idea.URL())
		who := "@" + customer.Handle
		if pending {
			who = customer.Email
		}
		townhall.RecordStaff(ctx, s.staff, actor, townhall.StaffAction{Action: "idea.vote_on_behalf", TargetKind: "idea", TargetID: id, Target: idea.Title,
			Before: map[string]any{"votes": after.Votes - 1}, After: map[string]any{"votes": after.Votes, "customer": who, "note": note}})
	}
	return &Recorded{Idea: after, Customer: customer, Pending: pending, Added: added}, nil
}

// ProxyVotes lists the votes recorded on behalf of customers for an idea,
// newest first. Product team only.
func (s *Service) ProxyVotes(ctx context.Context, actor *townhall.User, id string) ([]*ProxyVote, error) {
	if err := requireTeam(actor, "see votes recorded for customers"); err != nil {
		return nil, err
	}
	if _, err := s.Idea(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.store.ProxyVotes(ctx, id, 200)
}
