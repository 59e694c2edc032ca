package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// cleanInputs builds the inputs of a clean pass over n decision bars:
// returns of a random walk and two signal series whose order flips in
// runs of random lengths, with ties and NaNs (undefined SMAs) mixed in.
func cleanInputs(rng *rand.Rand, n int) (f, s, r, g, r2, d2 []float64) {
	f, s = make([]float64, n), make([]float64, n)
	r, g, r2, d2 = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	held := rng.IntN(2) == 0
	for i := range n {
		if rng.IntN(12) == 0 {
			held = !held
		}
		f[i] = rng.Float64()
		s[i] = f[i]
		switch {
		case rng.IntN(50) == 0:
			f[i] = math.NaN()
		case rng.IntN(50) == 0: // a tie is flat
		case held:
			s[i] = f[i] - rng.Float64() - 1e-9
		default:
			s[i] = f[i] + rng.Float64()
		}
		x := 0.03 * rng.NormFloat64()
		if rng.IntN(40) == 0 {
			x = 0
		}
		r[i], g[i], r2[i] = x, 1+x, x*x
		d := min(x, 0)
		d2[i] = d * d
	}
	return
}

// TestCleanPass checks the clean pass the build uses (assembly on amd64)
// against the pure-Go pass: every field equal, bit for bit.
func TestCleanPass(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 2, 3, 8, 100, 2519} {
		for range 200 {
			f, s, r, g, r2, d2 := cleanInputs(rng, n)
			init := cleanState{v: 1, peak: 1, kk: 1, mn: math.Inf(1), mx: math.Inf(-1)}
			want, got := init, init
			cleanPassGo(&want, f, s, r, g, r2, d2)
			cleanPass(&got, f, s, r, g, r2, d2)
			if !sameClean(got, want) {
				t.Fatalf("n=%d:\n got %+v\nwant %+v", n, got, want)
			}
		}
	}
}

func sameClean(a, b cleanState) bool {
	fs := func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }
	return fs(a.v, b.v) && fs(a.peak, b.peak) && fs(a.kk, b.kk) && fs(a.mdd, b.mdd) &&
		fs(a.sum, b.sum) && fs(a.sq, b.sq) && fs(a.dsq, b.dsq) && fs(a.mn, b.mn) && fs(a.mx, b.mx) &&
		a.days == b.days && a.p == b.p && a.expo == b.expo && a.sw == b.sw
}

// FuzzCleanPass compares the two clean passes on fuzzed series: returns
// from the fuzzed values, signals from two of their moving averages.
func FuzzCleanPass(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, uint8(3), uint8(9))
	}
	f.Fuzz(func(t *testing.T, data []byte, a, b uint8) {
		x := fuzzValues(data)
		if len(x) < 2 {
			return
		}
		ret := AppendReturns(nil, x)
		var rt rowTerms
		if !rt.fill(make([]float64, 3*len(ret)), ret) {
			return
		}
		fw, sw := int(a%16)+1, int(b%32)+1
		fa, sa := AppendRollingMean(nil, x, fw), AppendRollingMean(nil, x, sw)
		n := len(x) - 1
		init := cleanState{v: 1, peak: 1, kk: 1, mn: math.Inf(1), mx: math.Inf(-1)}
		want, got := init, init
		cleanPassGo(&want, fa[:n], sa[:n], rt.r[1:], rt.g[1:], rt.r2[1:], rt.d2[1:])
		cleanPass(&got, fa[:n], sa[:n], rt.r[1:], rt.g[1:], rt.r2[1:], rt.d2[1:])
		if !sameClean(got, want) {
			t.Fatalf("windows %d/%d:\n got %+v\nwant %+v", fw, sw, got, want)
		}
	})
}

// TestReturnsTerms checks the one-pass returns and terms against
// AppendReturns, rowTerms.fill and plainSeriesGo, bit for bit.
func TestReturnsTerms(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 2, 8, 9, 17, 100, 2520} {
		for k := range 100 {
			price := randPrices(rng, n, k%2 == 1)
			if k%7 == 3 && n > 3 {
				price[rng.IntN(n)] = -1
			}
			wantRet := AppendReturns(nil, price)
			var want, got rowTerms
			wantClean := want.fill(make([]float64, 3*n), wantRet)
			gotRet := make([]float64, n)
			gotClean, gotPlain := got.returnsTerms(make([]float64, 3*n), gotRet, price)
			if gotClean != wantClean || gotPlain != plainSeriesGo(price) {
				t.Fatalf("n=%d: clean %v plain %v, want %v %v", n, gotClean, gotPlain, wantClean, plainSeriesGo(price))
			}
			for i := range n {
				if !sameBits(gotRet[i], wantRet[i]) || !sameBits(got.g[i], want.g[i]) || !sameBits(got.r2[i], want.r2[i]) {
					t.Fatalf("n=%d bar %d: ret %v g %v r2 %v, want %v %v %v", n, i, gotRet[i], got.g[i], got.r2[i], wantRet[i], want.g[i], want.r2[i])
				}
				if wantRet[i]-wantRet[i] == 0 && !sameBits(got.d2[i], want.d2[i]) {
					t.Fatalf("n=%d bar %d: d2 %v, want %v", n, i, got.d2[i], want.d2[i])
				}
			}
		}
	}
}

func sameBits(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (a != a && b != b)
}

// TestMeanPlain checks the plain-series means the build uses (assembly on
// amd64) against meanPlainGo, bit for bit, and appendWindow's plain path
// against its general loop.
func TestMeanPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 2, 3, 7, 100, 2521} {
		hiT, hiJ, loT, loJ := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		for k := range n {
			hiT[k], hiJ[k] = 1e4*rng.Float64(), 1e4*rng.Float64()
			loT[k], loJ[k] = 1e-12*rng.NormFloat64(), 1e-12*rng.NormFloat64()
		}
		for _, fn := range []float64{2, 3, 50, 200} {
			want, got := make([]float64, n), make([]float64, n)
			meanPlainGo(want, hiT, hiJ, loT, loJ, fn)
			meanPlain(got, hiT, hiJ, loT, loJ, fn)
			for k := range n {
				if !sameBits(got[k], want[k]) {
					t.Fatalf("n=%d fn=%v element %d: %v, want %v", n, fn, k, got[k], want[k])
				}
			}
		}
	}
	price := randPrices(rng, 1000, false)
	var p Prefix
	p.Reset(price)
	if !p.plain {
		t.Fatal("a random walk should be plain")
	}
	for _, w := range []int{1, 2, 5, 50, 999, 1000, 1001} {
		got := p.AppendMean(nil, w)
		p.plain = false
		want := p.AppendMean(nil, w)
		p.plain = true
		for k := range want {
			if !sameBits(got[k], want[k]) {
				t.Fatalf("window %d bar %d: plain %v, general %v", w, k, got[k], want[k])
			}
		}
	}
}

// TestCleanStateLayout pins the field offsets cleanpass_amd64.s uses.
func TestCleanStateLayout(t *testing.T) {
	var c cleanState
	got := []uintptr{unsafe.Offsetof(c.v), unsafe.Offsetof(c.peak), unsafe.Offsetof(c.kk), unsafe.Offsetof(c.mdd),
		unsafe.Offsetof(c.sum), unsafe.Offsetof(c.sq), unsafe.Offsetof(c.dsq), unsafe.Offsetof(c.mn), unsafe.Offsetof(c.mx),
		unsafe.Offsetof(c.days), unsafe.Offsetof(c.p), unsafe.Offsetof(c.expo), unsafe.Offsetof(c.sw)}
	for i, off := range got {
		if off != uintptr(8*i) {
			t.Fatalf("field %d of cleanState at offset %d, the assembly reads %d", i, off, 8*i)
		}
	}
}
