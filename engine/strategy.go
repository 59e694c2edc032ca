package engine

// Strategy turns what is known at the close of a bar into target weights
// (SEMANTICS §2): w[i] is the fraction of equity to hold in asset i after
// the trade; 1 - Σ w is cash.
//
// The simulator calls Decide on bars t = 0, 1, …, T-2 in order, with a view
// of data ≤ t and w zeroed. On bar 0 the result is always traded (the
// portfolio starts in cash). On later bars, trade=false lets the holdings
// drift and w is ignored. A strategy is used by one simulation at a time;
// sweeps build one per parameter point.
type Strategy interface {
	Decide(v View, w []float64) (trade bool, err error)
}

// Preparer is implemented by strategies that precompute series once per
// panel (e.g. moving averages). Prepare runs before the first Decide. What it
// computes must be causal (the value for bar t uses data ≤ t only); the
// causality check of the simulator's tests verifies that by truncating the
// panel.
type Preparer interface {
	Prepare(p *Panel) error
}

// StrategyFunc adapts a function to the Strategy interface.
type StrategyFunc func(v View, w []float64) (bool, error)

// Decide calls f.
func (f StrategyFunc) Decide(v View, w []float64) (bool, error) { return f(v, w) }
