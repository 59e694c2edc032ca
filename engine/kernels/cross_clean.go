package kernels

import "math"

// rowTerms are the per-bar terms of a series' returns that every pair of a
// grid shares, computed once with the operations of crossRun: the return
// r, the growth 1+r, r·r and min(r,0)·min(r,0), all aligned with the
// prices (index 0 unused).
type rowTerms struct {
	r, g, r2, d2 []float64
}

// fill computes the terms of ret into buf (3·len(ret) values) and reports
// whether every return of bars 1.. is finite (no held bar can then be a
// delisting). The terms are meant for clean series only: those of a
// missing return are unspecified.
func (rt *rowTerms) fill(buf, ret []float64) bool {
	clearUpper()
	T := len(ret)
	rt.r = ret
	rt.g, rt.r2, rt.d2 = buf[:T], buf[T:2*T], buf[2*T:3*T]
	g, r2, d2 := rt.g[:T], rt.r2[:T], rt.d2[:T]
	if T == 0 {
		return true
	}
	g[0], r2[0], d2[0] = 1, 0, 0
	t0, clean := fillTermsSIMD(g, r2, d2, ret)
	for t := t0; t < T; t++ {
		x := ret[t]
		if x-x != 0 {
			clean = false
		}
		g[t], r2[t], d2[t] = barTerms(x)
	}
	return clean
}

// barTerms is a return's shared terms: 1+x, x·x and min(x,0)² (the sign
// taken from the bits, so a NaN gives 0 for the last).
func barTerms(x float64) (g, x2, d2 float64) {
	xb := math.Float64bits(x)
	neg := math.Float64frombits(xb & uint64(int64(xb)>>63))
	return 1 + x, float64(x * x), float64(neg * neg)
}

// returnsTerms computes in one pass over price what AppendReturns (into
// ret), rowTerms.fill (into rt, from buf of 3·len(price) values) and
// plainSeries compute, with the same operations, and returns fill's and
// plainSeries' results.
func (rt *rowTerms) returnsTerms(buf, ret, price []float64) (clean, plain bool) {
	clearUpper()
	T := len(price)
	ret = ret[:T]
	rt.r = ret
	rt.g, rt.r2, rt.d2 = buf[:T], buf[T:2*T], buf[2*T:3*T]
	if T == 0 {
		return true, true
	}
	g, r2, d2 := rt.g[:T], rt.r2[:T], rt.d2[:T]
	ret[0], g[0], r2[0], d2[0] = math.NaN(), 1, 0, 0
	t0, clean, plain := returnsTermsSIMD(ret, g, r2, d2, price)
	plain = plain && price[0]-price[0] == 0
	for t := t0; t < T; t++ {
		cur, prev := price[t], price[t-1]
		x := simpleReturn(cur, prev)
		if cur-cur != 0 || cur == prev {
			plain = false
		}
		if x-x != 0 {
			clean = false
		}
		ret[t] = x
		g[t], r2[t], d2[t] = barTerms(x)
	}
	return clean, plain
}

// crossRunClean is crossRun without costs over returns that are all
// finite: no bar can be a delisting and a trade changes no return, so the
// pass (cleanPass) alternates between flat runs (a compare per bar,
// nothing else) and held runs, whose bars do what crossRun's held bars do
// on the shared terms. Results equal crossRun's exactly.
func crossRunClean(rt *rowTerms, f, s []float64) (st CrossStats) {
	clearUpper()
	T := len(rt.r)
	st.Equity = 1
	if T < 2 {
		return st
	}
	n := T - 1
	cs := cleanState{v: 1, peak: 1, kk: 1, mn: math.Inf(1), mx: math.Inf(-1)}
	cleanPass(&cs, f[:n], s[:n], rt.r[1:T], rt.g[1:T], rt.r2[1:T], rt.d2[1:T])
	days := cs.days
	if cs.v < cs.peak {
		days = max(days, n-cs.p)
	}
	if cs.mdd == 0 { // never below the maximum: the candidates were 1s
		days = 0
	}
	mn, mx := cs.mn, cs.mx
	if cs.expo < n {
		mn = min(mn, 0)
		mx = max(mx, 0)
	}
	st.N = n
	st.Sum, st.SumSq, st.SumDownSq = cs.sum, cs.sq, cs.dsq
	st.Min, st.Max = mn, mx
	st.Equity = cs.v
	st.MaxDrawdown, st.MaxDrawdownDays = cs.mdd, days
	st.Exposure, st.Switches = cs.expo, cs.sw
	return st
}
