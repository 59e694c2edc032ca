package strategies_test

import (
	"math"
	"slices"
	"testing"

	"github.com/rotor-bt/rotor/datasets/synth"
	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/strategies"
)

func synthMarket(t testing.TB, n, days int, seed int64) *synth.Market {
	t.Helper()
	m, err := synth.GenerateMarket(synth.Config{Symbols: n, Days: days, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func megacap(t testing.TB, kv map[string]string) engine.Strategy {
	t.Helper()
	spec, err := strategies.Lookup("megacap_rotation")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := spec.Parse(kv)
	if err != nil {
		t.Fatal(err)
	}
	s, err := spec.New(ps)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The events megacap_rotation finds are the first cuts the generator put in.
func TestMegacapSynthEvents(t *testing.T) {
	m := synthMarket(t, 30, 3000, 5)
	ev, err := strategies.FindRotationEvents(m.Panel, engine.FirstCut)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.FirstCuts) < 2 || !slices.Equal(eventDates(ev.Events), m.FirstCuts) {
		t.Fatalf("found %v, the generator put in %v", eventDates(ev.Events), m.FirstCuts)
	}
	for j, b := range ev.Bars {
		if m.Panel.Dates[b] != m.FirstCuts[j] {
			t.Fatalf("event %d on bar %d (%s), want %s", j, b, m.Panel.Dates[b], m.FirstCuts[j])
		}
	}
	hk, _ := strategies.FindRotationEvents(m.Panel, engine.FirstHike)
	if !slices.Equal(eventDates(hk.Events), m.FirstHikes) {
		t.Fatalf("found hikes %v, the generator put in %v", eventDates(hk.Events), m.FirstHikes)
	}
}

func eventDates(ev []engine.Event) []engine.Date {
	out := make([]engine.Date, len(ev))
	for j, e := range ev {
		out[j] = e.Date
	}
	return out
}

// On a market with a known first cut, megacap_rotation switches exactly
// lag bars after it at the close, holds the rotated set for hold bars, and
// trades only on bar 0, the scheduled rebalances, the switch and the exit.
func TestMegacapSynthSwitchAndHold(t *testing.T) {
	m := synthMarket(t, 60, 1500, 3)
	p := m.Panel
	const lag, hold, k = 5, 40, 7
	// Episodes [s, x) from every first cut (far apart in this market).
	var eps [][2]int
	for _, cut := range m.FirstCuts {
		tau, _ := slices.BinarySearch(p.Dates, cut)
		if s := tau + lag; s < p.T()-1 {
			eps = append(eps, [2]int{s, s + hold})
		}
	}
	if len(eps) == 0 || eps[0][1] >= p.T()-1 {
		t.Fatalf("fixture: first cuts %v", m.FirstCuts)
	}
	switchOrExit := func(b int) bool {
		for _, e := range eps {
			if b == e[0] || b == e[1] {
				return true
			}
		}
		return false
	}
	inEpisode := func(b int) bool {
		for _, e := range eps {
			if b >= e[0] && b < e[1] {
				return true
			}
		}
		return false
	}
	cfg := engine.DefaultConfig()
	cfg.Record, cfg.CostBps = true, 10
	res, err := engine.Simulate(p, megacap(t, map[string]string{
		"k": "7", "lag": "5", "hold": "40", "rebalance": "monthly", "direction": "out", "weighting": "equal",
	}), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ends := engine.PeriodEnds(p.Dates, engine.Monthly)
	var want []int
	for b := 0; b < p.T()-1; b++ {
		if b == 0 || ends[b] || switchOrExit(b) {
			want = append(want, b)
		}
	}
	if !slices.Equal(res.TradeBars, want) {
		t.Fatalf("trade bars %v, want %v", res.TradeBars, want)
	}
	size, _ := engine.SizeColumn(p)
	T := p.T()
	top := func(b int) map[int]bool { // the k largest eligible on bar b
		var el []int
		for i := 0; i < p.N(); i++ {
			if px := p.At(p.PriceField(), b, i); px == px && size[i*T+b] > 0 {
				el = append(el, i)
			}
		}
		return largest(size, T, b, el, k)
	}
	turnover := 0.0
	for j, b := range res.TradeBars {
		w := res.Weights[j]
		rotated := inEpisode(b)
		big := top(b)
		for i, wi := range w {
			if rotated && big[i] && wi != 0 {
				t.Fatalf("bar %d (rotated): weight %v on mega-cap %s", b, wi, p.Symbols[i])
			}
			if !rotated && wi == 0 && p.At(p.PriceField(), b, i) == p.At(p.PriceField(), b, i) && size[i*T+b] > 0 {
				t.Fatalf("bar %d (base): no weight on eligible %s", b, p.Symbols[i])
			}
		}
	}
	for _, tr := range res.Trades {
		turnover += math.Abs(tr.To - tr.From)
	}
	if math.Abs(turnover-res.Turnover) > 1e-12*res.Turnover {
		t.Fatalf("turnover %v, sum over trades %v", res.Turnover, turnover)
	}
	if res.Metrics.Exposure != 1 {
		t.Fatalf("exposure %v: the book is never all cash", res.Metrics.Exposure)
	}
}

// With daily rebalancing and no costs or cash rate, the run equals the
// base (cap-weighted) portfolio's returns up to the switch bar, the rotated
// set's for exactly hold bars, then the base's again — both portfolios
// computed here by hand from the size column.
func TestMegacapSynthComposesByHand(t *testing.T) {
	m := synthMarket(t, 50, 1200, 11)
	p := m.Panel
	T, N := p.T(), p.N()
	if len(m.FirstCuts) == 0 {
		t.Fatal("fixture: no first cut")
	}
	for _, c := range []struct {
		lag, hold, k int
		dir, wt      string
	}{{0, 30, 7, "out", "equal"}, {10, 100, 5, "into", "cap"}, {3, 1, 10, "out", "cap"}} {
		rotated := make([]bool, T) // episodes of every first cut, merged
		for _, cut := range m.FirstCuts {
			tau, _ := slices.BinarySearch(p.Dates, cut)
			for b := tau + c.lag; b < tau+c.lag+c.hold && b < T; b++ {
				rotated[b] = true
			}
		}
		cfg := engine.DefaultConfig()
		cfg.UseRates = false
		res, err := engine.Simulate(p, megacap(t, map[string]string{
			"k": itoa(c.k), "lag": itoa(c.lag), "hold": itoa(c.hold), "rebalance": "daily",
			"direction": c.dir, "weighting": c.wt,
		}), cfg)
		if err != nil {
			t.Fatal(err)
		}
		size, _ := engine.SizeColumn(p)
		px := p.Column(p.PriceField())
		weights := func(b int, rotated bool) []float64 {
			var el []int
			for i := 0; i < N; i++ {
				if q := px[i*T+b]; q == q && size[i*T+b] > 0 {
					el = append(el, i)
				}
			}
			w := make([]float64, N)
			set := el
			if rotated {
				big := largest(size, T, b, el, c.k)
				set = nil
				for _, i := range el {
					if big[i] == (c.dir == "into") {
						set = append(set, i)
					}
				}
			}
			sum := 0.0
			for _, i := range set {
				sum += size[i*T+b]
			}
			for _, i := range set {
				if rotated && c.wt == "equal" {
					w[i] = 1 / float64(len(set))
				} else {
					w[i] = size[i*T+b] / sum
				}
			}
			return w
		}
		v := 1.0
		for b := 0; b+1 < T; b++ {
			w := weights(b, rotated[b])
			r := 0.0
			for i, wi := range w {
				if wi != 0 {
					if q := px[i*T+b+1]; q == q { // a delisted asset is sold at its last price: 0
						r += wi * (q/px[i*T+b] - 1)
					}
				}
			}
			v *= 1 + r
			if got := res.Equity[b+1]; math.Abs(got-v) > 1e-12*v {
				t.Fatalf("%+v: V[%d] = %.15g, composed by hand %.15g", c, b+1, got, v)
			}
		}
	}
}

// largest returns the k assets of el (column order) with the largest size
// on bar b, ties by column order.
func largest(size []float64, T, b int, el []int, k int) map[int]bool {
	byS := slices.Clone(el)
	slices.SortStableFunc(byS, func(a, c int) int {
		switch za, zc := size[a*T+b], size[c*T+b]; {
		case za > zc:
			return -1
		case za < zc:
			return 1
		}
		return 0
	})
	out := map[int]bool{}
	for _, i := range byS[:min(k, len(byS))] {
		out[i] = true
	}
	return out
}

func itoa(n int) string {
	return engine.Int(int64(n)).String()
}
