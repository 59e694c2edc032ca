package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/rotor-bt/rotor/datasets/tables"
	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/engine/sweep"
	"github.com/rotor-bt/rotor/report"
	"github.com/rotor-bt/rotor/strategies"
)

func init() {
	register(&command{
		name:    "results merge",
		summary: "join the shard outputs of one sweep into one table, checking no point is missing or duplicated",
		run:     runResultsMerge,
	})
	register(&command{
		name:    "results top",
		summary: "print the best rows of a sweep result by a metric",
		run:     runResultsTop,
	})
}

const mergeSummary = `Joins the outputs of the shards of one sweep (rotor sweep --shard i/n, or a
Kubernetes Indexed Job / Slurm array) into OUT (.parquet, .csv or .jsonl).
The inputs are read through DuckDB; they must come from the same sweep
(strategy, grid, where, sample, data fingerprint, conventions, recorded in
each file's metadata). The grid is enumerated again from that metadata and
every point (per symbol in per-asset mode) must appear exactly once: a
duplicate is an error, and so is a missing point unless --allow-partial.
OUT is written atomically (nothing appears on error).

Example:
  rotor results merge all.parquet shard-*.parquet`

const topSummary = `Prints the best rows of a sweep result (or any table with numeric columns)
by one column, ranked in DuckDB. NaN and missing values never rank; ties go
by config_id. Ascending by default for drawdown, volatility, turnover, costs
and tracking error, descending otherwise.

Example:
  rotor results top sma.parquet --by sharpe -n 20`

func runResultsMerge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("results merge", "OUT IN... [flags]", mergeSummary, stdout)
	partial := fs.Bool("allow-partial", false, "write the union even if points are missing (they are listed)")
	force := fs.Bool("force", false, "overwrite an existing OUT")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() < 2 {
		return usagef("results merge: want OUT and at least one input, got %d arguments", fs.NArg())
	}
	out, ins := fs.Arg(0), fs.Args()[1:]
	if _, err := tables.FormatOf(out); err != nil {
		return usagef("results merge: OUT: %v", err)
	}
	if _, err := os.Stat(out); err == nil && !*force {
		return usagef("results merge: %s exists: pass --force to overwrite it", out)
	}
	seenIn := map[string]bool{}
	for _, in := range ins {
		if seenIn[in] {
			return usagef("results merge: %s given twice", in)
		}
		seenIn[in] = true
		if in == out {
			return usagef("results merge: OUT %s is also an input", out)
		}
	}

	// Every input must be a part of the same sweep.
	var cols []tables.Column
	var meta map[string]string
	incomplete := 0
	for i, in := range ins {
		c, m, err := tables.ReadMeta(ctx, in)
		if err != nil {
			return err
		}
		if m["kind"] != "rotor-sweep" {
			return fmt.Errorf("results merge: %s is not a rotor sweep result (no sweep metadata)", in)
		}
		if i == 0 {
			cols, meta = c, m
			continue
		}
		if err := sameSweep(in, m, meta, sweepMetaKeys); err != nil {
			return fmt.Errorf("results merge: %s and %s are not parts of one sweep: %w", ins[0], in, err)
		}
		if !sameColumns(c, cols) {
			return fmt.Errorf("results merge: %s has other columns than %s", in, ins[0])
		}
		if m["complete"] != "true" {
			incomplete++
			fmt.Fprintf(stderr, "results merge: %s is from an interrupted run (finish it with rotor sweep ... --resume)\n", in)
		}
	}
	if meta["complete"] != "true" {
		fmt.Fprintf(stderr, "results merge: %s is from an interrupted run (finish it with rotor sweep ... --resume)\n", ins[0])
	}

	exp, err := expectedRows(meta)
	if err != nil {
		return fmt.Errorf("results merge: cannot enumerate the sweep's points from the metadata of %s: %w", ins[0], err)
	}
	perAsset := meta["per_asset"] == "true"
	merged := map[string]string{}
	for k, v := range meta {
		merged[k] = v
	}
	merged["shard"] = ""
	merged["shard_points"] = merged["points_total"]
	merged["merged_from"] = strings.Join(ins, "\n")

	w, err := tables.Create(out, cols, merged)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			w.Abort()
		}
	}()
	for fi, in := range ins {
		r, err := tables.Open(ctx, in)
		if err != nil {
			return err
		}
		for r.Next() {
			row := r.Row()
			id, _ := row[0].(string)
			sym := ""
			if perAsset {
				sym, _ = row[1].(string)
			}
			k := id + "/" + sym
			prev, known := exp.seen[k]
			if !known {
				r.Close()
				return fmt.Errorf("results merge: %s: config %s%s is not a point of the sweep recorded in the metadata", in, id, symNote(sym))
			}
			if prev > 0 {
				r.Close()
				return fmt.Errorf("results merge: config %s%s appears twice (in %s and %s)", id, symNote(sym), ins[prev-1], in)
			}
			exp.seen[k] = fi + 1
			if err := w.Write(row); err != nil {
				r.Close()
				return err
			}
		}
		err = r.Err()
		r.Close()
		if err != nil {
			return err
		}
	}
	var missing []string
	nMissing := 0
	for _, k := range exp.order {
		if exp.seen[k] == 0 {
			nMissing++
			if len(missing) < 5 {
				id, sym, _ := strings.Cut(k, "/")
				missing = append(missing, fmt.Sprintf("%s (%s%s)", id, exp.params[id], symNote(sym)))
			}
		}
	}
	if nMissing > 0 {
		msg := fmt.Sprintf("%d of %d rows are missing, e.g. %s", nMissing, len(exp.order), strings.Join(missing, "; "))
		if !*partial {
			return fmt.Errorf("results merge: %s; run the missing shards (or --resume the interrupted ones), or pass --allow-partial", msg)
		}
		fmt.Fprintf(stderr, "results merge: %s\n", msg)
	}
	w.SetMeta("complete", strconv.FormatBool(nMissing == 0 && incomplete == 0 && meta["complete"] == "true"))
	w.SetMeta("rows", strconv.FormatInt(w.Rows(), 10))
	if err := w.Close(); err != nil {
		return err
	}
	ok = true
	fmt.Fprintf(stderr, "results merge: wrote %d rows from %d files to %s\n", w.Rows(), len(ins), out)
	return nil
}

func symNote(sym string) string {
	if sym == "" {
		return ""
	}
	return " on " + sym
}

// expected is the set of rows a complete sweep has.
type expected struct {
	order  []string          // "config_id/symbol", in plan order
	seen   map[string]int    // → 1 + index of the input holding it, 0 if none yet
	params map[string]string // config_id → canonical params (for messages)
}

// expectedRows enumerates the sweep recorded in a result's metadata.
func expectedRows(meta map[string]string) (*expected, error) {
	spec, err := strategies.Lookup(meta["strategy"])
	if err != nil {
		return nil, err
	}
	es, err := sweep.ParseEntries(meta["grid"])
	if err != nil {
		return nil, err
	}
	g, err := sweep.NewGrid(es, spec.Params)
	if err != nil {
		return nil, err
	}
	var where *sweep.Expr
	if meta["where"] != "" {
		if where, err = sweep.ParseExpr(meta["where"], spec.Params); err != nil {
			return nil, err
		}
	}
	sample, err1 := strconv.ParseInt(meta["sample"], 10, 64)
	seed, err2 := strconv.ParseUint(meta["seed"], 10, 64)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("bad sample/seed %q/%q", meta["sample"], meta["seed"])
	}
	plan, err := sweep.NewPlan(spec.Name, g, where, sample, seed, sweep.Shard{})
	if err != nil {
		return nil, err
	}
	if total := meta["points_total"]; total != "" && total != strconv.FormatInt(plan.Total(), 10) {
		return nil, fmt.Errorf("the metadata records %s points, the grid enumerates %d (another rotor version?)", total, plan.Total())
	}
	syms := []string{""}
	if meta["per_asset"] == "true" {
		syms = strings.Split(meta["symbols"], ",")
	}
	e := &expected{seen: map[string]int{}, params: map[string]string{}}
	it := plan.Iter()
	for {
		_, ps, ok := it.Next()
		if !ok {
			break
		}
		id := engine.ConfigID(spec.Name, ps)
		e.params[id] = ps.String()
		for _, s := range syms {
			k := id + "/" + s
			e.order = append(e.order, k)
			e.seen[k] = 0
		}
	}
	return e, nil
}

func runResultsTop(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("results top", "FILE [--by METRIC] [-n N] [flags]", topSummary, stdout)
	by := fs.String("by", "sharpe", "column to rank by (a metric of §4 or any numeric column)")
	n := fs.IntP("rows", "n", 20, "rows to print")
	asc := fs.Bool("asc", false, "rank ascending (default: by the metric; see above)")
	format := fs.String("format", "table", "output format: "+report.Formats)
	all := fs.Bool("all", false, "show every metric (tables show the main ones; csv and json always have all)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("results top: want one FILE, got %d arguments", fs.NArg())
	}
	if *n < 1 {
		return usagef("-n %d: want at least 1 row", *n)
	}
	if err := (&report.Table{}).Write(io.Discard, *format); err != nil {
		return usagef("--format: %v", err)
	}
	if _, err := tables.FormatOf(fs.Arg(0)); err != nil {
		return usageError{err}
	}
	up := lowerIsBetter[*by]
	if fs.Changed("asc") {
		up = *asc
	}
	r, err := tables.Top(ctx, fs.Arg(0), *by, *n, up)
	if err != nil {
		return err
	}
	defer r.Close()
	cols := r.Columns()
	isMetric := map[string]bool{}
	for _, m := range engine.MetricNames {
		isMetric[m] = true
	}
	main := map[string]bool{*by: true, "total_return": true, "cagr": true, "sharpe": true, "max_drawdown": true, "turnover": true}
	text := *format == "table" || *format == "md" || *format == "markdown"
	var show []int
	for j, c := range cols {
		if !text || *all || !isMetric[c.Name] || main[c.Name] {
			show = append(show, j)
		}
	}
	order := "descending"
	if up {
		order = "ascending"
	}
	meta := r.Meta()
	t := &report.Table{Title: fmt.Sprintf("%s: top %d by %s (%s)", fs.Arg(0), *n, *by, order)}
	if s := meta["strategy"]; s != "" {
		t.Title = fmt.Sprintf("%s %s: top %d by %s (%s)", s, fs.Arg(0), *n, *by, order)
	}
	for _, j := range show {
		t.Columns = append(t.Columns, cols[j].Name)
	}
	for r.Next() {
		row := r.Row()
		var cells []string
		var vals []any
		for _, j := range show {
			v := row[j]
			vals = append(vals, v)
			cells = append(cells, resultCell(cols[j].Name, v, isMetric[cols[j].Name]))
		}
		t.Rows = append(t.Rows, cells)
		t.Values = append(t.Values, vals)
	}
	if err := r.Err(); err != nil {
		return err
	}
	for _, k := range []string{"grid", "where", "conventions", "data", "cash", "benchmark", "version"} {
		if v := meta[k]; v != "" {
			t.Footer = append(t.Footer, k+": "+v)
		}
	}
	if meta["kind"] == "rotor-sweep" && meta["complete"] != "true" {
		t.Footer = append(t.Footer, "note: the sweep is incomplete (interrupted, or a single shard)")
	}
	return t.Write(stdout, *format)
}

func resultCell(name string, v any, metric bool) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		if metric {
			return metricCell(name, x)
		}
		if math.IsNaN(x) {
			return "NaN"
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case engine.Date:
		return x.String()
	}
	return fmt.Sprint(v)
}
