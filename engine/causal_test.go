package engine

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// trendStrategy is causal: it holds, equally weighted, the assets whose
// price rose over the last k bars, computed once in Prepare from data ≤ t.
type trendStrategy struct {
	k   int
	sig []float64 // asset-major: return over the last k bars, NaN when unknown
	T   int
}

func (s *trendStrategy) Prepare(p *Panel) error {
	s.T = p.T()
	s.sig = make([]float64, p.T()*p.N())
	for i := 0; i < p.N(); i++ {
		px := p.Series(p.PriceField(), i)
		for t := range px {
			s.sig[i*s.T+t] = math.NaN()
			if t >= s.k {
				s.sig[i*s.T+t] = px[t]/px[t-s.k] - 1
			}
		}
	}
	return nil
}

func (s *trendStrategy) Decide(v View, w []float64) (bool, error) {
	n := 0
	for i := range w {
		if v.Tradable(i) && s.sig[i*s.T+v.Bar()] > 0 {
			w[i] = 1
			n++
		}
	}
	for i := range w {
		w[i] /= math.Max(float64(n), 1)
	}
	return true, nil
}

// oracle is the look-ahead a Preparer could commit: its signal for bar t
// is tomorrow's return.
type oracle struct{ trendStrategy }

func (s *oracle) Prepare(p *Panel) error {
	s.T = p.T()
	s.sig = make([]float64, p.T()*p.N())
	for i := 0; i < p.N(); i++ {
		px := p.Series(p.PriceField(), i)
		for t := range px {
			s.sig[i*s.T+t] = math.NaN()
			if t+1 < len(px) {
				s.sig[i*s.T+t] = px[t+1]/px[t] - 1
			}
		}
	}
	return nil
}

// keeper keeps the panel it was prepared with and reads tomorrow's close in
// Decide, around the view.
type keeper struct{ p *Panel }

func (s *keeper) Prepare(p *Panel) error { s.p = p; return nil }
func (s *keeper) Decide(v View, w []float64) (bool, error) {
	t := v.Bar()
	for i := range w {
		if v.Tradable(i) && s.p.At(s.p.PriceField(), t+1, i) > s.p.At(s.p.PriceField(), t, i) {
			w[i] = 1 / float64(len(w))
		}
	}
	return true, nil
}

// sneaky tries every way around the view to read bar t+1 and, when one
// works, goes all in on the asset that rises tomorrow.
type sneaky struct{ reached int }

func (s *sneaky) Decide(v View, w []float64) (bool, error) {
	t := v.Bar()
	for i := range w {
		px := v.Price(i)
		if len(px) != t+1 || cap(px) != t+1 || len(v.Dates()) != t+1 || cap(v.Dates()) != t+1 {
			s.reached++
		}
		if r := v.RatePct(); r != nil && cap(r) != t+1 {
			s.reached++
		}
		full := px[:cap(px)] // the widest reslice the language allows
		if len(full) > t+1 {
			s.reached++
		}
		tomorrow := func() (x float64, ok bool) {
			defer func() { recover() }()
			return full[t+1], true
		}
		if x, ok := tomorrow(); ok && x > px[t] && v.Tradable(i) {
			s.reached++
			w[i] = 1
			return true, nil
		}
	}
	return true, nil
}

func TestViewCannotReadTomorrow(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	p := randomPanel(rng, 80, 5)
	st := &sneaky{}
	res, err := Simulate(p, st, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if st.reached != 0 {
		t.Fatalf("the strategy reached data after t %d times", st.reached)
	}
	// It never found tomorrow, so it stayed in cash.
	if res.Metrics.Exposure != 0 {
		t.Errorf("the peeking strategy held assets (exposure %v): it saw tomorrow", res.Metrics.Exposure)
	}
}

// The result up to bar t computed on the whole panel equals the one
// computed when everything after t is replaced by other data.
func TestResultDependsOnlyOnThePast(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	p := randomPanel(rng, 120, 6)
	for _, k := range []int{1, 17, 60, 118} {
		q := maskedCopy(p)
		for f := range q.cols {
			if c := q.cols[f]; c != nil {
				for i := 0; i < q.N(); i++ {
					for t := k + 1; t < q.T(); t++ {
						if !math.IsNaN(c[i*q.T()+t]) {
							c[i*q.T()+t] *= 1 + 0.5*rng.Float64()
						}
					}
				}
			}
		}
		for _, fill := range []Fill{FillClose, FillNextClose, FillNextOpen} {
			cfg := DefaultConfig()
			cfg.Fill = fill
			cfg.CostBps = 5
			a, err := Simulate(p, &trendStrategy{k: 5}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Simulate(q, &trendStrategy{k: 5}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			for t2 := 0; t2 <= k; t2++ {
				if a.Equity[t2] != b.Equity[t2] {
					t.Fatalf("k=%d %s: V[%d] = %v on the whole panel, %v with the future changed", k, fill, t2, a.Equity[t2], b.Equity[t2])
				}
			}
		}
	}
}

func TestCheckCausal(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	p := randomPanel(rng, 100, 6)
	if err := CheckCausal(p, func() (Strategy, error) { return &trendStrategy{k: 3}, nil }, nil); err != nil {
		t.Errorf("causal strategy: %v", err)
	}
	if err := CheckCausal(p, func() (Strategy, error) { return &trendStrategy{k: 3}, nil }, []int{0, 50, 98}); err != nil {
		t.Errorf("causal strategy: %v", err)
	}
	// A strategy deciding on calendar periods keeps its schedule on hidden data.
	monthly := func() (Strategy, error) {
		return StrategyFunc(func(v View, w []float64) (bool, error) {
			if !v.PeriodEnd(Weekly) && v.Bar() > 0 {
				return false, nil
			}
			for i := range w {
				if v.Tradable(i) {
					w[i] = 0.1
				}
			}
			return true, nil
		}), nil
	}
	if err := CheckCausal(p, monthly, nil); err != nil {
		t.Errorf("weekly strategy: %v", err)
	}

	// The oracle profits enormously on the whole panel…
	res, err := Simulate(p, &oracle{}, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if res.Metrics.TotalReturn < 1 {
		t.Fatalf("oracle total return %v: the test panel does not show the look-ahead", res.Metrics.TotalReturn)
	}
	// …and the check catches it, as it catches a strategy that keeps the panel.
	for name, mk := range map[string]func() (Strategy, error){
		"oracle": func() (Strategy, error) { return &oracle{}, nil },
		"keeper": func() (Strategy, error) { return &keeper{}, nil },
	} {
		err := CheckCausal(p, mk, nil)
		if err == nil || !strings.Contains(err.Error(), "look-ahead") || !strings.Contains(err.Error(), "hidden") {
			t.Errorf("%s: CheckCausal = %v, want a look-ahead error", name, err)
		}
	}
	if err := CheckCausal(p, func() (Strategy, error) { return &oracle{}, nil }, []int{99}); err == nil || !strings.Contains(err.Error(), "0..98") {
		t.Errorf("bar outside the decision bars: %v", err)
	}
}
