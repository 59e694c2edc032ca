package engine

import (
	"fmt"
	"math"
)

// Fill is when a decision made at the close of bar t trades (SEMANTICS §2).
type Fill uint8

const (
	FillClose     Fill = iota // at close[t]; the new weights earn r[t+1]
	FillNextClose             // at close[t+1]; the new weights earn r[t+2]
	FillNextOpen              // at open[t+1]; the overnight leg uses the old holdings
)

var fillNames = [...]string{"close", "next-close", "next-open"}

func (f Fill) String() string {
	if int(f) < len(fillNames) {
		return fillNames[f]
	}
	return fmt.Sprintf("Fill(%d)", f)
}

// ParseFill parses close, next-close or next-open.
func ParseFill(s string) (Fill, error) {
	for i, n := range fillNames {
		if n == s {
			return Fill(i), nil
		}
	}
	return 0, fmt.Errorf("invalid fill %q: want close|next-close|next-open", s)
}

// Config holds the conventions of a simulation. The zero value is not
// valid; start from DefaultConfig.
type Config struct {
	Fill           Fill
	CostBps        float64 // proportional cost per unit of two-sided turnover, basis points
	SpreadBps      float64 // bid-ask spread, bps; half of it is paid on each unit traded
	FixedCost      float64 // per asset traded, in units of V[0] (initial capital)
	InitialCapital float64 // V[0], default 1
	MaxLeverage    float64 // largest allowed gross exposure Σ|w|, default 1
	PeriodsPerYear float64 // P of SEMANTICS §4, default 252
	UseRates       bool    // cash earns the panel's rate series (when the panel has one)

	// Benchmark, when set, is the per-bar simple return of a benchmark on
	// the panel's calendar (length T, element 0 unused) for beta, alpha,
	// tracking error, information ratio and excess CAGR.
	Benchmark []float64

	// Record asks for the trades list and weights at trades in the Result.
	// Sweeps leave it off.
	Record bool
}

// DefaultConfig is fill close, no costs, capital 1, leverage 1, P = 252,
// cash earning the rates when the panel has them.
func DefaultConfig() Config {
	return Config{Fill: FillClose, InitialCapital: 1, MaxLeverage: 1, PeriodsPerYear: 252, UseRates: true}
}

// Trade is one change of one asset's weight at a trade.
type Trade struct {
	Bar    int     // bar of the fill
	Date   Date    // date of the fill
	Asset  int     // column index
	Symbol string  // asset name
	From   float64 // pre-trade (drifted) weight
	To     float64 // target weight
	Cost   float64 // this asset's share of the cost, in currency units
}

// Result is one simulated run.
type Result struct {
	Equity      []float64 // V[t] at the close of bar t, before that bar's trade (length T)
	Returns     []float64 // r[t] = V[t]/V[t-1]-1 for t = 1..T-1, stored at index t (index 0 is NaN)
	CashReturns []float64 // rc[t], the cash return per bar (index 0 is 0)
	Turnover    float64   // Σ u over all trades (two-sided, fraction of equity)
	Costs       float64   // Σ C, currency units
	Trades      []Trade   // with Config.Record
	TradeBars   []int     // fill bars of the trades, with Config.Record
	Weights     [][]float64
	Delistings  int // held assets whose price ended (sold at the last price)
	NoRateBars  int // bars before the first rates row (cash earned 0)
	Metrics     Metrics
}

// Metrics are the numbers of SEMANTICS §4. NaN means undefined (too few
// returns or a zero denominator), never 0.
type Metrics struct {
	TotalReturn      float64
	CAGR             float64
	Volatility       float64
	Sharpe           float64
	Sortino          float64
	MaxDrawdown      float64
	MaxDrawdownDays  float64 // bars (a whole number; float so that NaN is possible)
	Calmar           float64
	Turnover         float64
	Costs            float64
	Exposure         float64
	Beta             float64
	Alpha            float64
	TrackingError    float64
	InformationRatio float64
	ExcessCAGR       float64
}

// MetricNames are the metric column names of SEMANTICS §4 in table order.
var MetricNames = []string{
	"total_return", "cagr", "volatility", "sharpe", "sortino", "max_drawdown",
	"max_drawdown_days", "calmar", "turnover", "costs", "exposure", "beta",
	"alpha", "tracking_error", "information_ratio", "excess_cagr",
}

// Values returns the metrics in the order of MetricNames.
func (m *Metrics) Values() []float64 {
	return m.AppendValues(nil)
}

// AppendValues appends the metrics in the order of MetricNames to dst.
func (m *Metrics) AppendValues(dst []float64) []float64 {
	return append(dst, m.TotalReturn, m.CAGR, m.Volatility, m.Sharpe, m.Sortino,
		m.MaxDrawdown, m.MaxDrawdownDays, m.Calmar, m.Turnover, m.Costs, m.Exposure,
		m.Beta, m.Alpha, m.TrackingError, m.InformationRatio, m.ExcessCAGR)
}

// Metric returns the metric called name (one of MetricNames).
func (m *Metrics) Metric(name string) (float64, bool) {
	for i, n := range MetricNames {
		if n == name {
			return m.Values()[i], true
		}
	}
	return math.NaN(), false
}
