package reviews

import (
	"strings"
	"testing"

	"github.com/townhall/townhall"
)

func TestSlugify(t *testing.T) {
	for name, want := range map[string]string{
		"Acme Router X2":          "acme-router-x2",
		"  --Hello,   World!-- ":  "hello-world",
		"日本":                      "product",
		"New":                     "product-new",
		strings.Repeat("ab ", 40): strings.TrimRight(strings.Repeat("ab-", 20), "-"),
	} {
		got := Slugify(name)
		if got != want || !ValidSlug(got) {
			t.Errorf("Slugify(%q) = %q (valid %v), want %q", name, got, ValidSlug(got), want)
		}
	}
	for _, bad := range []string{"", "new", "-a", "a-", "a--b", "A", "a b", "é", strings.Repeat("a", MaxSlug+1)} {
		if ValidSlug(bad) {
			t.Errorf("ValidSlug(%q) = true", bad)
		}
	}
}

func TestCleanImageURL(t *testing.T) {
	for raw, want := range map[string]string{
		"":                                "",
		"  https://img.example/a.png  ":   "https://img.example/a.png",
		"https://img.example/a b.png":     "!",
		"http://img.example/a.png":        "!",
		"javascript:alert(1)":             "!",
		"data:image/png;base64,AAAA":      "!",
		"//img.example/a.png":             "!",
		"https://user:pw@img.example/a":   "!",
		"https:///nohost":                 "!",
		"https://img.example/\"onerror=x": "!",
	} {
		got, err := cleanImageURL(raw)
		if want == "!" {
			if townhall.ErrorCode(err) != townhall.EINVALID {
				t.Errorf("cleanImageURL(%q) = %q, %v; want EINVALID", raw, got, err)
			}
		} else if err != nil || got != want {
			t.Errorf("cleanImageURL(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
}

func TestRatingAverageAndBars(t *testing.T) {
	r := Rating{Count: 3, Sum: 13, Histogram: [5]int{0, 0, 0, 2, 1}}
	if r.Average() != 4.3 {
		t.Fatalf("average = %v, want 4.3", r.Average())
	}
	bars := r.Bars()
	if len(bars) != 5 || bars[0] != (Bar{5, 1, 33}) || bars[1] != (Bar{4, 2, 67}) || bars[4] != (Bar{1, 0, 0}) {
		t.Fatalf("bars = %+v", bars)
	}
	if (Rating{}).Average() != 0 || (Rating{}).Bars()[0].Percent != 0 {
		t.Fatal("empty rating is not zero")
	}
}

func TestCursorsRoundTrip(t *testing.T) {
	id := townhall.NewID()
	r := &Review{ID: id, Helpful: 12, Rating: 4}
	for sort, key := range map[string]int{SortHelpful: 12, SortHighest: 4, SortLowest: 4, SortNewest: 0} {
		c, ok := decodeReviewCursor(encodeReviewCursor(sort, r))
		if !ok || c.ID != id || c.Key != key {
			t.Errorf("%s cursor = %+v %v", sort, c, ok)
		}
	}
	for _, bad := range []string{"x", "1-x", "-1-" + id, "a-" + id} {
		if _, ok := decodeReviewCursor(bad); ok {
			t.Errorf("decodeReviewCursor(%q) accepted", bad)
		}
	}
	name, got, ok := decodeProductCursor(encodeProductCursor("Ünïcode. name", id))
	if !ok || name != "Ünïcode. name" || got != id {
		t.Fatalf("product cursor = %q %q %v", name, got, ok)
	}
	if _, _, ok := decodeProductCursor("!!." + id); ok {
		t.Fatal("bad product cursor accepted")
	}
}
