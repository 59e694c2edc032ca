package bench_test

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/rotor-bt/rotor/datasets/synth"
	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/engine/sweep"
	"github.com/rotor-bt/rotor/strategies"
)

// plan builds the plan of a grid and constraint over a registered strategy.
func plan(tb testing.TB, name, grid, where string) (*strategies.Spec, *sweep.Plan) {
	tb.Helper()
	spec, err := strategies.Lookup(name)
	if err != nil {
		tb.Fatal(err)
	}
	g, err := sweep.ParseGrid(grid, spec.Params)
	if err != nil {
		tb.Fatal(err)
	}
	var e *sweep.Expr
	if where != "" {
		if e, err = sweep.ParseExpr(where, spec.Params); err != nil {
			tb.Fatal(err)
		}
	}
	p, err := sweep.NewPlan(name, g, e, 0, 0, sweep.Shard{})
	if err != nil {
		tb.Fatal(err)
	}
	return spec, p
}

// generic is the evaluator of spec without its fast path: one
// engine.Simulate per (asset, point).
func generic(spec *strategies.Spec, p *engine.Panel, cfg engine.Config) engine.Evaluator {
	s := *spec
	s.Fast = nil
	return s.Evaluator(p, cfg)
}

// noopEval fills nothing: the runner's own cost.
type noopEval struct{}

func (noopEval) Evaluate([]engine.Params, []int, []engine.Metrics) error { return nil }

// runSweep runs a whole plan through the sweep runner, as rotor sweep
// does, counting rows; it returns the rows and the last batch's metrics
// sum (so nothing is optimised away).
func runSweep(tb testing.TB, p *sweep.Plan, ev engine.Evaluator, assets []int) int64 {
	return runSweepJ(tb, p, ev, assets, runtime.GOMAXPROCS(0))
}

func runSweepJ(tb testing.TB, p *sweep.Plan, ev engine.Evaluator, assets []int, workers int) int64 {
	st, err := sweep.Run(context.Background(), p.Iter(), ev, sweep.Options{
		Strategy: p.Strategy, Workers: workers, Assets: assets, Total: p.Count(),
	}, func(rows []sweep.Row) error { return nil })
	if err != nil {
		tb.Fatal(err)
	}
	return st.Rows
}

func relDiff(a, b float64) float64 {
	if a == b || math.IsNaN(a) && math.IsNaN(b) {
		return 0
	}
	return math.Abs(a-b) / math.Max(math.Abs(a), math.Abs(b))
}

// checkAgainstGeneric compares every metric of a few (point, asset) pairs
// of the evaluator under test with the generic simulation.
func checkAgainstGeneric(tb testing.TB, name string, fast, slow engine.Evaluator, p *sweep.Plan, assets []int, picks []int, tol float64) {
	tb.Helper()
	var pts []engine.Params
	it := p.Iter()
	for k := 0; ; k++ {
		_, ps, ok := it.Next()
		if !ok {
			break
		}
		for _, pk := range picks {
			if k == pk {
				pts = append(pts, append(engine.Params(nil), ps...))
			}
		}
	}
	n := len(pts) * max(1, len(assets))
	a, b := make([]engine.Metrics, n), make([]engine.Metrics, n)
	if err := fast.Evaluate(pts, assets, a); err != nil {
		tb.Fatal(err)
	}
	if err := slow.Evaluate(pts, assets, b); err != nil {
		tb.Fatal(err)
	}
	for i := range a {
		va, vb := a[i].Values(), b[i].Values()
		for k := range va {
			if d := relDiff(va[k], vb[k]); d > tol {
				tb.Fatalf("%s: row %d %s = %v, generic simulation %v (rel diff %.3g)", name, i, engine.MetricNames[k], va[k], vb[k], d)
			}
		}
	}
}

// BenchmarkSweepSMACross is the per-asset sma_cross sweep of issue 6:
// 100 symbols × 2,520 bars, fast 5..50 step 5 × slow 20..200 step 10 with
// fast<slow (174 points, 17,400 backtests, 43.8 million bar-evaluations),
// in the setting of SEMANTICS §6 (fill close, no costs, no cash rate), run
// through the sweep runner with the registry's evaluator. Sub-benchmarks:
//
//	registry  the full sweep (runner + sma_cross fast path), GOMAXPROCS workers
//	registry-j1  the same with one worker
//	direct    the same evaluator called once on all assets and points, no
//	          runner, one goroutine (compare with registry-j1)
//	noop      the runner with an evaluator that does nothing: its own overhead
//
// bar-evals/s counts (point, asset, bar) triples.
func BenchmarkSweepSMACross(b *testing.B) {
	p, err := synth.Generate(synth.Config{Symbols: 100, Days: 2520, Seed: 7, NoLifecycle: true})
	if err != nil {
		b.Fatal(err)
	}
	cfg := engine.DefaultConfig()
	cfg.UseRates = false
	spec, pl := plan(b, "sma_cross", "fast=5:50:5,slow=20:200:10", "fast<slow")
	if pl.Count() != 174 {
		b.Fatalf("%d points, want 174", pl.Count())
	}
	assets := make([]int, p.N())
	for i := range assets {
		assets[i] = i
	}
	ev := spec.Evaluator(p, cfg)
	checkAgainstGeneric(b, "sma_cross", ev, generic(spec, p, cfg), pl, assets[:9], []int{0, 57, 173}, 1e-9)
	evals := float64(pl.Count()) * float64(p.N()) * float64(p.T())

	b.Run("registry", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if n := runSweep(b, pl, ev, assets); n != 17400 {
				b.Fatalf("%d rows", n)
			}
		}
		b.ReportMetric(evals*float64(b.N)/b.Elapsed().Seconds(), "bar-evals/s")
		b.ReportMetric(17400*float64(b.N)/b.Elapsed().Seconds(), "backtests/s")
	})
	b.Run("registry-j1", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if n := runSweepJ(b, pl, ev, assets, 1); n != 17400 {
				b.Fatalf("%d rows", n)
			}
		}
		b.ReportMetric(evals*float64(b.N)/b.Elapsed().Seconds(), "bar-evals/s")
	})
	b.Run("direct", func(b *testing.B) {
		var pts []engine.Params
		it := pl.Iter()
		for {
			_, ps, ok := it.Next()
			if !ok {
				break
			}
			pts = append(pts, append(engine.Params(nil), ps...))
		}
		out := make([]engine.Metrics, len(pts)*len(assets))
		b.ReportAllocs()
		for b.Loop() {
			if err := ev.Evaluate(pts, assets, out); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(evals*float64(b.N)/b.Elapsed().Seconds(), "bar-evals/s")
	})
	b.Run("noop", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			runSweep(b, pl, noopEval{}, assets)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/sweep")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/17400, "ns/row")
	})
}

// BenchmarkSweepMegacap is the megacap_rotation sweep of issue 6: 12,000
// points (k 1..25 × hold 63..252 step 63 × lag 0..20 step 5 × weighting ×
// direction × rebalance weekly|monthly|quarterly × trigger) on a synthetic
// market of 500 symbols × 5,000 bars with rate cycles, run through the
// sweep runner with the registry's evaluator; a few points are checked
// against the generic simulator first (1e-12 relative).
func BenchmarkSweepMegacap(b *testing.B) {
	p, err := synth.Generate(synth.Config{Symbols: 500, Days: 5000, Seed: 11})
	if err != nil {
		b.Fatal(err)
	}
	cfg := engine.DefaultConfig()
	spec, pl := plan(b, "megacap_rotation",
		"k=1:25,hold=63:252:63,lag=0:20:5,weighting=equal|cap,direction=out|into,rebalance=weekly|monthly|quarterly,trigger=first_cut|first_hike", "")
	if pl.Count() < 10000 {
		b.Fatalf("%d points, want at least 10,000", pl.Count())
	}
	ev := spec.Evaluator(p, cfg)
	checkAgainstGeneric(b, "megacap_rotation", ev, generic(spec, p, cfg), pl, nil, []int{0, 4321, int(pl.Count() - 1)}, 1e-12)
	b.Run(fmt.Sprintf("registry/%dpoints", pl.Count()), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if n := runSweep(b, pl, ev, nil); n != pl.Count() {
				b.Fatalf("%d rows", n)
			}
		}
		b.ReportMetric(float64(pl.Count())*float64(b.N)/b.Elapsed().Seconds(), "points/s")
	})
}

// BenchmarkSweepRunner is the runner alone over a million points of a
// grid with a constraint (no-op evaluator): decoding, constraint, config
// ids, chunking, ordering. ns/point is the overhead every sweep pays.
func BenchmarkSweepRunner(b *testing.B) {
	_, pl := plan(b, "sma_cross", "fast=1:1000,slow=1001:2000", "fast<slow")
	b.ReportAllocs()
	for b.Loop() {
		if n := runSweep(b, pl, noopEval{}, nil); n != 1_000_000 {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ns/point")
}
