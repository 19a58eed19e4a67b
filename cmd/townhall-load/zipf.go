package main

import (
	"math"
	"math/rand/v2"
	"sort"
)

// zipf picks ranks 0..n-1 with probability proportional to 1/(rank+1)^s:
// a few items get most of the reads, and every item gets some, the way
// readers spread over a real community's threads.
type zipf struct{ cum []float64 }

// newZipf builds the cumulative weights of n ranks; n = 0 gives a picker
// that must not be used (routes over empty lists are dropped).
func newZipf(n int, s float64) *zipf {
	z := &zipf{cum: make([]float64, n)}
	total := 0.0
	for i := range n {
		total += 1 / math.Pow(float64(i+1), s)
		z.cum[i] = total
	}
	return z
}

// pick is a rank drawn from r.
func (z *zipf) pick(r *rand.Rand) int {
	x := r.Float64() * z.cum[len(z.cum)-1]
	return min(sort.SearchFloat64s(z.cum, x), len(z.cum)-1)
}
