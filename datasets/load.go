package datasets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/rotor-bt/rotor/engine"
)

// LoadOptions selects what Load reads.
type LoadOptions struct {
	// Paths are Parquet or CSV files, globs or directories (one format).
	Paths []string
	// Rates is a rates file (date and one rate column, CSV or Parquet);
	// "" loads none.
	Rates string
	// Columns maps a SEMANTICS §1 column name to the input's column name,
	// e.g. {"close": "Close"}.
	Columns map[string]string
	// From and To bound the dates (inclusive); nil is unbounded.
	From, To *engine.Date
	// Symbols restricts the load to these symbols; each must exist.
	Symbols []string
	// Fields restricts the columns loaded (nil: every column the input
	// has). Fields the input lacks are skipped; at least one price column
	// (close or adj_close) must remain. Fewer columns load faster.
	Fields []engine.Field
	// DB sets DuckDB's memory limit and temp directory; its Files and Dirs
	// are filled by Load.
	DB DBConfig
	// Fingerprint starts computing Info.Fingerprint on another goroutine
	// as the load starts, for callers that will record it: the hashing
	// then overlaps the load instead of following it (it shares the CPUs
	// with the scan). Without it the fingerprint is computed on first use.
	Fingerprint bool
}

// Info describes what was loaded, for printing with every result.
type Info struct {
	Files       []string     // input files read (expanded, sorted)
	Format      string       // FormatParquet or FormatCSV
	Rows        int64        // rows loaded into the panel
	Symbols     int          // N
	Bars        int          // T
	From, To    engine.Date  // first and last bar
	PriceField  engine.Field // column used for returns: adj_close, else close
	Fields      []engine.Field
	Columns     map[string]string // SEMANTICS name → source column, for mapped or differently named columns
	RatesFile   string
	RatesColumn string // the rates file's value column, e.g. target_rate_pct
	RatesRows   int
	Schema      []string // "name TYPE" of each column of the first input file (CSV: the types read)
	Missing     int64    // NaN cells of the price field (not listed, delisted, halted)
	Notes       []string // lines to print on stderr (choices made, caveats)

	fp *lazyFingerprint // content hash of Files; see Fingerprint
}

// Source returns a one-line description for result footers, with the
// first 12 digits of the fingerprint ("unavailable" if Fingerprint fails).
func (in *Info) Source() string {
	files := "1 file"
	if len(in.Files) == 1 {
		files = in.Files[0]
	} else {
		files = fmt.Sprintf("%d files", len(in.Files))
	}
	fp, err := in.Fingerprint()
	if err != nil {
		fp = "unavailable"
	}
	if len(fp) > 12 {
		fp = fp[:12]
	}
	s := fmt.Sprintf("%s (%d symbols × %d bars, %s..%s, sha256 %s)", files, in.Symbols, in.Bars, in.From, in.To, fp)
	if in.RatesColumn != "" {
		s += fmt.Sprintf("; rates %s from %s", in.RatesColumn, in.RatesFile)
	}
	return s
}

var symbolRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,32}$`)

// Load reads price histories into a validated panel (SEMANTICS §1) and
// attaches the rates, if any. It opens a DuckDB instance locked to the
// inputs for this one load; to load several selections of the same files,
// Open them once as a Dataset.
func Load(ctx context.Context, opt LoadOptions) (*engine.Panel, *Info, error) {
	ds, err := Open(ctx, opt)
	if err != nil {
		return nil, nil, err
	}
	defer ds.closeLater()
	sel := opt
	sel.Paths, sel.Rates, sel.DB = nil, "", DBConfig{} // the dataset's own
	return ds.Load(ctx, sel)
}

// source is the SQL of the filtered, renamed selection and its arguments.
type source struct {
	sql  string
	args []any
}

// selection builds `SELECT date, symbol, <fields> FROM <scan> WHERE <filters>`
// with every value bound and every name quoted.
//
// rows, if not nil, restricts a single Parquet file's scan to the file row
// numbers [rows[0], rows[1]), which the scan turns into whole row groups.
func selection(in *inputSet, m *mapping, csvCols []column, fields []engine.Field, opt LoadOptions, rows *[2]int64) source {
	var b strings.Builder
	var args []any
	b.WriteString("SELECT ")
	date := QuoteIdent(m.date.name)
	if m.date.typ == "DATE" || in.format == FormatCSV {
		b.WriteString(date)
	} else {
		b.WriteString("CAST(" + date + " AS DATE)")
	}
	b.WriteString(" AS date, " + QuoteIdent(m.symbol.name) + " AS symbol")
	for _, f := range fields {
		c := m.fields[f]
		fmt.Fprintf(&b, ", CAST(%s AS DOUBLE) AS %s", QuoteIdent(c.name), QuoteIdent(f.String()))
	}
	if in.format == FormatCSV {
		b.WriteString(" FROM read_csv(?, header = true, delim = ',', quote = '\"', escape = '\"', types = ?, dateformat = '%Y-%m-%d')")
		args = append(args, absFiles(in.files), csvTypes(csvCols, m))
	} else {
		b.WriteString(" FROM read_parquet(?, union_by_name = true, hive_partitioning = ?, file_row_number = ?)")
		args = append(args, absFiles(in.files), in.hive, rows != nil)
	}
	var where []string
	if rows != nil {
		where = append(where, "file_row_number >= ? AND file_row_number < ?")
		args = append(args, rows[0], rows[1])
	}
	if opt.From != nil {
		where = append(where, date+" >= CAST(? AS DATE)")
		args = append(args, opt.From.Time())
	}
	if opt.To != nil {
		if m.date.typ == "DATE" || in.format == FormatCSV {
			where = append(where, date+" <= CAST(? AS DATE)")
		} else {
			where = append(where, "CAST("+date+" AS DATE) <= CAST(? AS DATE)")
		}
		args = append(args, opt.To.Time())
	}
	if len(opt.Symbols) > 0 {
		ph := strings.Repeat("?, ", len(opt.Symbols))
		where = append(where, QuoteIdent(m.symbol.name)+" IN ("+ph[:len(ph)-2]+")")
		for _, s := range opt.Symbols {
			args = append(args, s)
		}
	}
	if len(where) > 0 {
		b.WriteString(" WHERE " + strings.Join(where, " AND "))
	}
	return source{b.String(), args}
}

func absFiles(files []string) []string {
	out, err := absAll(files)
	if err != nil {
		return files
	}
	return out
}

func loadPanel(ctx context.Context, db *DB, in *inputSet, opt LoadOptions) (*engine.Panel, *Info, error) {
	// Schema of every file.
	var maps []*mapping
	var header, first []column
	for _, f := range in.files {
		if st, err := os.Stat(f); err == nil && st.Size() == 0 {
			return nil, nil, newErr(f, "file", RuleEmpty, "the file is empty; want a header and rows")
		}
		cols, err := describe(ctx, db, absFiles([]string{f})[0], in.format, in.hive)
		if err != nil {
			if e, ok := err.(*Error); ok {
				e.File = displayPath(f)
			}
			return nil, nil, err
		}
		if first == nil {
			first = cols
		}
		if in.format == FormatCSV {
			if header == nil {
				header = cols
			} else if !sameHeader(header, cols) {
				return nil, nil, newErr(f, "header", RuleMissingColumn, "CSV files must share one header; %s differs", displayPath(f))
			}
		}
		m, err := resolve(f, cols, opt.Columns, in.format == FormatParquet)
		if err != nil {
			return nil, nil, err
		}
		maps = append(maps, m)
	}
	m, err := unifyMappings(in.files, maps, in.format)
	if err != nil {
		return nil, nil, err
	}
	var fields []engine.Field
	info := &Info{Files: in.files, Format: in.format, Columns: map[string]string{}}
	want := func(f engine.Field) bool {
		if opt.Fields == nil {
			return true
		}
		for _, g := range opt.Fields {
			if g == f {
				return true
			}
		}
		return false
	}
	for f := engine.Field(0); f < engine.NumFields; f++ {
		if c := m.fields[f]; c.name != "" && want(f) {
			fields = append(fields, f)
			if c.name != f.String() {
				info.Columns[f.String()] = c.name
			}
		}
	}
	if m.date.name != ColDate {
		info.Columns[ColDate] = m.date.name
	}
	if m.symbol.name != ColSymbol {
		info.Columns[ColSymbol] = m.symbol.name
	}
	if len(fields) == 0 || (!slices.Contains(fields, engine.Close) && !slices.Contains(fields, engine.AdjClose)) {
		return nil, nil, newErr(in.display(), "fields", RuleMissingColumn, "the selected fields include no close or adj_close column")
	}
	info.Fields = fields
	src := selection(in, m, header, fields, opt, nil)
	if in.format == FormatCSV {
		for k, t := range csvTypes(header, m) {
			info.Schema = append(info.Schema, header[k].name+" "+t)
		}
	} else {
		for _, c := range first {
			info.Schema = append(info.Schema, c.name+" "+c.typ)
		}
	}
	wrap := func(err error) error { return scanErr(in, err) }

	// The calendar (then the file's row groups, to plan the parts) and the
	// symbols with their hashes, on two connections at once.
	needGroups := in.format == FormatParquet && forceWorkers == 0 && len(in.files) == 1 &&
		!slices.ContainsFunc(first, func(c column) bool { return c.name == "file_row_number" })
	var dates []engine.Date
	var groups []int64
	var derr error
	var dwg sync.WaitGroup
	dconn := db
	if runtime.GOMAXPROCS(0) > 1 {
		if dconn, err = db.Conn(ctx, 1); err != nil {
			return nil, nil, err
		}
	}
	dwg.Add(1)
	go func() {
		defer dwg.Done()
		if dates, derr = queryDates(ctx, dconn, src); derr == nil && needGroups {
			groups, derr = rowGroups(ctx, dconn, in.files[0])
		}
	}()
	if dconn == db {
		dwg.Wait()
	}
	symbols, hashes, err := querySymbols(ctx, db, src, in, opt)
	dwg.Wait()
	if err != nil {
		return nil, nil, wrap(err)
	}
	if derr == errNullDate {
		derr = nullDates(ctx, db, src, in)
	}
	if derr != nil {
		return nil, nil, wrap(derr)
	}
	if len(symbols) == 0 || len(dates) == 0 {
		return nil, nil, newErr(in.display(), "selection", RuleEmpty, "no rows%s", describeFilter(opt))
	}

	b, err := newBuilder(dates, symbols, fields)
	if err != nil {
		return nil, nil, err
	}
	if !symbolJoin {
		b.symTab = newSymTable(hashes)
	}
	parts := planParts(in.format == FormatParquet, groups, len(dates), len(symbols))
	workers := loadWorkers(len(parts))
	// Selections of streamCells cells or more stream; for smaller ones a
	// streaming query's overhead outweighs copying the result.
	stream := len(dates)*len(symbols) >= streamCells
	conns := make([]*DB, workers)
	for k := range conns {
		if conns[k], err = db.Conn(ctx, k); err != nil {
			return nil, nil, err
		}
	}
	// Workers take the parts in order, each on its own connection and with
	// its own reused buffers.
	errs := make([]error, len(parts))
	rows := make([]int64, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pb := b.whole()
			for {
				k := int(next.Add(1)) - 1
				if k >= len(parts) {
					return
				}
				pt := parts[k]
				popt := opt
				if pt.rows == nil {
					pb.reset(pt.t0, pt.t1)
					popt.From, popt.To = &dates[pt.t0], &dates[pt.t1-1]
				}
				psrc := selection(in, m, header, fields, popt, pt.rows)
				pb.rows = 0
				if errs[k] = loadPart(ctx, conns[w], pb, psrc, fields, symbols, stream); errs[k] != nil {
					next.Store(int64(len(parts))) // stop the others
					return
				}
				rows[w] += pb.rows
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		var re *rowError
		switch {
		case err == nil:
		case errors.As(err, &re):
			return nil, nil, rowFileErr(ctx, db, in, m, re)
		default:
			return nil, nil, wrap(err)
		}
	}
	if err := b.fill(); err != nil {
		var re *rowError
		if errors.As(err, &re) {
			return nil, nil, rowFileErr(ctx, db, in, m, re)
		}
		return nil, nil, err
	}
	p, err := b.finish()
	if err != nil {
		return nil, nil, err
	}
	for _, n := range rows {
		info.Rows += n
	}
	info.Symbols, info.Bars = p.N(), p.T()
	info.From, info.To = p.Dates[0], p.Dates[p.T()-1]
	info.PriceField = p.PriceField()
	info.Notes = append(info.Notes, fmt.Sprintf("returns use %s%s", info.PriceField, priceNote(p)))
	for _, c := range p.Column(info.PriceField) {
		if c != c {
			info.Missing++
		}
	}
	if info.Missing > 0 {
		info.Notes = append(info.Notes, fmt.Sprintf("%d of %d cells have no %s (not listed, delisted or halted: NaN, not tradable)", info.Missing, p.T()*p.N(), info.PriceField))
	}
	return p, info, nil
}

func priceNote(p *engine.Panel) string {
	if p.PriceField() == engine.Close {
		return " (no adj_close column: returns ignore dividends)"
	}
	return ""
}

func (in *inputSet) display() string {
	if len(in.files) == 1 {
		return displayPath(in.files[0])
	}
	return fmt.Sprintf("%s (+%d more files)", displayPath(in.files[0]), len(in.files)-1)
}

func describeFilter(opt LoadOptions) string {
	var s []string
	if opt.From != nil {
		s = append(s, "from "+opt.From.String())
	}
	if opt.To != nil {
		s = append(s, "to "+opt.To.String())
	}
	if len(opt.Symbols) > 0 {
		s = append(s, "symbols "+strings.Join(opt.Symbols, ","))
	}
	if len(s) == 0 {
		return " in the input"
	}
	return " match " + strings.Join(s, ", ") + "; widen the selection"
}

// part is one query of the load: the rows of a range of row groups of a
// single Parquet file (rows set; any bar), or of bars [t0, t1) (rows nil).
type part struct {
	rows   *[2]int64
	t0, t1 int
}

// streamCells is the smallest selection streamed rather than materialised
// (measured on the synthetic file: 12,600 cells load about 10 ms faster
// materialised, 126,000 cells 30 ms faster streamed).
const streamCells = 50_000

// partRows is about the number of rows (or cells) each part reads; Parquet
// selections of fewer than splitCells cells are read by one query.
// Variables for tests.
var partRows, splitCells = 250_000, 200_000

// planParts splits the load into parts scanned concurrently (loadWorkers).
// A single Parquet file with enough row groups (groups: the rows of each,
// nil if not a single Parquet file) is split into runs of whole row groups
// of about partRows rows each, selected by file row number, so every row
// group is decompressed exactly once whatever the row order. Otherwise
// panels of splitCells cells or more (from Parquet) are split into bar
// ranges of about partRows cells, each with its dates pushed into the scan
// (date-sorted files are then read about once in total). CSV is read whole
// by one query.
func planParts(parquet bool, groups []int64, T, N int) []part {
	whole := []part{{t0: 0, t1: T}}
	if !parquet || T*N < splitCells {
		return whole
	}
	if groups != nil {
		var parts []part
		var r0, r int64
		for _, n := range groups {
			r += n
			if r-r0 >= int64(partRows) {
				parts = append(parts, part{rows: &[2]int64{r0, r}, t1: T})
				r0 = r
			}
		}
		if r > r0 {
			parts = append(parts, part{rows: &[2]int64{r0, r}, t1: T})
		}
		if len(parts) >= 2*min(runtime.GOMAXPROCS(0), maxWorkers) {
			return parts
		}
	}
	n := max(1, min(T*N/partRows, T/64))
	if forceWorkers > 0 {
		n = max(forceWorkers, forceParts)
	}
	parts := make([]part, n)
	for i := range n {
		parts[i] = part{t0: i * T / n, t1: (i + 1) * T / n}
	}
	return parts
}

// rowGroups returns the number of rows of each row group of a Parquet file.
func rowGroups(ctx context.Context, db *DB, file string) ([]int64, error) {
	rows, err := db.Query(ctx, "SELECT row_group_id, max(row_group_num_rows) FROM parquet_metadata(?) GROUP BY ALL ORDER BY 1", absFiles([]string{file})[0])
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// maxWorkers bounds the concurrent scans of one load.
const maxWorkers = 4

// loadWorkers returns how many parts are scanned at once: one per CPU, at
// most maxWorkers. Each query runs on its caller's thread.
func loadWorkers(parts int) int {
	if forceWorkers > 0 {
		return forceWorkers
	}
	return max(1, min(runtime.GOMAXPROCS(0), maxWorkers, parts))
}

// symbolJoin makes tests key rows by a join, as when symbols share a hash.
var symbolJoin bool

// forceWorkers and forceParts override the split into bar ranges in tests
// (0: automatic).
var forceWorkers, forceParts int

// loadPart scans the rows of one part into the panel.
//
// Rows are keyed by DuckDB's hash of the symbol, which the builder's symbol
// table turns into the index (a probe of a small table in the scatter loop
// costs a fraction of a join); if two symbols share a hash, by the index
// from a join with the symbol list.
func loadPart(ctx context.Context, db *DB, pb *partBuilder, src source, fields []engine.Field, symbols []string, stream bool) error {
	var q string
	args := append([]any(nil), src.args...)
	if pb.symTab != nil {
		q = "SELECT hash(CAST(p.symbol AS VARCHAR)) AS sym, p.date"
	} else {
		q = "SELECT CAST(s.i - 1 AS INTEGER) AS sym, p.date"
	}
	for _, f := range fields {
		q += ", p." + QuoteIdent(f.String())
	}
	q += " FROM (" + src.sql + ") p"
	if pb.symTab == nil {
		q += " JOIN unnest(CAST(? AS VARCHAR[])) WITH ORDINALITY AS s(symbol, i) ON p.symbol = s.symbol"
		args = append(args, symbols)
	}
	query := db.QueryArrow
	if stream {
		query = db.QueryArrowStream
	}
	rr, err := query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rr.Release()
	for rr.Next() {
		if err := pb.add(rr.RecordBatch()); err != nil {
			return err
		}
	}
	return rr.Err()
}

// querySymbols returns the sorted symbols of the selection and DuckDB's
// hash of each (as hash(symbol) of the scan computes it), checking that
// none is NULL or malformed and that every requested one exists. Rows
// without a date are found by the scan (nullDates names them).
func querySymbols(ctx context.Context, db *DB, src source, in *inputSet, opt LoadOptions) ([]string, []uint64, error) {
	rows, err := db.Query(ctx, "SELECT symbol, hash(CAST(symbol AS VARCHAR)), count(*) FROM ("+src.sql+") GROUP BY symbol", src.args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	type sym struct {
		s string
		h uint64
	}
	var syms []sym
	for rows.Next() {
		var s *string
		var h uint64
		var n int64
		if err := rows.Scan(&s, &h, &n); err != nil {
			return nil, nil, err
		}
		if s == nil {
			return nil, nil, newErr(in.display(), fmt.Sprintf("%d rows", n), RuleNullKey, "symbol is empty; every row needs a date and a symbol")
		}
		if !symbolRE.MatchString(*s) {
			return nil, nil, newErr(in.display(), fmt.Sprintf("symbol %q", *s), RuleBadSymbol, "want 1-32 characters of A-Z a-z 0-9 . _ -")
		}
		syms = append(syms, sym{*s, h})
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	slices.SortFunc(syms, func(a, b sym) int { return strings.Compare(a.s, b.s) })
	symbols := make([]string, len(syms))
	hashes := make([]uint64, len(syms))
	for k, x := range syms {
		symbols[k], hashes[k] = x.s, x.h
	}
	if len(opt.Symbols) > 0 {
		var unknown []string
		for _, s := range opt.Symbols {
			if i := sort.SearchStrings(symbols, s); i == len(symbols) || symbols[i] != s {
				unknown = append(unknown, s)
			}
		}
		if len(unknown) > 0 {
			return nil, nil, unknownSymbols(ctx, db, in, unknown, opt)
		}
	}
	return symbols, hashes, nil
}

// nullDates returns an error naming the first symbol (in order) with rows
// that have no date, or nil if every row has one.
func nullDates(ctx context.Context, db *DB, src source, in *inputSet) error {
	var s *string
	var n int64
	err := db.QueryRow(ctx, "SELECT symbol, count(*) FROM ("+src.sql+") WHERE date IS NULL GROUP BY symbol ORDER BY symbol NULLS FIRST LIMIT 1", src.args...).Scan(&s, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return scanErr(in, err)
	}
	key := fmt.Sprintf("%d rows", n)
	if s != nil {
		key = fmt.Sprintf("symbol %s, %d rows", *s, n)
	}
	return newErr(in.display(), key, RuleNullKey, "date is empty; every row needs a date and a symbol")
}

// unknownSymbols reports requested symbols missing from the data (or from
// the date range), listing some that exist.
func unknownSymbols(ctx context.Context, db *DB, in *inputSet, unknown []string, opt LoadOptions) error {
	hint := "not in the data"
	if opt.From != nil || opt.To != nil {
		hint = "no rows in the date range"
	}
	return newErr(in.display(), "symbol "+strings.Join(unknown, ","), RuleUnknownSymbol, "%s; see rotor data inspect for the symbols", hint)
}

// errNullDate says that some row of the selection has no date.
var errNullDate = errors.New("a row has no date")

// queryDates returns the sorted distinct dates of the selection (sorted
// here: cheaper than an ORDER BY in the query), or errNullDate.
func queryDates(ctx context.Context, db *DB, src source) ([]engine.Date, error) {
	rr, err := db.QueryArrow(ctx, "SELECT date FROM ("+src.sql+") GROUP BY date", src.args...)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	var out []engine.Date
	for rr.Next() {
		rec := rr.RecordBatch()
		a, ok := rec.Column(0).(*array.Date32)
		if !ok {
			return nil, fmt.Errorf("dates query returned %s", rec.Column(0).DataType())
		}
		if a.NullN() > 0 {
			return nil, errNullDate
		}
		out = append(out, date32s(a.Date32Values())...)
	}
	if err := rr.Err(); err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}

// rowFileErr finds the file holding a bad row and returns the full error.
func rowFileErr(ctx context.Context, db *DB, in *inputSet, m *mapping, re *rowError) error {
	file := in.display()
	if len(in.files) > 1 {
		var q string
		if in.format == FormatCSV {
			q = "SELECT filename FROM read_csv(?, header = true, all_varchar = true, filename = true) WHERE TRY_CAST(" + QuoteIdent(m.date.name) + " AS DATE) = CAST(? AS DATE) AND " + QuoteIdent(m.symbol.name) + " = ? LIMIT 1"
		} else {
			q = "SELECT filename FROM read_parquet(?, union_by_name = true, hive_partitioning = ?, filename = true) WHERE CAST(" + QuoteIdent(m.date.name) + " AS DATE) = CAST(? AS DATE) AND " + QuoteIdent(m.symbol.name) + " = ? LIMIT 1"
		}
		args := []any{absFiles(in.files)}
		if in.format == FormatParquet {
			args = append(args, in.hive)
		}
		args = append(args, re.date.Time(), re.symbol)
		var f string
		if err := db.QueryRow(ctx, q, args...).Scan(&f); err == nil {
			file = displayPath(f)
		}
	}
	return &Error{File: file, Key: fmt.Sprintf("row (%s, %s)", re.date, re.symbol), Rule: re.rule, Hint: re.hint}
}

// scanErr turns a DuckDB error during the scan into an *Error: CSV values
// that do not parse are wrong types, anything else an unreadable file.
func scanErr(in *inputSet, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := err.Error()
	file := in.display()
	if f := csvErrFile.FindStringSubmatch(msg); f != nil {
		file = displayPath(f[1])
	}
	if c := csvConvErr.FindStringSubmatch(msg); c != nil {
		key := "column " + c[1]
		if l := csvErrLine.FindStringSubmatch(msg); l != nil {
			key = "line " + l[1] + ", " + key
		}
		return &Error{File: file, Key: key, Rule: RuleWrongType, Hint: fmt.Sprintf("%q is not a %s", c[2], strings.ToLower(c[3]))}
	}
	return &Error{File: file, Key: "file", Rule: RuleUnreadable, Hint: firstLine(err)}
}

var (
	csvConvErr = regexp.MustCompile(`Error when converting column "([^"]*)"\. Could not convert string "([^"]*)" to '([A-Z]+)'`)
	csvErrLine = regexp.MustCompile(`[Ll]ine:? (\d+)`)
	csvErrFile = regexp.MustCompile(`file "([^"]+)"`)
)

var _ = time.Now
var _ arrow.DataType
