package tokens

import "github.com/townhall/townhall"

// The token rules' errors. Both backends return ErrNotFound, so callers
// can test for it with errors.Is.
var (
	ErrNotFound = townhall.Errorf(townhall.ENOTFOUND, "API token not found.")
	// ErrInvalid answers a bearer token nobody issued (or a malformed one).
	ErrInvalid = townhall.Errorf(townhall.EUNAUTHORIZED, "The API token is not valid. Check that you copied all of it, or create a new one at /settings/tokens.")
	ErrRevoked = townhall.Errorf(townhall.EUNAUTHORIZED, "This API token was revoked. Create a new one at /settings/tokens.")
	ErrExpired = townhall.Errorf(townhall.EUNAUTHORIZED, "This API token has expired. Create a new one at /settings/tokens.")
	// ErrBadHeader answers an Authorization header that is not "Bearer TOKEN".
	ErrBadHeader = townhall.Errorf(townhall.EUNAUTHORIZED, "Send the API token as \"Authorization: Bearer TOKEN\".")
)

// ErrScope says the token lacks the scope a request needs.
func ErrScope(scope string) *townhall.Error {
	return townhall.Errorf(townhall.EFORBIDDEN, "This API token does not have the %s scope this request needs.", scope)
}
