//go:build goexperiment.simd && amd64

package kernels

// Every SIMD helper ends with archsimd.ClearAVXUpperBits (VZEROUPPER): the
// scalar code that follows uses SSE instructions, which run several times
// slower while the upper halves of the vector registers are dirty.

import (
	"math"
	"simd/archsimd"
	"unsafe"
)

// span returns a pointer to x[i] after checking that x[i:i+n] is in
// range: the loops below then step through it by 64 bytes (one vector)
// without a bounds check or a slice header per load (n ≥ 1).
func span(x []float64, i, n int) unsafe.Pointer {
	return unsafe.Pointer(&x[i : i+n][0])
}

// load8 loads the 8 values at byte offset off from p.
func load8(p unsafe.Pointer, off uintptr) archsimd.Float64x8 {
	return archsimd.LoadFloat64x8((*[8]float64)(unsafe.Add(p, off)))
}

// store8 stores v at byte offset off from p.
func store8(p unsafe.Pointer, off uintptr, v archsimd.Float64x8) {
	v.Store((*[8]float64)(unsafe.Add(p, off)))
}

// windowSIMD computes elements n-1.. of appendWindow's output eight at a
// time with the same operations, and returns where the scalar loop goes
// on (the last len%8 elements).
func windowSIMD(out []float64, p *Prefix, n int, mean bool) int {
	T := len(p.X)
	t := n - 1
	m := (T - t) / 8 * 8 // elements done here
	if m <= 0 {
		return t
	}
	j := t + 1 - n
	hT, hJ := span(p.Hi, t+1, m), span(p.Hi, j, m)
	lT, lJ := span(p.Lo, t+1, m), span(p.Lo, j, m)
	mT, mJ := span(p.Miss, t+1, m), span(p.Miss, j, m)
	xp, rp, op := span(p.X, t, m), span(p.Run, t, m), span(out, t, m)
	nan := archsimd.BroadcastFloat64x8(math.NaN())
	fn := archsimd.BroadcastFloat64x8(float64(n))
	for off := uintptr(0); off < uintptr(m)*8; off += 64 {
		s := load8(hT, off).Sub(load8(hJ, off)).Add(load8(lT, off).Sub(load8(lJ, off)))
		x := load8(xp, off)
		if mean {
			s = s.Div(fn)
		} else {
			x = fn.Mul(x)
		}
		s = x.Merge(s, load8(rp, off).GreaterEqual(fn))
		store8(op, off, nan.Merge(s, load8(mT, off).NotEqual(load8(mJ, off))))
	}
	archsimd.ClearAVXUpperBits()
	return t + m
}

// returnsSIMD computes elements 1.. of AppendReturns' output eight at a
// time with the same operations and returns where the scalar loop goes on.
func returnsSIMD(out, price []float64) int {
	T := len(price)
	m := (T - 1) / 8 * 8
	if m <= 0 {
		return 1
	}
	cp, pp, op := span(price, 1, m), span(price, 0, m), span(out, 1, m)
	nan := archsimd.BroadcastFloat64x8(math.NaN())
	one := archsimd.BroadcastFloat64x8(1)
	zero := archsimd.Float64x8{}
	for off := uintptr(0); off < uintptr(m)*8; off += 64 {
		cur, prev := load8(cp, off), load8(pp, off)
		r := cur.Div(prev).Sub(one)
		ok := cur.Greater(zero).And(prev.Greater(zero)).And(cur.Sub(cur).Add(prev.Sub(prev)).Equal(zero))
		store8(op, off, r.Merge(nan, ok))
	}
	archsimd.ClearAVXUpperBits()
	return 1 + m
}

// plainSeries is plainSeriesGo eight values at a time.
func plainSeries(x []float64) bool {
	n := len(x)
	if !simdEnabled || n < 9 {
		return plainSeriesGo(x)
	}
	m := (n - 1) / 8 * 8
	cp, pp := span(x, 1, m), span(x, 0, m)
	zero := archsimd.Float64x8{}
	bad := uint8(0)
	for off := uintptr(0); off < uintptr(m)*8; off += 64 {
		cur, prev := load8(cp, off), load8(pp, off)
		bad |= cur.Sub(cur).NotEqual(zero).ToBits() | cur.Equal(prev).ToBits()
	}
	archsimd.ClearAVXUpperBits()
	return bad == 0 && x[0]-x[0] == 0 && plainSeriesGo(x[m:])
}

// fillOnes sets every element of x to 1.
func fillOnes(x []float64) {
	m := len(x) / 8 * 8
	if !simdEnabled || m == 0 {
		fillOnesGo(x)
		return
	}
	xp := span(x, 0, m)
	one := archsimd.BroadcastFloat64x8(1)
	for off := uintptr(0); off < uintptr(m)*8; off += 64 {
		store8(xp, off, one)
	}
	archsimd.ClearAVXUpperBits()
	fillOnesGo(x[m:])
}

// fillTermsSIMD computes rowTerms.fill's terms of bars 1.. eight at a time
// with the same operations, and returns where the scalar loop goes on and
// whether every return so far was finite.
func fillTermsSIMD(g, r2, d2, ret []float64) (t int, clean bool) {
	m := (len(ret) - 1) / 8 * 8
	if !simdEnabled || m <= 0 {
		return 1, true
	}
	rp, gp, qp, dp := span(ret, 1, m), span(g, 1, m), span(r2, 1, m), span(d2, 1, m)
	zero := archsimd.Float64x8{}
	one := archsimd.BroadcastFloat64x8(1)
	bad := uint8(0)
	for off := uintptr(0); off < uintptr(m)*8; off += 64 {
		x := load8(rp, off)
		bad |= x.Sub(x).NotEqual(zero).ToBits()
		store8(gp, off, one.Add(x))
		store8(qp, off, x.Mul(x))
		d := x.Min(zero)
		store8(dp, off, d.Mul(d))
	}
	archsimd.ClearAVXUpperBits()
	return 1 + m, bad == 0
}

// crossInputsPlainSIMD computes appendCrossInputs eight bars at a time on
// a plain series (p.plain: no missing value, no equal neighbours) with
// windows > 1, where no window is undefined after the first and none is
// all-equal, and returns where the scalar loop goes on. The quotients are
// computed only for blocks where some bar needs them. Masks are combined
// through their bits (Mask64x8.And/Or gave wrong lanes with go1.26.8).
func crossInputsPlainSIMD(fo, so []float64, p *Prefix, fast, slow int) int {
	T := len(p.X)
	t := max(fast, slow) - 1
	m := (T - t) / 8 * 8
	if m <= 0 {
		return t
	}
	jf, js := t+1-fast, t+1-slow
	hT, hF, hS := span(p.Hi, t+1, m), span(p.Hi, jf, m), span(p.Hi, js, m)
	lT, lF, lS := span(p.Lo, t+1, m), span(p.Lo, jf, m), span(p.Lo, js, m)
	fp, sp := span(fo, t, m), span(so, t, m)
	one := archsimd.BroadcastFloat64x8(1)
	zero := archsimd.Float64x8{}
	big := archsimd.BroadcastFloat64x8(math.MaxFloat64)
	mg := archsimd.BroadcastFloat64x8(crossMargin)
	nf := archsimd.BroadcastFloat64x8(float64(fast))
	ns := archsimd.BroadcastFloat64x8(float64(slow))
	for off := uintptr(0); off < uintptr(m)*8; off += 64 {
		h, l := load8(hT, off), load8(lT, off)
		F := h.Sub(load8(hF, off)).Add(l.Sub(load8(lF, off)))
		S := h.Sub(load8(hS, off)).Add(l.Sub(load8(lS, off)))
		a, b := F.Mul(ns), S.Mul(nf)
		ok := a.Min(b).Greater(zero).ToBits() & a.Max(b).Less(big).ToBits()
		lb := a.Greater(b.Mul(mg)).ToBits() & ok
		sb := b.Greater(a.Mul(mg)).ToBits() & ok
		fv := one.Masked(archsimd.Mask64x8FromBits(lb))
		sv := one.Masked(archsimd.Mask64x8FromBits(sb))
		if d := lb | sb; d != 0xff {
			dm := archsimd.Mask64x8FromBits(d)
			fv = fv.Merge(F.Div(nf), dm)
			sv = sv.Merge(S.Div(ns), dm)
		}
		store8(fp, off, fv)
		store8(sp, off, sv)
	}
	archsimd.ClearAVXUpperBits()
	return t + m
}

// returnsTermsSIMD computes, eight bars at a time from bar 1, the returns
// of AppendReturns into ret and the terms of rowTerms.fill into g, r2 and
// d2, with the same operations. It returns where the scalar loop goes on,
// whether every return so far is finite, and whether the prices so far
// (from bar 1; the caller checks bar 0) have no missing value and no
// equal neighbours (plainSeries).
func returnsTermsSIMD(ret, g, r2, d2, price []float64) (t int, clean, plain bool) {
	m := (len(price) - 1) / 8 * 8
	if !simdEnabled || m <= 0 {
		return 1, true, true
	}
	cp, pp := span(price, 1, m), span(price, 0, m)
	rp, gp, qp, dp := span(ret, 1, m), span(g, 1, m), span(r2, 1, m), span(d2, 1, m)
	nan := archsimd.BroadcastFloat64x8(math.NaN())
	one := archsimd.BroadcastFloat64x8(1)
	zero := archsimd.Float64x8{}
	var bad, odd uint8
	for off := uintptr(0); off < uintptr(m)*8; off += 64 {
		cur, prev := load8(cp, off), load8(pp, off)
		miss := cur.Sub(cur).NotEqual(zero).ToBits()
		odd |= miss | cur.Equal(prev).ToBits()
		ok := cur.Greater(zero).ToBits() & prev.Greater(zero).ToBits() & ^miss & prev.Sub(prev).Equal(zero).ToBits()
		bad |= ^ok
		x := cur.Div(prev).Sub(one).Merge(nan, archsimd.Mask64x8FromBits(ok))
		store8(rp, off, x)
		store8(gp, off, one.Add(x))
		store8(qp, off, x.Mul(x))
		d := x.Min(zero)
		store8(dp, off, d.Mul(d))
	}
	archsimd.ClearAVXUpperBits()
	return 1 + m, bad == 0, odd == 0
}

// clearUpper clears the upper halves of the vector registers
// (VZEROUPPER). The scalar kernels call it first: in a GOEXPERIMENT=simd
// build the runtime restores full vector registers (after an asynchronous
// preemption, for one), and SSE code then runs slower until the next
// VZEROUPPER (measured: rolling std 15% slower, prefix sums 6× after
// AVX-512 code).
func clearUpper() { archsimd.ClearAVXUpperBits() }
