//go:build !(goexperiment.simd && amd64)

package kernels

const simdEnabled = false

func crossGridLanesSIMD(prices [][]float64, pairs []Pair, costBps float64, out []CrossStats) bool {
	return false
}
