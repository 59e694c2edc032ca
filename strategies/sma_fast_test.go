package strategies

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/rotor-bt/rotor/datasets/synth"
	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/engine/kernels"
)

// smaGrid is fast 2..20 step 3 × slow 5..60 step 5, fast < slow.
func smaGrid(t testing.TB, spec *Spec) []engine.Params {
	return pairGrid(t, spec, [3]int{2, 20, 3}, [3]int{5, 60, 5})
}

// pairGrid resolves the points fast = f[0]..f[1] step f[2] × slow =
// s[0]..s[1] step s[2] with fast < slow.
func pairGrid(t testing.TB, spec *Spec, fr, sr [3]int) []engine.Params {
	var pts []engine.Params
	for f := fr[0]; f <= fr[1]; f += fr[2] {
		for s := sr[0]; s <= sr[1]; s += sr[2] {
			if f < s {
				ps, err := spec.Resolve(engine.Params{{Name: "fast", Value: engine.Bars(int64(f))}, {Name: "slow", Value: engine.Bars(int64(s))}})
				if err != nil {
					t.Fatal(err)
				}
				pts = append(pts, ps)
			}
		}
	}
	return pts
}

// sameMetrics compares a fast-path result with the simulator's: total
// return, max drawdown and costs within 1e-12, turnover within 1e-12
// relative, Sharpe and the other ratios within 1e-9 relative, exposure and
// drawdown days exactly, NaN where the other is NaN.
func sameMetrics(t *testing.T, what string, got, want engine.Metrics) {
	t.Helper()
	g, w := got.Values(), want.Values()
	for k, name := range engine.MetricNames {
		a, b := g[k], w[k]
		if math.IsNaN(a) || math.IsNaN(b) {
			if math.IsNaN(a) != math.IsNaN(b) {
				t.Errorf("%s: %s = %v, simulator %v", what, name, a, b)
			}
			continue
		}
		var tol float64
		switch name {
		case "total_return", "max_drawdown", "costs":
			tol = 1e-12
		case "turnover": // Σu: the simulator's pre-trade weight is shares·price/V⁻
			tol = 1e-12 * math.Max(1, math.Abs(b))
		case "max_drawdown_days", "exposure":
			tol = 0
		default:
			tol = 1e-9 * math.Max(1, math.Abs(b))
		}
		if math.Abs(a-b) > tol {
			t.Errorf("%s: %s = %.17g, simulator %.17g (diff %.3g)", what, name, a, b, a-b)
		}
	}
}

func checkFastEqualsSim(t *testing.T, p *engine.Panel, cfg engine.Config) {
	t.Helper()
	spec, _ := Lookup("sma_cross")
	ev := spec.Fast(p, cfg)
	if ev == nil {
		t.Fatal("fast path declined a covered config")
	}
	pts := smaGrid(t, spec)
	assets := make([]int, p.N())
	for i := range assets {
		assets[i] = i
	}
	got := make([]engine.Metrics, len(assets)*len(pts))
	if err := ev.Evaluate(pts, assets, got); err != nil {
		t.Fatal(err)
	}
	want := make([]engine.Metrics, len(got))
	if err := (&simEvaluator{spec: spec, panel: p, cfg: cfg}).Evaluate(pts, assets, want); err != nil {
		t.Fatal(err)
	}
	for a := range assets {
		for k, ps := range pts {
			sameMetrics(t, p.Symbols[a]+" "+ps.String(), got[a*len(pts)+k], want[a*len(pts)+k])
		}
	}
}

func TestSMAFastEqualsSimulatorRandom(t *testing.T) {
	// 11 assets: one full group of 8 lanes and a partial one; missing
	// cells (late listings, delistings, one-day halts) included.
	t.Logf("kernel lanes: SIMD path %v", kernels.SIMDEnabled())
	p := randomPanel(t, 1, 400, 11)
	cfg := engine.DefaultConfig()
	cfg.UseRates = false
	checkFastEqualsSim(t, p, cfg)
	cfg.CostBps, cfg.SpreadBps = 5, 4
	checkFastEqualsSim(t, p, cfg)
}

func TestSMAFastEqualsSimulatorSynthetic(t *testing.T) {
	// Shapes that stress ties and switches: a constant price (every SMA
	// ties: always flat), a straight ramp up and down, a zigzag of period
	// 10, and a price with a gap of missing bars in the middle.
	T := 300
	dates := weekdays(2021, time.January, 4, T)
	flat, up, down, zig, gap := make([]float64, T), make([]float64, T), make([]float64, T), make([]float64, T), make([]float64, T)
	for b := 0; b < T; b++ {
		flat[b] = 50
		up[b] = 10 + 0.25*float64(b)
		down[b] = 100 - 0.25*float64(b)
		zig[b] = 100 + float64(b%10)
		gap[b] = 100 * math.Exp(0.3*math.Sin(float64(b)/15))
		if b >= 140 && b < 150 {
			gap[b] = nan
		}
	}
	p := panelOf(t, dates, []string{"DOWN", "FLAT", "GAP", "UP", "ZIG"}, [][]float64{down, flat, gap, up, zig}, nil)
	cfg := engine.DefaultConfig()
	checkFastEqualsSim(t, p, cfg) // no rates on this panel: covered with UseRates on
	cfg.CostBps = 10
	checkFastEqualsSim(t, p, cfg)
}

func TestSMAFastEqualsSimulatorSynth(t *testing.T) {
	// The synthetic market: adj_close with dividends and splits, IPOs and
	// delistings (NaN runs at either end), fat-tailed returns.
	p, err := synth.Generate(synth.Config{Symbols: 20, Days: 700, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	cfg := engine.DefaultConfig()
	cfg.UseRates = false // the market has rates; the fast path models none
	checkFastEqualsSim(t, p, cfg)
	cfg.CostBps = 2.5
	checkFastEqualsSim(t, p, cfg)
}

// With cash earning the rates and a benchmark the scalar path runs; it
// equals the simulator too.
func TestSMAFastEqualsSimulatorRatesBenchmark(t *testing.T) {
	sp, err := synth.Generate(synth.Config{Symbols: 12, Days: 600, Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*engine.Panel{randomPanel(t, 6, 400, 9), sp} {
		rng := rand.New(rand.NewPCG(3, 4))
		bench := make([]float64, p.T())
		for b := 1; b < p.T(); b++ {
			bench[b] = 0.0003 + 0.01*rng.NormFloat64()
		}
		cfg := engine.DefaultConfig() // UseRates: both panels have rates
		checkFastEqualsSim(t, p, cfg)
		cfg.CostBps, cfg.SpreadBps = 3, 2
		checkFastEqualsSim(t, p, cfg)
		cfg.Benchmark = bench
		checkFastEqualsSim(t, p, cfg)
		cfg.UseRates = false
		checkFastEqualsSim(t, p, cfg)
	}
}

func TestSMAFastCoverage(t *testing.T) {
	spec, _ := Lookup("sma_cross")
	p := randomPanel(t, 2, 50, 2) // has rates
	base := engine.DefaultConfig()
	base.UseRates = false
	if spec.Fast(p, base) == nil {
		t.Fatal("declined fill close without rates")
	}
	for name, mod := range map[string]func(*engine.Config){
		"next-close":       func(c *engine.Config) { c.Fill = engine.FillNextClose },
		"next-open":        func(c *engine.Config) { c.Fill = engine.FillNextOpen },
		"benchmark length": func(c *engine.Config) { c.Benchmark = make([]float64, p.T()-1) },
		"fixed cost":       func(c *engine.Config) { c.FixedCost = 0.001 },
		"leverage 0.5":     func(c *engine.Config) { c.MaxLeverage = 0.5 },
		"cost 1e4 bps":     func(c *engine.Config) { c.CostBps = 1e4 },
		"cost NaN":         func(c *engine.Config) { c.CostBps = math.NaN() },
	} {
		c := base
		mod(&c)
		if spec.Fast(p, c) != nil {
			t.Errorf("%s: fast path accepted a config it does not model", name)
		}
		// The registry falls back to the simulator, which handles it.
		if _, ok := spec.Evaluator(p, c).(*simEvaluator); !ok {
			t.Errorf("%s: Evaluator did not fall back to the simulator", name)
		}
	}
}

func TestSMAFastWholePanel(t *testing.T) {
	spec, _ := Lookup("sma_cross")
	cfg := engine.DefaultConfig()
	cfg.UseRates = false
	pts := smaGrid(t, spec)[:5]
	// One asset: assets == nil runs the fast path on it.
	p1 := randomPanel(t, 3, 200, 1)
	got := make([]engine.Metrics, len(pts))
	if err := spec.Evaluator(p1, cfg).Evaluate(pts, nil, got); err != nil {
		t.Fatal(err)
	}
	want := make([]engine.Metrics, len(pts))
	if err := (&simEvaluator{spec: spec, panel: p1, cfg: cfg}).Evaluate(pts, nil, want); err != nil {
		t.Fatal(err)
	}
	for k := range pts {
		sameMetrics(t, pts[k].String(), got[k], want[k])
	}
	// Several assets: the equal-weight portfolio, simulated (bit-identical).
	p := randomPanel(t, 3, 200, 4)
	if err := spec.Evaluator(p, cfg).Evaluate(pts, nil, got); err != nil {
		t.Fatal(err)
	}
	if err := (&simEvaluator{spec: spec, panel: p, cfg: cfg}).Evaluate(pts, nil, want); err != nil {
		t.Fatal(err)
	}
	for k := range pts {
		if got[k] != want[k] && !(math.IsNaN(got[k].Beta) && got[k].TotalReturn == want[k].TotalReturn) {
			t.Errorf("%s: portfolio mode differs from the simulator", pts[k])
		}
	}
}

func TestSMAFastBadPoint(t *testing.T) {
	spec, _ := Lookup("sma_cross")
	cfg := engine.DefaultConfig()
	p := randomPanel(t, 4, 60, 2)
	cfg.UseRates = false
	bad := engine.Params{{Name: "fast", Value: engine.Bars(30)}, {Name: "slow", Value: engine.Bars(10)}}
	err := spec.Fast(p, cfg).Evaluate([]engine.Params{bad}, []int{0}, make([]engine.Metrics, 1))
	if err == nil || err.Error() != "strategy sma_cross: fast (30) must be less than slow (10)" {
		t.Fatalf("err = %v", err)
	}
}

// Grouping assets and points into calls does not change any result.
func TestSMAFastGroupingInvariant(t *testing.T) {
	spec, _ := Lookup("sma_cross")
	cfg := engine.DefaultConfig()
	cfg.UseRates = false
	p := randomPanel(t, 5, 300, 13)
	pts := smaGrid(t, spec)
	ev := spec.Fast(p, cfg)
	all := make([]int, p.N())
	for i := range all {
		all[i] = i
	}
	whole := make([]engine.Metrics, len(all)*len(pts))
	if err := ev.Evaluate(pts, all, whole); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for _, a := range rng.Perm(p.N()) {
		k := rng.IntN(len(pts))
		one := make([]engine.Metrics, 1)
		if err := ev.Evaluate(pts[k:k+1], []int{a}, one); err != nil {
			t.Fatal(err)
		}
		w := whole[a*len(pts)+k]
		if math.Float64bits(one[0].TotalReturn) != math.Float64bits(w.TotalReturn) || math.Float64bits(one[0].Sharpe) != math.Float64bits(w.Sharpe) {
			t.Errorf("asset %d point %s: alone %v, grouped %v", a, pts[k], one[0], w)
		}
	}
}

// The inline loop of the rates path is bit-identical to its ReturnStats
// reference (same operations in the same order).
func TestCrossScalarInlineEqualsRef(t *testing.T) {
	p := randomPanel(t, 7, 500, 6)
	rate := p.RatePct()
	rc := make([]float64, p.T())
	for b := 1; b < p.T(); b++ {
		if r := rate[b-1]; r == r {
			rc[b] = r / 100 / 252
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	bench := make([]float64, p.T())
	for b := 1; b < p.T(); b++ {
		bench[b] = 0.01 * rng.NormFloat64()
	}
	withNaN := append([]float64(nil), bench...)
	withNaN[100] = math.NaN()
	for i := 0; i < p.N(); i++ {
		x := p.Series(engine.Close, i)
		ret := kernels.AppendReturns(nil, x)
		for _, w := range [][2]int{{3, 10}, {5, 50}, {20, 21}} {
			f := kernels.AppendRollingMean(nil, x, w[0])
			s := kernels.AppendRollingMean(nil, x, w[1])
			for _, c := range []float64{0, 0.0005} {
				for _, r := range [][]float64{nil, rc} {
					for _, b := range [][]float64{nil, bench, withNaN} {
						var bs *benchSums
						if b != nil {
							bs = newBenchSums(b, r)
						}
						got := crossScalar(ret, f, s, r, bs, c, 252)
						want := crossScalarRef(ret, f, s, r, b, c, 252)
						g, wv := got.Values(), want.Values()
						for k := range g {
							if math.Float64bits(g[k]) != math.Float64bits(wv[k]) && !(math.IsNaN(g[k]) && math.IsNaN(wv[k])) {
								t.Fatalf("asset %d %v c=%v rates=%v bench=%v: %s inline %v, reference %v", i, w, c, r != nil, b != nil, engine.MetricNames[k], g[k], wv[k])
							}
						}
					}
				}
			}
		}
	}
}

// The evaluator is safe for concurrent calls (the sweep runner's workers
// share it) and gives the same bits as serial calls, on both paths.
func TestSMAFastConcurrent(t *testing.T) {
	spec, _ := Lookup("sma_cross")
	p := randomPanel(t, 8, 300, 16)
	pts := smaGrid(t, spec)
	for _, useRates := range []bool{false, true} {
		cfg := engine.DefaultConfig()
		cfg.UseRates = useRates
		ev := spec.Evaluator(p, cfg)
		serial := make([][]engine.Metrics, p.N())
		for i := range serial {
			serial[i] = make([]engine.Metrics, len(pts))
			if err := ev.Evaluate(pts, []int{i}, serial[i]); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make(chan string, p.N())
		for i := 0; i < p.N(); i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out := make([]engine.Metrics, len(pts))
				if err := ev.Evaluate(pts, []int{i}, out); err != nil {
					errs <- err.Error()
					return
				}
				for k := range out {
					if math.Float64bits(out[k].Sharpe) != math.Float64bits(serial[i][k].Sharpe) || out[k].TotalReturn != serial[i][k].TotalReturn {
						errs <- fmt.Sprintf("asset %d %s: concurrent %v, serial %v", i, pts[k], out[k], serial[i][k])
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Errorf("rates=%v: %s", useRates, e)
		}
	}
}

// Edge panels: two and three bars (every window longer than the data), an
// asset that never trades, one listed only for its last bar.
func TestSMAFastEdges(t *testing.T) {
	for _, T := range []int{2, 3, 25} {
		dates := weekdays(2022, time.March, 1, T)
		none, last, up := make([]float64, T), make([]float64, T), make([]float64, T)
		for b := range none {
			none[b], last[b], up[b] = nan, nan, 1+float64(b)
		}
		last[T-1] = 7
		p := panelOf(t, dates, []string{"LAST", "NONE", "UP"}, [][]float64{last, none, up}, nil)
		for _, rates := range []bool{false, true} {
			if rates {
				p.SetRates(&engine.Rates{Name: "rate_pct", Dates: dates[:1], Pct: []float64{3}})
			}
			cfg := engine.DefaultConfig()
			checkFastEqualsSim(t, p, cfg)
		}
	}
}
