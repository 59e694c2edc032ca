package kernels

import (
	"math"
	"slices"
	"testing"
)

// fuzzValues decodes fuzz bytes into a series, three bytes a value: the
// first picks NaN, +Inf, -Inf, a repeat of the previous value (equal
// runs), a negative value or a positive one; the other two give the
// magnitude (0 to 655.35). Magnitudes stay where the kernels' contract
// holds (sums of the series do not overflow).
func fuzzValues(data []byte) []float64 {
	x := make([]float64, 0, len(data)/3)
	prev := 1.0
	for i := 0; i+2 < len(data); i += 3 {
		m := (float64(data[i+1])*256 + float64(data[i+2])) / 100
		var v float64
		switch data[i] % 16 {
		case 0:
			v = math.NaN()
		case 1:
			v = math.Inf(1)
		case 2:
			v = math.Inf(-1)
		case 3, 4, 5:
			v = prev
		case 6:
			v = -m
		default:
			v = m + 0.01
		}
		x = append(x, v)
		prev = v
	}
	return x
}

var fuzzSeeds = [][]byte{
	{},
	{7, 1, 0},
	{7, 1, 0, 7, 2, 0, 3, 0, 0, 7, 0, 50, 0, 0, 0, 7, 3, 0, 8, 1, 200, 9, 2, 2},
	{7, 10, 0, 7, 11, 0, 7, 12, 0, 7, 11, 0, 7, 10, 0, 7, 9, 0, 7, 12, 0, 7, 15, 0, 1, 0, 0, 7, 14, 0},
}

func FuzzReturns(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := fuzzValues(data)
		sameSlices(t, "returns", AppendReturns(nil, p), ReturnsRef(p))
	})
}

func FuzzRolling(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, w8 uint8) {
		x := fuzzValues(data)
		w := int(w8%64) + 1
		sum, mean, std := AppendRollingSum(nil, x, w), AppendRollingMean(nil, x, w), AppendRollingStd(nil, x, w)
		rs, rm, rsd := RollingSumRef(x, w), RollingMeanRef(x, w), RollingStdRef(x, w)
		for i := range x {
			scale := 0.0
			for j := max(0, i-w+1); j <= i; j++ {
				scale += math.Abs(x[j])
			}
			tol := float64(w+4) * 0x1p-52
			if !near(sum[i], rs[i], tol, scale) || !near(mean[i], rm[i], tol, scale/float64(w)) {
				t.Fatalf("w=%d [%d]: sum %v/%v mean %v/%v", w, i, sum[i], rs[i], mean[i], rm[i])
			}
			// Std: the variance within 1e-13 of the window's Σ(x-K)²/(n-1),
			// K the first present value (AppendRollingStd's shift); a huge
			// spread of the series around K is where it loses digits.
			k := 0.0
			for _, v := range x {
				if !missing(v) {
					k = v
					break
				}
			}
			ss := 0.0
			for j := max(0, i-w+1); j <= i; j++ {
				ss += (x[j] - k) * (x[j] - k)
			}
			if !same(std[i], rsd[i]) && !near(std[i]*std[i], rsd[i]*rsd[i], 1e-13, ss/float64(max(1, w-1))) {
				t.Fatalf("w=%d std[%d] %v, want %v", w, i, std[i], rsd[i])
			}
		}
	})
}

func FuzzEquityDrawdown(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := fuzzValues(data)
		r := AppendReturns(nil, p)
		eq := AppendEquity(nil, r)
		sameSlices(t, "equity", eq, EquityRef(r))
		sameSlices(t, "drawdown", AppendDrawdown(nil, p), DrawdownRef(p))
		dd, days := MaxDrawdown(p)
		rdd, rdays := MaxDrawdownRef(p)
		if !same(dd, rdd) || days != rdays {
			t.Fatalf("max drawdown %v/%d, want %v/%d", dd, days, rdd, rdays)
		}
	})
}

func FuzzDriftReturns(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, uint8(0), uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, from8, wbits uint8) {
		x := fuzzValues(data)
		const N = 3
		T := len(x) / N
		rets := make([][]float64, N)
		for i := range rets {
			rets[i] = AppendReturns(nil, x[i*T:(i+1)*T])
		}
		w := make([]float64, N)
		for i := range w {
			if wbits&(1<<i) != 0 {
				w[i] = 0.3
			}
		}
		w2 := slices.Clone(w)
		from := int(from8) % (T + 1)
		got, d1 := AppendDriftReturns(nil, rets, nil, w, from, T)
		want, d2 := DriftReturnsRef(rets, nil, w2, from, T)
		if len(got) > 0 || len(want) > 0 {
			sameSlices(t, "drift", got, want)
		}
		sameSlices(t, "weights", w, w2)
		if d1 != d2 {
			t.Fatalf("delistings %d, want %d", d1, d2)
		}
	})
}

func FuzzTopK(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, uint8(2))
	}
	f.Fuzz(func(t *testing.T, data []byte, k8 uint8) {
		row := fuzzValues(data)
		k := int(k8 % 40)
		if got, want := AppendTopK(nil, row, k), TopKRef(row, k); !slices.Equal(got, want) {
			t.Fatalf("top-%d %v, want %v", k, got, want)
		}
		if got, want := AppendRankDesc(nil, row), RankDescRef(row); !slices.Equal(got, want) {
			t.Fatalf("rank %v, want %v", got, want)
		}
	})
}

func FuzzCrossBacktest(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, uint8(1), uint8(2), uint8(0))
		f.Add(s, uint8(2), uint8(5), uint8(10))
	}
	f.Fuzz(func(t *testing.T, data []byte, fast8, slow8, cost8 uint8) {
		p := fuzzValues(data)
		fast, slow := int(fast8%32)+1, int(slow8%64)+1
		bps := float64(cost8) / 4
		got := CrossBacktest(p, fast, slow, bps)
		if want := canonicalRef(p, fast, slow, bps); !crossEqual(got, want) {
			t.Fatalf("fast %d slow %d cost %v:\n got %+v\nwant %+v", fast, slow, bps, got, want)
		}
		pairs := []Pair{{fast, slow}, {slow, fast}, {fast, fast + slow}}
		out := make([]CrossStats, 2*len(pairs))
		CrossGridLanes([][]float64{p, p}, pairs, bps, out)
		grid := make([]CrossStats, len(pairs))
		CrossGrid(p, pairs, bps, grid)
		for k, pr := range pairs {
			want := CrossBacktest(p, pr.Fast, pr.Slow, bps)
			if !crossEqual(grid[k], want) || !crossEqual(out[k], want) || !crossEqual(out[len(pairs)+k], want) {
				t.Fatalf("grid/lanes differ for %v", pr)
			}
		}
	})
}
