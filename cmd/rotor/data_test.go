package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run runs one rotor command line and returns its exit status and output.
func runRotor(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runMain(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestDataGenDeterministic(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
	for _, d := range []struct{ out, seed string }{{a, "5"}, {b, "5"}, {c, "6"}} {
		if code, _, stderr := runRotor(t, "data", "gen", "--symbols", "20", "--days", "300", "--seed", d.seed, "--out", d.out); code != 0 {
			t.Fatalf("data gen exit %d: %s", code, stderr)
		}
	}
	for _, f := range []string{"prices.parquet", "rates.parquet", "splits.csv"} {
		x, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		y, _ := os.ReadFile(filepath.Join(b, f))
		z, _ := os.ReadFile(filepath.Join(c, f))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with one seed", f)
		}
		if f == "prices.parquet" && bytes.Equal(x, z) {
			t.Errorf("%s equal for two seeds", f)
		}
	}
}

func TestDataGenUsage(t *testing.T) {
	for _, args := range [][]string{
		{"data", "gen"},
		{"data", "gen", "--out", t.TempDir(), "--symbols", "0"},
		{"data", "gen", "--out", t.TempDir(), "--days", "1"},
		{"data", "gen", "--out", t.TempDir(), "--start", "2020-02-30"},
	} {
		code, _, stderr := runRotor(t, args...)
		if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line", args, code, stderr)
		}
	}
}

func TestDataImportInspect(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	// Unsorted input with a mapped column name.
	os.WriteFile(in, []byte("date,symbol,Close\n2024-01-03,BBB,21\n2024-01-02,AAA,10\n2024-01-03,AAA,2.5\n2024-01-02,BBB,20\n"), 0o644)
	out := filepath.Join(dir, "out.parquet")
	code, stdout, stderr := runRotor(t, "data", "import", in, "--col", "close=Close", "--out", out)
	if code != 0 {
		t.Fatalf("import exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "4 rows, 2 symbols × 2 bars") || !strings.Contains(stderr, "returns use close") {
		t.Errorf("stdout %q stderr %q", stdout, stderr)
	}
	code, stdout, stderr = runRotor(t, "data", "inspect", out)
	if code != 0 {
		t.Fatalf("inspect exit %d: %s", code, stderr)
	}
	for _, want := range []string{"columns   date DATE, symbol VARCHAR, close DOUBLE", "rows      4", "2024-01-02 .. 2024-01-03", "split candidates: 1 (no adj_close", "2024-01-03     AAA"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, stdout)
		}
	}
	// A bad input: one line, exit 1, no output file.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("date,symbol,close\n2024-01-02,AAA,10\n2024-01-02,AAA,11\n"), 0o644)
	out2 := filepath.Join(dir, "out2.parquet")
	code, _, stderr = runRotor(t, "data", "import", bad, "--out", out2)
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "bad.csv: row (2024-01-02, AAA): duplicate (date, symbol)") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "in.csv" && e.Name() != "out.parquet" && e.Name() != "bad.csv" {
			t.Errorf("left behind %s", e.Name())
		}
	}
	if code, _, _ := runRotor(t, "data", "import", in); code != 2 {
		t.Errorf("import without --out: exit %d, want 2", code)
	}
}
