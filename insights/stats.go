package insights

import (
	"math"
	"slices"
)

// percentile is the nearest-rank p-th percentile (0 < p <= 100) of xs: the
// smallest value at least p% of the values are at or below. The median of
// 1, 2, 3, 4 is 2 and its 90th percentile 4. It sorts xs in place and
// reports false when xs is empty.
func percentile(xs []int64, p float64) (int64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	slices.Sort(xs)
	rank := int(math.Ceil(p / 100 * float64(len(xs))))
	return xs[min(max(rank, 1), len(xs))-1], true
}

// Seconds is a duration figure in whole seconds; nil means there was
// nothing to measure (no thread got a reply, say).
type Seconds = *int64

// Ratio is a share (0 to 1) or an average; nil when its denominator is 0.
type Ratio = *float64

func pct(xs []int64, p float64) Seconds {
	if v, ok := percentile(xs, p); ok {
		return &v
	}
	return nil
}

// ratio is n/d, nil when d is 0.
func ratio(n, d float64) Ratio {
	if d == 0 {
		return nil
	}
	v := n / d
	return &v
}

// merged concatenates lists into a fresh slice that percentile may sort.
func merged(lists ...[]int64) []int64 {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	out := make([]int64, 0, n)
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
