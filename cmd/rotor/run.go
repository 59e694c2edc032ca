package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/rotor-bt/rotor/datasets"
	"github.com/rotor-bt/rotor/datasets/tables"
	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/report"
	"github.com/rotor-bt/rotor/strategies"
)

func init() {
	register(&command{
		name:    "run",
		summary: "run one strategy with given parameters; print its metrics, write its curve and trades",
		run:     runRun,
	})
}

const runSummary = `Simulates one strategy with the given parameters on a dataset (default: the
embedded sample with the fed funds target as the cash rate) and prints the
metrics of docs/semantics.md §4 with the conventions they were made with.

With --out FILE the run is also written, atomically (nothing appears on error):
  FILE.json                       one JSON document: conventions, metrics, curve,
                                  trades, weights at trades
  FILE.csv | FILE.parquet         the curve (date, equity, return, cash_return,
                                  benchmark_return, drawdown), and beside it
                                  FILE-stem.trades.EXT (date, bar, symbol, from_weight,
                                  to_weight, cost), FILE-stem.metrics.EXT (metric, value),
                                  FILE-stem.weights.EXT (date, bar, symbol, weight: the
                                  non-zero target weights of every trade)
With --per-asset the strategy runs on each symbol alone and the table (and
--out, metrics only) has one row per symbol.

Examples:
  rotor run buy_hold --symbols SPY
  rotor run sma_cross --param fast=20 --param slow=100 --symbols AAPL --benchmark AAPL
  rotor run equal_weight --param rebalance=monthly --cost-bps 5 --out ew.parquet`

// simFlags are the flags that set the conventions of a simulation
// (engine.Config) and its benchmark; every command that simulates takes
// them.
type simFlags struct {
	fill                                   *string
	cost, spread, fixed, capital, ppy, lev *float64
	bench                                  *string
}

// addSimFlags registers --fill, --cost-bps, --spread-bps, --fixed-cost,
// --capital, --periods-per-year, --max-leverage and --benchmark on fs.
func addSimFlags(fs *pflag.FlagSet) *simFlags {
	def := engine.DefaultConfig()
	return &simFlags{
		fill:    fs.String("fill", def.Fill.String(), "when a decision at the close of bar t trades: close|next-close|next-open"),
		cost:    fs.Float64("cost-bps", 0, "proportional cost per unit of two-sided turnover, `bps`"),
		spread:  fs.Float64("spread-bps", 0, "bid-ask spread, `bps`; half of it is paid on each unit traded"),
		fixed:   fs.Float64("fixed-cost", 0, "fixed cost per asset traded, in units of the initial capital"),
		capital: fs.Float64("capital", def.InitialCapital, "initial capital V[0] (ratios do not depend on it)"),
		ppy:     fs.Float64("periods-per-year", def.PeriodsPerYear, "periods per year `P` for annualizing and the cash rate"),
		lev:     fs.Float64("max-leverage", def.MaxLeverage, "largest allowed gross exposure Σ|w| (a strategy exceeding it is an error)"),
		bench:   fs.String("benchmark", "equal", "benchmark for beta, alpha, tracking error, information ratio: "+engine.BenchmarkNames),
	}
}

// config returns the conventions the flags set; invalid values are usage
// errors naming the flag's rule.
func (f *simFlags) config() (engine.Config, error) {
	cfg := engine.DefaultConfig()
	var err error
	if cfg.Fill, err = engine.ParseFill(*f.fill); err != nil {
		return cfg, usagef("--fill: %v", err)
	}
	cfg.CostBps, cfg.SpreadBps, cfg.FixedCost = *f.cost, *f.spread, *f.fixed
	cfg.InitialCapital, cfg.PeriodsPerYear, cfg.MaxLeverage = *f.capital, *f.ppy, *f.lev
	if err := cfg.Validate(); err != nil {
		return cfg, usageError{err}
	}
	return cfg, nil
}

// benchmark sets cfg.Benchmark to the --benchmark series on p and returns
// its label for footers; an unknown symbol or a missing size is a usage
// error.
func (f *simFlags) benchmark(p *engine.Panel, cfg *engine.Config) (string, error) {
	b, label, err := engine.BenchmarkSeries(p, *f.bench)
	if err != nil {
		return "", usagef("--benchmark: %v", err)
	}
	cfg.Benchmark = b
	return label, nil
}

// runOptions are the parsed flags of rotor run.
type runOptions struct {
	spec     *strategies.Spec
	params   engine.Params
	cfg      engine.Config
	perAsset bool
	format   string
	out      string
	outFmt   tables.Format // for .csv and .parquet
}

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", "STRATEGY [--param name=value ...] [flags]", runSummary, stdout)
	params := fs.StringArray("param", nil, "strategy parameter `name=value` (repeatable; rotor strategies NAME lists them)")
	df := addDataFlags(fs)
	sf := addSimFlags(fs)
	checkCausal := fs.Bool("check-causal", false, "first verify that the strategy's decisions do not change when later data is hidden (engine.CheckCausal)")
	perAsset := fs.Bool("per-asset", false, "run the strategy on each symbol alone, one row per symbol")
	format := fs.String("format", "table", "output format: "+report.Formats)
	out := fs.String("out", "", "also write the run to `FILE` (.json, .csv or .parquet)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("run: want one strategy name, got %d arguments (valid strategies: %s)", fs.NArg(), strings.Join(strategies.Names(), ", "))
	}
	o := runOptions{perAsset: *perAsset, format: *format, out: *out}
	var err error
	if o.spec, err = strategies.Lookup(fs.Arg(0)); err != nil {
		return usageError{err}
	}
	kv := map[string]string{}
	for _, p := range *params {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return usagef("--param %q: want name=value", p)
		}
		if _, dup := kv[k]; dup {
			return usagef("--param %s given twice", k)
		}
		kv[k] = v
	}
	if o.params, err = o.spec.Parse(kv); err != nil {
		return usageError{err}
	}
	if o.cfg, err = sf.config(); err != nil {
		return err
	}
	if err := (&report.Table{}).Write(io.Discard, o.format); err != nil {
		return usagef("--format: %v", err)
	}
	if o.out != "" {
		switch ext := strings.ToLower(filepath.Ext(o.out)); ext {
		case ".json":
		case ".csv", ".parquet":
			o.outFmt, _ = tables.FormatOf(o.out)
		default:
			return usagef("--out %s: unknown extension %q: want .json, .csv or .parquet", o.out, ext)
		}
	}

	p, info, err := df.load(ctx, stderr)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	benchLabel, err := sf.benchmark(p, &o.cfg)
	if err != nil {
		return err
	}
	if *checkCausal {
		mk := func() (engine.Strategy, error) { return o.spec.New(o.params) }
		if err := engine.CheckCausal(p, mk, nil); err != nil {
			return fmt.Errorf("%s: %w", runTitle(&o), err)
		}
		fmt.Fprintln(stderr, "run: causal check passed: decisions on 9 bars unchanged with the data after each hidden")
	}
	if o.perAsset {
		return runPerAsset(ctx, &o, p, info, benchLabel, stdout, stderr)
	}
	o.cfg.Record = true // one run: the trades list is cheap and the footer counts it
	st, err := o.spec.New(o.params)
	if err != nil {
		return fmt.Errorf("%s: %w", runTitle(&o), err)
	}
	res, err := engine.Simulate(p, st, o.cfg)
	if err != nil {
		return fmt.Errorf("%s: %w", runTitle(&o), err)
	}
	footer := runFooter(&o, p, info, benchLabel, res)
	t := metricsTable(&o, res.Metrics, footer)
	if err := t.Write(stdout, o.format); err != nil {
		return err
	}
	if o.out == "" {
		return nil
	}
	if err := writeRun(&o, p, res, footer, runMeta(&o, info, footer)); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "run: wrote %s\n", strings.Join(runOutPaths(&o), ", "))
	return nil
}

// runFooter lists the conventions of a run for the table's footer.
func runFooter(o *runOptions, p *engine.Panel, info *datasets.Info, benchLabel string, res *engine.Result) []string {
	lines := []string{
		fmt.Sprintf("strategy: %s (config %s)", runTitle(o), engine.ConfigID(o.spec.Name, o.params)),
		"conventions: " + o.cfg.Describe(),
		"data: " + info.Source() + "; returns use " + p.PriceField().String(),
		engine.DescribeCash(p, o.cfg, res),
		"benchmark: " + benchLabel,
	}
	lines = append(lines, strategyNotes(o.spec, p, o.params)...)
	if res != nil {
		lines = append(lines, fmt.Sprintf("%d rebalances changing %d positions; %d delisted or unfillable positions sold at their last price",
			len(res.TradeBars), len(res.Trades), res.Delistings))
	}
	return lines
}

// strategyNotes are the strategy's own lines for a footer (e.g. which
// size measure it ranks by), prefixed with its name. A strategy that
// cannot prepare on p has none: its run reports that error itself.
func strategyNotes(spec *strategies.Spec, p *engine.Panel, ps engine.Params) []string {
	notes, err := spec.Notes(p, ps)
	if err != nil {
		return nil
	}
	out := make([]string, len(notes))
	for i, n := range notes {
		out[i] = spec.Name + ": " + n
	}
	return out
}

// metricCell formats one metric for people: fractions as percentages,
// ratios with three decimals, durations in whole bars.
func metricCell(name string, v float64) string {
	switch name {
	case "total_return", "cagr", "volatility", "max_drawdown", "costs", "exposure", "alpha", "tracking_error", "excess_cagr":
		return report.Pct(v, 2)
	case "max_drawdown_days":
		if math.IsNaN(v) {
			return "NaN"
		}
		return strconv.FormatFloat(v, 'f', 0, 64)
	case "turnover":
		return report.Num(v, 2)
	}
	return report.Num(v, 3)
}

// runTitle names the strategy and its parameters.
func runTitle(o *runOptions) string {
	if len(o.params) == 0 {
		return o.spec.Name
	}
	return o.spec.Name + " " + o.params.String()
}

// metricsTable is the metric | value table of one run.
func metricsTable(o *runOptions, m engine.Metrics, footer []string) *report.Table {
	t := &report.Table{
		Title:   runTitle(o),
		Columns: []string{"metric", "value"},
		Footer:  footer,
	}
	for k, v := range m.Values() {
		name := engine.MetricNames[k]
		t.Rows = append(t.Rows, []string{name, metricCell(name, v)})
		t.Values = append(t.Values, []any{name, v})
	}
	return t
}

// runPerAsset runs the strategy on each symbol alone.
func runPerAsset(ctx context.Context, o *runOptions, p *engine.Panel, info *datasets.Info, benchLabel string, stdout, stderr io.Writer) error {
	t := &report.Table{
		Title:   runTitle(o) + ", per asset",
		Columns: append([]string{"symbol"}, engine.MetricNames...),
		Footer:  runFooter(o, p, info, benchLabel, nil),
	}
	t.Footer = append(t.Footer, "each symbol runs alone on the whole calendar; bars before its first price are spent in cash")
	for i, sym := range p.Symbols {
		if err := ctx.Err(); err != nil {
			return err
		}
		st, err := o.spec.New(o.params)
		if err != nil {
			return fmt.Errorf("%s: %w", runTitle(o), err)
		}
		res, err := engine.Simulate(p.Asset(i), st, o.cfg)
		if err != nil {
			return fmt.Errorf("%s on %s: %w", runTitle(o), sym, err)
		}
		row, vals := []string{sym}, []any{sym}
		for k, v := range res.Metrics.Values() {
			row = append(row, metricCell(engine.MetricNames[k], v))
			vals = append(vals, v)
		}
		t.Rows = append(t.Rows, row)
		t.Values = append(t.Values, vals)
	}
	if err := t.Write(stdout, o.format); err != nil {
		return err
	}
	if o.out == "" {
		return nil
	}
	meta := runMeta(o, info, t.Footer)
	if o.outFmt == 0 {
		var buf strings.Builder
		if err := t.WriteJSON(&buf); err != nil {
			return err
		}
		if err := writeAtomic(o.out, []byte(buf.String())); err != nil {
			return err
		}
	} else {
		cols := []tables.Column{{Name: "symbol", Type: tables.String}}
		for _, n := range engine.MetricNames {
			cols = append(cols, tables.Column{Name: n, Type: tables.Float64})
		}
		w, err := tables.Create(o.out, cols, meta)
		if err != nil {
			return err
		}
		for _, row := range t.Values {
			if err := w.Write(row); err != nil {
				w.Abort()
				return err
			}
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "run: wrote %s\n", o.out)
	return nil
}

// runMeta is the key-value metadata stored with written results.
func runMeta(o *runOptions, info *datasets.Info, footer []string) map[string]string {
	return map[string]string{
		"strategy":    o.spec.Name,
		"params":      o.params.String(),
		"config_id":   engine.ConfigID(o.spec.Name, o.params),
		"conventions": strings.Join(footer, "\n"),
		"fingerprint": fingerprint(info),
		"version":     version(),
	}
}

// runOutPaths are the files --out writes: the curve (or the JSON document),
// then the trades and metrics tables beside it.
func runOutPaths(o *runOptions) []string {
	if o.outFmt == 0 {
		return []string{o.out}
	}
	ext := filepath.Ext(o.out)
	stem := strings.TrimSuffix(o.out, ext)
	return []string{o.out, stem + ".trades" + ext, stem + ".metrics" + ext, stem + ".weights" + ext}
}

// curveRow returns the curve's row for bar t: date, equity, return,
// cash return, benchmark return, drawdown.
func curveRows(p *engine.Panel, res *engine.Result, bench []float64) [][6]any {
	rows := make([][6]any, p.T())
	peak := math.Inf(-1)
	for t := range rows {
		v := res.Equity[t]
		peak = math.Max(peak, v)
		b := math.NaN()
		if bench != nil && t > 0 {
			b = bench[t]
		}
		rows[t] = [6]any{p.Dates[t], v, res.Returns[t], res.CashReturns[t], b, 1 - v/peak}
	}
	return rows
}

var (
	curveColumns = []tables.Column{
		{Name: "date", Type: tables.Date}, {Name: "equity", Type: tables.Float64},
		{Name: "return", Type: tables.Float64}, {Name: "cash_return", Type: tables.Float64},
		{Name: "benchmark_return", Type: tables.Float64}, {Name: "drawdown", Type: tables.Float64},
	}
	tradeColumns = []tables.Column{
		{Name: "date", Type: tables.Date}, {Name: "bar", Type: tables.Int64}, {Name: "symbol", Type: tables.String},
		{Name: "from_weight", Type: tables.Float64}, {Name: "to_weight", Type: tables.Float64}, {Name: "cost", Type: tables.Float64},
	}
	metricColumns = []tables.Column{{Name: "metric", Type: tables.String}, {Name: "value", Type: tables.Float64}}
	weightColumns = []tables.Column{
		{Name: "date", Type: tables.Date}, {Name: "bar", Type: tables.Int64},
		{Name: "symbol", Type: tables.String}, {Name: "weight", Type: tables.Float64},
	}
)

// writeRun writes the run to o.out: all files appear, or none.
func writeRun(o *runOptions, p *engine.Panel, res *engine.Result, footer []string, meta map[string]string) error {
	if o.outFmt == 0 {
		return writeRunJSON(o, p, res, footer)
	}
	paths := runOutPaths(o)
	var ws []*tables.Writer
	abort := func(err error) error {
		for _, w := range ws {
			w.Abort()
		}
		return err
	}
	for k, cols := range [][]tables.Column{curveColumns, tradeColumns, metricColumns, weightColumns} {
		m := map[string]string{"table": []string{"curve", "trades", "metrics", "weights"}[k]}
		for key, v := range meta {
			m[key] = v
		}
		w, err := tables.Create(paths[k], cols, m)
		if err != nil {
			return abort(err)
		}
		ws = append(ws, w)
	}
	for _, r := range curveRows(p, res, o.cfg.Benchmark) {
		if err := ws[0].Write(r[:]); err != nil {
			return abort(err)
		}
	}
	for _, tr := range res.Trades {
		if err := ws[1].Write([]any{tr.Date, tr.Bar, tr.Symbol, tr.From, tr.To, tr.Cost}); err != nil {
			return abort(err)
		}
	}
	for k, v := range res.Metrics.Values() {
		if err := ws[2].Write([]any{engine.MetricNames[k], v}); err != nil {
			return abort(err)
		}
	}
	for k, bar := range res.TradeBars {
		for i, x := range res.Weights[k] {
			if x == 0 {
				continue
			}
			if err := ws[3].Write([]any{p.Dates[bar], bar, p.Symbols[i], x}); err != nil {
				return abort(err)
			}
		}
	}
	// Close renames each file into place; if a later one fails, remove the
	// earlier ones so that no partial set is left.
	for k, w := range ws {
		if err := w.Close(); err != nil {
			for _, done := range paths[:k] {
				os.Remove(done)
				os.Remove(tables.SidecarPath(done))
			}
			return abort(err)
		}
	}
	return nil
}

// jsonNum is a float for JSON: NaN and ±Inf are null.
func jsonNum(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// writeRunJSON writes one JSON document with everything about the run.
func writeRunJSON(o *runOptions, p *engine.Panel, res *engine.Result, footer []string) error {
	type point struct {
		Date      string   `json:"date"`
		Equity    *float64 `json:"equity"`
		Return    *float64 `json:"return"`
		Cash      *float64 `json:"cash_return"`
		Benchmark *float64 `json:"benchmark_return"`
		Drawdown  *float64 `json:"drawdown"`
	}
	type trade struct {
		Date   string   `json:"date"`
		Bar    int      `json:"bar"`
		Symbol string   `json:"symbol"`
		From   *float64 `json:"from_weight"`
		To     *float64 `json:"to_weight"`
		Cost   *float64 `json:"cost"`
	}
	type weights struct {
		Date    string             `json:"date"`
		Bar     int                `json:"bar"`
		Weights map[string]float64 `json:"weights"`
	}
	doc := struct {
		Strategy    string              `json:"strategy"`
		Params      map[string]any      `json:"params"`
		ConfigID    string              `json:"config_id"`
		Conventions []string            `json:"conventions"`
		Metrics     map[string]*float64 `json:"metrics"`
		Delistings  int                 `json:"delistings"`
		NoRateBars  int                 `json:"no_rate_bars"`
		Curve       []point             `json:"curve"`
		Trades      []trade             `json:"trades"`
		Weights     []weights           `json:"weights"`
	}{
		Strategy: o.spec.Name, ConfigID: engine.ConfigID(o.spec.Name, o.params), Conventions: footer,
		Params: map[string]any{}, Metrics: map[string]*float64{},
		Delistings: res.Delistings, NoRateBars: res.NoRateBars, Trades: []trade{},
	}
	for _, ps := range o.params {
		doc.Params[ps.Name] = paramJSON(ps.Value)
	}
	for k, v := range res.Metrics.Values() {
		doc.Metrics[engine.MetricNames[k]] = jsonNum(v)
	}
	for _, r := range curveRows(p, res, o.cfg.Benchmark) {
		doc.Curve = append(doc.Curve, point{r[0].(engine.Date).String(), jsonNum(r[1].(float64)), jsonNum(r[2].(float64)),
			jsonNum(r[3].(float64)), jsonNum(r[4].(float64)), jsonNum(r[5].(float64))})
	}
	for _, tr := range res.Trades {
		doc.Trades = append(doc.Trades, trade{tr.Date.String(), tr.Bar, tr.Symbol, jsonNum(tr.From), jsonNum(tr.To), jsonNum(tr.Cost)})
	}
	doc.Weights = []weights{}
	for k, bar := range res.TradeBars {
		w := weights{Date: p.Dates[bar].String(), Bar: bar, Weights: map[string]float64{}}
		for i, x := range res.Weights[k] {
			if x != 0 {
				w.Weights[p.Symbols[i]] = x
			}
		}
		doc.Weights = append(doc.Weights, w)
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(o.out, append(data, '\n'))
}

// paramJSON is a parameter value as a JSON scalar.
func paramJSON(v engine.Value) any {
	switch v.Kind {
	case engine.IntParam, engine.BarsParam:
		return v.I
	case engine.FloatParam:
		return v.F
	case engine.BoolParam:
		return v.B
	}
	return v.S
}

// writeAtomic writes data to path through a temporary file in the same
// directory and a rename (writeFileAtomic): path holds the old content or
// the new, never a part. Errors name the path.
func writeAtomic(path string, data []byte) error {
	if err := writeFileAtomic(path, data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
