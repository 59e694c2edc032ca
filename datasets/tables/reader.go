package tables

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rotor-bt/rotor/datasets"

	"github.com/rotor-bt/rotor/engine"
)

// Reader streams the rows of a table written by Writer (or any Parquet
// file, or a CSV / JSON-lines file with or without a sidecar) through
// DuckDB.
type Reader struct {
	path string
	cols []Column
	meta map[string]string

	db   *datasets.DB
	rows *sql.Rows
	raw  []any
	ptrs []any
	row  []any
	err  error
}

// openDB opens the locked-down DuckDB of package datasets with access to
// exactly the files read. One thread: rows come back in file order.
func openDB(ctx context.Context, files ...string) (*datasets.DB, error) {
	return datasets.OpenDB(ctx, datasets.DBConfig{MemoryLimit: "1GB", Threads: 1, Files: files})
}

// source returns the SQL relation reading path with the schema's types and
// the bound argument. Names are quoted through datasets.QuoteIdent; the
// path is always a bound parameter.
func source(f Format, cols []Column, typed bool) string {
	switch f {
	case Parquet:
		return "read_parquet(?)"
	case CSV:
		if !typed {
			return "read_csv(?, header = true)"
		}
		return "(SELECT " + casts(cols, true) + " FROM read_csv(?, header = true, all_varchar = true))"
	default:
		if !typed {
			return "read_json(?, format = 'newline_delimited')"
		}
		return "(SELECT " + casts(cols, false) + " FROM read_json(?, format = 'newline_delimited'))"
	}
}

func casts(cols []Column, csv bool) string {
	var b strings.Builder
	for j, c := range cols {
		if j > 0 {
			b.WriteString(", ")
		}
		q := datasets.QuoteIdent(c.Name)
		in := q
		if csv && c.Type == Float64 {
			in = "NULLIF(" + q + ", 'NaN')"
		}
		fmt.Fprintf(&b, "CAST(%s AS %s) AS %s", in, sqlType(c.Type), q)
	}
	return b.String()
}

func sqlType(t Type) string {
	switch t {
	case Float64:
		return "DOUBLE"
	case Int64:
		return "BIGINT"
	case Bool:
		return "BOOLEAN"
	case Date:
		return "DATE"
	}
	return "VARCHAR"
}

func typeOfSQL(name string) (Type, bool) {
	switch strings.ToUpper(name) {
	case "DOUBLE", "FLOAT", "REAL", "DECIMAL":
		return Float64, true
	case "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT", "HUGEINT":
		return Int64, true
	case "VARCHAR", "JSON":
		return String, true
	case "BOOLEAN":
		return Bool, true
	case "DATE":
		return Date, true
	}
	if strings.HasPrefix(strings.ToUpper(name), "DECIMAL") {
		return Float64, true
	}
	return 0, false
}

// ReadMeta returns the columns and key-value metadata of a table without
// reading its rows. A CSV or JSON-lines file without a sidecar has no
// metadata and its column types are detected.
func ReadMeta(ctx context.Context, path string) ([]Column, map[string]string, error) {
	r, err := open(ctx, path, false, nil)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	return r.cols, r.meta, nil
}

// Open starts reading the rows of the table at path.
func Open(ctx context.Context, path string) (*Reader, error) { return open(ctx, path, true, nil) }

// open reads path; tail, when set, returns the SQL after the FROM clause
// (ORDER BY, LIMIT) and its bound arguments, given the schema.
func open(ctx context.Context, path string, rows bool, tail func([]Column) (string, []any, error)) (*Reader, error) {
	f, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	r := &Reader{path: path, meta: map[string]string{}}
	empty := false
	typed := false
	if f != Parquet {
		sc, err := readSidecar(path)
		switch {
		case err == nil:
			typed = true
			r.meta = sc.Meta
			if r.meta == nil {
				r.meta = map[string]string{}
			}
			for _, c := range sc.Columns {
				t, err := ParseType(c.Type)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", SidecarPath(path), err)
				}
				r.cols = append(r.cols, Column{c.Name, t})
			}
			empty = sc.Rows == 0
		case !errors.Is(err, os.ErrNotExist):
			return nil, err
		}
	}
	if empty || (!rows && typed) {
		return r, nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	db, err := openDB(ctx, abs)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	r.db = db
	if f == Parquet {
		if err := r.parquetMeta(ctx, abs); err != nil {
			r.Close()
			return nil, err
		}
	}
	q := "SELECT * FROM " + source(f, r.cols, typed)
	args := []any{abs}
	if !rows {
		q += " LIMIT 0"
	} else if tail != nil {
		cols := r.cols
		if !typed {
			m, err := open(ctx, path, false, nil)
			if err != nil {
				r.Close()
				return nil, err
			}
			cols = m.cols
			m.Close()
		}
		t, targs, err := tail(cols)
		if err != nil {
			r.Close()
			return nil, err
		}
		q += " " + t
		args = append(args, targs...)
	}
	sr, err := db.Query(ctx, q, args...)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	r.rows = sr
	cts, err := sr.ColumnTypes()
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if !typed {
		r.cols = r.cols[:0]
		for _, ct := range cts {
			t, ok := typeOfSQL(ct.DatabaseTypeName())
			if !ok {
				r.Close()
				return nil, fmt.Errorf("read %s: column %q has unsupported type %s (want numbers, text, booleans or dates)", path, ct.Name(), ct.DatabaseTypeName())
			}
			r.cols = append(r.cols, Column{ct.Name(), t})
		}
	}
	r.raw = make([]any, len(r.cols))
	r.ptrs = make([]any, len(r.cols))
	for j := range r.raw {
		r.ptrs[j] = &r.raw[j]
	}
	r.row = make([]any, len(r.cols))
	return r, nil
}

func readSidecar(path string) (*sidecar, error) {
	data, err := os.ReadFile(SidecarPath(path))
	if err != nil {
		return nil, err
	}
	var sc sidecar
	if err := json.Unmarshal(data, &sc); err != nil {
		return nil, fmt.Errorf("%s: not a table sidecar: %w", SidecarPath(path), err)
	}
	if len(sc.Columns) == 0 {
		return nil, fmt.Errorf("%s: not a table sidecar: no columns", SidecarPath(path))
	}
	return &sc, nil
}

func (r *Reader) parquetMeta(ctx context.Context, abs string) error {
	rows, err := r.db.Query(ctx, "SELECT key, value FROM parquet_kv_metadata(?)", abs)
	if err != nil {
		return fmt.Errorf("read %s: %w", r.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v []byte
		if err := rows.Scan(&k, &v); err != nil {
			return fmt.Errorf("read %s: %w", r.path, err)
		}
		if string(k) == "ARROW:schema" {
			continue
		}
		r.meta[string(k)] = string(v)
	}
	return rows.Err()
}

// Path is the file read.
func (r *Reader) Path() string { return r.path }

// Columns is the schema.
func (r *Reader) Columns() []Column { return r.cols }

// Meta is the key-value metadata (empty when the file has none).
func (r *Reader) Meta() map[string]string { return r.meta }

// Next advances to the next row.
func (r *Reader) Next() bool {
	if r.rows == nil || r.err != nil {
		return false
	}
	if !r.rows.Next() {
		r.err = r.rows.Err()
		return false
	}
	if err := r.rows.Scan(r.ptrs...); err != nil {
		r.err = fmt.Errorf("read %s: %w", r.path, err)
		return false
	}
	for j, c := range r.cols {
		v, err := convert(r.raw[j], c.Type)
		if err != nil {
			r.err = fmt.Errorf("read %s: column %q: %w", r.path, c.Name, err)
			return false
		}
		r.row[j] = v
	}
	return true
}

// Row is the current row: float64 (NaN when missing), int64, string,
// bool, engine.Date, or nil for a missing non-float value. The slice is
// reused by the next call to Next.
func (r *Reader) Row() []any { return r.row }

// Err is the first error met while reading.
func (r *Reader) Err() error { return r.err }

// Close releases the reader.
func (r *Reader) Close() error {
	var err error
	if r.rows != nil {
		err = r.rows.Close()
		r.rows = nil
	}
	if r.db != nil {
		if cerr := r.db.Close(); err == nil {
			err = cerr
		}
		r.db = nil
	}
	return err
}

func convert(v any, t Type) (any, error) {
	if v == nil {
		if t == Float64 {
			return math.NaN(), nil
		}
		return nil, nil
	}
	switch t {
	case Float64:
		switch x := v.(type) {
		case float64:
			return x, nil
		case float32:
			return float64(x), nil
		case int64:
			return float64(x), nil
		case int32:
			return float64(x), nil
		}
	case Int64:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int32:
			return int64(x), nil
		case int16:
			return int64(x), nil
		case int8:
			return int64(x), nil
		case uint64:
			if x <= math.MaxInt64 {
				return int64(x), nil
			}
		case uint32:
			return int64(x), nil
		}
	case String:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
	case Bool:
		if x, ok := v.(bool); ok {
			return x, nil
		}
	case Date:
		if x, ok := v.(time.Time); ok {
			return engine.DateFromTime(x), nil
		}
	}
	return nil, fmt.Errorf("unexpected %T value %v for a %s column", v, v, t)
}
