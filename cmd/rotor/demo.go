package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rotor-bt/rotor/datasets"
	"github.com/rotor-bt/rotor/datasets/tables"
	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/report"
	"github.com/rotor-bt/rotor/strategies"
)

func init() {
	register(&command{
		name:    "demo",
		summary: "the flagship study on real data: 2023 concentration, the first rate cuts, a rotation sweep",
		run:     runDemo,
	})
}

const demoSummary = `Runs the flagship study on the embedded real sample (23 US large caps,
2018-12-31..2024-03-08, with the federal funds target) in a few seconds:

  (a) the concentration of a year's return (default 2023): the K largest
      stocks' returns from adj_close, cap- vs equal-weighted universe, the
      same without them, and the share of stocks that trailed;
  (b) the first rate cuts (starts of easing cycles) in the rates data, inside
      and before the sample, with the series' date and the announcement;
  (c) a small megacap_rotation sweep around them (lag × hold × direction ×
      weighting) against the cap-weighted base, with each episode's return.

The full sweep (every parameter and metric of docs/semantics.md §4) is
written to --out (Parquet, CSV or JSON lines by extension), atomically, and
the study's HTML report (charts and tables, no network needed) beside it
with the extension .html.
The data flags run the same study on other data.

Examples:
  rotor demo
  rotor demo --out demo.csv --cost-bps 0
  rotor demo --year 2021 --k 5 --format md`

// demoPoint is one point of the demo's sweep.
type demoPoint struct {
	Params  engine.Params
	Q       strategies.MegacapParams
	Metrics engine.Metrics
	Equity  []float64 // the run's equity curve (engine.Simulate)
	// The first in-sample event's episode: the switch and exit bars
	// (exit = the last bar when it falls after it; -1: no switch), the
	// rotated book's return over them and the base's over the same bars.
	Switch, Exit        int
	EpisodeRet, BaseRet float64
}

// demoData is everything the demo computes: the tables it prints and the
// series a report draws (see Study).
type demoData struct {
	Panel  *engine.Panel
	Info   *datasets.Info
	Config engine.Config

	Concentration *engine.Concentration
	Cuts          strategies.RotationEvents // first cuts: on bars, before, after
	Announced     map[engine.Date]engine.Date

	Base       engine.Metrics
	BaseEquity []float64
	BaseParams engine.Params
	Points     []demoPoint
	Headline   int // the point a report draws (lag 0, hold 252, out, equal when present)

	SizeSource  string
	Conventions []string
	Tables      []*report.Table // concentration summary, top K, events, sweep
	ResultsPath string
}

// demoGrid is the sweep around the events.
var demoGrid = struct {
	lags, holds []int
	directions  []string
	weightings  []string
}{[]int{0, 21, 63}, []int{63, 126, 252}, []string{"out", "into"}, []string{"equal", "cap"}}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "[flags]", demoSummary, stdout)
	out := fs.String("out", "rotor-demo.parquet", "write the full sweep to `FILE` (.parquet, .csv or .jsonl)")
	year := fs.Int("year", 2023, "calendar `YEAR` of the concentration table")
	k := fs.Int("k", 7, "number of mega-caps `K` (concentration and rotation)")
	cost := fs.Float64("cost-bps", 5, "proportional cost per unit of two-sided turnover, `bps`")
	format := fs.String("format", "table", "output format of the printed tables: table|md")
	df := addDataFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("demo: unexpected argument %q", fs.Arg(0))
	}
	switch {
	case *k < 1:
		return usagef("demo: --k %d: want a whole number ≥ 1", *k)
	case *year < 1900 || *year > 2200:
		return usagef("demo: --year %d: want a calendar year such as 2023", *year)
	case !(*cost >= 0) || math.IsInf(*cost, 0):
		return usagef("demo: --cost-bps %v: want a finite number ≥ 0", *cost)
	case *format != "table" && *format != "md" && *format != "markdown":
		return usagef("demo: --format %q: want table|md", *format)
	}
	if _, err := tables.FormatOf(*out); err != nil {
		return usagef("demo: --out: %v", err)
	}
	start := time.Now()
	p, info, err := df.load(ctx, stderr)
	if err != nil {
		return err
	}
	cfg := engine.DefaultConfig()
	cfg.CostBps = *cost
	d, err := buildDemo(ctx, p, info, cfg, *year, *k)
	if err != nil {
		return err
	}
	if err := d.writeResults(*out); err != nil {
		return err
	}
	d.ResultsPath = *out
	d.Tables[len(d.Tables)-1].Footer = append(d.Tables[len(d.Tables)-1].Footer,
		fmt.Sprintf("full results (%d points, every parameter and metric): %s", len(d.Points), *out))
	for j, t := range d.Tables {
		if j > 0 {
			if _, err := io.WriteString(stdout, "\n"); err != nil {
				return err
			}
		}
		if err := t.Write(stdout, *format); err != nil {
			return err
		}
	}
	// The report (charts of the study) goes beside the results.
	html := strings.TrimSuffix(*out, filepath.Ext(*out)) + ".html"
	if err := report.WriteFile(html, d.Study().Render); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "demo: done in %.1f s; results in %s\n", time.Since(start).Seconds(), *out)
	fmt.Fprintf(stderr, "demo: report in %s\n", html)
	return nil
}

// buildDemo computes the study on p.
func buildDemo(ctx context.Context, p *engine.Panel, info *datasets.Info, cfg engine.Config, year, k int) (*demoData, error) {
	d := &demoData{Panel: p, Info: info, Config: cfg}
	c, err := engine.ComputeConcentration(p, year, k)
	if err != nil {
		return nil, err
	}
	d.Concentration = c
	summary, stocks := concentrationTables(c, info, false)
	d.Tables = append(d.Tables, summary, stocks)

	if d.Cuts, err = strategies.FindRotationEvents(p, engine.FirstCut); err != nil {
		return nil, err
	}
	d.Announced = fedAnnouncements(p.Rates(), info)
	d.Tables = append(d.Tables, d.eventsTable())

	if err := d.sweep(ctx, k); err != nil {
		return nil, err
	}
	d.Tables = append(d.Tables, d.sweepTable(k))
	return d, nil
}

// fedAnnouncements maps the dates of the federal funds target series to
// the FOMC announcement: from the March 2017 change on, the series dates a
// change on the day it took effect, the day after the statement (the cut
// announced 2019-07-31 is dated 2019-08-01); before, on the announcement
// day. Only the embedded sample's rates are known to be that series: for
// other rates the map is nil.
func fedAnnouncements(r *engine.Rates, info *datasets.Info) map[engine.Date]engine.Date {
	if r == nil || info == nil || info.RatesFile != datasets.SampleRatesName {
		return nil
	}
	out := map[engine.Date]engine.Date{}
	from := engine.DateOf(2017, time.March, 16)
	for j := 1; j < len(r.Dates); j++ {
		if r.Pct[j] == r.Pct[j-1] {
			continue
		}
		d := r.Dates[j]
		if d >= from {
			out[d] = d - 1
		} else {
			out[d] = d
		}
	}
	return out
}

func (d *demoData) eventsTable() *report.Table {
	p := d.Panel
	name := p.Rates().Name
	t := &report.Table{
		Title:   fmt.Sprintf("First rate cuts (starts of easing cycles) in %s", name),
		Columns: []string{"series date", "announced", "from", "to", "in the sample"},
	}
	row := func(e engine.Event, where string) {
		ann := "—"
		if a, ok := d.Announced[e.Date]; ok {
			ann = a.String()
		}
		t.Rows = append(t.Rows, []string{e.Date.String(), ann, report.Num(e.From, 2) + "%", report.Num(e.To, 2) + "%", where})
	}
	// The 1980s target moved in 1/16-point steps, so the rule finds many
	// short cycles there: they are listed in the footer, not as rows.
	modern := engine.DateOf(1990, time.January, 1)
	var early []engine.Event
	for _, e := range d.Cuts.Before {
		if e.Date < modern {
			early = append(early, e)
			continue
		}
		row(e, "before the first bar: ignored")
	}
	for j, e := range d.Cuts.Events {
		row(e, fmt.Sprintf("bar %d (%s)", d.Cuts.Bars[j], p.Dates[d.Cuts.Bars[j]]))
	}
	for _, e := range d.Cuts.After {
		row(e, "after the last bar")
	}
	t.Footer = []string{
		"a first cut is a decrease with at least one increase since the previous decrease (docs/semantics.md §7); it is carried by the first bar dated on or after it",
	}
	if len(early) > 0 {
		t.Footer = append(t.Footer, fmt.Sprintf("also %d first cuts before 1990, before the first bar and ignored: %s", len(early), joinEventDates(early)))
	}
	if d.Announced != nil {
		t.Footer = append(t.Footer, "the federal funds target series dates a change on the day it took effect: from March 2017 the day after the FOMC statement (the cut announced 2019-07-31 is dated 2019-08-01), earlier the announcement day")
	}
	return t
}

// sweep runs the grid through the strategy's evaluator (the shared fast
// path) and simulates each point once more for its equity curve.
func (d *demoData) sweep(ctx context.Context, k int) error {
	p, cfg := d.Panel, d.Config
	spec, err := strategies.Lookup("megacap_rotation")
	if err != nil {
		return err
	}
	base, err := strategies.Lookup("cap_weight")
	if err != nil {
		return err
	}
	if d.BaseParams, err = base.Parse(map[string]string{"rebalance": "monthly"}); err != nil {
		return err
	}
	bs, err := base.New(d.BaseParams)
	if err != nil {
		return err
	}
	bres, err := engine.Simulate(p, bs, cfg)
	if err != nil {
		return fmt.Errorf("cap_weight %s: %w", d.BaseParams, err)
	}
	d.Base, d.BaseEquity = bres.Metrics, bres.Equity
	// The base is the benchmark of every point (beta, alpha, tracking
	// error, information ratio and excess CAGR are relative to it).
	cfg.Benchmark = bres.Returns
	d.Config = cfg
	if n, ok := bs.(strategies.Noter); ok {
		d.SizeSource = sizeSourceOf(n)
	}

	var pts []engine.Params
	for _, dir := range demoGrid.directions {
		for _, wt := range demoGrid.weightings {
			for _, lag := range demoGrid.lags {
				for _, hold := range demoGrid.holds {
					ps, err := spec.Parse(map[string]string{
						"k": strconv.Itoa(k), "lag": strconv.Itoa(lag), "hold": strconv.Itoa(hold),
						"direction": dir, "weighting": wt, "rebalance": "monthly", "exit": "days", "trigger": "first_cut",
					})
					if err != nil {
						return err
					}
					pts = append(pts, ps)
				}
			}
		}
	}
	ms := make([]engine.Metrics, len(pts))
	if err := spec.Evaluator(p, cfg).Evaluate(pts, nil, ms); err != nil {
		return err
	}
	T := p.T()
	d.Headline = 0
	for j, ps := range pts {
		if err := ctx.Err(); err != nil {
			return err
		}
		q, err := strategies.ParseMegacapParams(ps)
		if err != nil {
			return err
		}
		st, err := spec.New(ps)
		if err != nil {
			return err
		}
		res, err := engine.Simulate(p, st, cfg)
		if err != nil {
			return fmt.Errorf("megacap_rotation %s: %w", ps, err)
		}
		pt := demoPoint{Params: ps, Q: q, Metrics: ms[j], Equity: res.Equity, Switch: -1, Exit: -1,
			EpisodeRet: math.NaN(), BaseRet: math.NaN()}
		if len(d.Cuts.Bars) > 0 {
			if s := d.Cuts.Bars[0] + q.Lag; s < T-1 {
				x := min(s+q.Hold, T-1)
				pt.Switch, pt.Exit = s, x
				pt.EpisodeRet = res.Equity[x]/res.Equity[s] - 1
				pt.BaseRet = d.BaseEquity[x]/d.BaseEquity[s] - 1
			}
		}
		if q.Lag == 0 && q.Hold == 252 && !q.Into && !q.CapWeight {
			d.Headline = j
		}
		d.Points = append(d.Points, pt)
	}
	d.Conventions = d.conventions(k)
	return nil
}

// sizeSourceOf reads the size line a strategy notes.
func sizeSourceOf(n strategies.Noter) string {
	for _, s := range n.Notes() {
		if len(s) > 6 && s[:6] == "size: " {
			return s
		}
	}
	return ""
}

func (d *demoData) conventions(k int) []string {
	p := d.Panel
	event := "no first cut inside the sample: every point holds the base"
	if len(d.Cuts.Bars) > 0 {
		b := d.Cuts.Bars[0]
		event = fmt.Sprintf("episode columns: the first cut inside the sample, %s (bar %d); switch at the close lag bars later, exit hold bars after the switch (or the last bar)", p.Dates[b], b)
	}
	lines := []string{
		fmt.Sprintf("rotation: megacap_rotation k=%d (largest by size, re-ranked on every decision bar), trigger first_cut, exit days, rebalance monthly; base: cap_weight rebalance monthly", k),
		event,
		"conventions: " + d.Config.Describe() + "; benchmark: the base",
		"data: " + d.Info.Source() + "; returns use " + p.PriceField().String(),
	}
	if d.SizeSource != "" {
		lines = append(lines, d.SizeSource)
	}
	lines = append(lines, engine.DescribeCash(p, d.Config, nil))
	return lines
}

func (d *demoData) sweepTable(k int) *report.Table {
	p := d.Panel
	t := &report.Table{
		Title: fmt.Sprintf("Rotation around the first cut: %d points vs the cap-weighted base", len(d.Points)),
		Columns: []string{"direction", "weighting", "lag", "hold", "switch", "exit",
			"episode", "base episode", "difference", "total return", "vs base", "sharpe", "max drawdown"},
		Footer: d.Conventions,
	}
	date := func(b int) string {
		if b < 0 {
			return "—"
		}
		return p.Dates[b].String()
	}
	t.Rows = append(t.Rows, []string{"base", "cap", "", "", "", "", "", "", "",
		signedPct(d.Base.TotalReturn), "", report.Num(d.Base.Sharpe, 3), report.Pct(d.Base.MaxDrawdown, 2)})
	for _, pt := range d.Points {
		dir, wt := "out", "equal"
		if pt.Q.Into {
			dir = "into"
		}
		if pt.Q.CapWeight {
			wt = "cap"
		}
		t.Rows = append(t.Rows, []string{dir, wt, strconv.Itoa(pt.Q.Lag), strconv.Itoa(pt.Q.Hold),
			date(pt.Switch), date(pt.Exit),
			signedPct(pt.EpisodeRet), signedPct(pt.BaseRet), signedPct(pt.EpisodeRet - pt.BaseRet),
			signedPct(pt.Metrics.TotalReturn), signedPct(pt.Metrics.TotalReturn - d.Base.TotalReturn),
			report.Num(pt.Metrics.Sharpe, 3), report.Pct(pt.Metrics.MaxDrawdown, 2)})
	}
	return t
}

// writeResults writes every point with its parameters, episode and
// metrics to path (format by extension), atomically.
func (d *demoData) writeResults(path string) error {
	spec, err := strategies.Lookup("megacap_rotation")
	if err != nil {
		return err
	}
	cols := []tables.Column{{Name: "config_id", Type: tables.String}}
	for _, ps := range spec.Params {
		typ := tables.String
		if ps.Kind == engine.IntParam || ps.Kind == engine.BarsParam {
			typ = tables.Int64
		}
		cols = append(cols, tables.Column{Name: ps.Name, Type: typ})
	}
	cols = append(cols,
		tables.Column{Name: "switch_date", Type: tables.Date}, tables.Column{Name: "exit_date", Type: tables.Date},
		tables.Column{Name: "episode_return", Type: tables.Float64}, tables.Column{Name: "base_episode_return", Type: tables.Float64})
	for _, m := range engine.MetricNames {
		cols = append(cols, tables.Column{Name: m, Type: tables.Float64})
	}
	meta := map[string]string{
		"strategy":            "megacap_rotation",
		"base":                "cap_weight " + d.BaseParams.String(),
		"data":                d.Info.Source(),
		"data_fingerprint":    fingerprint(d.Info),
		"conventions":         joinLines(d.Conventions),
		"rotor_version":       version(),
		"base_total_return":   strconv.FormatFloat(d.Base.TotalReturn, 'g', -1, 64),
		"first_cuts_in_range": joinEventDates(d.Cuts.Events),
	}
	w, err := tables.Create(path, cols, meta)
	if err != nil {
		return err
	}
	row := make([]any, 0, len(cols))
	for _, pt := range d.Points {
		row = append(row[:0], engine.ConfigID("megacap_rotation", pt.Params))
		for _, prm := range pt.Params {
			if prm.Value.Kind == engine.IntParam || prm.Value.Kind == engine.BarsParam {
				row = append(row, prm.Value.I)
			} else {
				row = append(row, prm.Value.String())
			}
		}
		var sw, ex any
		if pt.Switch >= 0 {
			sw, ex = d.Panel.Dates[pt.Switch], d.Panel.Dates[pt.Exit]
		}
		row = append(row, sw, ex, pt.EpisodeRet, pt.BaseRet)
		for _, v := range pt.Metrics.Values() {
			row = append(row, v)
		}
		if err := w.Write(row); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Close()
}

func joinLines(ls []string) string {
	s := ""
	for j, l := range ls {
		if j > 0 {
			s += "\n"
		}
		s += l
	}
	return s
}

func joinEventDates(ev []engine.Event) string {
	s := ""
	for j, e := range ev {
		if j > 0 {
			s += ", "
		}
		s += e.Date.String()
	}
	if s == "" {
		return "none"
	}
	return s
}

// Study returns the demo as the flagship-study report draws it: the rate
// path with its first cuts, the base and the headline rotation's equity,
// and the demo's tables and conventions.
func (d *demoData) Study() *report.Study {
	var ev []engine.Event
	ev = append(ev, d.Cuts.Before...)
	ev = append(ev, d.Cuts.Events...)
	ev = append(ev, d.Cuts.After...)
	s := &report.Study{
		Subtitle:    "embedded sample: " + d.Info.Source(),
		Rates:       d.Panel.Rates(),
		Events:      ev,
		Dates:       d.Panel.Dates,
		Base:        d.BaseEquity,
		BaseName:    "base (cap weight, monthly)",
		Tables:      d.Tables,
		Conventions: d.Conventions,
	}
	if len(d.Points) > 0 {
		h := d.Points[d.Headline]
		s.Rotated = h.Equity
		s.RotatedName = "rotated (" + h.Params.String() + ")"
		s.Lag, s.Hold = h.Q.Lag, h.Q.Hold
	}
	return s
}
