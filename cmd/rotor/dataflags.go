package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/rotor-bt/rotor/datasets"
	"github.com/rotor-bt/rotor/engine"
)

// dataFlags are the data-selection flags every command that reads prices
// takes: --data, --rates, --col, --from, --to, --symbols, --duckdb-memory,
// --duckdb-temp.
type dataFlags struct {
	data    []string
	rates   string
	cols    []string
	from    string
	to      string
	symbols []string
	memory  string
	temp    string
}

// addDataFlags registers the data flags on fs.
func addDataFlags(fs *pflag.FlagSet) *dataFlags {
	d := &dataFlags{}
	fs.StringArrayVar(&d.data, "data", nil, "price `FILES`: Parquet or CSV files, globs or directories (repeatable; default: the embedded sample)")
	fs.StringVar(&d.rates, "rates", "", "rates `FILE` (date, rate_pct; CSV or Parquet); default: the sample's fed funds target with the sample, none otherwise; \"none\" disables")
	fs.StringArrayVar(&d.cols, "col", nil, "map a column: `name=column`, e.g. close=Close (repeatable)")
	fs.StringVar(&d.from, "from", "", "first date to load, `YYYY-MM-DD` (inclusive)")
	fs.StringVar(&d.to, "to", "", "last date to load, `YYYY-MM-DD` (inclusive)")
	fs.StringSliceVar(&d.symbols, "symbols", nil, "load only these `SYMBOLS` (comma-separated)")
	fs.StringVar(&d.memory, "duckdb-memory", datasets.DefaultMemoryLimit, "DuckDB memory `LIMIT` while loading")
	fs.StringVar(&d.temp, "duckdb-temp", "", "DuckDB spill `DIR` (default: a private temporary directory)")
	return d
}

// options turns the flags into load options; malformed flags are usage
// errors.
func (d *dataFlags) options() (datasets.LoadOptions, error) {
	opt := datasets.LoadOptions{
		Paths:   d.data,
		Rates:   d.rates,
		Symbols: d.symbols,
		DB:      datasets.DBConfig{MemoryLimit: d.memory, TempDir: d.temp},
	}
	if err := datasets.CheckMemoryLimit(d.memory); err != nil {
		return opt, usagef("--duckdb-memory: %v", err)
	}
	if len(d.data) > 0 && d.rates == "none" {
		opt.Rates = ""
	}
	if len(d.cols) > 0 {
		opt.Columns = map[string]string{}
		for _, c := range d.cols {
			k, v, ok := strings.Cut(c, "=")
			if !ok || k == "" || v == "" {
				return opt, usagef("--col %q: want name=column, e.g. --col close=Close (names: %s)", c, strings.Join(datasets.ColumnNames(), ", "))
			}
			if _, dup := opt.Columns[k]; dup {
				return opt, usagef("--col %s given twice", k)
			}
			opt.Columns[k] = v
		}
	}
	for _, x := range []struct {
		name, val string
		dst       **engine.Date
	}{{"--from", d.from, &opt.From}, {"--to", d.to, &opt.To}} {
		if x.val == "" {
			continue
		}
		t, err := engine.ParseDate(x.val)
		if err != nil {
			return opt, usagef("%s: %v", x.name, err)
		}
		*x.dst = &t
	}
	if opt.From != nil && opt.To != nil && *opt.To < *opt.From {
		return opt, usagef("--to %s is before --from %s", *opt.To, *opt.From)
	}
	return opt, nil
}

// usingSample reports whether no --data was given.
func (d *dataFlags) usingSample() bool { return len(d.data) == 0 }

// load reads the selected data and prints what was loaded (the source, the
// price field used for returns, the rates column, caveats) to stderr.
func (d *dataFlags) load(ctx context.Context, stderr io.Writer) (*engine.Panel, *datasets.Info, error) {
	opt, err := d.options()
	if err != nil {
		return nil, nil, err
	}
	// Every footer and output records the fingerprint: hash the files
	// while they load.
	opt.Fingerprint = true
	var p *engine.Panel
	var info *datasets.Info
	if d.usingSample() {
		p, info, err = datasets.SampleWith(ctx, opt)
	} else {
		p, info, err = datasets.Load(ctx, opt)
	}
	if err != nil {
		return nil, nil, err
	}
	// The content fingerprint goes into every footer and output file: a
	// file that cannot be hashed fails the command now.
	if _, err := info.Fingerprint(); err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(stderr, "data: %s\n", info.Source())
	for _, n := range info.Notes {
		fmt.Fprintf(stderr, "data: %s\n", n)
	}
	return p, info, nil
}

// fingerprint returns the content fingerprint of loaded data. load has
// computed and checked it, so this is the cached value ("" for an Info
// that does not come from a load).
func fingerprint(info *datasets.Info) string {
	fp, _ := info.Fingerprint()
	return fp
}
