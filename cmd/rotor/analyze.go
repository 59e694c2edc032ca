package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/rotor-bt/rotor/datasets"
	"github.com/rotor-bt/rotor/engine"
	"github.com/rotor-bt/rotor/report"
)

func init() {
	register(&command{
		name:    "analyze concentration",
		summary: "how much of a year's cap-weighted return came from the largest stocks",
		run:     runAnalyzeConcentration,
	})
}

const analyzeSummary = `For one calendar year (docs/semantics.md §8): the cap-weighted and
equal-weighted returns of the universe, the same without the K largest stocks
by size at the start of the year, the contribution of each of the K to the
cap-weighted return, and the share of stocks that trailed it.

Returns come from adj_close (close when the data has none), from the last bar
before the year to the year's last bar. Size is market cap (close × shares
outstanding) when the data has share counts, else the dollar-volume proxy
(mean close × volume over the 63 bars ending at the base bar); which one was
used is printed.

With --format csv the output is one row per stock of the universe; json holds
the summary, the stocks and the conventions.

Examples:
  rotor analyze concentration --year 2023
  rotor analyze concentration --year 2021 --k 5 --format md
  rotor analyze concentration --data prices.parquet --year 2020 --all`

func runAnalyzeConcentration(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("analyze concentration", "[--year YYYY] [--k K] [flags]", analyzeSummary, stdout)
	year := fs.Int("year", 0, "calendar `YEAR` to study (default: the year before the data's last bar)")
	k := fs.Int("k", 7, "number of largest stocks `K`")
	all := fs.Bool("all", false, "list every stock of the universe, not only the top K")
	format := fs.String("format", "table", "output format: "+report.Formats)
	df := addDataFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("analyze concentration: unexpected argument %q", fs.Arg(0))
	}
	if *k < 1 {
		return usagef("analyze concentration: --k %d: want a whole number ≥ 1", *k)
	}
	if fs.Changed("year") && (*year < 1900 || *year > 2200) {
		return usagef("analyze concentration: --year %d: want a calendar year such as 2023", *year)
	}
	switch *format {
	case "table", "md", "markdown", "csv", "json":
	default:
		return usagef("analyze concentration: --format %q: want %s", *format, report.Formats)
	}
	p, info, err := df.load(ctx, stderr)
	if err != nil {
		return err
	}
	y := *year
	if y == 0 {
		y = p.Dates[p.T()-1].Year() - 1
	}
	c, err := engine.ComputeConcentration(p, y, *k)
	if err != nil {
		return err
	}
	return writeConcentration(stdout, *format, c, info, *all)
}

// concentrationFooter states the conventions of a concentration study.
func concentrationFooter(c *engine.Concentration, info *datasets.Info) []string {
	lines := []string{
		fmt.Sprintf("period: %s (base bar) to %s (last bar of %d); returns from %s; weights fixed at the base bar and held (no rebalancing)",
			c.BaseDate, c.EndDate, c.Year, c.PriceField),
	}
	if info != nil {
		lines = append(lines, "data: "+info.Source())
	}
	lines = append(lines, c.Notes()...)
	return lines
}

// concentrationTables returns the summary table and the stocks table (the
// top K, or the whole universe with all) of a study.
func concentrationTables(c *engine.Concentration, info *datasets.Info, all bool) (summary, stocks *report.Table) {
	n := len(c.Stocks)
	k := min(c.K, n)
	pct := func(x float64) string { return signedPct(x) }
	summary = &report.Table{
		Title:   fmt.Sprintf("Concentration %d: %d stocks, top %d by size at %s", c.Year, n, k, c.BaseDate),
		Columns: []string{"measure", "value"},
	}
	add := func(name, cell string, v any) {
		summary.Rows = append(summary.Rows, []string{name, cell})
		summary.Values = append(summary.Values, []any{name, v})
	}
	add("cap-weighted return (R_cap)", pct(c.CapReturn), c.CapReturn)
	add("equal-weighted return (R_eq)", pct(c.EqualReturn), c.EqualReturn)
	add(fmt.Sprintf("cap-weighted without the top %d", k), pct(c.CapReturnEx), c.CapReturnEx)
	add(fmt.Sprintf("equal-weighted without the top %d", k), pct(c.EqReturnEx), c.EqReturnEx)
	add(fmt.Sprintf("top %d cap-weighted return", k), pct(c.TopCapRet), c.TopCapRet)
	add(fmt.Sprintf("top %d weight at the base bar", k), report.Pct(c.TopWeight, 1), c.TopWeight)
	add(fmt.Sprintf("top %d contribution to R_cap", k), fmt.Sprintf("%s (%s of R_cap)", pct(c.TopContrib), report.Pct(c.TopShare, 1)), c.TopContrib)
	add("stocks trailing R_cap", fmt.Sprintf("%d of %d (%s)", c.Trailing, n, report.Pct(c.TrailShare, 1)), c.TrailShare)

	rows := c.Top()
	title := fmt.Sprintf("Top %d by size at %s", k, c.BaseDate)
	if all {
		rows = c.Stocks
		title = fmt.Sprintf("All %d stocks by size at %s", n, c.BaseDate)
	}
	stocks = &report.Table{
		Title:   title,
		Columns: []string{"rank", "symbol", "weight", "return", "contribution", "share of R_cap", "trails R_cap"},
		Footer:  concentrationFooter(c, info),
	}
	for _, s := range rows {
		trails := "no"
		if s.Trails {
			trails = "yes"
		}
		stocks.Rows = append(stocks.Rows, []string{
			strconv.Itoa(s.Rank), s.Symbol, report.Pct(s.Weight, 2), pct(s.Return), pct(s.Contribution), report.Pct(s.Share, 1), trails,
		})
	}
	return summary, stocks
}

// signedPct formats a fraction as a signed percentage ("+239.02%").
func signedPct(x float64) string {
	s := report.Pct(x, 2)
	if x > 0 && !math.IsInf(x, 0) {
		s = "+" + s
	}
	return s
}

// writeConcentration renders a study in format f.
func writeConcentration(w io.Writer, f string, c *engine.Concentration, info *datasets.Info, all bool) error {
	switch f {
	case "csv":
		t := &report.Table{Columns: []string{"rank", "symbol", "top_k", "size", "weight", "return", "contribution", "share_of_cap_return", "trails_cap_return"}}
		for _, s := range c.Stocks {
			t.Values = append(t.Values, []any{s.Rank, s.Symbol, s.Top, s.Size, s.Weight, s.Return, s.Contribution, s.Share, s.Trails})
		}
		return t.WriteCSV(w)
	case "json":
		return writeConcentrationJSON(w, c, info)
	}
	summary, stocks := concentrationTables(c, info, all)
	if err := summary.Write(w, f); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return err
	}
	return stocks.Write(w, f)
}

func writeConcentrationJSON(w io.Writer, c *engine.Concentration, info *datasets.Info) error {
	type stock struct {
		Rank         int      `json:"rank"`
		Symbol       string   `json:"symbol"`
		TopK         bool     `json:"top_k"`
		Size         *float64 `json:"size"`
		Weight       *float64 `json:"weight"`
		Return       *float64 `json:"return"`
		Contribution *float64 `json:"contribution"`
		Share        *float64 `json:"share_of_cap_return"`
		Trails       bool     `json:"trails_cap_return"`
	}
	doc := struct {
		Year        int               `json:"year"`
		K           int               `json:"k"`
		BaseDate    string            `json:"base_date"`
		EndDate     string            `json:"end_date"`
		BaseInYear  bool              `json:"base_in_year"`
		PriceField  string            `json:"price_field"`
		SizeSource  string            `json:"size_source"`
		Universe    int               `json:"universe"`
		Summary     map[string]any    `json:"summary"`
		Stocks      []stock           `json:"stocks"`
		Conventions []string          `json:"conventions"`
		Data        map[string]string `json:"data,omitempty"`
	}{
		Year: c.Year, K: c.K, BaseDate: c.BaseDate.String(), EndDate: c.EndDate.String(), BaseInYear: c.BaseInYear,
		PriceField: c.PriceField.String(), SizeSource: c.SizeSource, Universe: len(c.Stocks),
		Summary: map[string]any{
			"cap_return": jsonNum(c.CapReturn), "equal_return": jsonNum(c.EqualReturn),
			"cap_return_ex_top": jsonNum(c.CapReturnEx), "equal_return_ex_top": jsonNum(c.EqReturnEx),
			"top_cap_return": jsonNum(c.TopCapRet), "top_weight": jsonNum(c.TopWeight),
			"top_contribution": jsonNum(c.TopContrib), "top_share_of_cap_return": jsonNum(c.TopShare),
			"trailing": c.Trailing, "share_trailing": jsonNum(c.TrailShare),
		},
		Conventions: concentrationFooter(c, info),
	}
	if info != nil {
		doc.Data = map[string]string{"source": info.Source(), "fingerprint": fingerprint(info)}
	}
	for _, s := range c.Stocks {
		doc.Stocks = append(doc.Stocks, stock{s.Rank, s.Symbol, s.Top, jsonNum(s.Size), jsonNum(s.Weight), jsonNum(s.Return), jsonNum(s.Contribution), jsonNum(s.Share), s.Trails})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
