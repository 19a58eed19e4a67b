package seed

import (
	"context"
	"fmt"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/reviews"
	"github.com/townhall/townhall/store/sqlite"
)

// sink writes the generated community's aggregates. Both sinks leave the
// same community; the bulk one is what makes --scale fast.
type sink interface {
	// user creates a member in u.SegmentID; it may replace u.ID.
	user(ctx context.Context, u *townhall.User, subject string) error
	thread(ctx context.Context, t *forum.Thread, posts []*forum.Post) error
	// idea sets idea.Votes to the votes it ended with.
	idea(ctx context.Context, idea *ideas.Idea, words []string, votes []sqlite.BulkVote, comments []*ideas.Comment, changes []*ideas.StatusChange) error
	product(ctx context.Context, p *reviews.Product, revs []*reviews.Review) error
	// likes adds likes of a post or comment given before (by its
	// generated id) and returns how many it added: not the author's, and
	// each liker once.
	likes(ctx context.Context, kind, targetID, authorID string, likes []sqlite.BulkLike) (int, error)
	// visits records the days a member visited (in the site's zone), in order.
	visits(ctx context.Context, userID string, visits []sqlite.BulkVisit) error
	// finish completes the load; progress is told about long steps.
	finish(ctx context.Context, progress func(what string, done, total int)) error
	// abort undoes what it can after a failure; after finish it does nothing.
	abort()
}

// bulkSink writes through the embedded store's bulk loader.
type bulkSink struct{ b *sqlite.Bulk }

func (s bulkSink) user(ctx context.Context, u *townhall.User, subject string) error {
	return s.b.AddUser(ctx, u, "seed", subject)
}

func (s bulkSink) thread(ctx context.Context, t *forum.Thread, posts []*forum.Post) error {
	return s.b.AddThread(ctx, t, posts)
}

func (s bulkSink) idea(ctx context.Context, idea *ideas.Idea, words []string, votes []sqlite.BulkVote, comments []*ideas.Comment, changes []*ideas.StatusChange) error {
	return s.b.AddIdea(ctx, idea, words, votes, comments, changes)
}

func (s bulkSink) product(ctx context.Context, p *reviews.Product, revs []*reviews.Review) error {
	return s.b.AddProduct(ctx, p, revs)
}

func (s bulkSink) likes(ctx context.Context, kind, targetID, authorID string, likes []sqlite.BulkLike) (int, error) {
	return s.b.AddLikes(ctx, kind, targetID, authorID, likes)
}

func (s bulkSink) visits(ctx context.Context, userID string, visits []sqlite.BulkVisit) error {
	return s.b.AddVisits(ctx, userID, visits)
}

func (s bulkSink) finish(ctx context.Context, progress func(string, int, int)) error {
	return s.b.Finish(ctx, progress)
}

func (s bulkSink) abort() { s.b.Abort() }

// serviceSink writes through the domain services, one call per vote, reply
// and review, as people would (with today's times and fresh IDs): the way
// to seed a store without a bulk loader (MongoDB), and the reference the
// tests compare the bulk loader's community with. Votes go through the
// Store verb: the service's only extra work is re-reading the idea.
type serviceSink struct {
	a           *app.App
	admin, team *townhall.User
	users       map[string]*townhall.User
	ids         map[string]string // generated post and comment ids to the ones the services made
}

func (s *serviceSink) user(ctx context.Context, u *townhall.User, subject string) error {
	got, err := s.a.Auth.SignIn(ctx, auth.Identity{Provider: "seed", Subject: subject, Name: u.Name, Email: u.Email, Role: u.Role})
	if err != nil {
		return err
	}
	if err := s.a.Auth.AssignSegment(ctx, s.admin, got.ID, u.SegmentID); err != nil {
		return err
	}
	u.ID, u.Handle = got.ID, got.Handle
	s.users[u.ID] = u
	return nil
}

func (s *serviceSink) actor(id string) (*townhall.User, error) {
	if u, ok := s.users[id]; ok {
		return u, nil
	}
	if s.team != nil && s.team.ID == id {
		return s.team, nil
	}
	return nil, fmt.Errorf("seed: unknown user %s", id)
}

func (s *serviceSink) thread(ctx context.Context, t *forum.Thread, posts []*forum.Post) error {
	author, err := s.actor(t.AuthorID)
	if err != nil {
		return err
	}
	real, err := s.a.Forum.CreateThread(ctx, author, forum.ThreadInput{Category: t.CategoryID, Title: t.Title, Body: posts[0].Source})
	if err != nil {
		return err
	}
	s.ids[posts[0].ID] = real.LastPostID
	for _, p := range posts[1:] {
		u, err := s.actor(p.AuthorID)
		if err != nil {
			return err
		}
		reply, err := s.a.Forum.Reply(ctx, u, real.ID, p.Source)
		if err != nil {
			return err
		}
		s.ids[p.ID] = reply.ID
		if p.ID == t.AcceptedPostID {
			if _, err := s.a.Forum.Accept(ctx, author, reply.ID, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *serviceSink) idea(ctx context.Context, idea *ideas.Idea, _ []string, votes []sqlite.BulkVote, comments []*ideas.Comment, changes []*ideas.StatusChange) error {
	author, err := s.actor(idea.AuthorID)
	if err != nil {
		return err
	}
	real, err := s.a.Ideas.Propose(ctx, author, ideas.Input{Title: idea.Title, Body: idea.Body, Tags: idea.Tags})
	if err != nil {
		return err
	}
	idea.Votes = 1
	for _, v := range votes {
		added, err := s.a.DB.Vote(ctx, real.ID, v.UserID, v.At)
		if err != nil {
			return err
		}
		if added {
			idea.Votes++
		}
	}
	for _, c := range comments {
		u, err := s.actor(c.AuthorID)
		if err != nil {
			return err
		}
		made, err := s.a.Ideas.Comment(ctx, u, real.ID, c.Body)
		if err != nil {
			return err
		}
		s.ids[c.ID] = made.ID
	}
	for _, ch := range changes {
		u, err := s.actor(ch.ActorID)
		if err != nil {
			return err
		}
		if _, err := s.a.Ideas.ChangeStatus(ctx, u, real.ID, ideas.StatusUpdate{Status: string(ch.To), Reason: ch.Reason, Response: ch.Response}); err != nil {
			return err
		}
	}
	return nil
}

func (s *serviceSink) product(ctx context.Context, p *reviews.Product, revs []*reviews.Review) error {
	real, err := s.a.Reviews.CreateProduct(ctx, s.team, reviews.ProductInput{Name: &p.Name, Description: &p.Description})
	if err != nil {
		return err
	}
	for _, r := range revs {
		u, err := s.actor(r.AuthorID)
		if err != nil {
			return err
		}
		created, err := s.a.Reviews.CreateReview(ctx, u, real.ID, reviews.ReviewInput{Rating: &r.Rating, Title: &r.Title, Body: &r.Body})
		if err != nil {
			return err
		}
		if r.Response != nil {
			if _, err := s.a.Reviews.Respond(ctx, s.team, created.ID, r.Response.Body); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *serviceSink) likes(ctx context.Context, kind, targetID, authorID string, likes []sqlite.BulkLike) (int, error) {
	n := 0
	for _, l := range likes {
		if l.UserID == authorID {
			continue // the loader skips them; the service would refuse them
		}
		u, err := s.actor(l.UserID)
		if err != nil {
			return n, err
		}
		res, err := s.a.Loyalty.Like(ctx, u, kind, s.ids[targetID], true)
		if err != nil {
			return n, err
		}
		if res.Changed {
			n++
		}
	}
	return n, nil
}

// finish runs the background badge pass over everyone, as a live site
// does daily: the services award the badges events trigger as they go, the
// pass the rest (Anniversary), as the bulk loader does at its end.
func (s *serviceSink) finish(ctx context.Context, _ func(string, int, int)) error {
	for after := ""; ; {
		next, _, err := s.a.Loyalty.Pass(ctx, after, 0)
		if err != nil || next == "" {
			return err
		}
		after = next
	}
}

// visits go through the auth Store verb the web layer's visit tracking
// calls, with the generated days.
func (s *serviceSink) visits(ctx context.Context, userID string, visits []sqlite.BulkVisit) error {
	for _, v := range visits {
		if _, err := s.a.DB.RecordVisit(ctx, userID, v.Day, v.At); err != nil {
			return err
		}
	}
	return nil
}

func (s *serviceSink) abort() {}
