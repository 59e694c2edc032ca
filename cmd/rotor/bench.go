package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/rotor-bt/rotor/datasets"
	"github.com/rotor-bt/rotor/datasets/synth"
	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/engine/kernels"
	"github.com/rotor-bt/rotor/report"
	"github.com/rotor-bt/rotor/strategies"
)

func init() {
	register(&command{
		name:    "bench",
		summary: "measure rotor's own speed on a workload set and record it in a history file",
		run:     runBench,
	})
	register(&command{
		name:    "bench compare",
		summary: "compare two benchmark records (files or runs of a history) and fail on a regression",
		run:     runBenchCompare,
	})
}

const benchSummary = `Runs a named workload set (quick, the default, in well under a minute;
or full) several times, prints the median rate of each workload with its
spread (the largest deviation of a run from the median, in percent), and
appends one record per workload to the history file (JSON lines: date,
git commit, Go version, GOEXPERIMENT, CPU model, cores, set, workload,
median, unit, spread and the runs). Every workload runs rotor's real code:
the kernels, a simulation through the engine, the sma_cross sweep through
the strategy's evaluator, and loading Parquet through DuckDB.

Example:
  rotor bench                       # quick set, 5 runs, bench/history.jsonl
  rotor bench full -n 3 --history /tmp/h.jsonl
  rotor bench compare --history bench/history.jsonl   # last run vs the latest of the same build`

// workload is one measured unit of work. setup runs once, untimed, and
// returns the operation to time and the amount of work it does (in unit's
// numerator: bars, bar-evaluations, rows).
type workload struct {
	name  string
	unit  string // e.g. "bars/s"
	setup func(ctx context.Context, size int) (op func() error, work float64, cleanup func(), err error)
}

// size presets: quick keeps every workload to tens of milliseconds per op.
type benchSet struct {
	size    int           // 0 quick, 1 full
	minTime time.Duration // per run
}

var benchSets = map[string]benchSet{
	"quick": {size: 0, minTime: 150 * time.Millisecond},
	"full":  {size: 1, minTime: time.Second},
}

// benchSlowdown, when > 0, runs every timed operation that many more
// times (each run then does (1+benchSlowdown)× the work it reports): tests
// use it to inject a known regression, in CPU time and in wall time alike.
var benchSlowdown int

func pick[T any](size int, quick, full T) T {
	if size == 0 {
		return quick
	}
	return full
}

// benchWalks returns n seeded log-normal random walks of T prices.
func benchWalks(n, T int) [][]float64 {
	p, _ := synth.Generate(synth.Config{Symbols: n, Days: T, Seed: 7, NoLifecycle: true})
	out := make([][]float64, n)
	for i := range out {
		out[i] = p.Series(p.PriceField(), i)
	}
	return out
}

// sweepPairs is the grid of the sweep benchmark (issue: fast 5..50 step 5
// × slow 20..200 step 10, fast < slow: 174 pairs).
func benchPairs() []kernels.Pair {
	var pairs []kernels.Pair
	for f := 5; f <= 50; f += 5 {
		for s := 20; s <= 200; s += 10 {
			if f < s {
				pairs = append(pairs, kernels.Pair{Fast: f, Slow: s})
			}
		}
	}
	return pairs
}

// parallelGroups runs fn(g) for g = 0..groups-1 on GOMAXPROCS workers and
// returns the first error.
func parallelGroups(groups int, fn func(g int) error) error {
	var mu sync.Mutex
	next := 0
	var first error
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), groups) {
		wg.Go(func() {
			for {
				mu.Lock()
				g := next
				next++
				stop := first != nil
				mu.Unlock()
				if g >= groups || stop {
					return
				}
				if err := fn(g); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return first
}

var workloads = []workload{
	{name: "kernels/returns", unit: "bars/s", setup: func(_ context.Context, size int) (func() error, float64, func(), error) {
		ps := benchWalks(pick(size, 100, 500), 2520)
		dst := make([]float64, 0, 2520)
		return func() error {
			for _, p := range ps {
				dst = kernels.AppendReturns(dst[:0], p)
			}
			return nil
		}, float64(len(ps) * 2520), nil, nil
	}},
	{name: "kernels/rolling-std", unit: "bars/s", setup: func(_ context.Context, size int) (func() error, float64, func(), error) {
		ps := benchWalks(pick(size, 100, 500), 2520)
		dst := make([]float64, 0, 2520)
		return func() error {
			for _, p := range ps {
				dst = kernels.AppendRollingStd(dst[:0], p, 63)
			}
			return nil
		}, float64(len(ps) * 2520), nil, nil
	}},
	{name: "kernels/cross-backtest", unit: "bars/s", setup: func(_ context.Context, size int) (func() error, float64, func(), error) {
		T := pick(size, 2520, 25200)
		p := benchWalks(1, T)[0]
		return func() error {
			kernels.CrossBacktest(p, 10, 50, 0)
			return nil
		}, float64(T), nil, nil
	}},
	{name: "kernels/cross-sweep", unit: "bar-evals/s", setup: func(_ context.Context, size int) (func() error, float64, func(), error) {
		ps := benchWalks(pick(size, 100, 400), 2520)
		pairs := benchPairs()
		groups := (len(ps) + kernels.Lanes - 1) / kernels.Lanes
		outs := make([][]kernels.CrossStats, groups)
		for g := range outs {
			outs[g] = make([]kernels.CrossStats, kernels.Lanes*len(pairs))
		}
		return func() error {
			return parallelGroups(groups, func(g int) error {
				grp := ps[g*kernels.Lanes : min((g+1)*kernels.Lanes, len(ps))]
				kernels.CrossGridLanes(grp, pairs, 0, outs[g][:len(grp)*len(pairs)])
				return nil
			})
		}, float64(len(ps) * len(pairs) * 2520), nil, nil
	}},
	{name: "sweep/sma-cross", unit: "bar-evals/s", setup: func(_ context.Context, size int) (func() error, float64, func(), error) {
		n := pick(size, 100, 400)
		p, err := synth.Generate(synth.Config{Symbols: n, Days: 2520, Seed: 11, NoLifecycle: true})
		if err != nil {
			return nil, 0, nil, err
		}
		spec, err := strategies.Lookup("sma_cross")
		if err != nil {
			return nil, 0, nil, err
		}
		var points []engine.Params
		for _, pr := range benchPairs() {
			ps, err := spec.Parse(map[string]string{"fast": fmt.Sprint(pr.Fast), "slow": fmt.Sprint(pr.Slow)})
			if err != nil {
				return nil, 0, nil, err
			}
			points = append(points, ps)
		}
		cfg := engine.DefaultConfig()
		cfg.UseRates = false
		ev := spec.Evaluator(p, cfg)
		groups := (n + kernels.Lanes - 1) / kernels.Lanes
		outs := make([][]engine.Metrics, groups)
		assets := make([]int, n)
		for i := range assets {
			assets[i] = i
		}
		for g := range outs {
			outs[g] = make([]engine.Metrics, kernels.Lanes*len(points))
		}
		return func() error {
			return parallelGroups(groups, func(g int) error {
				a := assets[g*kernels.Lanes : min((g+1)*kernels.Lanes, n)]
				return ev.Evaluate(points, a, outs[g][:len(a)*len(points)])
			})
		}, float64(n * len(points) * 2520), nil, nil
	}},
	{name: "sim/sma-cross", unit: "bars/s", setup: func(_ context.Context, size int) (func() error, float64, func(), error) {
		n := pick(size, 100, 500)
		p, err := synth.Generate(synth.Config{Symbols: n, Days: 2520, Seed: 3})
		if err != nil {
			return nil, 0, nil, err
		}
		spec, err := strategies.Lookup("sma_cross")
		if err != nil {
			return nil, 0, nil, err
		}
		ps, err := spec.Parse(map[string]string{"fast": "20", "slow": "100"})
		if err != nil {
			return nil, 0, nil, err
		}
		return func() error {
			s, err := spec.New(ps)
			if err != nil {
				return err
			}
			_, err = engine.Simulate(p, s, engine.DefaultConfig())
			return err
		}, float64(n * 2520), nil, nil
	}},
	{name: "load/parquet", unit: "rows/s", setup: func(ctx context.Context, size int) (func() error, float64, func(), error) {
		file, rows, cleanup, err := benchParquet(ctx, size)
		if err != nil {
			return nil, 0, nil, err
		}
		return func() error {
			_, _, err := datasets.Load(ctx, datasets.LoadOptions{Paths: []string{file}})
			return err
		}, rows, cleanup, nil
	}},
	{name: "load/dataset", unit: "rows/s", setup: func(ctx context.Context, size int) (func() error, float64, func(), error) {
		file, rows, cleanup, err := benchParquet(ctx, size)
		if err != nil {
			return nil, 0, nil, err
		}
		ds, err := datasets.Open(ctx, datasets.LoadOptions{Paths: []string{file}})
		if err != nil {
			cleanup()
			return nil, 0, nil, err
		}
		op := func() error {
			_, _, err := ds.Load(ctx, datasets.LoadOptions{})
			return err
		}
		done := func() {
			ds.Close()
			cleanup()
		}
		return op, rows, done, nil
	}},
}

// benchParquet writes the synthetic market of the set's size as zstd
// Parquet into a temp directory and returns the file, its rows (priced
// cells) and the directory's removal.
func benchParquet(ctx context.Context, size int) (string, float64, func(), error) {
	n, T := pick(size, 100, 500), pick(size, 2520, 5000)
	p, err := synth.Generate(synth.Config{Symbols: n, Days: T, Seed: 5})
	if err != nil {
		return "", 0, nil, err
	}
	rows := 0
	for _, v := range p.Column(p.PriceField()) {
		if v == v {
			rows++
		}
	}
	dir, err := os.MkdirTemp("", "rotor-bench-")
	if err != nil {
		return "", 0, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	file := filepath.Join(dir, "prices.parquet")
	if err := datasets.WritePanel(ctx, p, file, datasets.DBConfig{}); err != nil {
		cleanup()
		return "", 0, nil, err
	}
	return file, float64(rows), cleanup, nil
}

// benchResult is one workload's runs.
type benchResult struct {
	workload string
	unit     string
	samples  []float64 // rate of each run
	median   float64
	spread   float64 // largest |run - median| / median

	cpuSamples []float64 // work per CPU-second of the process, each run
	cpuMedian  float64
	cpuSpread  float64
}

// measure runs w n times, each run repeating the operation for at least
// minTime, and returns the rates. One untimed operation warms caches and
// pools first.
func measure(ctx context.Context, w workload, set benchSet, n int) (benchResult, error) {
	op, work, cleanup, err := w.setup(ctx, set.size)
	if err != nil {
		return benchResult{}, fmt.Errorf("%s: setup: %w", w.name, err)
	}
	if cleanup != nil {
		defer cleanup()
	}
	if err := op(); err != nil {
		return benchResult{}, fmt.Errorf("%s: %w", w.name, err)
	}
	res := benchResult{workload: w.name, unit: w.unit}
	for range n {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		iters := 0
		wall0, cpu0 := benchClock()
		for {
			if err := op(); err != nil {
				return res, fmt.Errorf("%s: %w", w.name, err)
			}
			benchAfterOp()
			for range benchSlowdown {
				if err := op(); err != nil {
					return res, fmt.Errorf("%s: %w", w.name, err)
				}
				benchAfterOp()
			}
			iters++
			if wall, _ := benchClock(); wall-wall0 >= set.minTime.Seconds() {
				break
			}
		}
		wall, cpu := benchClock()
		res.samples = append(res.samples, work*float64(iters)/(wall-wall0))
		res.cpuSamples = append(res.cpuSamples, work*float64(iters)/(cpu-cpu0))
	}
	res.median, res.spread = medianSpread(res.samples)
	res.cpuMedian, res.cpuSpread = medianSpread(res.cpuSamples)
	return res, nil
}

// medianSpread returns the median of xs and the largest deviation of an
// element from it, relative to it.
func medianSpread(xs []float64) (median, spread float64) {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	median = s[n/2]
	if n%2 == 0 {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	if median == 0 {
		return median, 0
	}
	spread = max(s[n-1]-median, median-s[0]) / median
	return median, spread
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", "[quick|full] [flags]", benchSummary, stdout)
	n := fs.IntP("count", "n", 5, "runs per workload (median and spread over them)")
	history := fs.String("history", "", "history file to append to (default bench/history.jsonl when ./bench exists; \"-\" for none)")
	runRE := fs.String("run", "", "only workloads whose name matches this regular expression")
	format := fs.String("format", "table", "output format: "+report.Formats)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	setName := "quick"
	switch fs.NArg() {
	case 0:
	case 1:
		setName = fs.Arg(0)
	default:
		return usagef("bench: want at most one workload set (quick or full), got %q", fs.Args())
	}
	set, ok := benchSets[setName]
	if !ok {
		return usagef("bench: unknown workload set %q: want quick or full", setName)
	}
	if *n < 1 || *n > 1000 {
		return usagef("bench: -n %d: want 1 to 1000 runs", *n)
	}
	var re *regexp.Regexp
	if *runRE != "" {
		var err error
		if re, err = regexp.Compile(*runRE); err != nil {
			return usagef("bench: --run %q: %v", *runRE, err)
		}
	}
	var sel []workload
	for _, w := range workloads {
		if re == nil || re.MatchString(w.name) {
			sel = append(sel, w)
		}
	}
	if len(sel) == 0 {
		return usagef("bench: --run %q matches no workload; workloads: %s", *runRE, workloadNames())
	}
	histPath := *history
	if histPath == "" {
		if st, err := os.Stat("bench"); err == nil && st.IsDir() {
			histPath = filepath.Join("bench", "history.jsonl")
		}
	}
	noHistory := histPath == "-"
	if noHistory {
		histPath = ""
	}
	if histPath != "" {
		if st, err := os.Stat(filepath.Dir(histPath)); err != nil || !st.IsDir() {
			return usagef("bench: --history %s: directory %s does not exist", histPath, filepath.Dir(histPath))
		}
	}
	env := benchEnvironment()
	fmt.Fprintf(stderr, "rotor bench %s: %d workloads × %d runs on %s (%d cores), %s%s\n",
		setName, len(sel), *n, env.CPU, env.Cores, env.Go, experimentNote(env))
	var results []benchResult
	for _, w := range sel {
		r, err := measure(ctx, w, set, *n)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return fmt.Errorf("bench: interrupted; nothing recorded")
			}
			return fmt.Errorf("bench: %w", err)
		}
		fmt.Fprintf(stderr, "  %-24s %s (%s per CPU-s)\n", w.name, formatRate(r.median, r.unit, r.spread), siNumber(r.cpuMedian))
		results = append(results, r)
	}
	recs := env.records(setName, results)
	if err := benchTable(recs).Write(stdout, *format); err != nil {
		return usagef("bench: --format: %v", err)
	}
	if noHistory {
		fmt.Fprintln(stderr, "history: not recorded (--history -)")
		return nil
	}
	if histPath == "" {
		fmt.Fprintln(stderr, "history: not recorded (no ./bench directory; pass --history FILE)")
		return nil
	}
	if err := appendHistory(histPath, recs); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	fmt.Fprintf(stderr, "history: %d records appended to %s (run %s)\n", len(recs), histPath, recs[0].Run)
	return nil
}

// benchClock reads the wall clock and the process's CPU time, in seconds.
// Tests replace it (with benchAfterOp) by a clock that advances a fixed
// step per operation, so that a slowdown shows exactly in the rates.
var benchClock = func() (wall, cpu float64) {
	return float64(time.Now().UnixNano()) / 1e9, processCPU()
}

// benchAfterOp runs after every timed operation (a test hook).
var benchAfterOp = func() {}

// processCPU is the user and system CPU time of this process, in seconds.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func workloadNames() string {
	s := ""
	for i, w := range workloads {
		if i > 0 {
			s += ", "
		}
		s += w.name
	}
	return s
}

func experimentNote(e benchRecord) string {
	note := ""
	if e.GOEXPERIMENT != "" {
		note += ", GOEXPERIMENT=" + e.GOEXPERIMENT
	}
	if e.SIMD {
		note += ", SIMD kernels"
	}
	return note
}

// benchTable is the result table of one run.
func benchTable(recs []benchRecord) *report.Table {
	t := &report.Table{Columns: []string{"workload", "median", "unit", "spread", "per CPU-s", "runs"}}
	for _, r := range recs {
		t.Rows = append(t.Rows, []string{r.Workload, siNumber(r.Median), r.Unit, fmt.Sprintf("±%.1f%%", 100*r.Spread),
			fmt.Sprintf("%s ±%.1f%%", siNumber(r.CPUMedian), 100*r.CPUSpread), fmt.Sprint(len(r.Samples))})
		t.Values = append(t.Values, []any{r.Workload, r.Median, r.Unit, r.Spread, r.CPUMedian, len(r.Samples)})
	}
	if len(recs) > 0 {
		r := recs[0]
		t.Footer = append(t.Footer, fmt.Sprintf("set %s on %s, %d cores, %s%s, commit %s", r.Set, r.CPU, r.Cores, r.Go, experimentNote(r), orNone(r.Commit)),
			"median: wall-clock rate; per CPU-s: work per CPU-second used by rotor (steadier when other work shares the machine)")
	}
	return t
}

func orNone(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// siNumber formats x with an SI suffix (k, M, G) and 3 significant digits.
func siNumber(x float64) string {
	switch a := math.Abs(x); {
	case math.IsNaN(x):
		return "NaN"
	case a >= 1e9:
		return fmt.Sprintf("%.3gG", x/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%.3gM", x/1e6)
	case a >= 1e3:
		return fmt.Sprintf("%.3gk", x/1e3)
	}
	return fmt.Sprintf("%.3g", x)
}

func formatRate(median float64, unit string, spread float64) string {
	return fmt.Sprintf("%s %s ±%.1f%%", siNumber(median), unit, 100*spread)
}
