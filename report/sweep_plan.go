package report

import (
	"container/heap"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// A sweep report is made in three steps, so that a database can do the
// heavy ones over a file of any size: statistics (row count, the metric's
// range, the distinct values of every parameter), a plan (axes, filters,
// histogram range: pure Go, SweepPlan), and the aggregation (cells,
// histogram, top N). Aggregate does all three by streaming Scan twice;
// a database source computes SweepStats and fills the plan's summary with
// GROUP BY queries instead.

const (
	// MaxDistinct is how many distinct values of a parameter are tracked;
	// beyond it a numeric parameter is binned by value range.
	MaxDistinct = 4096
	maxHeatCats = 60 // heatmap columns/rows; more distinct values are binned
)

// DimStats are the values one parameter (or the symbol) takes.
type DimStats struct {
	Name     string
	Values   []string // distinct values (canonical text); nil when Overflow
	Overflow bool     // more than MaxDistinct values
	Numeric  bool     // every value is a finite number
	Lo, Hi   float64  // numeric range (when Numeric)
}

// SweepStats is the first step's result.
type SweepStats struct {
	Rows, Finite int64   // all rows; rows with a finite metric
	Min, Max     float64 // of the finite metric values
	Sum          float64
	Dims         []DimStats // Params in order, then "symbol" when rows carry one
}

// PlanAxis maps a dimension's values to heatmap columns (or rows).
type PlanAxis struct {
	Dim    int // index into SweepStats.Dims
	Name   string
	Cats   []string // category labels, low to high
	Values []string // categorical axis: every distinct value, sorted
	Index  []int    // categorical axis: the category of Values[k]
	Binned bool     // numeric bins over [Lo, Hi]: equal-width ranges
	Lo, Hi float64
	index  map[string]int
}

// Cat returns the category of a value (-1 if it has none).
func (a *PlanAxis) Cat(v string) int {
	if !a.Binned {
		if k, ok := a.index[v]; ok {
			return k
		}
		return -1
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return -1
	}
	return a.BinOf(f)
}

// BinOf is the bin of x on a binned axis: floor((x−Lo)/(Hi−Lo)·n), clamped.
func (a *PlanAxis) BinOf(x float64) int {
	n := len(a.Cats)
	if a.Hi <= a.Lo {
		return 0
	}
	k := int(math.Floor((x - a.Lo) / (a.Hi - a.Lo) * float64(n)))
	return max(0, min(n-1, k))
}

// PlanFixed holds a dimension at one value.
type PlanFixed struct {
	Dim          int
	Name, Value  string
	Numeric      bool // compare as numbers (the dimension is numeric)
	NumericValue float64
}

// SweepPlan is what the aggregation step computes.
type SweepPlan struct {
	Metric       string
	Lower        bool // lower is better
	Agg          string
	X, Y         *PlanAxis // nil: no parameter left to vary
	Fixed        []PlanFixed
	Bins, TopN   int
	Free         []int // dimensions aggregated by Agg
	DimNames     []string
	Summary      *SweepSummary // cells, histogram and top N to fill
	metricColumn int
}

// HistBin is the histogram bin of a finite metric value, as the Go and the
// database paths both compute it: int((v−lo)/(hi−lo)·bins), clamped.
func (p *SweepPlan) HistBin(v float64) int {
	s := p.Summary
	k := int((v - s.HistLo) / (s.HistHi - s.HistLo) * float64(p.Bins))
	return max(0, min(p.Bins-1, k))
}

func (d *DimStats) distinct() int {
	if d.Overflow {
		return MaxDistinct + 1
	}
	return len(d.Values)
}

// sortValues orders values numerically when all are numbers, else by text,
// and sets Numeric, Lo and Hi from them.
func (d *DimStats) sortValues() {
	if d.Overflow {
		return
	}
	d.Numeric = len(d.Values) > 0
	nums := make(map[string]float64, len(d.Values))
	for _, v := range d.Values {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			d.Numeric = false
			break
		}
		nums[v] = f
	}
	if d.Numeric {
		sort.Slice(d.Values, func(i, j int) bool {
			a, b := nums[d.Values[i]], nums[d.Values[j]]
			if a != b {
				return a < b
			}
			return d.Values[i] < d.Values[j]
		})
		d.Lo, d.Hi = nums[d.Values[0]], nums[d.Values[len(d.Values)-1]]
	} else {
		sort.Strings(d.Values)
	}
}

func newPlanAxis(dim int, d *DimStats) (*PlanAxis, error) {
	a := &PlanAxis{Dim: dim, Name: d.Name}
	if !d.Overflow {
		a.Values = d.Values
		a.index = make(map[string]int, len(d.Values))
		a.Index = make([]int, len(d.Values))
	}
	switch {
	case !d.Overflow && len(d.Values) <= maxHeatCats:
		a.Cats = d.Values
		for k, v := range d.Values {
			a.index[v] = k
			a.Index[k] = k
		}
	case d.Numeric:
		a.Values, a.Index, a.index = nil, nil, nil
		a.Binned, a.Lo, a.Hi = true, d.Lo, d.Hi
		n := maxHeatCats / 2
		w := (a.Hi - a.Lo) / float64(n)
		for k := 0; k < n; k++ {
			a.Cats = append(a.Cats, shortNum(a.Lo+float64(k)*w)+"–"+shortNum(a.Lo+float64(k+1)*w))
		}
	case d.Overflow:
		return nil, fmt.Errorf("report: %s has more than %d distinct non-numeric values; choose another heatmap axis", d.Name, MaxDistinct)
	default:
		// Consecutive groups of sorted text values.
		per := (len(d.Values) + maxHeatCats - 1) / maxHeatCats
		for k := 0; k < len(d.Values); k += per {
			e := min(len(d.Values), k+per)
			a.Cats = append(a.Cats, d.Values[k]+"…"+d.Values[e-1])
			for j := k; j < e; j++ {
				a.index[d.Values[j]] = len(a.Cats) - 1
				a.Index[j] = len(a.Cats) - 1
			}
		}
	}
	return a, nil
}

// shortNum prints a bin edge with 3 significant digits.
func shortNum(v float64) string {
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// Plan validates the report's choices against the statistics and returns
// the plan with an empty summary (cells with NaN best values, histogram
// range). Errors name the flag-level choice that is wrong.
func (s *Sweep) Plan(st *SweepStats) (*SweepPlan, error) {
	metric, agg, topN, bins := s.defaults()
	if agg != "best" && agg != "mean" {
		return nil, fmt.Errorf("report: invalid aggregation %q: want best|mean", agg)
	}
	if st.Rows == 0 {
		return nil, errors.New("report: the sweep has no rows")
	}
	for i := range st.Dims {
		st.Dims[i].sortValues()
	}
	sum := &SweepSummary{Metric: metric, Agg: agg, Rows: st.Rows, Finite: st.Finite, Min: st.Min, Max: st.Max, Mean: math.NaN()}
	if st.Finite > 0 {
		sum.Mean = st.Sum / float64(st.Finite)
	} else {
		sum.Min, sum.Max = math.NaN(), math.NaN()
	}
	names := make([]string, len(st.Dims))
	for i, d := range st.Dims {
		names[i] = d.Name
		if d.Name == "symbol" && i == len(st.Dims)-1 && i == len(s.Params) {
			sum.Symbols = true
		}
	}
	find := func(n string) int {
		for i, x := range names {
			if x == n {
				return i
			}
		}
		return -1
	}
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
	// Defaults: the first dimensions that vary and are not fixed.
	for i := range names {
		if xd >= 0 && yd >= 0 {
			break
		}
		if i == xd || i == yd || st.Dims[i].distinct() < 2 || s.Fixed[names[i]] != "" {
			continue
		}
		if xd < 0 {
			xd = i
		} else {
			yd = i
		}
	}
	p := &SweepPlan{Metric: metric, Lower: LowerIsBetter(metric), Agg: agg, Bins: bins, TopN: topN, DimNames: names, Summary: sum}
	fixedNames := make([]string, 0, len(s.Fixed))
	for n := range s.Fixed {
		fixedNames = append(fixedNames, n)
	}
	sort.Strings(fixedNames)
	isFixed := map[int]bool{}
	for _, n := range fixedNames {
		v := s.Fixed[n]
		i := find(n)
		if i < 0 {
			return nil, fmt.Errorf("report: --fix %s=%s: %q is not a parameter of the sweep; valid: %s", n, v, n, strings.Join(names, ", "))
		}
		if i == xd || i == yd {
			return nil, fmt.Errorf("report: --fix %s=%s: %s is a heatmap axis", n, v, n)
		}
		d := st.Dims[i]
		if !d.Overflow {
			found := false
			for _, x := range d.Values {
				found = found || x == v
			}
			if !found {
				vals := d.Values
				if len(vals) > 12 {
					vals = append(append([]string(nil), vals[:12]...), "…")
				}
				return nil, fmt.Errorf("report: --fix %s=%s: no row has %s=%s; values: %s", n, v, n, v, strings.Join(vals, ", "))
			}
		}
		f := PlanFixed{Dim: i, Name: n, Value: v}
		if x, err := strconv.ParseFloat(v, 64); err == nil && d.Numeric {
			f.Numeric, f.NumericValue = true, x
		}
		p.Fixed = append(p.Fixed, f)
		isFixed[i] = true
	}
	sort.Slice(p.Fixed, func(a, b int) bool { return p.Fixed[a].Dim < p.Fixed[b].Dim })
	var err error
	if xd >= 0 {
		if p.X, err = newPlanAxis(xd, &st.Dims[xd]); err != nil {
			return nil, err
		}
		sum.X, sum.XCats = names[xd], p.X.Cats
	} else {
		sum.XCats = []string{"all"}
	}
	if yd >= 0 {
		if p.Y, err = newPlanAxis(yd, &st.Dims[yd]); err != nil {
			return nil, err
		}
		sum.Y, sum.YCats = names[yd], p.Y.Cats
	} else {
		sum.YCats = []string{"all"}
	}
	for _, f := range p.Fixed {
		sum.Fixed = append(sum.Fixed, f.Name+"="+f.Value)
	}
	for i, n := range names {
		if i != xd && i != yd && !isFixed[i] && st.Dims[i].distinct() > 1 {
			sum.Free = append(sum.Free, n)
			p.Free = append(p.Free, i)
		}
	}
	sum.shown = make([]bool, len(s.Params))
	for i := range s.Params {
		if i < len(st.Dims) {
			d := &st.Dims[i]
			sum.shown[i] = d.distinct() != 1
			if d.distinct() == 1 {
				sum.Constant = append(sum.Constant, d.Name+"="+d.Values[0])
			}
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
	return p, nil
}

// Aggregate streams the rows twice (statistics, then cells, histogram and
// top N) and returns the summary a report draws.
func (s *Sweep) Aggregate() (*SweepSummary, error) {
	metric, _, _, _ := s.defaults()
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
	st, err := s.scanStats(mi)
	if err != nil {
		return nil, err
	}
	p, err := s.Plan(st)
	if err != nil {
		return nil, err
	}
	p.metricColumn = mi
	if err := s.scanCells(p); err != nil {
		return nil, err
	}
	return p.Summary, nil
}

// scanStats is the first pass.
func (s *Sweep) scanStats(mi int) (*SweepStats, error) {
	nd := len(s.Params) + 1
	type dim struct {
		values   map[string]struct{}
		overflow bool
		numeric  bool
		lo, hi   float64
	}
	dims := make([]dim, nd)
	for i := range dims {
		dims[i] = dim{values: map[string]struct{}{}, numeric: true, lo: math.Inf(1), hi: math.Inf(-1)}
	}
	var add func(d *dim, v string)
	add = func(d *dim, v string) {
		if d.overflow {
			if d.numeric {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
					d.numeric = false
				} else {
					d.lo, d.hi = math.Min(d.lo, f), math.Max(d.hi, f)
				}
			}
			return
		}
		if _, ok := d.values[v]; !ok {
			if len(d.values) >= MaxDistinct {
				// Keep the numeric range of the values seen so far.
				for x := range d.values {
					f, err := strconv.ParseFloat(x, 64)
					if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
						d.numeric = false
						break
					}
					d.lo, d.hi = math.Min(d.lo, f), math.Max(d.hi, f)
				}
				d.overflow, d.values = true, nil
				add(d, v)
				return
			}
			d.values[strings.Clone(v)] = struct{}{}
		}
	}
	st := &SweepStats{Min: math.Inf(1), Max: math.Inf(-1)}
	symbols := false
	err := s.Scan(func(r *SweepRow) error {
		if len(r.Params) != len(s.Params) || len(r.Metrics) != len(s.Metrics) {
			return fmt.Errorf("report: row %d (config %s) has %d parameters and %d metrics, want %d and %d",
				st.Rows+1, r.ConfigID, len(r.Params), len(r.Metrics), len(s.Params), len(s.Metrics))
		}
		st.Rows++
		for i, v := range r.Params {
			add(&dims[i], v)
		}
		add(&dims[nd-1], r.Symbol)
		symbols = symbols || r.Symbol != ""
		v := r.Metrics[mi]
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			st.Finite++
			st.Sum += v
			st.Min, st.Max = math.Min(st.Min, v), math.Max(st.Max, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !symbols {
		nd--
	}
	for i := 0; i < nd; i++ {
		name := "symbol"
		if i < len(s.Params) {
			name = s.Params[i]
		}
		d := DimStats{Name: name, Overflow: dims[i].overflow, Numeric: dims[i].numeric, Lo: dims[i].lo, Hi: dims[i].hi}
		if !d.Overflow {
			for v := range dims[i].values {
				d.Values = append(d.Values, v)
			}
		}
		st.Dims = append(st.Dims, d)
	}
	return st, nil
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

// scanCells is the second pass: cells, histogram and top N.
func (s *Sweep) scanCells(p *SweepPlan) error {
	sum, mi, metric := p.Summary, p.metricColumn, p.Metric
	th := &topHeap{metric: metric}
	dimValue := func(r *SweepRow, i int) string {
		if i == len(s.Params) {
			return r.Symbol
		}
		return r.Params[i]
	}
	err := s.Scan(func(r *SweepRow) error {
		v := r.Metrics[mi]
		finite := !math.IsNaN(v) && !math.IsInf(v, 0)
		if finite {
			sum.Hist[p.HistBin(v)]++
			if th.Len() < p.TopN || rankBefore(metric, TopRow{Value: v, ConfigID: r.ConfigID, Symbol: r.Symbol}, th.rows[0]) {
				tr := TopRow{ConfigID: strings.Clone(r.ConfigID), Symbol: strings.Clone(r.Symbol), Value: v,
					Params: make([]string, len(r.Params)), Metrics: append([]float64(nil), r.Metrics...)}
				for i, x := range r.Params {
					tr.Params[i] = strings.Clone(x)
				}
				if th.Len() < p.TopN {
					heap.Push(th, tr)
				} else {
					th.rows[0] = tr
					heap.Fix(th, 0)
				}
			}
		}
		for _, f := range p.Fixed {
			if dimValue(r, f.Dim) != f.Value {
				return nil
			}
		}
		x, y := 0, 0
		if p.X != nil {
			if x = p.X.Cat(dimValue(r, p.X.Dim)); x < 0 {
				return nil
			}
		}
		if p.Y != nil {
			if y = p.Y.Cat(dimValue(r, p.Y.Dim)); y < 0 {
				return nil
			}
		}
		sum.HeatRows++
		c := &sum.Cells[y][x]
		c.N++
		if finite {
			c.Finite++
			c.Sum += v
			if better(metric, v, c.Best) {
				c.Best = v
				c.BestAt = describeRow(r, p)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	sum.Top = make([]TopRow, th.Len())
	for k := len(sum.Top) - 1; k >= 0; k-- {
		sum.Top[k] = heap.Pop(th).(TopRow)
	}
	return nil
}

// describeRow names a row for a cell tooltip: its config id, symbol and
// the values of the aggregated dimensions.
func describeRow(r *SweepRow, p *SweepPlan) string {
	var b strings.Builder
	b.WriteString(r.ConfigID)
	for _, i := range p.Free {
		if i == len(r.Params) {
			b.WriteString(" symbol=" + r.Symbol)
		} else {
			b.WriteString(" " + p.DimNames[i] + "=" + r.Params[i])
		}
	}
	return b.String()
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
