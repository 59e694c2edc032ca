package engine

import "math"

// Size sources reported by SizeColumn (SEMANTICS §7).
const (
	SizeMarketCap    = "market_cap"       // close × shares outstanding
	SizeDollarVolume = "dollar_volume_63" // mean close × volume over 63 bars
)

// SizeWindow is the number of bars of the dollar-volume proxy: bars
// max(0, t-62)..t.
const SizeWindow = 63

// SizeColumn returns the size of every asset on every bar (SEMANTICS §7),
// T×N asset-major like the panel's columns, and the name of its source:
//
//   - "market_cap": close × shares_outstanding, when the panel has shares
//     (NaN where either is missing);
//   - "dollar_volume_63": otherwise, the mean of close × volume over the
//     finite cells among bars max(0, t-62)..t (NaN when there is none).
//
// The proxy uses only bars ≤ t, so it is causal. When the panel has no
// close column the return price (adj_close) stands in for close. When the
// panel has neither shares nor volume there is no size: col is nil and
// source is "". Size alone does not make an asset eligible: callers also
// require a price on the bar.
func SizeColumn(p *Panel) (col []float64, source string) {
	T, N := p.T(), p.N()
	price := Close
	if !p.Has(Close) {
		price = p.PriceField()
	}
	if !p.Has(price) {
		return nil, ""
	}
	if p.Has(Shares) {
		col = make([]float64, T*N)
		c, s := p.Column(price), p.Column(Shares)
		c, s = c[:len(col)], s[:len(col)]
		for k := range col {
			col[k] = c[k] * s[k]
		}
		return col, SizeMarketCap
	}
	if !p.Has(Volume) {
		return nil, ""
	}
	col = make([]float64, T*N)
	dv := make([]float64, T)
	for i := 0; i < N; i++ {
		dollarVolumeMean(col[i*T:(i+1)*T], p.Series(price, i), p.Series(Volume, i), dv)
	}
	return col, SizeDollarVolume
}

// dollarVolumeMean writes into dst[t] the mean of the finite close×volume
// products over bars max(0, t-62)..t, NaN when there is none. dv is
// scratch of length T. The window sum slides in O(1) per bar with
// Neumaier's compensation, so it stays within a few units of rounding of
// the sum taken afresh (the reference) however the values vary.
func dollarVolumeMean(dst, close, vol, dv []float64) {
	T := len(dst)
	close, vol, dv = close[:T], vol[:T], dv[:T]
	for t := range dv {
		x := close[t] * vol[t]
		if x-x != 0 { // NaN or ±Inf
			x = math.NaN()
		}
		dv[t] = x
	}
	var sum, comp float64 // sum + comp is the window's sum
	add := func(x float64) {
		s := sum + x
		if math.Abs(sum) >= math.Abs(x) {
			comp += (sum - s) + x
		} else {
			comp += (x - s) + sum
		}
		sum = s
	}
	n := 0
	for t := 0; t < T; t++ {
		if x := dv[t]; x == x {
			add(x)
			n++
		}
		if t >= SizeWindow {
			if x := dv[t-SizeWindow]; x == x {
				add(-x)
				n--
			}
		}
		switch {
		case n == 0:
			sum, comp = 0, 0 // an empty window restarts exactly
			dst[t] = math.NaN()
		default:
			dst[t] = (sum + comp) / float64(n)
		}
	}
}
