package strategies

import "github.com/rotor-bt/rotor/engine"

// BuyHold buys the assets tradable on bar 0 in equal weights and never
// trades again.
//
// Rule: on bar 0, w_i = 1/n for each of the n assets with a finite price on
// bar 0 (the others get 0 and are never bought). Timing: the purchase fills
// at the close of bar 0 (fill close), and the holdings then drift with
// prices. NaN: an asset whose price ends while held is sold at its last
// price by the simulator and the proceeds stay in cash. A panel with no
// price on bar 0 stays all cash.
type BuyHold struct{ sel []int }

// Decide trades on bar 0 only.
func (s *BuyHold) Decide(v engine.View, w []float64) (bool, error) {
	if v.Bar() > 0 {
		return false, nil
	}
	s.sel = tradable(s.sel[:0], v)
	equalWeights(w, s.sel)
	return true, nil
}

func init() {
	Register(&Spec{
		Name: "buy_hold",
		Doc: "Buy every asset tradable on bar 0 in equal weights (1/n each) at the close of bar 0, " +
			"then hold and let the weights drift; never trades again. An asset whose price ends while " +
			"held is sold at its last price and the proceeds stay in cash.",
		New: func(engine.Params) (engine.Strategy, error) { return &BuyHold{}, nil },
	})
}
