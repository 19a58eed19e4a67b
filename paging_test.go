package townhall_test

import (
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/townhall/townhall"
)

func TestPaginate(t *testing.T) {
	rows := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i + 1
		}
		return out
	}
	for _, tc := range []struct {
		name      string
		limit     int
		stored    int // rows the store holds after the cursor
		wantItems []int
		wantNext  string
		wantAsked int
	}{
		{"empty listing is an empty page", 3, 0, []int{}, "", 4},
		{"fewer rows than a page: no next page", 3, 2, []int{1, 2}, "", 4},
		{"exactly a page: no next page", 3, 3, []int{1, 2, 3}, "", 4},
		{"one row more than a page: next is the last shown", 3, 4, []int{1, 2, 3}, "3", 4},
		{"many more rows: still one page", 3, 50, []int{1, 2, 3}, "3", 4},
		{"limit below one reads pages of one", 0, 5, []int{1}, "1", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asked := 0
			page, err := townhall.Paginate(tc.limit, func(n int) ([]int, error) {
				asked = n
				var out []int // nil when empty, as a store may answer
				for _, r := range rows(tc.stored) {
					if len(out) < n {
						out = append(out, r)
					}
				}
				return out, nil
			}, func(last int) string { return strconv.Itoa(last) })
			if err != nil {
				t.Fatal(err)
			}
			if asked != tc.wantAsked {
				t.Errorf("fetch asked for %d rows, want %d", asked, tc.wantAsked)
			}
			if page.Items == nil || !slices.Equal(page.Items, tc.wantItems) || page.Next != tc.wantNext {
				t.Errorf("page = %#v next %q, want %v next %q", page.Items, page.Next, tc.wantItems, tc.wantNext)
			}
		})
	}
	t.Run("fetch error is returned with an empty page", func(t *testing.T) {
		boom := errors.New("store down")
		page, err := townhall.Paginate(3, func(int) ([]int, error) { return []int{1, 2, 3, 4}, boom },
			func(int) string { return "x" })
		if !errors.Is(err, boom) || page.Items != nil || page.Next != "" {
			t.Errorf("got %v, %+v; want the fetch error and no page", err, page)
		}
	})
}
