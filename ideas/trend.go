package ideas

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/townhall/townhall"
)

// Trending ranks ideas by exponentially decayed votes: a vote cast now
// counts 1, a vote from one TrendHalfLife ago counts ½, two ago ¼, and so
// on. The decayed sum at time now is Σ 2^((tᵢ−now)/H). Dividing every idea's
// sum by the same 2^((now−epoch)/H) does not change the order, so we store
// the time-independent log2 Σ 2^((tᵢ−epoch)/H) on the idea: it only changes
// when a vote is added or removed (in the vote's transaction), never with
// the clock, so an ordinary index serves the trending page. The logarithm
// keeps the numbers small (a vote a year after the epoch adds about 52).
const TrendHalfLife = 7 * 24 * time.Hour

// TrendEpoch is the fixed origin of trend scores.
var TrendEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// TrendExponent is log2 of one vote's weight at t: half-lives since the
// epoch, never negative, so an idea with votes always scores above 0.
func TrendExponent(t time.Time) float64 {
	return max(0, float64(t.Sub(TrendEpoch))/float64(TrendHalfLife))
}

// TrendAdd returns the score after adding a vote with exponent x to score
// (0 means no votes): log2(2^score + 2^x), computed without overflow.
func TrendAdd(score, x float64) float64 {
	if score <= 0 {
		return x
	}
	hi, lo := max(score, x), min(score, x)
	return hi + math.Log1p(math.Exp2(lo-hi))/math.Ln2
}

// TrendRemove returns the score after removing a vote with exponent x. ok
// is false when that vote carried nearly all of the score, so the
// subtraction would lose precision; the caller then recomputes the score
// from the remaining votes with TrendAdd.
func TrendRemove(score, x float64) (float64, bool) {
	d := x - score
	if d > -1e-6 {
		return 0, false
	}
	s := score + math.Log1p(-math.Exp2(d))/math.Ln2
	if math.IsNaN(s) || math.IsInf(s, 0) || s <= 0 {
		return 0, false
	}
	return s, true
}

// String encodes the cursor for a ?after= parameter.
func (c *Cursor) String() string {
	if c == nil {
		return ""
	}
	return strconv.FormatFloat(c.Key, 'g', -1, 64) + "_" + c.ID
}

// ParseCursor decodes a ?after= parameter; ok is false for garbage.
func ParseCursor(s string) (*Cursor, bool) {
	if s == "" {
		return nil, true
	}
	k, id, found := strings.Cut(s, "_")
	if !found {
		return nil, false
	}
	key, err := strconv.ParseFloat(k, 64)
	if err != nil || math.IsNaN(key) || math.IsInf(key, 0) || !townhall.ValidID(id) {
		return nil, false
	}
	return &Cursor{Key: key, ID: id}, true
}
