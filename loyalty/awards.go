package loyalty

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/townhall/townhall"
)

// Badges are awarded twice over: right after the event that earns one
// (the forum, reviews and ideas services call the hooks below after their
// write), and by Pass, a background sweep over everyone that catches what
// the hooks missed (a crash between the write and the hook, a badge added
// in a new version, Anniversary, which no event triggers). Both award
// through the store's unique (person, badge) key, so a badge is awarded
// exactly once however often either runs.

// Posted is told that userID wrote a thread or a reply.
func (s *Service) Posted(ctx context.Context, userID string) { s.earn(ctx, userID, FirstPost) }

// Accepted is told that an answer by userID was accepted.
func (s *Service) Accepted(ctx context.Context, userID string) {
	s.earn(ctx, userID, HelpfulBadge, ProblemSolver, Guru)
}

// MarkedHelpful is told that a review by userID was marked helpful.
func (s *Service) MarkedHelpful(ctx context.Context, userID string) {
	s.earn(ctx, userID, TrustedReviewer)
}

// Shipped is told that an idea by userID shipped.
func (s *Service) Shipped(ctx context.Context, userID string) { s.earn(ctx, userID, CoCreator) }

// earn awards userID whichever of the badges their facts now earn. It runs
// after a write that already succeeded, so failures are reported, not
// returned: the background pass awards what was missed.
func (s *Service) earn(ctx context.Context, userID string, slugs ...string) {
	if userID == "" {
		return
	}
	held, err := s.held(ctx, userID)
	if err == nil {
		slugs = slices.DeleteFunc(slices.Clone(slugs), func(slug string) bool { return held[slug] })
		if len(slugs) == 0 {
			return // the common case, a post by someone with First Post: one read
		}
		var facts []Facts
		if facts, err = s.store.BadgeFacts(ctx, FactsQuery{UserIDs: []string{userID}}); err == nil && len(facts) == 1 {
			_, err = s.awardEarned(ctx, facts[0], held, slugs)
		}
	}
	if err != nil && s.OnNotifyError != nil {
		s.OnNotifyError(fmt.Errorf("badges of %s: %w", userID, err))
	}
}

func (s *Service) held(ctx context.Context, userID string) (map[string]bool, error) {
	awards, err := s.store.UserBadges(ctx, userID)
	if err != nil {
		return nil, err
	}
	held := make(map[string]bool, len(awards))
	for _, a := range awards {
		held[a.Badge] = true
	}
	return held, nil
}

// awardEarned awards the badges among slugs (all rule badges when nil)
// that f earns and the person does not hold, telling them of each.
func (s *Service) awardEarned(ctx context.Context, f Facts, held map[string]bool, slugs []string) (int, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	n := 0
	for _, b := range Badges {
		if held[b.Slug] || (slugs != nil && !slices.Contains(slugs, b.Slug)) || !b.Earned(f, now) {
			continue
		}
		awarded, err := s.store.AwardBadge(ctx, &Award{ID: townhall.NewID(), UserID: f.UserID, Badge: b.Slug, At: now})
		if err != nil {
			return n, err
		}
		if awarded {
			n++
			s.tell(ctx, "", []string{f.UserID}, "badge", fmt.Sprintf("You earned the “%s” badge: %s", b.Name, b.Description), BadgeURL(b.Slug))
		}
	}
	return n, nil
}

// BadgeURL is the page of a badge and its holders.
func BadgeURL(slug string) string { return "/badges/" + slug }

// PassPage is how many people one step of the background pass looks at.
const PassPage = 200

// Pass looks at one page of people (in id order after after) and awards
// every rule badge they earned and do not hold. It returns where the next
// page starts ("" after the last page) and how many badges it awarded.
// Running it again awards nothing new, so it can be re-run at any time.
func (s *Service) Pass(ctx context.Context, after string, limit int) (next string, awarded int, err error) {
	if limit <= 0 {
		limit = PassPage
	}
	facts, err := s.store.BadgeFacts(ctx, FactsQuery{After: after, Limit: limit})
	if err != nil {
		return "", 0, err
	}
	for _, f := range facts {
		held, err := s.held(ctx, f.UserID)
		if err != nil {
			return "", awarded, err
		}
		n, err := s.awardEarned(ctx, f, held, nil)
		awarded += n
		if err != nil {
			return "", awarded, err
		}
	}
	if len(facts) == limit {
		next = facts[len(facts)-1].UserID
	}
	return next, awarded, nil
}

// Grant gives (on) or takes back a granted badge — Champion, the VIP mark
// — for userID. Admins only; the staff log records it.
func (s *Service) Grant(ctx context.Context, actor *townhall.User, userID, slug string, on bool) (*townhall.User, error) {
	if err := townhall.SignedIn(actor, "grant badges"); err != nil {
		return nil, err
	}
	if actor.Role != townhall.RoleAdmin {
		return nil, townhall.Errorf(townhall.EFORBIDDEN, "Only admins can grant badges.")
	}
	b := BadgeBySlug(slug)
	if b == nil {
		return nil, ErrBadgeNotFound
	}
	if !b.Granted {
		return nil, ErrNotGranted
	}
	if !townhall.ValidID(userID) {
		return nil, ErrUserNotFound
	}
	u, err := s.users.User(ctx, userID)
	if err != nil {
		return nil, asUserNotFound(err)
	}
	var changed bool
	if on {
		changed, err = s.store.AwardBadge(ctx, &Award{ID: townhall.NewID(), UserID: u.ID, Badge: b.Slug, At: s.now().UTC().Truncate(time.Millisecond), GrantedBy: actor.ID})
	} else {
		changed, err = s.store.RevokeBadge(ctx, u.ID, b.Slug)
	}
	if err != nil {
		return nil, err
	}
	if changed {
		action := "badge.grant"
		if !on {
			action = "badge.revoke"
		}
		townhall.RecordStaff(ctx, s.staffLog, actor, townhall.StaffAction{Action: action, TargetKind: "user", TargetID: u.ID,
			Target: "@" + u.Handle, Before: map[string]bool{b.Slug: !on}, After: map[string]bool{b.Slug: on}})
		if on {
			s.tell(ctx, actor.ID, []string{u.ID}, "badge", fmt.Sprintf("You were granted the “%s” badge: %s", b.Name, b.Description), BadgeURL(b.Slug))
		}
	}
	return s.users.User(ctx, u.ID)
}

// asUserNotFound turns any not-found error of the user store into
// loyalty's own words.
func asUserNotFound(err error) error {
	if townhall.ErrorCode(err) == townhall.ENOTFOUND {
		return ErrUserNotFound
	}
	return err
}
