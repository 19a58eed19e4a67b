package moderation

import "github.com/townhall/townhall"

// The moderation rules' errors. Rules a backend checks inside its atomic
// step (one flag per person and item, a case decided once) return these
// same values, so every backend says the same words.
var (
	ErrAlreadyFlagged = townhall.Errorf(townhall.ECONFLICT, "You have already flagged this. A moderator will look at it.")
	ErrCaseNotFound   = townhall.Errorf(townhall.ENOTFOUND, "That item is not in the review queue.")
	ErrNoOpenCase     = townhall.Errorf(townhall.ECONFLICT, "This item was already handled; it is no longer waiting for review.")
	ErrItemNotFound   = townhall.Errorf(townhall.ENOTFOUND, "We couldn't find that item. It may have been removed.")
	ErrOwnContent     = townhall.Errorf(townhall.EFORBIDDEN, "You can't flag what you wrote yourself. Edit or delete it instead.")
	ErrUserNotFound   = townhall.Errorf(townhall.ENOTFOUND, "User not found.")
	ErrStaffSanction  = townhall.Errorf(townhall.EFORBIDDEN, "Staff cannot be silenced or suspended; change their role first.")
	ErrSelfSanction   = townhall.Errorf(townhall.EFORBIDDEN, "You can't silence or suspend yourself.")
)
