package search

import "testing"

func TestPlainText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Click *Export CSV* now", "Click Export CSV now"},
		{"**bold** and `code`", "bold and code"},
		{"# Title\n> quoted\n- item", "Title quoted item"},
		{"see [the docs](https://x.example/a) and ![logo](l.png)", "see the docs and logo"},
		{"snake_case_name stays", "snake_case_name stays"},
		{"~~old~~ new", "old new"},
	} {
		if got := plainText(c.in); got != c.want {
			t.Errorf("plainText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
