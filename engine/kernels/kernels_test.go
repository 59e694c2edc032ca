package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// randValues is random data around a level with missing values, equal
// runs and occasional large values, for the generic window kernels.
func randValues(rng *rand.Rand, n int) []float64 {
	x := randPrices(rng, n, true)
	if rng.IntN(3) == 0 { // negative values too
		for i := range x {
			x[i] -= 100
		}
	}
	return x
}

func TestReturnsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 1))
	for _, n := range sizes {
		for rep := 0; rep < 20; rep++ {
			p := randPrices(rng, n, rep%2 == 1)
			if rep%5 == 4 && n > 2 {
				p[n/2] = -p[n/2] // a non-positive price is missing
			}
			sameSlices(t, "returns", AppendReturns(nil, p), ReturnsRef(p))
		}
	}
	r := AppendReturns(nil, []float64{100, 110, math.NaN(), 99, 0, 50})
	a, b := 110.0, 100.0
	want := []float64{math.NaN(), a/b - 1, math.NaN(), math.NaN(), math.NaN(), math.NaN()}
	sameSlices(t, "hand returns", r, want)
	// dst-first: appends after existing elements.
	d := AppendReturns([]float64{7}, []float64{1, 2})
	sameSlices(t, "append", d, []float64{7, math.NaN(), 1})
}

func TestRollingMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 1))
	for _, n := range sizes {
		for rep := 0; rep < 10; rep++ {
			x := randValues(rng, n)
			for _, w := range []int{1, 2, 3, 5, 20, 63, 300, 2000} {
				sum, mean, std := AppendRollingSum(nil, x, w), AppendRollingMean(nil, x, w), AppendRollingStd(nil, x, w)
				rs, rm, rsd := RollingSumRef(x, w), RollingMeanRef(x, w), RollingStdRef(x, w)
				if len(sum) != n || len(mean) != n || len(std) != n {
					t.Fatalf("lengths %d %d %d, want %d", len(sum), len(mean), len(std), n)
				}
				for i := range x {
					scale := 0.0
					k := 0.0
					for j := max(0, i-w+1); j <= i; j++ {
						scale += math.Abs(x[j])
					}
					for _, v := range x {
						if !missing(v) {
							k = v
							break
						}
					}
					ss := 0.0
					for j := max(0, i-w+1); j <= i; j++ {
						ss += (x[j] - k) * (x[j] - k)
					}
					tol := float64(w+4) * 0x1p-52 // the naive reference's own error bound
					if !near(sum[i], rs[i], tol, scale) {
						t.Fatalf("n=%d w=%d sum[%d] = %v, want %v", n, w, i, sum[i], rs[i])
					}
					if !near(mean[i], rm[i], tol, scale/float64(w)) {
						t.Fatalf("n=%d w=%d mean[%d] = %v, want %v", n, w, i, mean[i], rm[i])
					}
					if !same(std[i], rsd[i]) && !near(std[i]*std[i], rsd[i]*rsd[i], 1e-13, ss/float64(w-1)) {
						t.Fatalf("n=%d w=%d std[%d] = %v, want %v", n, w, i, std[i], rsd[i])
					}
				}
			}
		}
	}
}

// A window of equal values has mean exactly that value and std exactly 0;
// a series at a high level with small moves keeps its precision.
func TestRollingExactCases(t *testing.T) {
	x := []float64{0.1, 0.1, 0.1, 0.1, 0.1, 0.7, 0.7, 0.7}
	m := AppendRollingMean(nil, x, 3)
	s := AppendRollingStd(nil, x, 3)
	if m[2] != 0.1 || m[4] != 0.1 || m[7] != 0.7 || s[4] != 0 || s[7] != 0 {
		t.Fatalf("mean %v std %v", m, s)
	}
	y := make([]float64, 5000)
	for i := range y {
		y[i] = 1e6 + float64(i%2) // std of any window of 2: √0.5
	}
	sd := AppendRollingStd(nil, y, 2)
	if math.Abs(sd[4999]-math.Sqrt(0.5)) > 1e-12 {
		t.Fatalf("std at 1e6 level: %v", sd[4999])
	}
	if !math.IsNaN(AppendRollingStd(nil, []float64{1, 2}, 1)[1]) {
		t.Fatal("std of a window of 1 must be NaN")
	}
}

func TestEquityDrawdownMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 1))
	for _, n := range sizes {
		for rep := 0; rep < 20; rep++ {
			p := randPrices(rng, n, rep%2 == 1)
			r := AppendReturns(nil, p)
			eq := AppendEquity(nil, r)
			sameSlices(t, "equity", eq, EquityRef(r))
			if rep%3 == 0 && n > 3 {
				eq[n/2] = math.NaN()
			}
			sameSlices(t, "drawdown", AppendDrawdown(nil, eq), DrawdownRef(eq))
			dd, days := MaxDrawdown(eq)
			rdd, rdays := MaxDrawdownRef(eq)
			if !same(dd, rdd) || days != rdays {
				t.Fatalf("n=%d max drawdown %v/%d, want %v/%d", n, dd, days, rdd, rdays)
			}
		}
	}
	// V = 1, 2, 1, 1.5, 2, 3, 2.5: peak 2 at bar 1, recovered at bar 4 (3
	// days, 50%); then from bar 5 down to the end (1 day).
	dd, days := MaxDrawdown([]float64{1, 2, 1, 1.5, 2, 3, 2.5})
	if dd != 0.5 || days != 3 {
		t.Fatalf("hand: %v %d", dd, days)
	}
	// Flat at the peak then a fall: p is the last bar at the peak.
	dd, days = MaxDrawdown([]float64{1, 2, 2, 2, 1})
	if dd != 0.5 || days != 1 {
		t.Fatalf("flat peak: %v %d", dd, days)
	}
	if dd, days = MaxDrawdown(nil); dd != 0 || days != 0 {
		t.Fatal("empty")
	}
}

func TestDriftReturnsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 1))
	for _, n := range sizes {
		for _, N := range []int{1, 3, 50} {
			rets := make([][]float64, N)
			for i := range rets {
				rets[i] = AppendReturns(nil, randPrices(rng, n, i%3 == 1))
			}
			var rc []float64
			if N == 3 {
				rc = make([]float64, n)
				for t := range rc {
					rc[t] = 0.0001 * rng.Float64()
				}
			}
			for _, from := range []int{0, 1, n / 2} {
				w := make([]float64, N)
				for i := range w {
					if rng.IntN(3) > 0 {
						w[i] = rng.Float64() / float64(N)
					}
				}
				w2 := slices.Clone(w)
				got, d1 := AppendDriftReturns(nil, rets, rc, w, from, n)
				want, d2 := DriftReturnsRef(rets, rc, w2, from, n)
				if len(got) == 0 && len(want) == 0 {
					continue
				}
				sameSlices(t, "drift returns", got, want)
				sameSlices(t, "drifted weights", w, w2)
				if d1 != d2 {
					t.Fatalf("delistings %d, want %d", d1, d2)
				}
			}
		}
	}
	// Hand case: 50/50 in two assets, +10% and -10%: the portfolio returns
	// 0, and weights drift to 0.55/0.45.
	rets := [][]float64{{math.NaN(), 0.1}, {math.NaN(), -0.1}}
	w := []float64{0.5, 0.5}
	r, _ := AppendDriftReturns(nil, rets, nil, w, 0, 2)
	if len(r) != 1 || r[0] != 0 || math.Abs(w[0]-0.55) > 1e-15 || math.Abs(w[1]-0.45) > 1e-15 {
		t.Fatalf("hand drift: %v %v", r, w)
	}
}

func TestTopKAndRankMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 1))
	for _, n := range sizes {
		for rep := 0; rep < 20; rep++ {
			row := randValues(rng, n)
			if rep%2 == 0 { // many ties
				for i := range row {
					if !missing(row[i]) {
						row[i] = float64(rng.IntN(5))
					}
				}
			}
			for _, k := range []int{0, 1, 3, 10, n, n + 5} {
				got := AppendTopK(nil, row, k)
				want := TopKRef(row, k)
				if !slices.Equal(got, want) {
					t.Fatalf("n=%d k=%d top-k %v, want %v (row %v)", n, k, got, want, row)
				}
			}
			if got, want := AppendRankDesc(nil, row), RankDescRef(row); !slices.Equal(got, want) {
				t.Fatalf("rank %v, want %v", got, want)
			}
		}
	}
	row := []float64{3, math.NaN(), 5, 3, math.Inf(1), 5}
	if got := AppendTopK(nil, row, 3); !slices.Equal(got, []int{2, 5, 0}) {
		t.Fatalf("hand top-3 %v", got)
	}
}

func TestKernelAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts: the race detector empties sync.Pool at random")
	}
	rng := rand.New(rand.NewPCG(16, 1))
	p := randPrices(rng, 2520, true)
	dst := make([]float64, 0, 2520)
	idx := make([]int, 0, 2520)
	rets := [][]float64{AppendReturns(nil, p), AppendReturns(nil, p)}
	w := []float64{0.5, 0.5}
	for name, f := range map[string]func(){
		"returns":  func() { AppendReturns(dst[:0], p) },
		"mean":     func() { AppendRollingMean(dst[:0], p, 50) },
		"std":      func() { AppendRollingStd(dst[:0], p, 50) },
		"equity":   func() { AppendEquity(dst[:0], p) },
		"drawdown": func() { AppendDrawdown(dst[:0], p) },
		"drift":    func() { AppendDriftReturns(dst[:0], rets, nil, w, 0, 2520) },
		"topk":     func() { AppendTopK(idx[:0], p[:500], 20) },
		"rank":     func() { AppendRankDesc(idx[:0], p[:500]) },
	} {
		f()
		if a := testing.AllocsPerRun(10, f); a != 0 {
			t.Errorf("%s: %v allocations per run", name, a)
		}
	}
}
