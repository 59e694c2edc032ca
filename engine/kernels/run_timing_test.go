package kernels

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkCrossRun(b *testing.B) {
	price := randPrices(rand.New(rand.NewPCG(7, 7)), 2520, false)
	ret := AppendReturns(nil, price)
	f := AppendRollingMean(nil, price, 10)
	s := AppendRollingMean(nil, price, 50)
	for b.Loop() {
		crossRun(ret, f, s, 0)
	}
	b.ReportMetric(float64(b.N)*2520/b.Elapsed().Seconds(), "bars/s")
}
