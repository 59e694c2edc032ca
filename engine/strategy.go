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

// Evaluator computes the metrics of many parameter points of one strategy
// on one panel and one set of conventions, sharing work across points
// (e.g. a moving average computed once per window, several assets side by
// side in SIMD lanes). The sweep runner calls Evaluate from several
// goroutines at once, so implementations keep per-call scratch local or
// pooled. Results must equal those of running Simulate on each point alone
// and must not depend on how points and assets are grouped into calls.
type Evaluator interface {
	// Evaluate writes the metrics of every (asset, point) pair into out,
	// which has len(assets)*len(points) elements: out[a*len(points)+k] is
	// points[k] run on assets[a] alone (per-asset mode). With assets == nil
	// the strategy runs on the whole panel and out[k] is points[k].
	Evaluate(points []Params, assets []int, out []Metrics) error
}
