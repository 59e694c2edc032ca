package datasets

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/rotor-bt/rotor/engine"
)

func TestSample(t *testing.T) {
	p, info, err := Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.T() != 1306 || p.N() != 23 || info.Rows != 30038 {
		t.Fatalf("sample is %d×%d with %d rows; want 1306×23, 30038 rows", p.T(), p.N(), info.Rows)
	}
	if got := p.Dates[0].String() + ".." + p.Dates[p.T()-1].String(); got != "2018-12-31..2024-03-08" {
		t.Errorf("date range %s", got)
	}
	if info.PriceField != engine.AdjClose || info.RatesColumn != "target_rate_pct" {
		t.Errorf("price field %s, rates column %q", info.PriceField, info.RatesColumn)
	}
	if fp, err := info.Fingerprint(); err != nil || fp != SampleFingerprint() {
		t.Errorf("fingerprint %s (%v), want %s", fp, err, SampleFingerprint())
	}
	t.Log(info.Source())
	for _, n := range info.Notes {
		t.Log(n)
	}
	// First row of the published file: 2018-12-31,AAPL,39.632500,39.840000,39.119999,39.435001,37.801907,140014000
	i, _ := p.SymbolIndex("AAPL")
	want := map[engine.Field]float64{engine.Open: 39.6325, engine.High: 39.84, engine.Low: 39.119999, engine.Close: 39.435001, engine.AdjClose: 37.801907, engine.Volume: 140014000}
	for f, v := range want {
		if got := p.At(f, 0, i); got != v {
			t.Errorf("AAPL %s on 2018-12-31 = %v, want %v", f, got, v)
		}
	}
	// NVDA 2023 return from adj_close: +239.02% (sample README).
	j, _ := p.SymbolIndex("NVDA")
	var b, e int
	for t, d := range p.Dates {
		if d == engine.DateOf(2022, 12, 30) {
			b = t
		}
		if d == engine.DateOf(2023, 12, 29) {
			e = t
		}
	}
	if r := p.At(engine.AdjClose, e, j)/p.At(engine.AdjClose, b, j) - 1; math.Abs(r-2.3902) > 0.00005 {
		t.Errorf("NVDA 2023 return %.4f, want 2.3902", r)
	}
	// Rate on 2024-03-08: 5.50 (upper bound of the range).
	if r := p.RatePct()[p.T()-1]; r != 5.5 {
		t.Errorf("rate on the last bar %v, want 5.5", r)
	}
}

// The first cuts found on the sample's rates are the published easing
// cycles (sample/fed_easing_cycles.csv), dated as the series dates them:
// the announcement day up to 2016, the day after from March 2017 on.
func TestSampleFirstCuts(t *testing.T) {
	p, _, err := Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("sample/fed_easing_cycles.csv")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n")[1:] {
		d, err := engine.ParseDate(strings.Split(line, ",")[0])
		if err != nil {
			t.Fatal(err)
		}
		if d >= engine.DateOf(2017, 3, 1) {
			d++
		}
		want = append(want, d.String())
	}
	var got []string
	for _, e := range engine.FindEvents(p.Rates(), engine.FirstCut) {
		if e.Date >= engine.DateOf(1990, 1, 1) {
			got = append(got, e.Date.String())
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("first cuts %v, want %v", got, want)
	}
	if strings.Join(want, " ") != "1995-07-06 1998-09-29 2001-01-03 2007-09-18 2019-08-01 2024-09-19" {
		t.Errorf("reference cycles %v differ from SEMANTICS §7", want)
	}
}
