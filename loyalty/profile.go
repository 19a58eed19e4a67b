package loyalty

import (
	"context"
	"html/template"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/markdown"
)

// Limits of what a profile holds, in runes.
const (
	MaxName = 60
	MaxBio  = 500
	// PageSize is how many items one page of a profile tab lists.
	PageSize = 20
)

// HeldBadge is a badge as a profile shows it: the badge and when it came.
type HeldBadge struct {
	*Badge
	At      time.Time
	Granted bool // given by an admin
}

// ProfileView is a public profile: the person, their bio, their badges.
type ProfileView struct {
	User      *townhall.User
	Bio       template.HTML
	BioSource string      // the bio as written, Markdown
	Badges    []HeldBadge // oldest first
	Highlight *Badge      // shown next to the name; nil without badges
	Staff     bool
	// Segment is the person's customer segment's name, only when the site
	// makes segments public (settings.Site.SegmentsPublic).
	Segment string
}

// handleRE is what a handle can look like (auth.Handle and FreeHandle make
// them); anything else is not found without a store read.
var handleRE = regexp.MustCompile(`^[a-z0-9_][a-z0-9_-]{0,39}$`)

// person finds the profile owner by handle.
func (s *Service) person(ctx context.Context, handle string) (*townhall.User, error) {
	handle = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(handle), "@"))
	if !handleRE.MatchString(handle) {
		return nil, ErrUserNotFound
	}
	u, err := s.users.UserByHandle(ctx, handle)
	if err != nil {
		return nil, asUserNotFound(err)
	}
	if !u.DeletedAt.IsZero() {
		return nil, ErrUserNotFound // a deleted account has no profile
	}
	return u, nil
}

// Profile returns the public profile of the person with handle. Everyone
// may read profiles; the segment shows only where the site makes segments
// public.
func (s *Service) Profile(ctx context.Context, viewer *townhall.User, handle string) (*ProfileView, error) {
	u, err := s.person(ctx, handle)
	if err != nil {
		return nil, err
	}
	p, awards, err := s.profileAndBadges(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	v := &ProfileView{User: u, Bio: p.BioHTML, BioSource: p.Bio, Staff: u.Role.IsStaff(), Highlight: BadgeBySlug(u.Badge)}
	for _, a := range awards {
		if b := BadgeBySlug(a.Badge); b != nil {
			v.Badges = append(v.Badges, HeldBadge{Badge: b, At: a.At, Granted: a.GrantedBy != ""})
		}
	}
	if u.SegmentID != "" && s.segmentsPublic(ctx) {
		segs, err := s.users.Segments(ctx)
		if err != nil {
			return nil, err
		}
		for _, seg := range segs {
			if seg.ID == u.SegmentID {
				v.Segment = seg.Name
			}
		}
	}
	return v, nil
}

func (s *Service) segmentsPublic(ctx context.Context) bool {
	if s.site == nil {
		return false
	}
	site, err := s.site.Get(ctx)
	// Without the settings, the default: segments stay private.
	return err == nil && site.SegmentsPublic
}

func validTab(tab string) bool { return slices.Contains(Tabs, tab) && tab != TabReputation }

// Activity returns a page of one of a person's activity tabs (threads,
// replies, answers, ideas, reviews), newest first. Hidden, deleted and
// merged content is never listed, for any reader.
func (s *Service) Activity(ctx context.Context, viewer *townhall.User, handle, tab, after string) (*townhall.User, townhall.Page[*Activity], error) {
	var page townhall.Page[*Activity]
	if !validTab(tab) {
		return nil, page, townhall.Errorf(townhall.EINVALID, "Tab must be one of threads, replies, answers, ideas, reviews or reputation.")
	}
	if after != "" && !townhall.ValidID(after) {
		return nil, page, errBadCursor
	}
	u, err := s.person(ctx, handle)
	if err != nil {
		return nil, page, err
	}
	page, err = townhall.Paginate(PageSize, func(n int) ([]*Activity, error) {
		return s.store.Activity(ctx, ActivityQuery{UserID: u.ID, Tab: tab, After: after, Limit: n})
	}, func(last *Activity) string { return last.ID })
	for _, a := range page.Items {
		a.Excerpt = markdown.Excerpt(a.Source, 200)
	}
	return u, page, err
}

var errBadCursor = townhall.Errorf(townhall.EINVALID, "The page cursor is not valid; start from the first page.")

// Reputation returns a page of a person's reputation ledger, newest
// first: every point they earned or lost, and why.
func (s *Service) Reputation(ctx context.Context, viewer *townhall.User, handle, before string) (*townhall.User, townhall.Page[*Entry], error) {
	var page townhall.Page[*Entry]
	if before != "" && !townhall.ValidID(before) {
		return nil, page, errBadCursor
	}
	u, err := s.person(ctx, handle)
	if err != nil {
		return nil, page, err
	}
	page, err = townhall.Paginate(PageSize, func(n int) ([]*Entry, error) {
		return s.store.ReputationEntries(ctx, u.ID, before, n)
	}, func(last *Entry) string { return last.ID })
	return u, page, err
}

// ProfileInput is what a person changes of their own profile; nil fields
// stay as they are. Badge "" goes back to the highest badge held.
type ProfileInput struct {
	Name  *string
	Bio   *string
	Badge *string
}

// ProfileSettings is what the settings page edits: the person, their bio
// as written and their badges.
type ProfileSettings struct {
	User    *townhall.User
	Profile *Profile
	Badges  []HeldBadge
}

// Settings returns actor's own profile for editing.
func (s *Service) Settings(ctx context.Context, actor *townhall.User) (*ProfileSettings, error) {
	if err := townhall.SignedIn(actor, "edit your profile"); err != nil {
		return nil, err
	}
	u, err := s.users.User(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	p, awards, err := s.profileAndBadges(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	out := &ProfileSettings{User: u, Profile: p}
	for _, a := range awards {
		if b := BadgeBySlug(a.Badge); b != nil {
			out.Badges = append(out.Badges, HeldBadge{Badge: b, At: a.At, Granted: a.GrantedBy != ""})
		}
	}
	return out, nil
}

// UpdateProfile changes actor's display name, bio (Markdown, sanitized)
// and highlighted badge. Each field is checked before anything is
// stored, and a refusal names the field.
func (s *Service) UpdateProfile(ctx context.Context, actor *townhall.User, in ProfileInput) (*townhall.User, error) {
	if err := townhall.SignedIn(actor, "edit your profile"); err != nil {
		return nil, err
	}
	cur, err := s.store.Profile(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	name, p := actor.Name, *cur
	if in.Name != nil {
		if name, err = townhall.CleanText("Name", *in.Name, 1, MaxName); err != nil {
			return nil, err
		}
		if strings.ContainsAny(name, "\n\t") {
			return nil, townhall.Errorf(townhall.EINVALID, "Name must be one line.")
		}
	}
	if in.Bio != nil {
		bio, err := townhall.CleanText("Bio", *in.Bio, 0, MaxBio)
		if err != nil {
			return nil, err
		}
		p.Bio, p.BioHTML = bio, ""
		if bio != "" {
			p.BioHTML = markdown.Render(bio)
		}
	}
	if in.Badge != nil && *in.Badge != "" {
		if BadgeBySlug(*in.Badge) == nil {
			return nil, ErrBadgeNotHeld
		}
		held, err := s.held(ctx, actor.ID)
		if err != nil {
			return nil, err
		}
		if !held[*in.Badge] {
			return nil, ErrBadgeNotHeld
		}
	}
	if in.Name != nil || in.Bio != nil {
		if err := s.store.SaveProfile(ctx, actor.ID, name, &p); err != nil {
			return nil, err
		}
	}
	if in.Badge != nil {
		if err := s.store.SetHighlight(ctx, actor.ID, *in.Badge); err != nil {
			return nil, err
		}
	}
	return s.users.User(ctx, actor.ID)
}

// Signed is the entry's points with their sign: "+15", "−2".
func (e *Entry) Signed() string {
	if e.Points < 0 {
		return "−" + strconv.Itoa(-e.Points)
	}
	return "+" + strconv.Itoa(e.Points)
}

// Phrase says what the entry records, to be followed by its Title:
// "answer accepted in", "idea shipped:".
func (e *Entry) Phrase() string {
	switch e.Reason {
	case ReasonAccepted:
		return "answer accepted in"
	case ReasonUnaccepted:
		return "answer no longer accepted in"
	case ReasonPostLiked:
		return "post liked in"
	case ReasonPostUnliked:
		return "like taken back in"
	case ReasonCommentLiked:
		return "comment liked on"
	case ReasonCommentUnliked:
		return "like taken back on"
	case ReasonHelpful:
		return "review found helpful:"
	case ReasonUnhelpful:
		return "helpful vote taken back on a review of"
	case ReasonReviewDeleted:
		return "review deleted, with its helpful votes:"
	case ReasonPlanned:
		return "idea planned:"
	case ReasonUnplanned:
		return "idea no longer planned:"
	case ReasonShipped:
		return "idea shipped:"
	case ReasonUnshipped:
		return "idea no longer shipped:"
	case ReasonAdjusted:
		return "corrected by a consistency check"
	}
	return string(e.Reason)
}

// URL is the page of what earned the entry, "" when it has none to show
// (its parent is hidden, or it was a correction).
func (e *Entry) URL() string {
	if e.Title == "" {
		return ""
	}
	switch e.SourceKind {
	case KindPost:
		return forum.PostURL(e.ParentID, &forum.Post{ID: e.SourceID, Position: e.Position})
	case KindComment:
		return "/ideas/" + e.ParentID + "#comment-" + e.SourceID
	case KindReview:
		if e.Reason == ReasonReviewDeleted {
			return "/products/" + e.ProductSlug
		}
		return "/products/" + e.ProductSlug + "#review-" + e.SourceID
	case KindIdea:
		return "/ideas/" + e.SourceID
	}
	return ""
}

// URL is the page of an activity item.
func (a *Activity) URL() string {
	switch a.Kind {
	case TabThreads:
		return "/t/" + a.ID
	case TabReplies, TabAnswers:
		return forum.PostURL(a.ParentID, &forum.Post{ID: a.ID, Position: a.Position})
	case TabIdeas:
		return "/ideas/" + a.ID
	case TabReviews:
		return "/products/" + a.Slug + "#review-" + a.ID
	}
	return ""
}

// profileAndBadges reads a person's profile and the badges they hold.
func (s *Service) profileAndBadges(ctx context.Context, userID string) (*Profile, []*Award, error) {
	p, err := s.store.Profile(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	awards, err := s.store.UserBadges(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	return p, awards, nil
}
