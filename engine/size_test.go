package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sizeRef is the plain reference of SEMANTICS §7, cell by cell.
func sizeRef(p *Panel) ([]float64, string) {
	T, N := p.T(), p.N()
	col := make([]float64, T*N)
	if p.Has(Shares) {
		for i := 0; i < N; i++ {
			for t := 0; t < T; t++ {
				col[i*T+t] = p.At(Close, t, i) * p.At(Shares, t, i)
			}
		}
		return col, "market_cap"
	}
	for i := 0; i < N; i++ {
		for t := 0; t < T; t++ {
			sum, n := 0.0, 0
			for u := max(0, t-62); u <= t; u++ {
				x := p.At(Close, u, i) * p.At(Volume, u, i)
				if !math.IsNaN(x) && !math.IsInf(x, 0) {
					sum += x
					n++
				}
			}
			col[i*T+t] = math.NaN()
			if n > 0 {
				col[i*T+t] = sum / float64(n)
			}
		}
	}
	return col, "dollar_volume_63"
}

func randomSizePanel(t *testing.T, T, N int, shares bool, seed uint64) *Panel {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	dates := make([]Date, T)
	for k := range dates {
		dates[k] = Date(18000 + k)
	}
	syms := make([]string, N)
	for i := range syms {
		syms[i] = string(rune('A'+i/26)) + string(rune('A'+i%26))
	}
	p, err := NewPanel(dates, syms)
	if err != nil {
		t.Fatal(err)
	}
	c, v := p.AddColumn(Close), p.AddColumn(Volume)
	var s []float64
	if shares {
		s = p.AddColumn(Shares)
	}
	for k := range c {
		if rng.Float64() < 0.1 {
			continue // missing cell
		}
		c[k] = 10 + 90*rng.Float64()
		if rng.Float64() < 0.9 {
			v[k] = math.Floor(1e6 * rng.ExpFloat64())
		}
		if shares && rng.Float64() < 0.95 {
			s[k] = 1e6 * (1 + rng.Float64())
		}
	}
	return p
}

func TestSizeColumnMatchesReference(t *testing.T) {
	for _, shares := range []bool{false, true} {
		for _, T := range []int{1, 5, 62, 63, 64, 300, 3000} {
			p := randomSizePanel(t, T, 7, shares, uint64(T))
			if T == 3000 {
				// Dollar volumes over twelve orders of magnitude: a
				// sliding sum without compensation would drift.
				v := p.Column(Volume)
				for k := range v {
					if k%97 == 0 {
						v[k] *= 1e12
					}
				}
			}
			got, src := SizeColumn(p)
			want, wsrc := sizeRef(p)
			if src != wsrc {
				t.Fatalf("shares=%v T=%d: source %q, want %q", shares, T, src, wsrc)
			}
			for k := range want {
				g, w := got[k], want[k]
				if math.IsNaN(w) != math.IsNaN(g) || !math.IsNaN(w) && math.Abs(g-w) > 1e-14*math.Abs(w) {
					t.Fatalf("shares=%v T=%d cell %d: got %v, want %v", shares, T, k, g, w)
				}
			}
		}
	}
}

func TestSizeColumnHandComputed(t *testing.T) {
	nan := math.NaN()
	dates := make([]Date, 66)
	for k := range dates {
		dates[k] = Date(19000 + k)
	}
	p, _ := NewPanel(dates, []string{"A", "B"})
	c, v := p.AddColumn(Close), p.AddColumn(Volume)
	// A: close 2 on every bar, volume = bar index + 1 → dollar volume 2(t+1).
	for t := 0; t < 66; t++ {
		c[t] = 2
		v[t] = float64(t + 1)
	}
	// B: missing on bars 0 and 2, volume NaN on bar 3, dollar volumes
	// 10 (bar 1), 30 (bar 4) and 100 from bar 5 on.
	for t := 0; t < 66; t++ {
		c[66+t] = 10
		v[66+t] = 10
	}
	c[66+0], c[66+2], v[66+3] = nan, nan, nan
	v[66+1], v[66+4] = 1, 3
	col, src := SizeColumn(p)
	if src != SizeDollarVolume {
		t.Fatalf("source %q", src)
	}
	A, B := col[:66], col[66:]
	// A: bars 0..2 → mean(2,4,6) = 4; bar 62 → mean 2..126 = 64;
	// bar 63 → bars 1..63: mean(4..128) = 66; bar 65 → bars 3..65 → 70.
	for _, c := range []struct {
		t    int
		want float64
	}{{0, 2}, {2, 4}, {62, 64}, {63, 66}, {65, 70}} {
		if A[c.t] != c.want {
			t.Errorf("A[%d] = %v, want %v", c.t, A[c.t], c.want)
		}
	}
	if !math.IsNaN(B[0]) {
		t.Errorf("B[0] = %v, want NaN (no finite cell)", B[0])
	}
	for _, c := range []struct {
		t    int
		want float64
	}{{1, 10}, {2, 10}, {3, 10}, {4, 20}, {5, 140.0 / 3}, {6, 240.0 / 4}} {
		if B[c.t] != c.want {
			t.Errorf("B[%d] = %v, want %v", c.t, B[c.t], c.want)
		}
	}
	// Bar 65 covers bars 3..65: bar 3 NaN, bar 4 = 30, bars 5..65 = 100 (61 cells).
	if want := (30 + 61*100.0) / 62; B[65] != want {
		t.Errorf("B[65] = %v, want %v", B[65], want)
	}

	// With shares: market cap = close × shares, NaN where either is missing.
	s := p.AddColumn(Shares)
	s[0], s[66+1], s[66+0] = 5, 7, 3
	col, src = SizeColumn(p)
	if src != SizeMarketCap || col[0] != 10 || col[66+1] != 70 || !math.IsNaN(col[66]) || !math.IsNaN(col[1]) {
		t.Fatalf("market cap: source %q, A0 %v B1 %v B0 %v A1 %v", src, col[0], col[67], col[66], col[1])
	}
}

func TestSizeColumnNoSize(t *testing.T) {
	p, _ := NewPanel([]Date{1, 2}, []string{"A"})
	p.AddColumn(Close)
	if col, src := SizeColumn(p); col != nil || src != "" {
		t.Fatalf("no volume and no shares: got %v %q, want nil \"\"", col, src)
	}
}
