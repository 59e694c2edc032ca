package strategies_test

import (
	"fmt"
	"time"

	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/strategies"
)

// Look a strategy up, set its parameters from text, and simulate it.
// Two assets, rebalanced to 1/2 each at every close:
//
//	bar 0: buy 1/2 A, 1/2 B                         (Σu = 1)
//	bar 1: A +10%, B -10% → V = 0.55 + 0.45 = 1.00;
//	       weights 0.55/0.45 back to 1/2 each        (Σu += 0.1)
//	bar 2: both +10% → V = 1.10
func Example() {
	spec, err := strategies.Lookup("equal_weight")
	if err != nil {
		panic(err)
	}
	ps, err := spec.Parse(map[string]string{"rebalance": "daily"})
	if err != nil {
		panic(err)
	}
	st, _ := spec.New(ps)

	d := engine.DateOf(2024, time.January, 2)
	p, _ := engine.NewPanel([]engine.Date{d, d + 1, d + 2}, []string{"A", "B"})
	copy(p.AddColumn(engine.Close), []float64{10, 11, 12.1, 10, 9, 9.9})

	res, err := engine.Simulate(p, st, engine.DefaultConfig())
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s: total return %.4f, Σu %.2f\n", ps, res.Metrics.TotalReturn, res.Turnover)
	// Output: every=0,rebalance=daily: total return 0.1000, Σu 1.10
}

// Every bad parameter is one line that names what would be valid.
func ExampleSpec_Parse() {
	spec, _ := strategies.Lookup("sma_cross")
	_, err := spec.Parse(map[string]string{"fast": "50", "slow": "20"})
	fmt.Println(err)
	_, err = spec.Parse(map[string]string{"fats": "5"})
	fmt.Println(err)
	// Output:
	// strategy sma_cross: fast (50) must be less than slow (20)
	// strategy sma_cross has no parameter "fats": valid parameters are fast, slow
}
