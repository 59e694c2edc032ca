package strategies

import (
	"fmt"

	"github.com/rotor-bt/rotor/engine"
)

// Rate regimes: the direction of the last change of the rate.
const (
	regimeNone    int8 = 0 // no change visible yet
	regimeFalling int8 = -1
	regimeRising  int8 = 1
)

// RateRegime holds one portfolio while rates fall and another while they
// rise.
//
// Rule: the regime on bar t is the direction of the most recent change of
// the rates series among its rows dated ≤ date[t] (all rows, also those
// before the first price bar): falling after a cut, rising after a hike,
// and "initial" before any change is visible. Each regime holds one of
// three portfolios: equal (every asset with a price on t, 1/n each), cap
// (size-weighted as in cap_weight; the size source is reported by Notes) or
// cash. Decision bars: bar 0, every scheduled rebalance, and every bar on
// which the regime changes (the first bar whose date is on or after the
// rates row that changed). Timing: decided and filled at the close of the
// decision bar (fill close) from data ≤ t; weights drift in between. NaN:
// assets without a price (or, for cap, a size) on t get no weight. A panel
// without a rates series is an error.
type RateRegime struct {
	Falling, Rising, Initial string
	sched                    schedule
	regime                   []int8
	size                     sizer
	needSize                 bool
	sel                      []int
}

// Prepare computes the regime of every bar and, when a portfolio is cap
// weighted, the size column.
func (s *RateRegime) Prepare(p *engine.Panel) error {
	r := p.Rates()
	if r == nil {
		return fmt.Errorf("strategy rate_regime: needs a rates series (load one with --rates)")
	}
	s.sched.prepare(p)
	s.regime = regimes(s.regime[:0], p.Dates, r)
	if s.Falling == "cap" || s.Rising == "cap" || s.Initial == "cap" {
		s.needSize = true
		return s.size.prepare(p, "rate_regime")
	}
	return nil
}

// regimes appends the regime of each date: the sign of the last non-zero
// change among the rates rows dated ≤ the date.
func regimes(dst []int8, dates []engine.Date, r *engine.Rates) []int8 {
	j := 0 // rows r.Dates[:j] are visible
	var cur int8
	for _, d := range dates {
		for j < len(r.Dates) && r.Dates[j] <= d {
			if j > 0 {
				switch diff := r.Pct[j] - r.Pct[j-1]; {
				case diff < 0:
					cur = regimeFalling
				case diff > 0:
					cur = regimeRising
				}
			}
			j++
		}
		dst = append(dst, cur)
	}
	return dst
}

// Decide holds the portfolio of the current regime.
func (s *RateRegime) Decide(v engine.View, w []float64) (bool, error) {
	t := v.Bar()
	if !s.sched.due(t) && s.regime[t] == s.regime[t-1] {
		return false, nil
	}
	var which string
	switch s.regime[t] {
	case regimeFalling:
		which = s.Falling
	case regimeRising:
		which = s.Rising
	default:
		which = s.Initial
	}
	switch which {
	case "equal":
		s.sel = tradable(s.sel[:0], v)
		equalWeights(w, s.sel)
	case "cap":
		s.size.weights(v, w)
	}
	return true, nil
}

// Notes names the size source when a portfolio is cap weighted.
func (s *RateRegime) Notes() []string {
	if !s.needSize {
		return nil
	}
	return []string{SizeNote(s.size.src)}
}

func init() {
	portfolios := []string{"equal", "cap", "cash"}
	Register(&Spec{
		Name: "rate_regime",
		Doc: "Hold one portfolio while rates fall and another while they rise: the regime on bar t " +
			"is the direction of the last change among the rates rows dated ≤ t (initial before any " +
			"change). Portfolios: equal (1/n over assets with a price), cap (size weights as in " +
			"cap_weight) or cash. Trades at the close of bar 0, of every scheduled rebalance and of " +
			"every bar where the regime changes; weights drift in between. Needs a rates series.",
		Params: sortedParams(append(scheduleParams("monthly"),
			engine.ParamSpec{Name: "falling", Kind: engine.EnumParam, Doc: "portfolio while the last rate change was a cut", Default: engine.Enum("equal"), Choices: portfolios},
			engine.ParamSpec{Name: "rising", Kind: engine.EnumParam, Doc: "portfolio while the last rate change was a hike", Default: engine.Enum("cap"), Choices: portfolios},
			engine.ParamSpec{Name: "initial", Kind: engine.EnumParam, Doc: "portfolio before any rate change is visible", Default: engine.Enum("cap"), Choices: portfolios},
		)...),
		New: func(ps engine.Params) (engine.Strategy, error) {
			sc, err := parseSchedule(ps)
			if err != nil {
				return nil, err
			}
			return &RateRegime{Falling: mustGet(ps, "falling").S, Rising: mustGet(ps, "rising").S,
				Initial: mustGet(ps, "initial").S, sched: sc}, nil
		},
	})
}
