package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

// monthlyEqual holds every tradable asset with equal weight, rebalanced on
// the last bar of each month: the shape of a typical universe strategy.
type monthlyEqual struct{}

func (monthlyEqual) Decide(v View, w []float64) (bool, error) {
	if v.Bar() > 0 && !v.PeriodEnd(Monthly) {
		return false, nil
	}
	n := 0
	for i := range w {
		if v.Tradable(i) {
			n++
		}
	}
	for i := range w {
		if v.Tradable(i) {
			w[i] = 1 / float64(n)
		}
	}
	return true, nil
}

// timingPanel is a T×N random-walk panel on weekdays from 2000, with a
// tenth of the assets listing late and a tenth delisting early.
func timingPanel(T, N int) *Panel {
	rng := rand.New(rand.NewPCG(uint64(T), uint64(N)))
	dates := make([]Date, 0, T)
	for d := DateOf(2000, 1, 3); len(dates) < T; d++ {
		if wd := d.Time().Weekday(); wd != 0 && wd != 6 {
			dates = append(dates, d)
		}
	}
	syms := make([]string, N)
	for i := range syms {
		syms[i] = fmt.Sprintf("S%04d", i)
	}
	p, _ := NewPanel(dates, syms)
	c := p.AddColumn(Close)
	for i := 0; i < N; i++ {
		first, last := 0, T
		switch i % 10 {
		case 1:
			first = rng.IntN(T / 2)
		case 2:
			last = T/2 + rng.IntN(T/2)
		}
		x := 50.0
		for t := first; t < last; t++ {
			x *= math.Exp(0.015 * rng.NormFloat64())
			c[i*T+t] = x
		}
	}
	p.SetRates(&Rates{Dates: []Date{dates[0]}, Pct: []float64{2}})
	return p
}

var (
	bigPanelOnce sync.Once
	bigPanel     *Panel
)

// BenchmarkSimulate: 500 assets × 5,000 bars, 5 bps costs, cash earning a
// rate; monthly rebalance with fills close and next-close, and a buy and
// hold (one trade, then 4,999 bars of drift). Reports asset-bars/s.
func BenchmarkSimulate(b *testing.B) {
	bigPanelOnce.Do(func() { bigPanel = timingPanel(5000, 500) })
	for _, c := range []struct {
		name string
		fill Fill
		s    Strategy
		into bool // SimulateInto with one reused Result
	}{
		{"monthly/fill=close", FillClose, monthlyEqual{}, false},
		{"monthly/fill=next-close", FillNextClose, monthlyEqual{}, false},
		{"monthly/fill=close/into", FillClose, monthlyEqual{}, true},
		{"buy-hold/fill=close", FillClose, schedule{0: equalOnBar0(bigPanel)}, false},
	} {
		b.Run(c.name, func(b *testing.B) {
			p := bigPanel
			cfg := DefaultConfig()
			cfg.Fill = c.fill
			cfg.CostBps = 5
			var res Result
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if c.into {
					err = SimulateInto(&res, p, c.s, cfg)
				} else {
					_, err = Simulate(p, c.s, cfg)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(p.T()*p.N())*float64(b.N)/b.Elapsed().Seconds(), "asset-bars/s")
		})
	}
}

// equalOnBar0 is 1/n on each asset priced on bar 0.
func equalOnBar0(p *Panel) []float64 {
	w := make([]float64, p.N())
	n := 0
	for i := range w {
		if !math.IsNaN(p.At(Close, 0, i)) {
			w[i] = 1
			n++
		}
	}
	for i := range w {
		w[i] /= float64(n)
	}
	return w
}

// The per-bar loop allocates nothing: a run over 5× the bars makes exactly
// as many allocations (all of them per run: the result's series, scratch).
func TestSimulateAllocationsDoNotGrowWithBars(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation count over two panel sizes")
	}
	allocs := func(T int) float64 {
		p := timingPanel(T, 50)
		cfg := DefaultConfig()
		cfg.CostBps = 5
		return testing.AllocsPerRun(5, func() {
			if _, err := Simulate(p, monthlyEqual{}, cfg); err != nil {
				t.Fatal(err)
			}
		})
	}
	short, long := allocs(400), allocs(2000)
	if raceEnabled {
		return // sync.Pool drops items at random under the race detector
	}
	if short != long {
		t.Errorf("%v allocations over 400 bars, %v over 2000: the bar loop allocates", short, long)
	}
	if long > 12 {
		t.Errorf("%v allocations per run, want at most 12", long)
	}
}

// A sweep worker that keeps one Result makes no allocation per run.
func TestSimulateIntoReusesResult(t *testing.T) {
	p := timingPanel(300, 20)
	cfg := DefaultConfig()
	cfg.CostBps = 5
	var res Result
	if err := SimulateInto(&res, p, monthlyEqual{}, cfg); err != nil {
		t.Fatal(err)
	}
	first := res.Metrics
	allocs := testing.AllocsPerRun(10, func() {
		if err := SimulateInto(&res, p, monthlyEqual{}, cfg); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 && !raceEnabled {
		t.Errorf("%v allocations per run with a reused Result, want 0", allocs)
	}
	for k, v := range res.Metrics.Values() {
		if math.Float64bits(v) != math.Float64bits(first.Values()[k]) {
			t.Errorf("%s changed between runs: %v vs %v", MetricNames[k], v, first.Values()[k])
		}
	}
	fresh, err := Simulate(p, monthlyEqual{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for k := range fresh.Equity {
		if fresh.Equity[k] != res.Equity[k] || fresh.CashReturns[k] != res.CashReturns[k] {
			t.Fatalf("bar %d differs between Simulate and a reused SimulateInto", k)
		}
	}
}
