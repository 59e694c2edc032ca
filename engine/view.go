package engine

// View is what a strategy sees at the close of decision bar t: every series
// ends at t. Slices are cut with a capacity of t+1, so reading or reslicing
// past t panics instead of leaking the future (SEMANTICS §2, the causal
// rule: the engine, not the strategy, enforces it).
type View struct {
	p *Panel
	t int
}

// NewView returns the view of p at bar t (0 ≤ t < T).
func NewView(p *Panel, t int) View { return View{p: p, t: t} }

// Bar is the decision bar index t.
func (v View) Bar() int { return v.t }

// Len is the number of visible bars, t+1.
func (v View) Len() int { return v.t + 1 }

// N is the number of assets.
func (v View) N() int { return v.p.N() }

// Symbols are the asset names in column order.
func (v View) Symbols() []string { return v.p.Symbols }

// Date is the date of bar t.
func (v View) Date() Date { return v.p.Dates[v.t] }

// Dates are the dates of bars 0..t.
func (v View) Dates() []Date { return v.p.Dates[: v.t+1 : v.t+1] }

// Has reports whether the data has field f.
func (v View) Has(f Field) bool { return v.p.Has(f) }

// PriceField is the column used for returns (adj_close, else close).
func (v View) PriceField() Field { return v.p.PriceField() }

// Series returns field f of asset i over bars 0..t (nil if absent).
func (v View) Series(f Field, i int) []float64 {
	s := v.p.Series(f, i)
	if s == nil {
		return nil
	}
	return s[: v.t+1 : v.t+1]
}

// Price returns the return price (adj_close, else close) of asset i over bars 0..t.
func (v View) Price(i int) []float64 { return v.Series(v.p.PriceField(), i) }

// At returns field f of asset i on bar t (NaN when missing).
func (v View) At(f Field, i int) float64 { return v.p.At(f, v.t, i) }

// Tradable reports whether asset i has a price on bar t.
func (v View) Tradable(i int) bool {
	x := v.p.At(v.p.PriceField(), v.t, i)
	return x == x
}

// RatePct returns the rate in force on bars 0..t (nil when no rates).
func (v View) RatePct() []float64 {
	if v.p.rate == nil {
		return nil
	}
	return v.p.rate[: v.t+1 : v.t+1]
}

// Rates returns the rates rows dated ≤ date[t] (nil when no rates).
func (v View) Rates() *Rates {
	r := v.p.rates
	if r == nil {
		return nil
	}
	n := 0
	for n < len(r.Dates) && r.Dates[n] <= v.Date() {
		n++
	}
	return &Rates{Dates: r.Dates[:n:n], Pct: r.Pct[:n:n], Name: r.Name}
}

// PeriodEnd reports whether bar t ends a calendar period of p (the next
// trading day is in another period). The trading calendar is public in
// advance, so this is not look-ahead; the last bar is never a period end.
func (v View) PeriodEnd(p Period) bool {
	d := v.p.Dates
	if v.t+1 >= len(d) {
		return false
	}
	return p.Key(d[v.t]) != p.Key(d[v.t+1])
}
