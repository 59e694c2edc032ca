package bench_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rotor-bt/rotor/datasets"
	"github.com/rotor-bt/rotor/datasets/synth"
)

// loadFile is the 500 symbols × 5000 days synthetic market as zstd
// Parquet, generated once per test binary run.
var loadFile = struct {
	once sync.Once
	dir  string
	rows int64
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
// columns) into a panel: DuckDB scan → Arrow batches → validated panel.
func BenchmarkLoadParquet(b *testing.B) {
	file, rows := synthParquet(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
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
}
