package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/jobs"
	"github.com/townhall/townhall/moderation"
	"github.com/townhall/townhall/reviews"
	"github.com/townhall/townhall/settings"
)

// content is moderation's view of the content services: each kind of
// flaggable item mapped to the service that owns it, so every hide,
// publish and delete goes through that service's own rules.
type content struct {
	forum   *forum.Service
	ideas   *ideas.Service
	reviews *reviews.Service
}

var _ moderation.Content = (*content)(nil)

func unknownKind(kind string) error {
	return townhall.Errorf(townhall.EINVALID, "Unknown kind %q.", kind)
}

// Item implements moderation.Content.
func (c *content) Item(ctx context.Context, actor *townhall.User, kind, id string) (*moderation.Item, error) {
	switch kind {
	case moderation.KindThread:
		t, first, err := c.forum.Opening(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		return &moderation.Item{Kind: kind, ID: t.ID, Title: t.Title, HTML: first.HTML, AuthorID: t.AuthorID, URL: t.URL(),
			CreatedAt: t.CreatedAt, Hidden: t.Hidden}, nil
	case moderation.KindPost:
		p, t, err := c.forum.Post(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		return &moderation.Item{Kind: kind, ID: p.ID, Title: t.Title, HTML: p.HTML, AuthorID: p.AuthorID, URL: forum.PostURL(t.ID, p),
			CreatedAt: p.CreatedAt, Hidden: p.Hidden || t.Hidden}, nil
	case moderation.KindIdea:
		i, err := c.ideas.Idea(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		return &moderation.Item{Kind: kind, ID: i.ID, Title: i.Title, HTML: i.BodyHTML, AuthorID: i.AuthorID, URL: i.URL(),
			CreatedAt: i.CreatedAt, Hidden: i.Hidden != nil}, nil
	case moderation.KindComment:
		cm, err := c.ideas.CommentByID(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		if cm.Deleted {
			return nil, ideas.ErrCommentNotFound
		}
		i, err := c.ideas.Idea(ctx, actor, cm.IdeaID)
		if err != nil {
			return nil, err
		}
		return &moderation.Item{Kind: kind, ID: cm.ID, Title: i.Title, HTML: cm.BodyHTML, AuthorID: cm.AuthorID,
			URL: i.URL() + "#comment-" + cm.ID, CreatedAt: cm.CreatedAt, Hidden: cm.Hidden != nil || i.Hidden != nil}, nil
	case moderation.KindReview:
		r, err := c.reviews.Review(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		p, err := c.reviews.Product(ctx, r.ProductID)
		if err != nil {
			return nil, err
		}
		title := p.Name
		if r.Title != "" {
			title = p.Name + ": " + r.Title
		}
		return &moderation.Item{Kind: kind, ID: r.ID, Title: title, HTML: r.BodyHTML, AuthorID: r.AuthorID, URL: r.URL(p),
			CreatedAt: r.CreatedAt, Hidden: r.Hidden != nil}, nil
	}
	return nil, unknownKind(kind)
}

// SetHidden implements moderation.Content.
func (c *content) SetHidden(ctx context.Context, actor *townhall.User, kind, id string, hidden bool, reason string) error {
	var err error
	switch kind {
	case moderation.KindThread:
		_, err = c.forum.Set(ctx, actor, id, forum.Hide, hidden)
	case moderation.KindPost:
		_, err = c.forum.HidePost(ctx, actor, id, hidden)
	case moderation.KindIdea:
		_, err = c.ideas.SetIdeaHidden(ctx, actor, id, hidden, reason)
	case moderation.KindComment:
		_, err = c.ideas.SetCommentHidden(ctx, actor, id, hidden, reason)
	case moderation.KindReview:
		_, err = c.reviews.SetHidden(ctx, actor, id, hidden, reason)
	default:
		err = unknownKind(kind)
	}
	return err
}

// Publish implements moderation.Content.
func (c *content) Publish(ctx context.Context, actor, author *townhall.User, kind, id string) error {
	var err error
	switch kind {
	case moderation.KindThread:
		_, err = c.forum.Publish(ctx, actor, author, id)
	case moderation.KindIdea:
		_, err = c.ideas.Publish(ctx, actor, author, id)
	case moderation.KindReview:
		_, err = c.reviews.Publish(ctx, actor, author, id)
	default:
		err = c.SetHidden(ctx, actor, kind, id, false, "")
	}
	return err
}

// Delete implements moderation.Content.
func (c *content) Delete(ctx context.Context, actor *townhall.User, kind, id string) error {
	var err error
	switch kind {
	case moderation.KindComment:
		_, err = c.ideas.DeleteComment(ctx, actor, id)
	case moderation.KindReview:
		_, err = c.reviews.DeleteReview(ctx, actor, id)
	default:
		err = townhall.Errorf(townhall.EINVALID, "A %s cannot be deleted, only hidden.", kind)
	}
	return err
}

// TrustQueue is the background queue that recomputes every trust level
// after an admin changes what the levels require, a page of people per job.
const TrustQueue = "trust"

const trustPage = 200

type trustPass struct {
	Run   int64  `json:"run"`   // the change it follows, so a later change starts its own pass
	After string `json:"after"` // the last user of the previous page
}

// enqueueTrustPass starts a pass over every user (the first page's job).
func (a *App) enqueueTrustPass(ctx context.Context, run int64, after string) error {
	payload, err := json.Marshal(trustPass{Run: run, After: after})
	if err != nil {
		return err
	}
	_, err = a.Jobs.Enqueue(ctx, &jobs.Job{Key: fmt.Sprintf("trust:%d:%s", run, after), Queue: TrustQueue, Payload: payload})
	return err
}

// runTrustPass recomputes one page of trust levels and enqueues the next
// page, so no job outlives its lease however many people there are.
func (a *App) runTrustPass(ctx context.Context, j *jobs.Job) error {
	var p trustPass
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(err)
	}
	users, err := a.DB.Users(ctx, p.After, trustPage)
	if err != nil {
		return err
	}
	for _, u := range users {
		if _, err := a.Moderation.RefreshTrust(ctx, u.ID); err != nil {
			return err
		}
	}
	if len(users) == trustPage {
		return a.enqueueTrustPass(ctx, p.Run, users[len(users)-1].ID)
	}
	return nil
}

// wireModeration builds trust and safety into the app: the content
// services screen writes through it, it acts on them through content,
// and a change of trust requirements recomputes every level in the
// background.
func (a *App) wireModeration() {
	a.Moderation = moderation.NewService(a.DB, moderation.Deps{Users: a.Auth, Settings: a.Settings, Notify: a.Notify,
		StaffLog: a.StaffLog, Logger: a.Config.Logger, Location: a.Location})
	a.Moderation.SetContent(&content{forum: a.Forum, ideas: a.Ideas, reviews: a.Reviews})
	a.Moderation.Events = a.Webhooks
	a.Forum.SetGate(a.Moderation)
	a.Ideas.SetGate(a.Moderation)
	a.Reviews.SetGate(a.Moderation)
	a.Settings.StaffLog = a.StaffLog
	a.Settings.OnChange = func(ctx context.Context, before, after settings.Site) {
		if before.TrustLevels == after.TrustLevels {
			return
		}
		if err := a.enqueueTrustPass(context.WithoutCancel(ctx), time.Now().UnixMilli(), ""); err != nil {
			a.Config.Logger.Warn("starting the trust level pass", "err", err)
		}
	}
	a.Jobs.Register(jobs.Queue{Name: TrustQueue, Handle: a.runTrustPass, MaxAge: 24 * time.Hour})
}
