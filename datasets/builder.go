package datasets

import (
	"fmt"
	"math"
	mathbits "math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/rotor-bt/rotor/engine"
)

// builder scatters long-format record batches into a dense asset-major
// panel. Each batch has the columns (sym int32 index into Symbols, date
// date32, then one float64 column per field in fields order). It checks
// every rule that concerns single rows: duplicates, prices > 0 and finite,
// volumes and share counts ≥ 0 and finite, high ≥ low.
//
// Batches are added through partBuilders, which may run concurrently: rows
// are scattered straight into the asset-major columns (cell (t, s) at
// s*T + t) and marked in the partBuilder's own bitset over all cells,
// indexed date-major (t*N + s). Parts may share dates (parts split by row
// group share the dates at their edges); fill merges the bitsets, so a row
// repeated in another part is still a duplicate, and sets the cells no row
// filled to NaN. Rows arriving in date order touch one cache line per
// symbol and field, which stays cached over the next dates, and the
// columns are backed by huge pages, so the scatter needs no intermediate
// buffer.
type builder struct {
	p      *engine.Panel
	fields []engine.Field
	cols   [][]float64
	T, N   int
	base   engine.Date // dates[0]
	tIndex []int32     // date - base → bar, -1 for dates not in the calendar
	hi, lo int         // position of high and low in fields, or -1
	symTab *symTable   // symbol hash → index, for batches keyed by hash

	mu    sync.Mutex
	parts []*partBuilder
}

// partBuilder adds batches whose rows all lie in bars [t0, t1). Each is
// used by one goroutine at a time.
type partBuilder struct {
	*builder
	t0, t1 int
	seen   []uint64 // bitset over every cell, asset-major (bit s*T + t)
	pos    []int32  // scratch: column index s*T + t of each row of the batch
	sym    []int32  // scratch: symbol index of each row (batches keyed by hash)
	rows   int64
}

// rowError is a rule broken by one row; the loader adds the file.
type rowError struct {
	date   engine.Date
	symbol string
	rule   string
	hint   string
}

func (e *rowError) Error() string {
	return fmt.Sprintf("row (%s, %s): %s (%s)", e.date, e.symbol, e.rule, e.hint)
}

func newBuilder(dates []engine.Date, symbols []string, fields []engine.Field) (*builder, error) {
	p, err := engine.NewPanel(dates, symbols)
	if err != nil {
		return nil, err
	}
	b := &builder{p: p, fields: fields, T: len(dates), N: len(symbols), hi: -1, lo: -1}
	if len(dates) > 0 {
		b.base = dates[0]
		span := int(dates[len(dates)-1]-dates[0]) + 1
		b.tIndex = make([]int32, span)
		for k := range b.tIndex {
			b.tIndex[k] = -1
		}
		for t, d := range dates {
			b.tIndex[d-b.base] = int32(t)
		}
	}
	// The columns are allocated at once, one goroutine each: allocated one
	// after another, each crosses the heap goal again and starts another
	// garbage collection (three per load instead of one), and the heap
	// takes back pages the scavenger returned, a page fault each. Cells no
	// row fills become NaN in fill, so each cell is written once after
	// the runtime clears it.
	b.cols = make([][]float64, len(fields))
	var wg sync.WaitGroup
	for k := range fields {
		wg.Go(func() {
			c := make([]float64, len(dates)*len(symbols))
			adviseHuge(c)
			b.cols[k] = c
		})
	}
	wg.Wait()
	for k, f := range fields {
		switch f {
		case engine.High:
			b.hi = k
		case engine.Low:
			b.lo = k
		}
	}
	return b, nil
}

// part returns a builder for rows in bars [t0, t1).
func (b *builder) part(t0, t1 int) *partBuilder {
	pb := &partBuilder{builder: b, t0: t0, t1: t1, seen: make([]uint64, (b.T*b.N+63)/64)}
	b.mu.Lock()
	b.parts = append(b.parts, pb)
	b.mu.Unlock()
	return pb
}

// reset makes pb the builder of bars [t0, t1).
func (pb *partBuilder) reset(t0, t1 int) { pb.t0, pb.t1 = t0, t1 }

// whole returns a builder for rows in any bar.
func (b *builder) whole() *partBuilder { return b.part(0, b.T) }

// add scatters one record batch. Its first column is the symbol's index
// (int32) or, if the builder has a symbol table, DuckDB's hash of the
// symbol (uint64).
func (b *partBuilder) add(rec arrow.RecordBatch) error {
	n := int(rec.NumRows())
	if n == 0 {
		return nil
	}
	if int(rec.NumCols()) != 2+len(b.fields) {
		return fmt.Errorf("panel builder: batch has %d columns, want %d", rec.NumCols(), 2+len(b.fields))
	}
	symCol := rec.Column(0)
	hashArr, byHash := symCol.(*array.Uint64)
	symArr, ok1 := symCol.(*array.Int32)
	dateArr, ok2 := rec.Column(1).(*array.Date32)
	if byHash && b.symTab != nil {
		ok1 = true
	}
	if !ok1 || !ok2 {
		return fmt.Errorf("panel builder: key columns are %s, %s; want int32 (or uint64 symbol hashes), date32", symCol.DataType(), rec.Column(1).DataType())
	}
	if symCol.NullN() > 0 || dateArr.NullN() > 0 {
		return &rowError{rule: RuleNullKey, hint: "every row needs a date and a symbol"}
	}
	var syms []int32
	if byHash {
		if cap(b.sym) < n {
			b.sym = make([]int32, n)
		}
		syms = b.sym[:n]
		if r := b.symTab.indexes(syms, hashArr.Uint64Values()); r >= 0 {
			return fmt.Errorf("panel builder: row %d has a symbol outside the panel", r)
		}
	} else {
		syms = symArr.Int32Values()
	}
	dates := date32s(dateArr.Date32Values())
	if cap(b.pos) < n {
		b.pos = make([]int32, n)
	}
	pos := b.pos[:n]
	N, T := int32(b.N), int32(b.T)
	t0, t1 := int32(b.t0), int32(b.t1)
	span := int32(len(b.tIndex))
	for r := range pos {
		s, d := syms[r], int32(dates[r]-b.base)
		if s < 0 || s >= N || d < 0 || d >= span {
			return fmt.Errorf("panel builder: row %d (symbol %d, %s) outside the panel", r, s, dates[r])
		}
		t := b.tIndex[d]
		if t < t0 || t >= t1 {
			return fmt.Errorf("panel builder: row %d (symbol %d, %s) outside bars %d..%d", r, s, dates[r], t0, t1)
		}
		l := s*T + t
		w, bit := l>>6, uint64(1)<<(uint(l)&63)
		if b.seen[w]&bit != 0 {
			return b.rowErr(dates[r], s, RuleDuplicate, "each (date, symbol) pair must appear once")
		}
		b.seen[w] |= bit
		pos[r] = l
	}
	for k, f := range b.fields {
		arr, ok := rec.Column(2 + k).(*array.Float64)
		if !ok {
			return fmt.Errorf("panel builder: column %s is %s, want float64", f, rec.Column(2+k).DataType())
		}
		vals := arr.Float64Values()[:n]
		col := b.cols[k]
		if arr.NullN() == 0 {
			if bad := scatter(col, pos, vals, f); bad >= 0 {
				return b.valueErr(dates[bad], syms[bad], f, vals[bad])
			}
			continue
		}
		// Nulls are missing cells (NaN).
		for r, v := range vals {
			if arr.IsNull(r) {
				col[pos[r]] = math.NaN()
				continue
			}
			if !validValue(f, v) {
				return b.valueErr(dates[r], syms[r], f, v)
			}
			col[pos[r]] = v
		}
	}
	if b.hi >= 0 && b.lo >= 0 {
		hi, lo := b.cols[b.hi], b.cols[b.lo]
		for r, c := range pos {
			if hi[c] < lo[c] {
				return b.rowErr(dates[r], syms[r], RuleHighLow, fmt.Sprintf("high %g is below low %g", hi[c], lo[c]))
			}
		}
	}
	b.rows += int64(n)
	return nil
}

// fill merges the parts' bitsets, reporting a cell filled by two parts as
// a duplicate row, and sets every cell that no row filled to NaN. Every
// part must be done.
func (b *builder) fill() error {
	nan := math.NaN()
	cells := b.T * b.N
	for w := range (cells + 63) / 64 {
		var bits uint64
		for _, pb := range b.parts {
			x := pb.seen[w]
			if d := bits & x; d != 0 {
				l := w*64 + mathbits.TrailingZeros64(d)
				return b.rowErr(b.p.Dates[l%b.T], int32(l/b.T), RuleDuplicate, "each (date, symbol) pair must appear once")
			}
			bits |= x
		}
		if bits == ^uint64(0) {
			continue
		}
		for l := w * 64; l < min(cells, w*64+64); l++ {
			if bits&(1<<(uint(l)&63)) == 0 {
				for _, col := range b.cols {
					col[l] = nan
				}
			}
		}
	}
	return nil
}

// finish installs the columns; fill must have run.
func (b *builder) finish() (*engine.Panel, error) {
	for k, f := range b.fields {
		if err := b.p.SetColumn(f, b.cols[k]); err != nil {
			return nil, err
		}
	}
	return b.p, nil
}

// scatter writes vals into col at pos and returns the first row whose
// value breaks the rule of field f, or -1.
func scatter(col []float64, pos []int32, vals []float64, f engine.Field) int {
	vals = vals[:len(pos)]
	switch f {
	case engine.Volume, engine.Shares:
		for r, c := range pos {
			v := vals[r]
			if !(v >= 0 && v <= math.MaxFloat64) {
				return r
			}
			col[c] = v
		}
	default:
		for r, c := range pos {
			v := vals[r]
			if !(v > 0 && v <= math.MaxFloat64) {
				return r
			}
			col[c] = v
		}
	}
	return -1
}

func validValue(f engine.Field, v float64) bool {
	if f == engine.Volume || f == engine.Shares {
		return v >= 0 && v <= math.MaxFloat64
	}
	return v > 0 && v <= math.MaxFloat64
}

func (b *builder) rowErr(d engine.Date, s int32, rule, hint string) *rowError {
	return &rowError{date: d, symbol: b.p.Symbols[s], rule: rule, hint: hint}
}

func (b *builder) valueErr(d engine.Date, s int32, f engine.Field, v float64) *rowError {
	if f == engine.Volume || f == engine.Shares {
		return b.rowErr(d, s, RuleBadValue, fmt.Sprintf("%s is %g; want a finite number ≥ 0", f, v))
	}
	return b.rowErr(d, s, RuleBadPrice, fmt.Sprintf("%s is %g; want a finite price > 0", f, v))
}

// date32s views Arrow date32 values as engine dates (same encoding: days
// since 1970-01-01).
func date32s(v []arrow.Date32) []engine.Date {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*engine.Date)(unsafe.Pointer(&v[0])), len(v))
}

// symTable maps DuckDB's hash of each symbol (hash(symbol)) to the
// symbol's index: open addressing with linear probing over a power-of-two
// table at most half full.
type symTable struct {
	mask uint64
	keys []uint64
	idx  []int32 // -1: empty slot
}

// newSymTable returns the table of hashes[i] → i, or nil if two symbols
// share a hash.
func newSymTable(hashes []uint64) *symTable {
	size := 16
	for size < 2*len(hashes) {
		size *= 2
	}
	t := &symTable{mask: uint64(size - 1), keys: make([]uint64, size), idx: make([]int32, size)}
	for i := range t.idx {
		t.idx[i] = -1
	}
	for i, h := range hashes {
		j := h & t.mask
		for ; t.idx[j] >= 0; j = (j + 1) & t.mask {
			if t.keys[j] == h {
				return nil
			}
		}
		t.keys[j], t.idx[j] = h, int32(i)
	}
	return t
}

// indexes sets dst[r] to the index of the symbol with hash hashes[r] and
// returns -1, or the first row whose hash is no symbol's.
func (t *symTable) indexes(dst []int32, hashes []uint64) int {
	hashes = hashes[:len(dst)]
	for r, h := range hashes {
		j := h & t.mask
		for {
			s := t.idx[j]
			if s < 0 {
				return r
			}
			if t.keys[j] == h {
				dst[r] = s
				break
			}
			j = (j + 1) & t.mask
		}
	}
	return -1
}
