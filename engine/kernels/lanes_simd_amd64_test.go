//go:build goexperiment.simd && amd64

package kernels

import (
	"math/rand/v2"
	"simd/archsimd"
	"testing"
)

// With the experiment on an AVX-512 CPU the SIMD path must be the one the
// other tests exercise.
func TestSIMDSelected(t *testing.T) {
	if archsimd.X86.AVX512() != SIMDEnabled() {
		t.Fatalf("AVX-512 %v but SIMD path enabled %v", archsimd.X86.AVX512(), SIMDEnabled())
	}
}

// The SIMD paths give bit-identical results to the pure-Go ones.
func TestSIMDMatchesGo(t *testing.T) {
	// Without AVX-512 both runs take the Go path and the test is trivially
	// true; TestSIMDSelected checks the path matches the CPU.
	defer func(e bool) { simdEnabled = e }(simdEnabled)
	rng := rand.New(rand.NewPCG(21, 1))
	pairs := []Pair{{5, 20}, {3, 3}, {50, 10}, {1, 200}}
	for _, n := range sizes {
		for rep := 0; rep < 10; rep++ {
			var prices [][]float64
			for l := 0; l < 1+rep%Lanes; l++ {
				prices = append(prices, randPrices(rng, n, (rep+l)%2 == 0))
			}
			x := prices[0]
			type res struct {
				ret, sum, mean []float64
				grid           []CrossStats
				single         CrossStats
			}
			run := func() res {
				var r res
				r.ret = AppendReturns(nil, x)
				r.sum = AppendRollingSum(nil, x, 7)
				r.mean = AppendRollingMean(nil, x, 7)
				r.grid = make([]CrossStats, len(prices)*len(pairs))
				CrossGridLanes(prices, pairs, float64(rep%3), r.grid)
				r.single = CrossBacktest(x, 3+rep, 10+2*rep, float64(rep%2))
				return r
			}
			a := run()
			saved := simdEnabled
			simdEnabled = false
			b := run()
			simdEnabled = saved
			sameSlices(t, "returns", a.ret, b.ret)
			sameSlices(t, "sum", a.sum, b.sum)
			sameSlices(t, "mean", a.mean, b.mean)
			if !crossEqual(a.single, b.single) {
				t.Fatalf("n=%d CrossBacktest: simd %+v, go %+v", n, a.single, b.single)
			}
			for k := range a.grid {
				if !crossEqual(a.grid[k], b.grid[k]) {
					t.Fatalf("n=%d lanes result %d: simd %+v, go %+v", n, k, a.grid[k], b.grid[k])
				}
			}
		}
	}
}
