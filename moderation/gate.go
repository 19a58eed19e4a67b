package moderation

import (
	"context"
	"fmt"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/markdown"
)

// The content services' Gate (townhall.Gate): they call Screen before
// storing what someone wrote, Held when a hidden item's author looks at
// it, and Activity after anything that counts toward a trust level.
var _ townhall.Gate = (*Service)(nil)

// Screen checks that actor may post text now: not silenced, and at trust
// level 0 no more than LinksAtNew links. For a new thread, idea or review
// (id set; an edit passes id "") it also decides whether the item is held
// for approval, and when it is, queues id as held before the caller
// stores it hidden: a case without its item is cleaned from the queue,
// while an item hidden without its case would be lost.
func (s *Service) Screen(ctx context.Context, actor *townhall.User, kind, id, text string) (bool, error) {
	if actor == nil {
		return false, townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in first.")
	}
	if err := s.writable(actor); err != nil {
		return false, err
	}
	level := actor.Level()
	if level == townhall.TrustNew {
		if n := markdown.Links(text); n > LinksAtNew {
			return false, townhall.Errorf(townhall.EINVALID,
				"New members can put at most %d links in a post, and this one has %d. Remove %d, or post them once you have taken part a little longer.",
				LinksAtNew, n, n-LinksAtNew)
		}
	}
	if id == "" || !Holdable(kind) || level != townhall.TrustNew {
		return false, nil
	}
	hold := s.site(ctx).HoldNewMemberPosts
	if hold == 0 {
		return false, nil
	}
	stats, err := s.store.CountStats(ctx, actor.ID)
	if err != nil {
		return false, err
	}
	if stats.Topics >= hold {
		return false, nil
	}
	if err := s.store.HoldItem(ctx, kind, id, actor.ID, s.now().UTC().Truncate(time.Millisecond)); err != nil {
		return false, err
	}
	return true, nil
}

// Held reports whether kind/id is waiting for a moderator's approval. An
// error reads as not held: the item stays hidden, as it would anyway.
func (s *Service) Held(ctx context.Context, kind, id string) bool {
	c, err := s.store.Case(ctx, kind, id)
	if err != nil {
		if townhall.ErrorCode(err) != townhall.ENOTFOUND {
			s.log.Warn("reading a review case", "kind", kind, "id", id, "err", err)
		}
		return false
	}
	return c.Open && c.Held
}

// Activity tells moderation that something counting toward userID's trust
// level happened (they posted, had an answer accepted, visited on a new
// day), so it recomputes the level. Errors are logged: the level catches
// up on the next activity or the periodic pass.
func (s *Service) Activity(ctx context.Context, userID string) {
	if userID == "" {
		return
	}
	if _, err := s.RefreshTrust(ctx, userID); err != nil {
		s.log.Warn("recomputing a trust level", "user", userID, "err", err)
	}
}

// HeldNotice is what the author of a held item reads on it.
func HeldNotice(kind string) string {
	what := "post"
	switch kind {
	case KindThread:
		what = "thread"
	case KindIdea:
		what = "idea"
	case KindReview:
		what = "review"
	}
	return fmt.Sprintf("Your %s is waiting for review. A moderator looks at new members' first posts before everyone sees them; you'll get a notification when it is published.", what)
}
