package synth

import (
	"math"
	"slices"
	"testing"

	"github.com/rotor-bt/rotor/engine"
)

func market(t testing.TB, cfg Config) *Market {
	t.Helper()
	m, err := GenerateMarket(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDeterministic(t *testing.T) {
	cfg := Config{Symbols: 40, Days: 800, Seed: 7}
	a, b := market(t, cfg), market(t, cfg)
	for f := engine.Field(0); f < engine.NumFields; f++ {
		x, y := a.Panel.Column(f), b.Panel.Column(f)
		if len(x) != len(y) {
			t.Fatalf("%s: lengths differ", f)
		}
		for k := range x {
			if math.Float64bits(x[k]) != math.Float64bits(y[k]) {
				t.Fatalf("%s cell %d differs: %v vs %v", f, k, x[k], y[k])
			}
		}
	}
	c := market(t, Config{Symbols: 40, Days: 800, Seed: 8})
	if c.Panel.At(engine.Close, 500, 3) == a.Panel.At(engine.Close, 500, 3) {
		t.Error("another seed gave the same price")
	}
}

func TestBadConfig(t *testing.T) {
	for _, cfg := range []Config{{Symbols: 0, Days: 10}, {Symbols: 5, Days: 1}, {Symbols: 3, Days: 10, MegaCaps: 4}, {Symbols: 3, Days: 10, SplitAbove: 1}} {
		if _, err := Generate(cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}

// Every split shows in the raw close as the ratio and not in adj_close;
// market cap (close × shares) and adj_close move together on every bar.
func TestSplitsConsistent(t *testing.T) {
	m := market(t, Config{Symbols: 200, Days: 3000, Seed: 1})
	p := m.Panel
	if len(m.Splits) < 10 {
		t.Fatalf("only %d splits", len(m.Splits))
	}
	rev := 0
	split := map[[2]int]float64{}
	for _, s := range m.Splits {
		split[[2]int{s.Asset, s.Bar}] = s.Ratio
		if s.Ratio < 1 {
			rev++
		}
		if p.Dates[s.Bar] != s.Date || p.Symbols[s.Asset] != s.Symbol {
			t.Fatalf("split %+v: date/symbol do not match the panel", s)
		}
	}
	t.Logf("%d splits, %d reverse", len(m.Splits), rev)
	for i := range p.N() {
		c, a, sh := p.Series(engine.Close, i), p.Series(engine.AdjClose, i), p.Series(engine.Shares, i)
		o, h, l := p.Series(engine.Open, i), p.Series(engine.High, i), p.Series(engine.Low, i)
		for k := 1; k < p.T(); k++ {
			if math.IsNaN(c[k]) || math.IsNaN(c[k-1]) {
				continue
			}
			if !(l[k] <= o[k] && o[k] <= h[k] && l[k] <= c[k] && c[k] <= h[k] && l[k] > 0) {
				t.Fatalf("asset %d bar %d: OHLC %v %v %v %v inconsistent", i, k, o[k], h[k], l[k], c[k])
			}
			k0 := split[[2]int{i, k}]
			if k0 == 0 {
				k0 = 1
			}
			rc, ra := c[k]/c[k-1]*k0, a[k]/a[k-1]
			// Equal but for a dividend paid that day (≤ 1%).
			if d := rc / ra; d > 1+1e-9 || d < 0.99 {
				t.Fatalf("asset %d bar %d: close ratio×split %v vs adj_close ratio %v", i, k, rc, ra)
			}
			if math.Abs(sh[k]/sh[k-1]-k0) > 1e-9*k0 {
				t.Fatalf("asset %d bar %d: shares ratio %v, split %v", i, k, sh[k]/sh[k-1], k0)
			}
		}
	}
}

// IPOs and delistings are NaN runs at the start and end of a series.
func TestLifecycle(t *testing.T) {
	m := market(t, Config{Symbols: 300, Days: 1000, Seed: 3})
	p := m.Panel
	ipos, delists := 0, 0
	for i := range p.N() {
		first, last := m.Listed[i][0], m.Listed[i][1]
		if first > 0 {
			ipos++
		}
		if last < p.T()-1 {
			delists++
		}
		for f := engine.Field(0); f < engine.NumFields; f++ {
			s := p.Series(f, i)
			for k, v := range s {
				if in := k >= first && k <= last; in == math.IsNaN(v) {
					t.Fatalf("asset %d %s bar %d = %v, listed %d..%d", i, f, k, v, first, last)
				}
			}
		}
	}
	for _, i := range m.MegaCaps {
		if m.Listed[i] != [2]int{0, p.T() - 1} {
			t.Errorf("mega-cap %d not listed throughout", i)
		}
	}
	if ipos < 10 || delists < 10 {
		t.Errorf("%d IPOs, %d delistings; want some of each", ipos, delists)
	}
	n := market(t, Config{Symbols: 50, Days: 500, Seed: 3, NoLifecycle: true})
	for _, v := range n.Panel.Column(engine.Close) {
		if math.IsNaN(v) {
			t.Fatal("NoLifecycle left a NaN")
		}
	}
}

// The recorded first cuts and hikes are those SEMANTICS §7 finds, and a
// long market has several cycles.
func TestRateCycles(t *testing.T) {
	m := market(t, Config{Symbols: 5, Days: 5000, Seed: 11})
	r := m.Panel.Rates()
	var cuts, hikes []engine.Date
	for _, e := range engine.FindEvents(r, engine.FirstCut) {
		cuts = append(cuts, e.Date)
	}
	for _, e := range engine.FindEvents(r, engine.FirstHike) {
		hikes = append(hikes, e.Date)
	}
	if !slices.Equal(cuts, m.FirstCuts) || !slices.Equal(hikes, m.FirstHikes) {
		t.Fatalf("cuts %v hikes %v, FindEvents %v %v", m.FirstCuts, m.FirstHikes, cuts, hikes)
	}
	if len(cuts) < 3 || len(hikes) < 2 {
		t.Errorf("%d first cuts, %d first hikes in 5000 bars; want cycles", len(cuts), len(hikes))
	}
	for _, v := range m.Panel.RatePct() {
		if !(v >= 0.25 && v < 20) {
			t.Fatalf("rate %v out of range", v)
		}
	}
}

func returns(s []float64) []float64 {
	var r []float64
	for k := 1; k < len(s); k++ {
		r = append(r, s[k]/s[k-1]-1)
	}
	return r
}

func corr(x, y []float64) float64 {
	var mx, my float64
	for k := range x {
		mx += x[k]
		my += y[k]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for k := range x {
		sxy += (x[k] - mx) * (y[k] - my)
		sxx += (x[k] - mx) * (x[k] - mx)
		syy += (y[k] - my) * (y[k] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

// Mega-caps are more correlated with each other and drift higher than
// the rest; returns have fat tails.
func TestMarketShape(t *testing.T) {
	m := market(t, Config{Symbols: 60, Days: 2500, Seed: 5, NoLifecycle: true})
	p := m.Panel
	mega := map[int]bool{}
	for _, i := range m.MegaCaps {
		mega[i] = true
	}
	var rs [][]float64
	for i := range p.N() {
		rs = append(rs, returns(p.Series(engine.AdjClose, i)))
	}
	var cm, co float64
	var nm, no int
	for i := range p.N() {
		for j := i + 1; j < p.N(); j++ {
			c := corr(rs[i], rs[j])
			if mega[i] && mega[j] {
				cm += c
				nm++
			} else if !mega[i] && !mega[j] {
				co += c
				no++
			}
		}
	}
	cm, co = cm/float64(nm), co/float64(no)
	if cm < co+0.15 {
		t.Errorf("mean correlation among mega-caps %.2f, among the rest %.2f", cm, co)
	}
	growth := func(i int) float64 { s := p.Series(engine.AdjClose, i); return math.Log(s[len(s)-1] / s[0]) }
	var gm, gother float64
	for i := range p.N() {
		if mega[i] {
			gm += growth(i) / float64(len(m.MegaCaps))
		} else {
			gother += growth(i) / float64(p.N()-len(m.MegaCaps))
		}
	}
	if gm <= gother {
		t.Errorf("mega-cap mean log growth %.2f not above the rest %.2f", gm, gother)
	}
	// Excess kurtosis of one stock's returns.
	r := rs[0]
	var mean, m2, m4 float64
	for _, x := range r {
		mean += x
	}
	mean /= float64(len(r))
	for _, x := range r {
		d := (x - mean) * (x - mean)
		m2 += d
		m4 += d * d
	}
	m2 /= float64(len(r))
	m4 /= float64(len(r))
	if k := m4 / (m2 * m2); k < 4 {
		t.Errorf("kurtosis %.2f; want fat tails (> 4)", k)
	}
	t.Logf("correlation mega %.2f other %.2f; growth mega %.2f other %.2f", cm, co, gm, gother)
}

func BenchmarkGenerate500x5000(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(Config{Symbols: 500, Days: 5000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(500*5000*b.N)/b.Elapsed().Seconds(), "cells/s")
}
