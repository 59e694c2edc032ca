package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/rotor-bt/rotor/engine"
)

// SweepRow is one result row of a sweep (SEMANTICS §5). Sources may reuse
// a row, its slices and the memory behind its strings (e.g. Arrow buffers)
// once the callback returns; the report clones what it keeps.
type SweepRow struct {
	ConfigID string
	Symbol   string    // per-asset mode; empty otherwise
	Params   []string  // canonical parameter values, in the order of Sweep.Params
	Metrics  []float64 // in the order of Sweep.Metrics; NaN where undefined
}

// Sweep is a sweep result as a report shows it. Rows are streamed (twice:
// once for the axes and the metric's range, once to aggregate), so a report
// of any number of rows needs memory for the heatmap cells, the top N and
// the histogram only.
type Sweep struct {
	Title    string // default "Sweep report: <strategy>"
	Subtitle string
	Strategy string
	Params   []string // parameter column names
	Metrics  []string // metric column names (SEMANTICS §4 names)

	// Scan calls fn for every row, in a stable order, and returns fn's
	// first error. It is called twice.
	Scan func(fn func(*SweepRow) error) error

	Metric string            // metric shown (default sharpe)
	X, Y   string            // heatmap axes: parameter names or "symbol" (default: the first two that vary)
	Fixed  map[string]string // other parameters held at these values; rows with another value are left out of the heatmap
	Agg    string            // how the rows of a cell combine: "best" (default) or "mean"
	TopN   int               // rows in the top table (default 20)
	Bins   int               // histogram bins (default 40)

	Conventions []string    // printed under every table
	Meta        [][2]string // provenance shown in the report: dataset fingerprint, grid, version
}

// HeatCell is the aggregate of the rows of one heatmap cell.
type HeatCell struct {
	N      int64   // rows in the cell (after the Fixed filter)
	Finite int64   // rows with a finite metric
	Sum    float64 // sum of the finite metric values
	Best   float64 // best finite value (NaN if none)
	BestAt string  // the best row: config id, symbol and the other parameters
}

// Mean is the mean of the finite values (NaN when none).
func (c HeatCell) Mean() float64 {
	if c.Finite == 0 {
		return math.NaN()
	}
	return c.Sum / float64(c.Finite)
}

// TopRow is one row of the top-N table.
type TopRow struct {
	ConfigID string
	Symbol   string
	Params   []string
	Metrics  []float64
	Value    float64 // the ranked metric
}

// SweepSummary is everything a sweep report draws, aggregated in two
// streaming passes.
type SweepSummary struct {
	Metric         string
	Rows           int64 // all rows
	Finite         int64 // rows with a finite metric
	Min, Max, Mean float64

	X, Y         string
	XCats, YCats []string
	Cells        [][]HeatCell // Cells[y][x]
	HeatRows     int64        // rows that passed the Fixed filter
	Fixed        []string     // "name=value" of the fixed parameters, in parameter order
	Free         []string     // other parameters aggregated by Agg
	Agg          string

	Top []TopRow // best first

	HistLo, HistHi float64
	Hist           []int64

	Symbols bool // rows carry a symbol (per-asset mode)

	// Constant lists "name=value" of the parameters with one value in every
	// row; the top table leaves them out (its footer names them).
	Constant []string
	shown    []bool // per parameter: a top-table column
}

// Value returns the cell's displayed value under the summary's Agg.
func (s *SweepSummary) Value(x, y int) float64 {
	c := s.Cells[y][x]
	if s.Agg == "mean" {
		return c.Mean()
	}
	return c.Best
}

// topColumns are the metrics shown next to the ranked one in the top table.
var topColumns = []string{"total_return", "cagr", "volatility", "sharpe", "max_drawdown", "calmar"}

// ReportMetrics returns the metrics of have that a sweep report of metric
// reads: metric itself and the columns of the top table. Sources may read
// only these (a columnar file then decodes fewer columns).
func ReportMetrics(metric string, have []string) []string {
	out := []string{}
	want := append([]string{metric}, topColumns...)
	for _, w := range want {
		for _, h := range have {
			if h == w && (w != metric || len(out) == 0) {
				out = append(out, h)
				break
			}
		}
	}
	return out
}

// TopTable is the top-N table of a summary with the sweep's conventions.
func (s *Sweep) TopTable(sum *SweepSummary) *Table {
	metric := sum.Metric
	order := "highest"
	if LowerIsBetter(metric) {
		order = "lowest"
	}
	t := &Table{Title: fmt.Sprintf("Top %d of %s rows by %s (%s first)", len(sum.Top), count(sum.Rows), metric, order)}
	// A per-asset table without config ids names rows by symbol only.
	ids := false
	for _, r := range sum.Top {
		ids = ids || r.ConfigID != r.Symbol
	}
	t.Columns = []string{"rank"}
	if ids {
		t.Columns = append(t.Columns, "config_id")
	}
	if sum.Symbols {
		t.Columns = append(t.Columns, "symbol")
	}
	for i, n := range s.Params {
		if sum.showParam(i) {
			t.Columns = append(t.Columns, n)
		}
	}
	show := []int{}
	idx := map[string]int{}
	for i, m := range s.Metrics {
		idx[m] = i
	}
	if i, ok := idx[metric]; ok {
		show = append(show, i)
	}
	for _, m := range topColumns {
		if i, ok := idx[m]; ok && m != metric {
			show = append(show, i)
		}
	}
	for _, i := range show {
		t.Columns = append(t.Columns, s.Metrics[i])
	}
	for k, r := range sum.Top {
		row := []string{strconv.Itoa(k + 1)}
		vals := []any{k + 1}
		if ids {
			row = append(row, r.ConfigID)
			vals = append(vals, r.ConfigID)
		}
		if sum.Symbols {
			row = append(row, r.Symbol)
			vals = append(vals, r.Symbol)
		}
		for i, p := range r.Params {
			if sum.showParam(i) {
				row = append(row, p)
				vals = append(vals, p)
			}
		}
		for _, i := range show {
			row = append(row, FormatMetric(s.Metrics[i], r.Metrics[i]))
			vals = append(vals, r.Metrics[i])
		}
		t.Rows = append(t.Rows, row)
		t.Values = append(t.Values, vals)
	}
	t.Footer = s.Conventions
	if len(sum.Constant) > 0 {
		t.Footer = append(append([]string(nil), s.Conventions...), "same in every row: "+strings.Join(sum.Constant, ", "))
	}
	return t
}

// showParam reports whether parameter i varies (a top-table column).
func (s *SweepSummary) showParam(i int) bool {
	return s.shown == nil || i >= len(s.shown) || s.shown[i]
}

// Render writes the sweep report: heatmap, top N and distribution.
func (s *Sweep) Render(w io.Writer) error {
	sum, err := s.Aggregate()
	if err != nil {
		return err
	}
	return s.RenderSummary(w, sum)
}

// RenderSummary writes the report of an aggregated sweep.
func (s *Sweep) RenderSummary(w io.Writer, sum *SweepSummary) error {
	title := s.Title
	if title == "" {
		title = "Sweep report"
		if s.Strategy != "" {
			title += ": " + s.Strategy
		}
	}
	metric := sum.Metric
	f := metricFormat(metric)
	p := newPage(title, s.Subtitle)
	if len(s.Meta) > 0 {
		p.b.WriteString(`<dl class="kv">`)
		for _, kv := range s.Meta {
			p.b.WriteString("<dt>" + esc(kv[0]) + "</dt><dd>" + esc(kv[1]) + "</dd>")
		}
		p.b.WriteString("</dl>\n")
	}
	p.conventions(s.Conventions)
	p.para(fmt.Sprintf("%s rows; %s = %s to %s (mean %s) over %s rows with a value, %s NaN.",
		count(sum.Rows), metric, formatValue(sum.Min, f), formatValue(sum.Max, f), formatValue(sum.Mean, f), count(sum.Finite), count(sum.Rows-sum.Finite)))

	p.h2(fmt.Sprintf("Heatmap of %s", metric))
	aggDesc := "best"
	if sum.Agg == "mean" {
		aggDesc = "mean"
	}
	vals := make([][]float64, len(sum.YCats))
	counts := make([][]int64, len(sum.YCats))
	notes := make([][]string, len(sum.YCats))
	for y := range sum.Cells {
		vals[y] = make([]float64, len(sum.XCats))
		counts[y] = make([]int64, len(sum.XCats))
		notes[y] = make([]string, len(sum.XCats))
		for x, c := range sum.Cells[y] {
			vals[y][x] = sum.Value(x, y)
			counts[y][x] = c.N
			if c.BestAt != "" {
				notes[y][x] = "best: " + c.BestAt + " = " + formatValue(c.Best, f)
			}
		}
	}
	xl, yl := sum.X, sum.Y
	if xl == "" {
		xl = "(no parameter varies)"
	}
	if yl == "" {
		yl = "(single row)"
	}
	hm := &Heatmap{Title: "Heatmap of " + metric, XLabel: xl, YLabel: yl, XCats: sum.XCats, YCats: sum.YCats,
		Values: vals, Counts: counts, Notes: notes, Format: f, ValueLabel: metric + " (" + aggDesc + ")"}
	p.figure(hm.SVG(), heatCaption(sum))

	p.h2(fmt.Sprintf("Top %d configurations by %s", len(sum.Top), metric))
	p.table(s.TopTable(sum))

	p.h2(fmt.Sprintf("Distribution of %s", metric))
	h := &Histogram{Title: "Distribution of " + metric, XLabel: histogramLabel(metric), YLabel: "rows (count)", Format: f,
		Lo: sum.HistLo, Hi: sum.HistHi, Counts: sum.Hist}
	h.Markers = append(h.Markers, ValueMarker{Value: sum.Mean, Label: "mean " + formatValue(sum.Mean, f), Color: "#555"})
	if len(sum.Top) > 0 {
		h.Markers = append(h.Markers, ValueMarker{Value: sum.Top[0].Value, Label: "best " + formatValue(sum.Top[0].Value, f)})
	}
	if med := histQuantile(sum.Hist, sum.HistLo, sum.HistHi, 0.5); !math.IsNaN(med) {
		h.Markers = append(h.Markers, ValueMarker{Value: med, Label: "median ≈ " + formatValue(med, f), Color: "#2f6f3e"})
	}
	p.figure(h.SVG(), fmt.Sprintf("%d equal-width bins over [%s, %s]; %s rows with NaN %s are not counted. The median is read from the bins.",
		len(sum.Hist), formatValue(sum.HistLo, f), formatValue(sum.HistHi, f), count(sum.Rows-sum.Finite), metric))
	return p.finish(w, "")
}

func heatCaption(sum *SweepSummary) string {
	var parts []string
	what := "the best"
	if sum.Agg == "mean" {
		what = "the mean"
	}
	parts = append(parts, fmt.Sprintf("Each cell shows %s %s of the rows in it (%s rows in all).", what, sum.Metric, count(sum.HeatRows)))
	if len(sum.Fixed) > 0 {
		parts = append(parts, "Fixed: "+strings.Join(sum.Fixed, ", ")+".")
	}
	if len(sum.Free) > 0 {
		parts = append(parts, fmt.Sprintf("Aggregated over: %s (hover a cell for its best row).", strings.Join(sum.Free, ", ")))
	}
	parts = append(parts, "× marks cells without a finite value.")
	return strings.Join(parts, " ")
}

// histQuantile estimates the q-quantile from binned counts by linear
// interpolation inside the bin that holds it.
func histQuantile(h []int64, lo, hi float64, q float64) float64 {
	var n int64
	for _, c := range h {
		n += c
	}
	if n == 0 {
		return math.NaN()
	}
	target := q * float64(n)
	w := (hi - lo) / float64(len(h))
	var acc float64
	for k, c := range h {
		if acc+float64(c) >= target && c > 0 {
			return lo + (float64(k)+(target-acc)/float64(c))*w
		}
		acc += float64(c)
	}
	return hi
}

// MetricsFromValues fills engine.Metrics from values named like MetricNames
// (missing names are NaN).
func MetricsFromValues(names []string, vals []float64) engine.Metrics {
	all := make([]float64, len(engine.MetricNames))
	for i := range all {
		all[i] = math.NaN()
	}
	for k, n := range names {
		for i, m := range engine.MetricNames {
			if m == n {
				all[i] = vals[k]
			}
		}
	}
	return engine.Metrics{TotalReturn: all[0], CAGR: all[1], Volatility: all[2], Sharpe: all[3], Sortino: all[4],
		MaxDrawdown: all[5], MaxDrawdownDays: all[6], Calmar: all[7], Turnover: all[8], Costs: all[9], Exposure: all[10],
		Beta: all[11], Alpha: all[12], TrackingError: all[13], InformationRatio: all[14], ExcessCAGR: all[15]}
}

// count prints a row count with thousands separators.
func count(n int64) string { return groupThousands(strconv.FormatInt(n, 10)) }
