package bench_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/rotor-bt/rotor/engine/kernels"
)

// plainRolling is a straightforward one-pass SMA crossover loop with
// running window sums (O(1) per bar), the loop one would write by hand
// without tuning: it is not the kernels' reference (its sums round
// differently and it skips missing-price rules) but a baseline for how
// much of the kernel's speed comes from the O(1) moving averages alone.
// It computes the same statistics as kernels.CrossStats (without costs).
func plainRolling(p []float64, fast, slow int) kernels.CrossStats {
	st := kernels.CrossStats{Equity: 1, Min: math.Inf(1), Max: math.Inf(-1)}
	var sf, ss float64
	v, peak, trough := 1.0, 1.0, 1.0
	peakBar, in := 0, false
	held := false
	for t := 0; t < len(p)-1; t++ {
		sf += p[t]
		ss += p[t]
		if t >= fast {
			sf -= p[t-fast]
		}
		if t >= slow {
			ss -= p[t-slow]
		}
		long := t >= slow-1 && t >= fast-1 && sf/float64(fast) > ss/float64(slow)
		if long != held {
			st.Switches++
			held = long
		}
		r := 0.0
		if held {
			st.Exposure++
			r = p[t+1]/p[t] - 1
		}
		st.N++
		st.Sum += r
		st.SumSq += r * r
		if r < 0 {
			st.SumDownSq += r * r
		}
		st.Min = min(st.Min, r)
		st.Max = max(st.Max, r)
		v *= 1 + r
		if v >= peak {
			if in && t+1-peakBar > st.MaxDrawdownDays {
				st.MaxDrawdownDays = t + 1 - peakBar
			}
			if in {
				st.MaxDrawdown = max(st.MaxDrawdown, 1-trough/peak)
			}
			peak, in = v, false
		} else if !in {
			in, trough, peakBar = true, v, t
		} else {
			trough = min(trough, v)
		}
	}
	if in {
		st.MaxDrawdown = max(st.MaxDrawdown, 1-trough/peak)
		st.MaxDrawdownDays = max(st.MaxDrawdownDays, len(p)-1-peakBar)
	}
	st.Equity = v
	return st
}

// BenchmarkCrossBacktestBaseline times plainRolling on the benchmark's
// series, so that the kernel's speed can also be read against a plain
// O(1) loop (README). It first checks that the baseline does the same work
// (same switches and exposure, equity within 1e-9).
func BenchmarkCrossBacktestBaseline(b *testing.B) {
	for _, pr := range []kernels.Pair{{Fast: 5, Slow: 20}, {Fast: 10, Slow: 50}, {Fast: 50, Slow: 200}} {
		p := walk(6, 2520)
		want := kernels.CrossBacktest(p, pr.Fast, pr.Slow, 0)
		got := plainRolling(p, pr.Fast, pr.Slow)
		if got.Switches != want.Switches || got.Exposure != want.Exposure || math.Abs(got.Equity/want.Equity-1) > 1e-9 {
			b.Fatalf("baseline %+v differs from the kernel %+v", got, want)
		}
		b.Run(fmt.Sprintf("%d-%d/plain-rolling/2520", pr.Fast, pr.Slow), func(b *testing.B) {
			b.SetBytes(8 * 2520)
			b.ReportAllocs()
			for b.Loop() {
				plainRolling(p, pr.Fast, pr.Slow)
			}
			b.ReportMetric(2520*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
			b.ReportMetric(speedup(func() { kernels.CrossBacktest(p, pr.Fast, pr.Slow, 0) }, func() { plainRolling(p, pr.Fast, pr.Slow) }), "kernel-x-vs-plain")
		})
	}
}
