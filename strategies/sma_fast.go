package strategies

import (
	"fmt"
	"math"
	"sync"

	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/engine/kernels"
)

// newSMAFast is the shared evaluator of sma_cross in per-asset mode. Per
// call it decodes the (fast, slow) pairs once, then runs
// kernels.CrossGridLanes on up to kernels.Lanes assets at a time: each
// asset's returns, prefix sums and every distinct window's SMA are computed
// once and shared by all pairs, and with the SIMD build eight assets
// advance side by side. The kernel's one-pass sums are converted to the
// metrics of SEMANTICS §4 through engine.ReturnStats, the simulator's own
// conversion.
//
// It covers what the kernel models: fill close, proportional costs and
// spread (no fixed cost), no cash rate (UseRates off or a panel without
// rates), no benchmark, leverage ≥ 1 and at least two bars. For anything
// else it returns nil and the generic per-point simulation is used. On the
// whole panel (assets == nil) with more than one asset, sma_cross is an
// equal-weight portfolio and is simulated point by point.
func newSMAFast(spec *Spec) func(p *engine.Panel, cfg engine.Config) engine.Evaluator {
	return func(p *engine.Panel, cfg engine.Config) engine.Evaluator {
		bps := cfg.CostBps + cfg.SpreadBps/2
		switch {
		case p == nil || p.T() < 2 || p.N() == 0,
			cfg.Fill != engine.FillClose,
			cfg.FixedCost != 0,
			cfg.Benchmark != nil,
			cfg.UseRates && p.RatePct() != nil,
			!(cfg.MaxLeverage >= 1),
			!(cfg.InitialCapital > 0) || math.IsInf(cfg.InitialCapital, 0),
			!(cfg.PeriodsPerYear > 0) || math.IsInf(cfg.PeriodsPerYear, 0),
			!(cfg.CostBps >= 0) || !(cfg.SpreadBps >= 0) || !(bps < 10000):
			return nil
		}
		return &smaFast{
			panel:   p,
			price:   p.PriceField(),
			bps:     bps,
			P:       cfg.PeriodsPerYear,
			generic: &simEvaluator{spec: spec, panel: p, cfg: cfg},
		}
	}
}

type smaFast struct {
	panel   *engine.Panel
	price   engine.Field
	bps     float64
	P       float64
	generic engine.Evaluator
}

// smaScratch is the per-call scratch of smaFast, pooled across calls.
type smaScratch struct {
	pairs  []kernels.Pair
	prices [][]float64
	stats  []kernels.CrossStats
}

var smaPool = sync.Pool{New: func() any { return new(smaScratch) }}

// Evaluate implements engine.Evaluator.
func (e *smaFast) Evaluate(points []engine.Params, assets []int, out []engine.Metrics) error {
	if assets == nil {
		if e.panel.N() != 1 {
			return e.generic.Evaluate(points, nil, out)
		}
		assets = []int{0}
	}
	if len(out) != len(assets)*len(points) {
		return fmt.Errorf("sma_cross: %d results for %d assets × %d points", len(out), len(assets), len(points))
	}
	np := len(points)
	if np == 0 {
		return nil
	}
	sc := smaPool.Get().(*smaScratch)
	defer smaPool.Put(sc)
	sc.pairs = sc.pairs[:0]
	for _, ps := range points {
		f, s, err := smaPoint(ps)
		if err != nil {
			return err
		}
		sc.pairs = append(sc.pairs, kernels.Pair{Fast: f, Slow: s})
	}
	if cap(sc.stats) < kernels.Lanes*np {
		sc.stats = make([]kernels.CrossStats, kernels.Lanes*np)
	}
	for a0 := 0; a0 < len(assets); a0 += kernels.Lanes {
		a1 := min(a0+kernels.Lanes, len(assets))
		sc.prices = sc.prices[:0]
		for _, i := range assets[a0:a1] {
			if i < 0 || i >= e.panel.N() {
				return fmt.Errorf("sma_cross: asset index %d out of range [0, %d)", i, e.panel.N())
			}
			sc.prices = append(sc.prices, e.panel.Series(e.price, i))
		}
		st := sc.stats[:(a1-a0)*np]
		kernels.CrossGridLanes(sc.prices, sc.pairs, e.bps, st)
		for k := range st {
			out[a0*np+k] = CrossMetrics(&st[k], e.P)
		}
	}
	clear(sc.prices[:cap(sc.prices)]) // drop references to the panel
	return nil
}

// smaPoint reads fast and slow from a resolved point, with the checks of
// the generic path (a point that New would reject is rejected the same way).
func smaPoint(ps engine.Params) (fast, slow int, err error) {
	fv, ok1 := ps.Get("fast")
	sv, ok2 := ps.Get("slow")
	if !ok1 || !ok2 {
		return 0, 0, fmt.Errorf("strategy sma_cross: point %s lacks fast or slow (resolve it first)", ps)
	}
	fast, slow = fv.Int(), sv.Int()
	if fast < 1 {
		return 0, 0, fmt.Errorf("strategy sma_cross: parameter fast: %d is out of range (bars in [1, ∞])", fast)
	}
	if fast >= slow {
		return 0, 0, fmt.Errorf("strategy sma_cross: fast (%d) must be less than slow (%d)", fast, slow)
	}
	return fast, slow, nil
}

// CrossMetrics converts the sums of one SMA-crossover backtest (V[0] = 1,
// no cash rate, no benchmark) into the metrics of SEMANTICS §4 through
// engine.ReturnStats.Metrics, the conversion the simulator uses, so both
// paths apply the same formulas and NaN rules. Returns r and excess
// returns x = r − 0 are the same sums; the benchmark sums are NaN (no
// benchmark), which makes beta, alpha, tracking error, information ratio
// and excess CAGR NaN as in the simulator.
func CrossMetrics(st *kernels.CrossStats, P float64) engine.Metrics {
	var s engine.ReturnStats
	s.Reset(1)
	nan := math.NaN()
	s.N = st.N
	s.V = st.Equity
	s.MaxDD = st.MaxDrawdown
	s.MaxDDBars = st.MaxDrawdownDays // already includes an unrecovered drawdown
	if st.N > 0 {
		s.SumR, s.SumR2, s.MinR, s.MaxR = st.Sum, st.SumSq, st.Min, st.Max
		s.SumX, s.SumX2, s.MinX, s.MaxX, s.SumDown2 = st.Sum, st.SumSq, st.Min, st.Max, st.SumDownSq
		s.SumY, s.SumY2, s.SumXY = nan, nan, nan
		s.SumA, s.SumA2 = nan, nan
		s.BenchGrowth = nan
	}
	return s.Metrics(P, float64(st.Switches), st.Costs, st.Exposure)
}
