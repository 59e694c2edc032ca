package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func BenchmarkCrossBacktest(b *testing.B) {
	price := randPrices(rand.New(rand.NewPCG(7, 7)), 2520, false)
	for _, p := range []Pair{{5, 20}, {10, 50}, {50, 200}} {
		b.Run(fmt.Sprintf("fast/%d-%d", p.Fast, p.Slow), func(b *testing.B) {
			for b.Loop() {
				CrossBacktest(price, p.Fast, p.Slow, 0)
			}
			b.ReportMetric(float64(b.N)*2520/b.Elapsed().Seconds(), "bars/s")
		})
		b.Run(fmt.Sprintf("ref/%d-%d", p.Fast, p.Slow), func(b *testing.B) {
			for b.Loop() {
				CrossBacktestRef(price, p.Fast, p.Slow, 0)
			}
			b.ReportMetric(float64(b.N)*2520/b.Elapsed().Seconds(), "bars/s")
		})
	}
}

func BenchmarkCrossGridLanes(b *testing.B) {
	prices, pairs := laneBenchInput()
	out := make([]CrossStats, len(prices)*len(pairs))
	b.Run("lanes", func(b *testing.B) {
		for b.Loop() {
			CrossGridLanes(prices, pairs, 0, out)
		}
		b.ReportMetric(float64(b.N)*2520*float64(len(out))/b.Elapsed().Seconds(), "bars/s")
	})
	b.Run("go", func(b *testing.B) {
		for b.Loop() {
			crossGridLanesGo(prices, pairs, 0, out)
		}
		b.ReportMetric(float64(b.N)*2520*float64(len(out))/b.Elapsed().Seconds(), "bars/s")
	})
}
