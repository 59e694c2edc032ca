package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/rotor-bt/rotor/datasets"
	"github.com/rotor-bt/rotor/datasets/synth"
	"github.com/rotor-bt/rotor/engine"
)

func init() {
	register(&command{
		name:    "data gen",
		summary: "generate a synthetic market (prices, rates, splits) as zstd Parquet",
		run:     runDataGen,
	})
}

func runDataGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("data gen", "--out DIR [flags]", "Generate a deterministic synthetic market: DIR/prices.parquet (date, symbol,\nopen, high, low, close (raw), adj_close, volume, shares_outstanding),\nDIR/rates.parquet (date, rate_pct) and DIR/splits.csv (the splits put in).\nThe same flags give byte-identical files.", stdout)
	n := fs.Int("symbols", 500, "number of symbols `N`")
	days := fs.Int("days", 5000, "number of trading days `T` (Monday to Friday)")
	seed := fs.Int64("seed", 1, "random `SEED`")
	start := fs.String("start", "2000-01-03", "first trading day `YYYY-MM-DD`")
	mega := fs.Int("megacaps", 0, "size `K` of the mega-cap cluster (default min(7, N))")
	noLife := fs.Bool("no-lifecycle", false, "no IPOs or delistings: every cell is priced")
	out := fs.String("out", "", "output `DIR` (created if missing)")
	memory := fs.String("duckdb-memory", datasets.DefaultMemoryLimit, "DuckDB memory `LIMIT`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("data gen: unexpected argument %q", fs.Arg(0))
	}
	if *out == "" {
		return usagef("data gen: --out DIR is required")
	}
	if *n < 1 || *n > 99999 {
		return usagef("data gen: --symbols %d: want 1..99999", *n)
	}
	if *days < 2 {
		return usagef("data gen: --days %d: want at least 2", *days)
	}
	d, err := engine.ParseDate(*start)
	if err != nil {
		return usagef("data gen: --start: %v", err)
	}
	if *mega < 0 || *mega > *n {
		return usagef("data gen: --megacaps %d: want 0..%d", *mega, *n)
	}
	m, err := synth.GenerateMarket(synth.Config{Symbols: *n, Days: *days, Seed: *seed, Start: d, MegaCaps: *mega, NoLifecycle: *noLife})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	cfg := datasets.DBConfig{MemoryLimit: *memory}
	prices := filepath.Join(*out, "prices.parquet")
	if err := datasets.WritePanel(ctx, m.Panel, prices, cfg); err != nil {
		return err
	}
	rates := filepath.Join(*out, "rates.parquet")
	if err := datasets.WriteRates(ctx, m.Panel.Rates(), rates, cfg); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("date,symbol,ratio\n")
	for _, s := range m.Splits {
		fmt.Fprintf(&b, "%s,%s,%g\n", s.Date, s.Symbol, s.Ratio)
	}
	if err := writeFileAtomic(filepath.Join(*out, "splits.csv"), []byte(b.String())); err != nil {
		return err
	}
	p := m.Panel
	fmt.Fprintf(stdout, "wrote %s: %d symbols × %d days (%s..%s), %d splits, %d mega-caps, first cuts %s\n",
		*out, p.N(), p.T(), p.Dates[0], p.Dates[p.T()-1], len(m.Splits), len(m.MegaCaps), joinDates(m.FirstCuts))
	return nil
}

func joinDates(ds []engine.Date) string {
	if len(ds) == 0 {
		return "none"
	}
	s := make([]string, len(ds))
	for k, d := range ds {
		s[k] = d.String()
	}
	return strings.Join(s, " ")
}

// writeFileAtomic writes data to a temp file beside name, then renames it.
func writeFileAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), name)
}
