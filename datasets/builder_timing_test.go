package datasets

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/rotor-bt/rotor/engine"
)

// BenchmarkBuilderAdd fills a 500 symbols × 5,000 bars panel of seven
// fields from batches of 2,048 rows keyed by symbol hash: the panel's part
// of a load, without DuckDB. date-order delivers the rows as a
// date-sorted file does (consecutive rows 40 KB apart in the panel),
// symbol-order as the (symbol, date)-sorted files rotor writes (each
// column written in order). The panel's memory is reused between runs (the loader's is
// new), so this times the loops, not the page faults.
func BenchmarkBuilderAdd(b *testing.B) {
	b.Run("date-order", func(b *testing.B) { benchBuilderAdd(b, false) })
	b.Run("symbol-order", func(b *testing.B) { benchBuilderAdd(b, true) })
}

func benchBuilderAdd(b *testing.B, symbolOrder bool) {
	const T, N, batch = 5000, 500, 2048
	fields := []engine.Field{engine.Open, engine.High, engine.Low, engine.Close, engine.AdjClose, engine.Volume, engine.Shares}
	offset := []float64{1, 3, 0, 2, 2, 1000, 5000} // high ≥ low
	dates := make([]engine.Date, T)
	for t := range dates {
		dates[t] = engine.DateOf(2000, 1, 3) + engine.Date(t)
	}
	symbols := make([]string, N)
	hashes := make([]uint64, N)
	for s := range symbols {
		symbols[s] = fmt.Sprintf("S%04d", s)
		hashes[s] = uint64(s+1) * 0x9e3779b97f4a7c15
	}
	fs := []arrow.Field{{Name: "sym", Type: arrow.PrimitiveTypes.Uint64}, {Name: "date", Type: arrow.FixedWidthTypes.Date32}}
	for _, f := range fields {
		fs = append(fs, arrow.Field{Name: f.String(), Type: arrow.PrimitiveTypes.Float64})
	}
	schema := arrow.NewSchema(fs, nil)
	alloc := memory.NewGoAllocator()
	var recs []arrow.RecordBatch
	rb := array.NewRecordBuilder(alloc, schema)
	defer rb.Release()
	for c := 0; c < T*N; {
		for r := 0; r < batch && c < T*N; r, c = r+1, c+1 {
			t, s := c/N, c%N
			if symbolOrder {
				t, s = c%T, c/T
			}
			rb.Field(0).(*array.Uint64Builder).Append(hashes[s])
			rb.Field(1).(*array.Date32Builder).Append(arrow.Date32(dates[t]))
			for k := range fields {
				rb.Field(2 + k).(*array.Float64Builder).Append(float64(100+(t+s)%7) + offset[k])
			}
		}
		recs = append(recs, rb.NewRecordBatch())
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	bl, err := newBuilder(dates, symbols, fields)
	if err != nil {
		b.Fatal(err)
	}
	bl.symTab = newSymTable(hashes)
	pb := bl.whole()
	b.ReportAllocs()
	b.SetBytes(int64(T * N * len(fields) * 8))
	for b.Loop() {
		clear(pb.seen)
		for _, r := range recs {
			if err := pb.add(r); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(T*N)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
