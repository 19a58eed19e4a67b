package reviews

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/slug"
)

// Slugify derives a URL slug from a product name: ASCII letters and digits,
// single dashes between words, at most MaxSlug characters, never empty.
func Slugify(name string) string {
	s := slug.Make(name, MaxSlug)
	if s == "" {
		s = "product"
	} else if reservedSlugs[s] {
		s = "product-" + s
	}
	return s
}

// reservedSlugs would shadow product pages' sibling routes.
var reservedSlugs = map[string]bool{"new": true}

// ValidSlug reports whether s can be a product slug.
func ValidSlug(s string) bool {
	if s == "" || len(s) > MaxSlug || reservedSlugs[s] || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// cleanImageURL accepts "" (no image) or an absolute https URL: pages load
// it on every view, so plain http would be mixed content and other schemes
// could be dangerous.
func cleanImageURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	bad := townhall.Errorf(townhall.EINVALID, "Image URL must be a full https:// address of an image, like https://example.com/product.png.")
	if !utf8.ValidString(raw) || len(raw) > MaxImageURL || strings.ContainsAny(raw, " \t\r\n\"'<>\\") {
		return "", bad
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Opaque != "" || u.Hostname() == "" {
		return "", bad
	}
	return u.String(), nil
}

// Cursors are opaque to clients: the sort key and id of the last item.

func encodeReviewCursor(sort string, r *Review) string {
	switch sort {
	case SortHelpful:
		return strconv.Itoa(r.Helpful) + "-" + r.ID
	case SortHighest, SortLowest:
		return strconv.Itoa(r.Rating) + "-" + r.ID
	}
	return r.ID
}

func decodeReviewCursor(s string) (Cursor, bool) {
	key, id, found := strings.Cut(s, "-")
	if !found {
		return Cursor{ID: s}, townhall.ValidID(s)
	}
	n, err := strconv.Atoi(key)
	if err != nil || n < 0 || !townhall.ValidID(id) {
		return Cursor{}, false
	}
	return Cursor{Key: n, ID: id}, true
}

func encodeProductCursor(name, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(name)) + "." + id
}

func decodeProductCursor(s string) (name, id string, ok bool) {
	enc, id, found := strings.Cut(s, ".")
	b, err := base64.RawURLEncoding.DecodeString(enc)
	if !found || err != nil || !townhall.ValidID(id) || !utf8.Valid(b) {
		return "", "", false
	}
	return string(b), id, true
}
