package strategies

import (
	"math"
	"sort"

	"github.com/rotor-bt/rotor/engine"
)

// sortedParams returns the specs sorted by name, the order Register wants.
func sortedParams(ps ...engine.ParamSpec) []engine.ParamSpec {
	sort.Slice(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
	return ps
}

// Rebalance schedules shared by the portfolio strategies.
const (
	rebalanceDoc = "rebalance at the close of the last bar of each day, ISO week, month or quarter (the next bar is in another period); bar 0 always trades"
	everyDoc     = "k > 0: rebalance on bars 0, k, 2k, … instead of the calendar schedule (overrides rebalance); 0: use rebalance"
)

// scheduleParams are the rebalance and every parameters with the given
// default period.
func scheduleParams(def string) []engine.ParamSpec {
	return []engine.ParamSpec{
		{Name: "rebalance", Kind: engine.EnumParam, Doc: rebalanceDoc, Default: engine.Enum(def),
			Choices: []string{"daily", "weekly", "monthly", "quarterly"}},
		{Name: "every", Kind: engine.BarsParam, Doc: everyDoc, Default: engine.Bars(0), Min: 0, Max: math.Inf(1)},
	}
}

// schedule marks the decision bars of a rebalance rule.
type schedule struct {
	period engine.Period
	every  int    // > 0: every k bars (period ignored)
	ends   []bool // period ends of the panel's calendar, set by prepare
}

// parseSchedule reads rebalance and every from resolved params: every k > 0
// bars when every is set, else the calendar schedule of rebalance.
func parseSchedule(ps engine.Params) (schedule, error) {
	if k := mustGet(ps, "every").Int(); k > 0 {
		return schedule{every: k}, nil
	}
	p, err := engine.ParsePeriod(mustGet(ps, "rebalance").S)
	if err != nil {
		return schedule{}, err
	}
	if p == engine.Daily {
		return schedule{every: 1}, nil
	}
	return schedule{period: p}, nil
}

// prepare computes the period ends of p's calendar (public in advance, so
// not look-ahead; the last bar is never a period end).
func (s *schedule) prepare(p *engine.Panel) {
	if s.every == 0 {
		s.ends = engine.PeriodEnds(p.Dates, s.period)
	}
}

// due reports whether bar t is a scheduled decision bar.
func (s *schedule) due(t int) bool {
	if t == 0 {
		return true
	}
	if s.every > 0 {
		return t%s.every == 0
	}
	return s.ends[t]
}

// mustGet returns parameter n of resolved params. Resolved params always
// hold every parameter of the spec; a missing one is a programming error.
func mustGet(ps engine.Params, n string) engine.Value {
	v, ok := ps.Get(n)
	if !ok {
		panic("strategies: parameter " + n + " missing from resolved params")
	}
	return v
}

// equalWeights sets w[i] = 1/len(sel) for i in sel (w is zeroed by the
// simulator). With no selection the portfolio is all cash.
func equalWeights(w []float64, sel []int) {
	if len(sel) == 0 {
		return
	}
	x := 1 / float64(len(sel))
	for _, i := range sel {
		w[i] = x
	}
}

// tradable appends to dst the assets with a price on bar t, in column
// (symbol) order.
func tradable(dst []int, v engine.View) []int {
	f := v.PriceField()
	for i := 0; i < v.N(); i++ {
		if x := v.At(f, i); x == x {
			dst = append(dst, i)
		}
	}
	return dst
}

// sameSet reports whether two ascending index lists are equal.
func sameSet(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}
