package engine

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// The hand-computed cases use three assets over ten bars (close prices,
// no adj_close, so returns use close):
//
//	bar     0   1   2   3   4   5   6   7   8   9
//	AAA    10  11  12  12  15  12  12  13  14  14
//	BBB    20  20  22  22  22  24  30  30  27  27
//	CCC    50  50  50  55   -   -   -   -   -   -   (delisted after bar 3)
//
// and opens (for next-open):
//
//	AAA    10 10.5 12  12  14  13  12  13  14  14
//	BBB    20  20  21  22  22  23  28  30  28  27
//	CCC    50  50  50  54   -   -   -   -   -   -
var (
	handA  = []float64{10, 11, 12, 12, 15, 12, 12, 13, 14, 14}
	handB  = []float64{20, 20, 22, 22, 22, 24, 30, 30, 27, 27}
	handC  = []float64{50, 50, 50, 55, nan, nan, nan, nan, nan, nan}
	handOA = []float64{10, 10.5, 12, 12, 14, 13, 12, 13, 14, 14}
	handOB = []float64{20, 20, 21, 22, 22, 23, 28, 30, 28, 27}
	handOC = []float64{50, 50, 50, 54, nan, nan, nan, nan, nan, nan}
	nan    = math.NaN()
)

func handPanel(t testing.TB) *Panel {
	t.Helper()
	dates := make([]Date, 10)
	for k := range dates {
		dates[k] = DateOf(2024, 3, 4+k) // consecutive days; the calendar does not matter here
	}
	p, err := NewPanel(dates, []string{"AAA", "BBB", "CCC"})
	if err != nil {
		t.Fatal(err)
	}
	cl := append(append(append([]float64(nil), handA...), handB...), handC...)
	op := append(append(append([]float64(nil), handOA...), handOB...), handOC...)
	if err := p.SetColumn(Close, cl); err != nil {
		t.Fatal(err)
	}
	if err := p.SetColumn(Open, op); err != nil {
		t.Fatal(err)
	}
	return p
}

// schedule is a test strategy: on the listed bars it trades the given
// weights; on the other bars it lets the book drift.
type schedule map[int][]float64

func (s schedule) Decide(v View, w []float64) (bool, error) {
	x, ok := s[v.Bar()]
	if !ok {
		return false, nil
	}
	copy(w, x)
	return true, nil
}

func simulate(t *testing.T, p *Panel, s Strategy, cfg Config) *Result {
	t.Helper()
	res, err := Simulate(p, s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func checkEquity(t *testing.T, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("equity has %d bars, want %d", len(got), len(want))
	}
	for k := range want {
		if !closeRel(got[k], want[k], 1e-14) {
			t.Errorf("V[%d] = %.17g, want %.17g", k, got[k], want[k])
		}
	}
}

func near(t *testing.T, name string, got, want float64) {
	t.Helper()
	if !closeRel(got, want, 1e-12) && !(math.Abs(got-want) < 1e-15) {
		t.Errorf("%s = %.17g, want %.17g", name, got, want)
	}
}

// Drift, fill close: 50% AAA and 50% BBB bought at the close of bar 0 and
// held. Holdings: AAA 0.5·A[t]/10, BBB 0.5·B[t]/20.
//
//	V1 = 0.55+0.5  = 1.05   V2 = 0.6+0.55 = 1.15   V3 = 1.15
//	V4 = 0.75+0.55 = 1.30   V5 = 0.6+0.6  = 1.20   V6 = 0.6+0.75 = 1.35
//	V7 = 0.65+0.75 = 1.40   V8 = 0.7+0.675 = 1.375 V9 = 1.375
func TestSimulateDriftClose(t *testing.T) {
	p := handPanel(t)
	res := simulate(t, p, schedule{0: {0.5, 0.5, 0}}, DefaultConfig())
	checkEquity(t, res.Equity, []float64{1, 1.05, 1.15, 1.15, 1.3, 1.2, 1.35, 1.4, 1.375, 1.375})
	near(t, "turnover", res.Turnover, 1)
	near(t, "costs", res.Costs, 0)
	near(t, "r[2]", res.Returns[2], 1.15/1.05-1)
	if !math.IsNaN(res.Returns[0]) {
		t.Errorf("r[0] = %v, want NaN", res.Returns[0])
	}
	m := res.Metrics
	near(t, "total_return", m.TotalReturn, 0.375)
	near(t, "exposure", m.Exposure, 1)
	// One-sided annualized turnover: Σu/2 · P/n = 1/2 · 252/9 = 14.
	near(t, "turnover metric", m.Turnover, 14)
	near(t, "max_drawdown", m.MaxDrawdown, 1-1.2/1.3)
}

// Fill close with the same decisions as the next-close and next-open
// cases: 100% AAA decided on bar 0, 100% BBB decided on bar 4.
//
//	bar 0: buy 0.1 AAA at 10.  V1..V4 = 0.1·A = 1.1, 1.2, 1.2, 1.5
//	bar 4: sell at 15, buy 1.5/22 BBB. V5..V9 = 1.5·B/22
func TestSimulateFillClose(t *testing.T) {
	p := handPanel(t)
	res := simulate(t, p, schedule{0: {1, 0, 0}, 4: {0, 1, 0}}, DefaultConfig())
	checkEquity(t, res.Equity, []float64{1, 1.1, 1.2, 1.2, 1.5, 1.5 * 24 / 22, 1.5 * 30 / 22, 1.5 * 30 / 22, 1.5 * 27 / 22, 1.5 * 27 / 22})
	near(t, "turnover", res.Turnover, 3) // 1 on bar 0, 2 on bar 4
	near(t, "exposure", res.Metrics.Exposure, 1)
}

// Fill next-close: the bar-0 decision fills at close[1] = 11, the bar-4
// decision at close[5].
//
//	V1 = 1 (cash; buy 1/11 AAA at 11)   V2 = V3 = 12/11   V4 = 15/11
//	V5 = 12/11 (sell AAA at 12, buy (12/11)/24 = 1/22 BBB at 24)
//	V6 = V7 = 30/22   V8 = V9 = 27/22
//
// Bar 1 is spent in cash: exposure 8/9.
func TestSimulateFillNextClose(t *testing.T) {
	p := handPanel(t)
	cfg := DefaultConfig()
	cfg.Fill = FillNextClose
	cfg.Record = true
	res := simulate(t, p, schedule{0: {1, 0, 0}, 4: {0, 1, 0}}, cfg)
	checkEquity(t, res.Equity, []float64{1, 1, 12.0 / 11, 12.0 / 11, 15.0 / 11, 12.0 / 11, 30.0 / 22, 30.0 / 22, 27.0 / 22, 27.0 / 22})
	near(t, "exposure", res.Metrics.Exposure, 8.0/9)
	if len(res.TradeBars) != 2 || res.TradeBars[0] != 1 || res.TradeBars[1] != 5 {
		t.Errorf("trade bars %v, want [1 5]", res.TradeBars)
	}
}

// A next-close decision on bar T-2 would fill on the last bar, where it
// could earn nothing: it is dropped.
func TestSimulateNextCloseLastDecisionDropped(t *testing.T) {
	p := handPanel(t)
	cfg := DefaultConfig()
	cfg.Fill = FillNextClose
	res := simulate(t, p, schedule{0: {0, 0, 0}, 8: {1, 0, 0}}, cfg)
	checkEquity(t, res.Equity, []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	near(t, "turnover", res.Turnover, 0)
}

// Fill next-open: the bar-0 decision fills at open[1] = 10.5, the bar-4
// decision at open[5] (AAA 13, BBB 23).
//
//	V1 = 11/10.5   V2 = V3 = 12/10.5   V4 = 15/10.5
//	bar 5: overnight AAA 15 → 13: value 13/10.5; buy BBB at 23;
//	V5 = (13/10.5)·24/23   V6 = V7 = (13/10.5)·30/23   V8 = V9 = (13/10.5)·27/23
func TestSimulateFillNextOpen(t *testing.T) {
	p := handPanel(t)
	cfg := DefaultConfig()
	cfg.Fill = FillNextOpen
	cfg.Record = true
	res := simulate(t, p, schedule{0: {1, 0, 0}, 4: {0, 1, 0}}, cfg)
	k := 13 / 10.5
	checkEquity(t, res.Equity, []float64{1, 11 / 10.5, 12 / 10.5, 12 / 10.5, 15 / 10.5, k * 24 / 23, k * 30 / 23, k * 30 / 23, k * 27 / 23, k * 27 / 23})
	if len(res.TradeBars) != 2 || res.TradeBars[0] != 1 || res.TradeBars[1] != 5 {
		t.Errorf("trade bars %v, want [1 5]", res.TradeBars)
	}
	// Bar 1 holds AAA from the open: exposed on all 9 return bars.
	near(t, "exposure", res.Metrics.Exposure, 1)
}

// Next-open with adj_close returns: opens are put on the adj_close scale
// by adj_close/close of the same bar. One asset, close 10, 10, 10 with a
// dividend factor: adj_close 9, 9.5, 10; open on bar 1 is 10 (adjusted:
// 10·9.5/10 = 9.5). Buying at the adjusted open 9.5 and marking at
// adj_close 9.5 and 10: V1 = 1, V2 = 10/9.5.
func TestSimulateNextOpenAdjusted(t *testing.T) {
	p, _ := NewPanel([]Date{1, 2, 3}, []string{"X"})
	p.SetColumn(Close, []float64{10, 10, 10})
	p.SetColumn(AdjClose, []float64{9, 9.5, 10})
	p.SetColumn(Open, []float64{10, 10, 10})
	cfg := DefaultConfig()
	cfg.Fill = FillNextOpen
	res := simulate(t, p, schedule{0: {1}}, cfg)
	checkEquity(t, res.Equity, []float64{1, 1, 10 / 9.5})
}

// Costs, fill close: cost 10 bps + spread 20 bps (half paid: 10 bps) =
// 20 bps per unit of turnover, plus a fixed 0.001·V[0] per asset traded.
// 50/50 AAA/BBB on bar 0 and again on bar 4.
//
//	bar 0: u = 1, C = 0.002·1·1 + 2·0.001 = 0.004, V⁺ = 0.996, 0.498 each
//	V1 = 0.498·1.1 + 0.498     = 1.0458
//	V2 = 0.498·1.2 + 0.498·1.1 = 1.1454 = V3
//	V4 = 0.498·1.5 + 0.5478    = 1.2948
//	bar 4: w⁻ = (0.747, 0.5478)/1.2948, u = 0.1992/1.2948,
//	       C = 0.002·0.1992 + 0.002 = 0.0023984, V⁺ = 1.2924016, h = 0.6462008 each
//	V5 = h·12/15 + h·24/22   V6 = h·12/15 + h·30/22   V7 = h·13/15 + h·30/22
//	V8 = V9 = h·14/15 + h·27/22
func TestSimulateCosts(t *testing.T) {
	p := handPanel(t)
	cfg := DefaultConfig()
	cfg.CostBps, cfg.SpreadBps, cfg.FixedCost = 10, 20, 0.001
	cfg.Record = true
	res := simulate(t, p, schedule{0: {0.5, 0.5, 0}, 4: {0.5, 0.5, 0}}, cfg)
	h := 0.6462008
	checkEquity(t, res.Equity, []float64{1, 1.0458, 1.1454, 1.1454, 1.2948,
		h*12/15 + h*24/22, h*12/15 + h*30/22, h*13/15 + h*30/22, h*14/15 + h*27/22, h*14/15 + h*27/22})
	near(t, "costs", res.Costs, 0.0063984)
	near(t, "turnover", res.Turnover, 1+0.1992/1.2948)
	near(t, "costs metric", res.Metrics.Costs, 0.0063984)
	if len(res.Trades) != 4 {
		t.Fatalf("%d trades, want 4: %+v", len(res.Trades), res.Trades)
	}
	tr := res.Trades[2] // AAA on bar 4
	if tr.Bar != 4 || tr.Symbol != "AAA" || tr.Date != p.Dates[4] {
		t.Errorf("trade %+v, want AAA on bar 4", tr)
	}
	near(t, "AAA from", tr.From, 0.747/1.2948)
	near(t, "AAA to", tr.To, 0.5)
	near(t, "AAA cost", tr.Cost, 0.002*0.0996+0.001)
	var sum float64
	for _, tr := range res.Trades {
		sum += tr.Cost
	}
	near(t, "Σ trade costs", sum, res.Costs)
	if len(res.Weights) != 2 || res.Weights[1][0] != 0.5 {
		t.Errorf("weights at trades %v", res.Weights)
	}
}

// Cash interest: 50% AAA on bar 0, the rest in cash. Rates rows: 25.2% from
// bar 2's date, 50.4% from bar 5's. rc[t] = rate[t-1]/100/252:
// rc1 = rc2 = 0 (no rate yet on bars 0 and 1: 2 bars reported),
// rc3..rc5 = 0.001, rc6..rc9 = 0.002.
//
//	cash: c0..c2 = 0.5, c3 = 0.5005, c4 = 0.5·1.001², c5 = 0.5·1.001³,
//	      c6 = c5·1.002, …   V[t] = 0.05·A[t] + c[t]
//
// With 150% AAA (max leverage 2) the cash is -0.5 and pays the same rate:
// V[t] = 0.15·A[t] − 0.5·Π(1+rc).
func TestSimulateCashInterest(t *testing.T) {
	for _, wA := range []float64{0.5, 1.5} {
		p := handPanel(t)
		p.SetRates(&Rates{Dates: []Date{p.Dates[2], p.Dates[5]}, Pct: []float64{25.2, 50.4}})
		cfg := DefaultConfig()
		cfg.MaxLeverage = 2
		res := simulate(t, p, schedule{0: {wA, 0, 0}}, cfg)
		rc := []float64{0, 0, 0, 0.001, 0.001, 0.001, 0.002, 0.002, 0.002, 0.002}
		want := make([]float64, 10)
		c := 1 - wA
		for k := range want {
			c *= 1 + rc[k]
			want[k] = wA/10*handA[k] + c
			near(t, "rc", res.CashReturns[k], rc[k])
		}
		checkEquity(t, res.Equity, want)
		if res.NoRateBars != 2 {
			t.Errorf("NoRateBars = %d, want 2", res.NoRateBars)
		}
	}
	// UseRates off: cash earns nothing and no bar is reported.
	p := handPanel(t)
	p.SetRates(&Rates{Dates: []Date{p.Dates[2]}, Pct: []float64{25.2}})
	cfg := DefaultConfig()
	cfg.UseRates = false
	res := simulate(t, p, schedule{0: {0, 0, 0}}, cfg)
	checkEquity(t, res.Equity, []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	if res.NoRateBars != 0 {
		t.Errorf("NoRateBars = %d with rates off", res.NoRateBars)
	}
}

// Next-open and cash: the whole bar's interest accrues overnight on the
// cash held before the open trade. Rate 25.2% from bar 0: rc = 0.001.
// 100% AAA decided on bar 0, filled at open[1] = 10.5: cash at the open is
// 1.001, all of it buys AAA. V1 = 1.001·11/10.5.
func TestSimulateNextOpenInterest(t *testing.T) {
	p := handPanel(t)
	p.SetRates(&Rates{Dates: []Date{p.Dates[0]}, Pct: []float64{25.2}})
	cfg := DefaultConfig()
	cfg.Fill = FillNextOpen
	res := simulate(t, p, schedule{0: {1, 0, 0}}, cfg)
	near(t, "V1", res.Equity[1], 1.001*11/10.5)
	near(t, "V2", res.Equity[2], 1.001*12/10.5)
}

// Delisting: a third in each asset on bar 0; CCC has no price from bar 4
// and is sold at its last price 55: its value (1/3)·1.1 joins cash.
//
//	V1 = (1.1+1+1)/3   V2 = (1.2+1.1+1)/3   V3 = (1.2+1.1+1.1)/3
//	V4 = (1.5+1.1+1.1)/3   V5 = (1.2+1.2+1.1)/3   V6 = (1.2+1.5+1.1)/3
//	V7 = (1.3+1.5+1.1)/3   V8 = V9 = (1.4+1.35+1.1)/3
func TestSimulateDelisting(t *testing.T) {
	for _, fill := range []Fill{FillClose, FillNextOpen} {
		p := handPanel(t)
		cfg := DefaultConfig()
		cfg.Fill = fill
		res := simulate(t, p, schedule{0: {1.0 / 3, 1.0 / 3, 1.0 / 3}}, cfg)
		if fill == FillClose {
			checkEquity(t, res.Equity, []float64{1, 3.1 / 3, 3.3 / 3, 3.4 / 3, 3.7 / 3, 3.5 / 3, 3.8 / 3, 3.9 / 3, 3.85 / 3, 3.85 / 3})
		}
		if res.Delistings != 1 {
			t.Errorf("%s: %d delistings, want 1", fill, res.Delistings)
		}
	}
	// With next-open, a bar-3 decision to rebalance into CCC fills on bar 4,
	// when CCC has no price: that weight stays in cash and is counted.
	p := handPanel(t)
	cfg := DefaultConfig()
	cfg.Fill = FillNextOpen
	res := simulate(t, p, schedule{0: {0, 0, 0}, 3: {0, 0, 1}}, cfg)
	checkEquity(t, res.Equity, []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	if res.Delistings != 1 {
		t.Errorf("unfillable target: %d delistings, want 1", res.Delistings)
	}
}

func simErr(t *testing.T, p *Panel, s Strategy, cfg Config, wants ...string) {
	t.Helper()
	_, err := Simulate(p, s, cfg)
	if err == nil {
		t.Fatalf("no error, want one containing %q", wants)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

func TestSimulateErrors(t *testing.T) {
	p := handPanel(t)
	cfg := DefaultConfig()
	// A target on CCC on bar 5, when it has no price.
	simErr(t, p, schedule{0: {0.5, 0, 0}, 5: {0.5, 0, 0.1}}, cfg, "CCC", "2024-03-09", "bar 5", "no price")
	// Gross exposure 1.5 with max leverage 1: an error naming the bar, never clipped.
	simErr(t, p, schedule{0: {0, 0, 0}, 3: {0.8, -0.7, 0}}, cfg, "bar 3", "2024-03-07", "1.5", "leverage")
	// Same weights are fine with max leverage 2.
	cfg2 := cfg
	cfg2.MaxLeverage = 2
	if _, err := Simulate(p, schedule{0: {0, 0, 0}, 3: {0.8, -0.7, 0}}, cfg2); err != nil {
		t.Errorf("leverage 1.5 under max 2: %v", err)
	}
	// Non-finite weights.
	simErr(t, p, schedule{0: {math.NaN(), 0, 0}}, cfg, "AAA", "finite", "bar 0")
	simErr(t, p, schedule{0: {0, math.Inf(1), 0}}, cfg, "BBB", "finite")
	// A strategy's own error and panic carry the bar and date.
	simErr(t, p, StrategyFunc(func(v View, w []float64) (bool, error) {
		if v.Bar() == 2 {
			return false, errors.New("boom")
		}
		return false, nil
	}), cfg, "bar 2", "2024-03-06", "boom")
	simErr(t, p, StrategyFunc(func(v View, w []float64) (bool, error) {
		_ = v.Price(0)[v.Bar()+1] // tomorrow
		return false, nil
	}), cfg, "bar 0", "panicked")
	// Bad conventions.
	for _, c := range []func(*Config){
		func(c *Config) { c.CostBps = -1 },
		func(c *Config) { c.SpreadBps = math.NaN() },
		func(c *Config) { c.FixedCost = -1 },
		func(c *Config) { c.InitialCapital = 0 },
		func(c *Config) { c.MaxLeverage = 0 },
		func(c *Config) { c.PeriodsPerYear = 0 },
		func(c *Config) { c.Fill = 7 },
		func(c *Config) { c.Benchmark = []float64{0} },
	} {
		bad := DefaultConfig()
		c(&bad)
		if _, err := Simulate(p, schedule{}, bad); err == nil {
			t.Errorf("config %+v: no error", bad)
		}
	}
	// Next-open without opens.
	q, _ := NewPanel([]Date{1, 2}, []string{"X"})
	q.SetColumn(Close, []float64{1, 2})
	bad := DefaultConfig()
	bad.Fill = FillNextOpen
	simErr(t, q, schedule{}, bad, "open")
	// Costs that eat the whole portfolio.
	bad = DefaultConfig()
	bad.FixedCost = 0.6
	simErr(t, p, schedule{0: {0.5, 0.5, 0}}, bad, "exceed")
	// Empty panel.
	e, _ := NewPanel(nil, []string{"X"})
	simErr(t, e, schedule{}, DefaultConfig(), "no bars")
}

// Bar 0 always trades, even when the strategy says no; one bar gives an
// equity of V[0] only.
func TestSimulateBarZeroAndShortPanels(t *testing.T) {
	p := handPanel(t)
	res := simulate(t, p, StrategyFunc(func(v View, w []float64) (bool, error) {
		w[0] = 1
		return false, nil
	}), DefaultConfig())
	checkEquity(t, res.Equity, []float64{1, 1.1, 1.2, 1.2, 1.5, 1.2, 1.2, 1.3, 1.4, 1.4})

	one := p.Slice(0, 1)
	calls := 0
	res = simulate(t, one, StrategyFunc(func(v View, w []float64) (bool, error) {
		calls++
		return true, nil
	}), DefaultConfig())
	if calls != 0 || len(res.Equity) != 1 || res.Equity[0] != 1 {
		t.Errorf("one bar: %d calls, equity %v", calls, res.Equity)
	}
	if !math.IsNaN(res.Metrics.CAGR) || res.Metrics.TotalReturn != 0 {
		t.Errorf("one bar metrics %+v", res.Metrics)
	}
}

// Decide is called on bars 0..T-2 in order with w zeroed.
func TestSimulateDecideContract(t *testing.T) {
	p := handPanel(t)
	var bars []int
	_, err := Simulate(p, StrategyFunc(func(v View, w []float64) (bool, error) {
		for _, x := range w {
			if x != 0 {
				return false, errors.New("w not zeroed")
			}
		}
		bars = append(bars, v.Bar())
		w[0], w[1] = 0.5, 0.5
		return true, nil
	}), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(bars) != 9 || bars[0] != 0 || bars[8] != 8 {
		t.Errorf("Decide called on %v, want 0..8", bars)
	}
}
