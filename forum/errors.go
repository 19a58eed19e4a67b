package forum

import "github.com/townhall/townhall"

// The forum rules' errors. Rules a backend checks inside its atomic step (a
// locked thread, a taken slug) return these same values, so every backend
// says the same words and callers can test for them with errors.Is.
var (
	ErrCategoryNotFound = townhall.Errorf(townhall.ENOTFOUND, "Category not found.")
	ErrThreadNotFound   = townhall.Errorf(townhall.ENOTFOUND, "Thread not found.")
	ErrPostNotFound     = townhall.Errorf(townhall.ENOTFOUND, "Post not found.")
	ErrLocked           = townhall.Errorf(townhall.ECONFLICT, "This thread is locked; it takes no new replies.")
	ErrQuestionAnswer   = townhall.Errorf(townhall.ECONFLICT, "The question itself cannot be its answer; accept a reply.")
	ErrReplyPosted      = townhall.Errorf(townhall.ECONFLICT, "This reply was already posted.")
	ErrHeld             = townhall.Errorf(townhall.ECONFLICT, "This thread is waiting for review; it takes replies once a moderator publishes it.")
)

// ErrSlugTaken says another category already uses slug.
func ErrSlugTaken(slug string) *townhall.Error {
	return townhall.Errorf(townhall.ECONFLICT, "The slug %q is already used by another category.", slug)
}
