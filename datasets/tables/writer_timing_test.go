package tables

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkWriter streams rows shaped like sweep results (an id, a
// symbol, two parameters, sixteen metrics) into each format.
func BenchmarkWriter(b *testing.B) {
	cols := []Column{{"config_id", String}, {"symbol", String}, {"fast", Int64}, {"slow", Int64}}
	for k := 0; k < 16; k++ {
		cols = append(cols, Column{fmt.Sprintf("m%d", k), Float64})
	}
	ids := make([]string, 1024)
	for i := range ids {
		ids[i] = fmt.Sprintf("%016x", uint64(i)*0x9e3779b97f4a7c15)
	}
	for _, ext := range []string{".parquet", ".csv", ".jsonl"} {
		b.Run(ext[1:], func(b *testing.B) {
			const rows = 100_000
			b.ReportAllocs()
			for b.Loop() {
				w, err := Create(filepath.Join(b.TempDir(), "w"+ext), cols, nil)
				if err != nil {
					b.Fatal(err)
				}
				for r := 0; r < rows; r++ {
					w.SetString(0, ids[r%len(ids)])
					w.SetString(1, "AAPL")
					w.SetInt(2, int64(r%1000))
					w.SetInt(3, int64(r/1000))
					for k := 0; k < 16; k++ {
						w.SetFloat(4+k, float64(r)*1.000001+float64(k))
					}
					if err := w.EndRow(); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(rows*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
