package engine

import (
	"fmt"
	"math"
	"slices"
)

// ConcentrationStock is one stock of a concentration study.
type ConcentrationStock struct {
	Asset        int     // column index in the panel
	Symbol       string  //
	Rank         int     // 1 = largest size at the base bar (ties by symbol)
	Size         float64 // size at the base bar (market cap or dollar-volume proxy)
	Weight       float64 // w_i = size_i / Σ size, fixed at the base bar
	Return       float64 // R_i = p[e]/p[b] − 1
	Contribution float64 // w_i · R_i
	Share        float64 // Contribution / R_cap (NaN when R_cap = 0)
	Top          bool    // among the top K
	Trails       bool    // R_i < R_cap
}

// Concentration is the study of SEMANTICS §8 for one calendar year: how
// much of a cap-weighted universe's return came from its largest names.
// Returns are fractions (0.25 = +25%).
type Concentration struct {
	Year       int
	K          int   // top K asked for
	Base, End  int   // base bar b and end bar e
	BaseDate   Date  // date of b
	EndDate    Date  // date of e
	BaseInYear bool  // no bar before the year: b is the year's first bar
	PriceField Field // the return price (adj_close, else close)
	SizeSource string

	// Stocks is the universe, largest size first.
	Stocks []ConcentrationStock

	CapReturn   float64 // R_cap = Σ w_i R_i
	EqualReturn float64 // R_eq = mean R_i
	CapReturnEx float64 // R_cap over the universe without the top K (weights renormalized); NaN if empty
	EqReturnEx  float64 // R_eq over the universe without the top K; NaN if empty
	TopCapRet   float64 // cap-weighted return of the top K alone
	TopContrib  float64 // Σ contributions of the top K
	TopShare    float64 // TopContrib / R_cap
	TopWeight   float64 // Σ w_i over the top K
	Trailing    int     // stocks with R_i < R_cap (top K included)
	TrailShare  float64 // Trailing / universe size
}

// Top returns the top K stocks (fewer when the universe is smaller).
func (c *Concentration) Top() []ConcentrationStock {
	return c.Stocks[:min(c.K, len(c.Stocks))]
}

// Notes are the caveats printed with the study: the base bar when the data
// has no bar before the year, the size proxy, a top K that covers the
// whole universe.
func (c *Concentration) Notes() []string {
	var out []string
	if c.BaseInYear {
		out = append(out, fmt.Sprintf("base bar: the data has no bar before %d, so returns run from its first bar, %s (they miss the year's first day)", c.Year, c.BaseDate))
	}
	if c.SizeSource == SizeDollarVolume {
		out = append(out, "size: dollar-volume proxy (mean close × volume over the 63 bars ending at the base bar; the data has no shares_outstanding): R_cap is a rough stand-in for a cap-weighted index — it overweights heavily traded names")
	} else {
		out = append(out, "size: market cap (close × shares_outstanding) at the base bar")
	}
	if c.K >= len(c.Stocks) {
		out = append(out, fmt.Sprintf("top %d covers the whole universe of %d: the returns without it are undefined (NaN)", c.K, len(c.Stocks)))
	}
	return out
}

// ComputeConcentration runs the study of SEMANTICS §8 on p for calendar
// year `year` and the top k by size:
//
//   - base bar b: the last bar before the year (the year's first bar if
//     there is none, flagged in BaseInYear); end bar e: the year's last bar;
//   - universe: the assets with a return price on b and e and a finite
//     positive size at b;
//   - size at b: market cap (close × shares outstanding) or the 63-bar
//     dollar-volume proxy (SizeColumn), weights fixed at b and held.
//
// Errors: k < 1, no bar in the year, no size data, an empty universe.
func ComputeConcentration(p *Panel, year, k int) (*Concentration, error) {
	if k < 1 {
		return nil, fmt.Errorf("concentration: k = %d; want at least 1", k)
	}
	T := p.T()
	if T == 0 {
		return nil, fmt.Errorf("concentration: the data has no bars")
	}
	first, _ := slices.BinarySearch(p.Dates, DateOf(year, 1, 1))
	next, _ := slices.BinarySearch(p.Dates, DateOf(year+1, 1, 1))
	if first == next {
		return nil, fmt.Errorf("concentration: no bar in %d (the data covers %s..%s)", year, p.Dates[0], p.Dates[T-1])
	}
	c := &Concentration{Year: year, K: k, End: next - 1, PriceField: p.PriceField()}
	if first > 0 {
		c.Base = first - 1
	} else {
		c.Base, c.BaseInYear = first, true
	}
	c.BaseDate, c.EndDate = p.Dates[c.Base], p.Dates[c.End]
	size, src := SizeColumn(p)
	if size == nil {
		return nil, fmt.Errorf("concentration: no size data: the panel needs shares_outstanding (market cap) or volume (dollar-volume proxy)")
	}
	c.SizeSource = src
	px := p.Column(c.PriceField)
	if px == nil {
		return nil, fmt.Errorf("concentration: the data has neither adj_close nor close")
	}
	b, e := c.Base, c.End
	var sum float64
	for i := 0; i < p.N(); i++ {
		pb, pe, z := px[i*T+b], px[i*T+e], size[i*T+b]
		if pb == pb && pe == pe && z > 0 && z-z == 0 {
			c.Stocks = append(c.Stocks, ConcentrationStock{Asset: i, Symbol: p.Symbols[i], Size: z, Return: pe/pb - 1})
			sum += z
		}
	}
	n := len(c.Stocks)
	if n == 0 {
		return nil, fmt.Errorf("concentration: no stock has a price on both %s and %s and a size on %s", c.BaseDate, c.EndDate, c.BaseDate)
	}
	// Weights and R_cap in column order, then rank by size.
	var rEq float64
	for j := range c.Stocks {
		s := &c.Stocks[j]
		s.Weight = s.Size / sum
		s.Contribution = s.Weight * s.Return
		c.CapReturn += s.Contribution
		rEq += s.Return
	}
	c.EqualReturn = rEq / float64(n)
	slices.SortStableFunc(c.Stocks, func(a, b ConcentrationStock) int {
		switch {
		case a.Size > b.Size:
			return -1
		case a.Size < b.Size:
			return 1
		}
		return 0 // stable: column (symbol) order
	})
	var exW, exC, exR, topC float64
	exN := 0
	for j := range c.Stocks {
		s := &c.Stocks[j]
		s.Rank = j + 1
		s.Top = j < k
		s.Share = concRatio(s.Contribution, c.CapReturn)
		s.Trails = s.Return < c.CapReturn
		if s.Trails {
			c.Trailing++
		}
		if s.Top {
			c.TopWeight += s.Weight
			topC += s.Contribution
		} else {
			exW += s.Weight
			exC += s.Contribution
			exR += s.Return
			exN++
		}
	}
	c.TopContrib = topC
	c.TopShare = concRatio(topC, c.CapReturn)
	c.TopCapRet = concRatio(topC, c.TopWeight)
	c.CapReturnEx, c.EqReturnEx = math.NaN(), math.NaN()
	if exN > 0 {
		c.CapReturnEx = concRatio(exC, exW)
		c.EqReturnEx = exR / float64(exN)
	}
	c.TrailShare = float64(c.Trailing) / float64(n)
	return c, nil
}

// concRatio is a/b, NaN when b = 0.
func concRatio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}
