package datasets

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/rotor-bt/rotor/datasets/synth"
	"github.com/rotor-bt/rotor/engine"
)

// samePanels fails unless a and b have the same calendar, symbols and
// cells (NaN where NaN) in every field of a.
func samePanels(t *testing.T, a, b *engine.Panel) {
	t.Helper()
	if a.T() != b.T() || a.N() != b.N() {
		t.Fatalf("shape %d×%d vs %d×%d", a.T(), a.N(), b.T(), b.N())
	}
	for k := range a.Dates {
		if a.Dates[k] != b.Dates[k] {
			t.Fatalf("date %d: %s vs %s", k, a.Dates[k], b.Dates[k])
		}
	}
	for k := range a.Symbols {
		if a.Symbols[k] != b.Symbols[k] {
			t.Fatalf("symbol %d: %s vs %s", k, a.Symbols[k], b.Symbols[k])
		}
	}
	for f := engine.Field(0); f < engine.NumFields; f++ {
		x, y := a.Column(f), b.Column(f)
		if (x == nil) != (y == nil) {
			t.Fatalf("%s present in one panel only", f)
		}
		for k := range x {
			if x[k] != y[k] && !(math.IsNaN(x[k]) && math.IsNaN(y[k])) {
				t.Fatalf("%s cell %d: %v vs %v", f, k, x[k], y[k])
			}
		}
	}
}

func TestWriteLoadRoundTrip(t *testing.T) {
	ctx := context.Background()
	m, err := synth.GenerateMarket(synth.Config{Symbols: 30, Days: 400, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	f1, f2 := filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet")
	for _, f := range []string{f1, f2} {
		if err := writePanel(ctx, alloc, m.Panel, f, DBConfig{}); err != nil {
			t.Fatal(err)
		}
	}
	rf := filepath.Join(dir, "rates.parquet")
	if err := writeRates(ctx, alloc, m.Panel.Rates(), rf, DBConfig{}); err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(f1)
	b2, _ := os.ReadFile(f2)
	if !bytes.Equal(b1, b2) {
		t.Error("two writes of one panel differ")
	}
	p, info, err := Load(ctx, LoadOptions{Paths: []string{f1}, Rates: rf})
	if err != nil {
		t.Fatal(err)
	}
	// Volumes are integral, so BIGINT round-trips them exactly.
	samePanels(t, m.Panel, p)
	if info.RatesColumn != "rate_pct" {
		t.Errorf("rates column %q", info.RatesColumn)
	}
	for k, v := range m.Panel.RatePct() {
		if p.RatePct()[k] != v {
			t.Fatalf("rate on bar %d: %v, want %v", k, p.RatePct()[k], v)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("directory holds %d files, want 3 (no temp files left)", len(entries))
	}
}
