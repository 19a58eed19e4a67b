package forum

import (
	"context"
	"fmt"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/markdown"
)

// The forum's webhook events. Each is emitted after its write, and only
// for what everyone can see: nothing happens in a hidden thread.

func threadData(t *Thread, cat *Category) map[string]any {
	d := map[string]any{"id": t.ID, "title": t.Title, "url": t.URL(), "created_at": t.CreatedAt, "replies": t.Replies, "solved": t.Solved(),
		"category": map[string]any{"id": t.CategoryID, "slug": t.CategorySlug, "url": "/c/" + t.CategorySlug}}
	if cat != nil {
		d["category"].(map[string]any)["name"] = cat.Name
	}
	return d
}

func postData(t *Thread, p *Post) map[string]any {
	return map[string]any{"id": p.ID, "thread_id": t.ID, "position": p.Position, "url": PostURL(t.ID, p), "body": p.Source,
		"body_html": string(p.HTML), "created_at": p.CreatedAt,
		"author": map[string]any{"id": p.AuthorID, "name": p.AuthorName, "handle": p.AuthorHandle, "url": "/u/" + p.AuthorHandle}}
}

func (s *Service) emitThreadCreated(ctx context.Context, actor *townhall.User, t *Thread, cat *Category, first *Post) {
	townhall.Emit(ctx, s.Events, townhall.Event{Type: townhall.EventThreadCreated, At: t.CreatedAt, Actor: actor, URL: t.URL(),
		Summary: fmt.Sprintf("%s started “%s” in %s", actor.Name, t.Title, cat.Name),
		Data:    map[string]any{"thread": threadData(t, cat), "post": postData(t, first)}})
}

func (s *Service) emitPostCreated(ctx context.Context, actor *townhall.User, t *Thread, p *Post) {
	if t.Hidden {
		return
	}
	townhall.Emit(ctx, s.Events, townhall.Event{Type: townhall.EventPostCreated, At: p.CreatedAt, Actor: actor, URL: PostURL(t.ID, p),
		Summary: fmt.Sprintf("%s replied in “%s”: %s", actor.Name, t.Title, markdown.Excerpt(p.Source, 120)),
		Data:    map[string]any{"thread": threadData(t, nil), "post": postData(t, p)}})
}

func (s *Service) emitAnswerAccepted(ctx context.Context, actor *townhall.User, t *Thread, answer *Post) {
	if t.Hidden {
		return
	}
	townhall.Emit(ctx, s.Events, townhall.Event{Type: townhall.EventAnswerAccepted, At: s.now(), Actor: actor, URL: PostURL(t.ID, answer),
		Summary: fmt.Sprintf("%s's reply was accepted as the answer to “%s”", answer.AuthorName, t.Title),
		Data:    map[string]any{"thread": threadData(t, nil), "answer": postData(t, answer)}})
}
