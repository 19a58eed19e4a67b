package account

import "github.com/townhall/townhall"

// The account rules' errors; backends return the same values.
var (
	// ErrUserNotFound is auth's: the same words, so errors.Is matches either.
	ErrUserNotFound = townhall.Errorf(townhall.ENOTFOUND, "User not found.")
	// ErrUnknownKind is a record kind that is not one of Kinds.
	ErrUnknownKind = townhall.Errorf(townhall.EINVALID, "Unknown kind of account record.")
)
