package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rotor-bt/rotor/datasets"
)

func init() {
	register(&command{
		name:    "data import",
		summary: "validate CSV or Parquet prices and write one sorted zstd Parquet file",
		run:     runDataImport,
	})
}

func runDataImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("data import", "[FILES...] --out FILE.parquet [flags]", "Read price files (CSV through explicit column types, or Parquet), validate\nthem (SEMANTICS §1), and write one zstd Parquet file sorted by (symbol, date)\nwith the standard column names. The output appears atomically.", stdout)
	d := addDataFlags(fs)
	out := fs.String("out", "", "output Parquet `FILE`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	d.data = append(d.data, fs.Args()...)
	if len(d.data) == 0 {
		return usagef("data import: give input files (or --data)")
	}
	if *out == "" {
		return usagef("data import: --out FILE is required")
	}
	if st, err := os.Stat(filepath.Dir(*out)); err != nil || !st.IsDir() {
		return usagef("data import: --out %s: directory %s does not exist", *out, filepath.Dir(*out))
	}
	opt, err := d.options()
	if err != nil {
		return err
	}
	opt.Rates = ""
	info, err := datasets.Import(ctx, opt, *out)
	if err != nil {
		return err
	}
	for _, n := range info.Notes {
		fmt.Fprintf(stderr, "data: %s\n", n)
	}
	fmt.Fprintf(stdout, "wrote %s: %d rows, %d symbols × %d bars, %s..%s, from %d %s file(s)\n",
		*out, info.Rows, info.Symbols, info.Bars, info.From, info.To, len(info.Files), info.Format)
	return nil
}
