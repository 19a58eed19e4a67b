// Package slug turns human names into URL- and mention-safe identifiers.
// Forum categories, products and user handles all derive theirs here, so
// "Lucía's Café" reads the same everywhere: lucia-s-cafe.
package slug

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Make lowercases name, folds accents (é → e), keeps ASCII letters and
// digits, turns every other run of characters into one dash, trims dashes
// and cuts the result to at most max bytes. It returns "" when nothing is
// left (a name in a non-Latin script); callers choose their fallback.
func Make(name string, max int) string {
	// Decompose accented letters (í → i + ◌́) and drop the marks.
	if folded, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn))), name); err == nil {
		name = folded
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > max {
		s = strings.Trim(s[:max], "-")
	}
	return s
}
