package slug

import "testing"

func TestMake(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"Acme Sync", 40, "acme-sync"},
		{"  Tips & Tricks!! ", 40, "tips-tricks"},
		{"Lucía Núñez", 40, "lucia-nunez"},
		{"Zoë's Café", 40, "zoe-s-cafe"},
		{"Søren", 40, "s-ren"}, // ø is a letter of its own, not an accented o
		{"日本語", 40, ""},
		{"---", 40, ""},
		{"snake_case", 40, "snake-case"},
		{"abcdef ghij", 7, "abcdef"}, // cut, then no trailing dash
		{"Version 2.0", 40, "version-2-0"},
	} {
		if got := Make(c.in, c.max); got != c.want {
			t.Errorf("Make(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}
