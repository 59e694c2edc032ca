package datasets

import (
	"errors"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/rotor-bt/rotor/engine"
)

// Bars split into parts filled at the same time, rows out of order and a
// missing cell give the hand-computed panel; a row seen twice is a
// duplicate even across batches.
func TestBuilderParts(t *testing.T) {
	d0 := engine.DateOf(2024, 1, 2)
	dates := []engine.Date{d0, d0 + 1, d0 + 2, d0 + 5, d0 + 6}
	symbols := []string{"A", "B", "C"}
	fields := []engine.Field{engine.High, engine.Low, engine.Close}
	type row struct {
		s int32
		t int
		v [3]int // indexes into fuzzValues: high, low, close
	}
	// Values: 1, 2, 3, 10, 0.5, 100 at fuzzValues[0..5]; cell (t=3, B) is missing.
	rows := []row{
		{2, 4, [3]int{3, 0, 1}}, {0, 0, [3]int{5, 0, 3}}, {1, 0, [3]int{2, 4, 1}},
		{2, 0, [3]int{1, 0, 0}}, {0, 1, [3]int{3, 3, 3}}, {1, 1, [3]int{1, 0, 1}},
		{2, 1, [3]int{2, 1, 1}}, {0, 2, [3]int{5, 3, 5}}, {1, 2, [3]int{1, 4, 0}},
		{2, 2, [3]int{3, 1, 2}}, {0, 3, [3]int{2, 2, 2}}, {2, 3, [3]int{1, 1, 1}},
		{0, 4, [3]int{3, 2, 2}}, {1, 4, [3]int{1, 1, 1}},
	}
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	b, err := newBuilder(dates, symbols, fields)
	if err != nil {
		t.Fatal(err)
	}
	parts := [][2]int{{3, 5}, {0, 3}}
	var wg sync.WaitGroup
	errs := make([]error, len(parts))
	for k, pr := range parts {
		var in []row
		for _, r := range rows {
			if r.t >= pr[0] && r.t < pr[1] {
				in = append(in, r)
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			pb := b.part(pr[0], pr[1])
			rec := fuzzBatch(alloc, in, func(r row) (int32, engine.Date, [3]int) { return r.s, dates[r.t], r.v })
			defer rec.Release()
			errs[k] = pb.add(rec)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := b.fill(); err != nil {
		t.Fatal(err)
	}
	p, err := b.finish()
	if err != nil {
		t.Fatal(err)
	}
	want := make([][]float64, len(fields))
	for k := range want {
		want[k] = make([]float64, len(dates)*len(symbols))
		for c := range want[k] {
			want[k][c] = math.NaN()
		}
		for _, r := range rows {
			want[k][int(r.s)*len(dates)+r.t] = fuzzValues[r.v[k]]
		}
	}
	for k, f := range fields {
		got := p.Column(f)
		for c := range got {
			if got[c] != want[k][c] && !(math.IsNaN(got[c]) && math.IsNaN(want[k][c])) {
				t.Fatalf("%s cell (t=%d, %s) = %v, want %v", f, c%len(dates), symbols[c/len(dates)], got[c], want[k][c])
			}
		}
	}
	if c := p.Column(engine.Close)[1*len(dates)+3]; !math.IsNaN(c) {
		t.Fatalf("missing cell (t=3, B) = %v, want NaN", c)
	}

	// The same row in two batches of one part.
	b, err = newBuilder(dates, symbols, fields)
	if err != nil {
		t.Fatal(err)
	}
	pb := b.whole()
	for k := range 2 {
		rec := fuzzBatch(alloc, rows[:1], func(r row) (int32, engine.Date, [3]int) { return r.s, dates[r.t], r.v })
		err = pb.add(rec)
		rec.Release()
		if k == 0 && err != nil {
			t.Fatal(err)
		}
	}
	var re *rowError
	if !errors.As(err, &re) || re.rule != RuleDuplicate || re.symbol != "C" || re.date != dates[4] {
		t.Fatalf("second copy of (%s, C): error %v, want a duplicate row error", dates[4], err)
	}

	// The same row in two parts (parts split by row group share dates):
	// each part takes it, merging the parts finds the duplicate.
	b, err = newBuilder(dates, symbols, fields)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		rec := fuzzBatch(alloc, rows[1:2], func(r row) (int32, engine.Date, [3]int) { return r.s, dates[r.t], r.v })
		err = b.whole().add(rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	err = b.fill()
	if !errors.As(err, &re) || re.rule != RuleDuplicate || re.symbol != "A" || re.date != dates[0] {
		t.Fatalf("(%s, A) in two parts: error %v, want a duplicate row error", dates[0], err)
	}
}

// The symbol table finds every hash, reports the first unknown one and
// refuses hashes shared by two symbols.
func TestSymTable(t *testing.T) {
	var hashes []uint64
	for i := range 700 {
		// Low bits collide often, so probes run past occupied slots.
		hashes = append(hashes, uint64(i)<<40|uint64(i%3))
	}
	tab := newSymTable(hashes)
	if tab == nil {
		t.Fatal("distinct hashes refused")
	}
	dst := make([]int32, len(hashes))
	rev := slices.Clone(hashes)
	slices.Reverse(rev)
	if r := tab.indexes(dst, rev); r != -1 {
		t.Fatalf("row %d not found", r)
	}
	for r, s := range dst {
		if int(s) != len(hashes)-1-r {
			t.Fatalf("row %d: index %d, want %d", r, s, len(hashes)-1-r)
		}
	}
	if r := tab.indexes(dst[:3], []uint64{hashes[5], 12345, hashes[0]}); r != 1 {
		t.Fatalf("unknown hash: row %d, want 1", r)
	}
	if newSymTable([]uint64{7, 9, 7}) != nil {
		t.Fatal("shared hash accepted")
	}
}
