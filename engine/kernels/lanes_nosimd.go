//go:build !(goexperiment.simd && amd64)

package kernels

const simdEnabled = false

func crossGridLanesSIMD(prices [][]float64, pairs []Pair, costBps float64, out []CrossStats) bool {
	return false
}

func windowSIMD(out []float64, p *Prefix, n int, mean bool) int { return n - 1 }

func returnsSIMD(out, price []float64) int { return 1 }

// clearUpper is a no-op without the SIMD experiment.
func clearUpper() {}

func plainSeries(x []float64) bool { return plainSeriesGo(x) }

func fillOnes(x []float64) { fillOnesGo(x) }

func fillTermsSIMD(g, r2, d2, ret []float64) (t int, clean bool) { return 1, true }

func crossInputsPlainSIMD(fo, so []float64, p *Prefix, fast, slow int) int {
	return max(fast, slow) - 1
}

func returnsTermsSIMD(ret, g, r2, d2, price []float64) (t int, clean, plain bool) {
	return 1, true, true
}
