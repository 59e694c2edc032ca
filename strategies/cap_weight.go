package strategies

import (
	"fmt"

	"github.com/rotor-bt/rotor/engine"
)

// Noter is implemented by strategies that have something to say about a
// run, such as which size measure they used (SEMANTICS §7 wants it printed
// with every result). Notes is valid after Prepare.
type Noter interface {
	Notes() []string
}

// SizeNote is the line printed with a result that used size source src
// (engine.SizeMarketCap or engine.SizeDollarVolume).
func SizeNote(src string) string {
	switch src {
	case engine.SizeMarketCap:
		return "size: market cap (close × shares_outstanding)"
	case engine.SizeDollarVolume:
		return "size: dollar-volume proxy (mean close × volume over the last 63 bars; the data has no shares_outstanding)"
	}
	return "size: " + src
}

// sizer holds the size column of a panel and picks size weights from it.
type sizer struct {
	T    int
	col  []float64 // asset-major T×N, from engine.SizeColumn
	src  string
	sel  []int
	size []float64
}

func (z *sizer) prepare(p *engine.Panel, strategy string) error {
	z.col, z.src = engine.SizeColumn(p)
	z.T = p.T()
	if z.col == nil {
		return fmt.Errorf("strategy %s: no size data: the panel needs shares_outstanding (market cap) or volume (dollar-volume proxy)", strategy)
	}
	return nil
}

// weights sets w to size weights on bar t over the assets with a price and
// a finite positive size on t: w_i = size_i / Σ size. No eligible asset:
// all cash.
func (z *sizer) weights(v engine.View, w []float64) {
	t := v.Bar()
	f := v.PriceField()
	z.sel, z.size = z.sel[:0], z.size[:0]
	var sum float64
	for i := 0; i < v.N(); i++ {
		x := z.col[i*z.T+t]
		if p := v.At(f, i); p == p && x > 0 && x-x == 0 {
			z.sel = append(z.sel, i)
			z.size = append(z.size, x)
			sum += x
		}
	}
	for k, i := range z.sel {
		w[i] = z.size[k] / sum
	}
}

// CapWeight holds the tradable assets weighted by size, rebalanced on a
// schedule.
//
// Rule: on each decision bar t (bar 0 and every scheduled rebalance),
// w_i = size_i[t] / Σ_j size_j[t] over the assets with a price and a
// positive size on t, where size is market cap (close × shares outstanding)
// when the data has share counts, else the dollar-volume proxy of
// SEMANTICS §7 (mean close × volume over bars max(0, t-62)..t); the source
// is reported by Notes. Timing: decided and filled at the close of t (fill
// close) from data ≤ t; weights drift until the next decision bar. NaN: an
// asset without a price or a size on t gets no weight; one whose price ends
// between decision bars is sold at its last price into cash. A panel with
// neither shares nor volume is an error.
type CapWeight struct {
	sched schedule
	size  sizer
}

// Prepare computes the size column and the rebalance calendar.
func (s *CapWeight) Prepare(p *engine.Panel) error {
	s.sched.prepare(p)
	return s.size.prepare(p, "cap_weight")
}

// Decide trades on scheduled bars.
func (s *CapWeight) Decide(v engine.View, w []float64) (bool, error) {
	if !s.sched.due(v.Bar()) {
		return false, nil
	}
	s.size.weights(v, w)
	return true, nil
}

// Notes names the size source.
func (s *CapWeight) Notes() []string { return []string{SizeNote(s.size.src)} }

func init() {
	Register(&Spec{
		Name: "cap_weight",
		Doc: "Hold every asset with a price and a size on the decision bar weighted by size " +
			"(size_i / Σ size), rebalanced at the close of bar 0 and of every scheduled bar " +
			"(rebalance, every); weights drift in between. Size is market cap (close × shares " +
			"outstanding) when the data has share counts, else the dollar-volume proxy (mean close × " +
			"volume over the last 63 bars), and the source is printed with the result.",
		Params: sortedParams(scheduleParams("quarterly")...),
		New: func(ps engine.Params) (engine.Strategy, error) {
			sc, err := parseSchedule(ps)
			if err != nil {
				return nil, err
			}
			return &CapWeight{sched: sc}, nil
		},
	})
}
