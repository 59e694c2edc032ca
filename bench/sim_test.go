package bench_test

import (
	"fmt"
	"testing"

	"github.com/rotor-bt/rotor/datasets/synth"
	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/strategies"
)

// BenchmarkSimulate runs one backtest through engine.Simulate: sma_cross
// 20/100 (equal weight across the long assets, trading whenever the set
// changes) on a synthetic market of 10 and 100 symbols × 2,520 bars with
// IPOs and delistings. bars/s counts asset-bars (T × N).
func BenchmarkSimulate(b *testing.B) {
	spec, err := strategies.Lookup("sma_cross")
	if err != nil {
		b.Fatal(err)
	}
	ps, err := spec.Parse(map[string]string{"fast": "20", "slow": "100"})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{10, 100} {
		p, err := synth.Generate(synth.Config{Symbols: n, Days: 2520, Seed: 3})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("sma_cross/%dx2520", n), func(b *testing.B) {
			b.SetBytes(int64(8 * n * 2520))
			b.ReportAllocs()
			for b.Loop() {
				s, err := spec.New(ps)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := engine.Simulate(p, s, engine.DefaultConfig()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*2520)*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
		})
	}
}
