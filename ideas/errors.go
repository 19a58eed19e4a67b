package ideas

import "github.com/townhall/townhall"

// The ideas rules' errors. Rules a backend checks inside its atomic step
// (merged, hidden) return these same values, so every backend says the same
// words and callers can test for them with errors.Is.
var (
	ErrNotFound            = townhall.Errorf(townhall.ENOTFOUND, "Idea not found.")
	ErrMergeTargetNotFound = townhall.Errorf(townhall.ENOTFOUND, "The idea to merge into was not found.")
	ErrCommentNotFound     = townhall.Errorf(townhall.ENOTFOUND, "Comment not found.")
	ErrMerged              = townhall.Errorf(townhall.ECONFLICT, "This idea was merged into another idea; vote and comment there.")
	ErrMergedModerate      = townhall.Errorf(townhall.ECONFLICT, "This idea was merged into another idea; moderate that one.")
	ErrAlreadyMerged       = townhall.Errorf(townhall.ECONFLICT, "This idea was already merged into another idea.")
	ErrHidden              = townhall.Errorf(townhall.ECONFLICT, "This idea is hidden by a moderator; unhide it first.")
	ErrHiddenMerge         = townhall.Errorf(townhall.ECONFLICT, "Hidden ideas cannot be merged; unhide it first.")
	ErrUnhiddenMeanwhile   = townhall.Errorf(townhall.ECONFLICT, "The idea was unhidden meanwhile; try again.")
	ErrCommentDeleted      = townhall.Errorf(townhall.ECONFLICT, "This comment was deleted.")
	ErrHeld                = townhall.Errorf(townhall.ECONFLICT, "This idea is waiting for review; it takes comments once a moderator publishes it.")
)

// ErrTargetMerged says the idea to merge into (titled title) was itself
// merged, so the merge should go to where it went.
func ErrTargetMerged(title string) *townhall.Error {
	return townhall.Errorf(townhall.ECONFLICT, "“%s” was itself merged into another idea; merge into that one.", title)
}
