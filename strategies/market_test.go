package strategies

import (
	"math"
	"slices"
	"testing"

	"github.com/rotor-bt/rotor/datasets/synth"
	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/engine/kernels"
)

// On two markets, every strategy's turnover and exposure are what its
// rules imply: each run is simulated with Record, its trade bars and
// target weights are checked against the rule computed here
// independently, and the turnover, exposure and equity are replayed from
// the targets with a plain drift loop (SEMANTICS §3) and compared with the
// simulator's. The markets: an engine-only random one (late listings,
// early delistings, one-day halts, a stepwise rate) and the synthetic
// market of datasets/synth (raw closes with splits beside adj_close,
// dividends, IPOs and delistings, rate cycles).

const marketT, marketN = 520, 12

type market struct {
	name string
	p    *engine.Panel
}

func markets(t *testing.T, seed uint64) []market {
	t.Helper()
	sp, err := synth.Generate(synth.Config{Symbols: 24, Days: 900, Seed: int64(seed)})
	if err != nil {
		t.Fatal(err)
	}
	return []market{
		{"random", randomMarket(t, seed, marketT, marketN, true)},
		{"synth", sp},
	}
}

func marketConfig() engine.Config {
	cfg := engine.DefaultConfig()
	cfg.UseRates = false
	cfg.Record = true
	return cfg
}

func simulate(t *testing.T, p *engine.Panel, name string, kv map[string]string) *engine.Result {
	t.Helper()
	res, err := engine.Simulate(p, build(t, name, kv), marketConfig())
	if err != nil {
		t.Fatalf("%s %v: %v", name, kv, err)
	}
	return res
}

// replay recomputes Σu, the exposed return bars and the equity from the
// recorded targets: positions drift with prices, a position whose price
// goes missing is sold at its last price into cash, and a trade at V⁻
// moves to w·V⁻ with u = Σ|w − w⁻| (no costs, no cash rate).
func replay(t *testing.T, p *engine.Panel, res *engine.Result) {
	t.Helper()
	T, N := p.T(), p.N()
	px := p.Column(p.PriceField())
	pos := make([]float64, N)
	cash, sumU, exposed := 1.0, 0.0, 0
	k := 0
	for b := 0; b < T; b++ {
		v := cash
		if b > 0 {
			in := false
			for i := range pos {
				if pos[i] == 0 {
					continue
				}
				in = true
				if x := px[i*T+b]; x != x {
					cash += pos[i]
					pos[i] = 0
				} else {
					pos[i] *= x / px[i*T+b-1]
				}
			}
			if in {
				exposed++
			}
			v = cash
			for _, h := range pos {
				v += h
			}
			if e := res.Equity[b]; math.Abs(v-e) > 1e-9*e {
				t.Fatalf("bar %d: replayed equity %v, simulator %v", b, v, e)
			}
		}
		if k < len(res.TradeBars) && res.TradeBars[k] == b {
			w := res.Weights[k]
			cash = v
			for i := range pos {
				sumU += math.Abs(w[i] - pos[i]/v)
				pos[i] = w[i] * v
				cash -= pos[i]
			}
			k++
		}
	}
	if math.Abs(sumU-res.Turnover) > 1e-9 {
		t.Errorf("Σu: replayed %v, simulator %v", sumU, res.Turnover)
	}
	n := float64(T - 1)
	if got := res.Metrics.Exposure; got != float64(exposed)/n {
		t.Errorf("exposure: replayed %d/%v, simulator %v", exposed, n, got)
	}
	if got, want := res.Metrics.Turnover, sumU/2*252/n; math.Abs(got-want) > 1e-9 {
		t.Errorf("turnover metric %v, want Σu/2·P/n = %v", got, want)
	}
}

// periodBars are bar 0 and the period ends of p up to T-2.
func periodBars(p *engine.Panel, per engine.Period) []int {
	out := []int{0}
	ends := engine.PeriodEnds(p.Dates, per)
	for b := 1; b <= p.T()-2; b++ {
		if ends[b] {
			out = append(out, b)
		}
	}
	return out
}

func priceAt(p *engine.Panel, i, b int) float64 { return p.At(p.PriceField(), b, i) }

func checkTradeBars(t *testing.T, res *engine.Result, want []int) {
	t.Helper()
	if !slices.Equal(res.TradeBars, want) {
		t.Fatalf("trade bars %v, want %v", res.TradeBars, want)
	}
}

func TestMarketBuyHold(t *testing.T) {
	for _, m := range markets(t, 11) {
		p := m.p
		res := simulate(t, p, "buy_hold", nil)
		checkTradeBars(t, res, []int{0})
		// From cash to fully invested once: Σu = 1. Return bar b is
		// exposed while some asset bought on bar 0 has prices on all of
		// bars 0..b-1 (one that loses its price on b is sold on b, which
		// still counts). Every asset bought on bar 0 whose price ends
		// before the last bar is one delisting.
		if math.Abs(res.Turnover-1) > 1e-12 {
			t.Errorf("%s: Σu %v, want 1", m.name, res.Turnover)
		}
		exposed, del := 0, 0
		alive := make([]bool, p.N())
		for i := range alive {
			alive[i] = priceAt(p, i, 0) == priceAt(p, i, 0)
		}
		for b := 1; b < p.T(); b++ {
			if slices.Contains(alive, true) {
				exposed++
			}
			for i := range alive {
				if alive[i] && priceAt(p, i, b) != priceAt(p, i, b) {
					alive[i] = false
					del++
				}
			}
		}
		if got := res.Metrics.Exposure * float64(p.T()-1); math.Abs(got-float64(exposed)) > 1e-9 || res.Delistings != del {
			t.Errorf("%s: exposed bars %v, delistings %d; want %d and %d", m.name, got, res.Delistings, exposed, del)
		}
		replay(t, p, res)
	}
}

func TestMarketEqualAndCapWeight(t *testing.T) {
	for _, m := range markets(t, 12) {
		testEqualAndCapWeight(t, m.p)
	}
}

func testEqualAndCapWeight(t *testing.T, p *engine.Panel) {
	for _, tc := range []struct {
		name, rebalance string
		per             engine.Period
		size            func(i, b int) float64
	}{
		{"equal_weight", "monthly", engine.Monthly, func(int, int) float64 { return 1 }},
		{"cap_weight", "quarterly", engine.Quarterly, func(i, b int) float64 { return p.At(engine.Close, b, i) * p.At(engine.Shares, b, i) }},
		{"cap_weight", "weekly", engine.Weekly, func(i, b int) float64 { return p.At(engine.Close, b, i) * p.At(engine.Shares, b, i) }},
	} {
		res := simulate(t, p, tc.name, map[string]string{"rebalance": tc.rebalance})
		checkTradeBars(t, res, periodBars(p, tc.per))
		// Each target: size_i / Σ size over the assets with a price.
		for k, b := range res.TradeBars {
			var sum float64
			for i := 0; i < p.N(); i++ {
				if priceAt(p, i, b) == priceAt(p, i, b) {
					sum += tc.size(i, b)
				}
			}
			for i, w := range res.Weights[k] {
				want := 0.0
				if priceAt(p, i, b) == priceAt(p, i, b) {
					want = tc.size(i, b) / sum
				}
				if math.Abs(w-want) > 1e-15 {
					t.Fatalf("%s %s bar %d asset %d: weight %v, want %v", tc.name, tc.rebalance, b, i, w, want)
				}
			}
		}
		// Always invested (some asset trades on every bar), and the
		// turnover is the drift between rebalances: > 1 for more than one
		// rebalance on a moving market.
		if res.Metrics.Exposure != 1 || !(res.Turnover > 1) {
			t.Errorf("%s %s: exposure %v Σu %v", tc.name, tc.rebalance, res.Metrics.Exposure, res.Turnover)
		}
		replay(t, p, res)
	}
}

func TestMarketSMACross(t *testing.T) {
	for _, m := range markets(t, 13) {
		testSMACross(t, m.p)
	}
}

func testSMACross(t *testing.T, p *engine.Panel) {
	fast, slow := 10, 40
	for i := 0; i < p.N(); i++ {
		q := p.Asset(i)
		x := q.Series(q.PriceField(), 0)
		res := simulate(t, q, "sma_cross", map[string]string{"fast": "10", "slow": "40"})
		// The rule, from the reference SMAs: long on bar b when
		// SMA10 > SMA40. A long bar b makes return bar b+1 exposed; a
		// switch moves the weight by 1 unless the position was already
		// sold because its price went missing.
		f, s := kernels.RollingMeanRef(x, fast), kernels.RollingMeanRef(x, slow)
		// The strategy trades when its signal changes (intent); the
		// turnover counts what actually moves.
		held, prev, exposed, u := false, false, 0, 0.0
		var bars []int
		for b := 0; b <= q.T()-2; b++ {
			if held && x[b] != x[b] {
				held = false // delisted at its last price
			}
			long := f[b] > s[b]
			if b == 0 || long != prev {
				bars = append(bars, b)
			}
			if long != held {
				u++
			}
			held, prev = long, long
			if long {
				exposed++
			}
		}
		if !slices.Equal(res.TradeBars, bars) {
			t.Errorf("%s: trade bars %v, want %v", p.Symbols[i], res.TradeBars, bars)
		}
		if res.Turnover != u {
			t.Errorf("%s: Σu %v, want %v switches", p.Symbols[i], res.Turnover, u)
		}
		if got := res.Metrics.Exposure * float64(q.T()-1); math.Abs(got-float64(exposed)) > 1e-9 {
			t.Errorf("%s: exposed bars %v, want %d", p.Symbols[i], got, exposed)
		}
		replay(t, q, res)
	}
}

func TestMarketTSMomentum(t *testing.T) {
	for _, m := range markets(t, 14) {
		testTSMomentum(t, m.p)
	}
}

func testTSMomentum(t *testing.T, p *engine.Panel) {
	L, th := 60, 0.05
	res := simulate(t, p, "ts_momentum", map[string]string{"lookback": "60", "threshold": "0.05", "every": "5"})
	var want []int
	for b := 0; b <= p.T()-2; b += 5 {
		want = append(want, b)
	}
	checkTradeBars(t, res, want)
	someLong, someCash := false, false
	for k, b := range res.TradeBars {
		var long []int
		for i := 0; b >= L && i < p.N(); i++ {
			if priceAt(p, i, b)/priceAt(p, i, b-L)-1 > th {
				long = append(long, i)
			}
		}
		someLong = someLong || len(long) > 0
		someCash = someCash || len(long) == 0
		for i, w := range res.Weights[k] {
			want := 0.0
			if slices.Contains(long, i) {
				want = 1 / float64(len(long))
			}
			if w != want {
				t.Fatalf("bar %d asset %d: weight %v, want %v (long %v)", b, i, w, want, long)
			}
		}
	}
	if !someLong || !someCash {
		t.Errorf("the market should have both long and all-cash rebalances (long %v, cash %v)", someLong, someCash)
	}
	// Exposure: < 1, since the first L bars (and all-cash rebalances) hold nothing.
	if !(res.Metrics.Exposure < 1 && res.Metrics.Exposure > 0) {
		t.Errorf("exposure %v, want in (0, 1)", res.Metrics.Exposure)
	}
	replay(t, p, res)
}

func TestMarketXSMomentum(t *testing.T) {
	for _, m := range markets(t, 15) {
		testXSMomentum(t, m.p)
	}
}

func testXSMomentum(t *testing.T, p *engine.Panel) {
	L, S, top := 60, 5, 3
	res := simulate(t, p, "xs_momentum", map[string]string{"lookback": "60", "skip": "5", "top_n": "3", "rebalance": "monthly"})
	checkTradeBars(t, res, periodBars(p, engine.Monthly))
	for k, b := range res.TradeBars {
		score := func(i int) float64 { return priceAt(p, i, b-S)/priceAt(p, i, b-L) - 1 }
		var eligible []int
		for i := 0; b >= L && i < p.N(); i++ {
			if s := score(i); s == s && priceAt(p, i, b) == priceAt(p, i, b) {
				eligible = append(eligible, i)
			}
		}
		var held []int
		for i, w := range res.Weights[k] {
			if w != 0 {
				held = append(held, i)
			}
		}
		if len(held) != min(top, len(eligible)) {
			t.Fatalf("bar %d: %d held, want min(%d, %d eligible)", b, len(held), top, len(eligible))
		}
		for _, i := range held {
			if res.Weights[k][i] != 1/float64(len(held)) {
				t.Fatalf("bar %d: weight %v, want 1/%d", b, res.Weights[k][i], len(held))
			}
			for _, j := range eligible {
				if !slices.Contains(held, j) && score(j) > score(i) {
					t.Fatalf("bar %d: holds %s (%.4f) but not %s (%.4f)", b, p.Symbols[i], score(i), p.Symbols[j], score(j))
				}
			}
		}
	}
	replay(t, p, res)
}

func TestMarketRateRegime(t *testing.T) {
	for _, m := range markets(t, 16) {
		testRateRegime(t, m.p)
	}
}

func testRateRegime(t *testing.T, p *engine.Panel) {
	// Independent regime: for each bar, scan every rates row dated on or
	// before it and keep the sign of the last change.
	r := p.Rates()
	reg := make([]int, p.T())
	for b, d := range p.Dates {
		for j := 1; j < len(r.Dates) && r.Dates[j] <= d; j++ {
			if r.Pct[j] < r.Pct[j-1] {
				reg[b] = -1
			} else if r.Pct[j] > r.Pct[j-1] {
				reg[b] = 1
			}
		}
	}
	res := simulate(t, p, "rate_regime", map[string]string{"falling": "cash", "rising": "equal", "initial": "equal", "rebalance": "quarterly"})
	want := periodBars(p, engine.Quarterly)
	changes, falling := 0, 0
	for b := 1; b <= p.T()-2; b++ {
		if reg[b] != reg[b-1] {
			changes++
			want = append(want, b)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	checkTradeBars(t, res, want)
	// Exposed on return bar b exactly when bar b-1 was not falling (some
	// asset has a price on every bar of both markets).
	for b := 1; b < p.T(); b++ {
		if reg[b-1] == -1 {
			falling++
		}
	}
	if changes < 2 || falling == 0 {
		t.Fatalf("the market should have several regimes (changes %d, falling bars %d)", changes, falling)
	}
	n := float64(p.T() - 1)
	if got := res.Metrics.Exposure; math.Abs(got-(n-float64(falling))/n) > 1e-12 {
		t.Errorf("exposure %v, want 1 - %d/%v", got, falling, n)
	}
	replay(t, p, res)
}
