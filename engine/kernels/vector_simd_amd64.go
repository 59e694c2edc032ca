//go:build goexperiment.simd && amd64

package kernels

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
	return t
}
