package strategies

import (
	"math"

	"github.com/rotor-bt/rotor/engine"
)

// TSMomentum is time-series (absolute) momentum.
//
// Rule: on each decision bar t (bar 0 and every scheduled rebalance), the
// trailing return of asset i is R_i = p[t,i]/p[t-L,i] - 1 over the price
// (adj_close, else close) with L = lookback; the asset is long when R_i >
// threshold (strict). The portfolio holds the m long assets in equal
// weights 1/m, the rest in cash. Timing: decided and filled at the close of
// t (fill close) from prices ≤ t; weights drift until the next decision
// bar. NaN: R_i is undefined (flat) when t < L or either price is missing,
// so an asset needs a price on t and on t-L to be held.
type TSMomentum struct {
	Lookback  int
	Threshold float64
	sched     schedule
	sel       []int
}

// Prepare computes the rebalance calendar.
func (s *TSMomentum) Prepare(p *engine.Panel) error {
	s.sched.prepare(p)
	return nil
}

// Decide holds the assets whose trailing return beats the threshold.
func (s *TSMomentum) Decide(v engine.View, w []float64) (bool, error) {
	t := v.Bar()
	if !s.sched.due(t) {
		return false, nil
	}
	s.sel = s.sel[:0]
	if t >= s.Lookback {
		for i := 0; i < v.N(); i++ {
			x := v.Price(i)
			if r := x[t]/x[t-s.Lookback] - 1; r > s.Threshold { // false when NaN
				s.sel = append(s.sel, i)
			}
		}
	}
	equalWeights(w, s.sel)
	return true, nil
}

func init() {
	Register(&Spec{
		Name: "ts_momentum",
		Doc: "Time-series momentum: on bar 0 and every scheduled rebalance t, hold in equal weights " +
			"the assets whose trailing return p[t]/p[t-lookback] - 1 is above threshold (strict), the " +
			"rest in cash; filled at the close of t, drifting in between. An asset without a price on " +
			"t or t-lookback (or t < lookback) is not held.",
		Params: sortedParams(append(scheduleParams("monthly"),
			engine.ParamSpec{Name: "lookback", Kind: engine.BarsParam, Doc: "trailing window L, bars", Default: engine.Bars(252), Min: 1, Max: math.Inf(1)},
			engine.ParamSpec{Name: "threshold", Kind: engine.FloatParam, Doc: "minimum trailing return to be long (a fraction: 0.05 = 5%)", Default: engine.Float(0), Min: -1, Max: math.Inf(1)},
		)...),
		New: func(ps engine.Params) (engine.Strategy, error) {
			sc, err := parseSchedule(ps)
			if err != nil {
				return nil, err
			}
			return &TSMomentum{Lookback: mustGet(ps, "lookback").Int(), Threshold: mustGet(ps, "threshold").F, sched: sc}, nil
		},
	})
}
