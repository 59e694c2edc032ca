package engine

import (
	"fmt"
	"math"
)

// Benchmark return series for the benchmark-relative metrics of SEMANTICS
// §4 (beta, alpha, tracking_error, information_ratio, excess_cagr). Each
// is a per-bar simple return on the panel's calendar, length T, element 0
// unused (0), computed from the return price (adj_close, else close), and
// is meant for Config.Benchmark.

// BenchmarkNames lists the keywords of BenchmarkSeries besides a symbol.
const BenchmarkNames = "none|equal|cap|SYMBOL"

// EqualWeightReturns is the equal-weighted universe rebalanced every bar:
// b[t] is the mean over the assets with a price on bar t-1 of their return
// on bar t, an asset without a price on bar t counting 0 (sold at its last
// price, as the simulator treats a delisting). b[t] is 0 when no asset has
// a price on bar t-1.
func EqualWeightReturns(p *Panel) []float64 {
	T, N := p.T(), p.N()
	b := make([]float64, T)
	cnt := make([]float64, T)
	px := p.Column(p.PriceField())
	if px == nil {
		return b
	}
	for i := 0; i < N; i++ {
		s := px[i*T : (i+1)*T]
		for t := 1; t < T; t++ {
			if s[t-1] != s[t-1] {
				continue
			}
			cnt[t]++
			if s[t] == s[t] {
				b[t] += s[t]/s[t-1] - 1
			}
		}
	}
	for t := 1; t < T; t++ {
		if cnt[t] > 0 {
			b[t] /= cnt[t]
		}
	}
	return b
}

// CapWeightReturns is the size-weighted universe (SEMANTICS §7 size: market
// cap, or the dollar-volume proxy when the data has no share counts):
// b[t] = Σ size[t-1,i]·r[t,i] / Σ size[t-1,i] over the assets with a price
// and a size on bar t-1, r counting 0 for an asset without a price on bar
// t. With market caps and constant share counts this is the buy-and-hold
// cap-weighted index. b[t] is 0 when no asset qualifies. source names the
// size used (SizeMarketCap or SizeDollarVolume); an error is returned when
// the data has neither share counts nor volumes.
func CapWeightReturns(p *Panel) (b []float64, source string, err error) {
	size, source := SizeColumn(p)
	if size == nil {
		return nil, "", fmt.Errorf("cap-weighted benchmark: the data has neither shares_outstanding nor volume to size assets")
	}
	T, N := p.T(), p.N()
	b = make([]float64, T)
	tot := make([]float64, T)
	px := p.Column(p.PriceField())
	for i := 0; i < N; i++ {
		s, z := px[i*T:(i+1)*T], size[i*T:(i+1)*T]
		for t := 1; t < T; t++ {
			w := z[t-1]
			if s[t-1] != s[t-1] || !(w > 0) || math.IsInf(w, 0) {
				continue
			}
			tot[t] += w
			if s[t] == s[t] {
				b[t] += w * (s[t]/s[t-1] - 1)
			}
		}
	}
	for t := 1; t < T; t++ {
		if tot[t] > 0 {
			b[t] /= tot[t]
		}
	}
	return b, source, nil
}

// SymbolReturns is the return series of one symbol (e.g. SPY): b[t] =
// p[t]/p[t-1] − 1, and 0 on bars where either price is missing (the
// benchmark is held flat); flat counts those bars among 1..T-1 for the
// caller to report.
func SymbolReturns(p *Panel, symbol string) (b []float64, flat int, err error) {
	i, ok := p.SymbolIndex(symbol)
	if !ok {
		return nil, 0, fmt.Errorf("benchmark %q: no such symbol in the data (want %s)", symbol, BenchmarkNames)
	}
	s := p.Series(p.PriceField(), i)
	if s == nil {
		return nil, 0, fmt.Errorf("benchmark %q: the data has no price column", symbol)
	}
	T := p.T()
	b = make([]float64, T)
	for t := 1; t < T; t++ {
		if s[t] != s[t] || s[t-1] != s[t-1] {
			flat++
			continue
		}
		b[t] = s[t]/s[t-1] - 1
	}
	return b, flat, nil
}

// BenchmarkSeries returns the benchmark called name: "none" or "" (nil),
// "equal" (EqualWeightReturns), "cap" (CapWeightReturns) or a symbol of
// the panel (SymbolReturns). label describes it for result footers, e.g.
// "cap-weighted universe (market_cap)" or "SPY (3 bars without a price held flat)".
func BenchmarkSeries(p *Panel, name string) (b []float64, label string, err error) {
	switch name {
	case "", "none":
		return nil, "none", nil
	case "equal":
		return EqualWeightReturns(p), "equal-weighted universe, rebalanced every bar", nil
	case "cap":
		b, src, err := CapWeightReturns(p)
		if err != nil {
			return nil, "", err
		}
		return b, "size-weighted universe (" + src + ")", nil
	}
	b, flat, err := SymbolReturns(p, name)
	if err != nil {
		return nil, "", err
	}
	label = name
	if flat > 0 {
		label = fmt.Sprintf("%s (%d bars without a price held flat)", name, flat)
	}
	return b, label, nil
}
