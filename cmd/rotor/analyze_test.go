package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rotor-bt/rotor/datasets"
	"github.com/rotor-bt/rotor/engine"
)

// sampleYearReturns computes each symbol's 2023 return from the sample's
// adj_close directly: the last bar of 2022 to the last bar of 2023.
func sampleYearReturns(t *testing.T, year int) (map[string]float64, *engine.Panel) {
	t.Helper()
	p, _, err := datasets.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := slices.BinarySearch(p.Dates, engine.DateOf(year, time.January, 1))
	e, _ := slices.BinarySearch(p.Dates, engine.DateOf(year+1, time.January, 1))
	b, e = b-1, e-1
	if b < 0 || p.Dates[b].Year() != year-1 || p.Dates[e].Year() != year {
		t.Fatalf("sample: no bars around %d", year)
	}
	out := map[string]float64{}
	for i, s := range p.Symbols {
		a := p.Series(engine.AdjClose, i)
		out[s] = a[e]/a[b] - 1
	}
	return out, p
}

func TestAnalyzeConcentrationCSVMatchesData(t *testing.T) {
	want, _ := sampleYearReturns(t, 2023)
	// The README's figures for 2023, as a sanity check of the data itself.
	for sym, r := range map[string]float64{"NVDA": 2.39, "META": 1.94, "TSLA": 1.02} {
		if math.Abs(want[sym]-r) > 0.01 {
			t.Fatalf("sample %s 2023 return %v, want about %v", sym, want[sym], r)
		}
	}
	code, out, errOut := runRotor(t, "analyze", "concentration", "--year", "2023", "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	col := func(n string) int { return slices.Index(head, n) }
	if len(recs)-1 != 23 || col("return") < 0 || col("top_k") < 0 {
		t.Fatalf("header %v, %d rows", head, len(recs)-1)
	}
	top := 0
	for _, r := range recs[1:] {
		got, _ := strconv.ParseFloat(r[col("return")], 64)
		if w := want[r[col("symbol")]]; math.Abs(got-w) > 1e-12 {
			t.Errorf("%s: return %v, from the data %v", r[col("symbol")], got, w)
		}
		if r[col("top_k")] == "true" {
			top++
		}
	}
	if top != 7 {
		t.Errorf("%d top-K rows, want 7", top)
	}
	if !strings.Contains(errOut, "data: ") {
		t.Errorf("stderr does not say what was loaded: %q", errOut)
	}
}

func TestAnalyzeConcentrationFormats(t *testing.T) {
	code, out, errOut := runRotor(t, "analyze", "concentration", "--year", "2023", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		SizeSource  string             `json:"size_source"`
		Summary     map[string]float64 `json:"summary"`
		Stocks      []map[string]any   `json:"stocks"`
		Conventions []string           `json:"conventions"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	p, _, err := datasets.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c, err := engine.ComputeConcentration(p, 2023, 7)
	if err != nil {
		t.Fatal(err)
	}
	if doc.SizeSource != engine.SizeDollarVolume || doc.Summary["cap_return"] != c.CapReturn || doc.Summary["share_trailing"] != c.TrailShare || len(doc.Stocks) != 23 {
		t.Fatalf("json: %+v", doc.Summary)
	}
	if !strings.Contains(strings.Join(doc.Conventions, "\n"), "rough stand-in") {
		t.Errorf("json conventions lack the proxy caveat: %q", doc.Conventions)
	}
	code, out, _ = runRotor(t, "analyze", "concentration", "--year", "2023", "--k", "3", "--format", "md")
	if code != 0 || !strings.Contains(out, "| TSLA |") || !strings.Contains(out, "### Top 3 by size at 2022-12-30") || !strings.Contains(out, "_size: dollar-volume proxy") {
		t.Fatalf("md (exit %d):\n%s", code, out)
	}
	code, out, _ = runRotor(t, "analyze", "concentration", "--year", "2023", "--all")
	if code != 0 || !strings.Contains(out, "All 23 stocks") || !strings.Contains(out, "PFE") {
		t.Fatalf("--all (exit %d):\n%s", code, out)
	}
}

func TestAnalyzeConcentrationErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--year", "2010"}, 1, "no bar in 2010 (the data covers 2018-12-31..2024-03-08)"},
		{[]string{"--k", "0"}, 2, "--k 0"},
		{[]string{"--year", "99999"}, 2, "--year 99999"},
		{[]string{"--format", "xml"}, 2, `--format "xml"`},
		{[]string{"2023"}, 2, `unexpected argument "2023"`},
		{[]string{"--year", "2023", "--symbols", "NOPE"}, 1, "NOPE"},
	} {
		code, out, errOut := runRotor(t, append([]string{"analyze", "concentration"}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.msg) || strings.Count(strings.TrimSpace(errOut), "\n") > 4 {
			t.Errorf("%v: exit %d, stderr %q (stdout %q); want exit %d and %q", c.args, code, errOut, out, c.code, c.msg)
		}
	}
}
