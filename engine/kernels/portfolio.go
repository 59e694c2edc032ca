package kernels

// AppendDriftReturns appends the returns of a portfolio whose weights drift
// with prices between trades (SEMANTICS §3) for bars from+1..to-1:
//
//	holdings h_i = w[i] and cash 1 - Σ w[i] at the close of bar from;
//	on each bar t: cash grows by rc[t] (nil rc: cash earns 0), each held
//	asset by 1 + rets[i][t]; a held asset whose return is missing (NaN or
//	±Inf) is sold at its last price and its value joins cash (a
//	delisting); the bar's return is V[t]/V[t-1] - 1 with V = cash + Σ h_i
//	summed in asset order after cash.
//
// rets is asset-major: rets[i][t] is asset i's simple return on bar t (the
// layout of AppendReturns). On return w holds the drifted weights h_i/V at
// the close of bar to-1 (the pre-trade weights of the next trade), and the
// number of delistings is returned. The output has to-from-1 elements.
//
// The loop visits only assets with a non-zero weight, so a concentrated
// portfolio in a wide universe costs what its holdings cost. Results equal
// DriftReturnsRef exactly (same operations in the same order).
func AppendDriftReturns(dst []float64, rets [][]float64, rc []float64, w []float64, from, to int) ([]float64, int) {
	clearUpper()
	if to <= from+1 {
		return dst, 0
	}
	sc := getScratch(len(w))
	h := sc.buf[:len(w)]
	idx := getInts(len(w))
	held := idx.buf[:0]
	cash := 1.0
	for i, x := range w {
		h[i] = x
		if x != 0 {
			held = append(held, int32(i))
		}
		cash -= x
	}
	delisted := 0
	base := len(dst)
	dst = growAppend(dst, to-from-1)
	out := dst[base:]
	v := 1.0
	for t := from + 1; t < to; t++ {
		if rc != nil {
			cash *= 1 + rc[t]
		}
		nv := cash
		k := 0
		for _, i := range held {
			r := rets[i][t]
			if r-r != 0 {
				cash += h[i]
				nv += h[i]
				h[i] = 0
				delisted++
				continue
			}
			h[i] *= 1 + r
			nv += h[i]
			held[k] = i
			k++
		}
		held = held[:k]
		out[t-from-1] = nv/v - 1
		v = nv
	}
	for i := range w {
		w[i] = h[i] / v
	}
	idx.buf = held[:0]
	putInts(idx)
	putScratch(sc)
	return dst, delisted
}

// DriftReturnsRef is the reference of AppendDriftReturns: every asset on
// every bar, in the order of the definition.
func DriftReturnsRef(rets [][]float64, rc []float64, w []float64, from, to int) ([]float64, int) {
	var out []float64
	if to <= from+1 {
		return out, 0
	}
	h := make([]float64, len(w))
	cash := 1.0
	for i := range w {
		h[i] = w[i]
		cash -= w[i]
	}
	v := 1.0
	delisted := 0
	for t := from + 1; t < to; t++ {
		if rc != nil {
			cash = cash * (1 + rc[t])
		}
		nv := cash
		for i := range h {
			if h[i] == 0 {
				continue
			}
			if missing(rets[i][t]) {
				// Delisting: the order of these two additions is the
				// kernel's (cash first, then the running sum).
				cash += h[i]
				nv += h[i]
				h[i] = 0
				delisted++
				continue
			}
			h[i] = h[i] * (1 + rets[i][t])
			nv += h[i]
		}
		out = append(out, nv/v-1)
		v = nv
	}
	for i := range w {
		w[i] = h[i] / v
	}
	return out, delisted
}
