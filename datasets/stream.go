package datasets

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	bindings "github.com/duckdb/duckdb-go-bindings"
	duckdb "github.com/duckdb/duckdb-go/v2"
)

// streamConn runs queries whose results are streamed: DuckDB produces one
// 2048-row chunk at a time as the reader asks for it, and each chunk is
// converted to an Arrow record batch (duckdb_data_chunk_to_arrow). The
// duckdb-go Arrow reader materialises the whole result inside DuckDB first
// and copies every chunk out of it again; for a large scan that costs as
// much as the scan itself.
//
// Statements are prepared and their parameters bound by duckdb-go (the
// same conversions as every other query); only execution and fetching use
// the DuckDB C API through duckdb-go-bindings, the layer duckdb-go is
// built on.
type streamConn struct {
	conn *duckdb.Conn
}

func newStreamConn(dc driver.Conn) (*streamConn, error) {
	c, ok := dc.(*duckdb.Conn)
	if !ok {
		return nil, fmt.Errorf("duckdb: connection is %T", dc)
	}
	return &streamConn{conn: c}, nil
}

// errNoStream says that this duckdb-go version exposes no prepared
// statement handle to stream; DB.QueryArrowStream then reads the result
// materialised.
var errNoStream = errors.New("duckdb: this duckdb-go version has no prepared statement handle to stream")

// preparedOf returns the C prepared statement of a duckdb-go statement.
// duckdb-go keeps it unexported; the field is looked up by name and type,
// so a duckdb-go release that changes it gives errNoStream rather than a
// misread (and TestStreamHandle fails).
func preparedOf(s *duckdb.Stmt) (bindings.PreparedStatement, error) {
	f := reflect.ValueOf(s).Elem().FieldByName("preparedStmt")
	if !f.IsValid() || f.Type() != reflect.TypeFor[*bindings.PreparedStatement]() {
		return bindings.PreparedStatement{}, errNoStream
	}
	p := *(**bindings.PreparedStatement)(unsafe.Pointer(f.UnsafeAddr()))
	if p == nil || p.Ptr == nil {
		return bindings.PreparedStatement{}, errors.New("duckdb: statement is closed")
	}
	return *p, nil
}

// query prepares query, binds args and starts a streaming execution. The
// caller must Release the reader, which closes the statement.
func (c *streamConn) query(ctx context.Context, query string, args ...any) (rr array.RecordReader, err error) {
	ds, err := c.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	stmt := ds.(*duckdb.Stmt)
	defer func() {
		if err != nil {
			stmt.Close()
		}
	}()
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	if err := stmt.Bind(named); err != nil {
		return nil, err
	}
	ps, err := preparedOf(stmt)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := &streamReader{ctx: ctx, stmt: stmt}
	if bindings.ExecutePreparedStreaming(ps, &r.res) == bindings.StateError {
		msg := bindings.ResultError(&r.res)
		bindings.DestroyResult(&r.res)
		return nil, errors.New(msg)
	}
	r.opts = bindings.ResultGetArrowOptions(&r.res)
	n := bindings.ColumnCount(&r.res)
	names := make([]string, n)
	types := make([]bindings.LogicalType, n)
	for i := range n {
		names[i] = bindings.ColumnName(&r.res, i)
		types[i] = bindings.ColumnLogicalType(&r.res, i)
	}
	schema, ed := bindings.NewArrowSchema(r.opts, types, names)
	for i := range types {
		bindings.DestroyLogicalType(&types[i])
	}
	if err := errorData(ed); err != nil {
		r.free()
		return nil, fmt.Errorf("duckdb: arrow schema: %w", err)
	}
	r.schema = schema
	r.refs.Store(1)
	return r, nil
}

func errorData(ed bindings.ErrorData) error {
	defer bindings.DestroyErrorData(&ed)
	if ed.Ptr == nil || !bindings.ErrorDataHasError(ed) {
		return nil
	}
	return errors.New(bindings.ErrorDataMessage(ed))
}

// streamReader is an array.RecordReader over a streaming result. Each
// record is valid until the next call to Next or Release. Not safe for
// concurrent use.
type streamReader struct {
	ctx    context.Context
	stmt   *duckdb.Stmt
	res    bindings.Result
	opts   bindings.ArrowOptions
	schema *arrow.Schema
	cur    arrow.RecordBatch
	err    error
	done   bool
	refs   atomic.Int64
}

func (r *streamReader) Retain() { r.refs.Add(1) }

func (r *streamReader) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	r.free()
}

func (r *streamReader) free() {
	if r.opts.Ptr != nil {
		bindings.DestroyArrowOptions(&r.opts)
	}
	bindings.DestroyResult(&r.res)
	r.stmt.Close()
}

func (r *streamReader) Schema() *arrow.Schema { return r.schema }

func (r *streamReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.done || r.err != nil {
		return false
	}
	if err := r.ctx.Err(); err != nil {
		r.err = err
		return false
	}
	chunk := bindings.FetchChunk(r.res)
	if chunk.Ptr == nil {
		r.done = true
		if msg := bindings.ResultError(&r.res); msg != "" {
			r.err = errors.New(msg)
		}
		return false
	}
	defer bindings.DestroyDataChunk(&chunk)
	if bindings.DataChunkGetSize(chunk) == 0 {
		r.done = true
		return false
	}
	rec, ed := bindings.DataChunkToArrowArray(r.opts, r.schema, chunk)
	if err := errorData(ed); err != nil {
		if rec != nil {
			rec.Release()
		}
		r.err = fmt.Errorf("duckdb: arrow conversion: %w", err)
		return false
	}
	r.cur = rec
	return true
}

func (r *streamReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record is RecordBatch (the older name in array.RecordReader).
func (r *streamReader) Record() arrow.RecordBatch { return r.cur }

func (r *streamReader) Err() error { return r.err }
