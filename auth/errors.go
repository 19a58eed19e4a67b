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
)

// ErrSegmentNameTaken says another segment is already called name.
func ErrSegmentNameTaken(name string) *townhall.Error {
	return townhall.Errorf(townhall.ECONFLICT, "A segment named %q already exists.", name)
}
