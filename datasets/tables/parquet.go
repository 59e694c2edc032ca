package tables

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// parquetEncoder writes each flushed batch as Arrow arrays through pqarrow;
// row groups hold up to parquetRowGroup rows.
type parquetEncoder struct {
	schema *arrow.Schema
	fw     *pqarrow.FileWriter
	bld    *array.RecordBuilder
	valid  []bool
}

const parquetRowGroup = 64 * 1024

func newParquetEncoder(w *Writer) (encoder, error) {
	fields := make([]arrow.Field, len(w.cols))
	for j, c := range w.cols {
		var t arrow.DataType
		switch c.Type {
		case Float64:
			t = arrow.PrimitiveTypes.Float64
		case Int64:
			t = arrow.PrimitiveTypes.Int64
		case String:
			t = arrow.BinaryTypes.String
		case Bool:
			t = arrow.FixedWidthTypes.Boolean
		case Date:
			t = arrow.FixedWidthTypes.Date32
		}
		fields[j] = arrow.Field{Name: c.Name, Type: t, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithMaxRowGroupLength(parquetRowGroup),
		parquet.WithCreatedBy("rotor"),
	)
	fw, err := pqarrow.NewFileWriter(schema, w.bw, props, pqarrow.NewArrowWriterProperties())
	if err != nil {
		return nil, err
	}
	return &parquetEncoder{
		schema: schema, fw: fw,
		bld:   array.NewRecordBuilder(memory.DefaultAllocator, schema),
		valid: make([]bool, BatchRows),
	}, nil
}

func (e *parquetEncoder) flush(w *Writer) error {
	for j, c := range w.cols {
		b := &w.buf[j]
		valid := e.valid[:w.n]
		for r := range valid {
			valid[r] = !b.null[r]
		}
		switch c.Type {
		case Float64:
			e.bld.Field(j).(*array.Float64Builder).AppendValues(b.f, valid)
		case Int64:
			e.bld.Field(j).(*array.Int64Builder).AppendValues(b.i, valid)
		case String:
			e.bld.Field(j).(*array.StringBuilder).AppendValues(b.s, valid)
		case Bool:
			e.bld.Field(j).(*array.BooleanBuilder).AppendValues(b.b, valid)
		case Date:
			db := e.bld.Field(j).(*array.Date32Builder)
			db.Reserve(w.n)
			for r := 0; r < w.n; r++ {
				if valid[r] {
					db.UnsafeAppend(arrow.Date32(b.i[r]))
				} else {
					db.UnsafeAppendBoolToBitmap(false)
				}
			}
		}
	}
	rec := e.bld.NewRecordBatch()
	defer rec.Release()
	return e.fw.WriteBuffered(rec)
}

func (e *parquetEncoder) close(w *Writer) error {
	defer e.bld.Release()
	for _, k := range sortedKeys(w.meta) {
		if err := e.fw.AppendKeyValueMetadata(k, w.meta[k]); err != nil {
			return err
		}
	}
	return e.fw.Close()
}
