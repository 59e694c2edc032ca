package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/rotor-bt/rotor/datasets/tables"
	"github.com/rotor-bt/rotor/engine"
)

func runReportCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = runMain(context.Background(), append([]string{"report"}, args...), &o, &e)
	return o.String(), e.String(), code
}

// writeSweepTable writes a sweep result table of n rows: fast × slow ×
// seed grid points with synthetic metrics.
func writeSweepTable(t testing.TB, path string, n int) {
	t.Helper()
	cols := []tables.Column{{Name: "config_id", Type: tables.String}, {Name: "fast", Type: tables.Int64},
		{Name: "slow", Type: tables.Int64}, {Name: "weighting", Type: tables.String}, {Name: "seed", Type: tables.Int64}}
	for _, m := range engine.MetricNames {
		cols = append(cols, tables.Column{Name: m, Type: tables.Float64})
	}
	w, err := tables.Create(path, cols, map[string]string{"strategy": "grid_fixture", "grid": "fast=1:100,slow=1:100,seed=…",
		"conventions": "conventions: fill close; no costs; P = 252\ndata: fixture"})
	if err != nil {
		t.Fatal(err)
	}
	row := make([]any, len(cols))
	for k := 0; k < n; k++ {
		fast, slow, seed := k%100+1, (k/100)%100+1, k/10000
		wg := "equal"
		if k%3 == 0 {
			wg = "cap"
		}
		s := math.Sin(float64(fast)/13)*math.Cos(float64(slow)/29) + float64(seed%7)*0.01
		row[0], row[1], row[2], row[3], row[4] = strconv.Itoa(k), int64(fast), int64(slow), wg, int64(seed)
		for j := range engine.MetricNames {
			row[5+j] = s * float64(j+1)
		}
		if k%1001 == 0 {
			row[5+3] = math.NaN()
		}
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestReportSweepFiles(t *testing.T) {
	dir := t.TempDir()
	for _, ext := range []string{".parquet", ".csv", ".jsonl"} {
		in := filepath.Join(dir, "sweep"+ext)
		writeSweepTable(t, in, 6000)
		out := filepath.Join(dir, "sweep"+ext+".html")
		stdout, stderr, code := runReportCmd(t, in, "--out", out, "--x", "fast", "--y", "slow", "--fix", "weighting=cap", "--top", "5", "--format", "md")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", ext, code, stderr)
		}
		// The top table has the conventions footer, the best row first.
		for _, want := range []string{"### Top 5 of 6,000 rows by sharpe", "_conventions: fill close; no costs; P = 252_", "| 1 |"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%s: stdout lacks %q:\n%s", ext, want, stdout)
			}
		}
		doc, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		s := string(doc)
		for _, want := range []string{`class="cell" data-x="1–4.3" data-y="1"`, "Fixed: weighting=cap", "Sweep report: grid_fixture"} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: report lacks %q", ext, want)
			}
		}
		if strings.Contains(s, "http") || strings.Contains(s, "<script") {
			t.Errorf("%s: report is not self-contained", ext)
		}
		if n := strings.Count(s, `class="cell"`); n != 30*60 {
			// fast has 100 distinct values: binned into 30 numeric
			// ranges; slow has 60: one row each.
			t.Errorf("%s: %d heatmap cells, want 30×60", ext, n)
		}
		if !strings.Contains(stderr, "report: wrote "+out) {
			t.Errorf("stderr %q", stderr)
		}
	}
}

func writeRunTables(t *testing.T, dir string) (string, []float64) {
	curve := filepath.Join(dir, "run.parquet")
	meta := map[string]string{"strategy": "equal_weight", "params": "rebalance=monthly", "config_id": "abc",
		"conventions": "strategy: equal_weight rebalance=monthly\nconventions: fill close; cost 5 bps; P = 252; max leverage 1\nbenchmark: SPY"}
	cw, err := tables.Create(curve, []tables.Column{{Name: "date", Type: tables.Date}, {Name: "equity", Type: tables.Float64},
		{Name: "return", Type: tables.Float64}, {Name: "cash_return", Type: tables.Float64}, {Name: "benchmark_return", Type: tables.Float64},
		{Name: "drawdown", Type: tables.Float64}}, meta)
	if err != nil {
		t.Fatal(err)
	}
	var eq []float64
	v := 1.0
	d := engine.DateOf(2020, 1, 1)
	for k := 0; k < 600; k++ {
		for wd := d.Time().Weekday(); wd == 0 || wd == 6; wd = d.Time().Weekday() {
			d++
		}
		r := math.NaN()
		if k > 0 {
			r = 0.001 * math.Sin(float64(k)/10)
			v *= 1 + r
		}
		eq = append(eq, v)
		if err := cw.Write([]any{d, v, r, 0.0001, r / 2, 0.0}); err != nil {
			t.Fatal(err)
		}
		d++
	}
	if err := cw.Close(); err != nil {
		t.Fatal(err)
	}
	tw, err := tables.Create(filepath.Join(dir, "run.trades.parquet"), []tables.Column{{Name: "date", Type: tables.Date}, {Name: "bar", Type: tables.Int64},
		{Name: "symbol", Type: tables.String}, {Name: "from_weight", Type: tables.Float64}, {Name: "to_weight", Type: tables.Float64}, {Name: "cost", Type: tables.Float64}}, meta)
	if err != nil {
		t.Fatal(err)
	}
	tw.Write([]any{engine.DateOf(2020, 1, 1), int64(0), "AAA", 0.0, 0.5, 0.00025})
	tw.Write([]any{engine.DateOf(2020, 1, 1), int64(0), "BBB", 0.0, 0.5, 0.00025})
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	mw, err := tables.Create(filepath.Join(dir, "run.metrics.parquet"), []tables.Column{{Name: "metric", Type: tables.String}, {Name: "value", Type: tables.Float64}}, meta)
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range engine.MetricNames {
		mw.Write([]any{n, float64(k) / 10})
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return curve, eq
}

func TestReportRunFiles(t *testing.T) {
	dir := t.TempDir()
	curve, eq := writeRunTables(t, dir)
	out := filepath.Join(dir, "run.html")
	stdout, stderr, code := runReportCmd(t, curve, "--out", out, "--log")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"sharpe", "0.30", "conventions: fill close; cost 5 bps; P = 252; max leverage 1", "benchmark: SPY"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	doc, _ := os.ReadFile(out)
	s := string(doc)
	last := strconv.FormatFloat(eq[len(eq)-1], 'g', -1, 64)
	for _, want := range []string{`data-series="strategy" data-last-date=`, `data-last-value="` + last + `"`, "benchmark: SPY (rebased)", "Trades summary", "log scale", "Backtest report: equal_weight"} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q", want)
		}
	}

	// The JSON document of rotor run --out FILE.json gives the same report.
	type pt struct {
		Date   string   `json:"date"`
		Equity *float64 `json:"equity"`
	}
	var doc2 struct {
		Strategy    string         `json:"strategy"`
		Conventions []string       `json:"conventions"`
		Metrics     map[string]any `json:"metrics"`
		Curve       []pt           `json:"curve"`
	}
	doc2.Strategy = "equal_weight"
	doc2.Conventions = []string{"conventions: fill close"}
	doc2.Metrics = map[string]any{"sharpe": 1.25, "calmar": nil}
	for k, v := range eq {
		v := v
		doc2.Curve = append(doc2.Curve, pt{engine.DateOf(2020, 1, 1+k).String(), &v})
	}
	data, _ := json.Marshal(doc2)
	in := filepath.Join(dir, "run2.json")
	os.WriteFile(in, data, 0o644)
	stdout, stderr, code = runReportCmd(t, in, "--format", "csv")
	if code != 0 {
		t.Fatalf("json: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "sharpe,1.25") || !strings.Contains(stdout, "calmar,NaN") {
		t.Errorf("json metrics: %s", stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "run2.html")); err != nil {
		t.Errorf("default --out: %v", err)
	}
}

func TestReportErrors(t *testing.T) {
	dir := t.TempDir()
	sw := filepath.Join(dir, "s.parquet")
	writeSweepTable(t, sw, 500)
	other := filepath.Join(dir, "prices.csv")
	os.WriteFile(other, []byte("date,symbol,close\n2020-01-02,A,1\n"), 0o644)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{sw, "--metric", "sharp"}, 2, `--metric "sharp": want one of total_return`},
		{[]string{sw, "--x", "fats"}, 2, `--x "fats" is not a parameter of the sweep; valid: fast, slow, weighting, seed`},
		{[]string{sw, "--fix", "weighting=inverse"}, 2, "no row has weighting=inverse; values: cap, equal"},
		{[]string{sw, "--fix", "weighting"}, 2, `--fix "weighting": want name=value`},
		{[]string{sw, "--agg", "median"}, 2, "want best|mean"},
		{[]string{sw, "--out", filepath.Join(dir, "r.pdf")}, 2, "want a .html file"},
		{[]string{filepath.Join(dir, "missing.parquet")}, 1, "no such file"},
		{[]string{other}, 1, "neither a run nor a sweep output: columns date, symbol, close"},
		{[]string{}, 2, "want one input file"},
	} {
		_, stderr, code := runReportCmd(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
	// No report (or temporary file) is left behind by a failed run.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".html") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// TestReportMillionRows renders the report of a 1,000,000-row sweep from
// a Parquet file: the rows are aggregated per cell, so the process's peak
// RSS must stay under 200 MB while it runs and the page stays small. Its
// time is logged, not asserted (speed lives in BenchmarkSweepAggregate).
func TestReportMillionRows(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000,000-row sweep report: skipped with -short")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "big.parquet")
	writeSweepTable(t, in, 1_000_000)
	resetPeakRSS()
	start := time.Now()
	_, stderr, code := runReportCmd(t, in, "--out", filepath.Join(dir, "big.html"), "--x", "fast", "--y", "slow")
	el := time.Since(start)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	peak := peakRSS()
	t.Logf("1,000,000-row sweep report: %v, peak RSS %.0f MB", el.Round(time.Millisecond), float64(peak)/(1<<20))
	if peak > 200<<20 {
		t.Errorf("peak RSS %d MB, want < 200 MB", peak>>20)
	}
	st, _ := os.Stat(filepath.Join(dir, "big.html"))
	if st.Size() > 2<<20 {
		t.Errorf("report is %d bytes: the heatmap must aggregate", st.Size())
	}
}

// resetPeakRSS resets the kernel's high-water mark of this process's RSS
// (Linux: writing 5 to /proc/self/clear_refs).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's peak resident set size in bytes (VmHWM).
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			f := strings.Fields(v)
			kb, _ := strconv.ParseInt(f[0], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// TestReportSQLMatchesGo checks that the DuckDB aggregation of a sweep
// file equals report.Sweep.Aggregate streaming the same rows in Go: every
// cell's count and best value, the histogram, the top N and the ranges.
func TestReportSQLMatchesGo(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for _, ext := range []string{".parquet", ".csv", ".jsonl"} {
		in := filepath.Join(dir, "s"+ext)
		writeSweepTable(t, in, 4000)
		for _, c := range []struct {
			metric, x, y, agg string
			fixed             map[string]string
		}{
			{"sharpe", "fast", "slow", "best", nil},
			{"sharpe", "weighting", "seed", "mean", map[string]string{"fast": "7"}},
			{"max_drawdown", "seed", "fast", "best", map[string]string{"weighting": "cap"}},
			{"calmar", "", "", "best", nil},
		} {
			if ext != ".parquet" && c.metric != "sharpe" {
				continue // the formats differ only in how rows are read
			}
			s, q, err := openSweep(ctx, in, c.metric)
			if err != nil {
				t.Fatal(err)
			}
			s.Metric, s.X, s.Y, s.Agg, s.Fixed, s.TopN = c.metric, c.x, c.y, c.agg, c.fixed, 15
			want, err := s.Aggregate()
			if err != nil {
				t.Fatal(err)
			}
			got, err := q.aggregate(ctx, s)
			if err != nil {
				t.Fatalf("%s %+v: %v", ext, c, err)
			}
			name := ext + " " + c.metric + " " + c.x + "×" + c.y
			if got.Rows != want.Rows || got.Finite != want.Finite || got.Min != want.Min || got.Max != want.Max ||
				math.Abs(got.Mean-want.Mean) > 1e-12*math.Abs(want.Mean) || got.HeatRows != want.HeatRows {
				t.Errorf("%s: stats %d %d %v %v %v %d, want %d %d %v %v %v %d", name, got.Rows, got.Finite, got.Min, got.Max, got.Mean, got.HeatRows,
					want.Rows, want.Finite, want.Min, want.Max, want.Mean, want.HeatRows)
			}
			if strings.Join(got.XCats, ",") != strings.Join(want.XCats, ",") || strings.Join(got.YCats, ",") != strings.Join(want.YCats, ",") {
				t.Fatalf("%s: axes differ", name)
			}
			for y := range want.Cells {
				for x, w := range want.Cells[y] {
					g := got.Cells[y][x]
					same := g.N == w.N && g.Finite == w.Finite && (g.Best == w.Best || math.IsNaN(g.Best) && math.IsNaN(w.Best)) &&
						math.Abs(g.Sum-w.Sum) <= 1e-9*math.Max(1, math.Abs(w.Sum))
					if !same {
						t.Errorf("%s: cell %s,%s: %+v, want %+v", name, want.XCats[x], want.YCats[y], g, w)
					}
				}
			}
			for k := range want.Hist {
				if got.Hist[k] != want.Hist[k] {
					t.Errorf("%s: histogram bin %d: %d, want %d", name, k, got.Hist[k], want.Hist[k])
				}
			}
			if len(got.Top) != len(want.Top) {
				t.Fatalf("%s: top %d rows, want %d", name, len(got.Top), len(want.Top))
			}
			for k := range want.Top {
				g, w := got.Top[k], want.Top[k]
				if g.ConfigID != w.ConfigID || g.Value != w.Value || strings.Join(g.Params, ",") != strings.Join(w.Params, ",") {
					t.Errorf("%s: top %d: %+v, want %+v", name, k, g, w)
				}
			}
		}
	}
}

// TestDemoWritesReport runs rotor demo on the embedded sample and checks
// the study report it writes beside the results: well-formed, no URL, the
// rate path with the 2019 first cut marked, the event window, and the
// rotated and base curves ending at the values of the demo's results.
func TestDemoWritesReport(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "demo.parquet")
	var o, e bytes.Buffer
	if code := runMain(context.Background(), []string{"demo", "--out", out}, &o, &e); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, e.String())
	}
	page := filepath.Join(dir, "demo.html")
	if !strings.Contains(e.String(), "demo: report in "+page) {
		t.Errorf("demo does not print the report's path: %s", e.String())
	}
	data, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, bad := range []string{"http://", "https://", "<script", " src=", " href="} {
		if strings.Contains(s, bad) {
			t.Errorf("demo report contains %q", bad)
		}
	}
	var markers, windows int
	var last []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "data-date" && a.Val == "2019-08-01" {
					markers++
				}
				if a.Key == "data-last-value" {
					last = append(last, a.Val)
				}
			}
			if n.Data == "h3" && n.FirstChild != nil && strings.HasPrefix(n.FirstChild.Data, "first cut 2019-08-01") {
				windows++
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if markers < 2 || windows != 1 {
		t.Errorf("2019-08-01 markers %d (want the rate chart's and the equity chart's), event windows %d (want 1)", markers, windows)
	}
	// Series: the rate path, then rotated and base over the whole run: the
	// base's final equity is 1 + the base total return of the results.
	cols, meta, err := tables.ReadMeta(context.Background(), out)
	if err != nil || len(cols) == 0 {
		t.Fatal(err)
	}
	baseTR, _ := strconv.ParseFloat(meta["base_total_return"], 64)
	if len(last) < 3 {
		t.Fatalf("series: %v", last)
	}
	if got, _ := strconv.ParseFloat(last[2], 64); math.Abs(got-(1+baseTR)) > 1e-12 {
		t.Errorf("base curve ends at %v, want 1 + %v", got, baseTR)
	}
}

func TestReportKnownStrategyColumns(t *testing.T) {
	// A sweep of a registered strategy: its parameters are the heatmap's
	// dimensions; other non-metric columns (episode dates) are left out.
	dir := t.TempDir()
	in := filepath.Join(dir, "s.csv")
	w, err := tables.Create(in, []tables.Column{{Name: "config_id", Type: tables.String}, {Name: "fast", Type: tables.Int64},
		{Name: "slow", Type: tables.Int64}, {Name: "switch_date", Type: tables.Date}, {Name: "sharpe", Type: tables.Float64}},
		map[string]string{"strategy": "sma_cross"})
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 20; k++ {
		w.Write([]any{strconv.Itoa(k), int64(k%4 + 1), int64(k/4 + 10), engine.DateOf(2020, 1, 1+k), float64(k)})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	s, _, err := openSweep(context.Background(), in, "sharpe")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(s.Params, ",") != "fast,slow" {
		t.Errorf("params %v, want fast,slow", s.Params)
	}
}

// Every printed format of the report's table carries the conventions
// (CSV has no place for them: its columns are the data only).
func TestReportFormatsCarryConventions(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "s.parquet")
	writeSweepTable(t, in, 300)
	for _, f := range []string{"table", "md", "json"} {
		stdout, stderr, code := runReportCmd(t, in, "--out", filepath.Join(dir, f+".html"), "--format", f)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, stderr)
		}
		for _, want := range []string{"conventions: fill close; no costs; P = 252", "data: fixture", "source: " + in} {
			if !strings.Contains(stdout, want) {
				t.Errorf("--format %s lacks %q:\n%s", f, want, stdout)
			}
		}
	}
	stdout, _, _ := runReportCmd(t, in, "--out", filepath.Join(dir, "c.html"), "--format", "csv")
	if !strings.HasPrefix(stdout, "rank,config_id,fast,slow,weighting,sharpe,") {
		t.Errorf("csv header: %.80s", stdout)
	}
}
