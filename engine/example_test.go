package engine_test

import (
	"fmt"
	"math"

	"github.com/rotor-bt/rotor/engine"
)

// Winner is a user's own strategy: at the end of every week it moves the
// whole book into the asset with the best return over the last Lookback
// bars. It reads prices only through the view, which ends at the decision
// bar, so it cannot see the future.
type Winner struct{ Lookback int }

func (s Winner) Decide(v engine.View, w []float64) (bool, error) {
	t := v.Bar()
	if t > 0 && !v.PeriodEnd(engine.Weekly) {
		return false, nil // hold: the weights drift with prices
	}
	best, bestRet := -1, math.Inf(-1)
	for i := 0; i < v.N(); i++ {
		px := v.Price(i) // bars 0..t only
		if t < s.Lookback || !v.Tradable(i) {
			continue
		}
		if r := px[t]/px[t-s.Lookback] - 1; r > bestRet {
			best, bestRet = i, r
		}
	}
	if best >= 0 {
		w[best] = 1 // the rest (here nothing) stays in cash
	}
	return true, nil
}

// Example runs a user's strategy through the Strategy interface: build a
// panel, pick conventions, simulate, read the equity curve, trades and
// metrics. By hand: bar 0 has no 2-bar history (all cash); on Friday
// 2024-01-05 STOCK (+3.8%) beats BOND, 10 bps leave 0.999 in STOCK at 54;
// on Friday 2024-01-12 STOCK is at 49 (0.999·49/54 = 0.9065) and lags, so
// the book moves to BOND at a cost of 0.001·2·0.9065; it ends at
// 0.904687·101.1/100.9 = 0.9065.
func Example() {
	// Two assets over twelve trading days (2024-01-01 is a Monday).
	var dates []engine.Date
	for d := engine.DateOf(2024, 1, 1); len(dates) < 12; d++ {
		if wd := d.Time().Weekday(); wd >= 1 && wd <= 5 {
			dates = append(dates, d)
		}
	}
	p, err := engine.NewPanel(dates, []string{"BOND", "STOCK"})
	if err != nil {
		panic(err)
	}
	p.SetColumn(engine.Close, []float64{
		100, 100.1, 100.2, 100.3, 100.4, 100.5, 100.6, 100.7, 100.8, 100.9, 101, 101.1, // BOND
		50, 51, 52, 53, 54, 53, 52, 51, 50, 49, 48, 47, // STOCK
	})

	cfg := engine.DefaultConfig()
	cfg.CostBps = 10 // 0.1% of every unit traded
	cfg.Record = true
	res, err := engine.Simulate(p, Winner{Lookback: 2}, cfg)
	if err != nil {
		panic(err)
	}
	for _, tr := range res.Trades {
		fmt.Printf("%s %-5s %.2f → %.2f\n", tr.Date, tr.Symbol, tr.From, tr.To)
	}
	fmt.Printf("final equity %.4f\n", res.Equity[len(res.Equity)-1])
	fmt.Printf("total return %.2f%%, max drawdown %.2f%%\n", 100*res.Metrics.TotalReturn, 100*res.Metrics.MaxDrawdown)

	// The check that the strategy's decisions use only the past.
	err = engine.CheckCausal(p, func() (engine.Strategy, error) { return Winner{Lookback: 2}, nil }, nil)
	fmt.Println("causal:", err == nil)
	// Output:
	// 2024-01-05 STOCK 0.00 → 1.00
	// 2024-01-12 BOND  0.00 → 1.00
	// 2024-01-12 STOCK 1.00 → 0.00
	// final equity 0.9065
	// total return -9.35%, max drawdown 9.44%
	// causal: true
}
