package townhall_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
)

func TestNewIDSortsInCreationOrder(t *testing.T) {
	prev := townhall.NewID()
	for range 10000 {
		id := townhall.NewID()
		if id <= prev || !townhall.ValidID(id) {
			t.Fatalf("id %q after %q: not increasing or not valid", id, prev)
		}
		prev = id
	}
}

func TestIDAtSortsByItsTimeAndRepeats(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	a := townhall.IDAt(t0, math.MaxUint64, math.MaxUint16)
	b := townhall.IDAt(t0.Add(time.Millisecond), 0, 0)
	if !townhall.ValidID(a) || !townhall.ValidID(b) || a >= b {
		t.Errorf("IDAt: %q then %q a millisecond later: want valid and increasing", a, b)
	}
	if a != townhall.IDAt(t0, math.MaxUint64, math.MaxUint16) {
		t.Error("IDAt with the same inputs gave a different ID")
	}
	if now := townhall.NewID(); b >= now {
		t.Errorf("an ID of 2025 (%q) sorts after one made now (%q)", b, now)
	}
}

func TestValidID(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{townhall.NewID(), true},
		{"", false},
		{"../../etc/passwd", false},
		{strings.Repeat("a", 26), true},
		{strings.Repeat("A", 26), false},
		{strings.Repeat("u", 26), false}, // u is not in the alphabet
	} {
		if got := townhall.ValidID(c.in); got != c.want {
			t.Errorf("ValidID(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestCleanText(t *testing.T) {
	for _, c := range []struct {
		in       string
		min, max int
		want     string
		code     string
	}{
		{"  hello \r\nworld ", 1, 20, "hello \nworld", ""},
		{"   ", 1, 20, "", townhall.EINVALID},
		{"ab", 3, 20, "", townhall.EINVALID},
		{"ééé", 1, 3, "ééé", ""},
		{"éééé", 1, 3, "", townhall.EINVALID},
		{"bad\xffutf8", 1, 20, "", townhall.EINVALID},
		{"bell\x07", 1, 20, "", townhall.EINVALID},
		{"tab\there", 1, 20, "tab\there", ""},
	} {
		got, err := townhall.CleanText("Field", c.in, c.min, c.max)
		if townhall.ErrorCode(err) != c.code || got != c.want {
			t.Errorf("CleanText(%q) = %q, %v; want %q, code %q", c.in, got, err, c.want, c.code)
		}
	}
}
