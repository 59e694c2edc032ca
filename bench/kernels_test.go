package bench_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rotor-bt/rotor/engine/kernels"
)

// Kernel benchmarks: each fast kernel against its reference loop at two
// sizes. Sub-benchmarks are named kernel/impl/size; "fast" ones also report
// x-vs-ref, the reference's time per op over the kernel's, measured by
// alternating short rounds of the two in the same process (the median of
// the per-round ratios), so that the ratio holds even when the load of the
// machine changes between the sub-benchmarks.

// walk is a seeded log-normal random walk of n prices (daily volatility
// 1.5%), no missing values.
func walk(seed uint64, n int) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	p := make([]float64, n)
	x := 100.0
	for i := range p {
		x *= math.Exp(0.0002 + 0.015*rng.NormFloat64())
		p[i] = x
	}
	return p
}

var kernelSizes = []int{2520, 25200}

// benchPair runs fast and ref as sub-benchmarks of b for one size, with
// bars processed per op; fast reports x-vs-ref.
func benchPair(b *testing.B, size int, bars float64, fast, ref func()) {
	b.Run(fmt.Sprintf("fast/%d", size), func(b *testing.B) {
		b.SetBytes(int64(8 * bars))
		b.ReportAllocs()
		cpu0 := cpuSeconds()
		for b.Loop() {
			fast()
		}
		cpu := cpuSeconds() - cpu0
		perFast := b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(bars/perFast, "bars/s")
		b.ReportMetric(bars*float64(b.N)/cpu, "bars/cpu-s")
		b.ReportMetric(speedup(fast, ref), "x-vs-ref")
	})
	b.Run(fmt.Sprintf("ref/%d", size), func(b *testing.B) {
		b.SetBytes(int64(8 * bars))
		b.ReportAllocs()
		for b.Loop() {
			ref()
		}
		b.ReportMetric(bars*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
	})
}

// speedup alternates rounds of about 20 ms of fast and of ref (at least
// one op each) and returns the median over 5 rounds of ref's time per op
// over fast's.
func speedup(fast, ref func()) float64 {
	per := func(f func()) float64 {
		n := 0
		start := time.Now()
		for n < 1 || time.Since(start) < 20*time.Millisecond {
			f()
			n++
		}
		return time.Since(start).Seconds() / float64(n)
	}
	var ratios []float64
	for range 5 {
		tf := per(fast)
		tr := per(ref)
		ratios = append(ratios, tr/tf)
	}
	slices.Sort(ratios)
	return ratios[len(ratios)/2]
}

func BenchmarkReturns(b *testing.B) {
	for _, n := range kernelSizes {
		p := walk(1, n)
		dst := make([]float64, 0, n)
		benchPair(b, n, float64(n),
			func() { dst = kernels.AppendReturns(dst[:0], p) },
			func() { kernels.ReturnsRef(p) })
	}
}

func BenchmarkRollingMean(b *testing.B) {
	for _, n := range kernelSizes {
		p := walk(2, n)
		dst := make([]float64, 0, n)
		benchPair(b, n, float64(n),
			func() { dst = kernels.AppendRollingMean(dst[:0], p, 50) },
			func() { kernels.RollingMeanRef(p, 50) })
	}
}

func BenchmarkRollingStd(b *testing.B) {
	for _, n := range kernelSizes {
		p := walk(3, n)
		dst := make([]float64, 0, n)
		benchPair(b, n, float64(n),
			func() { dst = kernels.AppendRollingStd(dst[:0], p, 63) },
			func() { kernels.RollingStdRef(p, 63) })
	}
}

func BenchmarkEquityDrawdown(b *testing.B) {
	for _, n := range kernelSizes {
		r := kernels.AppendReturns(nil, walk(4, n))
		eq := make([]float64, 0, n)
		benchPair(b, n, float64(n),
			func() {
				eq = kernels.AppendEquity(eq[:0], r)
				kernels.MaxDrawdown(eq)
			},
			func() { kernels.MaxDrawdownRef(kernels.EquityRef(r)) })
	}
}

// BenchmarkDriftReturns: 20 holdings of a 500-asset universe drifting for
// a month (21 bars) and a year (252 bars); bars counts asset-bars.
func BenchmarkDriftReturns(b *testing.B) {
	const N = 500
	rets := make([][]float64, N)
	for i := range rets {
		rets[i] = kernels.AppendReturns(nil, walk(uint64(10+i), 253))
	}
	w0 := make([]float64, N)
	for i := 0; i < N; i += N / 20 {
		w0[i] = 1.0 / 20
	}
	w := make([]float64, N)
	dst := make([]float64, 0, 253)
	for _, T := range []int{22, 253} {
		benchPair(b, T-1, float64(N*(T-1)),
			func() {
				copy(w, w0)
				dst, _ = kernels.AppendDriftReturns(dst[:0], rets, nil, w, 0, T)
			},
			func() {
				copy(w, w0)
				kernels.DriftReturnsRef(rets, nil, w, 0, T)
			})
	}
}

// BenchmarkTopK: the 7 largest of a row of 500 and of 5,000 (the mega-cap
// ranking of SEMANTICS §7); bars counts row elements.
func BenchmarkTopK(b *testing.B) {
	for _, n := range []int{500, 5000} {
		row := walk(5, n)
		dst := make([]int, 0, 7)
		benchPair(b, n, float64(n),
			func() { dst = kernels.AppendTopK(dst[:0], row, 7) },
			func() { kernels.TopKRef(row, 7) })
	}
}

// BenchmarkCrossBacktest is the acceptance benchmark of the crossover
// kernel: one backtest of 2,520 bars (and of 25,200) on one core, against
// the plain per-pair reference loop, for a short, a medium and a long
// pair of windows (the reference's cost grows with the windows).
func BenchmarkCrossBacktest(b *testing.B) {
	for _, pr := range []kernels.Pair{{Fast: 5, Slow: 20}, {Fast: 10, Slow: 50}, {Fast: 50, Slow: 200}} {
		b.Run(fmt.Sprintf("%d-%d", pr.Fast, pr.Slow), func(b *testing.B) {
			for _, n := range kernelSizes {
				p := walk(6, n)
				benchPair(b, n, float64(n),
					func() { kernels.CrossBacktest(p, pr.Fast, pr.Slow, 0) },
					func() { kernels.CrossBacktestRef(p, pr.Fast, pr.Slow, 0) })
			}
		})
	}
}

// sweepPairs is the grid of the sweep benchmark: fast 5..50 step 5 × slow
// 20..200 step 10 with fast < slow (174 pairs).
func sweepPairs() []kernels.Pair {
	var pairs []kernels.Pair
	for f := 5; f <= 50; f += 5 {
		for s := 20; s <= 200; s += 10 {
			if f < s {
				pairs = append(pairs, kernels.Pair{Fast: f, Slow: s})
			}
		}
	}
	return pairs
}

// BenchmarkCrossSweep is the kernel-level sweep of the sweep benchmark:
// every pair on every symbol, symbols in groups of kernels.Lanes shared by
// GOMAXPROCS workers. Sizes: 16 and 100 symbols × 2,520 bars (the full
// size is 43.8 million bar-evaluations). bar-evals/s counts pair × symbol ×
// bar; "lanes" is kernels.CrossGridLanes (SIMD when built with
// GOEXPERIMENT=simd), "grid" is kernels.CrossGrid per symbol.
func BenchmarkCrossSweep(b *testing.B) {
	pairs := sweepPairs()
	for _, nsym := range []int{16, 100} {
		prices := make([][]float64, nsym)
		for i := range prices {
			prices[i] = walk(uint64(100+i), 2520)
		}
		evals := float64(nsym * len(pairs) * 2520)
		for _, impl := range []string{"lanes", "grid"} {
			b.Run(fmt.Sprintf("%s/%dx2520", impl, nsym), func(b *testing.B) {
				b.SetBytes(int64(8 * nsym * 2520))
				b.ReportAllocs()
				cpu0 := cpuSeconds()
				for b.Loop() {
					crossSweep(prices, pairs, impl == "lanes")
				}
				cpu := cpuSeconds() - cpu0
				b.ReportMetric(evals*float64(b.N)/b.Elapsed().Seconds(), "bar-evals/s")
				b.ReportMetric(evals*float64(b.N)/cpu, "bar-evals/cpu-s")
			})
		}
	}
}

// cpuSeconds is the user and system CPU time of the process so far. On a
// machine shared with other work, a rate per CPU-second is what the code
// achieves on the CPU time it gets; times the number of cores, it is the
// wall-clock rate the machine would give it alone (for work that scales).
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

var sweepOut sync.Pool

// crossSweep evaluates pairs on every series with GOMAXPROCS workers
// taking groups of kernels.Lanes series.
func crossSweep(prices [][]float64, pairs []kernels.Pair, lanes bool) {
	groups := (len(prices) + kernels.Lanes - 1) / kernels.Lanes
	workers := min(runtime.GOMAXPROCS(0), groups)
	var next sync.Mutex
	g := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			out, _ := sweepOut.Get().(*[]kernels.CrossStats)
			if out == nil {
				out = new([]kernels.CrossStats)
			}
			if cap(*out) < kernels.Lanes*len(pairs) {
				*out = make([]kernels.CrossStats, kernels.Lanes*len(pairs))
			}
			for {
				next.Lock()
				k := g
				g++
				next.Unlock()
				if k >= groups {
					break
				}
				grp := prices[k*kernels.Lanes : min((k+1)*kernels.Lanes, len(prices))]
				if lanes {
					kernels.CrossGridLanes(grp, pairs, 0, (*out)[:len(grp)*len(pairs)])
					continue
				}
				for _, p := range grp {
					kernels.CrossGrid(p, pairs, 0, (*out)[:len(pairs)])
				}
			}
			sweepOut.Put(out)
		})
	}
	wg.Wait()
}
