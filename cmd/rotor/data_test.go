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
