package strategies

import (
	"fmt"
	"math"
	"sync"

	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/engine/kernels"
)

// newSMAFast is the shared evaluator of sma_cross in per-asset mode. Per
// call it decodes the (fast, slow) pairs once; each asset's returns, prefix
// sums and every distinct window's SMA are then computed once and shared
// by all pairs.
//
// Two paths, both equal to the simulator (total return and drawdown within
// 1e-12, ratios within 1e-9 relative):
//   - no cash rate in effect and no benchmark (the setting of SEMANTICS
//     §6): kernels.CrossGridLanes on up to kernels.Lanes assets at a time
//     (with the SIMD build eight assets advance side by side), its one-pass
//     sums converted to the metrics of §4 through engine.ReturnStats, the
//     simulator's own conversion;
//   - cash earning the panel's rates and/or a benchmark: one scalar pass
//     per (asset, pair) over the shared SMAs that feeds each bar's return,
//     cash return and benchmark return to engine.ReturnStats.
//
// Both cover fill close, proportional costs and spread, leverage ≥ 1 and
// at least two bars. A fixed cost per trade, another fill or an invalid
// config returns nil, and the generic per-point simulation is used. On the
// whole panel (assets == nil) with more than one asset, sma_cross is an
// equal-weight portfolio and is simulated point by point.
func newSMAFast(spec *Spec) func(p *engine.Panel, cfg engine.Config) engine.Evaluator {
	return func(p *engine.Panel, cfg engine.Config) engine.Evaluator {
		bps := cfg.CostBps + cfg.SpreadBps/2
		switch {
		case p == nil || p.T() < 2 || p.N() == 0,
			cfg.Validate() != nil, // the simulator reports it
			cfg.Fill != engine.FillClose,
			cfg.FixedCost != 0,
			cfg.Benchmark != nil && len(cfg.Benchmark) != p.T(),
			!(cfg.MaxLeverage >= 1),
			!(cfg.InitialCapital > 0) || math.IsInf(cfg.InitialCapital, 0),
			!(cfg.PeriodsPerYear > 0) || math.IsInf(cfg.PeriodsPerYear, 0),
			!(cfg.CostBps >= 0) || !(cfg.SpreadBps >= 0) || !(bps < 10000):
			return nil
		}
		e := &smaFast{
			panel:   p,
			price:   p.PriceField(),
			bps:     bps,
			P:       cfg.PeriodsPerYear,
			generic: &simEvaluator{spec: spec, panel: p, cfg: cfg},
		}
		if rate := p.RatePct(); cfg.UseRates && rate != nil {
			// rc[t] = rate_pct[t-1]/100/P, 0 before the first rates row:
			// the simulator's cash return, computed the same way.
			e.rc = make([]float64, p.T())
			for t := 1; t < p.T(); t++ {
				if r := rate[t-1]; r == r {
					e.rc[t] = r / 100 / cfg.PeriodsPerYear
				}
			}
		}
		if cfg.Benchmark != nil {
			e.bench = newBenchSums(cfg.Benchmark, e.rc)
		}
		return e
	}
}

type smaFast struct {
	panel   *engine.Panel
	price   engine.Field
	bps     float64
	P       float64
	rc      []float64 // cash return per bar, nil without rates
	bench   *benchSums
	generic engine.Evaluator
}

// benchSums are the benchmark's per-bar excess returns y = Diff(b, rf) and
// the sums of engine.ReturnStats that depend on the benchmark and the cash
// rate alone, accumulated once in bar order (the order the simulator
// uses, so the bits are the same) and shared by every (asset, pair).
type benchSums struct {
	b, y                    []float64 // per bar, index 0 unused
	sumY, sumY2, minY, maxY float64
	growth                  float64
}

func newBenchSums(b, rc []float64) *benchSums {
	inf := math.Inf(1)
	bs := &benchSums{b: b, y: make([]float64, len(b)), minY: inf, maxY: -inf, growth: 1}
	for t := 1; t < len(b); t++ {
		rf := 0.0
		if rc != nil {
			rf = rc[t]
		}
		y := engine.Diff(b[t], rf)
		bs.y[t] = y
		bs.sumY += y
		bs.sumY2 += y * y
		if y < bs.minY {
			bs.minY = y
		}
		if y > bs.maxY {
			bs.maxY = y
		}
		bs.growth *= 1 + b[t]
	}
	return bs
}

// smaScratch is the per-call scratch of smaFast, pooled across calls.
type smaScratch struct {
	pairs  []kernels.Pair
	prices [][]float64
	stats  []kernels.CrossStats
	// scalar path
	pre     kernels.Prefix
	windows []int       // distinct windows of the pairs
	slot    map[int]int // window → index in windows
	sma     []float64   // len(windows) SMAs of T bars, then the returns
}

var smaPool = sync.Pool{New: func() any { return &smaScratch{slot: map[int]int{}} }}

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
	for _, i := range assets {
		if i < 0 || i >= e.panel.N() {
			return fmt.Errorf("sma_cross: asset index %d out of range [0, %d)", i, e.panel.N())
		}
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
	if e.rc != nil || e.bench != nil {
		e.evaluateScalar(sc, assets, out)
		return nil
	}
	if cap(sc.stats) < kernels.Lanes*np {
		sc.stats = make([]kernels.CrossStats, kernels.Lanes*np)
	}
	for a0 := 0; a0 < len(assets); a0 += kernels.Lanes {
		a1 := min(a0+kernels.Lanes, len(assets))
		sc.prices = sc.prices[:0]
		for _, i := range assets[a0:a1] {
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

// evaluateScalar is the path with cash rates or a benchmark: per asset the
// returns and each distinct window's SMA once, then one pass per pair.
func (e *smaFast) evaluateScalar(sc *smaScratch, assets []int, out []engine.Metrics) {
	T := e.panel.T()
	clear(sc.slot)
	sc.windows = sc.windows[:0]
	for _, p := range sc.pairs {
		for _, w := range [2]int{p.Fast, p.Slow} {
			if _, ok := sc.slot[w]; !ok {
				sc.slot[w] = len(sc.windows)
				sc.windows = append(sc.windows, w)
			}
		}
	}
	nw := len(sc.windows)
	if cap(sc.sma) < (nw+1)*T {
		sc.sma = make([]float64, (nw+1)*T)
	}
	buf := sc.sma[:(nw+1)*T]
	c := e.bps / 10000
	np := len(sc.pairs)
	for a, i := range assets {
		x := e.panel.Series(e.price, i)
		sc.pre.Reset(x)
		for k, w := range sc.windows {
			sc.pre.AppendMean(buf[k*T:k*T], w)
		}
		ret := kernels.AppendReturns(buf[nw*T:nw*T], x)
		for k, p := range sc.pairs {
			f, s := sc.slot[p.Fast], sc.slot[p.Slow]
			out[a*np+k] = crossScalar(ret, buf[f*T:(f+1)*T], buf[s*T:(s+1)*T], e.rc, e.bench, c, e.P)
		}
	}
	sc.pre.X = nil // drop the reference to the panel
}

// crossScalar is the SMA crossover of SEMANTICS §6 with the accounting of
// §3 (fill close): decided on bars 0..T-2 from the SMAs, a switch costs
// c·V, a held bar returns the asset's return (0 on the bar its price goes
// missing, when it is sold at its last price and the position ends), a
// flat bar earns the cash return rc. The sums of engine.ReturnStats are
// kept inline in the order ReturnStats.add keeps them (the benchmark's own
// sums come precomputed in bs), so the result is bit-identical to
// crossScalarRef, which feeds every bar to ReturnStats.AddReturn.
func crossScalar(ret, f, s, rc []float64, bs *benchSums, c, P float64) engine.Metrics {
	T := len(ret)
	ret, f, s = ret[:T], f[:T], s[:T]
	if rc != nil {
		rc = rc[:T]
	}
	var bb, yy []float64
	if bs != nil {
		bb, yy = bs.b[:T], bs.y[:T]
	}
	inf := math.Inf(1)
	v, peak := 1.0, 1.0
	peakBar, maxDDBars := 0, 0
	in := false
	var maxDD, sumR, sumR2, sumX, sumX2, down2, sumXY, sumA, sumA2 float64
	minR, maxR, minX, maxX, minA, maxA := inf, -inf, inf, -inf, inf, -inf
	held := false
	var switches, exposed int
	var costs float64
	for i := 0; i < T-1; i++ {
		g := 1.0
		if tgt := f[i] > s[i]; tgt != held {
			switches++
			costs += c * v
			g = 1 - c
			held = tgt
		}
		rf := 0.0
		if rc != nil {
			rf = rc[i+1]
		}
		var r float64
		if held {
			exposed++
			r = ret[i+1]
			if r-r != 0 {
				r, held = 0, false // delisted at the last price
			}
		} else {
			r = rf
		}
		if g != 1 {
			r = g*(1+r) - 1
		}
		// engine.ReturnStats.add, in its order.
		n := i + 1
		v *= 1 + r
		if v >= peak {
			if in {
				if d := n - peakBar; d > maxDDBars {
					maxDDBars = d
				}
				in = false
			}
			peak, peakBar = v, n
		} else {
			in = true
			if dd := 1 - v/peak; dd > maxDD {
				maxDD = dd
			}
		}
		sumR += r
		sumR2 += r * r
		if r < minR {
			minR = r
		}
		if r > maxR {
			maxR = r
		}
		x := engine.Diff(r, rf)
		sumX += x
		sumX2 += x * x
		if x < 0 {
			down2 += x * x
		}
		if x < minX {
			minX = x
		}
		if x > maxX {
			maxX = x
		}
		if bb != nil {
			sumXY += x * yy[i+1]
			a := engine.Diff(r, bb[i+1])
			sumA += a
			sumA2 += a * a
			if a < minA {
				minA = a
			}
			if a > maxA {
				maxA = a
			}
		}
	}
	var st engine.ReturnStats
	st.Reset(1)
	st.N = T - 1
	st.V, st.Peak, st.PeakBar, st.InDrawdown, st.MaxDD, st.MaxDDBars = v, peak, peakBar, in, maxDD, maxDDBars
	st.SumR, st.SumR2, st.MinR, st.MaxR = sumR, sumR2, minR, maxR
	st.SumX, st.SumX2, st.MinX, st.MaxX, st.SumDown2 = sumX, sumX2, minX, maxX, down2
	if bs != nil {
		st.SumY, st.SumY2, st.MinY, st.MaxY, st.BenchGrowth = bs.sumY, bs.sumY2, bs.minY, bs.maxY, bs.growth
		st.SumXY, st.SumA, st.SumA2, st.MinA, st.MaxA = sumXY, sumA, sumA2, minA, maxA
	} else {
		// No benchmark: b is NaN on every bar, and so are these sums.
		nan := math.NaN()
		st.SumY, st.SumY2, st.SumXY, st.SumA, st.SumA2, st.BenchGrowth = nan, nan, nan, nan, nan, nan
	}
	return st.Metrics(P, float64(switches), costs, exposed)
}

// crossScalarRef is crossScalar through engine.ReturnStats.AddReturn, bar
// by bar: the reference of the inline loop.
func crossScalarRef(ret, f, s, rc, bench []float64, c, P float64) engine.Metrics {
	T := len(ret)
	var st engine.ReturnStats
	st.Reset(1)
	nan := math.NaN()
	held := false
	var switches, exposed int
	var costs float64
	for i := 0; i < T-1; i++ {
		g := 1.0
		if tgt := f[i] > s[i]; tgt != held {
			switches++
			costs += c * st.V
			g = 1 - c
			held = tgt
		}
		rf := 0.0
		if rc != nil {
			rf = rc[i+1]
		}
		var x float64
		if held {
			exposed++
			x = ret[i+1]
			if x-x != 0 {
				x, held = 0, false // delisted at the last price
			}
		} else {
			x = rf
		}
		if g != 1 {
			x = g*(1+x) - 1
		}
		b := nan
		if bench != nil {
			b = bench[i+1]
		}
		st.AddReturn(x, rf, b)
	}
	return st.Metrics(P, float64(switches), costs, exposed)
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
