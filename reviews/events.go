package reviews

import (
	"context"
	"fmt"

	"github.com/townhall/townhall"
)

// The reviews' webhook events, emitted after their writes.

func eventData(p *Product, r *Review) map[string]any {
	d := map[string]any{
		"review": map[string]any{"id": r.ID, "url": r.URL(p), "rating": r.Rating, "title": r.Title, "body": r.Body,
			"body_html": string(r.BodyHTML), "verified": r.Verified, "created_at": r.CreatedAt,
			"author": map[string]any{"id": r.AuthorID, "name": r.AuthorName}},
		"product": map[string]any{"id": p.ID, "slug": p.Slug, "name": p.Name, "url": p.URL(),
			"rating": map[string]any{"average": p.Rating.Average(), "count": p.Rating.Count}},
	}
	if r.Response != nil {
		d["response"] = map[string]any{"body": r.Response.Body, "body_html": string(r.Response.BodyHTML), "author_id": r.Response.AuthorID,
			"created_at": r.Response.CreatedAt}
	}
	return d
}

func (s *Service) emitReviewCreated(ctx context.Context, actor *townhall.User, p *Product, r *Review) {
	townhall.Emit(ctx, s.Events, townhall.Event{Type: townhall.EventReviewCreated, At: r.CreatedAt, Actor: actor, URL: r.URL(p),
		Summary: fmt.Sprintf("%s rated %s %d/5: %s", actor.Name, p.Name, r.Rating, r.Title), Data: eventData(p, r)})
}

func (s *Service) emitReviewResponded(ctx context.Context, actor *townhall.User, p *Product, r *Review) {
	townhall.Emit(ctx, s.Events, townhall.Event{Type: townhall.EventReviewResponded, At: s.now(), Actor: actor, URL: r.URL(p),
		Summary: fmt.Sprintf("%s responded to %s's review of %s", actor.Name, r.AuthorName, p.Name), Data: eventData(p, r)})
}
