package forum

import (
	"context"
	"slices"

	"github.com/townhall/townhall"
)

// RecentReplies returns a thread actor may see and its newest visible
// replies (from the last n positions), newest first: what a thread's feed
// shows.
func (s *Service) RecentReplies(ctx context.Context, actor *townhall.User, id string, n int) (*Thread, []*Post, error) {
	t, err := s.visibleThread(ctx, actor, id)
	if err != nil {
		return nil, nil, err
	}
	if t.Posts <= 1 {
		return t, nil, nil
	}
	posts, err := s.store.ForumPosts(ctx, t.ID, max(1, t.Posts-n), t.Posts-1)
	if err != nil {
		return nil, nil, err
	}
	posts = slices.DeleteFunc(posts, func(p *Post) bool { return p.Hidden && !isMod(actor) })
	slices.Reverse(posts)
	return t, posts, nil
}

// FirstPost returns a thread's first post (the question, for feeds).
func (s *Service) FirstPost(ctx context.Context, t *Thread) (*Post, error) {
	posts, err := s.store.ForumPosts(ctx, t.ID, 0, 0)
	if err != nil || len(posts) == 0 {
		return nil, err
	}
	return posts[0], nil
}
