package datasets

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/rotor-bt/rotor/engine"
)

// FuzzImportCSV loads arbitrary bytes as a CSV price file. Whatever the
// input, Load returns either a valid panel or one *Error line, never
// panics; a loaded panel survives Import and a reload unchanged.
func FuzzImportCSV(f *testing.F) {
	for _, dir := range []string{"testdata/good", "testdata/bad"} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".csv") {
				b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
				f.Add(b)
			}
		}
	}
	f.Add([]byte("date,symbol,close\n2024-01-02,A,1e308\n2024-01-03,A,5e-324\n"))
	f.Add([]byte("date,symbol,close,volume\n\"2024-01-02\",\"A,B\",1,2\n"))
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		in := filepath.Join(dir, "in.csv")
		if err := os.WriteFile(in, data, 0o600); err != nil {
			t.Fatal(err)
		}
		p, info, err := Load(ctx, LoadOptions{Paths: []string{in}})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			if strings.Contains(err.Error(), "\n") || p != nil || info != nil {
				t.Fatalf("bad failure: panel %v, message %q", p != nil, err.Error())
			}
			return
		}
		checkPanel(t, p)
		out := filepath.Join(dir, "out.parquet")
		if _, err := Import(ctx, LoadOptions{Paths: []string{in}}, out); err != nil {
			t.Fatalf("import of a loadable file: %v", err)
		}
		q, _, err := Load(ctx, LoadOptions{Paths: []string{out}})
		if err != nil {
			t.Fatalf("reload of the import: %v", err)
		}
		// Volumes are rounded to BIGINT on import.
		if v := p.Column(engine.Volume); v != nil {
			for k := range v {
				v[k] = math.Round(v[k])
			}
		}
		samePanels(t, p, q)
	})
}

// checkPanel checks the invariants of a loaded panel.
func checkPanel(t *testing.T, p *engine.Panel) {
	t.Helper()
	if p.T() == 0 || p.N() == 0 {
		t.Fatal("empty panel without an error")
	}
	for k := 1; k < p.T(); k++ {
		if p.Dates[k] <= p.Dates[k-1] {
			t.Fatal("dates not increasing")
		}
	}
	for k := 1; k < p.N(); k++ {
		if p.Symbols[k] <= p.Symbols[k-1] {
			t.Fatal("symbols not sorted")
		}
	}
	for f := engine.Field(0); f < engine.NumFields; f++ {
		for _, v := range p.Column(f) {
			if !math.IsNaN(v) && !validValue(f, v) {
				t.Fatalf("%s holds %v", f, v)
			}
		}
	}
}

// fuzzValues are the values a fuzzed cell takes; the last is NULL.
var fuzzValues = []float64{1, 2, 3, 10, 0.5, 100, 0, -1, math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, 5e-324, 2.5, 7, 0}

const fuzzNull = 15

// FuzzPanelBuilder feeds arbitrary rows (symbol, date, high, low, close)
// in one or two Arrow batches to the panel builder and compares it with a
// plain reference: an error exactly when some row breaks a rule, else the
// same cells. Every Arrow buffer is released (checked allocator).
func FuzzPanelBuilder(f *testing.F) {
	f.Add([]byte{3, 0, 0, 0x21, 0x30, 1, 0, 0x21, 0x30, 0, 1, 0x43, 0x00}, uint8(1))
	f.Add([]byte{2, 0, 0, 0x10, 0x20, 0, 0, 0x10, 0x20}, uint8(0))                   // duplicate
	f.Add([]byte{2, 0, 0, 0x01, 0x23, 1, 5, 0x01, 0x86}, uint8(1))                   // high < low, NaN close
	f.Add([]byte{4, 1, 7, 0xff, 0xff, 2, 3, 0xf0, 0x0f, 3, 2, 0x9a, 0xbc}, uint8(2)) // nulls, Inf
	f.Fuzz(func(t *testing.T, data []byte, cut uint8) {
		if len(data) < 1 {
			return
		}
		nSym := 1 + int(data[0]%5)
		type row struct {
			sym, day int
			v        [3]int // indexes into fuzzValues: high, low, close
		}
		var rows []row
		for b := data[1:]; len(b) >= 4; b = b[4:] {
			rows = append(rows, row{sym: int(b[0]) % nSym, day: int(b[1] % 8), v: [3]int{int(b[2] >> 4), int(b[2] & 15), int(b[3] & 15)}})
		}
		if len(rows) == 0 {
			return
		}
		// Calendar: the distinct days used, two calendar days apart.
		used := [8]bool{}
		for _, r := range rows {
			used[r.day] = true
		}
		var dates []engine.Date
		dayBar := [8]int{}
		for d := range used {
			if used[d] {
				dayBar[d] = len(dates)
				dates = append(dates, engine.Date(19000+2*d))
			}
		}
		symbols := []string{"A", "B", "C", "D", "E"}[:nSym]
		fields := []engine.Field{engine.High, engine.Low, engine.Close}

		// Reference.
		T := len(dates)
		ref := make([][]float64, 3)
		for k := range ref {
			ref[k] = make([]float64, T*nSym)
			for c := range ref[k] {
				ref[k][c] = math.NaN()
			}
		}
		bad := false
		seen := map[int]bool{}
		for _, r := range rows {
			c := r.sym*T + dayBar[r.day]
			bad = bad || seen[c]
			seen[c] = true
			for k, vi := range r.v {
				if vi == fuzzNull {
					continue
				}
				v := fuzzValues[vi]
				bad = bad || !validValue(fields[k], v)
				ref[k][c] = v
			}
			if r.v[0] != fuzzNull && r.v[1] != fuzzNull && fuzzValues[r.v[0]] < fuzzValues[r.v[1]] {
				bad = true
			}
		}

		alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer alloc.AssertSize(t, 0)
		bb, err := newBuilder(dates, symbols, fields)
		if err != nil {
			t.Fatal(err)
		}
		b := bb.whole()
		split := int(cut) % (len(rows) + 1)
		var buildErr error
		for _, part := range [][]row{rows[:split], rows[split:]} {
			rec := fuzzBatch(alloc, part, func(r row) (int32, engine.Date, [3]int) {
				return int32(r.sym), dates[dayBar[r.day]], r.v
			})
			buildErr = b.add(rec)
			rec.Release()
			if buildErr != nil {
				break
			}
		}
		if bad != (buildErr != nil) {
			t.Fatalf("reference bad=%v, builder error %v (rows %v)", bad, buildErr, rows)
		}
		if buildErr != nil {
			var re *rowError
			if !errors.As(buildErr, &re) {
				t.Fatalf("error %v is not a row error", buildErr)
			}
			return
		}
		if err := bb.fill(); err != nil {
			t.Fatal(err)
		}
		p, err := bb.finish()
		if err != nil {
			t.Fatal(err)
		}
		for k, f := range fields {
			for c, v := range p.Column(f) {
				if w := ref[k][c]; v != w && !(math.IsNaN(v) && math.IsNaN(w)) {
					t.Fatalf("%s cell %d = %v, want %v", f, c, v, w)
				}
			}
		}
		if b.rows != int64(len(rows)) {
			t.Fatalf("rows %d, want %d", b.rows, len(rows))
		}
	})
}

// fuzzBatch builds one (sym int32, date date32, high, low, close float64)
// record from rows.
func fuzzBatch[R any](alloc memory.Allocator, rows []R, get func(R) (int32, engine.Date, [3]int)) arrow.RecordBatch {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "sym", Type: arrow.PrimitiveTypes.Int32},
		{Name: "date", Type: arrow.FixedWidthTypes.Date32},
		{Name: "high", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "low", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "close", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	rb := array.NewRecordBuilder(alloc, schema)
	defer rb.Release()
	for _, r := range rows {
		s, d, v := get(r)
		rb.Field(0).(*array.Int32Builder).Append(s)
		rb.Field(1).(*array.Date32Builder).Append(arrow.Date32(d))
		for k := range v {
			fb := rb.Field(2 + k).(*array.Float64Builder)
			if v[k] == fuzzNull {
				fb.AppendNull()
			} else {
				fb.Append(fuzzValues[v[k]])
			}
		}
	}
	return rb.NewRecordBatch()
}

var _ = binary.LittleEndian
