package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

func crossEqual(a, b CrossStats) bool {
	return a.N == b.N && same(a.Sum, b.Sum) && same(a.SumSq, b.SumSq) && same(a.SumDownSq, b.SumDownSq) &&
		same(a.Min, b.Min) && same(a.Max, b.Max) && same(a.Equity, b.Equity) &&
		same(a.MaxDrawdown, b.MaxDrawdown) && a.MaxDrawdownDays == b.MaxDrawdownDays &&
		a.Exposure == b.Exposure && a.Switches == b.Switches && same(a.Costs, b.Costs) &&
		a.Delistings == b.Delistings
}

// canonicalRef runs the reference loop over the canonical SMAs.
func canonicalRef(price []float64, fast, slow int, costBps float64) CrossStats {
	f := AppendRollingMean(nil, price, fast)
	s := AppendRollingMean(nil, price, slow)
	return crossRef(price, f, s, costBps/10000)
}

var testPairs = []Pair{{1, 2}, {2, 5}, {5, 20}, {10, 50}, {3, 3}, {7, 4}, {50, 200}, {20, 1500}}

func TestCrossBacktestMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range sizes {
		for rep := 0; rep < 20; rep++ {
			price := randPrices(rng, n, rep%2 == 1)
			for _, p := range testPairs {
				for _, bps := range []float64{0, 10} {
					got := CrossBacktest(price, p.Fast, p.Slow, bps)
					want := canonicalRef(price, p.Fast, p.Slow, bps)
					if !crossEqual(got, want) {
						t.Fatalf("n=%d pair %v cost %v:\n got %+v\nwant %+v", n, p, bps, got, want)
					}
				}
			}
		}
	}
}

// The naive reference recomputes each SMA from its window; its SMAs differ
// from the canonical ones by rounding only, so the results are identical
// whenever no comparison falls within rounding of a tie.
func TestCrossBacktestRefAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	diff, total := 0, 0
	for _, n := range sizes {
		for rep := 0; rep < 20; rep++ {
			price := randPrices(rng, n, rep%2 == 1)
			for _, p := range testPairs {
				got := CrossBacktest(price, p.Fast, p.Slow, 5)
				want := CrossBacktestRef(price, p.Fast, p.Slow, 5)
				total++
				if !crossEqual(got, want) {
					diff++
					// Only allowed when a signal differs: check it does.
					f1, s1 := AppendRollingMean(nil, price, p.Fast), AppendRollingMean(nil, price, p.Slow)
					ok := false
					for i := range price {
						if (f1[i] > s1[i]) != (windowMean(price, i, p.Fast) > windowMean(price, i, p.Slow)) {
							ok = true
						}
					}
					if !ok {
						t.Fatalf("n=%d pair %v: same signals, different results:\n got %+v\nwant %+v", n, p, got, want)
					}
				}
			}
		}
	}
	if diff*100 > total {
		t.Fatalf("%d of %d backtests differ from the naive reference", diff, total)
	}
}

// A hand-computed case: prices 1,2,3,2,1,2 with SMA 1 vs 2.
func TestCrossBacktestHand(t *testing.T) {
	price := []float64{1, 2, 3, 2, 1, 2}
	// SMA1 = p; SMA2 = NaN,1.5,2.5,2.5,1.5,1.5. Long on bars 1,2 (2>1.5, 3>2.5).
	// w[1]=1 earns r[2]=0.5; w[2]=1 earns r[3]=-1/3; flat after.
	two, three := 2.0, 3.0
	r3 := two/three - 1 // a variable: constant expressions are exact in Go
	st := CrossBacktest(price, 1, 2, 0)
	if st.N != 5 || st.Switches != 2 || st.Exposure != 2 {
		t.Fatalf("counts %+v", st)
	}
	if st.Equity != 1.5*(1+r3) || st.Sum != 0.5+r3 {
		t.Fatalf("equity %v sum %v", st.Equity, st.Sum)
	}
	// V = 1,1,1.5,1,1,1: peak 1.5 at bar 2, below from bar 3 to the end (5): 3 days.
	if math.Abs(st.MaxDrawdown-1.0/3) > 1e-15 || st.MaxDrawdownDays != 3 {
		t.Fatalf("drawdown %v days %d", st.MaxDrawdown, st.MaxDrawdownDays)
	}
	if st.Min != r3 || st.Max != 0.5 {
		t.Fatalf("min %v max %v", st.Min, st.Max)
	}
	// With 100 bps: two trades, each costs 1% of the value before it.
	c := CrossBacktest(price, 1, 2, 100)
	v3 := 0.99 * (1 + 0.5) * (1 + r3)
	if math.Abs(c.Costs-(0.01+0.01*v3)) > 1e-16 {
		t.Fatalf("costs %v", c.Costs)
	}
}

// Constant prices give exact ties: always flat, std exactly 0.
func TestCrossBacktestTies(t *testing.T) {
	price := make([]float64, 300)
	for i := range price {
		price[i] = 0.1
	}
	st := CrossBacktest(price, 7, 30, 0)
	if st.Switches != 0 || st.Std() != 0 || st.Equity != 1 {
		t.Fatalf("constant prices: %+v std %v", st, st.Std())
	}
	// Alternating prices: SMA_2 = SMA_4 = 2 exactly on every bar from 3 on,
	// a tie, so never long (the division-free comparison must defer to the
	// quotients here).
	for i := range price {
		price[i] = float64(1 + 2*(i%2))
	}
	if st := CrossBacktest(price, 2, 4, 0); st.Switches != 0 {
		t.Fatalf("alternating prices: %+v", st)
	}
}

func TestCrossGridMatchesSingle(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pairs := append([]Pair{}, testPairs...)
	for f := 5; f <= 50; f += 15 {
		for s := 20; s <= 200; s += 60 {
			pairs = append(pairs, Pair{f, s})
		}
	}
	for _, n := range sizes {
		for rep := 0; rep < 6; rep++ {
			var prices [][]float64
			for l := 0; l <= rep+1 && l < Lanes; l++ {
				prices = append(prices, randPrices(rng, n, (rep+l)%2 == 1))
			}
			for _, bps := range []float64{0, 2.5} {
				out := make([]CrossStats, len(prices)*len(pairs))
				CrossGridLanes(prices, pairs, bps, out)
				outGo := make([]CrossStats, len(prices)*len(pairs))
				crossGridLanesGo(prices, pairs, bps, outGo)
				for l, price := range prices {
					grid := make([]CrossStats, len(pairs))
					CrossGrid(price, pairs, bps, grid)
					for k, p := range pairs {
						want := CrossBacktest(price, p.Fast, p.Slow, bps)
						if !crossEqual(grid[k], want) {
							t.Fatalf("grid n=%d pair %v:\n got %+v\nwant %+v", n, p, grid[k], want)
						}
						if !crossEqual(out[l*len(pairs)+k], want) {
							t.Fatalf("lanes (simd %v) n=%d lane %d pair %v cost %v:\n got %+v\nwant %+v", SIMDEnabled(), n, l, p, bps, out[l*len(pairs)+k], want)
						}
						if !crossEqual(outGo[l*len(pairs)+k], want) {
							t.Fatalf("lanes (go) n=%d lane %d pair %v", n, l, p)
						}
					}
				}
			}
		}
	}
}

func TestCrossStatsMoments(t *testing.T) {
	st := CrossStats{N: 3, Sum: 0.03, SumSq: 0.0003, Min: 0.01, Max: 0.01}
	if st.Std() != 0 || !math.IsNaN(st.Sharpe(252)) {
		t.Fatalf("equal returns: std %v sharpe %v", st.Std(), st.Sharpe(252))
	}
	st = CrossStats{N: 1, Sum: 0.01, SumSq: 0.0001, Min: 0.01, Max: 0.01}
	if !math.IsNaN(st.Std()) || st.Mean() != 0.01 {
		t.Fatalf("n=1: std %v mean %v", st.Std(), st.Mean())
	}
	// r = 0.01, 0.03: mean 0.02, std √2·0.01.
	st = CrossStats{N: 2, Sum: 0.04, SumSq: 0.001, Min: 0.01, Max: 0.03}
	if math.Abs(st.Std()-math.Sqrt2*0.01) > 1e-15 {
		t.Fatalf("std %v", st.Std())
	}
}

func TestCrossPanics(t *testing.T) {
	for _, f := range []func(){
		func() { CrossBacktest([]float64{1, 2}, 0, 3, 0) },
		func() { CrossBacktest([]float64{1, 2}, 1, 3, -1) },
		func() { CrossBacktest([]float64{1, 2}, 1, 3, math.NaN()) },
		func() { CrossGrid([]float64{1, 2}, []Pair{{1, 2}}, 0, nil) },
		func() { CrossGridLanes(make([][]float64, 9), nil, 0, nil) },
		func() { CrossGridLanes([][]float64{{1}, {1, 2}}, []Pair{{1, 2}}, 0, make([]CrossStats, 2)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		}()
	}
}

func TestCrossAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts: the race detector empties sync.Pool at random")
	}
	price := randPrices(rand.New(rand.NewPCG(1, 1)), 2520, false)
	pairs := []Pair{{5, 20}, {10, 50}}
	out := make([]CrossStats, 2*len(pairs))
	CrossBacktest(price, 10, 50, 0)
	CrossGridLanes([][]float64{price, price}, pairs, 0, out)
	if a := testing.AllocsPerRun(20, func() { CrossBacktest(price, 10, 50, 0) }); a != 0 {
		t.Errorf("CrossBacktest: %v allocs", a)
	}
	if a := testing.AllocsPerRun(20, func() { CrossGridLanes([][]float64{price, price}, pairs, 0, out) }); a != 0 {
		t.Errorf("CrossGridLanes: %v allocs", a)
	}
}

// Gap-free series without costs take the fast paths (the run-by-run loop
// of CrossGrid, the clean tiles of the SIMD lanes with pairs two at a
// time and an odd one last); they must equal the single backtest exactly.
func TestCrossGridCleanPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	pairs := []Pair{{1, 2}, {5, 20}, {3, 3}, {7, 4}, {10, 50}, {2, 200}, {50, 60}}
	for _, n := range []int{2, 3, 129, 257, 1000} {
		for nl := 1; nl <= Lanes; nl += 3 {
			prices := make([][]float64, nl)
			for l := range prices {
				prices[l] = randPrices(rng, n, false)
			}
			out := make([]CrossStats, nl*len(pairs))
			CrossGridLanes(prices, pairs, 0, out)
			for l, price := range prices {
				grid := make([]CrossStats, len(pairs))
				CrossGrid(price, pairs, 0, grid)
				for k, p := range pairs {
					want := crossRun(AppendReturns(nil, price), AppendRollingMean(nil, price, p.Fast), AppendRollingMean(nil, price, p.Slow), 0)
					if !crossEqual(grid[k], want) {
						t.Fatalf("grid n=%d pair %v:\n got %+v\nwant %+v", n, p, grid[k], want)
					}
					if !crossEqual(out[l*len(pairs)+k], want) {
						t.Fatalf("lanes (simd %v) n=%d lane %d pair %v:\n got %+v\nwant %+v", SIMDEnabled(), n, l, p, out[l*len(pairs)+k], want)
					}
				}
			}
		}
	}
}
