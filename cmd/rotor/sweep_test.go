package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rotor-bt/rotor/datasets/tables"
	"github.com/rotor-bt/rotor/engine"
)

func sweepCmd(ctx context.Context, args ...string) (stdout, stderr string, code int) {
	var o, e bytes.Buffer
	code = runMain(ctx, args, &o, &e)
	return o.String(), e.String(), code
}

// tableRows reads a result table as sorted text rows: every cell, floats
// by their bits.
func tableRows(t *testing.T, path string) ([]tables.Column, map[string]string, []string) {
	t.Helper()
	r, err := tables.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rows []string
	for r.Next() {
		var b strings.Builder
		for _, v := range r.Row() {
			if f, ok := v.(float64); ok {
				fmt.Fprintf(&b, "%x|", math.Float64bits(f))
			} else {
				fmt.Fprintf(&b, "%v|", v)
			}
		}
		rows = append(rows, b.String())
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(rows)
	return r.Columns(), r.Meta(), rows
}

var sweepArgs = []string{"sweep", "sma_cross", "--grid", "fast=5:30:5,slow=20:80:20", "--where", "fast<slow", "--symbols", "AAPL,MSFT,NVDA", "--quiet", "--top", "0"}

func mustSweep(t *testing.T, extra ...string) string {
	t.Helper()
	_, errOut, code := sweepCmd(context.Background(), append(append([]string(nil), sweepArgs...), extra...)...)
	if code != 0 {
		t.Fatalf("sweep %v: exit %d: %s", extra, code, errOut)
	}
	return errOut
}

// The rows are bit-identical for -j 1 and -j 8, any chunking, and the
// three shards of --shard i/3 merged (SEMANTICS §5); the columns are
// config_id, symbol, the parameters and the metrics.
func TestSweepDeterministic(t *testing.T) {
	dir := t.TempDir()
	one := filepath.Join(dir, "one.parquet")
	mustSweep(t, "--out", one, "-j", "1")
	cols, meta, ref := tableRows(t, one)
	want := append([]string{"config_id", "symbol", "fast", "slow"}, engine.MetricNames...)
	var got []string
	for _, c := range cols {
		got = append(got, c.Name)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("columns %v, want %v", got, want)
	}
	// 5..30 × 20..80 with fast<slow: 6×4 = 24 minus (fast ≥ slow: none with slow ≥ 20 except none) → count by hand
	n := 0
	for f := 5; f <= 30; f += 5 {
		for s := 20; s <= 80; s += 20 {
			if f < s {
				n++
			}
		}
	}
	if len(ref) != 3*n {
		t.Fatalf("%d rows, want %d", len(ref), 3*n)
	}
	for _, k := range []string{"strategy", "grid", "where", "fingerprint", "conventions", "version", "data", "symbols"} {
		if meta[k] == "" {
			t.Errorf("metadata %s missing", k)
		}
	}
	if meta["complete"] != "true" || meta["where"] != "fast<slow" || meta["symbols"] != "AAPL,MSFT,NVDA" {
		t.Errorf("metadata %v", meta)
	}
	for _, extra := range [][]string{{"-j", "8"}, {"-j", "3", "--chunk", "1"}} {
		p := filepath.Join(dir, fmt.Sprintf("j%s.csv", extra[1]))
		mustSweep(t, append([]string{"--out", p}, extra...)...)
		_, _, rows := tableRows(t, p)
		if strings.Join(rows, "\n") != strings.Join(ref, "\n") {
			t.Fatalf("%v: rows differ from -j 1", extra)
		}
	}
	var parts []string
	for i := 0; i < 3; i++ {
		p := filepath.Join(dir, fmt.Sprintf("s%d.jsonl", i))
		mustSweep(t, "--out", p, "--shard", fmt.Sprintf("%d/3", i))
		parts = append(parts, p)
	}
	merged := filepath.Join(dir, "merged.parquet")
	if _, e, code := sweepCmd(context.Background(), append([]string{"results", "merge", merged}, parts...)...); code != 0 {
		t.Fatalf("merge: %s", e)
	}
	_, mm, rows := tableRows(t, merged)
	if strings.Join(rows, "\n") != strings.Join(ref, "\n") {
		t.Fatal("merged shards differ from one run")
	}
	if mm["complete"] != "true" || mm["shard"] != "" {
		t.Errorf("merged metadata %v", mm)
	}
	// a missing shard and a duplicated one are errors, and nothing is written
	bad := filepath.Join(dir, "bad.parquet")
	if _, e, code := sweepCmd(context.Background(), "results", "merge", bad, parts[0], parts[2]); code != 1 || !strings.Contains(e, "rows are missing") {
		t.Errorf("missing shard: exit %d %s", code, e)
	}
	dup := filepath.Join(dir, "dup.jsonl")
	data, _ := os.ReadFile(parts[1])
	os.WriteFile(dup, data, 0o644)
	side, _ := os.ReadFile(tables.SidecarPath(parts[1]))
	os.WriteFile(tables.SidecarPath(dup), side, 0o644)
	if _, e, code := sweepCmd(context.Background(), "results", "merge", bad, parts[0], parts[1], parts[2], dup); code != 1 || !strings.Contains(e, "appears twice") {
		t.Errorf("duplicate shard: exit %d %s", code, e)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Error("a failed merge left its output")
	}
	// another sweep is refused
	other := filepath.Join(dir, "other.csv")
	mustSweep(t, "--out", other, "--cost-bps", "5")
	if _, e, code := sweepCmd(context.Background(), "results", "merge", bad, parts[0], other); code != 1 || !strings.Contains(e, "not parts of one sweep") {
		t.Errorf("mixed sweeps: exit %d %s", code, e)
	}
}

// Interrupting a sweep keeps every finished row in a valid file; --resume
// completes it, and the result equals one uninterrupted run, with no
// duplicate.
func TestSweepInterruptResume(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.parquet")
	mustSweep(t, "--out", full)
	_, _, ref := tableRows(t, full)
	for _, ext := range []string{".parquet", ".csv"} {
		out := filepath.Join(dir, "part"+ext)
		ctx, cancel := context.WithCancel(context.Background())
		sweepRowsHook = func(n int64) {
			if n >= 10 {
				cancel()
			}
		}
		_, e, code := sweepCmd(ctx, append(append([]string(nil), sweepArgs...), "--out", out, "-j", "2", "--chunk", "2")...)
		sweepRowsHook = nil
		cancel()
		if code != 1 || !strings.Contains(e, "sweep interrupted") || !strings.Contains(e, "--resume") {
			t.Fatalf("%s: interrupted run: exit %d: %s", ext, code, e)
		}
		_, meta, part := tableRows(t, out)
		if len(part) < 10 || len(part) >= len(ref) || meta["complete"] != "false" {
			t.Fatalf("%s: interrupted file has %d of %d rows, complete=%s", ext, len(part), len(ref), meta["complete"])
		}
		if _, e, code := sweepCmd(context.Background(), append(append([]string(nil), sweepArgs...), "--out", out)...); code != 2 || !strings.Contains(e, "pass --resume") {
			t.Fatalf("%s: rerun without --resume: exit %d %s", ext, code, e)
		}
		e = mustSweep(t, "--out", out, "--resume")
		if !strings.Contains(e, fmt.Sprintf("%d rows already done", len(part))) {
			t.Errorf("%s: resume message: %s", ext, e)
		}
		_, meta, all := tableRows(t, out)
		if strings.Join(all, "\n") != strings.Join(ref, "\n") {
			t.Fatalf("%s: interrupted + resumed (%d rows) differs from one run (%d rows)", ext, len(all), len(ref))
		}
		if meta["complete"] != "true" {
			t.Errorf("%s: resumed file not complete", ext)
		}
		// resuming with other settings is refused
		if _, e, code := sweepCmd(context.Background(), append(append([]string(nil), sweepArgs...), "--out", out, "--resume", "--cost-bps", "3")...); code != 2 || !strings.Contains(e, "was made with conventions") {
			t.Errorf("%s: resume with other conventions: exit %d %s", ext, code, e)
		}
	}
}

// Bad command lines get one clear line and exit status 2; nothing is written.
func TestSweepBadInput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.parquet")
	gf := filepath.Join(dir, "g.yaml")
	os.WriteFile(gf, []byte("params:\n  fast: [5, 10]\n  slwo: 20\n"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"sweep", "nope", "--out", out}, `unknown strategy "nope"`},
		{[]string{"sweep", "sma_cross", "--grid", "fsat=1:5", "--out", out}, "unknown parameter (in --grid): valid parameters are"},
		{[]string{"sweep", "sma_cross", "--grid", "fast=10:5", "--out", out}, `range "10:5" is empty`},
		{[]string{"sweep", "sma_cross", "--grid", "fast=5:50:0", "--out", out}, "step 0"},
		{[]string{"sweep", "sma_cross", "--grid", "fast=x", "--out", out}, `"x" is not a whole number`},
		{[]string{"sweep", "sma_cross", "--grid", "fast=5:10,slow=20:30", "--where", "fast>slow", "--out", out}, "keeps none of the grid's"},
		{[]string{"sweep", "sma_cross", "--grid", "fast=5:10", "--where", "fast<<slow", "--out", out}, "column 6"},
		{[]string{"sweep", "sma_cross", "--grid-file", gf, "--out", out}, "slwo"},
		{[]string{"sweep", "sma_cross", "--grid", "fast=5"}, "--out FILE is required"},
		{[]string{"sweep", "sma_cross", "--grid", "fast=5", "--out", filepath.Join(dir, "x.txt")}, "unknown table format"},
		{[]string{"sweep", "sma_cross", "--grid", "fast=5", "--out", out, "--shard", "3/3"}, "index must be in 0..2"},
		{[]string{"sweep", "sma_cross", "--grid", "fast=5", "--out", out, "--by", "sharp"}, "--by \"sharp\": want one of"},
		{[]string{"sweep", "sma_cross", "--grid", "fast=5", "--out", out, "-j", "0"}, "want at least 1 worker"},
		{[]string{"sweep", "sma_cross", "--grid", "fast=5", "--out", out, "--sample", "-1"}, "want a positive number"},
		{[]string{"sweep", "sma_cross", "--grid", "fast=5", "--out", filepath.Join(dir, "no", "x.csv")}, "does not exist"},
		{[]string{"results", "top", out}, "no such file"},
	}
	for _, c := range cases {
		_, e, code := sweepCmd(context.Background(), c.args...)
		if code == 0 || !strings.Contains(e, c.want) || strings.Count(strings.TrimSpace(e), "\n") > 0 && !strings.HasPrefix(e, "data:") {
			t.Errorf("%v: exit %d, stderr %q; want %q", c.args, code, e, c.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("bad runs left files: %v", entries)
	}
	t.Setenv("JOB_COMPLETION_INDEX", "1")
	if _, e, code := sweepCmd(context.Background(), "sweep", "sma_cross", "--grid", "fast=5", "--out", out); code != 2 || !strings.Contains(e, "--shard-count") {
		t.Errorf("Indexed Job without a count: exit %d %s", code, e)
	}
}

// rotor results top ranks by the metric and prints the conventions; the
// summary and --top-curves of the sweep agree with it.
func TestResultsTopAndCurves(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.parquet")
	args := append(append([]string(nil), sweepArgs[:len(sweepArgs)-2]...), "--out", out, "--top", "3", "--top-curves", "2")
	so, e, code := sweepCmd(context.Background(), args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	top, e, code := sweepCmd(context.Background(), "results", "top", out, "--by", "sharpe", "-n", "3", "--format", "csv")
	if code != 0 {
		t.Fatalf("results top: %s", e)
	}
	lines := strings.Split(strings.TrimSpace(top), "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "config_id,symbol,fast,slow,total_return") {
		t.Fatalf("top csv:\n%s", top)
	}
	var prev = math.Inf(1)
	for _, l := range lines[1:4] {
		f := strings.Split(l, ",")
		var sh float64
		fmt.Sscan(f[4+3], &sh) // sharpe is the 4th metric
		if sh > prev {
			t.Errorf("not descending: %s", top)
		}
		prev = sh
		if !strings.Contains(so, f[0]) {
			t.Errorf("summary lacks %s:\n%s", f[0], so)
		}
	}
	cols, meta, rows := tableRows(t, filepath.Join(dir, "r.curves.parquet"))
	if len(cols) != 6 || meta["by"] != "sharpe" || len(rows) == 0 {
		t.Fatalf("curves: %v %v %d rows", cols, meta, len(rows))
	}
	text, _, code := sweepCmd(context.Background(), "results", "top", out, "--by", "max_drawdown", "-n", "2")
	if code != 0 || !strings.Contains(text, "top 2 by max_drawdown (ascending)") || !strings.Contains(text, "conventions: fill close") {
		t.Errorf("results top text:\n%s", text)
	}
}
