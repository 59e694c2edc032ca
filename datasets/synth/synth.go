// Package synth generates a synthetic stock market as an engine.Panel:
// deterministic for a seed, pure Go, and realistic enough to exercise
// every strategy (SEMANTICS §1 columns, §7 events).
//
// The market: a one-factor market with sector factors and a mega-cap
// cluster (higher drift, a shared factor, so higher correlation), fat-tailed
// shocks (a normal scale mixture, kurtosis ≈ 7.7), quarterly dividends,
// splits and reverse splits, IPOs and delistings (NaN runs), volumes and
// shares outstanding, and a rate path with hiking and cutting cycles. After
// each first cut the mega-cap cluster's drift turns below the rest for a
// year (the "broadening" the flagship study looks for).
//
// Price columns follow a common vendor convention: open, high, low and
// close are raw (not split-adjusted: a 4:1 split divides them by 4 on its
// day), adj_close is adjusted for splits and dividends as of the last bar
// (so adj_close = close on the last bar of a symbol without later events),
// volume and shares_outstanding are raw share counts (multiplied by 4 on a
// 4:1 split), so close × shares_outstanding, the market cap, is continuous.
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rotor-bt/rotor/engine"
)

// Config sets the size and shape of the market. Zero fields take the
// defaults in parentheses.
type Config struct {
	Symbols int   // N, ≥ 1
	Days    int   // T trading days (Monday to Friday), ≥ 2
	Seed    int64 // same seed, same market
	// Start is the first trading day (2000-01-03); a weekend start moves to
	// the next Monday.
	Start engine.Date
	// MegaCaps is the size of the mega-cap cluster (min(7, N)).
	MegaCaps int
	// Sectors is the number of sectors besides the mega-cap cluster (10).
	Sectors int
	// SplitAbove is the raw close above which a stock may split (300).
	SplitAbove float64
	// NoLifecycle turns off IPOs and delistings (every cell is priced).
	NoLifecycle bool
}

// Split is one split (Ratio > 1, e.g. 4 for 4:1) or reverse split
// (Ratio < 1, e.g. 0.1 for 1:10) that the generator put in.
type Split struct {
	Asset  int
	Symbol string
	Bar    int // the first bar on the new share basis
	Date   engine.Date
	Ratio  float64 // new shares per old share
}

// Market is a generated market with the events it contains.
type Market struct {
	Panel      *engine.Panel
	Splits     []Split       // in (bar, asset) order
	MegaCaps   []int         // assets of the mega-cap cluster
	Sector     []int         // sector of each asset; -1 for the mega-cap cluster
	Listed     [][2]int      // first and last priced bar of each asset
	FirstCuts  []engine.Date // first cuts of the rate path (SEMANTICS §7)
	FirstHikes []engine.Date // first hikes of the rate path
}

// Generate returns the panel of a synthetic market.
func Generate(cfg Config) (*engine.Panel, error) {
	m, err := GenerateMarket(cfg)
	if err != nil {
		return nil, err
	}
	return m.Panel, nil
}

const (
	barsPerYear = 252
	mixP        = 0.05 // probability of a high-volatility day in the shock mixture
	mixHigh     = 3.0  // its volatility multiple
)

// mixNorm is 1/sqrt(E[s²]) of the mixture, so shocks have unit variance.
var mixNorm = 1 / math.Sqrt(1-mixP+mixP*mixHigh*mixHigh)

func (c *Config) defaults() error {
	if c.Symbols < 1 {
		return fmt.Errorf("synth: symbols = %d; want at least 1", c.Symbols)
	}
	if c.Symbols > 99999 {
		return fmt.Errorf("synth: symbols = %d; want at most 99999", c.Symbols)
	}
	if c.Days < 2 {
		return fmt.Errorf("synth: days = %d; want at least 2", c.Days)
	}
	if c.Start == 0 {
		c.Start = engine.DateOf(2000, time.January, 3)
	}
	if c.MegaCaps == 0 {
		c.MegaCaps = min(7, c.Symbols)
	}
	if c.MegaCaps < 0 || c.MegaCaps > c.Symbols {
		return fmt.Errorf("synth: mega-caps = %d; want 0..%d", c.MegaCaps, c.Symbols)
	}
	if c.Sectors == 0 {
		c.Sectors = 10
	}
	if c.Sectors < 1 {
		return fmt.Errorf("synth: sectors = %d; want at least 1", c.Sectors)
	}
	if c.SplitAbove == 0 {
		c.SplitAbove = 300
	}
	if c.SplitAbove < 2 {
		return fmt.Errorf("synth: split threshold %g; want at least 2", c.SplitAbove)
	}
	return nil
}

// Calendar returns n weekdays starting at start (moved to a weekday).
func Calendar(start engine.Date, n int) []engine.Date {
	dates := make([]engine.Date, 0, n)
	d := start
	for len(dates) < n {
		if wd := d.Time().Weekday(); wd != time.Saturday && wd != time.Sunday {
			dates = append(dates, d)
		}
		d++
	}
	return dates
}

// Symbol returns the name of asset i in a market of n symbols: S0001,
// S0002, … (sorted in asset order).
func Symbol(i, n int) string {
	w := len(fmt.Sprint(n))
	w = max(w, 4)
	return fmt.Sprintf("S%0*d", w, i+1)
}

// stream returns the random stream of one part of the market; streams
// are independent, so each asset's path depends only on the seed and its
// index.
func stream(seed int64, part, index uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed)^0x9e3779b97f4a7c15*part, index*0xbf58476d1ce4e5b9+part))
}

func shock(r *rand.Rand) float64 {
	z := r.NormFloat64()
	if r.Float64() < mixP {
		z *= mixHigh
	}
	return z * mixNorm
}

// GenerateMarket returns a synthetic market and the events in it.
func GenerateMarket(cfg Config) (*Market, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	N, T := cfg.Symbols, cfg.Days
	dates := Calendar(cfg.Start, T)
	symbols := make([]string, N)
	for i := range symbols {
		symbols[i] = Symbol(i, N)
	}
	p, err := engine.NewPanel(dates, symbols)
	if err != nil {
		return nil, err
	}
	m := &Market{Panel: p, Sector: make([]int, N), Listed: make([][2]int, N)}

	// Mega-caps: a seeded choice of assets, sorted.
	rs := stream(cfg.Seed, 1, 0)
	perm := rs.Perm(N)
	isMega := make([]bool, N)
	for _, i := range perm[:cfg.MegaCaps] {
		isMega[i] = true
	}
	for i := range N {
		if isMega[i] {
			m.MegaCaps = append(m.MegaCaps, i)
			m.Sector[i] = -1
		} else {
			m.Sector[i] = rs.IntN(cfg.Sectors)
		}
	}

	// Rates and the regime they set.
	rate, cuts, hikes := ratePath(stream(cfg.Seed, 2, 0), T)
	m.FirstCuts, m.FirstHikes = datesOf(dates, cuts), datesOf(dates, hikes)
	p.SetRates(&engine.Rates{Dates: dates, Pct: rate, Name: "rate_pct"})
	broad := make([]bool, T) // the year after each first cut
	for _, c := range cuts {
		for t := c; t < min(T, c+barsPerYear); t++ {
			broad[t] = true
		}
	}

	// Factors, daily log-return units.
	mkt := make([]float64, T)
	clu := make([]float64, T)
	sec := make([][]float64, cfg.Sectors)
	rf := stream(cfg.Seed, 3, 0)
	sd := 1 / math.Sqrt(barsPerYear)
	for t := range T {
		mkt[t] = 0.16 * sd * shock(rf)
		clu[t] = 0.14 * sd * shock(rf)
	}
	for s := range sec {
		sec[s] = make([]float64, T)
		for t := range T {
			sec[s][t] = 0.10 * sd * shock(rf)
		}
	}

	cols := map[engine.Field][]float64{}
	for _, f := range []engine.Field{engine.Open, engine.High, engine.Low, engine.Close, engine.AdjClose, engine.Volume, engine.Shares} {
		cols[f] = make([]float64, N*T) // each asset fills its own range, NaN included
	}
	g := &gen{cfg: cfg, m: m, isMega: isMega, broad: broad, mkt: mkt, clu: clu, sec: sec, cols: cols}
	// Assets are independent (one random stream each): generate them on
	// every CPU; the result does not depend on the number of workers.
	workers := min(runtime.GOMAXPROCS(0), N)
	splits := make([][]Split, N)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := &scratch{base: make([]float64, T), mult: make([]float64, T), div: make([]float64, T)}
			for {
				i := int(next.Add(1)) - 1
				if i >= N {
					return
				}
				splits[i] = g.asset(i, sc)
			}
		}()
	}
	wg.Wait()
	for f, c := range cols {
		if err := p.SetColumn(f, c); err != nil {
			return nil, err
		}
	}
	for _, s := range splits {
		m.Splits = append(m.Splits, s...)
	}
	sort.Slice(m.Splits, func(a, b int) bool {
		x, y := m.Splits[a], m.Splits[b]
		return x.Bar < y.Bar || x.Bar == y.Bar && x.Asset < y.Asset
	})
	return m, nil
}

// gen holds what every asset's generation reads.
type gen struct {
	cfg           Config
	m             *Market
	isMega, broad []bool
	mkt, clu      []float64
	sec           [][]float64
	cols          map[engine.Field][]float64
}

// scratch is one worker's per-asset buffers.
type scratch struct {
	base []float64 // split-adjusted price path, on the first bar's share basis
	mult []float64 // cumulative split factor up to and including bar t
	div  []float64 // 1 - dividend yield paid on bar t (1 when none)
}

// asset generates asset i's columns and returns its splits.
func (g *gen) asset(i int, sc *scratch) []Split {
	cfg, m, isMega, broad, mkt, clu, sec, cols := g.cfg, g.m, g.isMega, g.broad, g.mkt, g.clu, g.sec, g.cols
	base, mult, div := sc.base, sc.mult, sc.div
	T := len(base)
	sd := 1 / math.Sqrt(barsPerYear)
	dates, symbols := m.Panel.Dates, m.Panel.Symbols
	var splits []Split
	r := stream(cfg.Seed, 4, uint64(i))
	first, last := 0, T-1
	if !cfg.NoLifecycle && !isMega[i] {
		if r.Float64() < 0.12 {
			first = r.IntN(T / 2)
		}
		if r.Float64() < 0.10 {
			last = T/2 + r.IntN(T-T/2)
		}
	}
	m.Listed[i] = [2]int{first, last}
	var mu, beta, cb, sb, vol float64
	if isMega[i] {
		mu, beta, cb, sb, vol = 0.20+0.05*r.NormFloat64(), 1.1, 1.0, 0, 0.20
	} else {
		mu, beta, cb, sb, vol = 0.06+0.04*r.NormFloat64(), 1+0.25*r.NormFloat64(), 0, 1, 0.28+0.08*r.Float64()
	}
	yield := 0.0
	if r.Float64() < 0.7 {
		yield = 0.005 + 0.035*r.Float64()
	}
	divPhase := r.IntN(63)
	price := math.Exp(3 + 1.2*r.NormFloat64()) // first raw close, lognormal around $20
	if isMega[i] {
		price = 100 + 200*r.Float64()
	}
	shares := math.Round(math.Exp(19.5 + 0.8*r.NormFloat64())) // ~300M shares
	if isMega[i] {
		shares = math.Round(5e9 + 5e9*r.Float64())
	}
	turnover := 0.004 + 0.006*r.Float64() // daily fraction of shares traded
	var s []float64
	if !isMega[i] {
		s = sec[m.Sector[i]]
	}
	mf := 1.0 // split factor so far
	base[first] = price
	for t := first; t <= last; t++ {
		div[t] = 1
		if t > first {
			d := mu / barsPerYear
			if broad[t] {
				if isMega[i] {
					d -= 0.15 / barsPerYear
				} else {
					d += 0.05 / barsPerYear
				}
			}
			lr := d - 0.5*vol*vol/barsPerYear + beta*mkt[t] + cb*clu[t] + vol*sd*shock(r)
			if sb != 0 {
				lr += sb * s[t]
			}
			if yield > 0 && (t+divPhase)%63 == 0 {
				div[t] = 1 - yield/4
			}
			base[t] = base[t-1] * math.Exp(lr) * div[t]
			// A split when the raw price is high (or a reverse split
			// when it is tiny), starting on this bar.
			raw := base[t-1] / mf
			switch {
			case raw > cfg.SplitAbove && r.Float64() < 0.05:
				k := splitRatio(raw)
				mf *= k
				splits = append(splits, Split{Asset: i, Symbol: symbols[i], Bar: t, Date: dates[t], Ratio: k})
			case raw < 1 && r.Float64() < 0.05:
				mf /= 10
				splits = append(splits, Split{Asset: i, Symbol: symbols[i], Bar: t, Date: dates[t], Ratio: 0.1})
			}
		}
		mult[t] = mf
	}
	// Columns. adj_close is the split-adjusted close times the product
	// of (1 - yield) over the dividends after t, so its returns are
	// total returns and it equals the split-adjusted close at the end.
	o, h, l, c, a := cols[engine.Open], cols[engine.High], cols[engine.Low], cols[engine.Close], cols[engine.AdjClose]
	v, sh := cols[engine.Volume], cols[engine.Shares]
	off := i * T
	mEnd := mult[last]
	f := 1.0
	for t := last; t >= first; t-- {
		a[off+t] = base[t] / mEnd * f
		f *= div[t]
	}
	for t := first; t <= last; t++ {
		cl := base[t] / mult[t]
		c[off+t] = cl
		op := cl
		if t > first {
			// The open sits between the previous close (on today's
			// share basis) and the close.
			prev := base[t-1] / mult[t] * div[t]
			op = prev + (cl-prev)*r.Float64()
		}
		o[off+t] = op
		h[off+t] = math.Max(op, cl) * (1 + 0.006*math.Abs(r.NormFloat64()))
		l[off+t] = math.Min(op, cl) * (1 - 0.006*math.Abs(r.NormFloat64()))
		sht := shares * mult[t]
		sh[off+t] = sht
		v[off+t] = math.Round(sht * turnover * math.Exp(0.4*r.NormFloat64()-0.08))
	}
	nan := math.NaN()
	for _, c := range cols {
		for t := 0; t < first; t++ {
			c[off+t] = nan
		}
		for t := last + 1; t < T; t++ {
			c[off+t] = nan
		}
	}
	return splits
}

// splitRatio picks a ratio that brings a raw price back to 40-200.
func splitRatio(raw float64) float64 {
	for _, k := range []float64{2, 3, 4, 5, 10, 20, 50} {
		if raw/k < 200 {
			return k
		}
	}
	return 100
}

func datesOf(dates []engine.Date, bars []int) []engine.Date {
	out := make([]engine.Date, len(bars))
	for k, b := range bars {
		out[k] = dates[b]
	}
	return out
}

// ratePath returns a rate in percent for each of T bars: alternating
// hiking and cutting cycles in 0.25-point steps (0.50 in some cuts) every
// 30-50 bars, with holds between cycles. It returns the bars of the first
// cut and first hike of each cycle as SEMANTICS §7 defines them (the very
// first change of the series never counts).
func ratePath(r *rand.Rand, T int) (rate []float64, cuts, hikes []int) {
	rate = make([]float64, T)
	level := 1.0 + 0.25*float64(r.IntN(8))
	t := 0
	last := 0 // direction of the last change
	fill := func(n int) {
		for k := 0; k < n && t < T; k++ {
			rate[t] = level
			t++
		}
	}
	fill(20 + r.IntN(100))
	dir := 1
	for t < T {
		steps := 3 + r.IntN(8)
		for k := 0; k < steps && t < T; k++ {
			step := 0.25
			if dir < 0 && r.Float64() < 0.3 {
				step = 0.5
			}
			if dir < 0 && level-step < 0.25 {
				break
			}
			level += float64(dir) * step
			if last == -dir {
				if dir < 0 {
					cuts = append(cuts, t)
				} else {
					hikes = append(hikes, t)
				}
			}
			last = dir
			fill(30 + r.IntN(21))
		}
		fill(100 + r.IntN(300))
		dir = -dir
	}
	return rate, cuts, hikes
}
