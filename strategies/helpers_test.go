package strategies

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/rotor-bt/rotor/engine"
)

var nan = math.NaN()

// weekdays returns n weekdays starting on (or after) y-m-d.
func weekdays(y int, m time.Month, d int, n int) []engine.Date {
	out := make([]engine.Date, 0, n)
	for day := engine.DateOf(y, m, d); len(out) < n; day++ {
		if wd := day.Time().Weekday(); wd != time.Saturday && wd != time.Sunday {
			out = append(out, day)
		}
	}
	return out
}

// panelOf builds a panel whose close column is cols[i] for asset i.
// Extra columns come as field → per-asset series.
func panelOf(t testing.TB, dates []engine.Date, syms []string, cols [][]float64, extra map[engine.Field][][]float64) *engine.Panel {
	t.Helper()
	p, err := engine.NewPanel(dates, syms)
	if err != nil {
		t.Fatal(err)
	}
	fill := func(f engine.Field, c [][]float64) {
		col := p.AddColumn(f)
		if len(c) != len(syms) {
			t.Fatalf("%s: %d series for %d symbols", f, len(c), len(syms))
		}
		for i, s := range c {
			if len(s) != len(dates) {
				t.Fatalf("%s of %s: %d values for %d dates", f, syms[i], len(s), len(dates))
			}
			copy(col[i*len(dates):], s)
		}
	}
	fill(engine.Close, cols)
	for f, c := range extra {
		fill(f, c)
	}
	return p
}

// decision is what a strategy did on one bar.
type decision struct {
	trade bool
	w     []float64
}

// decide runs s over bars 0..T-2 the way the simulator does (Prepare, then
// Decide with w zeroed) and returns every decision.
func decide(t testing.TB, s engine.Strategy, p *engine.Panel) []decision {
	t.Helper()
	if pr, ok := s.(engine.Preparer); ok {
		if err := pr.Prepare(p); err != nil {
			t.Fatal(err)
		}
	}
	out := make([]decision, p.T()-1)
	for b := range out {
		w := make([]float64, p.N())
		tr, err := s.Decide(engine.NewView(p, b), w)
		if err != nil {
			t.Fatalf("bar %d: %v", b, err)
		}
		out[b] = decision{tr, w}
	}
	return out
}

// build resolves kv for strategy name and builds it.
func build(t testing.TB, name string, kv map[string]string) engine.Strategy {
	t.Helper()
	spec, err := Lookup(name)
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

// checkDecisions compares decisions with the expected trade bars and
// weights (want[b] == nil: no trade on bar b).
func checkDecisions(t *testing.T, got []decision, want [][]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d decisions, want %d", len(got), len(want))
	}
	for b := range want {
		if (want[b] != nil) != got[b].trade {
			t.Errorf("bar %d: trade=%v, want %v", b, got[b].trade, want[b] != nil)
			continue
		}
		if want[b] == nil {
			continue
		}
		for i := range want[b] {
			if math.Abs(got[b].w[i]-want[b][i]) > 1e-15 {
				t.Errorf("bar %d: weights %v, want %v", b, got[b].w, want[b])
				break
			}
		}
	}
}

// randomPanel is a random market of n assets over T weekdays from 2020:
// log-normal closes, volumes, shares, a few missing cells (late listings,
// early delistings, one-day halts) and a stepwise rate series.
func randomPanel(t testing.TB, seed uint64, T, n int) *engine.Panel {
	t.Helper()
	return randomMarket(t, seed, T, n, true)
}

// randomMarket is randomPanel with or without the one-day halts (a halt of
// a held asset is a delisting: it is sold and stays out until the next
// decision).
func randomMarket(t testing.TB, seed uint64, T, n int, halts bool) *engine.Panel {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	dates := weekdays(2020, time.January, 1, T)
	syms := make([]string, n)
	for i := range syms {
		syms[i] = string(rune('A'+i/26)) + string(rune('A'+i%26))
	}
	closes := make([][]float64, n)
	vols := make([][]float64, n)
	shares := make([][]float64, n)
	for i := range closes {
		c, v, s := make([]float64, T), make([]float64, T), make([]float64, T)
		x := 20 + 80*rng.Float64()
		sh := 1e6 * (1 + 10*rng.Float64())
		start, end := 0, T
		if i%5 == 1 {
			start = rng.IntN(T / 3)
		}
		if i%7 == 2 {
			end = T - rng.IntN(T/3) - 1
		}
		for b := range c {
			x *= math.Exp(0.0003 + 0.02*rng.NormFloat64())
			c[b], v[b], s[b] = x, 1e5*(1+rng.Float64()), sh
			if b < start || b >= end || rng.IntN(200) == 0 && halts {
				c[b], v[b], s[b] = nan, nan, nan
			}
		}
		closes[i], vols[i], shares[i] = c, v, s
	}
	p := panelOf(t, dates, syms, closes, map[engine.Field][][]float64{engine.Volume: vols, engine.Shares: shares})
	r := &engine.Rates{Name: "rate_pct"}
	rate := 2.0
	for d := dates[0] - 30; d <= dates[T-1]; d += 40 {
		r.Dates = append(r.Dates, d)
		r.Pct = append(r.Pct, rate)
		rate = math.Max(0, rate+0.25*float64(rng.IntN(3)-1))
	}
	p.SetRates(r)
	return p
}
