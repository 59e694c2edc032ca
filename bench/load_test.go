package bench_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rotor-bt/rotor/datasets"
	"github.com/rotor-bt/rotor/datasets/synth"
	"github.com/rotor-bt/rotor/engine"
)

// loadFile is the 500 symbols × 5000 days synthetic market as zstd
// Parquet, generated once per test binary run.
var loadFile = struct {
	once sync.Once
	dir  string
	rows int64
	full []string // symbols listed on every bar
	err  error
}{}

func synthParquet(b *testing.B) (string, int64) {
	loadFile.once.Do(func() {
		dir, err := os.MkdirTemp("", "rotor-bench-load-")
		if err != nil {
			loadFile.err = err
			return
		}
		loadFile.dir = dir
		m, err := synth.GenerateMarket(synth.Config{Symbols: 500, Days: 5000, Seed: 1})
		if err != nil {
			loadFile.err = err
			return
		}
		for i, l := range m.Listed {
			if l == [2]int{0, m.Panel.T() - 1} && len(loadFile.full) < 50 {
				loadFile.full = append(loadFile.full, m.Panel.Symbols[i])
			}
		}
		for _, c := range m.Panel.Column(m.Panel.PriceField()) {
			if c == c {
				loadFile.rows++
			}
		}
		loadFile.err = datasets.WritePanel(context.Background(), m.Panel, filepath.Join(dir, "prices.parquet"), datasets.DBConfig{})
	})
	if loadFile.err != nil {
		b.Fatal(loadFile.err)
	}
	return filepath.Join(loadFile.dir, "prices.parquet"), loadFile.rows
}

func TestMain(m *testing.M) {
	code := m.Run()
	if loadFile.dir != "" {
		os.RemoveAll(loadFile.dir)
	}
	os.Exit(code)
}

// BenchmarkLoadParquet loads the 2.5M-row synthetic file (all seven
// columns) into a panel: DuckDB scan → Arrow batches → validated panel,
// with the content fingerprint. adj_close loads that column only (what a
// returns-based backtest needs); subset loads one year of 50 symbols
// through the pushed-down filters.
func BenchmarkLoadParquet(b *testing.B) {
	file, rows := synthParquet(b)
	st, err := os.Stat(file)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("all", func(b *testing.B) {
		b.SetBytes(st.Size())
		b.ReportAllocs()
		for b.Loop() {
			p, info, err := datasets.Load(ctx, datasets.LoadOptions{Paths: []string{file}})
			if err != nil {
				b.Fatal(err)
			}
			if info.Rows != rows || p.N() != 500 || p.T() != 5000 {
				b.Fatalf("loaded %d rows %d×%d, want %d rows 5000×500", info.Rows, p.T(), p.N(), rows)
			}
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("adj_close", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, info, err := datasets.Load(ctx, datasets.LoadOptions{Paths: []string{file}, Fields: []engine.Field{engine.AdjClose}})
			if err != nil {
				b.Fatal(err)
			}
			if info.Rows != rows {
				b.Fatalf("loaded %d rows, want %d", info.Rows, rows)
			}
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("subset", func(b *testing.B) {
		from, to := engine.DateOf(2010, 1, 1), engine.DateOf(2010, 12, 31)
		syms := loadFile.full
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
