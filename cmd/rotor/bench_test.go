package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchRun runs one rotor command line in process.
func benchRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runMain(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// benchOnce runs the cheapest real workload (one 2,520-bar crossover
// backtest per op) n times into hist.
func benchOnce(t *testing.T, hist string, n string) {
	t.Helper()
	code, out, errs := benchRun(t, "bench", "quick", "-n", n, "--run", "^kernels/cross-backtest$", "--history", hist)
	if code != 0 {
		t.Fatalf("rotor bench: exit %d\n%s\n%s", code, out, errs)
	}
}

func TestBenchWritesHistory(t *testing.T) {
	hist := filepath.Join(t.TempDir(), "h.jsonl")
	benchOnce(t, hist, "3")
	f, err := os.Open(hist)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := parseHistory(hist, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
	r := recs[0]
	if r.Workload != "kernels/cross-backtest" || r.Unit != "bars/s" || r.Set != "quick" || len(r.Samples) != 3 ||
		!(r.Median > 0) || r.Go == "" || r.CPU == "" || r.Cores < 1 || r.Date == "" || r.Run == "" {
		t.Fatalf("record %+v", r)
	}
	med, _ := medianSpread(r.Samples)
	if med != r.Median {
		t.Fatalf("median %v of %v, recorded %v", med, r.Samples, r.Median)
	}
	// A second run appends.
	benchOnce(t, hist, "1")
	b, _ := os.ReadFile(hist)
	if n := strings.Count(string(b), "\n"); n != 2 {
		t.Fatalf("%d lines after two runs", n)
	}
}

// Two runs of the same build are not a regression; a run made 2× slower
// by the test hook is, and compare exits 1 naming it. The workload runs for
// real, but the clock is the test's: it advances 1 ms per operation, so the
// rates are exact and the verdicts do not depend on the machine's load
// (the noise rule itself is tested on fixed records below).
func TestBenchCompareFlagsSlowdown(t *testing.T) {
	var now float64
	clock, after := benchClock, benchAfterOp
	benchClock = func() (float64, float64) { return now, now }
	benchAfterOp = func() { now += 0.001 }
	defer func() { benchClock, benchAfterOp = clock, after }()

	dir := t.TempDir()
	a, b, slow := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl"), filepath.Join(dir, "slow.jsonl")
	benchOnce(t, a, "5")
	benchOnce(t, b, "5")
	benchSlowdown = 1
	benchOnce(t, slow, "5")
	benchSlowdown = 0

	for _, by := range []string{"wall", "cpu"} {
		code, out, errs := benchRun(t, "bench", "compare", "--by", by, a, b)
		if code != 0 {
			t.Fatalf("--by %s: same build flagged: exit %d\n%s%s", by, code, out, errs)
		}
		code, out, errs = benchRun(t, "bench", "compare", "--by", by, a, slow)
		if code != 1 || !strings.Contains(out, "REGRESSION") || !strings.Contains(out, "-50.0%") || !strings.Contains(errs, "kernels/cross-backtest") {
			t.Fatalf("--by %s: 2× slowdown not flagged: exit %d\n%s%s", by, code, out, errs)
		}
		// The reverse direction is faster, not a failure.
		if code, out, errs = benchRun(t, "bench", "compare", "--by", by, slow, a); code != 0 || !strings.Contains(out, "faster") {
			t.Fatalf("--by %s: speed-up: exit %d\n%s%s", by, code, out, errs)
		}
	}
	if code, _, errs := benchRun(t, "bench", "compare", "--by", "fastest", a, b); code != 2 || !strings.Contains(errs, "--by") {
		t.Fatalf("bad --by: exit %d %s", code, errs)
	}
}

func TestBenchCompareHistorySelections(t *testing.T) {
	dir := t.TempDir()
	h := filepath.Join(dir, "h.jsonl")
	recs := []string{
		`{"run":"r1","date":"2026-01-01T00:00:00Z","commit":"aaaa","go":"go1.26","goexperiment":"","simd":false,"cpu":"X","cores":2,"set":"quick","workload":"w","median":100,"unit":"bars/s","spread":0.01,"samples":[99,100,101]}`,
		`{"run":"r2","date":"2026-01-02T00:00:00Z","commit":"bbbb","go":"go1.26","goexperiment":"","simd":false,"cpu":"X","cores":2,"set":"quick","workload":"w","median":50,"unit":"bars/s","spread":0.01,"samples":[49,50,51]}`,
		`{"run":"r3","date":"2026-01-03T00:00:00Z","commit":"cccc","go":"go1.26","goexperiment":"","simd":false,"cpu":"X","cores":2,"set":"quick","workload":"w","median":51,"unit":"bars/s","spread":0.01,"samples":[50,51,52]}`,
	}
	if err := os.WriteFile(h, []byte(strings.Join(recs, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Last vs the one before: 50 → 51, fine.
	if code, out, errs := benchRun(t, "bench", "compare", "--history", h); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	// First vs last by position and by commit: 100 → 51 (3 runs a side:
	// the spreads decide), a regression.
	for _, args := range [][]string{{h + "@1", h}, {h + "@aaaa", h + "@-1"}, {h + "@r1", h + "@cccc"}} {
		if code, _, errs := benchRun(t, append([]string{"bench", "compare"}, args...)...); code != 1 || !strings.Contains(errs, "w -49.0%") {
			t.Fatalf("%v: exit %d %s", args, code, errs)
		}
	}
	// Bad selections and files get one clear error each.
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{h + "@9", h}, 1, "has 3 runs"},
		{[]string{h + "@zzz", h}, 1, `starting with "zzz"`},
		{[]string{filepath.Join(dir, "none.jsonl"), h}, 1, "no such file"},
		{[]string{h}, 2, "want OLD NEW"},
		{[]string{"--threshold", "0", h, h}, 2, "--threshold"},
	} {
		code, _, errs := benchRun(t, append([]string{"bench", "compare"}, c.args...)...)
		if code != c.code || !strings.Contains(errs, c.msg) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errs, c.code, c.msg)
		}
	}
	// A history with runs of two builds: --history compares the last run
	// with the latest of its own build, and a history without one says so.
	mixed := filepath.Join(dir, "mixed.jsonl")
	simd := strings.NewReplacer(`"run":"r2"`, `"run":"s1"`, `"goexperiment":""`, `"goexperiment":"simd"`, `"simd":false`, `"simd":true`, `"median":50`, `"median":300`, "[49,50,51]", "[299,300,301]").Replace(recs[1])
	os.WriteFile(mixed, []byte(strings.Join([]string{recs[0], recs[2], simd}, "\n")+"\n"), 0o644)
	if code, out, errs := benchRun(t, "bench", "compare", "--history", mixed); code != 1 || !strings.Contains(errs, "no run before its last of the same build") {
		t.Errorf("mixed history, SIMD run last: exit %d\n%s%s", code, out, errs)
	}
	os.WriteFile(mixed, []byte(strings.Join([]string{recs[2], simd, recs[1]}, "\n")+"\n"), 0o644)
	if code, out, errs := benchRun(t, "bench", "compare", "--history", mixed); code != 0 || !strings.Contains(out, "mixed.jsonl@1 → ") {
		t.Errorf("mixed history: exit %d (want the default-build runs 51 → 50 compared)\n%s%s", code, out, errs)
	}
	if code, out, _ := benchRun(t, "bench", "compare", mixed+"@1", mixed+"@2"); code != 0 || !strings.Contains(out, "different builds") {
		t.Errorf("across builds: exit %d, want a note\n%s", code, out)
	}
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte("{\"run\":\"x\"}\nnot json\n"), 0o644)
	if code, _, errs := benchRun(t, "bench", "compare", bad, h); code != 1 || !strings.Contains(errs, "bad.jsonl:1") {
		t.Errorf("bad history: exit %d %q", code, errs)
	}
}

func TestBenchUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"bench", "huge"}, `unknown workload set "huge"`},
		{[]string{"bench", "-n", "0"}, "-n 0"},
		{[]string{"bench", "--run", "nothing-matches"}, "matches no workload"},
		{[]string{"bench", "--run", "("}, "--run"},
		{[]string{"bench", "--history", "/nonexistent-dir/h.jsonl"}, "does not exist"},
	} {
		code, _, errs := benchRun(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errs, c.msg)
		}
	}
}

func TestMannWhitney(t *testing.T) {
	// Complete separation of 5 and 5: p = 2/C(10,5) = 2/252.
	p := mannWhitneyP([]float64{1, 2, 3, 4, 5}, []float64{6, 7, 8, 9, 10})
	if math.Abs(p-2.0/252) > 1e-12 {
		t.Fatalf("p = %v, want %v", p, 2.0/252)
	}
	// Interleaved samples: no evidence.
	if p := mannWhitneyP([]float64{1, 3, 5, 7, 9}, []float64{2, 4, 6, 8, 10}); p < 0.5 {
		t.Fatalf("interleaved p = %v", p)
	}
	// 3 against 3 can never reach 0.05 (min p = 2/20).
	if p := mannWhitneyP([]float64{1, 2, 3}, []float64{4, 5, 6}); math.Abs(p-0.1) > 1e-12 {
		t.Fatalf("p = %v, want 0.1", p)
	}
}

func TestMedianSpread(t *testing.T) {
	m, s := medianSpread([]float64{10, 8, 12, 11})
	if m != 10.5 || math.Abs(s-2.5/10.5) > 1e-15 {
		t.Fatalf("median %v spread %v", m, s)
	}
}
