package kernels

import "math"

// crossMargin is the relative gap between F·slow and S·fast beyond which
// the rounded quotients F/fast and S/slow keep their order (16 ulps; 14
// would do).
const crossMargin = 1 + 16*0x1p-53

// appendCrossInputs appends to fd and sd, for every bar, two values whose
// comparison fd[t] > sd[t] equals SMA_fast[t] > SMA_slow[t] with the
// canonical SMAs of Prefix.AppendMean, without their divisions where the
// comparison is clear: with window sums F and S (both positive), F·slow
// and S·fast decide it when they differ by more than 16 ulps, because the
// rounded quotients F/fast and S/slow then cannot tie or swap. Elsewhere
// (near ties, equal-value windows, signs that are not both positive, a
// window not defined) the canonical SMAs themselves are stored. It is the
// scalar single-backtest path: the divisions are most of the cost of the
// two SMAs there. With SIMD it does the same eight bars at a time on a
// series without missing values or equal neighbours (windows > 1), and
// appends the canonical SMAs themselves otherwise; without SIMD, such a
// plain series gets the canonical SMAs from the assembly means (two
// divisions at a time cost less than the comparisons).
func (p *Prefix) appendCrossInputs(fd, sd []float64, fast, slow int) ([]float64, []float64) {
	plain := p.plain && fast > 1 && slow > 1
	if simdEnabled && !plain || !simdEnabled && plain && meanPlainAsmBuilt {
		return p.AppendMean(fd, fast), p.AppendMean(sd, slow)
	}
	T := len(p.X)
	bf, bs := len(fd), len(sd)
	fd, sd = growAppend(fd, T), growAppend(sd, T)
	fo, so := fd[bf:bf+T], sd[bs:bs+T]
	nan := math.NaN()
	x, run := p.X[:T], p.Run[:T]
	hi, lo, miss := p.Hi[:T+1], p.Lo[:T+1], p.Miss[:T+1]
	nf, ns := float64(fast), float64(slow)
	w := max(fast, slow)
	for t := 0; t < min(w-1, T); t++ {
		fo[t], so[t] = nan, nan
	}
	t0 := w - 1
	if simdEnabled {
		t0 = crossInputsPlainSIMD(fo, so, p, fast, slow)
	}
	for t := t0; t < T; t++ {
		jf, js := t+1-fast, t+1-slow
		if miss[t+1] != miss[jf] || miss[t+1] != miss[js] {
			fo[t], so[t] = nan, nan
			continue
		}
		F := (hi[t+1] - hi[jf]) + (lo[t+1] - lo[jf])
		S := (hi[t+1] - hi[js]) + (lo[t+1] - lo[js])
		a, b := F*ns, S*nf
		if !(a < math.MaxFloat64 && b < math.MaxFloat64) {
			a, b = 0, 0 // overflow: decide with the quotients
		}
		switch {
		case run[t] < nf && run[t] < ns && a > 0 && b > 0 && a > b*crossMargin:
			fo[t], so[t] = 1, 0
		case run[t] < nf && run[t] < ns && a > 0 && b > 0 && b > a*crossMargin:
			fo[t], so[t] = 0, 1
		default:
			f, s := F/nf, S/ns
			if run[t] >= nf {
				f = x[t]
			}
			if run[t] >= ns {
				s = x[t]
			}
			fo[t], so[t] = f, s
		}
	}
	return fd, sd
}
