package strategies

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rotor-bt/rotor/engine"
)

// scrambleAfter returns a copy of p whose data after bar c (prices,
// volumes, shares and rates rows dated after date[c]) are replaced by
// other random values or NaN. The calendar is kept: it is public in
// advance, and the rebalance schedules read it.
func scrambleAfter(t *testing.T, p *engine.Panel, c int, rng *rand.Rand) *engine.Panel {
	q, err := engine.NewPanel(p.Dates, p.Symbols)
	if err != nil {
		t.Fatal(err)
	}
	T := p.T()
	for f := engine.Field(0); f < engine.NumFields; f++ {
		src := p.Column(f)
		if src == nil {
			continue
		}
		dst := q.AddColumn(f)
		copy(dst, src)
		for i := 0; i < p.N(); i++ {
			for b := c + 1; b < T; b++ {
				if rng.IntN(10) == 0 {
					dst[i*T+b] = math.NaN()
				} else {
					dst[i*T+b] = 1 + 1000*rng.Float64()
				}
			}
		}
	}
	if r := p.Rates(); r != nil {
		nr := &engine.Rates{Name: r.Name, Dates: append([]engine.Date(nil), r.Dates...), Pct: append([]float64(nil), r.Pct...)}
		for j, d := range nr.Dates {
			if d > p.Dates[c] {
				nr.Pct[j] = 10 * rng.Float64()
			}
		}
		q.SetRates(nr)
	}
	return q
}

// No strategy's decision on bar c depends on data after c.
func TestCausal(t *testing.T) {
	p := randomPanel(t, 21, 300, 9)
	rng := rand.New(rand.NewPCG(5, 5))
	cases := map[string]map[string]string{
		"buy_hold":     nil,
		"equal_weight": {"rebalance": "weekly"},
		"cap_weight":   {"rebalance": "daily"},
		"sma_cross":    {"fast": "5", "slow": "20"},
		"ts_momentum":  {"lookback": "20", "rebalance": "daily"},
		"xs_momentum":  {"lookback": "30", "skip": "3", "top_n": "3", "rebalance": "daily"},
		"rate_regime":  {"falling": "equal", "rising": "cap", "initial": "cash", "every": "1"},
	}
	for name, kv := range cases {
		full := decide(t, build(t, name, kv), p)
		for range 6 {
			c := rng.IntN(p.T() - 1)
			cut := decide(t, build(t, name, kv), scrambleAfter(t, p, c, rng))
			for b := 0; b <= c; b++ {
				if full[b].trade != cut[b].trade {
					t.Fatalf("%s: bar %d: trade %v with the real future, %v with a scrambled one after bar %d", name, b, full[b].trade, cut[b].trade, c)
				}
				for i := range full[b].w {
					if math.Float64bits(full[b].w[i]) != math.Float64bits(cut[b].w[i]) {
						t.Fatalf("%s: bar %d: weights %v with the real future, %v with a scrambled one after bar %d", name, b, full[b].w, cut[b].w, c)
					}
				}
			}
		}
	}
}
