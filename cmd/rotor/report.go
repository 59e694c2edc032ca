package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/rotor-bt/rotor/datasets/tables"
	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/report"
	"github.com/rotor-bt/rotor/strategies"
)

func init() {
	register(&command{
		name:    "report",
		summary: "write a self-contained HTML report (charts and tables) of a run or a sweep",
		run:     runReport,
	})
}

const reportSummary = `Writes one self-contained HTML file (inline CSS and SVG charts; no scripts,
no network requests) for the output of rotor run or rotor sweep, and prints
the report's main table (run: metrics; sweep: top N) with its conventions.

IN is one of:
  a run:   FILE.json written by rotor run --out FILE.json, or the curve
           FILE.csv|FILE.parquet (its FILE.trades.EXT and FILE.metrics.EXT
           beside it are read when present). The report shows equity vs the
           benchmark (--log for a log scale), drawdowns, rolling one-year
           return and Sharpe, monthly returns, metrics and trades.
  a sweep: a result table with config_id, parameter and metric columns
           (.parquet, .csv or .jsonl; a per-asset rotor run table with a symbol
           column works too). The report shows a heatmap of --metric over --x
           and --y (other parameters fixed with --fix or aggregated by --agg),
           the top --top rows and the distribution of the metric. Rows are
           streamed: memory does not grow with the number of rows.

The file is written atomically (nothing appears on error).

Examples:
  rotor report ew.json --out ew.html --log
  rotor report sweep.parquet --out sweep.html --metric sharpe --x fast --y slow
  rotor report sweep.parquet --out s.html --metric max_drawdown --fix weighting=cap --agg mean`

type reportOptions struct {
	out, metric, x, y, agg, format, title string
	fixed                                 map[string]string
	top                                   int
	log                                   bool
}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", "IN [--out report.html] [flags]", reportSummary, stdout)
	out := fs.String("out", "", "HTML file to write (default: IN with the extension .html)")
	metric := fs.String("metric", "sharpe", "sweep: metric of the heatmap, ranking and distribution (one of "+strings.Join(engine.MetricNames, "|")+")")
	x := fs.String("x", "", "sweep: parameter on the heatmap's x axis (default: the first that varies)")
	y := fs.String("y", "", "sweep: parameter on the heatmap's y axis (default: the next that varies)")
	fix := fs.StringArray("fix", nil, "sweep: hold a parameter at a value in the heatmap, `name=value` (repeatable; \"symbol\" too)")
	agg := fs.String("agg", "best", "sweep: how rows sharing a heatmap cell combine: best|mean")
	top := fs.Int("top", 20, "sweep: rows in the top table")
	logScale := fs.Bool("log", false, "run: log scale for the equity chart")
	title := fs.String("title", "", "report title (default from the input)")
	format := fs.String("format", "table", "format of the table printed to stdout: "+report.Formats)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("report: want one input file (a run or sweep output), got %d arguments", fs.NArg())
	}
	in := fs.Arg(0)
	o := reportOptions{out: *out, metric: *metric, x: *x, y: *y, agg: *agg, format: *format, title: *title, top: *top, log: *logScale,
		fixed: map[string]string{}}
	if o.out == "" {
		o.out = strings.TrimSuffix(in, filepath.Ext(in)) + ".html"
	}
	if strings.ToLower(filepath.Ext(o.out)) != ".html" && strings.ToLower(filepath.Ext(o.out)) != ".htm" {
		return usagef("--out %s: want a .html file", o.out)
	}
	if !isMetric(o.metric) {
		return usagef("--metric %q: want one of %s", o.metric, strings.Join(engine.MetricNames, ", "))
	}
	if o.agg != "best" && o.agg != "mean" {
		return usagef("--agg %q: want best|mean", o.agg)
	}
	if o.top < 1 {
		return usagef("--top %d: want a count ≥ 1", o.top)
	}
	for _, f := range *fix {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" || v == "" {
			return usagef("--fix %q: want name=value", f)
		}
		if _, dup := o.fixed[k]; dup {
			return usagef("--fix %s given twice", k)
		}
		o.fixed[k] = v
	}
	if err := (&report.Table{}).Write(io.Discard, o.format); err != nil {
		return usagef("--format: %v", err)
	}
	if _, err := os.Stat(in); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	kind, err := detectInput(ctx, in)
	if err != nil {
		return err
	}
	switch kind {
	case "run-json", "run-table":
		var r *report.Run
		if kind == "run-json" {
			r, err = readRunJSON(in)
		} else {
			r, err = readRunTables(ctx, in)
		}
		if err != nil {
			return err
		}
		r.Log = o.log
		if o.title != "" {
			r.Title = o.title
		}
		if err := report.WriteFile(o.out, r.Render); err != nil {
			return err
		}
		mt := r.MetricsTable()
		mt.Footer = append(append([]string(nil), mt.Footer...), "source: "+in+conventionsNote(r.Conventions))
		if err := mt.Write(stdout, o.format); err != nil {
			return err
		}
	default:
		s, q, err := openSweep(ctx, in, o.metric)
		if err != nil {
			return err
		}
		s.Metric, s.X, s.Y, s.Agg, s.TopN, s.Fixed = o.metric, o.x, o.y, o.agg, o.top, o.fixed
		if o.title != "" {
			s.Title = o.title
		}
		sum, err := q.aggregate(ctx, s)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if strings.Contains(err.Error(), "--") || strings.Contains(err.Error(), "metric") {
				return usageError{err}
			}
			return err
		}
		if err := report.WriteFile(o.out, func(w io.Writer) error { return s.RenderSummary(w, sum) }); err != nil {
			return err
		}
		tt := s.TopTable(sum)
		tt.Footer = append(append([]string(nil), tt.Footer...), "source: "+in+conventionsNote(s.Conventions))
		if err := tt.Write(stdout, o.format); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "report: wrote %s\n", o.out)
	return nil
}

// conventionsNote warns when an input recorded no conventions.
func conventionsNote(conv []string) string {
	if len(conv) == 0 {
		return " (the file records no conventions: fill, costs and P are unknown)"
	}
	return ""
}

func isMetric(name string) bool {
	for _, m := range engine.MetricNames {
		if m == name {
			return true
		}
	}
	return false
}

// detectInput tells a run from a sweep by the file's content: a JSON
// document with a "curve" is a run; a table with date and equity columns
// is a run's curve; a table with config_id or symbol and metric columns is
// a sweep (or a per-asset run table).
func detectInput(ctx context.Context, path string) (string, error) {
	if strings.EqualFold(filepath.Ext(path), ".json") {
		f, err := os.Open(path)
		if err != nil {
			return "", fmt.Errorf("report: %w", err)
		}
		var head struct {
			Curve json.RawMessage `json:"curve"`
		}
		err = json.NewDecoder(bufio.NewReader(f)).Decode(&head)
		f.Close()
		if err == nil && head.Curve != nil {
			return "run-json", nil
		}
	}
	cols, _, err := tables.ReadMeta(ctx, path)
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	has := map[string]bool{}
	metrics := 0
	for _, c := range cols {
		has[c.Name] = true
		if isMetric(c.Name) {
			metrics++
		}
	}
	switch {
	case has["date"] && has["equity"]:
		return "run-table", nil
	case (has["config_id"] || has["symbol"]) && metrics > 0:
		return "sweep", nil
	}
	names := make([]string, len(cols))
	for k, c := range cols {
		names[k] = c.Name
	}
	return "", fmt.Errorf("report: %s is neither a run nor a sweep output: columns %s; want date and equity (a run's curve) or config_id and metric columns such as sharpe (a sweep)",
		path, strings.Join(names, ", "))
}

// runJSON is the document rotor run --out FILE.json writes.
type runJSON struct {
	Strategy    string              `json:"strategy"`
	Params      map[string]any      `json:"params"`
	ConfigID    string              `json:"config_id"`
	Conventions []string            `json:"conventions"`
	Metrics     map[string]*float64 `json:"metrics"`
	Curve       []struct {
		Date      string   `json:"date"`
		Equity    *float64 `json:"equity"`
		Cash      *float64 `json:"cash_return"`
		Benchmark *float64 `json:"benchmark_return"`
	} `json:"curve"`
	Trades []struct {
		Date   string   `json:"date"`
		Bar    int      `json:"bar"`
		Symbol string   `json:"symbol"`
		From   *float64 `json:"from_weight"`
		To     *float64 `json:"to_weight"`
		Cost   *float64 `json:"cost"`
	} `json:"trades"`
}

func num(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func readRunJSON(path string) (*report.Run, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var doc runJSON
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("report: %s: not a run document: %w", path, err)
	}
	var c curveCols
	for k, p := range doc.Curve {
		d, err := engine.ParseDate(p.Date)
		if err != nil {
			return nil, fmt.Errorf("report: %s: curve point %d: %w", path, k+1, err)
		}
		c.add(d, num(p.Equity), num(p.Cash), num(p.Benchmark))
	}
	r, err := c.run(path)
	if err != nil {
		return nil, err
	}
	for _, t := range doc.Trades {
		d, err := engine.ParseDate(t.Date)
		if err != nil {
			return nil, fmt.Errorf("report: %s: trade of %s: %w", path, t.Symbol, err)
		}
		r.Trades = append(r.Trades, engine.Trade{Bar: t.Bar, Date: d, Symbol: t.Symbol, From: num(t.From), To: num(t.To), Cost: num(t.Cost)})
	}
	if len(doc.Metrics) > 0 {
		var names []string
		var vals []float64
		for k, v := range doc.Metrics {
			names = append(names, k)
			vals = append(vals, num(v))
		}
		m := report.MetricsFromValues(names, vals)
		r.Metrics = &m
	}
	keys := make([]string, 0, len(doc.Params))
	for k := range doc.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var ps []string
	for _, k := range keys {
		ps = append(ps, fmt.Sprintf("%s=%v", k, doc.Params[k]))
	}
	describeRun(r, doc.Strategy, strings.Join(ps, ","), doc.ConfigID, doc.Conventions)
	return r, nil
}

// curveCols collects a run's curve.
type curveCols struct {
	dates                 []engine.Date
	equity, cash, benchRt []float64
}

func (c *curveCols) add(d engine.Date, eq, cash, bench float64) {
	c.dates = append(c.dates, d)
	c.equity = append(c.equity, eq)
	c.cash = append(c.cash, cash)
	c.benchRt = append(c.benchRt, bench)
}

// run builds the report model; the benchmark's value compounds its
// per-bar returns (bars without one hold flat).
func (c *curveCols) run(path string) (*report.Run, error) {
	if len(c.dates) < 2 {
		return nil, fmt.Errorf("report: %s: the curve has %d points; a report needs at least 2", path, len(c.dates))
	}
	for t, v := range c.equity {
		if math.IsNaN(v) || v <= 0 {
			return nil, fmt.Errorf("report: %s: equity on %s is %v; want a positive number", path, c.dates[t], v)
		}
	}
	r := &report.Run{Dates: c.dates, Equity: c.equity}
	hasCash, hasBench := false, false
	for t := 1; t < len(c.dates); t++ {
		hasCash = hasCash || !math.IsNaN(c.cash[t])
		hasBench = hasBench || !math.IsNaN(c.benchRt[t])
	}
	if hasCash {
		r.CashReturns = c.cash
		for t, v := range r.CashReturns {
			if math.IsNaN(v) {
				r.CashReturns[t] = 0
			}
		}
	}
	if hasBench {
		b := make([]float64, len(c.dates))
		b[0] = 1
		for t := 1; t < len(b); t++ {
			b[t] = b[t-1]
			if x := c.benchRt[t]; !math.IsNaN(x) {
				b[t] *= 1 + x
			}
		}
		r.Benchmark = b
	}
	return r, nil
}

// describeRun sets the titles, the benchmark's name and the conventions.
func describeRun(r *report.Run, strategy, params, configID string, conventions []string) {
	r.Title = "Backtest report"
	if strategy != "" {
		r.Title += ": " + strategy
	}
	if params != "" {
		r.Subtitle = params
	}
	if configID != "" {
		r.Subtitle = strings.TrimSpace(r.Subtitle + " (config " + configID + ")")
	}
	r.Conventions = conventions
	for _, l := range conventions {
		if b, ok := strings.CutPrefix(l, "benchmark: "); ok {
			r.BenchmarkName = "benchmark: " + b
			if b == "none" {
				r.Benchmark = nil
			}
		}
		if ppy, ok := strings.CutPrefix(l, "P = "); ok {
			if v, err := strconv.ParseFloat(strings.Fields(ppy)[0], 64); err == nil {
				r.PeriodsPerYear = v
			}
		}
		if i := strings.Index(l, "; P = "); i >= 0 {
			f := strings.FieldsFunc(l[i+6:], func(c rune) bool { return c == ';' || c == ' ' })
			if len(f) > 0 {
				if v, err := strconv.ParseFloat(f[0], 64); err == nil && v > 0 {
					r.PeriodsPerYear = v
				}
			}
		}
	}
	if r.BenchmarkName == "" {
		r.BenchmarkName = "benchmark"
	}
}

// siblings returns the trades and metrics tables written beside a curve.
func siblings(curve string) (trades, metrics string) {
	ext := filepath.Ext(curve)
	stem := strings.TrimSuffix(curve, ext)
	return stem + ".trades" + ext, stem + ".metrics" + ext
}

// readTable calls fn for every row of a table with the column index by name.
func readTable(ctx context.Context, path string, fn func(col map[string]int, row []any) error) (map[string]string, error) {
	rd, err := tables.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	defer rd.Close()
	col := map[string]int{}
	for j, c := range rd.Columns() {
		col[c.Name] = j
	}
	n := 0
	for rd.Next() {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if err := fn(col, rd.Row()); err != nil {
			return nil, err
		}
	}
	if err := rd.Err(); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return rd.Meta(), nil
}

func floatAt(row []any, col map[string]int, name string) float64 {
	j, ok := col[name]
	if !ok {
		return math.NaN()
	}
	switch v := row[j].(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	}
	return math.NaN()
}

func readRunTables(ctx context.Context, path string) (*report.Run, error) {
	var c curveCols
	meta, err := readTable(ctx, path, func(col map[string]int, row []any) error {
		d, ok := row[col["date"]].(engine.Date)
		if !ok {
			return fmt.Errorf("report: %s: row %d: date %v is not a date", path, len(c.dates)+1, row[col["date"]])
		}
		c.add(d, floatAt(row, col, "equity"), floatAt(row, col, "cash_return"), floatAt(row, col, "benchmark_return"))
		return nil
	})
	if err != nil {
		return nil, err
	}
	r, err := c.run(path)
	if err != nil {
		return nil, err
	}
	tp, mp := siblings(path)
	if _, err := os.Stat(tp); err == nil {
		_, err := readTable(ctx, tp, func(col map[string]int, row []any) error {
			d, _ := row[col["date"]].(engine.Date)
			sym, _ := row[col["symbol"]].(string)
			bar, _ := row[col["bar"]].(int64)
			r.Trades = append(r.Trades, engine.Trade{Bar: int(bar), Date: d, Symbol: sym,
				From: floatAt(row, col, "from_weight"), To: floatAt(row, col, "to_weight"), Cost: floatAt(row, col, "cost")})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(mp); err == nil {
		var names []string
		var vals []float64
		_, err := readTable(ctx, mp, func(col map[string]int, row []any) error {
			n, _ := row[col["metric"]].(string)
			names = append(names, n)
			vals = append(vals, floatAt(row, col, "value"))
			return nil
		})
		if err != nil {
			return nil, err
		}
		m := report.MetricsFromValues(names, vals)
		r.Metrics = &m
	}
	var conv []string
	if meta["conventions"] != "" {
		conv = strings.Split(meta["conventions"], "\n")
	}
	describeRun(r, meta["strategy"], meta["params"], meta["config_id"], conv)
	return r, nil
}

// openSweep reads a sweep table's schema and metadata. The Sweep it
// returns streams the rows in Go through the table reader (Scan); the
// sweepDB aggregates them inside DuckDB, which is what the command uses.
func openSweep(ctx context.Context, path, metric string) (*report.Sweep, *sweepDB, error) {
	cols, meta, err := tables.ReadMeta(ctx, path)
	if err != nil {
		return nil, nil, fmt.Errorf("report: %w", err)
	}
	typed := false
	if _, err := os.Stat(tables.SidecarPath(path)); err == nil {
		typed = true
	}
	var params map[string]bool
	if spec, err := strategies.Lookup(meta["strategy"]); err == nil {
		params = map[string]bool{}
		for _, ps := range spec.Params {
			params[ps.Name] = true
		}
	}
	q, err := newSweepDB(path, cols, typed, params)
	if err != nil {
		return nil, nil, err
	}
	s := &report.Sweep{Strategy: meta["strategy"], Params: q.names, Subtitle: path}
	var all []string
	for _, j := range q.metricJ {
		all = append(all, cols[j].Name)
	}
	// Read only the metrics the report shows.
	need := report.ReportMetrics(metric, all)
	if len(need) == 0 || need[0] != metric {
		return nil, nil, usagef("--metric %s: %s has no such column; its metrics: %s", metric, path, strings.Join(all, ", "))
	}
	s.Metrics, q.metricJ = need, q.metricJ[:0]
	for _, m := range need {
		for j, c := range cols {
			if c.Name == m {
				q.metricJ = append(q.metricJ, j)
			}
		}
	}
	if meta["conventions"] != "" {
		s.Conventions = strings.Split(meta["conventions"], "\n")
	}
	// Every printed table states its data and benchmark too.
	for _, k := range []string{"data", "benchmark", "cash"} {
		if v := meta[k]; v != "" && !strings.Contains(meta["conventions"], v) {
			line := v
			if !strings.HasPrefix(v, k) {
				line = k + ": " + v
			}
			s.Conventions = append(s.Conventions, line)
		}
	}
	keys := make([]string, 0, len(meta))
	for k := range meta {
		if k != "conventions" && k != "table" && meta[k] != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := meta[k]
		if len(v) > 300 {
			v = v[:300] + "…"
		}
		s.Meta = append(s.Meta, [2]string{k, v})
	}
	s.Scan = func(fn func(*report.SweepRow) error) error {
		row := &report.SweepRow{Params: make([]string, len(q.paramJ)), Metrics: make([]float64, len(q.metricJ))}
		_, err := readTable(ctx, path, func(col map[string]int, r []any) error {
			if q.symJ >= 0 {
				row.Symbol = sqlText(r[q.symJ])
			}
			row.ConfigID = row.Symbol
			if q.idJ >= 0 {
				row.ConfigID = sqlText(r[q.idJ])
			}
			for k, j := range q.paramJ {
				row.Params[k] = sqlText(r[j])
			}
			for k, j := range q.metricJ {
				switch v := r[j].(type) {
				case float64:
					row.Metrics[k] = v
				case int64:
					row.Metrics[k] = float64(v)
				default:
					row.Metrics[k] = math.NaN()
				}
			}
			return fn(row)
		})
		return err
	}
	return s, q, nil
}
