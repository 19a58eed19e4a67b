package ideas

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/townhall/townhall"
)

// NormalizeTags cleans tags as people type them ("Mobile App, API"):
// lowercase, inner spaces become dashes, duplicates dropped. At most MaxTags
// tags of at most MaxTag characters each, made of letters, digits and - _ . + #.
func NormalizeTags(in []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, raw := range in {
		for _, part := range strings.Split(raw, ",") {
			t, err := townhall.CleanText("Tag", part, 0, 200)
			if err != nil {
				return nil, err
			}
			t = strings.Join(strings.Fields(strings.ToLower(strings.TrimPrefix(t, "#"))), "-")
			if t == "" || seen[t] {
				continue
			}
			if n := utf8.RuneCountInString(t); n > MaxTag {
				return nil, townhall.Errorf(townhall.EINVALID, "Tag %q is too long: at most %d characters (it has %d).", t, MaxTag, n)
			}
			for _, r := range t {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_.+#", r) {
					return nil, townhall.Errorf(townhall.EINVALID, "Tag %q may only hold letters, digits and - _ . + #.", t)
				}
			}
			seen[t] = true
			out = append(out, t)
		}
	}
	if len(out) > MaxTags {
		return nil, townhall.Errorf(townhall.EINVALID, "Tags: at most %d tags (there are %d).", MaxTags, len(out))
	}
	return out, nil
}

// stopWords are too common to say two titles are alike.
var stopWords = map[string]bool{
	"the": true, "and": true, "for": true, "with": true, "you": true, "your": true, "are": true,
	"can": true, "not": true, "from": true, "that": true, "this": true, "have": true, "add": true,
	"allow": true, "support": true, "option": true, "please": true, "would": true, "able": true,
	"when": true, "into": true, "all": true, "use": true, "should": true, "make": true,
}

// TitleWords splits a title into the distinct lowercase words the similar
// ideas lookup matches on: letters and digits, three or more characters,
// without common words.
func TitleWords(title string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(title), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if utf8.RuneCountInString(w) < 3 || stopWords[w] || seen[w] || len(w) > 60 {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}

// splitQuery turns what someone is typing into whole words and the last,
// possibly unfinished word (a prefix), when the text does not end in a space.
func splitQuery(q string) (words []string, prefix string) {
	words = TitleWords(q)
	if q == "" || !unicode.IsLetter(lastRune(q)) && !unicode.IsDigit(lastRune(q)) || len(words) == 0 {
		return words, ""
	}
	last := words[len(words)-1]
	if strings.HasSuffix(strings.ToLower(q), last) {
		return words[:len(words)-1], last
	}
	return words, ""
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}
