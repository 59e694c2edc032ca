package strategies

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/rotor-bt/rotor/engine"
)

// XSMomentum is cross-sectional (relative) momentum.
//
// Rule: on each decision bar t (bar 0 and every scheduled rebalance), the
// score of asset i is R_i = p[t-S,i]/p[t-L,i] - 1 (L = lookback, S = skip,
// S < L: the most recent S bars are skipped, the usual guard against
// short-term reversal). The assets with a score and a price on t are ranked
// by score, highest first, ties by symbol name; the first top_n (or all of
// them when fewer) are held in equal weights. Timing: decided and filled at
// the close of t (fill close) from prices ≤ t; weights drift until the next
// decision bar. NaN: no score when t < L or either price is missing; an
// asset without a price on t is not eligible. No eligible asset: all cash.
type XSMomentum struct {
	Lookback, Skip, TopN int
	sched                schedule
	cand                 []scored
	sel                  []int
}

type scored struct {
	i int
	r float64
}

// Prepare computes the rebalance calendar.
func (s *XSMomentum) Prepare(p *engine.Panel) error {
	s.sched.prepare(p)
	return nil
}

// Decide holds the top_n assets by trailing return.
func (s *XSMomentum) Decide(v engine.View, w []float64) (bool, error) {
	t := v.Bar()
	if !s.sched.due(t) {
		return false, nil
	}
	s.cand = s.cand[:0]
	if t >= s.Lookback {
		for i := 0; i < v.N(); i++ {
			x := v.Price(i)
			r := x[t-s.Skip]/x[t-s.Lookback] - 1
			if r == r && x[t] == x[t] {
				s.cand = append(s.cand, scored{i, r})
			}
		}
	}
	// Stable over column order, which is symbol order: ties go by symbol.
	slices.SortStableFunc(s.cand, func(a, b scored) int { return cmp.Compare(b.r, a.r) })
	n := min(s.TopN, len(s.cand))
	s.sel = s.sel[:0]
	for _, c := range s.cand[:n] {
		s.sel = append(s.sel, c.i)
	}
	equalWeights(w, s.sel)
	return true, nil
}

func xsParams(ps engine.Params) (lookback, skip int, err error) {
	lookback, skip = mustGet(ps, "lookback").Int(), mustGet(ps, "skip").Int()
	if skip >= lookback {
		return 0, 0, fmt.Errorf("strategy xs_momentum: skip (%d) must be less than lookback (%d)", skip, lookback)
	}
	return lookback, skip, nil
}

func init() {
	Register(&Spec{
		Name: "xs_momentum",
		Doc: "Cross-sectional momentum: on bar 0 and every scheduled rebalance t, rank the assets " +
			"with a price on t by their return from t-lookback to t-skip (highest first, ties by symbol) " +
			"and hold the first top_n in equal weights; filled at the close of t, drifting in between. " +
			"Assets without both prices (or t < lookback) are not ranked. Requires skip < lookback.",
		Params: sortedParams(append(scheduleParams("monthly"),
			engine.ParamSpec{Name: "lookback", Kind: engine.BarsParam, Doc: "start of the scoring window, bars before t", Default: engine.Bars(252), Min: 1, Max: math.Inf(1)},
			engine.ParamSpec{Name: "skip", Kind: engine.BarsParam, Doc: "end of the scoring window, bars before t (less than lookback)", Default: engine.Bars(21), Min: 0, Max: math.Inf(1)},
			engine.ParamSpec{Name: "top_n", Kind: engine.IntParam, Doc: "number of assets held", Default: engine.Int(10), Min: 1, Max: math.Inf(1)},
		)...),
		Check: func(ps engine.Params) error {
			_, _, err := xsParams(ps)
			return err
		},
		New: func(ps engine.Params) (engine.Strategy, error) {
			l, k, err := xsParams(ps)
			if err != nil {
				return nil, err
			}
			sc, err := parseSchedule(ps)
			if err != nil {
				return nil, err
			}
			return &XSMomentum{Lookback: l, Skip: k, TopN: mustGet(ps, "top_n").Int(), sched: sc}, nil
		},
	})
}
