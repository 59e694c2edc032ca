package bench_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rotor-bt/rotor/datasets"
	"github.com/rotor-bt/rotor/datasets/synth"
	"github.com/rotor-bt/rotor/engine"
)

// synthParquet writes the 500 symbols × 5000 days synthetic market as
// zstd Parquet into dir and returns the file, its row count and up to 50
// symbols listed on every bar.
func synthParquet(b *testing.B, dir string) (file string, rows int64, full []string) {
	m, err := synth.GenerateMarket(synth.Config{Symbols: 500, Days: 5000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	for i, l := range m.Listed {
		if l == [2]int{0, m.Panel.T() - 1} && len(full) < 50 {
			full = append(full, m.Panel.Symbols[i])
		}
	}
	for _, c := range m.Panel.Column(m.Panel.PriceField()) {
		if c == c {
			rows++
		}
	}
	file = filepath.Join(dir, "prices.parquet")
	if err := datasets.WritePanel(context.Background(), m.Panel, file, datasets.DBConfig{}); err != nil {
		b.Fatal(err)
	}
	return file, rows, full
}

// BenchmarkLoadParquet loads the 2.5M-row synthetic file (all seven
// columns) into a panel: DuckDB scan → Arrow batches → validated panel
// (the content fingerprint is computed only when asked for, by
// Info.Fingerprint, so it is not timed). adj_close loads that column only (what a
// returns-based backtest needs); subset loads one year of 50 symbols
// through the pushed-down filters. rows/cpu-s is the rate per second of
// process CPU time (every thread, DuckDB's included): on a machine shared
// with other work it is steadier than rows/s, and times the number of cores
// it is about the rate an idle machine gives.
func BenchmarkLoadParquet(b *testing.B) {
	file, rows, full := synthParquet(b, b.TempDir())
	st, err := os.Stat(file)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	// timeLoads runs load in b.Loop, checks each panel and reports the
	// rates.
	timeLoads := func(b *testing.B, wantN, wantT int, load func() (*engine.Panel, *datasets.Info, error)) {
		b.ReportAllocs()
		cpu0 := cpuSeconds()
		for b.Loop() {
			p, info, err := load()
			if err != nil {
				b.Fatal(err)
			}
			if info.Rows != rows || p.N() != wantN || p.T() != wantT {
				b.Fatalf("loaded %d rows %d×%d, want %d rows %d×%d", info.Rows, p.T(), p.N(), rows, wantT, wantN)
			}
		}
		cpu := cpuSeconds() - cpu0
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(float64(rows)*float64(b.N)/cpu, "rows/cpu-s")
	}
	b.Run("all", func(b *testing.B) {
		b.SetBytes(st.Size())
		timeLoads(b, 500, 5000, func() (*engine.Panel, *datasets.Info, error) {
			return datasets.Load(ctx, datasets.LoadOptions{Paths: []string{file}})
		})
	})
	b.Run("dataset", func(b *testing.B) {
		ds, err := datasets.Open(ctx, datasets.LoadOptions{Paths: []string{file}})
		if err != nil {
			b.Fatal(err)
		}
		defer ds.Close()
		b.SetBytes(st.Size())
		timeLoads(b, 500, 5000, func() (*engine.Panel, *datasets.Info, error) {
			return ds.Load(ctx, datasets.LoadOptions{})
		})
	})
	b.Run("adj_close", func(b *testing.B) {
		timeLoads(b, 500, 5000, func() (*engine.Panel, *datasets.Info, error) {
			return datasets.Load(ctx, datasets.LoadOptions{Paths: []string{file}, Fields: []engine.Field{engine.AdjClose}})
		})
	})
	b.Run("subset", func(b *testing.B) {
		from, to := engine.DateOf(2010, 1, 1), engine.DateOf(2010, 12, 31)
		syms := full
		b.ReportAllocs()
		var n int64
		for b.Loop() {
			_, info, err := datasets.Load(ctx, datasets.LoadOptions{Paths: []string{file}, From: &from, To: &to, Symbols: syms})
			if err != nil {
				b.Fatal(err)
			}
			n = info.Rows
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}
