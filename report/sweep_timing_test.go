package report

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// synthSweep is a sweep of n rows streamed from nothing (no row is held):
// fast 1..100 × slow 1..100 × seed, with the report's metrics.
func synthSweep(n int) *Sweep {
	nums := make([]string, 101)
	for k := range nums {
		nums[k] = strconv.Itoa(k)
	}
	metrics := []string{"sharpe", "total_return", "cagr", "volatility", "max_drawdown", "calmar"}
	return &Sweep{Params: []string{"fast", "slow", "seed"}, Metrics: metrics, Scan: func(fn func(*SweepRow) error) error {
		r := &SweepRow{Params: make([]string, 3), Metrics: make([]float64, len(metrics))}
		var id [16]byte
		for k := 0; k < n; k++ {
			fast, slow, seed := k%100+1, (k/100)%100+1, k/10000
			r.Params[0], r.Params[1] = nums[fast], nums[slow]
			r.Params[2] = strconv.Itoa(seed)
			r.ConfigID = string(strconv.AppendInt(id[:0], int64(k), 16))
			s := math.Sin(float64(fast)/13)*math.Cos(float64(slow)/29) + float64(seed%7)*0.01
			for j := range r.Metrics {
				r.Metrics[j] = s * float64(j+1)
			}
			if k%1001 == 0 {
				r.Metrics[0] = math.NaN()
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}}
}

// BenchmarkSweepAggregate measures the two streaming passes of a sweep
// report (statistics; cells, histogram and top 20) in rows per second.
func BenchmarkSweepAggregate(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			s := synthSweep(n)
			s.X, s.Y = "fast", "slow"
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Aggregate(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// TestAggregateMillionRows renders the report of a 1,000,000-row sweep
// from a streaming source: under 10 s, the live heap sampled during both
// passes under 200 MB, and a page whose size does not grow with the rows
// (one element per heatmap cell).
func TestAggregateMillionRows(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000,000-row aggregation: skipped with -short")
	}
	s := synthSweep(1_000_000)
	s.X, s.Y = "fast", "slow"
	scan := s.Scan
	var peak uint64
	var ms runtime.MemStats
	s.Scan = func(fn func(*SweepRow) error) error {
		k := 0
		return scan(func(r *SweepRow) error {
			if k++; k%100_000 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
			return fn(r)
		})
	}
	start := time.Now()
	var out countWriter
	if err := s.Render(&out); err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	t.Logf("1,000,000 rows: %v, peak live heap %.1f MB, page %d bytes", el.Round(time.Millisecond), float64(peak)/(1<<20), out.n)
	if el > 10*time.Second {
		t.Errorf("took %v, want < 10 s", el)
	}
	if peak > 200<<20 {
		t.Errorf("peak heap %d MB, want < 200 MB", peak>>20)
	}
	if out.n > 2<<20 {
		t.Errorf("page of %d bytes: the heatmap must aggregate", out.n)
	}
}

type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }
