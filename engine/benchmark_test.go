package engine

import (
	"strings"
	"testing"
)

// On the hand panel (see sim_test.go):
//
//	equal: b1 = (0.1 + 0 + 0)/3; b4 = (15/12 − 1 + 0 + 0)/3 (CCC has no price
//	on bar 4: counted 0); b5 = (12/15 − 1 + 24/22 − 1)/2 (CCC gone).
func TestEqualWeightReturns(t *testing.T) {
	p := handPanel(t)
	b := EqualWeightReturns(p)
	near(t, "b0", b[0], 0)
	near(t, "b1", b[1], 0.1/3)
	near(t, "b3", b[3], (0+0+0.1)/3)
	near(t, "b4", b[4], 0.25/3)
	near(t, "b5", b[5], (12.0/15-1+24.0/22-1)/2)
}

// Shares 1, 2, 1: caps on bar 0 are 10, 40, 50 (Σ 100), so b1 = 10·0.1/100
// = 0.01. Buy and hold of the cap weights matches the index over bars
// 0..3 (before CCC delists): Simulate's equity = Π(1 + b).
func TestCapWeightReturns(t *testing.T) {
	p := handPanel(t)
	sh := p.AddColumn(Shares)
	for k := 0; k < 10; k++ {
		sh[k], sh[10+k], sh[20+k] = 1, 2, 1
	}
	b, src, err := CapWeightReturns(p)
	if err != nil || src != SizeMarketCap {
		t.Fatalf("%v %q", err, src)
	}
	near(t, "b1", b[1], 0.01)
	// bar 4: caps on bar 3: 12, 44, 55 (Σ 111); CCC has no price on bar 4: 0.
	near(t, "b4", b[4], 12*0.25/111)

	q := p.Slice(0, 4)
	res := simulate(t, q, schedule{0: {0.1, 0.4, 0.5}}, DefaultConfig())
	g := 1.0
	for k := 1; k < 4; k++ {
		g *= 1 + b[k]
		near(t, "cap index", res.Equity[k], g)
	}

	// Without shares or volume there is no size.
	if _, _, err := CapWeightReturns(handPanel(t)); err == nil {
		t.Error("no size: no error")
	}
}

func TestSymbolReturnsAndBenchmarkSeries(t *testing.T) {
	p := handPanel(t)
	b, flat, err := SymbolReturns(p, "CCC")
	if err != nil {
		t.Fatal(err)
	}
	near(t, "CCC b3", b[3], 0.1)
	if flat != 6 || b[4] != 0 || b[9] != 0 {
		t.Errorf("flat %d, b4 %v, b9 %v: want 6 flat bars at 0", flat, b[4], b[9])
	}
	if _, _, err := SymbolReturns(p, "SPY"); err == nil || !strings.Contains(err.Error(), "SPY") {
		t.Errorf("unknown symbol: %v", err)
	}
	for name, want := range map[string]string{"none": "none", "": "none", "equal": "equal", "BBB": "BBB", "CCC": "6 bars"} {
		_, label, err := BenchmarkSeries(p, name)
		if err != nil || !strings.Contains(label, want) {
			t.Errorf("BenchmarkSeries(%q) = %q, %v", name, label, err)
		}
	}
	if _, _, err := BenchmarkSeries(p, "cap"); err == nil {
		t.Error("cap without size: no error")
	}
	// A benchmark equal to the portfolio: beta 1, tracking error 0,
	// information ratio NaN, excess cagr 0.
	bb, _, _ := BenchmarkSeries(p, "BBB")
	cfg := DefaultConfig()
	cfg.Benchmark = bb
	res := simulate(t, p, schedule{0: {0, 1, 0}}, cfg)
	m := res.Metrics
	near(t, "beta", m.Beta, 1)
	if m.TrackingError != 0 {
		t.Errorf("tracking error %v, want 0", m.TrackingError)
	}
	isNaN(t, "information_ratio", m.InformationRatio)
	near(t, "excess_cagr", m.ExcessCAGR, 0)
}
