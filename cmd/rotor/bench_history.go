package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/rotor-bt/rotor/engine/kernels"
	"github.com/rotor-bt/rotor/report"
)

// benchRecord is one line of a benchmark history (JSON lines): one
// workload of one run of rotor bench.
type benchRecord struct {
	Run          string    `json:"run"`  // shared by the records of one invocation
	Date         string    `json:"date"` // RFC 3339, UTC
	Commit       string    `json:"commit,omitempty"`
	Go           string    `json:"go"`
	GOEXPERIMENT string    `json:"goexperiment"`
	SIMD         bool      `json:"simd"` // the SIMD kernels ran
	CPU          string    `json:"cpu"`
	Cores        int       `json:"cores"`
	Set          string    `json:"set"`
	Workload     string    `json:"workload"`
	Median       float64   `json:"median"`
	Unit         string    `json:"unit"`
	Spread       float64   `json:"spread"` // largest |run - median| / median
	Samples      []float64 `json:"samples"`
	// The same per CPU-second of the process (work / (user+system time)):
	// what the code achieves on the CPU it gets when other work shares
	// the machine.
	CPUMedian  float64   `json:"cpu_median,omitempty"`
	CPUSpread  float64   `json:"cpu_spread,omitempty"`
	CPUSamples []float64 `json:"cpu_samples,omitempty"`
}

// benchEnvironment describes this build and machine.
func benchEnvironment() benchRecord {
	now := time.Now().UTC()
	r := benchRecord{
		Run:   now.Format("20060102T150405Z") + "-" + strconv.Itoa(os.Getpid()),
		Date:  now.Format(time.RFC3339),
		Go:    runtime.Version(),
		SIMD:  kernels.SIMDEnabled(),
		CPU:   cpuModel(),
		Cores: runtime.NumCPU(),
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "GOEXPERIMENT":
				r.GOEXPERIMENT = s.Value
			case "vcs.revision":
				r.Commit = s.Value
			}
		}
	}
	if out, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
		r.Commit = strings.TrimSpace(string(out))
	}
	return r
}

// cpuModel is the first "model name" of /proc/cpuinfo, or GOARCH.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}

func (env benchRecord) records(set string, results []benchResult) []benchRecord {
	var out []benchRecord
	for _, r := range results {
		rec := env
		rec.Set, rec.Workload, rec.Unit = set, r.workload, r.unit
		rec.Median, rec.Spread, rec.Samples = r.median, r.spread, r.samples
		rec.CPUMedian, rec.CPUSpread, rec.CPUSamples = r.cpuMedian, r.cpuSpread, r.cpuSamples
		out = append(out, rec)
	}
	return out
}

// appendHistory adds recs to the history file, rewriting it through a
// temporary file so that it is never left half-written.
func appendHistory(path string, recs []benchRecord) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("history %s: %w", path, err)
	}
	if _, err := parseHistory(path, bytes.NewReader(old)); err != nil {
		return fmt.Errorf("%w (not appending to a file that is not a benchmark history)", err)
	}
	var buf bytes.Buffer
	buf.Write(old)
	if len(old) > 0 && old[len(old)-1] != '\n' {
		buf.WriteByte('\n')
	}
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return writeAtomic(path, buf.Bytes())
}

// parseHistory reads JSON-lines records; a bad line is an error naming it.
func parseHistory(name string, r io.Reader) ([]benchRecord, error) {
	var recs []benchRecord
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var rec benchRecord
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			return nil, fmt.Errorf("history %s:%d: not a benchmark record: %v", name, line, err)
		}
		if rec.Run == "" || rec.Workload == "" || rec.Unit == "" || !(rec.Median > 0) {
			return nil, fmt.Errorf("history %s:%d: a record needs run, workload, unit and a positive median", name, line)
		}
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("history %s: %w", name, err)
	}
	return recs, nil
}

// runs groups records by run id in file order.
func runs(recs []benchRecord) [][]benchRecord {
	var out [][]benchRecord
	idx := map[string]int{}
	for _, r := range recs {
		i, ok := idx[r.Run]
		if !ok {
			i = len(out)
			idx[r.Run] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], r)
	}
	return out
}

// selectRun reads a selection: FILE (its last run), FILE@N (the N-th run,
// 1-based; negative counts from the end, @-1 the last) or FILE@ID (the run
// whose id or commit starts with ID).
func selectRun(sel string) ([]benchRecord, string, error) {
	file, which, hasAt := sel, "", false
	if i := strings.LastIndexByte(sel, '@'); i > 0 {
		if _, err := os.Stat(sel); err != nil {
			file, which, hasAt = sel[:i], sel[i+1:], true
		}
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, "", fmt.Errorf("bench compare: %w", err)
	}
	defer f.Close()
	recs, err := parseHistory(file, f)
	if err != nil {
		return nil, "", fmt.Errorf("bench compare: %w", err)
	}
	rs := runs(recs)
	if len(rs) == 0 {
		return nil, "", fmt.Errorf("bench compare: %s has no benchmark records", file)
	}
	if !hasAt {
		return rs[len(rs)-1], file, nil
	}
	return pickRun(rs, file, which)
}

// buildOf describes what a run's speed depends on besides the code: the
// Go version, the experiments (GOEXPERIMENT=simd), whether the SIMD
// kernels ran, and the machine.
func buildOf(r benchRecord) string {
	exp := r.GOEXPERIMENT
	if exp == "" {
		exp = "none"
	}
	return fmt.Sprintf("%s, GOEXPERIMENT=%s, simd=%v, %s × %d", r.Go, exp, r.SIMD, r.CPU, r.Cores)
}

// lastTwoOfBuild selects the last run of a history and the latest earlier
// run of the same build and machine (buildOf), so that a history holding
// runs of both builds compares like with like.
func lastTwoOfBuild(file string) (old []benchRecord, oldName string, cur []benchRecord, curName string, err error) {
	cur, curName, err = selectRun(file + "@-1")
	if err != nil {
		return nil, "", nil, "", err
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, "", nil, "", fmt.Errorf("bench compare: %w", err)
	}
	defer f.Close()
	recs, err := parseHistory(file, f)
	if err != nil {
		return nil, "", nil, "", fmt.Errorf("bench compare: %w", err)
	}
	rs := runs(recs)
	want := buildOf(cur[0])
	for i := len(rs) - 2; i >= 0; i-- {
		if buildOf(rs[i][0]) == want {
			return rs[i], fmt.Sprintf("%s@%d", file, i+1), cur, curName, nil
		}
	}
	return nil, "", nil, "", fmt.Errorf("bench compare: %s has no run before its last of the same build (%s); name two runs to compare across builds", file, want)
}

func pickRun(rs [][]benchRecord, file, which string) ([]benchRecord, string, error) {
	if n, err := strconv.Atoi(which); err == nil {
		i := n - 1
		if n < 0 {
			i = len(rs) + n
		}
		if n == 0 || i < 0 || i >= len(rs) {
			return nil, "", fmt.Errorf("bench compare: %s has %d runs; @%d is not one (use 1..%d or -1..-%d)", file, len(rs), n, len(rs), len(rs))
		}
		return rs[i], fmt.Sprintf("%s@%d", file, i+1), nil
	}
	var found []benchRecord
	for _, r := range rs {
		if strings.HasPrefix(r[0].Run, which) || (which != "" && strings.HasPrefix(r[0].Commit, which)) {
			found = r // the last match wins: the latest run of a commit
		}
	}
	if found == nil {
		return nil, "", fmt.Errorf("bench compare: no run of %s has an id or commit starting with %q", file, which)
	}
	return found, file + "@" + which, nil
}

const compareSummary = `Compares the medians of two benchmark runs workload by workload, in the
style of benchstat, and exits with status 1 when a workload got slower by
more than the threshold and by more than the measured noise: with at
least 4 runs on each side, when the two sets of runs differ significantly
(Mann-Whitney U test, p ≤ 0.05, as benchstat); with fewer, when the
difference exceeds the two runs' spreads together. A difference within
the noise is reported as ~.
OLD and NEW are history files (their last run), FILE@N (the N-th run; -1
the last, -2 the one before), or FILE@ID (the last run whose id or commit
starts with ID). With --history FILE alone, the last run of FILE is
compared with the latest earlier run of the same build and machine (Go
version, GOEXPERIMENT, SIMD, CPU and cores); runs named explicitly may
differ, and the table then says so.

Example:
  rotor bench compare --history bench/history.jsonl
  rotor bench compare old.jsonl new.jsonl --threshold 5`

func runBenchCompare(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench compare", "[OLD NEW] [flags]", compareSummary, stdout)
	history := fs.String("history", "", "compare the last run of this history with the latest earlier run of the same build")
	threshold := fs.Float64("threshold", 10, "regression threshold, percent slower")
	by := fs.String("by", "wall", "rate to compare: wall (wall-clock) or cpu (per CPU-second, steadier on a shared machine)")
	format := fs.String("format", "table", "output format: "+report.Formats)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !(*threshold > 0) || *threshold >= 100 {
		return usagef("bench compare: --threshold %v: want a percentage in (0, 100)", *threshold)
	}
	if *by != "wall" && *by != "cpu" {
		return usagef("bench compare: --by %q: want wall or cpu", *by)
	}
	var old, cur []benchRecord
	var oldName, curName string
	var err error
	switch {
	case fs.NArg() == 2 && *history == "":
		if old, oldName, err = selectRun(fs.Arg(0)); err != nil {
			return err
		}
		if cur, curName, err = selectRun(fs.Arg(1)); err != nil {
			return err
		}
	case fs.NArg() == 0 && *history != "":
		if old, oldName, cur, curName, err = lastTwoOfBuild(*history); err != nil {
			return err
		}
	default:
		return usagef("bench compare: want OLD NEW, or --history FILE alone")
	}
	if *by == "cpu" {
		for _, rs := range [][]benchRecord{old, cur} {
			for i := range rs {
				if len(rs[i].CPUSamples) == 0 {
					return fmt.Errorf("bench compare: --by cpu: %s of run %s has no per-CPU-second rates", rs[i].Workload, rs[i].Run)
				}
				rs[i].Median, rs[i].Spread, rs[i].Samples = rs[i].CPUMedian, rs[i].CPUSpread, rs[i].CPUSamples
				rs[i].Unit = strings.TrimSuffix(rs[i].Unit, "/s") + "/cpu-s"
			}
		}
	}
	t, regressions := compareRuns(old, cur, *threshold/100)
	t.Title = fmt.Sprintf("%s → %s", oldName, curName)
	if a, b := buildOf(old[0]), buildOf(cur[0]); a != b {
		t.Footer = append(t.Footer, fmt.Sprintf("note: the runs come from different builds or machines (%s; %s): the deltas include that difference", a, b))
	}
	if err := t.Write(stdout, *format); err != nil {
		return usagef("bench compare: --format: %v", err)
	}
	if len(regressions) > 0 {
		return fmt.Errorf("bench compare: %d regression(s) beyond %.3g%% and the noise: %s", len(regressions), *threshold, strings.Join(regressions, ", "))
	}
	return nil
}

// compareRuns builds the comparison table and lists the regressions.
func compareRuns(old, cur []benchRecord, threshold float64) (*report.Table, []string) {
	t := &report.Table{Columns: []string{"workload", "old", "new", "delta", "verdict"}}
	byName := map[string]benchRecord{}
	for _, r := range old {
		byName[r.Workload] = r
	}
	var regressions []string
	seen := map[string]bool{}
	for _, n := range cur {
		seen[n.Workload] = true
		o, ok := byName[n.Workload]
		if !ok {
			t.Rows = append(t.Rows, []string{n.Workload, "-", formatRate(n.Median, n.Unit, n.Spread), "", "only in new"})
			t.Values = append(t.Values, []any{n.Workload, math.NaN(), n.Median, math.NaN(), "only in new"})
			continue
		}
		if o.Unit != n.Unit {
			t.Rows = append(t.Rows, []string{n.Workload, o.Unit, n.Unit, "", "units differ"})
			t.Values = append(t.Values, []any{n.Workload, o.Median, n.Median, math.NaN(), "units differ"})
			continue
		}
		delta := n.Median/o.Median - 1 // rates: higher is better
		noisy := outsideNoise(o, n, delta)
		verdict := "~"
		switch {
		case -delta > threshold && noisy:
			verdict = "REGRESSION"
			regressions = append(regressions, fmt.Sprintf("%s %+.1f%%", n.Workload, 100*delta))
		case delta > threshold && noisy:
			verdict = "faster"
		case noisy:
			verdict = "within threshold"
		}
		t.Rows = append(t.Rows, []string{n.Workload, formatRate(o.Median, o.Unit, o.Spread), formatRate(n.Median, n.Unit, n.Spread), fmt.Sprintf("%+.1f%%", 100*delta), verdict})
		t.Values = append(t.Values, []any{n.Workload, o.Median, n.Median, delta, verdict})
	}
	for _, o := range old {
		if !seen[o.Workload] {
			t.Rows = append(t.Rows, []string{o.Workload, formatRate(o.Median, o.Unit, o.Spread), "-", "", "only in old"})
			t.Values = append(t.Values, []any{o.Workload, o.Median, math.NaN(), math.NaN(), "only in old"})
		}
	}
	if len(old) > 0 && len(cur) > 0 {
		t.Footer = append(t.Footer,
			fmt.Sprintf("old: %s %s, %s, commit %s", old[0].Date, old[0].CPU, old[0].Go+experimentNote(old[0]), orNone(old[0].Commit)),
			fmt.Sprintf("new: %s %s, %s, commit %s", cur[0].Date, cur[0].CPU, cur[0].Go+experimentNote(cur[0]), orNone(cur[0].Commit)),
			fmt.Sprintf("regression: slower by more than %.3g%% and beyond the noise (Mann-Whitney U p ≤ %.2g with ≥ 4 runs a side, else more than the two spreads together)", 100*threshold, alpha))
		if old[0].CPU != cur[0].CPU || old[0].Cores != cur[0].Cores {
			t.Footer = append(t.Footer, "warning: the runs are from different machines")
		}
	}
	return t, regressions
}

// alpha is the significance level of the noise test.
const alpha = 0.05

// outsideNoise reports whether the runs of o and n differ by more than
// their noise: a significant Mann-Whitney U test when both have at least 4
// runs, else |delta| larger than the sum of the spreads.
func outsideNoise(o, n benchRecord, delta float64) bool {
	if len(o.Samples) >= 4 && len(n.Samples) >= 4 {
		return mannWhitneyP(o.Samples, n.Samples) <= alpha
	}
	return math.Abs(delta) > o.Spread+n.Spread
}

// mannWhitneyP is the two-sided p-value of the Mann-Whitney U test of
// samples a and b, from the exact distribution of U (ties count one half
// and are placed on the nearest half-integer of the exact grid).
func mannWhitneyP(a, b []float64) float64 {
	m, n := len(a), len(b)
	u := 0.0 // pairs with a > b, ties one half
	for _, x := range a {
		for _, y := range b {
			switch {
			case x > y:
				u++
			case x == y:
				u += 0.5
			}
		}
	}
	// counts[k] = number of orderings with U = k, by the recursion
	// f(m,n,k) = f(m-1,n,k-n) + f(m,n-1,k).
	f := make([][]float64, n+1) // f[j][k] for the current i
	for j := range f {
		f[j] = make([]float64, m*n+1)
		f[j][0] = 1
	}
	for i := 1; i <= m; i++ {
		g := make([][]float64, n+1)
		for j := range g {
			g[j] = make([]float64, m*n+1)
			for k := 0; k <= i*j; k++ {
				v := 0.0
				if j > 0 {
					v += g[j-1][k]
				}
				if k >= j {
					v += f[j][k-j]
				}
				g[j][k] = v
			}
		}
		f = g
	}
	counts := f[n]
	total := 0.0
	for _, c := range counts {
		total += c
	}
	mean := float64(m*n) / 2
	d := math.Abs(u - mean)
	tail := 0.0
	for k, c := range counts {
		if math.Abs(float64(k)-mean) >= d-1e-9 {
			tail += c
		}
	}
	return tail / total
}
