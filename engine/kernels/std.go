package kernels

import "math"

// AppendRollingStd appends the rolling standard deviation (ddof = 1) of x
// over windows of n values to dst: NaN for t < n-1, for n < 2 and when the
// window holds a missing value; exactly 0 when the window's values are all
// equal. O(1) per step: the window moments come from compensated (TwoSum)
// prefix sums of d = x - K and d², K = the first present value of x, so
// the cancellation in Σd² - (Σd)²/n is bounded by the spread of x around K
// rather than by its level. Tolerance against RollingStdRef: the variances
// agree within 1e-13 · Σ(x-K)²/(n-1) over the window.
func AppendRollingStd(dst, x []float64, n int) []float64 {
	clearUpper()
	if n < 1 {
		panic("kernels: window length must be ≥ 1")
	}
	T := len(x)
	base := len(dst)
	dst = growAppend(dst, T)
	out := dst[base : base+T]
	nan := math.NaN()
	if n < 2 {
		for t := range out {
			out[t] = nan
		}
		return dst
	}
	sc := getScratch(5 * (T + 1))
	buf := sc.buf[:5*(T+1)]
	h1, l1, h2, l2, miss := buf[0:T+1], buf[T+1:2*(T+1)], buf[2*(T+1):3*(T+1)], buf[3*(T+1):4*(T+1)], buf[4*(T+1):5*(T+1)]
	k := 0.0
	for _, v := range x {
		if !missing(v) {
			k = v
			break
		}
	}
	var s1, c1, s2, c2, m float64
	h1[0], l1[0], h2[0], l2[0], miss[0] = 0, 0, 0, 0, 0
	for i, v := range x {
		if missing(v) {
			m++
		} else {
			d := v - k
			t := s1 + d
			bb := t - s1
			c1 += (s1 - (t - bb)) + (d - bb)
			s1 = t
			d2 := d * d
			t = s2 + d2
			bb = t - s2
			c2 += (s2 - (t - bb)) + (d2 - bb)
			s2 = t
		}
		h1[i+1], l1[i+1], h2[i+1], l2[i+1], miss[i+1] = s1, c1, s2, c2, m
	}
	fn := float64(n)
	run := 0
	for t := 0; t < T; t++ {
		if t > 0 && x[t] == x[t-1] {
			run++
		} else {
			run = 1
		}
		if t < n-1 {
			out[t] = nan
			continue
		}
		j := t + 1 - n
		switch {
		case miss[t+1] != miss[j]:
			out[t] = nan
		case run >= n:
			out[t] = 0
		default:
			a := (h1[t+1] - h1[j]) + (l1[t+1] - l1[j])
			b := (h2[t+1] - h2[j]) + (l2[t+1] - l2[j])
			v := (b - a*a/fn) / (fn - 1)
			if v < 0 {
				v = 0
			}
			out[t] = math.Sqrt(v)
		}
	}
	putScratch(sc)
	return dst
}

// RollingStdRef is the reference of AppendRollingStd: for each window the
// mean, then Σ(x-mean)²/(n-1), then the square root (two passes); 0 when
// the window's values are all equal; NaN as AppendRollingStd.
func RollingStdRef(x []float64, n int) []float64 {
	out := make([]float64, len(x))
	for t := range x {
		if t < n-1 || n < 2 {
			out[t] = math.NaN()
			continue
		}
		s, equal, bad := scanWindow(x, t, n)
		if bad {
			out[t] = math.NaN()
			continue
		}
		if equal {
			out[t] = 0
			continue
		}
		mean := s / float64(n)
		ss := 0.0
		for k := t - n + 1; k <= t; k++ {
			d := x[k] - mean
			ss += d * d
		}
		out[t] = math.Sqrt(ss / float64(n-1))
	}
	return out
}
