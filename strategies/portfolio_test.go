package strategies

import (
	"strings"
	"testing"
	"time"

	"github.com/rotor-bt/rotor/engine"
)

// The calendar of the hand-worked cases: seven weekdays,
//
//	bar   0      1      2      3     4     5     6
//	date  Jan29  Jan30  Jan31  Feb1  Feb2  Feb5  Feb6   (2024; Jan29 a Monday)
//
// so bar 2 ends January (monthly rebalance) and bar 4 ends ISO week 5
// (weekly). Decisions are made on bars 0..5 (none on the last bar).
func handDates() []engine.Date { return weekdays(2024, time.January, 29, 7) }

// Three assets: C has no price on bars 0 and 4, B none on bar 2.
func handPanel(t *testing.T) *engine.Panel {
	return panelOf(t, handDates(), []string{"A", "B", "C"}, [][]float64{
		{10, 10, 10, 10, 10, 10, 10},
		{20, 20, nan, 20, 20, 20, 20},
		{nan, 30, 30, 30, nan, 30, 30},
	}, map[engine.Field][][]float64{engine.Shares: {
		{1, 1, 1, 1, 1, 1, 1},
		{2, 2, 2, 2, 2, 2, 2},
		{3, 3, 3, 3, 3, 3, 3},
	}})
}

func TestBuyHoldHand(t *testing.T) {
	// Bar 0: A and B have prices, C does not: 1/2 each; never again.
	got := decide(t, build(t, "buy_hold", nil), handPanel(t))
	checkDecisions(t, got, [][]float64{{.5, .5, 0}, nil, nil, nil, nil, nil})
}

func TestEqualWeightHand(t *testing.T) {
	third := 1.0 / 3
	for _, tc := range []struct {
		kv   map[string]string
		want [][]float64
	}{
		// Monthly: bar 0 (A, B tradable: 1/2 each), bar 2 ends January
		// (B missing: A and C 1/2 each).
		{map[string]string{"rebalance": "monthly"}, [][]float64{{.5, .5, 0}, nil, {.5, 0, .5}, nil, nil, nil}},
		// Weekly: bar 0, bar 4 ends the week (C missing: A, B 1/2 each).
		{map[string]string{"rebalance": "weekly"}, [][]float64{{.5, .5, 0}, nil, nil, nil, {.5, .5, 0}, nil}},
		// Daily: every bar; on bars 1, 3 and 5 all three trade: 1/3 each.
		{map[string]string{"rebalance": "daily"}, [][]float64{{.5, .5, 0}, {third, third, third}, {.5, 0, .5}, {third, third, third}, {.5, .5, 0}, {third, third, third}}},
		// Every 3 bars: bars 0 and 3 (every overrides the default monthly).
		{map[string]string{"every": "3"}, [][]float64{{.5, .5, 0}, nil, nil, {third, third, third}, nil, nil}},
	} {
		got := decide(t, build(t, "equal_weight", tc.kv), handPanel(t))
		checkDecisions(t, got, tc.want)
	}
}

func TestCapWeightMarketCapHand(t *testing.T) {
	// Caps = close × shares: A 10×1 = 10, B 20×2 = 40, C 30×3 = 90.
	// Bar 0 (C missing): A 10/50 = 0.2, B 40/50 = 0.8.
	// Bar 2, month end (B missing): A 10/100 = 0.1, C 90/100 = 0.9.
	s := build(t, "cap_weight", map[string]string{"rebalance": "monthly"})
	got := decide(t, s, handPanel(t))
	checkDecisions(t, got, [][]float64{{.2, .8, 0}, nil, {.1, 0, .9}, nil, nil, nil})
	if n := s.(Noter).Notes(); len(n) != 1 || !strings.Contains(n[0], "market cap") {
		t.Errorf("notes %q, want the market-cap source", n)
	}
}

func TestCapWeightDollarVolumeHand(t *testing.T) {
	// No shares: size = mean close × volume over the last 63 bars.
	// A: 10 × 100 = 1000 on every bar.
	// B: 20 × 50 = 1000 on bar 0, 20 × 200 = 4000 on bar 1, missing on 2.
	// C: missing on bar 0, 30 × 100 = 3000 after.
	// Bar 0: A 1000, B 1000 → 1/2 each (C has no price).
	// Bar 1: A 1000, B (1000+4000)/2 = 2500, C 3000; Σ = 6500 →
	//        2/13, 5/13, 6/13.
	// Bar 2: B has no price → A 1000, C 3000 → 1/4, 3/4.
	p := panelOf(t, handDates()[:4], []string{"A", "B", "C"}, [][]float64{
		{10, 10, 10, 10}, {20, 20, nan, 20}, {nan, 30, 30, 30},
	}, map[engine.Field][][]float64{engine.Volume: {
		{100, 100, 100, 100}, {50, 200, nan, 100}, {nan, 100, 100, 100},
	}})
	s := build(t, "cap_weight", map[string]string{"rebalance": "daily"})
	got := decide(t, s, p)
	checkDecisions(t, got, [][]float64{{.5, .5, 0}, {2.0 / 13, 5.0 / 13, 6.0 / 13}, {.25, 0, .75}})
	if n := s.(Noter).Notes(); len(n) != 1 || !strings.Contains(n[0], "dollar-volume proxy") {
		t.Errorf("notes %q, want the dollar-volume source", n)
	}
}

func TestCapWeightNoSize(t *testing.T) {
	p := panelOf(t, handDates(), []string{"A"}, [][]float64{{1, 1, 1, 1, 1, 1, 1}}, nil)
	err := build(t, "cap_weight", nil).(engine.Preparer).Prepare(p)
	if err == nil || !strings.Contains(err.Error(), "shares_outstanding") || !strings.Contains(err.Error(), "volume") {
		t.Fatalf("err = %v, want one naming shares_outstanding and volume", err)
	}
}

func TestTSMomentumHand(t *testing.T) {
	// lookback 2, threshold 0.1, daily. R = p[t]/p[t-2] - 1.
	//   A: 100 105 108 121 121 100
	//   B: 100 120 NaN 130 150 150
	// bars 0, 1: t < 2, no return: cash (still a trade: daily schedule).
	// bar 2: A 108/100-1 = 0.08 ≤ 0.1; B missing → cash.
	// bar 3: A 121/105-1 = 0.152 > 0.1 long; B 130/120-1 = 0.083 → A alone.
	// bar 4: A 121/108-1 = 0.120 long; B 150/NaN undefined → A alone.
	p := panelOf(t, handDates()[:6], []string{"A", "B"}, [][]float64{
		{100, 105, 108, 121, 121, 100}, {100, 120, nan, 130, 150, 150},
	}, nil)
	got := decide(t, build(t, "ts_momentum", map[string]string{"lookback": "2", "threshold": "0.1", "rebalance": "daily"}), p)
	checkDecisions(t, got, [][]float64{{0, 0}, {0, 0}, {0, 0}, {1, 0}, {1, 0}})

	// A flat price has R = 0 exactly: not above threshold 0 (strict).
	// B: 100 → 101 on bar 2: R = 0.01 > 0. Monthly: bars 0 and 2.
	p = panelOf(t, handDates(), []string{"A", "B"}, [][]float64{
		{5, 5, 5, 5, 5, 5, 5}, {100, 100, 101, 101, 101, 101, 101},
	}, nil)
	got = decide(t, build(t, "ts_momentum", map[string]string{"lookback": "2", "rebalance": "monthly"}), p)
	checkDecisions(t, got, [][]float64{{0, 0}, nil, {0, 1}, nil, nil, nil})
}

func TestXSMomentumHand(t *testing.T) {
	// lookback 3, skip 1, top_n 2, daily: score = p[t-1]/p[t-3] - 1, t ≥ 3.
	//   A: 10 10 12 11 13 13
	//   B: 10 10 12 11 13 13   (same as A: ties go to A, the first symbol)
	//   C: 10 20 11 12 10 10
	//   D: 10  5 30 40 NaN 40
	// bars 0-2: no scores → cash.
	// bar 3: p[2]/p[0]-1: A 0.2, B 0.2, C 0.1, D 2.0 → D, then A (tie
	//        with B, broken by symbol) → A 1/2, D 1/2.
	// bar 4: p[3]/p[1]-1: A 0.1, B 0.1, C -0.4, D 7 but no price on
	//        bar 4 (not eligible) → A, B 1/2 each.
	p := panelOf(t, handDates()[:6], []string{"A", "B", "C", "D"}, [][]float64{
		{10, 10, 12, 11, 13, 13}, {10, 10, 12, 11, 13, 13},
		{10, 20, 11, 12, 10, 10}, {10, 5, 30, 40, nan, 40},
	}, nil)
	got := decide(t, build(t, "xs_momentum", map[string]string{"lookback": "3", "skip": "1", "top_n": "2", "rebalance": "daily"}), p)
	checkDecisions(t, got, [][]float64{{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {.5, 0, 0, .5}, {.5, .5, 0, 0}})

	// top_n larger than the eligible set holds all of them (bar 3: four
	// scores → 1/4 each); skip 0 scores p[t]/p[t-3] - 1.
	got = decide(t, build(t, "xs_momentum", map[string]string{"lookback": "3", "skip": "0", "top_n": "9", "rebalance": "daily"}), p)
	checkDecisions(t, got, [][]float64{{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {.25, .25, .25, .25}, {1.0 / 3, 1.0 / 3, 1.0 / 3, 0}})
}

func TestRateRegimeHand(t *testing.T) {
	// Rates rows: 2023-12-01 5.00, 2024-01-15 5.25 (a hike before bar 0),
	// 2024-01-31 5.00 (a cut, on bar 2), 2024-02-03 5.00 (a Saturday, no
	// change), 2024-02-05 5.25 (a hike, on bar 5).
	// Regimes: bars 0-1 rising, 2-4 falling, 5-6 rising.
	// falling=equal, rising=cash, monthly: bar 0 cash; bar 2 (regime
	// change and month end) 1/2 each; bar 5 (regime change) cash.
	p := panelOf(t, handDates(), []string{"A", "B"}, [][]float64{
		{1, 1, 1, 1, 1, 1, 1}, {2, 2, 2, 2, 2, 2, 2},
	}, map[engine.Field][][]float64{engine.Shares: {{1, 1, 1, 1, 1, 1, 1}, {3, 3, 3, 3, 3, 3, 3}}})
	p.SetRates(&engine.Rates{Name: "rate_pct",
		Dates: []engine.Date{engine.DateOf(2023, 12, 1), engine.DateOf(2024, 1, 15), engine.DateOf(2024, 1, 31), engine.DateOf(2024, 2, 3), engine.DateOf(2024, 2, 5)},
		Pct:   []float64{5, 5.25, 5, 5, 5.25}})
	s := build(t, "rate_regime", map[string]string{"falling": "equal", "rising": "cash", "initial": "equal"})
	checkDecisions(t, decide(t, s, p), [][]float64{{0, 0}, nil, {.5, .5}, nil, nil, {0, 0}})
	if n := s.(Noter).Notes(); len(n) != 0 {
		t.Errorf("notes %q without a cap portfolio", n)
	}

	// Rates start on bar 1 (Jan 30, 5.00) and are cut on bar 3 (Feb 1,
	// 4.75): bars 0-2 are initial (cap: caps A 1×1 = 1, B 2×3 = 6 →
	// 1/7, 6/7, traded on bar 0 and the month end bar 2), bars 3+ falling
	// (cash, traded on bar 3).
	p.SetRates(&engine.Rates{Name: "rate_pct",
		Dates: []engine.Date{engine.DateOf(2024, 1, 30), engine.DateOf(2024, 2, 1)}, Pct: []float64{5, 4.75}})
	s = build(t, "rate_regime", map[string]string{"falling": "cash", "initial": "cap"})
	checkDecisions(t, decide(t, s, p), [][]float64{{1.0 / 7, 6.0 / 7}, nil, {1.0 / 7, 6.0 / 7}, {0, 0}, nil, nil})
	if n := s.(Noter).Notes(); len(n) != 1 || !strings.Contains(n[0], "market cap") {
		t.Errorf("notes %q, want the market-cap source", n)
	}

	// No rates: a clear error.
	p.SetRates(nil)
	err := build(t, "rate_regime", nil).(engine.Preparer).Prepare(p)
	if err == nil || !strings.Contains(err.Error(), "rates") {
		t.Fatalf("err = %v, want one asking for rates", err)
	}
}

func TestSpecNotes(t *testing.T) {
	// Dollar-volume panel: cap_weight names the proxy; equal_weight has
	// nothing to say; rate_regime names the source only when a portfolio
	// is cap weighted.
	p := panelOf(t, handDates()[:4], []string{"A"}, [][]float64{{1, 2, 3, 4}},
		map[engine.Field][][]float64{engine.Volume: {{5, 5, 5, 5}}})
	p.SetRates(&engine.Rates{Name: "rate_pct", Dates: handDates()[:1], Pct: []float64{1}})
	for _, tc := range []struct {
		name string
		ps   engine.Params
		want string
	}{
		{"cap_weight", nil, "dollar-volume proxy"},
		{"equal_weight", nil, ""},
		{"rate_regime", nil, "dollar-volume proxy"}, // rising and initial default to cap
		{"rate_regime", engine.Params{{Name: "initial", Value: engine.Enum("cash")}, {Name: "rising", Value: engine.Enum("equal")}}, ""},
	} {
		spec, _ := Lookup(tc.name)
		notes, err := spec.Notes(p, tc.ps)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(notes, "; "); tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s %s: notes %q, want %q", tc.name, tc.ps, got, tc.want)
		}
	}
	// A panel without size data: the strategy's own error.
	q := panelOf(t, handDates()[:4], []string{"A"}, [][]float64{{1, 2, 3, 4}}, nil)
	spec, _ := Lookup("cap_weight")
	if _, err := spec.Notes(q, nil); err == nil || !strings.Contains(err.Error(), "no size data") {
		t.Errorf("err = %v", err)
	}
}
