package datasets

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rotor-bt/rotor/datasets/synth"
	"github.com/rotor-bt/rotor/engine"
)

// Loads from one Dataset equal the one-shot Loads of the same selections,
// in any order and repeated.
func TestDatasetLoads(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f, m := synthFile(t, dir, synth.Config{Symbols: 60, Days: 900, Seed: 7})
	rates := filepath.Join(dir, "rates.csv")
	if err := os.WriteFile(rates, []byte("date,rate_pct\n2000-01-03,5.5\n2001-06-01,4.75\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	from, to := m.Panel.Dates[200], m.Panel.Dates[499]
	sels := []LoadOptions{
		{},
		{From: &from, To: &to, Symbols: []string{"S0002", "S0031", "S0059"}},
		{Fields: []engine.Field{engine.AdjClose}},
		{},
	}
	ds, err := Open(ctx, LoadOptions{Paths: []string{f}, Rates: rates})
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	if got := ds.Files(); len(got) != 1 || filepath.Base(got[0]) != "prices.parquet" {
		t.Fatalf("files %v", got)
	}
	for k, sel := range sels {
		p, info, err := ds.Load(ctx, sel)
		if err != nil {
			t.Fatalf("load %d: %v", k, err)
		}
		one := sel
		one.Paths, one.Rates = []string{f}, rates
		q, qinfo, err := Load(ctx, one)
		if err != nil {
			t.Fatalf("one-shot load %d: %v", k, err)
		}
		samePanels(t, q, p)
		if info.Rows != qinfo.Rows || info.RatesRows != qinfo.RatesRows || info.RatesRows != 2 {
			t.Errorf("load %d: rows %d, rates rows %d; one-shot %d, %d", k, info.Rows, info.RatesRows, qinfo.Rows, qinfo.RatesRows)
		}
		fp, err := info.Fingerprint()
		qfp, _ := qinfo.Fingerprint()
		if err != nil || fp != qfp {
			t.Errorf("load %d: fingerprint %q (%v), one-shot %q", k, fp, err, qfp)
		}
	}
}

// Nothing of a file's content is kept between loads: a file rewritten
// after the first load is read as it is at the second.
func TestDatasetSeesChanges(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f := filepath.Join(dir, "prices.csv")
	write := func(close string) {
		t.Helper()
		body := "date,symbol,close\n2024-01-02,AAA,10\n2024-01-03,AAA," + close + "\n"
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("11")
	ds, err := Open(ctx, LoadOptions{Paths: []string{f}})
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	// loadClose loads the file and returns the second close and the
	// fingerprint, hashed right after the load.
	loadClose := func() (float64, string) {
		t.Helper()
		p, info, err := ds.Load(ctx, LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		fp, err := info.Fingerprint()
		if err != nil {
			t.Fatal(err)
		}
		return p.At(engine.Close, 1, 0), fp
	}
	c1, fp1 := loadClose()
	if c1 != 11 {
		t.Fatalf("first load: close %v, want 11", c1)
	}
	write("12.5")
	c2, fp2 := loadClose()
	if c2 != 12.5 {
		t.Fatalf("second load: close %v; want the rewritten 12.5", c2)
	}
	if fp1 == fp2 {
		t.Errorf("fingerprints %q and %q; want two different hashes", fp1, fp2)
	}

	// The same for Parquet, whose footer DuckDB could otherwise cache.
	pq := filepath.Join(dir, "prices.parquet")
	m1, err := synth.GenerateMarket(synth.Config{Symbols: 3, Days: 50, Seed: 1, NoLifecycle: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := WritePanel(ctx, m1.Panel, pq, DBConfig{}); err != nil {
		t.Fatal(err)
	}
	dq, err := Open(ctx, LoadOptions{Paths: []string{pq}})
	if err != nil {
		t.Fatal(err)
	}
	defer dq.Close()
	p, _, err := dq.Load(ctx, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	samePanels(t, m1.Panel, p)
	m2, err := synth.GenerateMarket(synth.Config{Symbols: 4, Days: 80, Seed: 2, NoLifecycle: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := WritePanel(ctx, m2.Panel, pq, DBConfig{}); err != nil {
		t.Fatal(err)
	}
	if p, _, err = dq.Load(ctx, LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	samePanels(t, m2.Panel, p)
}

// Loads that name other inputs, and loads after Close, are refused;
// concurrent loads wait for each other.
func TestDatasetMisuse(t *testing.T) {
	ctx := context.Background()
	ds, err := Open(ctx, LoadOptions{Paths: []string{"testdata/good/prices.csv"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		opt  LoadOptions
		want string
	}{
		{LoadOptions{Paths: []string{"testdata/good/close_only.csv"}}, "open another Dataset"},
		{LoadOptions{Rates: "testdata/good/rates.csv"}, "open another Dataset"},
		{LoadOptions{DB: DBConfig{MemoryLimit: "1GB"}}, "open another Dataset"},
	} {
		if _, _, err := ds.Load(ctx, c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Load(%+v) = %v; want an error saying %q", c.opt, err, c.want)
		}
	}
	if _, _, err := ds.Load(ctx, LoadOptions{Paths: []string{"./testdata/good/prices.csv"}}); err != nil {
		t.Errorf("Load naming the dataset's own file: %v", err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if p, _, err := ds.Load(ctx, LoadOptions{}); err != nil || p.T() != 4 {
				t.Errorf("concurrent load: %v", err)
			}
		})
	}
	wg.Wait()
	if err := ds.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ds.Load(ctx, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Load after Close = %v; want an error", err)
	}
	if err := ds.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
