package auth_test

import (
	"testing"

	"github.com/townhall/townhall/auth"
)

func TestFreeHandleTakesTheFirstGap(t *testing.T) {
	for _, tc := range []struct {
		taken []string
		want  string
	}{
		{nil, "ann"},
		{[]string{"ann"}, "ann-2"},
		{[]string{"ann", "ann-2", "ann-3"}, "ann-4"},
		{[]string{"ann", "ann-3"}, "ann-2"},
		{[]string{"ann-2"}, "ann"},
	} {
		taken := map[string]bool{}
		for _, h := range tc.taken {
			taken[h] = true
		}
		if got := auth.FreeHandle("ann", taken); got != tc.want {
			t.Errorf("FreeHandle(ann, %v) = %q, want %q", tc.taken, got, tc.want)
		}
	}
}
