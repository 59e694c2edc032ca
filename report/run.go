package report

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/rotor-bt/rotor/engine"
)

// Run is one simulated run as a report shows it.
type Run struct {
	Title    string // default "Backtest report"
	Subtitle string // e.g. strategy and parameters

	Dates  []engine.Date // the run's bars (length T)
	Equity []float64     // V[t] (SEMANTICS §2), length T
	// CashReturns, when set, are rc[t] (index 0 unused): rolling Sharpe is
	// of r − rf as in §4. Without them rf = 0.
	CashReturns []float64

	// Benchmark is the benchmark's value on the same bars (any starting
	// level; charts rebase it to Equity[0]). Optional.
	Benchmark     []float64
	BenchmarkName string

	// PeriodsPerYear is P of §4 (default 252): the rolling window and the
	// annualization of rolling Sharpe.
	PeriodsPerYear float64

	Metrics          *engine.Metrics // the run's metrics (optional)
	BenchmarkMetrics *engine.Metrics // the benchmark's (optional)

	Trades []engine.Trade // optional

	Log         bool     // log scale for the equity chart
	Conventions []string // fill, costs, P, data source and range: printed under every table
}

// Drawdown returns 1 − V[t]/max(V[0..t]) as a negative fraction per bar
// (0 at a new high; NaN where V is NaN). Its minimum is −max_drawdown.
func Drawdown(v []float64) []float64 {
	out := make([]float64, len(v))
	peak := math.Inf(-1)
	for t, x := range v {
		if math.IsNaN(x) {
			out[t] = math.NaN()
			continue
		}
		peak = math.Max(peak, x)
		out[t] = x/peak - 1
	}
	return out
}

// RollingReturn returns V[t]/V[t−w] − 1 for t ≥ w, NaN before.
func RollingReturn(v []float64, w int) []float64 {
	out := make([]float64, len(v))
	for t := range v {
		if t < w {
			out[t] = math.NaN()
			continue
		}
		out[t] = v[t]/v[t-w] - 1
	}
	return out
}

// RollingSharpe returns, for t ≥ w, the Sharpe ratio of §4 over the w
// returns r[t−w+1..t]: mean(r−rf)/std(r−rf)·√P with ddof 1, NaN when the
// standard deviation is 0 (all excess returns equal) or any input is NaN.
// rf may be nil (zero). NaN before bar w.
func RollingSharpe(v, rf []float64, w int, P float64) []float64 {
	out := make([]float64, len(v))
	ex := make([]float64, len(v))
	for t := 1; t < len(v); t++ {
		ex[t] = v[t]/v[t-1] - 1
		if rf != nil {
			ex[t] -= rf[t]
		}
	}
	for t := range v {
		out[t] = math.NaN()
		if t < w || w < 2 {
			continue
		}
		win := ex[t-w+1 : t+1]
		var s float64
		for _, x := range win {
			s += x
		}
		mean := s / float64(w)
		var ss float64
		allEq := true
		for _, x := range win {
			d := x - mean
			ss += d * d
			if x != win[0] {
				allEq = false
			}
		}
		if allEq || math.IsNaN(ss) {
			continue
		}
		sd := math.Sqrt(ss / float64(w-1))
		if sd == 0 {
			continue
		}
		out[t] = mean / sd * math.Sqrt(P)
	}
	return out
}

// MonthlyReturns are calendar-month returns: Months[y][m-1] is the return
// from the last bar of the previous month (bar 0 for the first month) to
// the last bar of month m; NaN where the run has no bar. Year[y] compounds
// the year the same way.
type MonthlyReturns struct {
	Years  []int
	Months [][12]float64
	Year   []float64
}

// Monthly computes the calendar of monthly returns of an equity curve.
func Monthly(dates []engine.Date, v []float64) MonthlyReturns {
	var mr MonthlyReturns
	if len(dates) == 0 {
		return mr
	}
	nan := math.NaN()
	prevMonth, prevYear := v[0], v[0]
	for t := range dates {
		last := t+1 == len(dates)
		tt := dates[t].Time()
		y, m := tt.Year(), int(tt.Month())
		if len(mr.Years) == 0 || mr.Years[len(mr.Years)-1] != y {
			mr.Years = append(mr.Years, y)
			mr.Months = append(mr.Months, [12]float64{nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan})
			mr.Year = append(mr.Year, nan)
		}
		// A month (or year) whose only bar is bar 0 has no return.
		if t > 0 && (last || dates[t+1].Time().Month() != tt.Month()) {
			k := len(mr.Years) - 1
			mr.Months[k][m-1] = v[t]/prevMonth - 1
			prevMonth = v[t]
			if last || dates[t+1].Year() != y {
				mr.Year[k] = v[t]/prevYear - 1
				prevYear = v[t]
			}
		}
	}
	return mr
}

func (r *Run) periods() float64 {
	if r.PeriodsPerYear > 0 {
		return r.PeriodsPerYear
	}
	return 252
}

// validate checks that the series line up.
func (r *Run) validate() error {
	T := len(r.Dates)
	if T < 2 {
		return fmt.Errorf("report: a run needs at least 2 bars, got %d", T)
	}
	if len(r.Equity) != T {
		return fmt.Errorf("report: equity has %d values for %d dates", len(r.Equity), T)
	}
	if r.Benchmark != nil && len(r.Benchmark) != T {
		return fmt.Errorf("report: benchmark has %d values for %d dates", len(r.Benchmark), T)
	}
	if r.CashReturns != nil && len(r.CashReturns) != T {
		return fmt.Errorf("report: cash returns have %d values for %d dates", len(r.CashReturns), T)
	}
	for t := 1; t < T; t++ {
		if r.Dates[t] <= r.Dates[t-1] {
			return fmt.Errorf("report: dates not increasing at bar %d (%s after %s)", t, r.Dates[t], r.Dates[t-1])
		}
	}
	return nil
}

// rebasedBenchmark returns the benchmark scaled to start at Equity[0].
func (r *Run) rebasedBenchmark() []float64 {
	if r.Benchmark == nil {
		return nil
	}
	out := make([]float64, len(r.Benchmark))
	k := r.Equity[0] / r.Benchmark[0]
	for t, x := range r.Benchmark {
		out[t] = x * k
	}
	return out
}

// Render writes the run report: equity vs benchmark, drawdowns, rolling
// 1-year return and Sharpe, monthly returns, metrics and trades.
func (r *Run) Render(w io.Writer) error {
	if err := r.validate(); err != nil {
		return err
	}
	title := r.Title
	if title == "" {
		title = "Backtest report"
	}
	P := r.periods()
	win := int(math.Round(P))
	T := len(r.Dates)
	bname := r.BenchmarkName
	if bname == "" {
		bname = "benchmark"
	}
	p := newPage(title, r.Subtitle)
	p.conventions(r.Conventions)
	bench := r.rebasedBenchmark()

	p.h2("Equity")
	scale := "linear scale"
	if r.Log {
		scale = "log scale"
	}
	eq := &LineChart{Title: "Equity", YLabel: "equity (× initial capital)", Log: r.Log, Format: Plain,
		Series: []Series{{Name: "strategy", Dates: r.Dates, Values: r.Equity}}}
	if bench != nil {
		eq.Series = append(eq.Series, Series{Name: bname + " (rebased)", Dates: r.Dates, Values: bench})
	}
	one := r.Equity[0]
	eq.Ref = &one
	p.figure(eq.SVG(), fmt.Sprintf("Equity at the close of each bar, %s to %s, %s; final %s.",
		r.Dates[0], r.Dates[T-1], scale, formatValue(r.Equity[T-1], Plain)))

	p.h2("Drawdowns")
	dd := Drawdown(r.Equity)
	ddc := &LineChart{Title: "Drawdown", YLabel: "drawdown (% below peak)", Format: Percent,
		Series: []Series{{Name: "strategy", Dates: r.Dates, Values: dd, Fill: true}}, Height: 240}
	if bench != nil {
		ddc.Series = append(ddc.Series, Series{Name: bname, Dates: r.Dates, Values: Drawdown(bench)})
	}
	worst, worstT := 0.0, 0
	for t, x := range dd {
		if x < worst {
			worst, worstT = x, t
		}
	}
	capt := "No drawdown: the equity never fell below its running peak."
	if worst < 0 {
		capt = fmt.Sprintf("Percent below the running peak of equity (bar 0 included). Deepest: %s on %s.", Pct(-worst, 2), r.Dates[worstT])
		ddc.Markers = []Marker{{Date: r.Dates[worstT], Label: "max drawdown " + Pct(-worst, 1)}}
	}
	p.figure(ddc.SVG(), capt)

	p.h2("Rolling one-year return and Sharpe")
	if T > win {
		rr := &LineChart{Title: "Rolling return", YLabel: fmt.Sprintf("trailing %d-bar return (%%)", win), Format: Percent, Height: 260,
			Series: []Series{{Name: "strategy", Dates: r.Dates, Values: RollingReturn(r.Equity, win)}}}
		zero := 0.0
		rr.Ref = &zero
		rs := &LineChart{Title: "Rolling Sharpe", YLabel: fmt.Sprintf("trailing %d-bar Sharpe (annualized)", win), Format: Plain, Height: 260,
			Series: []Series{{Name: "strategy", Dates: r.Dates, Values: RollingSharpe(r.Equity, r.CashReturns, win, P)}}}
		rs.Ref = &zero
		if bench != nil {
			rr.Series = append(rr.Series, Series{Name: bname, Dates: r.Dates, Values: RollingReturn(bench, win)})
			rs.Series = append(rs.Series, Series{Name: bname, Dates: r.Dates, Values: RollingSharpe(bench, r.CashReturns, win, P)})
		}
		p.figure(rr.SVG(), fmt.Sprintf("Return over the trailing %d bars (one year at P = %s), from bar %d on.", win, strconv.FormatFloat(P, 'g', -1, 64), win))
		rf := "cash returns of the run"
		if r.CashReturns == nil {
			rf = "rf = 0"
		}
		p.figure(rs.SVG(), fmt.Sprintf("Sharpe ratio of SEMANTICS §4 over the trailing %d returns (%s).", win, rf))
	} else {
		p.note(fmt.Sprintf("The run has %d bars; rolling one-year figures need more than %d.", T, win))
	}

	p.h2("Monthly returns")
	p.b.WriteString(monthlyHTML(Monthly(r.Dates, r.Equity)))
	p.note("Each cell is the return from the previous month's last bar (bar 0 for the first month) to this month's last bar; the Year column compounds the year the same way.")

	p.h2("Metrics")
	p.table(r.MetricsTable())

	p.h2("Trades")
	if len(r.Trades) == 0 {
		p.note("No trades recorded for this run.")
	} else {
		for _, t := range r.TradeTables(20) {
			p.table(t)
		}
	}
	return p.finish(w, "")
}

// MetricsTable is the metrics of the run (and of the benchmark, when given)
// with the run's conventions as footer.
func (r *Run) MetricsTable() *Table {
	t := &Table{Title: "Metrics (SEMANTICS §4)", Columns: []string{"metric", "strategy"}, Footer: r.Conventions}
	if r.BenchmarkMetrics != nil {
		bn := r.BenchmarkName
		if bn == "" {
			bn = "benchmark"
		}
		t.Columns = append(t.Columns, bn)
	}
	var mv, bv []float64
	if r.Metrics != nil {
		mv = r.Metrics.Values()
	}
	if r.BenchmarkMetrics != nil {
		bv = r.BenchmarkMetrics.Values()
	}
	T := len(r.Equity)
	for i, name := range engine.MetricNames {
		var row []string
		var vals []any
		if mv != nil {
			row = []string{name, FormatMetric(name, mv[i])}
			vals = []any{name, mv[i]}
		} else if name == "total_return" && T > 0 {
			v := r.Equity[T-1]/r.Equity[0] - 1
			row = []string{name, FormatMetric(name, v)}
			vals = []any{name, v}
		} else {
			continue
		}
		if bv != nil {
			row = append(row, FormatMetric(name, bv[i]))
			vals = append(vals, bv[i])
		}
		t.Rows = append(t.Rows, row)
		t.Values = append(t.Values, vals)
	}
	return t
}

// TradeTables summarises the trades: totals, the most traded symbols and
// the last n trade dates.
func (r *Run) TradeTables(n int) []*Table {
	type agg struct {
		trades, buys, sells int
		turnover, cost      float64
	}
	bySym := map[string]*agg{}
	type day struct {
		date             engine.Date
		assets           int
		turnover, cost   float64
		buys, sells      int
		largestSym       string
		largestAbsChange float64
	}
	var days []day
	var totTurn, totCost float64
	for _, tr := range r.Trades {
		a := bySym[tr.Symbol]
		if a == nil {
			a = &agg{}
			bySym[tr.Symbol] = a
		}
		ch := tr.To - tr.From
		a.trades++
		if ch > 0 {
			a.buys++
		} else if ch < 0 {
			a.sells++
		}
		a.turnover += math.Abs(ch)
		a.cost += tr.Cost
		totTurn += math.Abs(ch)
		totCost += tr.Cost
		if len(days) == 0 || days[len(days)-1].date != tr.Date {
			days = append(days, day{date: tr.Date})
		}
		d := &days[len(days)-1]
		d.assets++
		d.turnover += math.Abs(ch)
		d.cost += tr.Cost
		if ch > 0 {
			d.buys++
		} else if ch < 0 {
			d.sells++
		}
		if math.Abs(ch) > d.largestAbsChange {
			d.largestAbsChange, d.largestSym = math.Abs(ch), tr.Symbol
		}
	}
	sum := &Table{Title: "Trades summary", Columns: []string{"trade dates", "asset trades", "symbols traded", "turnover (two-sided, Σ|Δw|)", "costs"},
		Rows:   [][]string{{strconv.Itoa(len(days)), strconv.Itoa(len(r.Trades)), strconv.Itoa(len(bySym)), Pct(totTurn, 1), formatValue(totCost, Plain)}},
		Values: [][]any{{len(days), len(r.Trades), len(bySym), totTurn, totCost}},
		Footer: append([]string{"turnover is in fractions of equity at each trade; costs in currency units (V[0] = initial capital)"}, r.Conventions...)}
	syms := make([]string, 0, len(bySym))
	for s := range bySym {
		syms = append(syms, s)
	}
	sort.Slice(syms, func(i, j int) bool {
		a, b := bySym[syms[i]], bySym[syms[j]]
		if a.turnover != b.turnover {
			return a.turnover > b.turnover
		}
		return syms[i] < syms[j]
	})
	top := &Table{Title: fmt.Sprintf("Most traded symbols (top %d by turnover)", min(n, len(syms))),
		Columns: []string{"symbol", "trades", "buys", "sells", "turnover", "costs"}, Footer: r.Conventions}
	for _, s := range syms[:min(n, len(syms))] {
		a := bySym[s]
		top.Rows = append(top.Rows, []string{s, strconv.Itoa(a.trades), strconv.Itoa(a.buys), strconv.Itoa(a.sells), Pct(a.turnover, 1), formatValue(a.cost, Plain)})
		top.Values = append(top.Values, []any{s, a.trades, a.buys, a.sells, a.turnover, a.cost})
	}
	last := &Table{Title: fmt.Sprintf("Last %d trade dates", min(n, len(days))),
		Columns: []string{"date", "assets traded", "buys", "sells", "turnover", "costs", "largest change"}, Footer: r.Conventions}
	for _, d := range days[max(0, len(days)-n):] {
		last.Rows = append(last.Rows, []string{d.date.String(), strconv.Itoa(d.assets), strconv.Itoa(d.buys), strconv.Itoa(d.sells), Pct(d.turnover, 1), formatValue(d.cost, Plain), d.largestSym + " " + Pct(d.largestAbsChange, 1)})
		last.Values = append(last.Values, []any{d.date.String(), d.assets, d.buys, d.sells, d.turnover, d.cost, d.largestSym})
	}
	return []*Table{sum, top, last}
}

var monthNames = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// monthlyHTML renders the monthly calendar as an HTML table with cells
// coloured on a diverging scale (red losses, blue gains).
func monthlyHTML(mr MonthlyReturns) string {
	m := 0.0
	for k := range mr.Years {
		for _, v := range mr.Months[k] {
			if !math.IsNaN(v) {
				m = math.Max(m, math.Abs(v))
			}
		}
	}
	if m == 0 {
		m = 0.01
	}
	cs := colorScale{lo: -m, hi: m, diverging: true}
	ys := 0.0
	for _, v := range mr.Year {
		if !math.IsNaN(v) {
			ys = math.Max(ys, math.Abs(v))
		}
	}
	if ys == 0 {
		ys = 0.01
	}
	csy := colorScale{lo: -ys, hi: ys, diverging: true}
	var b svgBuilder
	b.WriteString(`<div class="wrap"><table class="cal"><thead><tr><th>year</th>`)
	for _, n := range monthNames {
		b.WriteString("<th>" + n + "</th>")
	}
	b.WriteString("<th>Year</th></tr></thead><tbody>")
	cell := func(v float64, c colorScale, class string) {
		if math.IsNaN(v) {
			b.WriteString(`<td></td>`)
			return
		}
		b.WriteString(`<td` + class + ` style="background:` + c.color(v) + `;color:` + c.textOn(v) + `" data-value="` + floatAttr(v) + `">` + Pct(v, 1) + `</td>`)
	}
	for k, y := range mr.Years {
		if math.IsNaN(mr.Year[k]) {
			continue // only bar 0 falls in this year
		}
		b.WriteString(`<tr><th>` + strconv.Itoa(y) + `</th>`)
		for _, v := range mr.Months[k] {
			cell(v, cs, "")
		}
		cell(mr.Year[k], csy, ` class="y"`)
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table></div>\n")
	return b.String()
}

// RunOf builds a Run from a simulation on p: the equity, cash returns,
// metrics and trades of res (Config.Record for trades), and, when bench
// is given (per-bar simple returns on p's calendar, index 0 unused, as
// engine.Config.Benchmark), the benchmark's value compounded from 1.
func RunOf(p *engine.Panel, res *engine.Result, bench []float64, benchName string) *Run {
	r := &Run{Dates: p.Dates, Equity: res.Equity, CashReturns: res.CashReturns, Trades: res.Trades, BenchmarkName: benchName}
	m := res.Metrics
	r.Metrics = &m
	if bench != nil {
		b := make([]float64, len(bench))
		b[0] = 1
		for t := 1; t < len(b); t++ {
			b[t] = b[t-1]
			if x := bench[t]; !math.IsNaN(x) {
				b[t] *= 1 + x
			}
		}
		r.Benchmark = b
	}
	return r
}
