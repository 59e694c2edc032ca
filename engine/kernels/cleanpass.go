package kernels

import "math"

// cleanState is the state of a clean crossover pass (crossRunClean) as
// the assembly pass reads and writes it; the field offsets are part of
// that contract (cleanpass_amd64.s).
type cleanState struct {
	v, peak, kk, mdd float64 // equity, running maximum, threshold factor, max drawdown
	sum, sq, dsq     float64 // Σr, Σr², Σmin(r,0)² over held bars
	mn, mx           float64 // smallest and largest held return
	days             int     // longest drawdown so far (candidates i−p)
	p                int     // the last bar at the running maximum
	expo, sw         int     // held bars, trades
}

// cleanPassGo is the pure-Go clean pass over decision bars 0..n-1 (bar i
// earns the return of index i of r, g, r2, d2): flat runs cost a compare
// per bar; on held bars the equity multiplies, the sums add the shared
// terms, and the running maximum, the drawdown's start p and the longest
// drawdown are updated with conditional moves (days takes i+1−p on every
// held bar: the candidate is 1 on a bar without drawdown, which the
// caller discards when the maximum drawdown is 0). The division for the
// drawdown runs only within 1e-12 of a new maximum drawdown, as in
// crossRun. cleanPassAsm performs the same operations in the same order.
func cleanPassGo(st *cleanState, f, s, r, g, r2, d2 []float64) {
	n := len(f)
	s, r, g, r2, d2 = s[:n], r[:n], g[:n], r2[:n], d2[:n]
	v, peak, kk, mdd := st.v, st.peak, st.kk, st.mdd
	sum, sq, dsq, mn, mx := st.sum, st.sq, st.dsq, st.mn, st.mx
	days, p, expo, sw := st.days, st.p, st.expo, st.sw
	pb := math.Float64bits(peak)
	i := 0
	for i < n {
		if !(f[i] > s[i]) {
			i++
			continue
		}
		sw++
		expo -= i
		if math.Float64bits(v) >= pb {
			p = i
		}
		for i < n && f[i] > s[i] {
			x := r[i]
			v *= g[i]
			sum += x
			sq += r2[i]
			dsq += d2[i]
			if !(mn < x) { // MINSD: equal to x < mn on returns (no -0, no NaN)
				mn = x
			}
			if !(mx > x) {
				mx = x
			}
			i++
			vb := math.Float64bits(v)
			days = max(days, i-p)
			if vb >= pb {
				pb = vb
				p = i
			}
			pk := math.Float64frombits(pb)
			if v < pk*kk {
				if dd := 1 - v/pk; dd > mdd {
					mdd = dd
					kk = min(1, (1-mdd)*(1+1e-12))
				}
			}
		}
		expo += i
		if i < n {
			sw++
		}
	}
	st.v, st.peak, st.kk, st.mdd = v, math.Float64frombits(pb), kk, mdd
	st.sum, st.sq, st.dsq, st.mn, st.mx = sum, sq, dsq, mn, mx
	st.days, st.p, st.expo, st.sw = days, p, expo, sw
}
