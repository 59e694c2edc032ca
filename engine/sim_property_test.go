package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randomPanel builds a T×N panel with random walks for close, adj_close
// (close times a slowly growing dividend factor) and open, late listings,
// delistings and short halts, and a random step rates series that starts
// after the first bar.
func randomPanel(rng *rand.Rand, T, N int) *Panel {
	dates := make([]Date, T)
	d := DateOf(2020, 1, 2)
	for t := range dates {
		dates[t] = d
		d += Date(1 + rng.IntN(3))
	}
	syms := make([]string, N)
	for i := range syms {
		syms[i] = string(rune('A'+i/26)) + string(rune('A'+i%26))
	}
	p, err := NewPanel(dates, syms)
	if err != nil {
		panic(err)
	}
	cl, adj, op := p.AddColumn(Close), p.AddColumn(AdjClose), p.AddColumn(Open)
	for i := 0; i < N; i++ {
		first, last := 0, T
		if rng.IntN(3) == 0 {
			first = rng.IntN(T / 2)
		}
		if rng.IntN(3) == 0 {
			last = T/2 + rng.IntN(T/2)
		}
		x, f := 10+90*rng.Float64(), 1.0
		for t := first; t < last; t++ {
			x *= math.Exp(0.02 * rng.NormFloat64())
			f *= 1 + 0.0002*rng.Float64()
			if rng.IntN(50) == 0 && t > first {
				continue // a halt: no price today
			}
			k := i*T + t
			cl[k], adj[k] = x, x*f
			op[k] = x * math.Exp(0.01*rng.NormFloat64())
		}
	}
	var r Rates
	rd := dates[0] + Date(rng.IntN(10))
	for k := 0; k < 5; k++ {
		r.Dates = append(r.Dates, rd)
		r.Pct = append(r.Pct, 5*rng.Float64())
		rd += Date(5 + rng.IntN(30))
	}
	p.SetRates(&r)
	return p
}

// decision is one recorded output of a strategy.
type decision struct {
	trade bool
	w     []float64
}

// randomStrategy trades random weights on tradable assets on a random
// subset of bars; its decisions depend only on (seed, bar).
type randomStrategy struct {
	seed  uint64
	lev   float64
	short bool
	rare  bool // trade on about one bar in 80 instead of one in 4
	log   []decision
}

func (s *randomStrategy) Decide(v View, w []float64) (bool, error) {
	rng := rand.New(rand.NewPCG(s.seed, uint64(v.Bar())))
	every := 4
	if s.rare {
		every = 80
	}
	trade := v.Bar() == 0 || rng.IntN(every) == 0
	if trade {
		gross := 0.0
		for i := range w {
			if v.Tradable(i) && rng.IntN(3) > 0 {
				w[i] = rng.Float64()
				if s.short && rng.IntN(3) == 0 {
					w[i] = -w[i]
				}
				gross += math.Abs(w[i])
			}
		}
		if gross > 0 {
			scale := s.lev * rng.Float64() / gross
			for i := range w {
				w[i] *= scale
			}
		}
	}
	s.log = append(s.log, decision{trade, append([]float64(nil), w...)})
	return trade, nil
}

// referenceEquity is a plain loop over holdings in currency, written from
// SEMANTICS §2–3 independently of the simulator.
func referenceEquity(p *Panel, log []decision, cfg Config) (eq []float64, turnover, costs float64, delist, exposed int) {
	T, N := p.T(), p.N()
	price := func(t, i int) float64 { return p.At(AdjClose, t, i) }
	openAdj := func(t, i int) float64 {
		return p.At(Open, t, i) * p.At(AdjClose, t, i) / p.At(Close, t, i)
	}
	h := make([]float64, N)
	cash := cfg.InitialCapital
	eq = make([]float64, T)
	eq[0] = cash
	var pending []float64
	doTrade := func(t int, vm float64, w []float64, px func(t, i int) float64) {
		u, traded := 0.0, 0
		for i := 0; i < N; i++ {
			if w[i] != 0 && math.IsNaN(price(t, i)) {
				w[i] = 0
				delist++
			}
			if d := w[i] - h[i]/vm; d != 0 {
				u += math.Abs(d)
				traded++
			}
		}
		c := (cfg.CostBps+cfg.SpreadBps/2)/10000*u*vm + cfg.FixedCost*cfg.InitialCapital*float64(traded)
		turnover += u
		costs += c
		vp := vm - c
		cash = vp
		for i := 0; i < N; i++ {
			h[i] = w[i] * vp
			cash -= h[i]
		}
	}
	rate := p.RatePct()
	holding := func() bool {
		for _, x := range h {
			if x != 0 {
				return true
			}
		}
		return false
	}
	for t := 0; t < T; t++ {
		var v float64
		if t > 0 {
			in := holding()
			rc := 0.0
			if !math.IsNaN(rate[t-1]) {
				rc = rate[t-1] / 100 / cfg.PeriodsPerYear
			}
			cash *= 1 + rc
			if pending != nil && cfg.Fill == FillNextOpen {
				vo := cash
				for i := 0; i < N; i++ {
					if h[i] == 0 {
						continue
					}
					if math.IsNaN(price(t, i)) {
						cash += h[i]
						vo += h[i]
						h[i] = 0
						delist++
						continue
					}
					h[i] *= openAdj(t, i) / price(t-1, i)
					vo += h[i]
				}
				doTrade(t, vo, pending, openAdj)
				pending = nil
				in = in || holding()
				for i := 0; i < N; i++ {
					if h[i] != 0 {
						h[i] *= price(t, i) / openAdj(t, i)
					}
				}
			} else {
				for i := 0; i < N; i++ {
					if h[i] == 0 {
						continue
					}
					if math.IsNaN(price(t, i)) {
						cash += h[i] // sold at its last price, return 0 today
						h[i] = 0
						delist++
						continue
					}
					h[i] *= price(t, i) / price(t-1, i)
				}
			}
			if in {
				exposed++
			}
			v = cash
			for i := 0; i < N; i++ {
				v += h[i]
			}
			eq[t] = v
			if pending != nil { // next-close
				if t < T-1 {
					doTrade(t, v, pending, price)
				}
				pending = nil
			}
		} else {
			v = cash
		}
		if t > T-2 {
			break
		}
		d := log[t]
		if !d.trade && t > 0 {
			continue
		}
		w := append([]float64(nil), d.w...)
		if cfg.Fill == FillClose {
			doTrade(t, v, w, price)
		} else {
			pending = w
		}
	}
	return eq, turnover, costs, delist, exposed
}

func TestSimulateMatchesReferenceLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 300; trial++ {
		T, N := 5+rng.IntN(120), 1+rng.IntN(12)
		rare := trial%5 == 4
		if rare {
			T = 5 + rng.IntN(400)
		}
		p := randomPanel(rng, T, N)
		cfg := DefaultConfig()
		cfg.Fill = Fill(trial % 3)
		cfg.CostBps = float64(rng.IntN(3)) * 7.5
		cfg.SpreadBps = float64(rng.IntN(2)) * 4
		cfg.FixedCost = float64(rng.IntN(2)) * 1e-4
		cfg.InitialCapital = []float64{1, 1e6}[rng.IntN(2)]
		short := trial%4 == 3
		if short {
			cfg.MaxLeverage = 2
		}
		st := &randomStrategy{seed: uint64(trial), lev: cfg.MaxLeverage, short: short, rare: rare}
		res, err := Simulate(p, st, cfg)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		eq, turn, costs, delist, exposed := referenceEquity(p, st.log, cfg)
		for k := range eq {
			if !closeRel(res.Equity[k], eq[k], 1e-12) {
				t.Fatalf("trial %d (T=%d N=%d fill=%s): V[%d] = %.17g, reference %.17g", trial, T, N, cfg.Fill, k, res.Equity[k], eq[k])
			}
		}
		if !closeRel(res.Turnover, turn, 1e-12) || !closeRel(res.Costs, costs, 1e-12) {
			t.Fatalf("trial %d: turnover %g costs %g, reference %g %g", trial, res.Turnover, res.Costs, turn, costs)
		}
		if want := float64(exposed) / float64(T-1); res.Metrics.Exposure != want {
			t.Fatalf("trial %d (%s): exposure %v, reference %v", trial, cfg.Fill, res.Metrics.Exposure, want)
		}
		if res.Delistings != delist {
			t.Fatalf("trial %d: %d delistings, reference %d", trial, res.Delistings, delist)
		}
	}
}

// closeRel reports |a-b| ≤ tol·max(|a|,|b|) (both NaN counts as equal).
func closeRel(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol*math.Max(math.Abs(a), math.Abs(b))
}

// The equity does not depend on how sync walks the bars: bar by bar or
// asset by asset give bit-identical results.
func TestSimulateWalksAgree(t *testing.T) {
	defer func(b int) { syncBlock = b }(syncBlock)
	rng := rand.New(rand.NewPCG(13, 14))
	for trial := 0; trial < 100; trial++ {
		p := randomPanel(rng, 5+rng.IntN(300), 1+rng.IntN(10))
		cfg := DefaultConfig()
		cfg.Fill = Fill(trial % 3)
		cfg.CostBps = 2
		var runs [2]*Result
		for k, block := range []int{1, 1 << 30} {
			syncBlock = block
			res, err := Simulate(p, &randomStrategy{seed: uint64(trial), lev: 1, rare: trial%2 == 0}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			runs[k] = res
		}
		for k := range runs[0].Equity {
			if math.Float64bits(runs[0].Equity[k]) != math.Float64bits(runs[1].Equity[k]) {
				t.Fatalf("trial %d: V[%d] = %v asset by asset, %v bar by bar", trial, k, runs[0].Equity[k], runs[1].Equity[k])
			}
		}
		if runs[0].Metrics.Exposure != runs[1].Metrics.Exposure || runs[0].Delistings != runs[1].Delistings {
			t.Fatalf("trial %d: exposure %v/%v, delistings %d/%d", trial, runs[0].Metrics.Exposure, runs[1].Metrics.Exposure, runs[0].Delistings, runs[1].Delistings)
		}
	}
}

// Simulate from many goroutines at once (as the sweep runner calls it)
// gives the results of one at a time: the pooled scratch is never shared.
func TestSimulateConcurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	const n = 16
	panels := make([]*Panel, n)
	want := make([]*Result, n)
	for k := range panels {
		panels[k] = randomPanel(rng, 20+rng.IntN(200), 1+rng.IntN(30))
		res, err := Simulate(panels[k], &randomStrategy{seed: uint64(k), lev: 1}, DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		want[k] = res
	}
	errs := make(chan error, n)
	got := make([]*Result, n)
	for k := range panels {
		go func() {
			var err error
			for rep := 0; rep < 5 && err == nil; rep++ {
				got[k], err = Simulate(panels[k], &randomStrategy{seed: uint64(k), lev: 1}, DefaultConfig())
			}
			errs <- err
		}()
	}
	for range panels {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for k := range got {
		for b := range want[k].Equity {
			if math.Float64bits(got[k].Equity[b]) != math.Float64bits(want[k].Equity[b]) {
				t.Fatalf("panel %d bar %d: %v concurrently, %v alone", k, b, got[k].Equity[b], want[k].Equity[b])
			}
		}
	}
}
