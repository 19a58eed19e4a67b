package app

import (
	"runtime"
	"strings"
	"testing"
)

func TestRenderSlots(t *testing.T) {
	cpus := runtime.GOMAXPROCS(0)
	for _, tc := range []struct {
		name  string
		max   int
		mongo string
		want  int
	}{
		{"embedded, chosen", AutoRenders, "", 2 * cpus},
		{"MongoDB, chosen", AutoRenders, "mongodb://127.0.0.1:27017/th", 8 * cpus},
		{"set", 3, "mongodb://127.0.0.1:27017/th", 3},
		{"no bound", 0, "", 0},
	} {
		c := Defaults()
		c.MaxRenders, c.MongoDBURI = tc.max, tc.mongo
		if got := renderSlots(c); got != tc.want {
			t.Errorf("%s: %d slots, want %d", tc.name, got, tc.want)
		}
	}
	if d := Defaults(); d.MaxRenders != AutoRenders {
		t.Errorf("the default is %d, want %d (chosen for the store)", d.MaxRenders, AutoRenders)
	}
	c := Defaults()
	c.DataDir, c.MaxRenders = t.TempDir(), -2
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "--max-renders") {
		t.Errorf("--max-renders -2: %v, want an error naming the flag", err)
	}
}
