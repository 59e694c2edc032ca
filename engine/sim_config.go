package engine

import (
	"fmt"
	"strconv"
)

// Describe states the conventions of c in one line for result footers:
// fill, costs, periods per year, leverage and capital, e.g.
// "fill close; cost 5 bps + spread 2 bps (half paid per unit traded) + fixed 0 per asset traded; P = 252; max leverage 1".
func (c Config) Describe() string {
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	s := fmt.Sprintf("fill %s; cost %s bps + spread %s bps (half paid per unit traded) + fixed %s·V[0] per asset traded; P = %s; max leverage %s",
		c.Fill, g(c.CostBps), g(c.SpreadBps), g(c.FixedCost), g(c.PeriodsPerYear), g(c.MaxLeverage))
	if c.InitialCapital != 1 {
		s += "; initial capital " + g(c.InitialCapital)
	}
	return s
}

// DescribeCash states what cash earned in a run of res on p under c, e.g.
// "cash earns target_rate_pct/100/P of the previous bar (12 bars before the first rates row earned 0)".
func DescribeCash(p *Panel, c Config, res *Result) string {
	if !c.UseRates || p.Rates() == nil {
		return "cash earns 0 (no rates)"
	}
	name := p.Rates().Name
	if name == "" {
		name = "rate_pct"
	}
	s := "cash earns " + name + "/100/P of the previous bar"
	if res != nil && res.NoRateBars > 0 {
		s += fmt.Sprintf(" (%d bars before the first rates row earned 0)", res.NoRateBars)
	}
	return s
}
