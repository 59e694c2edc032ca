package kernels

import "math"

// AppendReturns appends the simple returns of price to dst (SEMANTICS §1):
// element t is price[t]/price[t-1] - 1 for t ≥ 1 and NaN for t = 0 or when
// either price is missing: NaN, ±Inf, or not positive (a price must be a
// positive number; SEMANTICS §1 rejects others at loading). The output has len(price)
// elements, aligned with the prices. Matches ReturnsRef exactly.
func AppendReturns(dst, price []float64) []float64 {
	T := len(price)
	base := len(dst)
	dst = growAppend(dst, T)
	if T == 0 {
		return dst
	}
	out := dst[base : base+T]
	nan := math.NaN()
	out[0] = nan
	k := 1
	if simdEnabled {
		k = returnsSIMD(out, price)
	}
	prev := price[k-1]
	p := price[k:T]
	o := out[k:T]
	for i := range p {
		cur := p[i]
		o[i] = simpleReturn(cur, prev)
		prev = cur
	}
	return dst
}

// ReturnsRef is the reference of AppendReturns.
func ReturnsRef(price []float64) []float64 {
	out := make([]float64, len(price))
	for t := range price {
		if t == 0 || !validPrice(price[t]) || !validPrice(price[t-1]) {
			out[t] = math.NaN()
			continue
		}
		out[t] = price[t]/price[t-1] - 1
	}
	return out
}

// validPrice reports whether p is a positive finite number.
func validPrice(p float64) bool { return p > 0 && !missing(p) }

// simpleReturn is cur/prev - 1, NaN unless both prices are finite and
// positive. It tests the operands, not the quotient (Inf/1e308 is finite,
// -1/-2 positive).
func simpleReturn(cur, prev float64) float64 {
	if !(cur > 0 && prev > 0) || (cur-cur)+(prev-prev) != 0 {
		return math.NaN()
	}
	return cur/prev - 1
}
