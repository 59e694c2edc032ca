package strategies

import "github.com/rotor-bt/rotor/engine"

// EqualWeight holds every tradable asset in equal weights, rebalanced on a
// schedule.
//
// Rule: on each decision bar t (bar 0 and every scheduled rebalance, see
// the rebalance parameter), w_i = 1/n for each of the n assets with a
// finite price on bar t; others get 0. Timing: decided and filled at the
// close of t (fill close), the weights drift until the next decision bar.
// NaN: an asset without a price on t gets no weight; one whose price ends
// between decision bars is sold at its last price by the simulator and its
// weight waits in cash until the next rebalance. With no tradable asset the
// portfolio is all cash.
type EqualWeight struct {
	sched schedule
	sel   []int
}

// Prepare computes the rebalance calendar.
func (s *EqualWeight) Prepare(p *engine.Panel) error {
	s.sched.prepare(p)
	return nil
}

// Decide trades on scheduled bars.
func (s *EqualWeight) Decide(v engine.View, w []float64) (bool, error) {
	if !s.sched.due(v.Bar()) {
		return false, nil
	}
	s.sel = tradable(s.sel[:0], v)
	equalWeights(w, s.sel)
	return true, nil
}

func init() {
	Register(&Spec{
		Name: "equal_weight",
		Doc: "Hold every asset with a price on the decision bar in equal weights (1/n each), " +
			"rebalanced at the close of bar 0 and of every scheduled bar (rebalance, every); " +
			"weights drift in between. Assets without a price get no weight; one that stops " +
			"trading between rebalances is sold at its last price into cash.",
		Params: sortedParams(scheduleParams("monthly")...),
		New: func(ps engine.Params) (engine.Strategy, error) {
			sc, err := parseSchedule(ps)
			if err != nil {
				return nil, err
			}
			return &EqualWeight{sched: sc}, nil
		},
	})
}
