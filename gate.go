package townhall

import "context"

// Gate screens what people write before a content service stores it, and
// hears about what counts toward their trust level. The forum, idea and
// review services each take one; moderation.Service implements it. A nil
// Gate lets everything through (ScreenWith, NoteActivity, IsHeld).
type Gate interface {
	// Screen refuses what actor may not post now (silenced, too many
	// links for their trust level). For new content (id set; an edit
	// passes "") it also says whether to store it hidden, held for
	// review.
	Screen(ctx context.Context, actor *User, kind, id, text string) (hold bool, err error)
	// Held reports whether kind/id is hidden waiting for review.
	Held(ctx context.Context, kind, id string) bool
	// Activity says something counting toward userID's trust level
	// happened (they posted, had an answer accepted).
	Activity(ctx context.Context, userID string)
}

// ScreenWith asks g about actor's text; a nil g holds nothing and refuses
// nothing.
func ScreenWith(ctx context.Context, g Gate, actor *User, kind, id, text string) (bool, error) {
	if g == nil {
		return false, nil
	}
	return g.Screen(ctx, actor, kind, id, text)
}

// NoteActivity tells g, when set, that userID's trust-level inputs changed.
func NoteActivity(ctx context.Context, g Gate, userID string) {
	if g != nil {
		g.Activity(ctx, userID)
	}
}

// IsHeld asks g, when set, whether kind/id is held for review.
func IsHeld(ctx context.Context, g Gate, kind, id string) bool {
	return g != nil && g.Held(ctx, kind, id)
}
