package kernels

import "math"

// rowTerms are the per-bar terms of a series' returns that every pair of a
// grid shares, computed once with the operations of crossRun: the return
// r, the growth 1+r, r·r and min(r,0)·min(r,0), all aligned with the
// prices (index 0 unused).
type rowTerms struct {
	r, g, r2, d2 []float64
}

// fill computes the terms of ret into buf (4·len(ret) values) and reports
// whether every return of bars 1.. is finite (no held bar can then be a
// delisting).
func (rt *rowTerms) fill(buf, ret []float64) bool {
	T := len(ret)
	rt.r = ret
	rt.g, rt.r2, rt.d2 = buf[:T], buf[T:2*T], buf[2*T:3*T]
	g, r2, d2 := rt.g[:T], rt.r2[:T], rt.d2[:T]
	clean := true
	for t, x := range ret {
		if t == 0 {
			g[0], r2[0], d2[0] = 1, 0, 0
			continue
		}
		if x-x != 0 {
			clean = false
		}
		g[t] = 1 + x
		r2[t] = float64(x * x)
		xb := math.Float64bits(x)
		neg := math.Float64frombits(xb & uint64(int64(xb)>>63))
		d2[t] = float64(neg * neg)
	}
	return clean
}

// crossRunClean is crossRun without costs over returns that are all
// finite: no bar can be a delisting and a trade changes no return, so the
// pass alternates between flat runs (a compare per bar, nothing else) and
// held runs, whose bars do what crossRun's held bars do on the shared
// terms. The running maximum and the drawdown's start are updated on
// branches (V at or above its maximum or not: a pattern the predictor
// follows better than conditional moves cost). Results equal crossRun's
// exactly.
func crossRunClean(rt *rowTerms, f, s []float64) (st CrossStats) {
	clearUpper()
	T := len(rt.r)
	st.Equity = 1
	if T < 2 {
		return st
	}
	n := T - 1
	f, s = f[:n], s[:n]
	r, g, r2, d2 := rt.r[1:n+1], rt.g[1:n+1], rt.r2[1:n+1], rt.d2[1:n+1]
	r, g, r2, d2 = r[:n], g[:n], r2[:n], d2[:n]
	v := 1.0
	peak := 1.0 // the running maximum of V
	var sum, sq, dsq, mdd float64
	mn, mx := math.Inf(1), math.Inf(-1)
	var expo, sw, days int
	p := 0         // the last bar at the running maximum before the current drawdown
	below := false // V is below its running maximum
	kk := 1.0      // min(1, (1-maxDD)(1+1e-12))
	thr := 1.0     // peak·kk
	i := 0
	for {
		for i < n && !(f[i] > s[i]) {
			i++
		}
		if i >= n {
			break
		}
		sw++
		i0 := i
		for ; i < n && f[i] > s[i]; i++ {
			x := r[i]
			v *= g[i]
			sum += x
			sq += r2[i]
			dsq += d2[i]
			if x < mn {
				mn = x
			}
			if x > mx {
				mx = x
			}
			if v >= peak {
				if below {
					days = max(days, i+1-p)
					below = false
				}
				peak = v
				thr = v * kk
				continue
			}
			if !below {
				p = i
				below = true
			}
			if v < thr {
				if dd := 1 - v/peak; dd > mdd {
					mdd = dd
					kk = min(1, (1-mdd)*(1+1e-12))
					thr = peak * kk
				}
			}
		}
		expo += i - i0
		if i >= n {
			break
		}
		sw++
	}
	if below {
		days = max(days, n-p)
	}
	if expo < n {
		mn = min(mn, 0)
		mx = max(mx, 0)
	}
	st.N = n
	st.Sum, st.SumSq, st.SumDownSq = sum, sq, dsq
	st.Min, st.Max = mn, mx
	st.Equity = v
	st.MaxDrawdown, st.MaxDrawdownDays = mdd, days
	st.Exposure, st.Switches = expo, sw
	return st
}
