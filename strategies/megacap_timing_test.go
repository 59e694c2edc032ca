package strategies_test

import (
	"math"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rotor-bt/rotor/datasets/synth"
	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/strategies"
)

// The megacap_rotation sweep of issue 6: 11,520 points on a synthetic
// market of 500 symbols × 5,000 bars (about 20 years): k × direction ×
// weighting × rebalance × lag × hold.
var (
	benchOnce   sync.Once
	benchPanel  *engine.Panel
	benchPoints []engine.Params
	benchErr    error
)

func megacapBenchSetup(tb testing.TB) (*engine.Panel, []engine.Params) {
	tb.Helper()
	benchOnce.Do(func() {
		benchPanel, benchErr = synth.Generate(synth.Config{Symbols: 500, Days: 5000, Seed: 1})
		if benchErr != nil {
			return
		}
		spec, _ := strategies.Lookup("megacap_rotation")
		for _, k := range []int{3, 5, 10, 20, 50} {
			for _, dir := range []string{"out", "into"} {
				for _, wt := range []string{"equal", "cap"} {
					for _, reb := range []string{"weekly", "monthly", "quarterly"} {
						for lag := 0; lag <= 60; lag += 4 {
							for hold := 21; hold <= 252; hold += 21 {
								ps, err := spec.Resolve(engine.Params{
									{Name: "direction", Value: engine.Enum(dir)},
									{Name: "hold", Value: engine.Bars(int64(hold))},
									{Name: "k", Value: engine.Int(int64(k))},
									{Name: "lag", Value: engine.Bars(int64(lag))},
									{Name: "rebalance", Value: engine.Enum(reb)},
									{Name: "weighting", Value: engine.Enum(wt)},
								})
								if err != nil {
									benchErr = err
									return
								}
								benchPoints = append(benchPoints, ps)
							}
						}
					}
				}
			}
		}
	})
	if benchErr != nil {
		tb.Fatal(benchErr)
	}
	return benchPanel, benchPoints
}

func megacapBenchConfig() engine.Config {
	cfg := engine.DefaultConfig()
	cfg.CostBps = 5
	return cfg
}

// evaluateParallel runs the points through ev on GOMAXPROCS goroutines in
// chunks of 64, the way the sweep runner dispatches them.
func evaluateParallel(ev engine.Evaluator, pts []engine.Params, out []engine.Metrics) error {
	const chunk = 64
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= len(pts) {
					return
				}
				hi := min(lo+chunk, len(pts))
				if err := ev.Evaluate(pts[lo:hi], nil, out[lo:hi]); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return err
	}
	return nil
}

// BenchmarkMegacapSweep times the sweep and reports points/s: cold builds
// a new evaluator on every iteration (the shared sleeves, rankings and
// transients are computed inside the timed loop: what one sweep costs),
// warm reuses one whose caches are filled (the per-point composition and
// metrics alone).
func BenchmarkMegacapSweep(b *testing.B) {
	p, pts := megacapBenchSetup(b)
	spec, _ := strategies.Lookup("megacap_rotation")
	cfg := megacapBenchConfig()
	out := make([]engine.Metrics, len(pts))
	report := func(b *testing.B) {
		b.ReportMetric(float64(len(pts))*float64(b.N)/b.Elapsed().Seconds(), "points/s")
		b.ReportMetric(float64(len(pts)), "points")
	}
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := evaluateParallel(spec.Evaluator(p, cfg), pts, out); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
	b.Run("warm", func(b *testing.B) {
		ev := spec.Evaluator(p, cfg)
		if err := evaluateParallel(ev, pts, out); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if err := evaluateParallel(ev, pts, out); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
}

// Points of the benchmark sweep equal the simulator's result for the same
// point (1e-12 relative; absolute below 1).
func TestMegacapBenchPointsEqualSimulate(t *testing.T) {
	if testing.Short() {
		t.Skip("500 × 5,000 market: skipped with -short")
	}
	p, pts := megacapBenchSetup(t)
	if len(pts) < 10000 {
		t.Fatalf("grid has %d points, want ≥ 10,000", len(pts))
	}
	spec, _ := strategies.Lookup("megacap_rotation")
	cfg := megacapBenchConfig()
	out := make([]engine.Metrics, len(pts))
	if err := evaluateParallel(spec.Evaluator(p, cfg), pts, out); err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for j := 0; j < len(pts); j += len(pts)/23 + 1 {
		st, err := spec.New(pts[j])
		if err != nil {
			t.Fatal(err)
		}
		res, err := engine.Simulate(p, st, cfg)
		if err != nil {
			t.Fatal(err)
		}
		want, got := res.Metrics.Values(), out[j].Values()
		for m := range want {
			d := math.Abs(got[m]-want[m]) / math.Max(1, math.Abs(want[m]))
			if d > 1e-12 || math.IsNaN(got[m]) != math.IsNaN(want[m]) {
				t.Fatalf("%s: %s = %.17g, simulator %.17g", pts[j], engine.MetricNames[m], got[m], want[m])
			}
			if d > worst {
				worst = d
			}
		}
	}
	t.Logf("%d points; largest deviation from the simulator %s", len(pts), strconv.FormatFloat(worst, 'g', 3, 64))
}
