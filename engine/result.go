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
	// TotalReturn = V[T-1]/V[0] − 1.
	TotalReturn float64
	// CAGR = (V[T-1]/V[0])^(P/n) − 1 over the n = T−1 returns; NaN if n < 1.
	CAGR float64
	// Volatility = std(r)·√P (ddof 1); NaN if n < 2.
	Volatility float64
	// Sharpe = mean(r−rf)/std(r−rf)·√P; NaN if n < 2 or the std is 0.
	Sharpe float64
	// Sortino = mean(r−rf)·P / (√mean(min(r−rf,0)²)·√P), means over all n
	// bars; NaN if n < 1 or no bar is below rf.
	Sortino float64
	// MaxDrawdown = max over t of 1 − V[t]/max(V[0..t]), a positive fraction.
	MaxDrawdown float64
	// MaxDrawdownDays is the longest span in bars from a peak to the first
	// bar back at or above it (to T−1 if none); 0 without a drawdown.
	MaxDrawdownDays float64 // bars (a whole number; float so that NaN is possible)
	// Calmar = CAGR/MaxDrawdown; NaN if MaxDrawdown is 0.
	Calmar float64
	// Turnover = Σu/2 · P/n: one-sided turnover per year.
	Turnover float64
	// Costs = ΣC/V[0]: all costs paid, as a fraction of initial capital.
	Costs float64
	// Exposure is the fraction of the n return bars with holdings not all cash.
	Exposure float64
	// Beta = cov(r−rf, b−rf)/var(b−rf); NaN if n < 2, var 0 or no benchmark.
	Beta float64
	// Alpha = (1 + mean((r−rf) − Beta·(b−rf)))^P − 1.
	Alpha float64
	// TrackingError = std(r−b)·√P; NaN if n < 2 or no benchmark.
	TrackingError float64
	// InformationRatio = mean(r−b)·P/TrackingError; NaN if that is 0.
	InformationRatio float64
	// ExcessCAGR = CAGR − ((Π(1+b))^(P/n) − 1).
	ExcessCAGR float64
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
