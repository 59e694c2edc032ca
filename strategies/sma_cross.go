package strategies

import (
	"fmt"
	"math"

	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/engine/kernels"
)

// SMACross is the moving-average crossover of SEMANTICS §6.
//
// Rule: SMA_n[t] is the mean of the last n prices (adj_close, else close)
// of an asset, defined for t ≥ n-1 when all n are finite (exactly the
// price when the n prices are equal, so equal windows tie). The asset's
// signal is long on bar t when both SMA_fast[t] and SMA_slow[t] are defined
// and SMA_fast[t] > SMA_slow[t] (strict: a tie is flat), else flat.
// Single asset: weight 1 when long, 0 when flat. Several assets: equal
// weight 1/m across the m assets whose signal is long.
// Timing: decided at the close of t from prices ≤ t and filled at that
// close (fill close), so the weight earns r[t+1]. The portfolio trades on
// bar 0 and whenever the set of long assets changes; otherwise the weights
// drift (for one asset, holding weight 1 and drifting are the same).
// NaN: a missing price inside either window makes the signal flat until
// both windows are clean again.
type SMACross struct {
	Fast, Slow int

	n, T   int
	long   []bool // asset-major: long[i*T+t]
	sel    []int
	prev   []int
	traded bool
}

// Prepare computes the signals of every asset (causal: bar t uses prices
// ≤ t only) with the canonical moving average of kernels.Prefix.AppendMean,
// the one every crossover path uses, so that ties are decided identically.
func (s *SMACross) Prepare(p *engine.Panel) error {
	s.n, s.T = p.N(), p.T()
	s.long = make([]bool, s.n*s.T)
	var pre kernels.Prefix
	f := make([]float64, 0, s.T)
	sl := make([]float64, 0, s.T)
	pf := p.PriceField()
	for i := 0; i < s.n; i++ {
		pre.Reset(p.Series(pf, i))
		f = pre.AppendMean(f[:0], s.Fast)
		sl = pre.AppendMean(sl[:0], s.Slow)
		row := s.long[i*s.T : (i+1)*s.T]
		for t := range row {
			row[t] = f[t] > sl[t] // false when either is NaN
		}
	}
	s.traded = false
	return nil
}

// Decide holds the long assets in equal weights.
func (s *SMACross) Decide(v engine.View, w []float64) (bool, error) {
	t := v.Bar()
	s.sel = s.sel[:0]
	for i := 0; i < s.n; i++ {
		if s.long[i*s.T+t] {
			s.sel = append(s.sel, i)
		}
	}
	if s.traded && sameSet(s.sel, s.prev) {
		return false, nil
	}
	s.traded = true
	s.prev = append(s.prev[:0], s.sel...)
	equalWeights(w, s.sel)
	return true, nil
}

func smaParams(ps engine.Params) (fast, slow int, err error) {
	fast, slow = mustGet(ps, "fast").Int(), mustGet(ps, "slow").Int()
	if fast >= slow {
		return 0, 0, fmt.Errorf("strategy sma_cross: fast (%d) must be less than slow (%d)", fast, slow)
	}
	return fast, slow, nil
}

func init() {
	spec := &Spec{
		Name: "sma_cross",
		Doc: "Moving-average crossover (SEMANTICS §6): long an asset at the close of bar t when " +
			"SMA_fast[t] > SMA_slow[t] over its prices ≤ t (strict; both defined, i.e. t ≥ slow-1 and " +
			"no missing price in either window), else flat. One asset: weight 1 or 0. Several: equal " +
			"weight across the long assets, traded when that set changes. Requires fast < slow.",
		Params: sortedParams(
			engine.ParamSpec{Name: "fast", Kind: engine.BarsParam, Doc: "fast window, bars", Default: engine.Bars(50), Min: 1, Max: math.Inf(1)},
			engine.ParamSpec{Name: "slow", Kind: engine.BarsParam, Doc: "slow window, bars (greater than fast)", Default: engine.Bars(200), Min: 2, Max: math.Inf(1)},
		),
		SingleAsset: true,
		Check: func(ps engine.Params) error {
			_, _, err := smaParams(ps)
			return err
		},
		New: func(ps engine.Params) (engine.Strategy, error) {
			f, s, err := smaParams(ps)
			if err != nil {
				return nil, err
			}
			return &SMACross{Fast: f, Slow: s}, nil
		},
	}
	spec.Fast = newSMAFast(spec)
	Register(spec)
}
