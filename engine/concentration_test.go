package engine

import (
	"math"
	"strings"
	"testing"
	"time"
)

// concPanel: five stocks over six bars around 2023. Sizes are market caps
// from close × shares at the base bar 2022-12-30 (A 1000, B 2000, C 500,
// D 500, E 900); returns come from adj_close, which differs from close.
// E has no price at the end of 2023 and is left out.
func concPanel(t *testing.T) *Panel {
	t.Helper()
	dates := []Date{
		DateOf(2022, time.December, 29), DateOf(2022, time.December, 30), DateOf(2023, time.January, 3),
		DateOf(2023, time.June, 30), DateOf(2023, time.December, 29), DateOf(2024, time.January, 2),
	}
	p, err := NewPanel(dates, []string{"A", "B", "C", "D", "E"})
	if err != nil {
		t.Fatal(err)
	}
	c, a, s, v := p.AddColumn(Close), p.AddColumn(AdjClose), p.AddColumn(Shares), p.AddColumn(Volume)
	nan := math.NaN()
	rows := []struct {
		close, shares float64
		adj           [6]float64
	}{
		{10, 100, [6]float64{5, 5, 6, 8, 10, 11}},
		{20, 100, [6]float64{10, 10, 9, 11, 12, 12}},
		{10, 50, [6]float64{4, 4, 4, 3.5, 3, 3}},
		{5, 100, [6]float64{2, 2, 2, 2.1, 2.2, 2.3}},
		{9, 100, [6]float64{7, 7, 7, 7, nan, nan}},
	}
	for i, r := range rows {
		for b := 0; b < 6; b++ {
			k := i*6 + b
			c[k], s[k], a[k], v[k] = r.close, r.shares, r.adj[b], 1000/r.close
			if r.adj[b] != r.adj[b] {
				c[k], s[k], v[k] = nan, nan, nan
			}
		}
	}
	return p
}

func concNear(a, b float64) bool { return math.Abs(a-b) <= 1e-15*math.Max(1, math.Abs(b)) }

func TestConcentrationHandComputed(t *testing.T) {
	p := concPanel(t)
	c, err := ComputeConcentration(p, 2023, 2)
	if err != nil {
		t.Fatal(err)
	}
	if c.Base != 1 || c.End != 4 || c.BaseInYear || c.SizeSource != SizeMarketCap || c.PriceField != AdjClose {
		t.Fatalf("base %d end %d inYear %v source %s price %s", c.Base, c.End, c.BaseInYear, c.SizeSource, c.PriceField)
	}
	// Weights A .25, B .5, C .125, D .125; returns A +100%, B +20%, C −25%, D +10%.
	wantOrder := []string{"B", "A", "C", "D"} // C before D: equal size, ties by name
	for j, s := range c.Stocks {
		if s.Symbol != wantOrder[j] || s.Rank != j+1 {
			t.Fatalf("stock %d: %s rank %d, want %s", j, s.Symbol, s.Rank, wantOrder[j])
		}
	}
	rcap := 0.25*1 + 0.5*0.2 + 0.125*-0.25 + 0.125*0.1 // 0.33125
	checks := []struct {
		name      string
		got, want float64
	}{
		{"R_cap", c.CapReturn, rcap},
		{"R_eq", c.EqualReturn, (1 + 0.2 - 0.25 + 0.1) / 4},
		{"R_cap_ex", c.CapReturnEx, (-0.25 + 0.1) / 2},
		{"R_eq_ex", c.EqReturnEx, (-0.25 + 0.1) / 2},
		{"top contribution", c.TopContrib, 0.35},
		{"top share", c.TopShare, 0.35 / rcap},
		{"top weight", c.TopWeight, 0.75},
		{"top cap return", c.TopCapRet, 0.35 / 0.75},
		{"share trailing", c.TrailShare, 0.75},
		{"B weight", c.Stocks[0].Weight, 0.5},
		{"B return", c.Stocks[0].Return, 0.2},
		{"A contribution", c.Stocks[1].Contribution, 0.25},
		{"A share", c.Stocks[1].Share, 0.25 / rcap},
	}
	for _, x := range checks {
		if !concNear(x.got, x.want) {
			t.Errorf("%s = %.17g, want %.17g", x.name, x.got, x.want)
		}
	}
	if top := c.Top(); len(top) != 2 || !top[0].Top || !top[1].Top || c.Stocks[2].Top {
		t.Errorf("top K: %+v", top)
	}
	if c.Trailing != 3 || c.Stocks[1].Trails || !c.Stocks[0].Trails {
		t.Errorf("trailing %d", c.Trailing)
	}
	if n := c.Notes(); len(n) != 1 || !strings.Contains(n[0], "market cap") {
		t.Errorf("notes %q", n)
	}
}

func TestConcentrationProxyAndBase(t *testing.T) {
	p := concPanel(t)
	// Without shares: the dollar-volume proxy (1000 a day for everyone:
	// equal sizes, so cap weight equals equal weight), with its caveat.
	q, _ := NewPanel(p.Dates, p.Symbols)
	for _, f := range []Field{Close, AdjClose, Volume} {
		q.SetColumn(f, p.Column(f))
	}
	c, err := ComputeConcentration(q, 2023, 7)
	if err != nil {
		t.Fatal(err)
	}
	if c.SizeSource != SizeDollarVolume || !concNear(c.CapReturn, c.EqualReturn) || !math.IsNaN(c.CapReturnEx) {
		t.Fatalf("proxy: source %s R_cap %v R_eq %v ex %v", c.SizeSource, c.CapReturn, c.EqualReturn, c.CapReturnEx)
	}
	notes := strings.Join(c.Notes(), "\n")
	if !strings.Contains(notes, "rough stand-in") || !strings.Contains(notes, "top 7 covers the whole universe") {
		t.Fatalf("notes %q", notes)
	}
	// No bar before 2023: the base is the year's first bar, and it is said.
	r := p.Slice(2, 6)
	c, err = ComputeConcentration(r, 2023, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !c.BaseInYear || c.Base != 0 || c.BaseDate != DateOf(2023, time.January, 3) || !strings.Contains(c.Notes()[0], "no bar before 2023") {
		t.Fatalf("base %d %s inYear %v notes %q", c.Base, c.BaseDate, c.BaseInYear, c.Notes())
	}
	if want := 10.0/6 - 1; !concNear(c.Stocks[1].Return, want) || c.Stocks[1].Symbol != "A" {
		t.Fatalf("A from the first bar: %+v, want return %v", c.Stocks[1], want)
	}
	// Errors: no bar in the year, k < 1.
	for _, bad := range []struct {
		year, k int
		msg     string
	}{{2021, 7, "no bar in 2021"}, {2023, 0, "k = 0"}} {
		if _, err := ComputeConcentration(p, bad.year, bad.k); err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("year %d k %d: error %v, want %q", bad.year, bad.k, err, bad.msg)
		}
	}
}
