package ideas

import (
	"context"
	"fmt"

	"github.com/townhall/townhall"
)

// The idea board's webhook events, emitted after their writes. Hidden
// ideas take no status changes or merges, so every event is about an
// idea everyone can see.

// EventData is how events describe an idea.
func EventData(i *Idea) map[string]any {
	d := map[string]any{"id": i.ID, "title": i.Title, "url": i.URL(), "body": i.Body, "body_html": string(i.BodyHTML), "tags": i.Tags,
		"status": string(i.Status), "votes": i.Votes, "comments": i.Comments, "created_at": i.CreatedAt,
		"author": map[string]any{"id": i.AuthorID, "name": i.AuthorName}}
	if i.Response != nil {
		d["response"] = map[string]any{"body": i.Response.Body, "body_html": string(i.Response.BodyHTML), "at": i.Response.At}
	}
	return d
}

func (s *Service) emit(ctx context.Context, e townhall.Event) { townhall.Emit(ctx, s.Events, e) }

func (s *Service) emitCreated(ctx context.Context, actor *townhall.User, i *Idea) {
	s.emit(ctx, townhall.Event{Type: townhall.EventIdeaCreated, At: i.CreatedAt, Actor: actor, URL: i.URL(),
		Summary: fmt.Sprintf("%s proposed “%s”", actor.Name, i.Title), Data: map[string]any{"idea": EventData(i)}})
}

func (s *Service) emitStatusChanged(ctx context.Context, actor *townhall.User, i *Idea, ch *StatusChange) {
	s.emit(ctx, townhall.Event{Type: townhall.EventIdeaStatusChanged, At: ch.At, Actor: actor, URL: i.URL(),
		Summary: fmt.Sprintf("“%s” moved from %s to %s", i.Title, ch.From.Label(), ch.To.Label()),
		Data: map[string]any{"idea": EventData(i), "from": string(ch.From), "to": string(ch.To), "reason": ch.Reason,
			"response": ch.Response}})
}

func (s *Service) emitMerged(ctx context.Context, actor *townhall.User, dup, into *Idea) {
	s.emit(ctx, townhall.Event{Type: townhall.EventIdeaMerged, At: s.now(), Actor: actor, URL: into.URL(),
		Summary: fmt.Sprintf("“%s” was merged into “%s”", dup.Title, into.Title),
		Data:    map[string]any{"idea": EventData(dup), "into": EventData(into)}})
}
