package web

import "testing"

func TestJSONFieldAt(t *testing.T) {
	for _, c := range []struct {
		json string
		at   string // the byte the refusal points at
		want string
	}{
		{`{"name":"ok","bio":"bad X here"}`, "X", "bio"},
		{`{"bio":"X"}`, "X", "bio"},
		{`{"a":{"b":"X"}}`, "X", "b"},
		{`{"tags":["one","X"]}`, "X", "tags"},
		{`{"a":"x\"y","b":"X"}`, "X", "b"},
		{`["X"]`, "X", ""},
		{`{"X":"key itself"}`, "X", ""},
	} {
		off := -1
		for i := range len(c.json) {
			if c.json[i] == 'X' {
				off = i
			}
		}
		if got := jsonFieldAt([]byte(c.json), off); got != c.want {
			t.Errorf("jsonFieldAt(%s) = %q, want %q", c.json, got, c.want)
		}
	}
}
