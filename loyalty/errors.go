package loyalty

import "github.com/townhall/townhall"

// The loyalty rules' errors. Rules a backend checks inside its atomic step
// (your own content, a hidden target) return these same values, so every
// backend says the same words and callers can test for them with errors.Is.
var (
	ErrPostNotFound    = townhall.Errorf(townhall.ENOTFOUND, "Post not found.")
	ErrCommentNotFound = townhall.Errorf(townhall.ENOTFOUND, "Comment not found.")
	ErrOwnContent      = townhall.Errorf(townhall.EFORBIDDEN, "You can't like your own post or comment.")
	ErrUserNotFound    = townhall.Errorf(townhall.ENOTFOUND, "There is no member with that name.")
	ErrBadgeNotFound   = townhall.Errorf(townhall.ENOTFOUND, "There is no such badge.")
	ErrBadgeNotHeld    = townhall.Errorf(townhall.EINVALID, "Badge: you can only highlight a badge you hold.")
	ErrNotGranted      = townhall.Errorf(townhall.EINVALID, "Badge: only the Champion badge is granted by admins; the others are earned.")
)
