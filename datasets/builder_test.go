package datasets

import "testing"

// transpose equals the plain double loop for ranges and sizes that are
// and are not multiples of the block.
func TestTransposeReference(t *testing.T) {
	for _, c := range []struct{ T, N, t0, t1 int }{{1, 1, 0, 1}, {5, 3, 1, 4}, {130, 70, 0, 130}, {200, 129, 63, 197}, {64, 64, 0, 64}} {
		src := make([]float64, (c.t1-c.t0)*c.N)
		for k := range src {
			src[k] = float64(k + 1)
		}
		got := make([]float64, c.T*c.N)
		want := make([]float64, c.T*c.N)
		transpose(got, src, c.t0, c.t1, c.T, c.N)
		for t := c.t0; t < c.t1; t++ {
			for s := 0; s < c.N; s++ {
				want[s*c.T+t] = src[(t-c.t0)*c.N+s]
			}
		}
		for k := range want {
			if got[k] != want[k] {
				t.Fatalf("%+v: cell %d = %v, want %v", c, k, got[k], want[k])
			}
		}
	}
}

func BenchmarkTranspose(b *testing.B) {
	T, N := 5000, 500
	src := make([]float64, T*N)
	dst := make([]float64, T*N)
	b.SetBytes(int64(8 * T * N))
	for b.Loop() {
		transpose(dst, src, 0, T, T, N)
	}
}
