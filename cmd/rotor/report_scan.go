package main

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rotor-bt/rotor/datasets"
	"github.com/rotor-bt/rotor/datasets/tables"
	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/report"
)

// sweepDBMemory caps DuckDB's memory while it aggregates a sweep table.
const sweepDBMemory = "128MB"

// sweepDB aggregates a sweep result table inside DuckDB: every query is a
// streaming scan of the few columns it needs with a small result (counts
// per heatmap cell and histogram bin, distinct parameter values, the top
// N rows), so a report of millions of rows needs little memory and time.
// It computes what report.Sweep.Aggregate computes by streaming the rows
// in Go; a test checks that both agree.
type sweepDB struct {
	path   string
	abs    string
	format tables.Format
	typed  bool // CSV/JSON lines with a sidecar: cast to its types
	cols   []tables.Column

	idJ, symJ int
	paramJ    []int
	metricJ   []int // the metrics the report shows (report.ReportMetrics)
	names     []string
}

// relation is the SQL that reads the table (one bound argument: the path).
func (q *sweepDB) relation() string {
	switch q.format {
	case tables.CSV:
		if !q.typed {
			return "SELECT * FROM read_csv(?, header = true, buffer_size = 4194304)"
		}
		var sel []string
		for _, c := range q.cols {
			in := datasets.QuoteIdent(c.Name)
			if c.Type == tables.Float64 {
				in = "NULLIF(" + in + ", 'NaN')"
			}
			sel = append(sel, "CAST("+in+" AS "+sqlTypeOf(c.Type)+") AS "+datasets.QuoteIdent(c.Name))
		}
		return "SELECT " + strings.Join(sel, ", ") + " FROM read_csv(?, header = true, all_varchar = true, buffer_size = 4194304)"
	case tables.JSONL:
		return "SELECT * FROM read_json(?, format = 'newline_delimited')"
	}
	return "SELECT * FROM read_parquet(?)"
}

func sqlTypeOf(t tables.Type) string {
	switch t {
	case tables.Float64:
		return "DOUBLE"
	case tables.Int64:
		return "BIGINT"
	case tables.Bool:
		return "BOOLEAN"
	case tables.Date:
		return "DATE"
	}
	return "VARCHAR"
}

func (q *sweepDB) col(j int) string { return datasets.QuoteIdent(q.cols[j].Name) }

// dimCol is the column of dimension i (parameters, then the symbol).
func (q *sweepDB) dimCol(i int) string {
	if i < len(q.paramJ) {
		return q.col(q.paramJ[i])
	}
	return q.col(q.symJ)
}

// idCol is the column that identifies a row: config_id, else the symbol.
func (q *sweepDB) idCol() string {
	if q.idJ >= 0 {
		return q.col(q.idJ)
	}
	return q.col(q.symJ)
}

func (q *sweepDB) open(ctx context.Context, dirs ...string) (*datasets.DB, error) {
	db, err := datasets.OpenDB(ctx, datasets.DBConfig{MemoryLimit: sweepDBMemory, Threads: 2, Files: []string{q.abs}, Dirs: dirs})
	if err != nil {
		return nil, fmt.Errorf("report: %s: %w", q.path, err)
	}
	return db, nil
}

// stage copies the columns a report reads from a CSV or JSON-lines table
// into a Parquet file in dir, once: the aggregation's several scans then
// read typed columns instead of parsing the text again each time.
func (q *sweepDB) stage(ctx context.Context, db *datasets.DB, dir string) (*sweepDB, error) {
	var js []int
	if q.idJ >= 0 {
		js = append(js, q.idJ)
	}
	if q.symJ >= 0 {
		js = append(js, q.symJ)
	}
	js = append(append(js, q.paramJ...), q.metricJ...)
	sel := make([]string, len(js))
	for k, j := range js {
		sel[k] = q.col(j)
	}
	staged := filepath.Join(dir, "staged.parquet")
	// Numbered parameters: $1 is read, $2 written (COPY binds its target
	// before the query's parameters).
	from := strings.Replace(q.relation(), "?", "$1", 1)
	if err := db.Exec(ctx, "COPY (SELECT "+strings.Join(sel, ", ")+" FROM ("+from+")) TO $2 (FORMAT parquet, ROW_GROUP_SIZE 16384)", q.abs, staged); err != nil {
		return nil, fmt.Errorf("report: read %s: %w", q.path, err)
	}
	qq := *q
	qq.abs, qq.format, qq.typed = staged, tables.Parquet, false
	return &qq, nil
}

// query runs "WITH src AS (relation) " + body with the path bound first.
func (q *sweepDB) query(ctx context.Context, db *datasets.DB, body string, args ...any) (*sql.Rows, error) {
	rows, err := db.Query(ctx, "WITH src AS ("+q.relation()+") "+body, append([]any{q.abs}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("report: read %s: %w", q.path, err)
	}
	return rows, nil
}

// aggregate computes the summary of s (whose Metric, X, Y, Fixed, Agg and
// TopN are set) with DuckDB.
func (q *sweepDB) aggregate(ctx context.Context, s *report.Sweep) (*report.SweepSummary, error) {
	dir, err := os.MkdirTemp("", "rotor-report-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db, err := q.open(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if q.format != tables.Parquet {
		if q, err = q.stage(ctx, db, dir); err != nil {
			return nil, err
		}
	}
	metric := s.Metric
	mcol := ""
	for _, j := range q.metricJ {
		if q.cols[j].Name == metric {
			mcol = "CAST(" + q.col(j) + " AS DOUBLE)"
		}
	}
	if mcol == "" {
		return nil, fmt.Errorf("report: metric %q is not in the results; valid: %s", metric, strings.Join(s.Metrics, ", "))
	}
	fin := "isfinite(" + mcol + ")"

	// 1. Statistics.
	st := &report.SweepStats{}
	rows, err := q.query(ctx, db, fmt.Sprintf("SELECT count(*), count(*) FILTER (WHERE %[2]s), min(%[1]s) FILTER (WHERE %[2]s), max(%[1]s) FILTER (WHERE %[2]s), sum(%[1]s) FILTER (WHERE %[2]s) FROM src", mcol, fin))
	if err != nil {
		return nil, err
	}
	var mn, mx, sm sql.NullFloat64
	if rows.Next() {
		err = rows.Scan(&st.Rows, &st.Finite, &mn, &mx, &sm)
	}
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("report: read %s: %w", q.path, err)
	}
	st.Min, st.Max, st.Sum = mn.Float64, mx.Float64, sm.Float64
	nd := len(q.paramJ)
	if q.symJ >= 0 {
		nd++
	}
	for i := 0; i < nd; i++ {
		name := "symbol"
		if i < len(q.paramJ) {
			name = q.names[i]
		}
		d := report.DimStats{Name: name}
		rows, err := q.query(ctx, db, fmt.Sprintf("SELECT DISTINCT %s FROM src LIMIT %d", q.dimCol(i), report.MaxDistinct+1))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var v any
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return nil, fmt.Errorf("report: read %s: %w", q.path, err)
			}
			d.Values = append(d.Values, sqlText(v))
		}
		rows.Close()
		if len(d.Values) > report.MaxDistinct {
			d.Values, d.Overflow = nil, true
			c := "TRY_CAST(" + q.dimCol(i) + " AS DOUBLE)"
			rows, err := q.query(ctx, db, fmt.Sprintf("SELECT min(%[1]s), max(%[1]s), count(*) FILTER (WHERE %[1]s IS NULL OR NOT isfinite(%[1]s)) FROM src", c))
			if err != nil {
				return nil, err
			}
			var lo, hi sql.NullFloat64
			var bad int64
			if rows.Next() {
				err = rows.Scan(&lo, &hi, &bad)
			}
			rows.Close()
			if err != nil {
				return nil, fmt.Errorf("report: read %s: %w", q.path, err)
			}
			d.Numeric, d.Lo, d.Hi = bad == 0 && lo.Valid, lo.Float64, hi.Float64
		}
		if name == "symbol" {
			nonEmpty := d.Overflow
			for _, v := range d.Values {
				nonEmpty = nonEmpty || v != ""
			}
			if !nonEmpty {
				continue
			}
		}
		st.Dims = append(st.Dims, d)
	}
	p, err := s.Plan(st)
	if err != nil {
		return nil, err
	}
	sum := p.Summary

	// 2. Cells.
	var args []any
	axisExpr := func(a *report.PlanAxis) string {
		if a == nil {
			return "0"
		}
		c := q.dimCol(a.Dim)
		if a.Binned {
			args = append(args, a.Lo, a.Hi, a.Lo)
			n := len(a.Cats)
			return fmt.Sprintf("greatest(0, least(%d, CAST(floor((CAST(%s AS DOUBLE) - ?) / (? - ?) * %d.0) AS BIGINT)))", n-1, c, n)
		}
		idx := make([]int64, len(a.Index))
		for k, x := range a.Index {
			idx[k] = int64(x)
		}
		if st.Dims[a.Dim].Numeric {
			vals := make([]float64, len(a.Values))
			for k, v := range a.Values {
				vals[k], _ = strconv.ParseFloat(v, 64)
			}
			args = append(args, idx, vals)
			return "list_extract(CAST(? AS BIGINT[]), list_position(CAST(? AS DOUBLE[]), CAST(" + c + " AS DOUBLE)))"
		}
		args = append(args, idx, a.Values)
		return "list_extract(CAST(? AS BIGINT[]), list_position(CAST(? AS VARCHAR[]), CAST(" + c + " AS VARCHAR)))"
	}
	xe := axisExpr(p.X)
	ye := axisExpr(p.Y)
	desc := "CAST(" + q.idCol() + " AS VARCHAR)"
	for _, i := range p.Free {
		desc += fmt.Sprintf(", '%s=' || CAST(%s AS VARCHAR)", strings.ReplaceAll(p.DimNames[i], "'", "''"), q.dimCol(i))
	}
	var where []string
	for _, f := range p.Fixed {
		if f.Numeric {
			where = append(where, "CAST("+q.dimCol(f.Dim)+" AS DOUBLE) = ?")
			args = append(args, f.NumericValue)
		} else {
			where = append(where, "CAST("+q.dimCol(f.Dim)+" AS VARCHAR) = ?")
			args = append(args, f.Value)
		}
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	best, argBest := "max", "arg_max"
	if p.Lower {
		best, argBest = "min", "arg_min"
	}
	rows, err = q.query(ctx, db, fmt.Sprintf(`, t AS (SELECT %s AS xi, %s AS yi, %s AS m, concat_ws(' ', %s) AS d FROM src%s)
SELECT xi, yi, count(*), count(*) FILTER (WHERE isfinite(m)), sum(m) FILTER (WHERE isfinite(m)), %s(m) FILTER (WHERE isfinite(m)), %s(d, m) FILTER (WHERE isfinite(m))
FROM t WHERE xi IS NOT NULL AND yi IS NOT NULL GROUP BY xi, yi`, xe, ye, mcol, desc, cond, best, argBest), args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var xi, yi, n, nf int64
		var s, b sql.NullFloat64
		var d sql.NullString
		if err := rows.Scan(&xi, &yi, &n, &nf, &s, &b, &d); err != nil {
			rows.Close()
			return nil, fmt.Errorf("report: read %s: %w", q.path, err)
		}
		c := &sum.Cells[yi][xi]
		c.N, c.Finite, c.Sum = n, nf, s.Float64
		if nf > 0 {
			c.Best, c.BestAt = b.Float64, d.String
		}
		sum.HeatRows += n
	}
	rows.Close()

	// 3. Histogram, binned like report.SweepPlan.HistBin.
	if st.Finite > 0 {
		rows, err = q.query(ctx, db, fmt.Sprintf("SELECT greatest(0, least(%d, CAST(trunc((m - ?) / (? - ?) * %d.0) AS BIGINT))) AS k, count(*) FROM (SELECT %s AS m FROM src) WHERE isfinite(m) GROUP BY k",
			p.Bins-1, p.Bins, mcol), sum.HistLo, sum.HistHi, sum.HistLo)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k, n int64
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("report: read %s: %w", q.path, err)
			}
			sum.Hist[k] = n
		}
		rows.Close()
	}

	// 4. Top N: best first, ties by config id then symbol.
	order := "DESC"
	if p.Lower {
		order = "ASC"
	}
	sel := []string{"CAST(" + q.idCol() + " AS VARCHAR)", "''"}
	if q.symJ >= 0 {
		sel[1] = "CAST(" + q.col(q.symJ) + " AS VARCHAR)"
	}
	for _, j := range q.paramJ {
		sel = append(sel, q.col(j))
	}
	for _, j := range q.metricJ {
		sel = append(sel, "CAST("+q.col(j)+" AS DOUBLE)")
	}
	rows, err = q.query(ctx, db, fmt.Sprintf("SELECT %s FROM src WHERE %s ORDER BY %s %s, 1, 2 LIMIT %d", strings.Join(sel, ", "), fin, mcol, order, p.TopN))
	if err != nil {
		return nil, err
	}
	mi := 0
	for k, j := range q.metricJ {
		if q.cols[j].Name == metric {
			mi = k
		}
	}
	for rows.Next() {
		vals := make([]any, len(sel))
		ptrs := make([]any, len(sel))
		for k := range vals {
			ptrs[k] = &vals[k]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return nil, fmt.Errorf("report: read %s: %w", q.path, err)
		}
		tr := report.TopRow{ConfigID: sqlText(vals[0]), Symbol: sqlText(vals[1])}
		for k := range q.paramJ {
			tr.Params = append(tr.Params, sqlText(vals[2+k]))
		}
		for k := range q.metricJ {
			v, ok := vals[2+len(q.paramJ)+k].(float64)
			if !ok {
				v = math.NaN()
			}
			tr.Metrics = append(tr.Metrics, v)
		}
		tr.Value = tr.Metrics[mi]
		sum.Top = append(sum.Top, tr)
	}
	rows.Close()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return sum, nil
}

// sqlText is a value read from DuckDB in the canonical text of
// engine.Value: whole numbers in decimal, floats shortest, dates ISO.
func sqlText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return engine.DateFromTime(x).String()
	}
	return fmt.Sprint(v)
}

// newSweepDB classifies the columns of a sweep table: config_id and symbol
// are keys, columns named like the metrics of SEMANTICS §4 are metrics,
// the strategy's parameters (params, when known) are parameters; other
// columns (e.g. episode dates) are left out. With params nil every other
// column is a parameter.
func newSweepDB(path string, cols []tables.Column, typed bool, params map[string]bool) (*sweepDB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	f, err := tables.FormatOf(path)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	q := &sweepDB{path: path, abs: abs, format: f, typed: typed, cols: cols, idJ: -1, symJ: -1}
	for j, c := range cols {
		switch {
		case c.Name == "config_id":
			q.idJ = j
		case c.Name == "symbol":
			q.symJ = j
		case isMetric(c.Name):
			q.metricJ = append(q.metricJ, j)
		case params == nil || params[c.Name]:
			q.paramJ = append(q.paramJ, j)
			q.names = append(q.names, c.Name)
		}
	}
	return q, nil
}
