package web

import (
	"slices"
	"testing"
)

func TestPageWindow(t *testing.T) {
	for _, tc := range []struct {
		cur, pages int
		want       []int
	}{
		{1, 1, []int{1}},
		{1, 3, []int{1, 2, 3}},
		{1, 7, []int{1, 2, 3, 0, 7}},
		{4, 7, []int{1, 2, 3, 4, 5, 6, 7}},
		{5, 7, []int{1, 2, 3, 4, 5, 6, 7}}, // 2 fills a gap of one
		{10, 500, []int{1, 0, 8, 9, 10, 11, 12, 0, 500}},
		{500, 500, []int{1, 0, 498, 499, 500}},
		{497, 500, []int{1, 0, 495, 496, 497, 498, 499, 500}},
	} {
		if got := pageWindow(tc.cur, tc.pages, 2); !slices.Equal(got, tc.want) {
			t.Errorf("pageWindow(%d, %d) = %v, want %v", tc.cur, tc.pages, got, tc.want)
		}
	}
}
