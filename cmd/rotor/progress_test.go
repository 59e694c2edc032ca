package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rotor-bt/rotor/engine/sweep"
)

func TestProgressText(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4200: "-4,200"} {
		if got := grouped(n); got != want {
			t.Errorf("grouped(%d) = %q, want %q", n, got, want)
		}
	}
	p := sweep.NewProgress(4000)
	p.Add(1000)
	line := progressLine(p)
	if !strings.HasPrefix(line, "1,000/4,000 rows (25.0%), ") || !strings.Contains(line, "rows/s") || !strings.Contains(line, "ETA") {
		t.Errorf("line %q", line)
	}
	bar := progressBar(p, 20)
	if !strings.HasPrefix(bar, "[#####...............] 1,000/4,000") {
		t.Errorf("bar %q", bar)
	}
	p.Add(3000)
	if l := progressLine(p); strings.Contains(l, "ETA") || !strings.Contains(l, "(100.0%)") {
		t.Errorf("finished line %q", l)
	}
	// not a terminal: periodic lines, and a final one on stop
	var buf bytes.Buffer
	stop := startProgress(&buf, p, false, 10*time.Millisecond)
	time.Sleep(35 * time.Millisecond)
	stop()
	stop()
	if n := strings.Count(buf.String(), "sweep: 4,000/4,000 rows"); n < 2 {
		t.Errorf("%d progress lines:\n%s", n, buf.String())
	}
	buf.Reset()
	startProgress(&buf, p, true, time.Millisecond)()
	if buf.Len() != 0 {
		t.Errorf("quiet printed %q", buf.String())
	}
}

// A grid file gives the same sweep as the same grid on the command line.
func TestSweepGridFile(t *testing.T) {
	dir := t.TempDir()
	gf := filepath.Join(dir, "grid.yaml")
	os.WriteFile(gf, []byte("params:\n  fast: 5:30:5\n  slow: {from: 20, to: 80, step: 20}\nwhere: fast < slow\n"), 0o644)
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	mustSweep(t, "--out", a)
	if _, e, code := sweepCmd(context.Background(), "sweep", "sma_cross", "--grid-file", gf, "--symbols", "AAPL,MSFT,NVDA", "--quiet", "--top", "0", "--out", b); code != 0 {
		t.Fatal(e)
	}
	_, _, ra := tableRows(t, a)
	_, mb, rb := tableRows(t, b)
	if strings.Join(ra, "\n") != strings.Join(rb, "\n") || mb["where"] != "fast < slow" {
		t.Fatalf("grid file: %d rows vs %d, where %q", len(rb), len(ra), mb["where"])
	}
}
