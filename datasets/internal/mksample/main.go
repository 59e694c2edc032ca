// Command mksample converts the published CSV files of the embedded sample
// into the files under datasets/sample: the prices as zstd Parquet sorted by
// (date, symbol) with typed columns, the rates and easing cycles as Parquet
// and CSV. It is deterministic: the same inputs give byte-identical files.
//
//	go run -tags duckdb_arrow ./datasets/internal/mksample -in DIR -out datasets/sample
//
// DIR holds us_largecaps_daily.csv, fed_funds_target.csv and
// fed_easing_cycles.csv as described in datasets/sample/README.md.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

func main() {
	in := flag.String("in", "", "directory holding the published CSV files")
	out := flag.String("out", "datasets/sample", "output directory")
	flag.Parse()
	if *in == "" {
		fmt.Fprintln(os.Stderr, "mksample: -in DIR is required")
		os.Exit(2)
	}
	if err := run(context.Background(), *in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mksample:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, in, out string) error {
	c, err := duckdb.NewConnector("", nil)
	if err != nil {
		return err
	}
	db := sql.OpenDB(c)
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// One thread: row groups and their order do not depend on the machine.
	if _, err := conn.ExecContext(ctx, "SET threads = 1"); err != nil {
		return err
	}
	prices := filepath.Join(in, "us_largecaps_daily.csv")
	rates := filepath.Join(in, "fed_funds_target.csv")
	steps := []struct {
		query string
		args  []any
	}{
		{`CREATE TABLE prices AS SELECT * FROM read_csv(?, header = true,
			columns = {'date': 'DATE', 'symbol': 'VARCHAR', 'open': 'DOUBLE', 'high': 'DOUBLE',
			'low': 'DOUBLE', 'close': 'DOUBLE', 'adj_close': 'DOUBLE', 'volume': 'BIGINT'})
			ORDER BY date, symbol`, []any{prices}},
		{`CREATE TABLE rates AS SELECT * FROM read_csv(?, header = true,
			columns = {'date': 'DATE', 'target_rate_pct': 'DOUBLE'}) ORDER BY date`, []any{rates}},
	}
	for _, s := range steps {
		if _, err := conn.ExecContext(ctx, s.query, s.args...); err != nil {
			return err
		}
	}
	tmp := filepath.Join(out, ".mksample.tmp")
	for _, w := range []struct{ table, file string }{
		{"prices", "us_largecaps_daily.parquet"},
		{"rates", "fed_funds_target.parquet"},
	} {
		q := "COPY " + w.table + " TO ? (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 19, ROW_GROUP_SIZE 8192)"
		if _, err := conn.ExecContext(ctx, q, tmp); err != nil {
			return err
		}
		if err := os.Rename(tmp, filepath.Join(out, w.file)); err != nil {
			return err
		}
	}
	return copyFile(filepath.Join(in, "fed_easing_cycles.csv"), filepath.Join(out, "fed_easing_cycles.csv"))
}

func copyFile(from, to string) error {
	r, err := os.Open(from)
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
