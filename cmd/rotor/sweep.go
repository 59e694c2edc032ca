package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rotor-bt/rotor/datasets"
	"github.com/rotor-bt/rotor/datasets/tables"
	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/engine/sweep"
	"github.com/rotor-bt/rotor/report"
	"github.com/rotor-bt/rotor/strategies"
)

func init() {
	register(&command{
		name:    "sweep",
		summary: "run a strategy over a parameter grid on every core; stream one row per point to a table",
		run:     runSweep,
	})
}

const sweepSummary = `Runs one strategy over every point of a parameter grid (docs/semantics.md §5)
and streams one row per point — config_id, symbol (per-asset mode), every
parameter, every metric of §4 — to --out (.parquet, .csv or .jsonl),
written to a temporary file and renamed into place when the sweep stops.

Grid syntax: name=start:stop:step (inclusive), name=a|b|c, or name=value,
comma-separated; parameters not named take their defaults. --where is a
constraint over the parameters: comparisons (< <= > >= == !=), and/or/not,
+ - * / %, parentheses, numbers and 'text' for enum values. A grid file
(YAML or JSON) has the same entries: {params: {fast: 5:50:5, slow: {from:
20, to: 200, step: 10}, weighting: [equal, cap]}, where: fast < slow}.

Ctrl-C stops cleanly: every finished row is kept in a valid file, and
--resume continues it, skipping the rows already there. --shard i/n runs
a deterministic 1/n of the points (unset: JOB_COMPLETION_INDEX of a
Kubernetes Indexed Job with --shard-count or ROTOR_SHARD_COUNT, or a Slurm
array's SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT); rotor results merge
joins the shards and checks that no point is missing or duplicated.

Examples:
  rotor sweep sma_cross --grid 'fast=5:50:5,slow=20:200:10' --where 'fast<slow' --out sma.parquet
  rotor sweep megacap_rotation --grid-file grid.yaml --data prices/ --rates fedfunds.csv --out rot.parquet -j 8
  rotor sweep sma_cross --grid 'fast=2:100,slow=10:400' --sample 5000 --seed 1 --out s.csv --resume`

// lowerIsBetter lists the metrics ranked ascending by default.
var lowerIsBetter = map[string]bool{
	"volatility": true, "max_drawdown": true, "max_drawdown_days": true,
	"turnover": true, "costs": true, "tracking_error": true,
}

// sweepRowsHook, when set (tests), is called after every emitted batch
// with the rows written so far; it lets a test interrupt a sweep mid-way.
var sweepRowsHook func(rows int64)

// sweepRun holds a parsed sweep command line.
type sweepRun struct {
	spec      *strategies.Spec
	grid      *sweep.Grid
	where     *sweep.Expr
	plan      *sweep.Plan
	cfg       engine.Config
	bench     string
	perAsset  bool
	out       string
	resume    bool
	force     bool
	workers   int
	chunk     int
	quiet     bool
	every     time.Duration
	by        string
	byIndex   int
	asc       bool
	top       int // rows in the summary table
	curves    int // equity curves of the top N to write
	shardFrom string
}

func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sweep", "STRATEGY --grid SPEC [--where EXPR] --out FILE [flags]", sweepSummary, stdout)
	gridText := fs.String("grid", "", "parameter grid `SPEC`, e.g. 'fast=5:50:5,slow=20:200:10,weighting=equal|cap'")
	gridFile := fs.String("grid-file", "", "grid `FILE` (YAML or JSON) with params and an optional where")
	whereText := fs.String("where", "", "constraint `EXPR` over the parameters, e.g. 'fast<slow'")
	sample := fs.Int64("sample", 0, "run a seeded uniform sample of `N` points of the (constrained) grid")
	seed := fs.Uint64("seed", 1, "seed of --sample")
	perAsset := fs.Bool("per-asset", false, "run the strategy on each symbol alone, one row per (point, symbol) (default for single-asset strategies)")
	df := addDataFlags(fs)
	sim := addSimFlags(fs)
	out := fs.String("out", "", "result `FILE`: .parquet, .csv or .jsonl (required)")
	resume := fs.Bool("resume", false, "continue an interrupted sweep in --out, skipping the rows it has")
	force := fs.Bool("force", false, "overwrite an existing --out")
	workers := fs.IntP("jobs", "j", runtime.GOMAXPROCS(0), "worker goroutines (default: the CPUs this process may use, GOMAXPROCS)")
	shard := fs.String("shard", "", "run shard `i/n` of the points (0 ≤ i < n); default: from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID")
	shardCount := fs.Int("shard-count", 0, "number of shards `N` when the index comes from JOB_COMPLETION_INDEX (or set ROTOR_SHARD_COUNT)")
	chunk := fs.Int("chunk", 0, "points per evaluator call (0: automatic)")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	every := fs.Duration("progress-every", 10*time.Second, "interval of progress lines when stderr is not a terminal")
	by := fs.String("by", "sharpe", "metric ranking the summary and --top-curves (one of §4's names)")
	asc := fs.Bool("asc", false, "rank ascending (default: descending, ascending for drawdown, volatility, turnover, costs, tracking error)")
	top := fs.Int("top", 10, "rows of the summary table printed at the end (0: none)")
	curves := fs.Int("top-curves", 0, "also write the equity curves of the best `N` rows by --by to FILE-stem.curves.EXT")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("sweep: want one strategy name, got %d arguments (valid strategies: %s)", fs.NArg(), strings.Join(strategies.Names(), ", "))
	}
	r := &sweepRun{
		bench: *sim.bench, out: *out, resume: *resume, force: *force, workers: *workers, chunk: *chunk,
		quiet: *quiet, every: *every, by: *by, top: *top, curves: *curves,
	}
	var err error
	if r.spec, err = strategies.Lookup(fs.Arg(0)); err != nil {
		return usageError{err}
	}
	r.perAsset = *perAsset || r.spec.SingleAsset

	// grid, constraint, sample, shard
	entries, err := sweep.ParseEntries(*gridText)
	if err != nil {
		return usageError{err}
	}
	where := strings.TrimSpace(*whereText)
	if *gridFile != "" {
		fe, fw, err := sweep.ReadGridFile(*gridFile)
		if err != nil {
			return usageError{err}
		}
		entries = append(entries, fe...)
		switch {
		case fw == "":
		case where == "":
			where = fw
		default:
			where = "(" + where + ") and (" + fw + ")"
		}
	}
	if len(entries) == 0 && r.spec.Params != nil && len(r.spec.Params) > 0 && *sample == 0 {
		fmt.Fprintf(stderr, "sweep: no --grid or --grid-file: running the defaults only\n")
	}
	if r.grid, err = sweep.NewGrid(entries, r.spec.Params); err != nil {
		return usagef("sweep %s: %v", r.spec.Name, err)
	}
	if where != "" {
		if r.where, err = sweep.ParseExpr(where, r.spec.Params); err != nil {
			return usageError{err}
		}
	}
	var sh sweep.Shard
	if *shard != "" {
		if sh, err = sweep.ParseShard(*shard); err != nil {
			return usageError{err}
		}
		r.shardFrom = "--shard"
	} else {
		if sh, r.shardFrom, err = sweep.ShardFromOSEnv(*shardCount); err != nil {
			return usageError{err}
		}
	}
	if *sample < 0 {
		return usagef("--sample %d: want a positive number of points", *sample)
	}
	if r.plan, err = sweep.NewPlan(r.spec.Name, r.grid, r.where, *sample, *seed, sh); err != nil {
		return usageError{err}
	}

	// conventions and output
	if r.cfg, err = sim.config(); err != nil {
		return err
	}
	if r.workers < 1 {
		return usagef("-j %d: want at least 1 worker", r.workers)
	}
	if r.chunk < 0 {
		return usagef("--chunk %d: want 0 (automatic) or a positive number of points", r.chunk)
	}
	if r.top < 0 || r.curves < 0 {
		return usagef("--top and --top-curves want a number ≥ 0")
	}
	if r.every <= 0 {
		return usagef("--progress-every %s: want a positive duration such as 10s", r.every)
	}
	r.byIndex = -1
	for k, n := range engine.MetricNames {
		if n == r.by {
			r.byIndex = k
		}
	}
	if r.byIndex < 0 {
		return usagef("--by %q: want one of %s", r.by, strings.Join(engine.MetricNames, ", "))
	}
	r.asc = *asc || lowerIsBetter[r.by] && !fs.Changed("asc")
	if fs.Changed("asc") {
		r.asc = *asc
	}
	if r.out == "" {
		return usagef("sweep: --out FILE is required (%s)", tables.Extensions)
	}
	if _, err := tables.FormatOf(r.out); err != nil {
		return usagef("--out: %v", err)
	}
	if r.resume && r.force {
		return usagef("--resume and --force exclude each other")
	}
	if _, err := os.Stat(r.out); err == nil && !r.resume && !r.force {
		return usagef("--out %s exists: pass --resume to continue it or --force to overwrite it", r.out)
	}
	if dir := filepath.Dir(r.out); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return usagef("--out %s: directory %s does not exist", r.out, dir)
		}
	}

	p, info, err := df.load(ctx, stderr)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// A sweep's live heap is small and flat (chunks, one batch of rows);
	// what it allocates is short-lived (evaluator scratch, Parquet pages).
	// Collecting at 50% growth instead of 100% keeps the peak RSS of a
	// million-point sweep close to that of a short one, for about 1% CPU.
	// GOGC, when set, wins.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(50))
	}
	b, benchLabel, err := engine.BenchmarkSeries(p, r.bench)
	if err != nil {
		return usagef("--benchmark: %v", err)
	}
	r.cfg.Benchmark = b
	return r.execute(ctx, p, info, benchLabel, stdout, stderr)
}

// columns are the result columns: config_id, symbol (per-asset),
// parameters under their names, metrics under theirs.
func (r *sweepRun) columns() ([]tables.Column, error) {
	cols := []tables.Column{{Name: "config_id", Type: tables.String}}
	if r.perAsset {
		cols = append(cols, tables.Column{Name: "symbol", Type: tables.String})
	}
	seen := map[string]bool{"config_id": true, "symbol": true}
	for _, n := range engine.MetricNames {
		seen[n] = true
	}
	for _, a := range r.grid.Axes {
		if seen[a.Spec.Name] {
			return nil, fmt.Errorf("strategy %s: parameter %q has the name of a result column", r.spec.Name, a.Spec.Name)
		}
		cols = append(cols, tables.Column{Name: a.Spec.Name, Type: paramType(a.Spec.Kind)})
	}
	for _, n := range engine.MetricNames {
		cols = append(cols, tables.Column{Name: n, Type: tables.Float64})
	}
	return cols, nil
}

func paramType(k engine.ParamKind) tables.Type {
	switch k {
	case engine.IntParam, engine.BarsParam:
		return tables.Int64
	case engine.FloatParam:
		return tables.Float64
	case engine.BoolParam:
		return tables.Bool
	}
	return tables.String
}

// sweepMetaKeys must agree between the parts of one sweep (resume, merge).
var sweepMetaKeys = []string{"strategy", "grid", "where", "sample", "seed", "per_asset", "symbols", "fingerprint", "conventions", "benchmark"}

// meta is the key-value metadata of the output: what makes the rows
// reproducible and what merge needs to check completeness.
func (r *sweepRun) meta(p *engine.Panel, info *datasets.Info, benchLabel string) map[string]string {
	m := map[string]string{
		"kind":         "rotor-sweep",
		"strategy":     r.spec.Name,
		"grid":         r.grid.Canonical(),
		"where":        "",
		"sample":       strconv.FormatInt(r.plan.Sample, 10),
		"seed":         strconv.FormatUint(r.plan.Seed, 10),
		"per_asset":    strconv.FormatBool(r.perAsset),
		"points_total": strconv.FormatInt(r.plan.Total(), 10),
		"shard":        r.plan.Shard.String(),
		"shard_points": strconv.FormatInt(r.plan.Count(), 10),
		"fingerprint":  fingerprint(info),
		"data":         info.Source(),
		"data_files":   strings.Join(info.Files, "\n"),
		"data_rows":    strconv.FormatInt(info.Rows, 10),
		"data_from":    info.From.String(),
		"data_to":      info.To.String(),
		"price_field":  p.PriceField().String(),
		"conventions":  r.cfg.Describe(),
		"cash":         engine.DescribeCash(p, r.cfg, nil),
		"benchmark":    benchLabel,
		"version":      version(),
		"complete":     "false",
	}
	if r.plan.Sample == 0 {
		m["sample"], m["seed"] = "0", "0"
	}
	if r.where != nil {
		m["where"] = r.where.String()
	}
	if r.perAsset {
		m["symbols"] = strings.Join(p.Symbols, ",")
	} else {
		m["symbols"] = ""
	}
	return m
}

// doneSet holds the rows already in the output (resume).
type doneSet map[doneKey]struct{}

type doneKey struct {
	id    uint64
	asset int32
}

func (r *sweepRun) execute(ctx context.Context, p *engine.Panel, info *datasets.Info, benchLabel string, stdout, stderr io.Writer) error {
	cols, err := r.columns()
	if err != nil {
		return err
	}
	meta := r.meta(p, info, benchLabel)
	assets := []int(nil)
	nAssets := int64(1)
	if r.perAsset {
		assets = make([]int, p.N())
		for i := range assets {
			assets[i] = i
		}
		nAssets = int64(p.N())
	}
	symIndex := make(map[string]int, p.N())
	for i, s := range p.Symbols {
		symIndex[s] = i
	}

	// Resume: check the old file is this sweep, and carry its rows over.
	var old *tables.Reader
	if r.resume {
		if _, err := os.Stat(r.out); err == nil {
			old, err = tables.Open(ctx, r.out)
			if err != nil {
				return fmt.Errorf("--resume: %w", err)
			}
			defer old.Close()
			if err := sameSweep(r.out, old.Meta(), meta, append(sweepMetaKeys, "shard")); err != nil {
				return usageError{fmt.Errorf("--resume: %w", err)}
			}
			if !sameColumns(old.Columns(), cols) {
				return usagef("--resume: %s has other columns than this sweep", r.out)
			}
		} else {
			fmt.Fprintf(stderr, "sweep: --resume: %s does not exist yet; starting\n", r.out)
		}
	}

	w, err := tables.Create(r.out, cols, meta)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			w.Abort()
		}
	}()
	best := newTopRows(max(r.top, r.curves), r.asc)
	var done doneSet
	if old != nil {
		done = doneSet{}
		for old.Next() {
			row := old.Row()
			id, err := strconv.ParseUint(fmt.Sprint(row[0]), 16, 64)
			if err != nil {
				return fmt.Errorf("--resume: %s: config_id %v is not a config id", r.out, row[0])
			}
			k := doneKey{id: id, asset: -1}
			if r.perAsset {
				i, ok := symIndex[fmt.Sprint(row[1])]
				if !ok {
					return fmt.Errorf("--resume: %s: symbol %v is not in the data", r.out, row[1])
				}
				k.asset = int32(i)
			}
			if _, dup := done[k]; dup {
				continue
			}
			done[k] = struct{}{}
			if err := w.Write(row); err != nil {
				return fmt.Errorf("--resume: %w", err)
			}
			best.offerRow(r, row)
		}
		if err := old.Err(); err != nil {
			return fmt.Errorf("--resume: %w", err)
		}
		old.Close()
		fmt.Fprintf(stderr, "sweep: resuming %s: %d rows already done\n", r.out, len(done))
	}

	total := r.plan.Count() * nAssets
	remaining := total - int64(len(done))
	desc := fmt.Sprintf("%s: %d points", r.spec.Name, r.plan.Count())
	if r.plan.Shard.Count > 1 {
		desc += fmt.Sprintf(" (shard %s of %d, from %s)", r.plan.Shard, r.plan.Total(), r.shardFrom)
	}
	if r.perAsset {
		desc += fmt.Sprintf(" × %d symbols", p.N())
	}
	fmt.Fprintf(stderr, "sweep: %s = %d rows on %d workers → %s\n", desc, total, r.workers, r.out)

	ev := r.spec.Evaluator(p, r.cfg)
	prog := sweep.NewProgress(remaining)
	stop := startProgress(stderr, prog, r.quiet, r.every)
	opt := sweep.Options{
		Strategy: r.spec.Name, Workers: r.workers, Assets: assets, ChunkPoints: r.chunk,
		Total: r.plan.Count(), Progress: prog,
	}
	if done != nil {
		opt.Done = func(id uint64, asset int) bool {
			_, ok := done[doneKey{id, int32(asset)}]
			return ok
		}
	}
	writeRow := r.rowWriter(w, p)
	metricBuf := make([]float64, 0, len(engine.MetricNames))
	st, runErr := sweep.Run(ctx, r.plan.Iter(), ev, opt, func(rows []sweep.Row) error {
		for i := range rows {
			if err := writeRow(&rows[i]); err != nil {
				return err
			}
			metricBuf = rows[i].Metrics.AppendValues(metricBuf[:0])
			sym := ""
			if rows[i].Asset >= 0 {
				sym = p.Symbols[rows[i].Asset]
			}
			best.offer(metricBuf[r.byIndex], rows[i].ConfigID, sym, rows[i].Params, metricBuf)
		}
		if sweepRowsHook != nil {
			sweepRowsHook(w.Rows())
		}
		return nil
	})
	stop()
	complete := runErr == nil
	w.SetMeta("complete", strconv.FormatBool(complete))
	w.SetMeta("rows", strconv.FormatInt(w.Rows(), 10))
	if err := w.Close(); err != nil {
		return err
	}
	committed = true
	switch {
	case errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded):
		return fmt.Errorf("sweep interrupted: %d of %d rows are in %s; run the same command with --resume to finish", w.Rows(), total, r.out)
	case runErr != nil:
		return fmt.Errorf("sweep stopped: %w (%d of %d rows kept in %s; fix the cause and rerun with --resume)", runErr, w.Rows(), total, r.out)
	}
	fmt.Fprintf(stderr, "sweep: wrote %d rows to %s (%d evaluated, %d already there)\n", w.Rows(), r.out, st.Rows, len(done))
	if r.top > 0 && best.len() > 0 {
		if err := r.summary(stdout, best, p, info, benchLabel); err != nil {
			return err
		}
	}
	if r.curves > 0 {
		path, err := r.writeCurves(ctx, best, p, meta)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "sweep: wrote the equity curves of the top %d by %s to %s\n", min(r.curves, best.len()), r.by, path)
	}
	return nil
}

// rowWriter returns a function writing one result row with the typed
// setters (no allocation per row).
func (r *sweepRun) rowWriter(w *tables.Writer, p *engine.Panel) func(*sweep.Row) error {
	first := 1
	if r.perAsset {
		first = 2
	}
	m0 := first + len(r.grid.Axes)
	vals := make([]float64, 0, len(engine.MetricNames))
	return func(row *sweep.Row) error {
		var err error
		set := func(e error) {
			if err == nil {
				err = e
			}
		}
		set(w.SetString(0, row.ConfigID))
		if r.perAsset {
			set(w.SetString(1, p.Symbols[row.Asset]))
		}
		for k, prm := range row.Params {
			j := first + k
			v := prm.Value
			switch v.Kind {
			case engine.IntParam, engine.BarsParam:
				set(w.SetInt(j, v.I))
			case engine.FloatParam:
				set(w.SetFloat(j, v.F))
			case engine.BoolParam:
				set(w.SetBool(j, v.B))
			default:
				set(w.SetString(j, v.S))
			}
		}
		vals = row.Metrics.AppendValues(vals[:0])
		for k, x := range vals {
			set(w.SetFloat(m0+k, x))
		}
		if err != nil {
			return err
		}
		return w.EndRow()
	}
}

// sameSweep reports the first metadata key that differs between a file
// and this sweep.
func sameSweep(path string, have, want map[string]string, keys []string) error {
	if have["kind"] != "rotor-sweep" {
		return fmt.Errorf("%s is not a rotor sweep result (no sweep metadata)", path)
	}
	for _, k := range keys {
		if have[k] != want[k] {
			return fmt.Errorf("%s was made with %s %q, this sweep has %q; use another --out or the same settings", path, k, clip(have[k]), clip(want[k]))
		}
	}
	return nil
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

func sameColumns(a, b []tables.Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// topRows keeps the best n rows by one metric (NaN never ranks), ties by
// config id then symbol, so the ranking is deterministic.
type topRows struct {
	n    int
	asc  bool
	rows []rankedRow // best first
}

type rankedRow struct {
	val     float64
	id      string
	symbol  string // per-asset mode
	params  engine.Params
	metrics []float64
}

func newTopRows(n int, asc bool) *topRows { return &topRows{n: n, asc: asc} }

func (t *topRows) len() int { return len(t.rows) }

func (t *topRows) better(a, b *rankedRow) bool {
	if a.val != b.val {
		return a.val < b.val == t.asc
	}
	if a.id != b.id {
		return a.id < b.id
	}
	return a.symbol < b.symbol
}

func (t *topRows) offer(val float64, id, symbol string, ps engine.Params, metrics []float64) {
	if t.n == 0 || math.IsNaN(val) {
		return
	}
	cand := rankedRow{val: val, id: id, symbol: symbol}
	if len(t.rows) == t.n && !t.better(&cand, &t.rows[len(t.rows)-1]) {
		return
	}
	cand.params = append(engine.Params(nil), ps...)
	cand.metrics = append([]float64(nil), metrics...)
	i := sort.Search(len(t.rows), func(i int) bool { return t.better(&cand, &t.rows[i]) })
	t.rows = append(t.rows, rankedRow{})
	copy(t.rows[i+1:], t.rows[i:])
	t.rows[i] = cand
	if len(t.rows) > t.n {
		t.rows = t.rows[:t.n]
	}
}

// offerRow offers a row read back from a result file (resume).
func (t *topRows) offerRow(r *sweepRun, row []any) {
	first := 1
	symbol := ""
	if r.perAsset {
		first = 2
		symbol, _ = row[1].(string)
	}
	ps := make(engine.Params, len(r.grid.Axes))
	for k, a := range r.grid.Axes {
		v := engine.Value{Kind: a.Spec.Kind}
		switch x := row[first+k].(type) {
		case int64:
			v.I = x
		case float64:
			v.F = x
		case bool:
			v.B = x
		case string:
			v.S = x
		}
		ps[k] = engine.Param{Name: a.Spec.Name, Value: v}
	}
	m0 := first + len(r.grid.Axes)
	metrics := make([]float64, len(engine.MetricNames))
	for k := range metrics {
		metrics[k], _ = row[m0+k].(float64)
	}
	id, _ := row[0].(string)
	t.offer(metrics[r.byIndex], id, symbol, ps, metrics)
}

// summary prints the best rows by --by.
func (r *sweepRun) summary(stdout io.Writer, best *topRows, p *engine.Panel, info *datasets.Info, benchLabel string) error {
	order := "descending"
	if r.asc {
		order = "ascending"
	}
	t := &report.Table{Title: fmt.Sprintf("%s: top %d by %s (%s)", r.spec.Name, min(r.top, best.len()), r.by, order)}
	t.Columns = []string{"config_id"}
	if r.perAsset {
		t.Columns = append(t.Columns, "symbol")
	}
	var varying []int
	for k, a := range r.grid.Axes {
		if len(a.Values) > 1 {
			varying = append(varying, k)
			t.Columns = append(t.Columns, a.Spec.Name)
		}
	}
	shown := []string{r.by}
	for _, n := range []string{"total_return", "cagr", "sharpe", "max_drawdown", "turnover"} {
		if n != r.by {
			shown = append(shown, n)
		}
	}
	t.Columns = append(t.Columns, shown...)
	for i := 0; i < min(r.top, best.len()); i++ {
		rr := &best.rows[i]
		ps := rr.params
		row := []string{rr.id}
		if r.perAsset {
			row = append(row, rr.symbol)
		}
		for _, k := range varying {
			row = append(row, ps[k].Value.String())
		}
		for _, n := range shown {
			for k, mn := range engine.MetricNames {
				if mn == n {
					row = append(row, metricCell(n, rr.metrics[k]))
				}
			}
		}
		t.Rows = append(t.Rows, row)
	}
	t.Footer = []string{
		"conventions: " + r.cfg.Describe(),
		"data: " + info.Source() + "; returns use " + p.PriceField().String(),
		engine.DescribeCash(p, r.cfg, nil),
		"benchmark: " + benchLabel,
	}
	t.Footer = append(t.Footer, strategyNotes(r.spec, p, nil)...)
	t.Footer = append(t.Footer, "all rows: "+r.out+" (rotor results top "+r.out+" --by METRIC)")
	return t.WriteText(stdout)
}

// curvesPath is FILE-stem.curves.EXT.
func curvesPath(out string) string {
	ext := filepath.Ext(out)
	return strings.TrimSuffix(out, ext) + ".curves" + ext
}

// writeCurves simulates the best rows again and writes their equity curves
// (rank, config_id, symbol, date, equity, drawdown).
func (r *sweepRun) writeCurves(ctx context.Context, best *topRows, p *engine.Panel, meta map[string]string) (string, error) {
	path := curvesPath(r.out)
	cols := []tables.Column{
		{Name: "rank", Type: tables.Int64}, {Name: "config_id", Type: tables.String}, {Name: "symbol", Type: tables.String},
		{Name: "date", Type: tables.Date}, {Name: "equity", Type: tables.Float64}, {Name: "drawdown", Type: tables.Float64},
	}
	cm := map[string]string{}
	for k, v := range meta {
		cm[k] = v
	}
	cm["kind"] = "rotor-sweep-curves"
	cm["by"] = r.by
	w, err := tables.Create(path, cols, cm)
	if err != nil {
		return "", err
	}
	for i := 0; i < min(r.curves, best.len()); i++ {
		if err := ctx.Err(); err != nil {
			w.Abort()
			return "", err
		}
		rr := &best.rows[i]
		ps, panel := rr.params, p
		if rr.symbol != "" {
			k := sort.SearchStrings(p.Symbols, rr.symbol)
			if k == len(p.Symbols) || p.Symbols[k] != rr.symbol {
				w.Abort()
				return "", fmt.Errorf("--top-curves: symbol %s is not in the data", rr.symbol)
			}
			panel = p.Asset(k)
		}
		st, err := r.spec.New(ps)
		if err == nil {
			var res *engine.Result
			if res, err = engine.Simulate(panel, st, r.cfg); err == nil {
				peak := math.Inf(-1)
				for t, v := range res.Equity {
					peak = math.Max(peak, v)
					if err = w.Write([]any{int64(i + 1), rr.id, rr.symbol, p.Dates[t], v, 1 - v/peak}); err != nil {
						break
					}
				}
			}
		}
		if err != nil {
			w.Abort()
			return "", fmt.Errorf("--top-curves: %s %s: %w", r.spec.Name, ps, err)
		}
	}
	return path, w.Close()
}
