package kernels

import "math"

// missing reports whether v is NaN or ±Inf.
func missing(v float64) bool { return v-v != 0 }

// Prefix is the compensated prefix sum of a series, shared by every window
// length computed from it. Hi[k]+Lo[k] is Σ x[0..k-1] over the present
// (finite) values with the rounding error of each addition kept in Lo
// (TwoSum), Miss[k] counts the missing values among x[0..k-1], and Run[k]
// is the number of consecutive equal values ending at x[k] (for constant
// windows). All slices have len(x)+1 elements except Run (len(x)).
type Prefix struct {
	Hi, Lo, Miss []float64
	Run          []float64
	X            []float64 // the series itself

	plain bool // X has no missing value and no two equal neighbours
}

// Reset computes the prefix sums of x, reusing p's storage.
func (p *Prefix) Reset(x []float64) {
	p.reset(x, plainSeries(x))
}

// reset is Reset with plainSeries(x) already known.
func (p *Prefix) reset(x []float64, plain bool) {
	clearUpper()
	n := len(x)
	p.X = x
	p.Hi = grow(p.Hi, n+1)
	p.Lo = grow(p.Lo, n+1)
	p.Miss = grow(p.Miss, n+1)
	p.Run = grow(p.Run, n)
	hi, lo, miss, run := p.Hi[:n+1], p.Lo[:n+1], p.Miss[:n+1], p.Run[:n]
	hi[0], lo[0], miss[0] = 0, 0, 0
	// Element i of the sums goes to index i+1: these views make every
	// index in the loop provably in range (no bounds checks).
	h1, l1, m1 := hi[1:n+1], lo[1:n+1], miss[1:n+1]
	h1, l1, m1 = h1[:len(x)], l1[:len(x)], m1[:len(x)]
	run = run[:len(x)]
	var s, c float64
	p.plain = plain
	if plain {
		// The common case, no missing value and no two equal neighbours:
		// the missing counts are 0, every run is 1, and the loop is the
		// compensated sum alone (same operations as below).
		clear(m1)
		fillOnes(run)
		for i, v := range x {
			t := s + v
			bb := t - s
			c += (s - (t - bb)) + (v - bb)
			s = t
			h1[i], l1[i] = s, c
		}
		return
	}
	var m, r float64
	prev := math.NaN()
	for i, v := range x {
		if v-v != 0 { // missing
			m++
			r = 0
		} else {
			t := s + v
			bb := t - s
			c += (s - (t - bb)) + (v - bb)
			s = t
			if v == prev {
				r++
			} else {
				r = 1
			}
		}
		prev = v
		h1[i], l1[i], m1[i] = s, c, m
		run[i] = r
	}
}

// plainSeriesGo reports whether x has no missing value (NaN, ±Inf) and no
// two equal neighbours.
func plainSeriesGo(x []float64) bool {
	if len(x) == 0 {
		return true
	}
	prev := x[0]
	if prev-prev != 0 {
		return false
	}
	for _, v := range x[1:] {
		if v-v != 0 || v == prev {
			return false
		}
		prev = v
	}
	return true
}

// fillOnesGo sets every element of x to 1.
func fillOnesGo(x []float64) {
	for i := range x {
		x[i] = 1
	}
}

// grow returns s resliced to length n, reallocating when its capacity is
// too small.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// AppendSum appends the rolling sums over windows of n values to dst:
// element t is Σ x[t-n+1..t], NaN for t < n-1 or when the window holds a
// missing value, and exactly n·x[t] when the window's values are all equal.
func (p *Prefix) AppendSum(dst []float64, n int) []float64 {
	return p.appendWindow(dst, n, false)
}

// AppendMean appends the rolling means (SMA) over windows of n values to
// dst: element t is Σ x[t-n+1..t] / n, NaN for t < n-1 or when the window
// holds a missing value, and exactly x[t] when the window's values are all
// equal (so that equal windows tie exactly). This is the canonical SMA of
// rotor: every crossover path computes its moving averages with it.
func (p *Prefix) AppendMean(dst []float64, n int) []float64 {
	return p.appendWindow(dst, n, true)
}

func (p *Prefix) appendWindow(dst []float64, n int, mean bool) []float64 {
	if n < 1 {
		panic("kernels: window length must be ≥ 1")
	}
	T := len(p.X)
	base := len(dst)
	dst = growAppend(dst, T)
	out := dst[base : base+T]
	nan := math.NaN()
	k := min(n-1, T)
	for t := 0; t < k; t++ {
		out[t] = nan
	}
	if k >= T {
		return dst
	}
	x, run := p.X[:T], p.Run[:T]
	hi, lo, miss := p.Hi[:T+1], p.Lo[:T+1], p.Miss[:T+1]
	fn := float64(n)
	inv := mean
	t0 := n - 1
	if simdEnabled {
		t0 = windowSIMD(out, p, n, mean)
	} else if p.plain && n > 1 && mean {
		// No missing value and no equal neighbours: every window from
		// n-1 on is defined and none is all-equal.
		meanPlain(out[t0:], hi[t0+1:], hi[:T-t0], lo[t0+1:], lo[:T-t0], fn)
		t0 = T
	}
	for t := t0; t < T; t++ {
		j := t + 1 - n
		switch {
		case miss[t+1] != miss[j]:
			out[t] = nan
		case run[t] >= fn:
			if inv {
				out[t] = x[t]
			} else {
				out[t] = fn * x[t]
			}
		default:
			s := (hi[t+1] - hi[j]) + (lo[t+1] - lo[j])
			if inv {
				s /= fn
			}
			out[t] = s
		}
	}
	return dst
}

// growAppend extends dst by n elements (contents unspecified).
func growAppend(dst []float64, n int) []float64 {
	if cap(dst)-len(dst) >= n {
		return dst[:len(dst)+n]
	}
	nd := make([]float64, len(dst)+n, 2*len(dst)+n)
	copy(nd, dst)
	return nd
}

// AppendRollingSum appends the rolling sums of x over windows of n values
// (see Prefix.AppendSum). The compensated prefix sums make it accurate to
// a few ulp of the window's Σ|x|; against RollingSumRef, whose plain sum
// errs by up to (n-1) ulp, the tolerance is (n+4)·2⁻⁵²·Σ|x|.
func AppendRollingSum(dst, x []float64, n int) []float64 {
	p := getPrefix(x)
	dst = p.AppendSum(dst, n)
	putPrefix(p)
	return dst
}

// AppendRollingMean appends the simple moving average of x over windows of
// n values (see Prefix.AppendMean). Tolerance against RollingMeanRef: (n+4)·2⁻⁵²
// times the window's mean |x|.
func AppendRollingMean(dst, x []float64, n int) []float64 {
	p := getPrefix(x)
	dst = p.AppendMean(dst, n)
	putPrefix(p)
	return dst
}

// RollingSumRef is the reference of AppendRollingSum: each window summed
// from scratch.
func RollingSumRef(x []float64, n int) []float64 {
	return rollingRef(x, n, false)
}

// RollingMeanRef is the reference of AppendRollingMean: each window's sum
// from scratch, divided by n; x[t] itself when the window's values are all
// equal; NaN before the window is full or when it holds a missing value.
func RollingMeanRef(x []float64, n int) []float64 {
	return rollingRef(x, n, true)
}

func rollingRef(x []float64, n int, mean bool) []float64 {
	out := make([]float64, len(x))
	for t := range x {
		if t < n-1 {
			out[t] = math.NaN()
			continue
		}
		s, equal, bad := scanWindow(x, t, n)
		switch {
		case bad:
			out[t] = math.NaN()
		case equal && mean:
			out[t] = x[t]
		case equal:
			out[t] = float64(n) * x[t]
		case mean:
			out[t] = s / float64(n)
		default:
			out[t] = s
		}
	}
	return out
}

// scanWindow is the plain scan of the n values ending at t (t ≥ n-1) that
// the reference loops share: their sum in order, whether they are all
// equal, and whether one is missing.
func scanWindow(x []float64, t, n int) (sum float64, equal, bad bool) {
	equal = true
	for k := t - n + 1; k <= t; k++ {
		if missing(x[k]) {
			bad = true
		}
		if x[k] != x[t] {
			equal = false
		}
		sum += x[k]
	}
	return sum, equal, bad
}
