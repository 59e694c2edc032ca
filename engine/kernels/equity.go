package kernels

// AppendEquity appends the cumulative product of 1+r to dst: element 0 is
// 1 (V[0]) and element t is V[t-1]·(1+r[t]) for t ≥ 1; r[0] is ignored, so
// the output is aligned with r (use AppendReturns' layout). A missing
// return (NaN or ±Inf) counts as 0: the value does not change. Matches
// EquityRef exactly.
func AppendEquity(dst, r []float64) []float64 {
	clearUpper()
	T := len(r)
	base := len(dst)
	dst = growAppend(dst, T)
	if T == 0 {
		return dst
	}
	out := dst[base : base+T]
	v := 1.0
	out[0] = v
	rs := r[1:T]
	o := out[1:T]
	for i, x := range rs {
		if x-x == 0 {
			v *= 1 + x
		}
		o[i] = v
	}
	return dst
}

// EquityRef is the reference of AppendEquity.
func EquityRef(r []float64) []float64 {
	out := make([]float64, len(r))
	v := 1.0
	for t := range r {
		if t > 0 && !missing(r[t]) {
			v = v * (1 + r[t])
		}
		out[t] = v
	}
	return out
}

// AppendDrawdown appends the drawdown of an equity curve to dst: element t
// is 1 - V[t]/max(V[0..t]), a fraction ≥ 0 (SEMANTICS §4). A missing value
// of V (NaN or ±Inf) gives NaN at that bar and is skipped by the running
// maximum. Matches DrawdownRef exactly.
func AppendDrawdown(dst, v []float64) []float64 {
	clearUpper()
	T := len(v)
	base := len(dst)
	dst = growAppend(dst, T)
	out := dst[base : base+T]
	peak := 0.0
	started := false
	for t, x := range v {
		if x-x != 0 {
			out[t] = x - x // NaN
			continue
		}
		if !started || x > peak {
			peak, started = x, true
		}
		out[t] = 1 - x/peak
	}
	return dst
}

// DrawdownRef is the reference of AppendDrawdown.
func DrawdownRef(v []float64) []float64 {
	out := make([]float64, len(v))
	for t := range v {
		if missing(v[t]) {
			out[t] = v[t] - v[t]
			continue
		}
		peak := v[t]
		for k := 0; k <= t; k++ {
			if !missing(v[k]) && v[k] > peak {
				peak = v[k]
			}
		}
		out[t] = 1 - v[t]/peak
	}
	return out
}

// MaxDrawdown returns max over t of 1 - V[t]/max(V[0..t]) and the longest
// drawdown in bars (SEMANTICS §4: q - p, p the last bar at the running
// maximum before V falls below it, q the first later bar with V[q] ≥ V[p],
// or the last bar if none; 0 if V never falls below its running maximum).
// Missing values of V are skipped (they neither set a peak nor end a
// drawdown). One pass, no division outside drawdowns' troughs; matches
// MaxDrawdownRef exactly.
func MaxDrawdown(v []float64) (dd float64, days int) {
	clearUpper()
	T := len(v)
	peak, trough := 0.0, 0.0
	peakBar := -1
	in := false
	for t, x := range v {
		if x-x != 0 {
			continue
		}
		if peakBar < 0 || x >= peak {
			if in {
				if d := 1 - trough/peak; d > dd {
					dd = d
				}
				if t-peakBar > days {
					days = t - peakBar
				}
				in = false
			}
			peak, peakBar = x, t
			continue
		}
		if !in || x < trough {
			trough, in = x, true
		}
	}
	if in {
		if d := 1 - trough/peak; d > dd {
			dd = d
		}
		if T-1-peakBar > days {
			days = T - 1 - peakBar
		}
	}
	return dd, days
}

// MaxDrawdownRef is the reference of MaxDrawdown: the drawdown computed
// at every bar, and the durations found by scanning forward from every
// bar that ends a run at the running maximum.
func MaxDrawdownRef(v []float64) (dd float64, days int) {
	T := len(v)
	peak := 0.0
	started := false
	for t := 0; t < T; t++ {
		if missing(v[t]) {
			continue
		}
		if !started || v[t] > peak {
			peak, started = v[t], true
		}
		if d := 1 - v[t]/peak; d > dd {
			dd = d
		}
	}
	// p: a present bar at the running max whose next present bar is below it.
	runMax := 0.0
	started = false
	for p := 0; p < T; p++ {
		if missing(v[p]) {
			continue
		}
		if !started || v[p] >= runMax {
			runMax, started = v[p], true
		}
		if v[p] < runMax {
			continue
		}
		next := p + 1
		for next < T && missing(v[next]) {
			next++
		}
		if next >= T || v[next] >= v[p] {
			continue
		}
		q := T - 1
		for k := next; k < T; k++ {
			if !missing(v[k]) && v[k] >= v[p] {
				q = k
				break
			}
		}
		if q-p > days {
			days = q - p
		}
	}
	return dd, days
}
