// Package engine is the core of rotor: the dense price panel (Panel), the
// causal view a strategy decides from (View, Strategy, Preparer), the
// portfolio simulator (Simulate, SimulateInto) with its fills, costs, cash
// and delisting rules, the metrics of docs/semantics.md §4 (ReturnStats,
// ComputeMetrics), benchmark return series (BenchmarkSeries) and the
// causality check (CheckCausal). It is pure Go over plain []float64;
// loading data lives in package datasets.
//
// A user's own strategy implements Strategy (and optionally Preparer) and
// runs with Simulate(panel, strategy, DefaultConfig()); see the Example.
package engine

import (
	"errors"
	"fmt"
	"math"
	"sync"
)

// leverageSlack is the relative tolerance of the leverage check: weights
// that sum to exactly MaxLeverage in real arithmetic (1/3 three times, 1/500
// five hundred times) may exceed it by a few units of rounding.
const leverageSlack = 1e-9

// Simulate runs strategy s over panel p under cfg (SEMANTICS §2–4) and
// returns the equity curve, per-bar returns, cash returns, turnover, costs,
// counts of delistings and bars without a rate, and the metrics of §4.
//
// Timing: Decide is called on bars 0..T-2 with a causal view of data ≤ t.
// With FillClose a trade decided on bar t fills at the price of bar t; with
// FillNextClose at the price of bar t+1 (a decision on bar T-2 would fill
// on the last bar and is dropped); with FillNextOpen at the open of bar
// t+1 (opens are adjusted by adj_close/close of the same bar when returns
// use adj_close). Holdings drift with prices between trades.
//
// Costs of a trade with pre-trade value V⁻ and two-sided turnover u:
// (CostBps + SpreadBps/2)/10000 · u · V⁻ plus FixedCost · V[0] per asset
// whose weight changes. Cash earns rc[t] = rate_pct[t-1]/100/P when
// cfg.UseRates and the panel has rates (0 before the first rates row; such
// bars are counted in Result.NoRateBars).
//
// Errors (never clipped or fixed silently): a non-finite target weight; a
// non-zero target on an asset without a price on the decision bar; gross
// exposure Σ|w| above cfg.MaxLeverage; a strategy's error or panic; the
// portfolio's value falling to zero or below at a trade. Each names the
// bar and its date; callers add the strategy and its parameters.
//
// A held asset whose price turns NaN is sold at its last price (its return
// on that bar is 0) and the proceeds join cash at the close of that bar,
// earning interest from the next bar; the event is counted in
// Result.Delistings. With the next-* fills a target on an asset whose
// price ends between the decision and the fill cannot be filled: that
// weight stays in cash and is counted the same way.
func Simulate(p *Panel, s Strategy, cfg Config) (*Result, error) {
	res := new(Result)
	if err := SimulateInto(res, p, s, cfg); err != nil {
		return nil, err
	}
	return res, nil
}

// SimulateInto is Simulate writing into dst, whose slices (Equity, Returns,
// CashReturns, and Trades, TradeBars and Weights with Record) are reused
// when large enough; everything else in dst is overwritten. The
// simulator's own scratch comes from a pool, so a sweep worker that keeps
// one Result makes no allocation per run beyond its strategy's (with
// Record off). On error dst holds no meaningful result.
func SimulateInto(dst *Result, p *Panel, s Strategy, cfg Config) error {
	sm := simPool.Get().(*sim)
	defer func() {
		sm.release()
		simPool.Put(sm)
	}()
	if err := sm.init(dst, p, s, cfg); err != nil {
		return err
	}
	if err := sm.run(); err != nil {
		return err
	}
	sm.finish()
	return nil
}

var simPool = sync.Pool{New: func() any { return new(sim) }}

// grow returns s resized to n elements, reusing its array when it can; the
// contents are not cleared.
func grow(s []float64, n int) []float64 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]float64, n)
}

// sim is the state of one simulation. All scratch is sized in init (and
// pooled across runs), so the per-bar loop allocates nothing (except trade
// records with Record).
type sim struct {
	p     *Panel
	strat Strategy
	cfg   Config
	T, N  int

	px     []float64 // return price column (asset-major)
	open   []float64 // open column, FillNextOpen only
	close  []float64 // close column to adjust opens, nil when opens are used as they are
	rate   []float64 // rate_pct per bar, nil when cash earns nothing
	rcs    []float64 // cash return per bar (Result.CashReturns)
	equity []float64 // V[t]

	shares  []float64 // units held of each asset (currency / price)
	held    []int     // assets with shares ≠ 0, in column order
	wpre    []float64 // pre-trade weights (zero outside a trade)
	target  []float64 // the strategy's output
	pend    []float64 // target waiting for its fill (next-* fills)
	hasPend bool
	synced  int // last bar whose V is computed
	cash    float64
	exposed int // return bars with holdings not all cash

	costRate float64 // (CostBps + SpreadBps/2) / 10000
	fixed    float64 // FixedCost · V[0]

	res     *Result
	scratch []float64 // backs shares, wpre, target and pend
}

// release drops the references to the run's panel, strategy and result
// before the sim goes back to the pool.
func (sm *sim) release() {
	scratch, held := sm.scratch, sm.held
	*sm = sim{scratch: scratch, held: held[:0]}
}

// Validate checks the conventions of c on their own (the benchmark's
// length is checked by Simulate against the panel): costs finite and ≥ 0,
// capital, leverage and periods per year > 0, a known fill.
func (c Config) Validate() error { return c.check(nil) }

func (c *Config) check(p *Panel) error {
	bad := func(name string, v float64, want string) error {
		return fmt.Errorf("simulate: %s = %v is invalid: want %s", name, v, want)
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case c.Fill > FillNextOpen:
		return fmt.Errorf("simulate: invalid fill %d: want close|next-close|next-open", c.Fill)
	case !finite(c.CostBps) || c.CostBps < 0:
		return bad("cost_bps", c.CostBps, "a finite number ≥ 0")
	case !finite(c.SpreadBps) || c.SpreadBps < 0:
		return bad("spread_bps", c.SpreadBps, "a finite number ≥ 0")
	case !finite(c.FixedCost) || c.FixedCost < 0:
		return bad("fixed_cost", c.FixedCost, "a finite number ≥ 0")
	case !finite(c.InitialCapital) || c.InitialCapital <= 0:
		return bad("initial capital", c.InitialCapital, "a finite number > 0")
	case !(c.MaxLeverage > 0) || math.IsInf(c.MaxLeverage, -1):
		return bad("max_leverage", c.MaxLeverage, "a number > 0")
	case !finite(c.PeriodsPerYear) || c.PeriodsPerYear <= 0:
		return bad("periods_per_year", c.PeriodsPerYear, "a finite number > 0")
	case p != nil && c.Benchmark != nil && len(c.Benchmark) != p.T():
		return fmt.Errorf("simulate: benchmark has %d returns, want one per bar (%d)", len(c.Benchmark), p.T())
	}
	return nil
}

func (sm *sim) init(dst *Result, p *Panel, s Strategy, cfg Config) error {
	if p == nil || p.T() == 0 {
		return errors.New("simulate: the panel has no bars")
	}
	if p.N() == 0 {
		return errors.New("simulate: the panel has no assets")
	}
	if err := cfg.check(p); err != nil {
		return err
	}
	T, N := p.T(), p.N()
	scratch, held := sm.scratch, sm.held
	*sm = sim{p: p, strat: s, cfg: cfg, T: T, N: N, res: dst}
	*dst = Result{
		Equity: grow(dst.Equity, T), Returns: grow(dst.Returns, T), CashReturns: grow(dst.CashReturns, T),
		Trades: dst.Trades[:0], TradeBars: dst.TradeBars[:0], Weights: dst.Weights[:0],
	}
	if cap(scratch) < 4*N {
		scratch = make([]float64, 4*N)
	}
	sm.scratch = scratch[:4*N]
	clear(sm.scratch)
	if cap(held) < N {
		held = make([]int, 0, N)
	}
	sm.held = held[:0]
	pf := p.PriceField()
	sm.px = p.Column(pf)
	if sm.px == nil {
		return errors.New("simulate: the panel has neither adj_close nor close")
	}
	if cfg.Fill == FillNextOpen {
		sm.open = p.Column(Open)
		if sm.open == nil {
			return errors.New("simulate: fill next-open needs an open column, and the data has none")
		}
		if pf == AdjClose {
			sm.close = p.Column(Close)
			if sm.close == nil {
				return errors.New("simulate: fill next-open with adj_close returns needs close to adjust the opens, and the data has none")
			}
		}
	}
	if cfg.UseRates {
		sm.rate = p.RatePct()
	}
	sm.rcs = dst.CashReturns
	clear(sm.rcs)
	sm.cashReturns()
	sm.equity = dst.Equity
	sc := sm.scratch
	sm.shares, sm.wpre, sm.target, sm.pend = sc[:N:N], sc[N:2*N:2*N], sc[2*N:3*N:3*N], sc[3*N:4*N:4*N]
	sm.costRate = (cfg.CostBps + cfg.SpreadBps/2) / 10000
	sm.fixed = cfg.FixedCost * cfg.InitialCapital
	if pr, ok := s.(Preparer); ok {
		return prepare(pr, p)
	}
	return nil
}

// prepare calls pr.Prepare, turning a panic into an error.
func prepare(pr Preparer, p *Panel) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("prepare: strategy panicked: %v", r)
		}
	}()
	if err := pr.Prepare(p); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	return nil
}

// where formats a bar for messages: "bar 17 (2020-03-05)".
func (sm *sim) where(t int) string {
	return fmt.Sprintf("bar %d (%s)", t, sm.p.Dates[t])
}

// decide calls the strategy on bar t with target zeroed, turning a panic
// into an error.
func (sm *sim) decide(t int) (trade bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			trade, err = false, fmt.Errorf("%s: strategy panicked: %v", sm.where(t), r)
		}
	}()
	clear(sm.target)
	trade, err = sm.strat.Decide(NewView(sm.p, t), sm.target)
	if err != nil {
		err = fmt.Errorf("%s: %w", sm.where(t), err)
	}
	return trade, err
}

// checkTarget validates the strategy's weights on decision bar t.
func (sm *sim) checkTarget(t int) error {
	T := sm.T
	gross := 0.0
	for i, w := range sm.target {
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return fmt.Errorf("%s: weight of %s is %v: weights must be finite", sm.where(t), sm.p.Symbols[i], w)
		}
		if w != 0 {
			if x := sm.px[i*T+t]; x != x {
				return fmt.Errorf("%s: target weight %.6g on %s, which has no price on %s (not listed, halted or delisted)", sm.where(t), w, sm.p.Symbols[i], sm.p.Dates[t])
			}
		}
		gross += math.Abs(w)
	}
	if gross > sm.cfg.MaxLeverage*(1+leverageSlack) {
		return fmt.Errorf("%s: gross exposure Σ|w| = %.6g exceeds the maximum leverage %g (weights are never clipped; allow more with --max-leverage)", sm.where(t), gross, sm.cfg.MaxLeverage)
	}
	return nil
}

// cashReturns fills rcs[t] = rate[t-1]/100/P for t ≥ 1 (0 without rates,
// and 0 before the first rates row, counted in NoRateBars).
func (sm *sim) cashReturns() {
	if sm.rate == nil {
		return
	}
	for t := 1; t < sm.T; t++ {
		r := sm.rate[t-1]
		if r != r {
			sm.res.NoRateBars++
			continue
		}
		sm.rcs[t] = r / 100 / sm.cfg.PeriodsPerYear
	}
}

// delist sells the k-th held asset at its last price (bar t-1's) into cash.
func (sm *sim) delist(k, t int) {
	i := sm.held[k]
	sm.cash += sm.shares[i] * sm.px[i*sm.T+t-1]
	sm.shares[i] = 0
	sm.held = append(sm.held[:k], sm.held[k+1:]...)
	sm.res.Delistings++
}

// valueAt returns V[t] = cash + Σ shares·price at the close of bar t,
// delisting held assets without a price.
func (sm *sim) valueAt(t int) float64 {
	T := sm.T
	px, shares := sm.px, sm.shares
	v := sm.cash
	for _, i := range sm.held {
		x := px[i*T+t]
		if x != x {
			return sm.valueAtDelisting(t) // nothing has changed yet: start over
		}
		v += shares[i] * x
	}
	return v
}

// valueAtDelisting is valueAt on a bar where a held asset has no price:
// it sells such assets at their last price and sums in the same order.
func (sm *sim) valueAtDelisting(t int) float64 {
	T := sm.T
	v := sm.cash
	for k := 0; k < len(sm.held); k++ {
		i := sm.held[k]
		x := sm.px[i*T+t]
		if x != x {
			v += sm.shares[i] * sm.px[i*T+t-1]
			sm.delist(k, t)
			k--
			continue
		}
		v += sm.shares[i] * x
	}
	return v
}

// openPrice returns the open of asset i on bar t on the scale of the return
// price (adjusted by adj_close/close of the same bar when returns use
// adj_close), NaN when missing.
func (sm *sim) openPrice(i, t int) float64 {
	k := i*sm.T + t
	o := sm.open[k]
	if sm.close != nil {
		o *= sm.px[k] / sm.close[k]
	}
	return o
}

// valueAtOpen delists held assets without a close on bar t and returns
// cash + Σ shares·open[t]. A held asset with a close but no open is an error.
func (sm *sim) valueAtOpen(t int) (float64, error) {
	T := sm.T
	for k := 0; k < len(sm.held); k++ {
		if i := sm.held[k]; sm.px[i*T+t] != sm.px[i*T+t] {
			sm.delist(k, t)
			k--
		}
	}
	v := sm.cash
	for _, i := range sm.held {
		o := sm.openPrice(i, t)
		if o != o {
			return 0, fmt.Errorf("%s: fill next-open: %s is held and has a close but no open price", sm.where(t), sm.p.Symbols[i])
		}
		v += sm.shares[i] * o
	}
	return v, nil
}

// trade moves the book to weights w on bar t, valuing and filling at the
// close (atOpen false) or the adjusted open. vm is the pre-trade value V⁻.
func (sm *sim) trade(t int, vm float64, w []float64, atOpen bool) error {
	T := sm.T
	price := func(i int) float64 {
		if atOpen {
			return sm.openPrice(i, t)
		}
		return sm.px[i*T+t]
	}
	if !(vm > 0) {
		return fmt.Errorf("%s: the portfolio is worth %.6g before the trade: nothing left to trade", sm.where(t), vm)
	}
	for _, i := range sm.held {
		sm.wpre[i] = sm.shares[i] * price(i) / vm
	}
	u := 0.0
	traded := 0
	for i, x := range w {
		if x != 0 {
			if c := sm.px[i*T+t]; c != c {
				// The price ended between the decision and the fill.
				w[i], x = 0, 0
				sm.res.Delistings++
			} else if atOpen {
				if o := sm.openPrice(i, t); o != o {
					return fmt.Errorf("%s: fill next-open: target weight on %s, which has a close but no open price", sm.where(t), sm.p.Symbols[i])
				}
			}
		}
		if d := x - sm.wpre[i]; d != 0 {
			u += math.Abs(d)
			traded++
		}
	}
	c := sm.costRate*u*vm + sm.fixed*float64(traded)
	vp := vm - c
	if !(vp > 0) {
		return fmt.Errorf("%s: costs of %.6g exceed the portfolio's value %.6g", sm.where(t), c, vm)
	}
	if sm.cfg.Record {
		sm.record(t, vm, w)
	}
	sm.res.Turnover += u
	sm.res.Costs += c
	sm.cash = vp
	sm.held = sm.held[:0]
	for i, x := range w {
		sm.wpre[i] = 0
		if x == 0 {
			sm.shares[i] = 0
			continue
		}
		h := x * vp
		sm.shares[i] = h / price(i)
		sm.cash -= h
		sm.held = append(sm.held, i)
	}
	return nil
}

// record appends the trades of bar t (before wpre is cleared).
func (sm *sim) record(t int, vm float64, w []float64) {
	for i, x := range w {
		d := x - sm.wpre[i]
		if d == 0 {
			continue
		}
		sm.res.Trades = append(sm.res.Trades, Trade{
			Bar: t, Date: sm.p.Dates[t], Asset: i, Symbol: sm.p.Symbols[i],
			From: sm.wpre[i], To: x, Cost: sm.costRate*math.Abs(d)*vm + sm.fixed,
		})
	}
	sm.res.TradeBars = append(sm.res.TradeBars, t)
	sm.res.Weights = append(sm.res.Weights, append([]float64(nil), w...))
}

// run calls the strategy bar by bar and trades; the equity between trades
// is filled in by sync when it is needed (the strategy never sees it).
func (sm *sim) run() error {
	T := sm.T
	fill := sm.cfg.Fill
	sm.cash = sm.cfg.InitialCapital
	sm.equity[0] = sm.cash
	for t := 0; t <= T-2; t++ {
		if sm.hasPend { // a next-* fill of the decision on bar t-1
			sm.hasPend = false
			if fill == FillNextOpen {
				sm.sync(t - 1)
				if err := sm.openStep(t); err != nil {
					return err
				}
			} else {
				sm.sync(t)
				if err := sm.trade(t, sm.equity[t], sm.pend, false); err != nil {
					return err
				}
			}
		}
		trade, err := sm.decide(t)
		if err != nil {
			return err
		}
		if !trade && t > 0 {
			continue
		}
		if err := sm.checkTarget(t); err != nil {
			return err
		}
		if fill == FillClose {
			sm.sync(t)
			if err := sm.trade(t, sm.equity[t], sm.target, false); err != nil {
				return err
			}
			continue
		}
		sm.target, sm.pend = sm.pend, sm.target
		sm.hasPend = true
	}
	// A next-open decision on bar T-2 fills at the open of the last bar and
	// earns its intraday return; a next-close one would earn nothing and is
	// dropped.
	if sm.hasPend && fill == FillNextOpen {
		sm.sync(T - 2)
		if err := sm.openStep(T - 1); err != nil {
			return err
		}
	}
	sm.hasPend = false
	sm.sync(T - 1)
	return nil
}

// syncBlock is the shortest stretch of bars that sync walks asset by
// asset. Shorter stretches (a monthly rebalance is ~21 bars) are walked
// bar by bar: in the asset-major panel each asset's few bars straddle cache
// lines that are loaded again at the next stretch, while a bar-by-bar walk
// keeps every asset's line for eight bars.
var syncBlock = 64 // a variable so that tests can force either walk

// sync computes V[t] for the bars after the last synced one up to to.
// Both walks form each bar's sum in the same order, cash first, then the
// held assets in column order, so the result does not depend on the walk.
func (sm *sim) sync(to int) {
	if to-sm.synced < syncBlock {
		for t := sm.synced + 1; t <= to; t++ {
			sm.cash += sm.cash * sm.rcs[t]
			if len(sm.held) > 0 {
				sm.exposed++
			}
			sm.equity[t] = sm.valueAt(t)
		}
		if to > sm.synced {
			sm.synced = to
		}
		return
	}
	T := sm.T
	for sm.synced < to {
		// Asset by asset over contiguous memory: the cash path first, then
		// each held asset's shares·price. A held asset without a price ends
		// the pass: the bars before it are final and its bar is stepped by
		// valueAt, which sells the asset.
		lo, hi := sm.synced+1, to
		eq := sm.equity[:hi+1]
		rcs := sm.rcs[:hi+1]
		c := sm.cash
		for k := lo; k <= hi; k++ {
			c += c * rcs[k]
			eq[k] = c
		}
		stop := hi + 1 // first bar with a held asset lacking a price
		for _, i := range sm.held {
			sh := sm.shares[i]
			row := sm.px[i*T : i*T+stop]
			for k := lo; k < len(row); k++ {
				x := row[k]
				if x != x {
					stop = k
					break
				}
				eq[k] += sh * x
			}
		}
		if len(sm.held) > 0 {
			sm.exposed += stop - lo
		}
		if stop > hi {
			sm.cash = c
			sm.synced = hi
			return
		}
		c = sm.cash
		for k := lo; k <= stop; k++ {
			c += c * rcs[k]
		}
		sm.cash = c
		if len(sm.held) > 0 {
			sm.exposed++
		}
		sm.equity[stop] = sm.valueAt(stop)
		sm.synced = stop
	}
}

// openStep is bar t of a next-open fill: the overnight leg with the old
// holdings (cash earning the whole bar's rate), the trade at the open, the
// intraday leg with the new holdings. The bars before t are synced.
func (sm *sim) openStep(t int) error {
	sm.cash += sm.cash * sm.rcs[t]
	wasIn := len(sm.held) > 0
	vo, err := sm.valueAtOpen(t)
	if err != nil {
		return err
	}
	if err := sm.trade(t, vo, sm.pend, true); err != nil {
		return err
	}
	if wasIn || len(sm.held) > 0 {
		sm.exposed++
	}
	sm.equity[t] = sm.valueAt(t)
	sm.synced = t
	return nil
}

func (sm *sim) finish() {
	r := sm.res
	T := sm.T
	r.Returns[0] = math.NaN()
	for t := 1; t < T; t++ {
		r.Returns[t] = sm.equity[t]/sm.equity[t-1] - 1
	}
	r.Metrics = ComputeMetrics(MetricInputs{
		Equity:         sm.equity,
		CashReturns:    sm.rcs,
		Benchmark:      sm.cfg.Benchmark,
		Turnover:       r.Turnover,
		Costs:          r.Costs,
		ExposedBars:    sm.exposed,
		PeriodsPerYear: sm.cfg.PeriodsPerYear,
	})
}
