package engine

import (
	"fmt"
	"math"
	"sort"
)

// CheckCausal verifies the causal rule of SEMANTICS §2 for a strategy: its
// decisions on bars 0..t must not change when every datum after bar t is
// hidden. For each bar t of bars (all in 0..T-2; nil picks nine bars
// spread over the run, the last decision bar included) it builds a fresh
// strategy with newStrategy (its error is returned as is), prepares it on a copy of p whose cells
// after bar t are NaN and whose rates rows after date[t] are dropped, runs
// Decide on bars 0..t and compares every decision (trade flag, and weights
// when traded; bar 0 always trades) with the run on the whole panel, bit
// for bit.
//
// The calendar is kept whole: the trading dates are public in advance, so
// View.PeriodEnd still knows whether bar t ends a period.
//
// View already stops Decide from reading past t; what CheckCausal catches
// is a Preparer (or a strategy holding the *Panel it was prepared with)
// that uses the future, e.g. a signal for bar t built from bar t+1's price.
// The error names the first bar whose decision differs and the hidden bar.
func CheckCausal(p *Panel, newStrategy func() (Strategy, error), bars []int) error {
	T, N := p.T(), p.N()
	if T < 2 {
		return nil
	}
	if bars == nil {
		for k := 0; k <= 8; k++ {
			bars = append(bars, k*(T-2)/8)
		}
	}
	bars = append([]int(nil), bars...)
	sort.Sort(sort.Reverse(sort.IntSlice(bars)))
	for _, t := range bars {
		if t < 0 || t > T-2 {
			return fmt.Errorf("check causal: bar %d is not a decision bar (want 0..%d)", t, T-2)
		}
	}

	// Decisions on the whole panel.
	full := make([]float64, (T-1)*N)
	trades := make([]bool, T-1)
	s, err := newStrategy()
	if err != nil {
		return err
	}
	if err := decideAll(p, s, T-2, func(t int, trade bool, w []float64) error {
		trades[t] = trade
		copy(full[t*N:(t+1)*N], w)
		return nil
	}); err != nil {
		return fmt.Errorf("check causal: on the whole panel: %w", err)
	}

	// Mask progressively: bars are in decreasing order, so each step hides more.
	q := maskedCopy(p)
	hidden := T
	for _, tc := range bars {
		for f := range q.cols {
			if c := q.cols[f]; c != nil {
				for i := 0; i < N; i++ {
					for t := tc + 1; t < hidden; t++ {
						c[i*T+t] = math.NaN()
					}
				}
			}
		}
		hidden = tc + 1
		if r := p.rates; r != nil {
			n := 0
			for n < len(r.Dates) && r.Dates[n] <= p.Dates[tc] {
				n++
			}
			q.SetRates(&Rates{Dates: r.Dates[:n:n], Pct: r.Pct[:n:n], Name: r.Name})
		}
		s, err := newStrategy()
		if err != nil {
			return err
		}
		err = decideAll(q, s, tc, func(t int, trade bool, w []float64) error {
			if trade != trades[t] {
				return fmt.Errorf("look-ahead: the decision on bar %d (%s) changes from trade=%v to trade=%v when the data after bar %d (%s) is hidden",
					t, p.Dates[t], trades[t], trade, tc, p.Dates[tc])
			}
			if !trade && t > 0 {
				return nil
			}
			for i, x := range w {
				if y := full[t*N+i]; math.Float64bits(x) != math.Float64bits(y) {
					return fmt.Errorf("look-ahead: the weight of %s decided on bar %d (%s) changes from %v to %v when the data after bar %d (%s) is hidden",
						p.Symbols[i], t, p.Dates[t], y, x, tc, p.Dates[tc])
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("check causal: %w", err)
		}
	}
	return nil
}

// decideAll prepares s on p and calls Decide on bars 0..last, passing each
// decision to fn.
func decideAll(p *Panel, s Strategy, last int, fn func(t int, trade bool, w []float64) error) (err error) {
	if pr, ok := s.(Preparer); ok {
		if err := pr.Prepare(p); err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
	}
	w := make([]float64, p.N())
	t := 0
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("bar %d (%s): strategy panicked: %v", t, p.Dates[t], r)
		}
	}()
	for ; t <= last; t++ {
		clear(w)
		trade, err := s.Decide(NewView(p, t), w)
		if err != nil {
			return fmt.Errorf("bar %d (%s): %w", t, p.Dates[t], err)
		}
		if err := fn(t, trade, w); err != nil {
			return err
		}
	}
	return nil
}

// maskedCopy returns a copy of p's columns on the same calendar and symbols.
func maskedCopy(p *Panel) *Panel {
	q := &Panel{Dates: p.Dates, Symbols: p.Symbols}
	for f, c := range p.cols {
		if c != nil {
			q.cols[f] = append([]float64(nil), c...)
		}
	}
	q.SetRates(p.rates)
	return q
}
