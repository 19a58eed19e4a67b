package auth

import "github.com/townhall/townhall"

// The accounts rules' errors. Rules a backend checks inside its atomic step
// (the last admin, unique segment names) return these same values, so every
// backend says the same words and callers can test for them with errors.Is.
var (
	ErrUserNotFound    = townhall.Errorf(townhall.ENOTFOUND, "User not found.")
	ErrSegmentNotFound = townhall.Errorf(townhall.ENOTFOUND, "Segment not found.")
	ErrSessionNotFound = townhall.Errorf(townhall.ENOTFOUND, "Session not found.")
	ErrLastAdmin       = townhall.Errorf(townhall.ECONFLICT, "This is the only admin. Make someone else admin first.")
	// ErrUserDeleted refuses changing what a deleted account no longer has.
	ErrUserDeleted = townhall.Errorf(townhall.ECONFLICT, "This account was deleted; its role, segment and verified mark can no longer change.")
	// ErrAccountDeleted is a sign-in whose account its owner deleted: it
	// may start a new, empty account once the person confirms (Fresh).
	ErrAccountDeleted = townhall.Errorf(townhall.ECONFLICT, "You deleted the account of this sign-in. Its posts stay credited to “Deleted user” and cannot be reclaimed; you can start a new, empty account instead.")
	// ErrAccountRemoved is a sign-in whose account an admin deleted: it
	// cannot sign in again.
	ErrAccountRemoved = townhall.Errorf(townhall.EFORBIDDEN, "The account of this sign-in was deleted by the site's staff, so it cannot sign in here again. Contact the site's team if you think this is a mistake.")
)

// ErrSegmentNameTaken says another segment is already called name.
func ErrSegmentNameTaken(name string) *townhall.Error {
	return townhall.Errorf(townhall.ECONFLICT, "A segment named %q already exists.", name)
}
