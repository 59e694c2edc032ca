package engine

import (
	"fmt"
	"math"
	"sort"
)

// Field names one column of the price table (SEMANTICS §1).
type Field uint8

const (
	Open Field = iota
	High
	Low
	Close
	AdjClose
	Volume
	Shares // shares outstanding, point in time
	NumFields
)

var fieldNames = [NumFields]string{"open", "high", "low", "close", "adj_close", "volume", "shares_outstanding"}

func (f Field) String() string {
	if f < NumFields {
		return fieldNames[f]
	}
	return fmt.Sprintf("Field(%d)", f)
}

// ParseField maps a column name of SEMANTICS §1 to its Field.
func ParseField(s string) (Field, bool) {
	for i, n := range fieldNames {
		if n == s {
			return Field(i), true
		}
	}
	return 0, false
}

// Panel is the dense T×N matrix of SEMANTICS §1: T dates (sorted, unique),
// N symbols (sorted by name), one column per field that the data has.
// A missing (date, symbol) cell is NaN: the asset cannot be traded then.
//
// Columns are stored asset-major: the series of asset i for field f is the
// contiguous slice Series(f, i) of length T, so per-asset kernels read
// memory in order.
type Panel struct {
	Dates   []Date
	Symbols []string

	cols  [NumFields][]float64
	rates *Rates
	rate  []float64 // rate_pct in force on each bar, NaN before the first rates row
}

// NewPanel returns a panel over the given calendar and symbols with no
// columns. dates must be strictly increasing and symbols strictly sorted.
func NewPanel(dates []Date, symbols []string) (*Panel, error) {
	for t := 1; t < len(dates); t++ {
		if dates[t] <= dates[t-1] {
			return nil, fmt.Errorf("panel: dates not strictly increasing at %d (%s after %s)", t, dates[t], dates[t-1])
		}
	}
	for i := 1; i < len(symbols); i++ {
		if symbols[i] <= symbols[i-1] {
			return nil, fmt.Errorf("panel: symbols not strictly sorted at %d (%q after %q)", i, symbols[i], symbols[i-1])
		}
	}
	return &Panel{Dates: dates, Symbols: symbols}, nil
}

// T is the number of bars (dates).
func (p *Panel) T() int { return len(p.Dates) }

// N is the number of assets (symbols).
func (p *Panel) N() int { return len(p.Symbols) }

// AddColumn allocates field f filled with NaN (replacing any existing one)
// and returns it for the caller to fill: cell (t, i) is at index i*T+t.
func (p *Panel) AddColumn(f Field) []float64 {
	c := make([]float64, p.T()*p.N())
	nan := math.NaN()
	for k := range c {
		c[k] = nan
	}
	p.cols[f] = c
	return c
}

// SetColumn installs a filled column (length T*N, asset-major).
func (p *Panel) SetColumn(f Field, c []float64) error {
	if len(c) != p.T()*p.N() {
		return fmt.Errorf("panel: column %s has %d cells, want %d×%d", f, len(c), p.T(), p.N())
	}
	p.cols[f] = c
	return nil
}

// Has reports whether the panel has field f.
func (p *Panel) Has(f Field) bool { return p.cols[f] != nil }

// Column returns the whole column of f (asset-major, length T*N), or nil.
func (p *Panel) Column(f Field) []float64 { return p.cols[f] }

// Series returns the length-T series of field f for asset i (nil if the
// panel lacks f). The slice aliases the panel: do not modify it.
func (p *Panel) Series(f Field, i int) []float64 {
	c := p.cols[f]
	if c == nil {
		return nil
	}
	T := p.T()
	return c[i*T : (i+1)*T : (i+1)*T]
}

// At returns field f of asset i on bar t (NaN when missing or absent).
func (p *Panel) At(f Field, t, i int) float64 {
	c := p.cols[f]
	if c == nil {
		return math.NaN()
	}
	return c[i*p.T()+t]
}

// PriceField is the column used for returns: adj_close when present,
// else close (SEMANTICS §1). Callers print the choice.
func (p *Panel) PriceField() Field {
	if p.Has(AdjClose) {
		return AdjClose
	}
	return Close
}

// SymbolIndex returns the column index of symbol s.
func (p *Panel) SymbolIndex(s string) (int, bool) {
	i := sort.SearchStrings(p.Symbols, s)
	if i < len(p.Symbols) && p.Symbols[i] == s {
		return i, true
	}
	return 0, false
}

// SetRates attaches a rates series and aligns it to the calendar: the rate
// on bar t is the last rates row dated ≤ Dates[t], NaN before the first row.
func (p *Panel) SetRates(r *Rates) {
	p.rates = r
	if r == nil {
		p.rate = nil
		return
	}
	p.rate = r.Align(p.Dates)
}

// Rates returns the raw rates series, or nil.
func (p *Panel) Rates() *Rates { return p.rates }

// RatePct returns the rate in force on each bar (length T, annual percent,
// NaN before the first rates row), or nil when no rates are attached.
func (p *Panel) RatePct() []float64 { return p.rate }

// Slice returns a panel of bars [from, to) sharing no memory with p, with
// the same symbols and rates. Used to check causality: a decision on bar t
// must not change when bars after t are removed.
func (p *Panel) Slice(from, to int) *Panel {
	q := &Panel{Dates: append([]Date(nil), p.Dates[from:to]...), Symbols: p.Symbols}
	T, n := p.T(), to-from
	for f := range p.cols {
		if p.cols[f] == nil {
			continue
		}
		c := make([]float64, n*p.N())
		for i := 0; i < p.N(); i++ {
			copy(c[i*n:(i+1)*n], p.cols[f][i*T+from:i*T+to])
		}
		q.cols[f] = c
	}
	q.SetRates(p.rates)
	return q
}

// Rates is a step series of an annual rate in percent (e.g. the federal
// funds target): each row's value holds until the next row.
type Rates struct {
	Dates []Date    // strictly increasing
	Pct   []float64 // percent per year, 5.5 = 5.50%
	Name  string    // the source column, printed with results
}

// Align returns the rate in force on each of dates (sorted): the value of
// the last row dated ≤ the date, NaN before the first row.
func (r *Rates) Align(dates []Date) []float64 {
	out := make([]float64, len(dates))
	j := -1
	for t, d := range dates {
		for j+1 < len(r.Dates) && r.Dates[j+1] <= d {
			j++
		}
		if j < 0 {
			out[t] = math.NaN()
		} else {
			out[t] = r.Pct[j]
		}
	}
	return out
}

// Asset returns a one-asset panel of asset i that shares p's memory and
// rates: the way per-asset studies run a strategy on each symbol alone.
func (p *Panel) Asset(i int) *Panel {
	q := &Panel{Dates: p.Dates, Symbols: p.Symbols[i : i+1 : i+1], rates: p.rates, rate: p.rate}
	for f := range p.cols {
		if p.cols[f] != nil {
			q.cols[f] = p.Series(Field(f), i)
		}
	}
	return q
}
