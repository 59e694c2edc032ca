package report

import (
	"container/heap"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/rotor-bt/rotor/engine"
)

// SweepRow is one result row of a sweep (SEMANTICS §5). Sources may reuse
// a row and its slices between calls; the report copies what it keeps.
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
}

// Value returns the cell's displayed value under the summary's Agg.
func (s *SweepSummary) Value(x, y int) float64 {
	c := s.Cells[y][x]
	if s.Agg == "mean" {
		return c.Mean()
	}
	return c.Best
}

const (
	maxDistinct = 4096 // distinct values tracked per parameter
	maxHeatCats = 60   // heatmap columns/rows; more distinct values are binned
)

// dimStats are the distinct values of one parameter seen in pass 1.
type dimStats struct {
	name     string
	values   map[string]struct{} // nil after maxDistinct values
	overflow bool
	numeric  bool
	lo, hi   float64
}

func (d *dimStats) add(v string) {
	if d.numeric {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			d.numeric = false
		} else {
			d.lo, d.hi = math.Min(d.lo, f), math.Max(d.hi, f)
		}
	}
	if d.overflow {
		return
	}
	if _, ok := d.values[v]; !ok {
		if len(d.values) >= maxDistinct {
			d.overflow, d.values = true, nil
			return
		}
		d.values[v] = struct{}{}
	}
}

func (d *dimStats) distinct() int {
	if d.overflow {
		return maxDistinct + 1
	}
	return len(d.values)
}

// sortedValues returns the distinct values, numerically when all are numbers.
func (d *dimStats) sortedValues() []string {
	out := make([]string, 0, len(d.values))
	for v := range d.values {
		out = append(out, v)
	}
	if d.numeric {
		sort.Slice(out, func(i, j int) bool {
			a, _ := strconv.ParseFloat(out[i], 64)
			b, _ := strconv.ParseFloat(out[j], 64)
			if a != b {
				return a < b
			}
			return out[i] < out[j]
		})
	} else {
		sort.Strings(out)
	}
	return out
}

// axis maps a parameter's values to heatmap columns or rows.
type axis struct {
	dim    int // index into dims
	cats   []string
	index  map[string]int // exact values → category
	binned bool           // numeric bins over [lo, hi]
	lo, hi float64
}

func (a *axis) cat(v string) int {
	if !a.binned {
		if k, ok := a.index[v]; ok {
			return k
		}
		return -1
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return -1
	}
	n := len(a.cats)
	if a.hi <= a.lo {
		return 0
	}
	k := int((f - a.lo) / (a.hi - a.lo) * float64(n))
	return max(0, min(n-1, k))
}

func newAxis(dim int, d *dimStats) (*axis, error) {
	a := &axis{dim: dim}
	if d.distinct() <= maxHeatCats {
		a.cats = d.sortedValues()
		a.index = make(map[string]int, len(a.cats))
		for k, v := range a.cats {
			a.index[v] = k
		}
		return a, nil
	}
	if !d.numeric {
		if d.overflow {
			return nil, fmt.Errorf("report: %s has more than %d distinct non-numeric values; choose another heatmap axis", d.name, maxDistinct)
		}
		// Group consecutive sorted values.
		vals := d.sortedValues()
		per := (len(vals) + maxHeatCats - 1) / maxHeatCats
		a.index = make(map[string]int, len(vals))
		for k := 0; k < len(vals); k += per {
			e := min(len(vals), k+per)
			a.cats = append(a.cats, vals[k]+"…"+vals[e-1])
			for _, v := range vals[k:e] {
				a.index[v] = len(a.cats) - 1
			}
		}
		return a, nil
	}
	a.binned, a.lo, a.hi = true, d.lo, d.hi
	n := maxHeatCats / 2
	w := (a.hi - a.lo) / float64(n)
	for k := 0; k < n; k++ {
		a.cats = append(a.cats, shortNum(a.lo+float64(k)*w)+"–"+shortNum(a.lo+float64(k+1)*w))
	}
	return a, nil
}

// shortNum prints a bin edge with 3 significant digits.
func shortNum(v float64) string {
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// topHeap is a min-heap of the best N rows: the root is the worst kept.
type topHeap struct {
	metric string
	rows   []TopRow
}

func (h *topHeap) Len() int { return len(h.rows) }
func (h *topHeap) Less(i, j int) bool {
	return rankBefore(h.metric, h.rows[j], h.rows[i])
}
func (h *topHeap) Swap(i, j int) { h.rows[i], h.rows[j] = h.rows[j], h.rows[i] }
func (h *topHeap) Push(x any)    { h.rows = append(h.rows, x.(TopRow)) }
func (h *topHeap) Pop() any {
	x := h.rows[len(h.rows)-1]
	h.rows = h.rows[:len(h.rows)-1]
	return x
}

// rankBefore orders rows best first; ties by config id, then symbol.
func rankBefore(metric string, a, b TopRow) bool {
	if a.Value != b.Value {
		return better(metric, a.Value, b.Value)
	}
	if a.ConfigID != b.ConfigID {
		return a.ConfigID < b.ConfigID
	}
	return a.Symbol < b.Symbol
}

func (s *Sweep) defaults() (metric, agg string, topN, bins int) {
	metric, agg, topN, bins = s.Metric, s.Agg, s.TopN, s.Bins
	if metric == "" {
		metric = "sharpe"
	}
	if agg == "" {
		agg = "best"
	}
	if topN <= 0 {
		topN = 20
	}
	if bins <= 0 {
		bins = 40
	}
	return
}

// Aggregate streams the rows twice and returns the heatmap cells, the top
// N rows, the metric's histogram and its range. Errors name the flag-level
// choice that is wrong (unknown metric or parameter, fixed value absent).
func (s *Sweep) Aggregate() (*SweepSummary, error) {
	metric, agg, topN, bins := s.defaults()
	if agg != "best" && agg != "mean" {
		return nil, fmt.Errorf("report: invalid aggregation %q: want best|mean", agg)
	}
	mi := -1
	for i, m := range s.Metrics {
		if m == metric {
			mi = i
		}
	}
	if mi < 0 {
		return nil, fmt.Errorf("report: metric %q is not in the results; valid: %s", metric, strings.Join(s.Metrics, ", "))
	}
	if s.Scan == nil {
		return nil, errors.New("report: sweep has no rows to scan")
	}
	// Pass 1: distinct parameter values, metric range.
	nd := len(s.Params) + 1 // the last dimension is the symbol
	dims := make([]*dimStats, nd)
	for i := range dims {
		name := "symbol"
		if i < len(s.Params) {
			name = s.Params[i]
		}
		dims[i] = &dimStats{name: name, values: map[string]struct{}{}, numeric: true, lo: math.Inf(1), hi: math.Inf(-1)}
	}
	sum := &SweepSummary{Metric: metric, Agg: agg, Min: math.Inf(1), Max: math.Inf(-1)}
	var total float64
	err := s.Scan(func(r *SweepRow) error {
		if len(r.Params) != len(s.Params) || len(r.Metrics) != len(s.Metrics) {
			return fmt.Errorf("report: row %d (config %s) has %d parameters and %d metrics, want %d and %d",
				sum.Rows+1, r.ConfigID, len(r.Params), len(r.Metrics), len(s.Params), len(s.Metrics))
		}
		sum.Rows++
		for i, v := range r.Params {
			dims[i].add(v)
		}
		dims[nd-1].add(r.Symbol)
		if r.Symbol != "" {
			sum.Symbols = true
		}
		v := r.Metrics[mi]
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			sum.Finite++
			total += v
			sum.Min, sum.Max = math.Min(sum.Min, v), math.Max(sum.Max, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if sum.Rows == 0 {
		return nil, errors.New("report: the sweep has no rows")
	}
	sum.Mean = math.NaN()
	if sum.Finite > 0 {
		sum.Mean = total / float64(sum.Finite)
	} else {
		sum.Min, sum.Max = math.NaN(), math.NaN()
	}
	names := append(append([]string(nil), s.Params...), "symbol")
	if !sum.Symbols {
		names = names[:nd-1]
	}
	find := func(n string) int {
		for i, x := range names {
			if x == n {
				return i
			}
		}
		return -1
	}
	// Axes.
	xd, yd := -1, -1
	if s.X != "" {
		if xd = find(s.X); xd < 0 {
			return nil, fmt.Errorf("report: --x %q is not a parameter of the sweep; valid: %s", s.X, strings.Join(names, ", "))
		}
	}
	if s.Y != "" {
		if yd = find(s.Y); yd < 0 {
			return nil, fmt.Errorf("report: --y %q is not a parameter of the sweep; valid: %s", s.Y, strings.Join(names, ", "))
		}
	}
	if xd >= 0 && xd == yd {
		return nil, fmt.Errorf("report: --x and --y are both %q; choose two different parameters", s.X)
	}
	// Defaults: the first parameters that vary (and are not fixed).
	for i := range names {
		if xd >= 0 && yd >= 0 {
			break
		}
		if i == xd || i == yd || dims[i].distinct() < 2 || s.Fixed[names[i]] != "" {
			continue
		}
		if xd < 0 {
			xd = i
		} else {
			yd = i
		}
	}
	fixed := make([]string, nd) // required value per dimension, "" = free
	for n, v := range s.Fixed {
		i := find(n)
		if i < 0 {
			return nil, fmt.Errorf("report: --fix %s=%s: %q is not a parameter of the sweep; valid: %s", n, v, n, strings.Join(names, ", "))
		}
		if i == xd || i == yd {
			return nil, fmt.Errorf("report: --fix %s=%s: %s is a heatmap axis", n, v, n)
		}
		d := dims[i]
		if !d.overflow {
			if _, ok := d.values[v]; !ok {
				vals := d.sortedValues()
				if len(vals) > 12 {
					vals = append(vals[:12], "…")
				}
				return nil, fmt.Errorf("report: --fix %s=%s: no row has %s=%s; values: %s", n, v, n, v, strings.Join(vals, ", "))
			}
		}
		fixed[i] = v
	}
	var xa, ya *axis
	if xd >= 0 {
		if xa, err = newAxis(xd, dims[xd]); err != nil {
			return nil, err
		}
		sum.X, sum.XCats = names[xd], xa.cats
	} else {
		sum.XCats = []string{"all"}
	}
	if yd >= 0 {
		if ya, err = newAxis(yd, dims[yd]); err != nil {
			return nil, err
		}
		sum.Y, sum.YCats = names[yd], ya.cats
	} else {
		sum.YCats = []string{"all"}
	}
	for i, n := range names {
		switch {
		case i == xd || i == yd:
		case fixed[i] != "":
			sum.Fixed = append(sum.Fixed, n+"="+fixed[i])
		case dims[i].distinct() > 1:
			sum.Free = append(sum.Free, n)
		}
	}
	sum.Cells = make([][]HeatCell, len(sum.YCats))
	for y := range sum.Cells {
		sum.Cells[y] = make([]HeatCell, len(sum.XCats))
		for x := range sum.Cells[y] {
			sum.Cells[y][x].Best = math.NaN()
		}
	}
	sum.Hist = make([]int64, bins)
	sum.HistLo, sum.HistHi = sum.Min, sum.Max
	if sum.Finite == 0 {
		sum.HistLo, sum.HistHi = 0, 1
	}
	if !(sum.HistHi > sum.HistLo) {
		sum.HistLo, sum.HistHi = sum.HistLo-0.5, sum.HistHi+0.5
		if sum.Min != 0 {
			d := math.Abs(sum.Min) * 0.05
			sum.HistLo, sum.HistHi = sum.Min-d, sum.Min+d
		}
	}
	th := &topHeap{metric: metric}
	dimValue := func(r *SweepRow, i int) string {
		if i == len(s.Params) {
			return r.Symbol
		}
		return r.Params[i]
	}
	// Pass 2: aggregate.
	err = s.Scan(func(r *SweepRow) error {
		v := r.Metrics[mi]
		finite := !math.IsNaN(v) && !math.IsInf(v, 0)
		if finite {
			k := int((v - sum.HistLo) / (sum.HistHi - sum.HistLo) * float64(bins))
			sum.Hist[max(0, min(bins-1, k))]++
			if th.Len() < topN || rankBefore(metric, TopRow{Value: v, ConfigID: r.ConfigID, Symbol: r.Symbol}, th.rows[0]) {
				tr := TopRow{ConfigID: r.ConfigID, Symbol: r.Symbol, Value: v,
					Params: append([]string(nil), r.Params...), Metrics: append([]float64(nil), r.Metrics...)}
				if th.Len() < topN {
					heap.Push(th, tr)
				} else {
					th.rows[0] = tr
					heap.Fix(th, 0)
				}
			}
		}
		for i, want := range fixed {
			if want != "" && dimValue(r, i) != want {
				return nil
			}
		}
		x, y := 0, 0
		if xa != nil {
			if x = xa.cat(dimValue(r, xd)); x < 0 {
				return nil
			}
		}
		if ya != nil {
			if y = ya.cat(dimValue(r, yd)); y < 0 {
				return nil
			}
		}
		sum.HeatRows++
		c := &sum.Cells[y][x]
		c.N++
		if finite {
			c.Finite++
			c.Sum += v
			if better(metric, v, c.Best) || v == c.Best && c.BestAt > r.ConfigID {
				c.Best = v
				c.BestAt = describeRow(r, s.Params, xd, yd)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sum.Top = make([]TopRow, th.Len())
	for k := len(sum.Top) - 1; k >= 0; k-- {
		sum.Top[k] = heap.Pop(th).(TopRow)
	}
	return sum, nil
}

// describeRow names a row for a cell tooltip: its config id, symbol and
// the parameters other than the axes.
func describeRow(r *SweepRow, params []string, xd, yd int) string {
	var b strings.Builder
	b.WriteString(r.ConfigID)
	if r.Symbol != "" {
		b.WriteString(" " + r.Symbol)
	}
	for i, p := range params {
		if i == xd || i == yd {
			continue
		}
		b.WriteString(" " + p + "=" + r.Params[i])
	}
	return b.String()
}

// topColumns are the metrics shown next to the ranked one in the top table.
var topColumns = []string{"total_return", "cagr", "volatility", "sharpe", "sortino", "max_drawdown", "calmar", "turnover", "exposure"}

// TopTable is the top-N table of a summary with the sweep's conventions.
func (s *Sweep) TopTable(sum *SweepSummary) *Table {
	metric := sum.Metric
	order := "highest"
	if LowerIsBetter(metric) {
		order = "lowest"
	}
	t := &Table{Title: fmt.Sprintf("Top %d of %d rows by %s (%s first)", len(sum.Top), sum.Rows, metric, order)}
	t.Columns = []string{"rank", "config_id"}
	if sum.Symbols {
		t.Columns = append(t.Columns, "symbol")
	}
	t.Columns = append(t.Columns, s.Params...)
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
		row := []string{strconv.Itoa(k + 1), r.ConfigID}
		vals := []any{k + 1, r.ConfigID}
		if sum.Symbols {
			row = append(row, r.Symbol)
			vals = append(vals, r.Symbol)
		}
		for _, p := range r.Params {
			row = append(row, p)
			vals = append(vals, p)
		}
		for _, i := range show {
			row = append(row, FormatMetric(s.Metrics[i], r.Metrics[i]))
			vals = append(vals, r.Metrics[i])
		}
		t.Rows = append(t.Rows, row)
		t.Values = append(t.Values, vals)
	}
	t.Footer = s.Conventions
	return t
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
	p.para(fmt.Sprintf("%s rows; %s = %s to %s (mean %s) over %d rows with a value, %d NaN.",
		groupThousands(strconv.FormatInt(sum.Rows, 10)), metric, formatValue(sum.Min, f), formatValue(sum.Max, f), formatValue(sum.Mean, f), sum.Finite, sum.Rows-sum.Finite))

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
	p.figure(h.SVG(), fmt.Sprintf("%d equal-width bins over [%s, %s]; %d rows with NaN %s are not counted. The median is read from the bins.",
		len(sum.Hist), formatValue(sum.HistLo, f), formatValue(sum.HistHi, f), sum.Rows-sum.Finite, metric))
	return p.finish(w, "")
}

func heatCaption(sum *SweepSummary) string {
	var parts []string
	what := "the best"
	if sum.Agg == "mean" {
		what = "the mean"
	}
	parts = append(parts, fmt.Sprintf("Each cell shows %s %s of the rows in it (%d rows in all).", what, sum.Metric, sum.HeatRows))
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
