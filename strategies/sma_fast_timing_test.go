package strategies

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/engine/kernels"
)

// benchPanel is the sweep benchmark's market: n symbols × T bars of a
// log-normal random walk, no missing cells.
func benchPanel(b *testing.B, n, T int) *engine.Panel {
	rng := rand.New(rand.NewPCG(42, 1))
	cols := make([][]float64, n)
	syms := make([]string, n)
	for i := range cols {
		syms[i] = string(rune('A'+i/26)) + string(rune('A'+i%26))
		c := make([]float64, T)
		x := 100.0
		for t := range c {
			x *= math.Exp(0.0002 + 0.015*rng.NormFloat64())
			c[t] = x
		}
		cols[i] = c
	}
	return panelOf(b, weekdays(2010, time.January, 4, T), syms, cols, nil)
}

// benchPoints is the grid of the sweep benchmark: fast 5..50 step 5 ×
// slow 20..200 step 10 with fast < slow (174 points).
func benchPoints(b *testing.B, spec *Spec) []engine.Params {
	return pairGrid(b, spec, [3]int{5, 50, 5}, [3]int{20, 200, 10})
}

// BenchmarkSMAFastEvaluate runs the per-asset sma_cross sweep of the
// issue's benchmark (100 symbols × 2,520 bars × 174 points = 43.8 million
// bar-evaluations) through the evaluator, the way the sweep runner calls
// it: GOMAXPROCS workers, each evaluating every point on a share of the
// symbols in groups of kernels.Lanes. Sub-benchmark "kernel" calls
// kernels.CrossGridLanes directly on the same work, so the difference is
// the evaluator's own overhead (decoding points, scratch, conversion).
func BenchmarkSMAFastEvaluate(b *testing.B) {
	const nSym, T = 100, 2520
	spec, _ := Lookup("sma_cross")
	p := benchPanel(b, nSym, T)
	pts := benchPoints(b, spec)
	cfg := engine.DefaultConfig()
	ev := spec.Evaluator(p, cfg)
	if _, ok := ev.(*smaFast); !ok {
		b.Fatal("fast path not selected")
	}
	workers := runtime.GOMAXPROCS(0)
	barEvals := float64(nSym * len(pts) * T)
	run := func(b *testing.B, work func(assets []int, out []engine.Metrics, st []kernels.CrossStats)) {
		out := make([]engine.Metrics, nSym*len(pts))
		st := make([]kernels.CrossStats, nSym*len(pts))
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			var wg sync.WaitGroup
			next := make(chan int, nSym/kernels.Lanes+1)
			for a := 0; a < nSym; a += kernels.Lanes {
				next <- a
			}
			close(next)
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					assets := make([]int, 0, kernels.Lanes)
					for a0 := range next {
						a1 := min(a0+kernels.Lanes, nSym)
						assets = assets[:0]
						for a := a0; a < a1; a++ {
							assets = append(assets, a)
						}
						work(assets, out[a0*len(pts):a1*len(pts)], st[a0*len(pts):a1*len(pts)])
					}
				}()
			}
			wg.Wait()
		}
		b.ReportMetric(barEvals*float64(b.N)/b.Elapsed().Seconds(), "bar-evals/s")
	}
	b.Run("evaluator", func(b *testing.B) {
		run(b, func(assets []int, out []engine.Metrics, _ []kernels.CrossStats) {
			if err := ev.Evaluate(pts, assets, out); err != nil {
				b.Error(err)
			}
		})
	})
	// The scalar path, taken when cash earns the panel's rates.
	pr := benchPanel(b, nSym, T)
	pr.SetRates(&engine.Rates{Name: "rate_pct", Dates: []engine.Date{pr.Dates[0], pr.Dates[T/2]}, Pct: []float64{2, 1.5}})
	evr := spec.Evaluator(pr, cfg)
	b.Run("evaluator-rates", func(b *testing.B) {
		run(b, func(assets []int, out []engine.Metrics, _ []kernels.CrossStats) {
			if err := evr.Evaluate(pts, assets, out); err != nil {
				b.Error(err)
			}
		})
	})
	b.Run("kernel", func(b *testing.B) {
		pairs := make([]kernels.Pair, len(pts))
		for k, ps := range pts {
			f, s, _ := smaPoint(ps)
			pairs[k] = kernels.Pair{Fast: f, Slow: s}
		}
		run(b, func(assets []int, _ []engine.Metrics, st []kernels.CrossStats) {
			prices := make([][]float64, 0, kernels.Lanes)
			for _, a := range assets {
				prices = append(prices, p.Series(engine.Close, a))
			}
			kernels.CrossGridLanes(prices, pairs, 0, st)
		})
	})
}

// BenchmarkCrossScalar is one pass of the scalar path (cash rates, no
// benchmark) over 2,520 bars against its ReturnStats reference.
func BenchmarkCrossScalar(b *testing.B) {
	const T = 2520
	p := benchPanel(b, 1, T)
	x := p.Series(engine.Close, 0)
	ret := kernels.AppendReturns(nil, x)
	f := kernels.AppendRollingMean(nil, x, 20)
	s := kernels.AppendRollingMean(nil, x, 100)
	rc := make([]float64, T)
	for t := range rc {
		rc[t] = 0.02 / 252
	}
	var sink engine.Metrics
	b.Run("inline", func(b *testing.B) {
		for range b.N {
			sink = crossScalar(ret, f, s, rc, nil, 0.0005, 252)
		}
		b.ReportMetric(float64(T)*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
	})
	b.Run("reference", func(b *testing.B) {
		for range b.N {
			sink = crossScalarRef(ret, f, s, rc, nil, 0.0005, 252)
		}
		b.ReportMetric(float64(T)*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
	})
	_ = sink
}
