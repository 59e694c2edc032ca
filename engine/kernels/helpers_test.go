package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randPrices is a random walk of n prices with, depending on the mode,
// missing values (NaN, ±Inf), runs of equal prices and leading or trailing
// gaps, the cases the kernels must handle.
func randPrices(rng *rand.Rand, n int, holes bool) []float64 {
	p := make([]float64, n)
	v := 20 + 200*rng.Float64()
	for i := range p {
		v *= math.Exp(0.02 * rng.NormFloat64())
		p[i] = v
	}
	if !holes || n == 0 {
		return p
	}
	for k := rng.IntN(4); k > 0; k-- { // runs of equal prices
		a := rng.IntN(n)
		b := min(n, a+1+rng.IntN(60))
		for i := a; i < b; i++ {
			p[i] = p[a]
		}
	}
	for k := rng.IntN(5); k > 0; k-- {
		i := rng.IntN(n)
		switch rng.IntN(3) {
		case 0:
			p[i] = math.NaN()
		case 1:
			p[i] = math.Inf(1)
		default:
			p[i] = math.Inf(-1)
		}
	}
	if rng.IntN(4) == 0 { // not listed yet
		for i := 0; i < rng.IntN(n); i++ {
			p[i] = math.NaN()
		}
	}
	if rng.IntN(4) == 0 { // delisted
		for i := n - rng.IntN(n) - 1; i < n; i++ {
			if i >= 0 {
				p[i] = math.NaN()
			}
		}
	}
	return p
}

// sizes are the lengths every kernel test covers.
var sizes = []int{0, 1, 2, 3, 7, 64, 251, 1000}

// same reports whether a and b are the same float64 (NaN equals NaN).
func same(a, b float64) bool { return a == b || (a != a && b != b) }

// near reports whether a and b agree within tol·scale (NaN equals NaN,
// infinities must be equal).
func near(a, b, tol, scale float64) bool {
	if same(a, b) {
		return true
	}
	if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return false
	}
	return math.Abs(a-b) <= tol*scale
}

func sameSlices(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !same(got[i], want[i]) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// laneBenchInput is the lanes benchmarks' input: 8 random 2,520-bar series
// and the sweep benchmark's grid (fast 5..50 step 5, slow 20..200 step 10,
// fast < slow: 174 pairs).
func laneBenchInput() ([][]float64, []Pair) {
	rng := rand.New(rand.NewPCG(7, 8))
	var prices [][]float64
	for range Lanes {
		prices = append(prices, randPrices(rng, 2520, false))
	}
	var pairs []Pair
	for f := 5; f <= 50; f += 5 {
		for s := 20; s <= 200; s += 10 {
			if f < s {
				pairs = append(pairs, Pair{f, s})
			}
		}
	}
	return prices, pairs
}
