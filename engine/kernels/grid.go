package kernels

import "fmt"

// CrossGrid runs CrossBacktest for every pair on one price series, sharing
// the work: the returns and the prefix sums are computed once, and each
// distinct window's SMA once, then every pair is a single fused pass over
// two SMAs and the returns. out must have len(pairs) elements; out[k] is
// pairs[k]. Results equal CrossBacktest's exactly.
func CrossGrid(price []float64, pairs []Pair, costBps float64, out []CrossStats) {
	if len(out) != len(pairs) {
		panic(fmt.Sprintf("kernels: CrossGrid: %d results for %d pairs", len(out), len(pairs)))
	}
	c := costRate(costBps)
	g := gridPool.Get().(*gridScratch)
	g.index(pairs)
	T := len(price)
	nw := len(g.windows)
	g.f = growAppend(g.f[:0], (nw+4)*T)
	ret := AppendReturns(g.f[:0], price)
	g.p.Reset(price)
	for i, w := range g.windows {
		g.p.AppendMean(g.f[(i+4)*T:(i+4)*T], w)
	}
	clean := c == 0 && g.rt.fill(g.f[T:4*T], ret)
	for k, p := range pairs {
		a, b := int(g.slot[p.Fast])+4, int(g.slot[p.Slow])+4
		f, s := g.f[a*T:(a+1)*T], g.f[b*T:(b+1)*T]
		if clean {
			out[k] = crossRunClean(&g.rt, f, s)
		} else {
			out[k] = crossRun(ret, f, s, c)
		}
	}
	g.rt = rowTerms{}
	g.p.X = nil
	gridPool.Put(g)
}

// Lanes is the number of series CrossGridLanes evaluates side by side.
const Lanes = 8

// CrossGridLanes runs CrossGrid on up to Lanes price series of equal length
// at once. out must have len(prices)*len(pairs) elements and is lane-major:
// out[l*len(pairs)+k] is pairs[k] on prices[l]. With the SIMD path (built
// with GOEXPERIMENT=simd on amd64, used when the CPU has AVX-512) the
// series are laid side by side in time-major rows of 8 so one loop
// advances all of them; time is processed in tiles that stay in L2 cache
// and two pairs run per loop. Results equal CrossGrid's exactly on every
// path. It panics on more than Lanes series or series of different
// lengths.
func CrossGridLanes(prices [][]float64, pairs []Pair, costBps float64, out []CrossStats) {
	if len(prices) > Lanes {
		panic(fmt.Sprintf("kernels: CrossGridLanes: %d series, at most %d", len(prices), Lanes))
	}
	if len(out) != len(prices)*len(pairs) {
		panic(fmt.Sprintf("kernels: CrossGridLanes: %d results for %d series × %d pairs", len(out), len(prices), len(pairs)))
	}
	for _, p := range prices {
		if len(p) != len(prices[0]) {
			panic(fmt.Sprintf("kernels: CrossGridLanes: series of lengths %d and %d", len(prices[0]), len(p)))
		}
	}
	if len(prices) == 0 || len(pairs) == 0 {
		return
	}
	if crossGridLanesSIMD(prices, pairs, costBps, out) {
		return
	}
	crossGridLanesGo(prices, pairs, costBps, out)
}

// crossGridLanesGo is the pure-Go path of CrossGridLanes: one CrossGrid per
// series (scalar code gains nothing from interleaving series, and the
// per-series loop skips flat bars cheaply).
func crossGridLanesGo(prices [][]float64, pairs []Pair, costBps float64, out []CrossStats) {
	np := len(pairs)
	for l, p := range prices {
		CrossGrid(p, pairs, costBps, out[l*np:(l+1)*np])
	}
}

// SIMDEnabled reports whether CrossGridLanes uses the SIMD path in this
// build on this CPU.
func SIMDEnabled() bool { return simdEnabled }
