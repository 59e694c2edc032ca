//go:build goexperiment.simd && amd64

package kernels

// Every SIMD helper ends with archsimd.ClearAVXUpperBits (VZEROUPPER): the
// scalar code that follows uses SSE instructions, which run several times
// slower while the upper halves of the vector registers are dirty.

import (
	"math"
	"simd/archsimd"
)

// windowSIMD computes elements n-1.. of appendWindow's output eight at a
// time with the same operations, and returns where the scalar loop goes
// on (the last len%8 elements).
func windowSIMD(out []float64, p *Prefix, n int, mean bool) int {
	T := len(p.X)
	t := n - 1
	nan := archsimd.BroadcastFloat64x8(math.NaN())
	fn := archsimd.BroadcastFloat64x8(float64(n))
	for ; t+8 <= T; t += 8 {
		j := t + 1 - n
		s := archsimd.LoadFloat64x8Slice(p.Hi[t+1:]).Sub(archsimd.LoadFloat64x8Slice(p.Hi[j:])).
			Add(archsimd.LoadFloat64x8Slice(p.Lo[t+1:]).Sub(archsimd.LoadFloat64x8Slice(p.Lo[j:])))
		x := archsimd.LoadFloat64x8Slice(p.X[t:])
		if mean {
			s = s.Div(fn)
		} else {
			x = fn.Mul(x)
		}
		s = x.Merge(s, archsimd.LoadFloat64x8Slice(p.Run[t:]).GreaterEqual(fn))
		miss := archsimd.LoadFloat64x8Slice(p.Miss[t+1:]).NotEqual(archsimd.LoadFloat64x8Slice(p.Miss[j:]))
		nan.Merge(s, miss).StoreSlice(out[t:])
	}
	archsimd.ClearAVXUpperBits()
	return t
}

// returnsSIMD computes elements 1.. of AppendReturns' output eight at a
// time with the same operations and returns where the scalar loop goes on.
func returnsSIMD(out, price []float64) int {
	T := len(price)
	t := 1
	nan := archsimd.BroadcastFloat64x8(math.NaN())
	one := archsimd.BroadcastFloat64x8(1)
	zero := archsimd.Float64x8{}
	for ; t+8 <= T; t += 8 {
		cur := archsimd.LoadFloat64x8Slice(price[t:])
		prev := archsimd.LoadFloat64x8Slice(price[t-1:])
		r := cur.Div(prev).Sub(one)
		ok := cur.Greater(zero).And(prev.Greater(zero)).And(cur.Sub(cur).Add(prev.Sub(prev)).Equal(zero))
		r.Merge(nan, ok).StoreSlice(out[t:])
	}
	archsimd.ClearAVXUpperBits()
	return t
}

// crossInputsSIMD computes appendCrossInputs eight bars at a time with the
// same decisions and values, and returns where the scalar loop goes on.
// The quotients are computed only for blocks where some lane needs them.
func crossInputsSIMD(fo, so []float64, p *Prefix, fast, slow int) int {
	T := len(p.X)
	t := max(fast, slow) - 1
	nan := archsimd.BroadcastFloat64x8(math.NaN())
	one := archsimd.BroadcastFloat64x8(1)
	zero := archsimd.Float64x8{}
	big := archsimd.BroadcastFloat64x8(math.MaxFloat64)
	mg := archsimd.BroadcastFloat64x8(crossMargin)
	nf := archsimd.BroadcastFloat64x8(float64(fast))
	ns := archsimd.BroadcastFloat64x8(float64(slow))
	for ; t+8 <= T; t += 8 {
		jf, js := t+1-fast, t+1-slow
		hT, lT, mT := archsimd.LoadFloat64x8Slice(p.Hi[t+1:]), archsimd.LoadFloat64x8Slice(p.Lo[t+1:]), archsimd.LoadFloat64x8Slice(p.Miss[t+1:])
		F := hT.Sub(archsimd.LoadFloat64x8Slice(p.Hi[jf:])).Add(lT.Sub(archsimd.LoadFloat64x8Slice(p.Lo[jf:])))
		S := hT.Sub(archsimd.LoadFloat64x8Slice(p.Hi[js:])).Add(lT.Sub(archsimd.LoadFloat64x8Slice(p.Lo[js:])))
		// The conditions are combined as 0/1 vectors: combining the masks of
		// different comparisons with Mask64x8.And/Or gave wrong lanes with
		// this compiler (go1.26.8, GOEXPERIMENT=simd).
		undefF := one.Masked(mT.NotEqual(archsimd.LoadFloat64x8Slice(p.Miss[jf:]))).Max(one.Masked(mT.NotEqual(archsimd.LoadFloat64x8Slice(p.Miss[js:]))))
		run := archsimd.LoadFloat64x8Slice(p.Run[t:])
		a, b := F.Mul(ns), S.Mul(nf)
		okF := one.Masked(a.Less(big)).Masked(b.Less(big)).Masked(run.Less(nf)).Masked(run.Less(ns)).Masked(a.Greater(zero)).Masked(b.Greater(zero))
		fv := okF.Masked(a.Greater(b.Mul(mg)))
		sv := okF.Masked(b.Greater(a.Mul(mg)))
		decided := fv.Max(sv).Max(undefF).Equal(one)
		if decided.ToBits() != 0xff {
			x := archsimd.LoadFloat64x8Slice(p.X[t:])
			fq := x.Merge(F.Div(nf), run.GreaterEqual(nf))
			sq := x.Merge(S.Div(ns), run.GreaterEqual(ns))
			fv = fv.Merge(fq, decided)
			sv = sv.Merge(sq, decided)
		}
		undef := undefF.Equal(one)
		nan.Merge(fv, undef).StoreSlice(fo[t:])
		nan.Merge(sv, undef).StoreSlice(so[t:])
	}
	archsimd.ClearAVXUpperBits()
	return t
}

// clearUpper clears the upper halves of the vector registers
// (VZEROUPPER). The scalar kernels call it first: in a GOEXPERIMENT=simd
// build the runtime restores full vector registers (after an asynchronous
// preemption, for one), and SSE code then runs slower until the next
// VZEROUPPER (measured: rolling std 15% slower, prefix sums 6× after
// AVX-512 code).
func clearUpper() { archsimd.ClearAVXUpperBits() }
