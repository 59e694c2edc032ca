//go:build goexperiment.simd && amd64

package kernels

import (
	"math"
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

// BenchmarkLaneTiles compares the clean two-pair tile in assembly with the
// archsimd one on the sweep benchmark's grid over 8 lanes.
func BenchmarkLaneTiles(b *testing.B) {
	prices, pairs := laneBenchInput()
	out := make([]CrossStats, len(prices)*len(pairs))
	defer func(a bool) { useLaneAsm = a }(useLaneAsm)
	for _, asm := range []bool{true, false} {
		name := "archsimd"
		if asm {
			name = "asm"
		}
		b.Run(name, func(b *testing.B) {
			useLaneAsm = asm
			for b.Loop() {
				CrossGridLanes(prices, pairs, 0, out)
			}
			b.ReportMetric(float64(b.N)*2520*float64(len(out))/b.Elapsed().Seconds(), "bar-evals/s")
		})
	}
}

// The assembly clean tiles give bit-identical results to the archsimd
// ones and to crossRun, over series with and without holes, lane counts
// 1..8, tile-crossing lengths and a grid with an odd pair out.
func TestLaneAsmMatchesGo(t *testing.T) {
	if !laneAsm || !SIMDEnabled() {
		return // -tags purego or no AVX-512: there is one path only (TestSIMDSelected checks which)
	}
	defer func(a bool) { useLaneAsm = a }(useLaneAsm)
	rng := rand.New(rand.NewPCG(5, 9))
	pairs := []Pair{{5, 20}, {10, 50}, {2, 3}, {50, 200}, {1, 2}, {20, 20}, {3, 9}}
	var runs, held int
	for _, n := range []int{2, 3, 129, 130, 257, 700, 2520} {
		for rep := 0; rep < 8; rep++ {
			var prices [][]float64
			for l := 0; l < 1+rep%Lanes; l++ {
				prices = append(prices, randPrices(rng, n, rep%4 == 1))
			}
			grid := func(asm bool) []CrossStats {
				useLaneAsm = asm
				out := make([]CrossStats, len(prices)*len(pairs))
				CrossGridLanes(prices, pairs, 0, out)
				return out
			}
			a, b := grid(true), grid(false)
			for k := range a {
				if !crossEqual(a[k], b[k]) {
					t.Fatalf("n=%d rep=%d result %d: asm %+v, archsimd %+v", n, rep, k, a[k], b[k])
				}
				l, p := k/len(pairs), pairs[k%len(pairs)]
				if ref := CrossBacktestRef(prices[l], p.Fast, p.Slow, 0); !crossEqual(a[k], ref) {
					t.Fatalf("n=%d rep=%d lane %d pair %v: asm %+v, reference %+v", n, rep, l, p, a[k], ref)
				}
				runs++
				if a[k].Exposure > 0 && a[k].MaxDrawdown > 0 {
					held++
				}
			}
		}
	}
	if held < runs/2 {
		t.Fatalf("only %d of %d runs held a position with a drawdown", held, runs)
	}
}

// The assembly SMA rows equal the archsimd ones bit for bit (the grid
// results alone would miss a last-bit difference that flips no signal).
func TestSMARowsMatchesGo(t *testing.T) {
	if !laneAsm || !SIMDEnabled() {
		return // -tags purego or no AVX-512: there is one path only (TestSIMDSelected checks which)
	}
	defer func(a bool) { useLaneAsm = a }(useLaneAsm)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{2, 130, 700} {
		for rep := 0; rep < 6; rep++ {
			var prices [][]float64
			for l := 0; l < 1+rep%Lanes+2; l++ {
				prices = append(prices, randPrices(rng, n, rep%2 == 1))
			}
			prices = prices[:min(len(prices), Lanes)]
			var sc laneScratch
			useLaneAsm = true
			sc.layout(prices)
			for _, win := range []int{1, 2, 5, 20, 200} {
				for t0 := 0; t0 < n-1; t0 += laneTile {
					t1 := min(t0+laneTile, n-1)
					a := make([]float64, laneTile*8)
					b := make([]float64, laneTile*8)
					useLaneAsm = true
					sc.smaTile(a, win, t0, t1)
					useLaneAsm = false
					sc.smaTile(b, win, t0, t1)
					for i := range a {
						if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
							t.Fatalf("n=%d window %d tile %d row %d lane %d: asm %v, archsimd %v", n, win, t0, i/8, i%8, a[i], b[i])
						}
					}
				}
			}
		}
	}
}

// layout's prefix sums, missing counts and runs equal Prefix.Reset's lane
// by lane, bit for bit, and its terms those of crossRun's operations.
func TestLayoutMatchesPrefix(t *testing.T) {
	if !SIMDEnabled() {
		return // no AVX-512: the lanes kernel does not run (TestSIMDSelected checks it)
	}
	rng := rand.New(rand.NewPCG(8, 2))
	for _, n := range []int{1, 2, 130, 700} {
		for rep := 0; rep < 6; rep++ {
			var prices [][]float64
			for l := 0; l < 1+rep%Lanes; l++ {
				prices = append(prices, randPrices(rng, n, rep%2 == 1))
			}
			var sc laneScratch
			sc.layout(prices)
			var p Prefix
			for l := range 8 {
				x := make([]float64, n)
				for i := range x {
					x[i] = math.NaN()
				}
				if l < len(prices) {
					x = prices[l]
				}
				p.Reset(x)
				ret := AppendReturns(nil, x)
				for i := 0; i <= n; i++ {
					got := []float64{sc.hi[i*8+l], sc.lo[i*8+l], sc.miss[i*8+l]}
					want := []float64{p.Hi[i], p.Lo[i], p.Miss[i]}
					if i < n {
						r := ret[i]
						d := min(r, 0)
						got = append(got, sc.run[i*8+l], sc.x[i*8+l], sc.ret[i*8+l],
							sc.terms[i*32+l], sc.terms[i*32+8+l], sc.terms[i*32+16+l], sc.terms[i*32+24+l])
						want = append(want, p.Run[i], x[i], r, 1+r, r, r*r, d*d)
						if r != r { // no held lane reads min(r,0)² of a missing return
							got = got[:len(got)-1]
							want = want[:len(want)-1]
						}
					}
					for k := range got {
						if math.Float64bits(got[k]) != math.Float64bits(want[k]) && !(got[k] != got[k] && want[k] != want[k]) {
							t.Fatalf("n=%d lane %d index %d value %d: layout %v, want %v", n, l, i, k, got[k], want[k])
						}
					}
				}
			}
		}
	}
}

func TestRowMask(t *testing.T) {
	all := ^uint64(0)
	for n, want := range map[int][2]uint64{0: {0, 0}, 1: {1, 0}, 63: {all >> 1, 0}, 64: {all, 0}, 65: {all, 1}, 127: {all, all >> 1}, 128: {all, all}} {
		if got := rowMask(n); got != want {
			t.Errorf("rowMask(%d) = %#x, want %#x", n, got, want)
		}
	}
}
