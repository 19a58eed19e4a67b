package townhall

// Page is one page of a listing; Next is the opaque cursor of the following
// page, empty on the last one.
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next"`
}

// Paginate reads one page of at most limit items. It asks fetch for one
// item more than a page: that extra item is not shown, it only says that
// another page follows, and then Next is cursor of the page's last item.
// Items is never nil, so an empty page is [] in JSON on every store. A
// limit below 1 reads pages of one.
func Paginate[T any](limit int, fetch func(n int) ([]T, error), cursor func(last T) string) (Page[T], error) {
	limit = max(limit, 1)
	items, err := fetch(limit + 1)
	if err != nil {
		return Page[T]{}, err
	}
	var page Page[T]
	if len(items) > limit {
		items = items[:limit]
		page.Next = cursor(items[limit-1])
	}
	if items == nil {
		items = []T{}
	}
	page.Items = items
	return page, nil
}
