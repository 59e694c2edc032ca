package tables

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/rotor-bt/rotor/engine"
)

// BatchRows is the number of rows buffered before a flush (and the size of
// a Parquet row group's pieces).
const BatchRows = 8192

// Writer streams rows into a table file. It is not safe for concurrent use.
//
// A row is written either with Write([]any) or cell by cell with the
// typed Set methods (one call per column, in any order) followed by
// EndRow; the typed path does not allocate.
type Writer struct {
	path   string
	format Format
	cols   []Column
	meta   map[string]string

	tmp     *os.File // data, in the destination's directory
	tmpMeta string   // sidecar temp path (CSV/JSONL)
	bw      *bufio.Writer
	enc     encoder

	buf   []colBuf
	n     int   // rows in buf
	rows  int64 // rows written in total
	set   []bool
	nset  int
	done  bool
	text  []byte // scratch for text encoders
	names [][]byte
}

type colBuf struct {
	f    []float64
	i    []int64
	s    []string
	b    []bool
	null []bool
}

type encoder interface {
	flush(w *Writer) error
	close(w *Writer) error
}

// Create starts a table at path; the format comes from the extension
// (.parquet, .csv, .json/.jsonl). Nothing appears at path until Close.
// meta is stored in the file (Parquet key-value metadata) or in the
// sidecar PATH.meta.json (CSV, JSON lines).
func Create(path string, cols []Column, meta map[string]string) (*Writer, error) {
	f, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	if err := checkColumns(cols); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	w := &Writer{
		path: path, format: f, cols: append([]Column(nil), cols...), meta: copyMeta(meta),
		tmp: tmp, buf: make([]colBuf, len(cols)), set: make([]bool, len(cols)),
	}
	w.bw = bufio.NewWriterSize(tmp, 1<<16)
	for j, c := range cols {
		b := &w.buf[j]
		switch c.Type {
		case Float64:
			b.f = make([]float64, 0, BatchRows)
		case Int64, Date:
			b.i = make([]int64, 0, BatchRows)
		case String:
			b.s = make([]string, 0, BatchRows)
		case Bool:
			b.b = make([]bool, 0, BatchRows)
		}
		b.null = make([]bool, 0, BatchRows)
		q, _ := json.Marshal(c.Name)
		w.names = append(w.names, q)
	}
	switch f {
	case Parquet:
		w.enc, err = newParquetEncoder(w)
	case CSV:
		w.enc, err = newCSVEncoder(w)
	case JSONL:
		w.enc = jsonEncoder{}
	}
	if err != nil {
		w.Abort()
		return nil, err
	}
	return w, nil
}

func copyMeta(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Path is the destination path.
func (w *Writer) Path() string { return w.path }

// Columns returns the schema.
func (w *Writer) Columns() []Column { return w.cols }

// Rows is the number of rows written so far (complete rows only).
func (w *Writer) Rows() int64 { return w.rows + int64(w.n) }

// SetMeta sets a metadata key before Close (e.g. a count known at the end).
func (w *Writer) SetMeta(k, v string) { w.meta[k] = v }

func (w *Writer) mark(j int, t Type) error {
	if j < 0 || j >= len(w.cols) {
		return fmt.Errorf("%s: column %d out of range (table has %d)", w.path, j, len(w.cols))
	}
	if w.set[j] {
		return fmt.Errorf("%s: column %q set twice in row %d", w.path, w.cols[j].Name, w.Rows()+1)
	}
	if t != 0 && w.cols[j].Type != t && !(t == Int64 && w.cols[j].Type == Date) {
		return fmt.Errorf("%s: column %q is %s, got a %s", w.path, w.cols[j].Name, w.cols[j].Type, t)
	}
	w.set[j] = true
	w.nset++
	return nil
}

// SetFloat sets column j of the current row; NaN is a missing value.
func (w *Writer) SetFloat(j int, v float64) error {
	if err := w.mark(j, Float64); err != nil {
		return err
	}
	b := &w.buf[j]
	b.f = append(b.f, v)
	b.null = append(b.null, math.IsNaN(v))
	return nil
}

// SetInt sets an Int64 (or Date, as days since 1970-01-01) column.
func (w *Writer) SetInt(j int, v int64) error {
	if err := w.mark(j, Int64); err != nil {
		return err
	}
	b := &w.buf[j]
	b.i = append(b.i, v)
	b.null = append(b.null, false)
	return nil
}

// SetDate sets a Date column.
func (w *Writer) SetDate(j int, d engine.Date) error {
	if err := w.mark(j, Date); err != nil {
		return err
	}
	b := &w.buf[j]
	b.i = append(b.i, int64(d))
	b.null = append(b.null, false)
	return nil
}

// SetString sets a String column.
func (w *Writer) SetString(j int, v string) error {
	if err := w.mark(j, String); err != nil {
		return err
	}
	b := &w.buf[j]
	b.s = append(b.s, v)
	b.null = append(b.null, false)
	return nil
}

// SetBool sets a Bool column.
func (w *Writer) SetBool(j int, v bool) error {
	if err := w.mark(j, Bool); err != nil {
		return err
	}
	b := &w.buf[j]
	b.b = append(b.b, v)
	b.null = append(b.null, false)
	return nil
}

// SetNull sets column j of the current row to a missing value.
func (w *Writer) SetNull(j int) error {
	if err := w.mark(j, 0); err != nil {
		return err
	}
	b := &w.buf[j]
	switch w.cols[j].Type {
	case Float64:
		b.f = append(b.f, math.NaN())
	case Int64, Date:
		b.i = append(b.i, 0)
	case String:
		b.s = append(b.s, "")
	case Bool:
		b.b = append(b.b, false)
	}
	b.null = append(b.null, true)
	return nil
}

// EndRow completes the current row; every column must have been set.
func (w *Writer) EndRow() error {
	if w.done {
		return fmt.Errorf("%s: write after close", w.path)
	}
	if w.nset != len(w.cols) {
		for j, ok := range w.set {
			if !ok {
				return fmt.Errorf("%s: row %d: column %q not set", w.path, w.Rows()+1, w.cols[j].Name)
			}
		}
	}
	clear(w.set)
	w.nset = 0
	w.n++
	if w.n == BatchRows {
		return w.flush()
	}
	return nil
}

// Write appends one row: one value per column, in order. Accepted values:
// Float64: float64, float32, int, int64 (NaN or nil: missing); Int64: int,
// int64, int32, uint32, float64 with a whole value; String: string; Bool:
// bool; Date: engine.Date, time.Time, or "YYYY-MM-DD". nil is missing in
// any column.
func (w *Writer) Write(row []any) error {
	if len(row) != len(w.cols) {
		w.resetRow()
		return fmt.Errorf("%s: row %d has %d values, want %d (%s)", w.path, w.Rows()+1, len(row), len(w.cols), w.colNames())
	}
	for j, v := range row {
		if err := w.setAny(j, v); err != nil {
			w.resetRow()
			return err
		}
	}
	return w.EndRow()
}

// resetRow drops a partly set row.
func (w *Writer) resetRow() {
	for j, ok := range w.set {
		if !ok {
			continue
		}
		b := &w.buf[j]
		switch w.cols[j].Type {
		case Float64:
			b.f = b.f[:w.n]
		case Int64, Date:
			b.i = b.i[:w.n]
		case String:
			b.s = b.s[:w.n]
		case Bool:
			b.b = b.b[:w.n]
		}
		b.null = b.null[:w.n]
	}
	clear(w.set)
	w.nset = 0
}

func (w *Writer) colNames() string {
	s := ""
	for j, c := range w.cols {
		if j > 0 {
			s += ", "
		}
		s += c.Name
	}
	return s
}

func (w *Writer) setAny(j int, v any) error {
	if v == nil {
		return w.SetNull(j)
	}
	c := w.cols[j]
	bad := func() error {
		return fmt.Errorf("%s: row %d column %q: %T value %v is not a %s", w.path, w.Rows()+1, c.Name, v, v, c.Type)
	}
	switch c.Type {
	case Float64:
		switch x := v.(type) {
		case float64:
			return w.SetFloat(j, x)
		case float32:
			return w.SetFloat(j, float64(x))
		case int:
			return w.SetFloat(j, float64(x))
		case int64:
			return w.SetFloat(j, float64(x))
		case int32:
			return w.SetFloat(j, float64(x))
		}
	case Int64:
		switch x := v.(type) {
		case int:
			return w.SetInt(j, int64(x))
		case int64:
			return w.SetInt(j, x)
		case int32:
			return w.SetInt(j, int64(x))
		case uint32:
			return w.SetInt(j, int64(x))
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return w.SetInt(j, int64(x))
			}
		}
	case String:
		if x, ok := v.(string); ok {
			return w.SetString(j, x)
		}
	case Bool:
		if x, ok := v.(bool); ok {
			return w.SetBool(j, x)
		}
	case Date:
		switch x := v.(type) {
		case engine.Date:
			return w.SetDate(j, x)
		case time.Time:
			return w.SetDate(j, engine.DateFromTime(x))
		case string:
			d, err := engine.ParseDate(x)
			if err != nil {
				return fmt.Errorf("%s: row %d column %q: %w", w.path, w.Rows()+1, c.Name, err)
			}
			return w.SetDate(j, d)
		}
	}
	return bad()
}

func (w *Writer) flush() error {
	if w.n == 0 {
		return nil
	}
	if w.nset != 0 {
		w.resetRow()
	}
	if err := w.enc.flush(w); err != nil {
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	w.rows += int64(w.n)
	w.n = 0
	for j := range w.buf {
		b := &w.buf[j]
		b.f, b.i, b.s, b.b, b.null = b.f[:0], b.i[:0], b.s[:0], b.b[:0], b.null[:0]
	}
	return nil
}

// Flush writes the buffered rows to the temporary file (they still appear
// at the destination only on Close).
func (w *Writer) Flush() error { return w.flush() }

// Close writes the remaining rows and the metadata and renames the file
// into place. After an error the temporary files are removed.
func (w *Writer) Close() error {
	if w.done {
		return nil
	}
	if err := w.flush(); err != nil {
		w.Abort()
		return err
	}
	w.done = true
	if err := w.enc.close(w); err != nil {
		w.Abort()
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	if err := w.bw.Flush(); err != nil {
		w.Abort()
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	if err := w.tmp.Chmod(0o644); err != nil { // CreateTemp makes 0600
		w.Abort()
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	if err := w.tmp.Sync(); err != nil {
		w.Abort()
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	if err := w.tmp.Close(); err != nil {
		w.Abort()
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	if w.format != Parquet {
		if err := w.writeSidecar(); err != nil {
			w.Abort()
			return err
		}
		if err := os.Rename(w.tmpMeta, SidecarPath(w.path)); err != nil {
			w.Abort()
			return fmt.Errorf("write %s: %w", SidecarPath(w.path), err)
		}
		w.tmpMeta = ""
	}
	if err := os.Rename(w.tmp.Name(), w.path); err != nil {
		w.Abort()
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	return nil
}

// Abort discards the table: the temporary files are removed and nothing
// appears at the destination. It is safe after Close (then it does nothing).
func (w *Writer) Abort() error {
	if w.tmp == nil {
		return nil
	}
	var errs []error
	if !w.done {
		w.done = true
		w.tmp.Close()
	}
	if err := os.Remove(w.tmp.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	if w.tmpMeta != "" {
		os.Remove(w.tmpMeta)
		w.tmpMeta = ""
	}
	w.tmp = nil
	return errors.Join(errs...)
}

// sidecar is the JSON beside a CSV or JSON-lines table.
type sidecar struct {
	Format  string            `json:"format"`
	Columns []sidecarColumn   `json:"columns"`
	Rows    int64             `json:"rows"`
	Meta    map[string]string `json:"meta"`
}

type sidecarColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

func (w *Writer) writeSidecar() error {
	sc := sidecar{Format: w.format.String(), Rows: w.rows, Meta: w.meta}
	for _, c := range w.cols {
		sc.Columns = append(sc.Columns, sidecarColumn{c.Name, c.Type.String()})
	}
	data, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		return err
	}
	dir, base := filepath.Split(SidecarPath(w.path))
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", SidecarPath(w.path), err)
	}
	w.tmpMeta = f.Name()
	err = f.Chmod(0o644)
	if err == nil {
		_, err = f.Write(append(data, '\n'))
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", SidecarPath(w.path), err)
	}
	return nil
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// --- CSV ---

type csvEncoder struct{}

func newCSVEncoder(w *Writer) (encoder, error) {
	line := w.text[:0]
	for j, c := range w.cols {
		if j > 0 {
			line = append(line, ',')
		}
		line = appendCSVField(line, c.Name)
	}
	line = append(line, '\n')
	_, err := w.bw.Write(line)
	w.text = line[:0]
	return csvEncoder{}, err
}

func (csvEncoder) flush(w *Writer) error {
	for r := 0; r < w.n; r++ {
		line := w.text[:0]
		for j, c := range w.cols {
			if j > 0 {
				line = append(line, ',')
			}
			b := &w.buf[j]
			if b.null[r] {
				if c.Type == Float64 {
					line = append(line, "NaN"...)
				}
				continue
			}
			switch c.Type {
			case Float64:
				line = strconv.AppendFloat(line, b.f[r], 'g', -1, 64)
			case Int64:
				line = strconv.AppendInt(line, b.i[r], 10)
			case Date:
				line = engine.Date(b.i[r]).Time().AppendFormat(line, "2006-01-02")
			case String:
				line = appendCSVField(line, b.s[r])
			case Bool:
				line = strconv.AppendBool(line, b.b[r])
			}
		}
		line = append(line, '\n')
		if _, err := w.bw.Write(line); err != nil {
			return err
		}
		w.text = line[:0]
	}
	return nil
}

func (csvEncoder) close(w *Writer) error { return nil }

// appendCSVField quotes s when it needs it (RFC 4180).
func appendCSVField(dst []byte, s string) []byte {
	need := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\n', '\r':
			need = true
		}
	}
	if len(s) > 0 && (s[0] == ' ' || s[len(s)-1] == ' ') {
		need = true
	}
	if !need {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

// --- JSON lines ---

type jsonEncoder struct{}

func (jsonEncoder) flush(w *Writer) error {
	for r := 0; r < w.n; r++ {
		line := append(w.text[:0], '{')
		for j, c := range w.cols {
			if j > 0 {
				line = append(line, ',')
			}
			line = append(line, w.names[j]...)
			line = append(line, ':')
			b := &w.buf[j]
			if b.null[r] {
				line = append(line, "null"...)
				continue
			}
			switch c.Type {
			case Float64:
				x := b.f[r]
				if math.IsInf(x, 0) {
					line = append(line, "null"...)
				} else {
					line = strconv.AppendFloat(line, x, 'g', -1, 64)
				}
			case Int64:
				line = strconv.AppendInt(line, b.i[r], 10)
			case Date:
				line = append(line, '"')
				line = engine.Date(b.i[r]).Time().AppendFormat(line, "2006-01-02")
				line = append(line, '"')
			case String:
				line = appendJSONString(line, b.s[r])
			case Bool:
				line = strconv.AppendBool(line, b.b[r])
			}
		}
		line = append(line, '}', '\n')
		if _, err := w.bw.Write(line); err != nil {
			return err
		}
		w.text = line[:0]
	}
	return nil
}

func (jsonEncoder) close(w *Writer) error { return nil }

func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			q, _ := json.Marshal(s)
			return append(dst, q...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}
