package tables

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// parquetEncoder writes each flushed batch of BatchRows rows as one row
// group through pqarrow: nothing is buffered beyond the batch, so the
// writer's memory does not depend on the number of rows. The Arrow arrays
// are views of the writer's own number buffers (no copy); validity
// bitmaps, booleans and dates live in buffers reused from batch to batch.
type parquetEncoder struct {
	schema *arrow.Schema
	fw     *pqarrow.FileWriter
	valid  [][]byte // per column: validity bitmap
	aux    [][]byte // per column: bool bitmap or int32 dates
	arrs   []arrow.Array
}

func newParquetEncoder(w *Writer) (encoder, error) {
	fields := make([]arrow.Field, len(w.cols))
	for j, c := range w.cols {
		fields[j] = arrow.Field{Name: c.Name, Type: arrowType(c.Type), Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	opts := []parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithCreatedBy("rotor"),
		// Dictionaries pay off for repeated text (symbols, enum
		// parameters); for numbers they only cost memory.
		parquet.WithDictionaryDefault(false),
	}
	for _, c := range w.cols {
		if c.Type == String {
			opts = append(opts, parquet.WithDictionaryFor(c.Name, true))
		}
	}
	fw, err := pqarrow.NewFileWriter(schema, w.bw, parquet.NewWriterProperties(opts...), pqarrow.NewArrowWriterProperties())
	if err != nil {
		return nil, err
	}
	n := len(w.cols)
	return &parquetEncoder{
		schema: schema, fw: fw,
		valid: make([][]byte, n), aux: make([][]byte, n),
		arrs: make([]arrow.Array, n),
	}, nil
}

func arrowType(t Type) arrow.DataType {
	switch t {
	case Float64:
		return arrow.PrimitiveTypes.Float64
	case Int64:
		return arrow.PrimitiveTypes.Int64
	case String:
		return arrow.BinaryTypes.String
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	}
	return arrow.FixedWidthTypes.Date32
}

// grow returns b resized to n bytes, zeroed.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		b = make([]byte, n)
	}
	b = b[:n]
	clear(b)
	return b
}

func (e *parquetEncoder) flush(w *Writer) error {
	n := w.n
	nb := int(bitutil.BytesForBits(int64(n)))
	for j, c := range w.cols {
		b := &w.buf[j]
		nulls := 0
		for _, isNull := range b.null[:n] {
			if isNull {
				nulls++
			}
		}
		var validity *memory.Buffer
		if nulls > 0 {
			e.valid[j] = grow(e.valid[j], nb)
			for r := 0; r < n; r++ {
				if !b.null[r] {
					bitutil.SetBit(e.valid[j], r)
				}
			}
			validity = memory.NewBufferBytes(e.valid[j])
		}
		var bufs []*memory.Buffer
		switch c.Type {
		case Float64:
			bufs = []*memory.Buffer{validity, memory.NewBufferBytes(arrow.Float64Traits.CastToBytes(b.f[:n]))}
		case Int64:
			bufs = []*memory.Buffer{validity, memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(b.i[:n]))}
		case Date:
			e.aux[j] = grow(e.aux[j], 4*n)
			d := arrow.Date32Traits.CastFromBytes(e.aux[j])
			for r := 0; r < n; r++ {
				d[r] = arrow.Date32(b.i[r])
			}
			bufs = []*memory.Buffer{validity, memory.NewBufferBytes(e.aux[j])}
		case Bool:
			e.aux[j] = grow(e.aux[j], nb)
			for r := 0; r < n; r++ {
				if b.b[r] {
					bitutil.SetBit(e.aux[j], r)
				}
			}
			bufs = []*memory.Buffer{validity, memory.NewBufferBytes(e.aux[j])}
		case String:
			// Fresh buffers: the dictionary encoder keeps references to
			// the values until the row group is closed.
			size := 0
			for _, s := range b.s[:n] {
				size += len(s)
			}
			offs := make([]int32, 1, n+1)
			data := make([]byte, 0, size)
			for r := 0; r < n; r++ {
				data = append(data, b.s[r]...)
				offs = append(offs, int32(len(data)))
			}
			bufs = []*memory.Buffer{validity, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offs)), memory.NewBufferBytes(data)}
		}
		d := array.NewData(arrowType(c.Type), n, bufs, nil, nulls, 0)
		e.arrs[j] = array.MakeFromData(d)
		d.Release()
	}
	rec := array.NewRecordBatch(e.schema, e.arrs, int64(n))
	for j := range e.arrs {
		e.arrs[j].Release()
		e.arrs[j] = nil
	}
	defer rec.Release()
	return e.fw.Write(rec)
}

func (e *parquetEncoder) close(w *Writer) error {
	for _, k := range sortedKeys(w.meta) {
		if err := e.fw.AppendKeyValueMetadata(k, w.meta[k]); err != nil {
			return err
		}
	}
	return e.fw.Close()
}
