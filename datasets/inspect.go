package datasets

import (
	"context"
	"math"
	"sort"

	"github.com/rotor-bt/rotor/engine"
)

// SplitMove is the smallest day move, as a ratio, that counts as a split
// candidate: the close moves beyond ±40% more than adj_close does.
const SplitMove = 1.4

// Inspection summarizes a price table.
type Inspection struct {
	Info            *Info
	Spans           []SymbolSpan     // per symbol, in symbol order
	CalendarGaps    []CalendarGap    // consecutive bars more than MaxCalendarGap days apart
	SplitCandidates []SplitCandidate // in (date, symbol) order
	Panel           *engine.Panel
}

// MaxCalendarGap is the longest expected distance between two trading
// days, in calendar days (a weekend plus a holiday).
const MaxCalendarGap = 4

// SymbolSpan is where a symbol has prices.
type SymbolSpan struct {
	Symbol      string
	First, Last engine.Date // first and last bar with a price
	Bars        int         // bars with a price
	Gaps        int         // bars without a price between First and Last (halts, missing rows)
}

// CalendarGap is a stretch without bars longer than MaxCalendarGap days.
type CalendarGap struct {
	After, Before engine.Date
}

// SplitCandidate is a day on which close moves beyond ±40% more than
// adj_close: a split (close falls, Ratio > 1) or reverse split (Ratio < 1)
// that adj_close removes. Without adj_close every close move beyond ±40%
// is listed with AdjMove NaN.
type SplitCandidate struct {
	Symbol    string
	Date      engine.Date
	CloseMove float64 // close[t]/close[t-1] - 1
	AdjMove   float64 // adj_close[t]/adj_close[t-1] - 1
	Ratio     float64 // implied new shares per old: (1+AdjMove)/(1+CloseMove)
}

// Inspect loads the selection and summarizes it.
func Inspect(ctx context.Context, opt LoadOptions) (*Inspection, error) {
	p, info, err := Load(ctx, opt)
	if err != nil {
		return nil, err
	}
	return InspectPanel(p, info), nil
}

// InspectPanel summarizes a loaded panel.
func InspectPanel(p *engine.Panel, info *Info) *Inspection {
	in := &Inspection{Info: info, Panel: p}
	T := p.T()
	price := p.PriceField()
	for i, s := range p.Symbols {
		sp := SymbolSpan{Symbol: s}
		first, last := -1, -1
		for t, v := range p.Series(price, i) {
			if !math.IsNaN(v) {
				if first < 0 {
					first = t
				}
				last = t
				sp.Bars++
			}
		}
		if first >= 0 {
			sp.First, sp.Last = p.Dates[first], p.Dates[last]
			sp.Gaps = last - first + 1 - sp.Bars
		}
		in.Spans = append(in.Spans, sp)
	}
	for t := 1; t < T; t++ {
		if p.Dates[t]-p.Dates[t-1] > MaxCalendarGap {
			in.CalendarGaps = append(in.CalendarGaps, CalendarGap{p.Dates[t-1], p.Dates[t]})
		}
	}
	in.SplitCandidates = FindSplitCandidates(p)
	return in
}

// FindSplitCandidates lists the days on which close moves beyond ±40%
// more than adj_close (SplitMove), over consecutive priced bars.
func FindSplitCandidates(p *engine.Panel) []SplitCandidate {
	var out []SplitCandidate
	T := p.T()
	for i, s := range p.Symbols {
		c := p.Series(engine.Close, i)
		a := p.Series(engine.AdjClose, i)
		if c == nil {
			return nil
		}
		for t := 1; t < T; t++ {
			if math.IsNaN(c[t]) || math.IsNaN(c[t-1]) {
				continue
			}
			rc := c[t] / c[t-1]
			ra := math.NaN()
			ratio := math.NaN()
			if a != nil {
				if math.IsNaN(a[t]) || math.IsNaN(a[t-1]) {
					continue
				}
				ra = a[t] / a[t-1]
				ratio = ra / rc
				if ratio < SplitMove && ratio > 1/SplitMove {
					continue
				}
			} else if rc < SplitMove && rc > 1/SplitMove {
				continue
			}
			out = append(out, SplitCandidate{Symbol: s, Date: p.Dates[t], CloseMove: rc - 1, AdjMove: ra - 1, Ratio: ratio})
		}
	}
	sortCandidates(out)
	return out
}

func sortCandidates(c []SplitCandidate) {
	sort.Slice(c, func(x, y int) bool {
		return c[x].Date < c[y].Date || c[x].Date == c[y].Date && c[x].Symbol < c[y].Symbol
	})
}

// Import loads and validates the selection and writes it as one zstd
// Parquet file sorted by (symbol, date) (see WritePanel), atomically (SEMANTICS §1 columns;
// columns outside §1 are dropped, volume is stored as BIGINT).
func Import(ctx context.Context, opt LoadOptions, out string) (*Info, error) {
	p, info, err := Load(ctx, opt)
	if err != nil {
		return nil, err
	}
	if err := WritePanel(ctx, p, out, opt.DB); err != nil {
		return nil, err
	}
	return info, nil
}
