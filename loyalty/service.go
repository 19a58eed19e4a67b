package loyalty

import (
	"context"
	"fmt"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/settings"
)

// Categories finds forum categories; forum.Service implements it.
type Categories interface {
	Categories(ctx context.Context) ([]*forum.Category, error)
	Category(ctx context.Context, ref string) (*forum.Category, error)
}

// Site reads the run-time site settings; settings.Service implements it.
type Site interface {
	Get(ctx context.Context) (settings.Site, error)
}

// Config is what a Service is built from. Store and Users are required;
// the others may be nil (no notifications, no category leaderboards, the
// default settings, no staff log).
type Config struct {
	Store      Store
	Users      Users
	Categories Categories
	Settings   Site
	Notify     Notifier
	StaffLog   townhall.StaffLog
	// Location is the site's time zone, where a day of likes begins; nil is UTC.
	Location *time.Location
}

// Service is loyalty's rules in front of the Store.
type Service struct {
	store    Store
	users    Users
	cats     Categories
	site     Site
	notify   Notifier
	staffLog townhall.StaffLog
	loc      *time.Location
	now      clock
	// OnNotifyError is told about notifications that could not be
	// delivered after a successful write; nil ignores them.
	OnNotifyError func(error)
}

// NewService returns a Service.
func NewService(c Config) *Service {
	if c.Location == nil {
		c.Location = time.UTC
	}
	return &Service{store: c.Store, users: c.Users, cats: c.Categories, site: c.Settings, notify: c.Notify,
		staffLog: c.StaffLog, loc: c.Location, now: time.Now}
}

// SetClock replaces the clock; tests use it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func notFoundOf(kind string) error {
	if kind == KindComment {
		return ErrCommentNotFound
	}
	return ErrPostNotFound
}

// Like likes (on) or unlikes a forum post (KindPost) or an idea comment
// (KindComment) for actor. Liking twice, or unliking what you do not
// like, changes nothing. Hidden, deleted and missing content is
// ErrPostNotFound or ErrCommentNotFound; your own is ErrOwnContent. The
// author is told about a new like.
func (s *Service) Like(ctx context.Context, actor *townhall.User, kind, id string, on bool) (*LikeResult, error) {
	if err := townhall.SignedIn(actor, "like posts"); err != nil {
		return nil, err
	}
	if kind != KindPost && kind != KindComment {
		return nil, townhall.Errorf(townhall.EINVALID, "Only posts and comments can be liked.")
	}
	if !townhall.ValidID(id) {
		return nil, notFoundOf(kind)
	}
	var res LikeResult
	var err error
	if on {
		l := &Like{ID: townhall.NewID(), Kind: kind, TargetID: id, UserID: actor.ID, At: s.now().UTC().Truncate(time.Millisecond)}
		res, err = s.store.Like(ctx, l)
	} else {
		res, err = s.store.Unlike(ctx, kind, id, actor.ID)
	}
	if err != nil {
		return nil, err
	}
	if on && res.Changed {
		s.tell(ctx, actor.ID, []string{res.Target.AuthorID}, "like", likeText(actor, &res.Target), TargetURL(&res.Target))
	}
	return &res, nil
}

func likeText(actor *townhall.User, t *Target) string {
	switch {
	case t.Kind == KindComment:
		return fmt.Sprintf("%s liked your comment on “%s”", actor.Name, t.ParentTitle)
	case t.Position == 0:
		return fmt.Sprintf("%s liked your post “%s”", actor.Name, t.ParentTitle)
	}
	return fmt.Sprintf("%s liked your reply in “%s”", actor.Name, t.ParentTitle)
}

// TargetURL is the page and anchor of a liked post or comment.
func TargetURL(t *Target) string {
	if t.Kind == KindComment {
		return "/ideas/" + t.ParentID + "#comment-" + t.ID
	}
	return forum.PostURL(t.ParentID, &forum.Post{ID: t.ID, Position: t.Position})
}

// Liked reports which of ids (posts or comments) actor likes; an
// anonymous reader likes none.
func (s *Service) Liked(ctx context.Context, actor *townhall.User, ids []string) (map[string]bool, error) {
	if actor == nil || len(ids) == 0 {
		return map[string]bool{}, nil
	}
	return s.store.LikedBy(ctx, actor.ID, ids)
}

// tell sends a notification after a write succeeded; failures are
// reported, never returned, because the write itself stands.
func (s *Service) tell(ctx context.Context, actorID string, to []string, kind, text, url string) {
	if s.notify == nil || len(to) == 0 {
		return
	}
	if err := s.notify.Notify(ctx, actorID, to, kind, text, url); err != nil && s.OnNotifyError != nil {
		s.OnNotifyError(err)
	}
}
