package reviews

import "github.com/townhall/townhall"

// The reviews rules' errors. Rules a backend checks inside its atomic step
// (one review per person, an archived product, a taken slug) return these
// same values, so every backend says the same words and callers can test for
// them with errors.Is.
var (
	ErrProductNotFound = townhall.Errorf(townhall.ENOTFOUND, "Product not found.")
	ErrReviewNotFound  = townhall.Errorf(townhall.ENOTFOUND, "Review not found.")
	ErrAlreadyReviewed = townhall.Errorf(townhall.ECONFLICT, "You have already reviewed this product. Edit your review instead.")
	ErrHidden          = townhall.Errorf(townhall.ECONFLICT, "This review is hidden; unhide it first.")
)

// ErrArchived says the product called name no longer takes reviews.
func ErrArchived(name string) *townhall.Error {
	return townhall.Errorf(townhall.ECONFLICT, "%s is archived and no longer takes reviews.", name)
}

// ErrSlugTaken says another product already uses slug.
func ErrSlugTaken(slug string) *townhall.Error {
	return townhall.Errorf(townhall.ECONFLICT, "Another product already uses the slug %q.", slug)
}
