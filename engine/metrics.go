package engine

import "math"

// MetricInputs are what the metrics of SEMANTICS §4 are computed from.
type MetricInputs struct {
	// Equity is V[0..T-1]: V[0] the initial capital, V[t] the value at the
	// close of bar t before that bar's trade. The returns are
	// r[t] = V[t]/V[t-1] - 1 for t = 1..T-1.
	Equity []float64
	// CashReturns is rf[t], the cash return of bar t (index 0 unused);
	// nil means 0 on every bar.
	CashReturns []float64
	// Benchmark is b[t], the benchmark's simple return of bar t (index 0
	// unused); nil means no benchmark: beta, alpha, tracking_error,
	// information_ratio and excess_cagr are NaN.
	Benchmark []float64
	// Turnover is Σ u over all trades (two-sided, fraction of equity).
	Turnover float64
	// Costs is Σ C over all trades in currency units (divided by V[0]).
	Costs float64
	// ExposedBars is the number of return bars over which holdings were
	// not all cash.
	ExposedBars int
	// PeriodsPerYear is P (252 for daily bars).
	PeriodsPerYear float64
}

// ComputeMetrics returns the metrics of SEMANTICS §4 in one pass over the
// equity curve (see ReturnStats for the formulas and NaN rules).
func ComputeMetrics(in MetricInputs) Metrics {
	var s ReturnStats
	if len(in.Equity) == 0 {
		s.Reset(math.NaN())
		return s.Metrics(in.PeriodsPerYear, in.Turnover, in.Costs, in.ExposedBars)
	}
	s.Reset(in.Equity[0])
	nan := math.NaN()
	for t := 1; t < len(in.Equity); t++ {
		rf, b := 0.0, nan
		if in.CashReturns != nil {
			rf = in.CashReturns[t]
		}
		if in.Benchmark != nil {
			b = in.Benchmark[t]
		}
		s.Add(in.Equity[t], rf, b)
	}
	return s.Metrics(in.PeriodsPerYear, in.Turnover, in.Costs, in.ExposedBars)
}

// ExcessTol is the magnitude below which a difference of two returns
// (r−rf, r−b, b−rf) counts as exactly 0. A return computed as
// V[t]/V[t-1] − 1 carries an absolute rounding error of about 1e-16, so a
// book that is all cash earns rf only up to that error; without the snap
// the Sharpe ratio of a run that never leaves cash would be the ratio of
// two rounding noises instead of NaN.
const ExcessTol = 1e-14

// Diff returns a − b, or exactly 0 when |a − b| < ExcessTol. Fast kernels
// that fill ReturnStats inline use it for x, y and a.
func Diff(a, b float64) float64 {
	d := a - b
	if d < ExcessTol && d > -ExcessTol {
		return 0
	}
	return d
}

// ReturnStats accumulates, in one pass, the sums from which the metrics of
// SEMANTICS §4 follow. Per return bar, with r the portfolio's return, rf
// the cash return and b the benchmark's (NaN when there is none), and
// x = Diff(r, rf), y = Diff(b, rf), a = Diff(r, b):
//
//	N++; ΣR += r; ΣR2 += r²; ΣX += x; ΣX2 += x²; ΣDown2 += min(x,0)²;
//	ΣY += y; ΣY2 += y²; ΣXY += x·y; ΣA += a; ΣA2 += a²; BenchGrowth *= 1+b;
//	min and max of r, x, y and a (a sample whose min equals its max has
//	variance exactly 0);
//	the equity path V for the drawdown (running peak, its bar, the deepest
//	drawdown and the longest one).
//
// Fast kernels may fill the fields inline in the same way and call
// Metrics; Add is the reference.
type ReturnStats struct {
	N int // returns added

	V0, V      float64 // initial and current equity
	Peak       float64 // running maximum of V, V[0] included
	PeakBar    int     // last bar with V = Peak
	InDrawdown bool    // V < Peak now
	MaxDD      float64 // max of 1 − V/Peak
	MaxDDBars  int     // longest completed drawdown, bars

	SumR, SumR2, MinR, MaxR           float64 // r
	SumX, SumX2, MinX, MaxX, SumDown2 float64 // x = r − rf
	SumY, SumY2, MinY, MaxY, SumXY    float64 // y = b − rf
	SumA, SumA2, MinA, MaxA           float64 // a = r − b
	BenchGrowth                       float64 // Π(1 + b)
}

// Reset starts an accumulation at initial equity v0 (bar 0).
func (s *ReturnStats) Reset(v0 float64) {
	inf := math.Inf(1)
	*s = ReturnStats{
		V0: v0, V: v0, Peak: v0,
		MinR: inf, MaxR: -inf, MinX: inf, MaxX: -inf,
		MinY: inf, MaxY: -inf, MinA: inf, MaxA: -inf,
		BenchGrowth: 1,
	}
}

// Add adds the next bar from its equity v: r = v/V − 1.
func (s *ReturnStats) Add(v, rf, b float64) {
	s.add(v, v/s.V-1, rf, b)
}

// AddReturn adds the next bar from its return r: the equity becomes V·(1+r).
func (s *ReturnStats) AddReturn(r, rf, b float64) {
	s.add(s.V*(1+r), r, rf, b)
}

func (s *ReturnStats) add(v, r, rf, b float64) {
	s.N++
	s.V = v
	if v >= s.Peak {
		if s.InDrawdown {
			if d := s.N - s.PeakBar; d > s.MaxDDBars {
				s.MaxDDBars = d
			}
			s.InDrawdown = false
		}
		s.Peak, s.PeakBar = v, s.N
	} else {
		s.InDrawdown = true
		if dd := 1 - v/s.Peak; dd > s.MaxDD {
			s.MaxDD = dd
		}
	}

	s.SumR += r
	s.SumR2 += r * r
	extremes(&s.MinR, &s.MaxR, r)

	x := Diff(r, rf)
	s.SumX += x
	s.SumX2 += x * x
	if x < 0 {
		s.SumDown2 += x * x
	}
	extremes(&s.MinX, &s.MaxX, x)

	y := Diff(b, rf)
	s.SumY += y
	s.SumY2 += y * y
	s.SumXY += x * y
	extremes(&s.MinY, &s.MaxY, y)

	a := Diff(r, b)
	s.SumA += a
	s.SumA2 += a * a
	extremes(&s.MinA, &s.MaxA, a)

	s.BenchGrowth *= 1 + b
}

// extremes widens [lo, hi] to include v (a NaN leaves it as it is).
func extremes(lo, hi *float64, v float64) {
	if v < *lo {
		*lo = v
	}
	if v > *hi {
		*hi = v
	}
}

// sampleVar is the ddof = 1 variance from n, Σ, Σ² and the sample's
// extremes: NaN for n < 2, exactly 0 when all values are equal, never
// negative.
func sampleVar(n int, sum, sum2, lo, hi float64) float64 {
	if n < 2 || math.IsNaN(sum) || math.IsNaN(sum2) {
		return math.NaN()
	}
	if lo == hi {
		return 0
	}
	fn := float64(n)
	v := (sum2 - sum*sum/fn) / (fn - 1)
	if v < 0 {
		return 0
	}
	return v
}

// div is a/b, NaN when b is 0 or either is NaN.
func div(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// finite maps ±Inf to NaN: no metric is ever infinite.
func finite(x float64) float64 {
	if math.IsInf(x, 0) {
		return math.NaN()
	}
	return x
}

// Metrics converts the sums into the metrics of SEMANTICS §4, with P
// periods per year, Σ u (two-sided turnover), Σ C (costs in currency) and
// the number of exposed return bars. Formulas, with n = N, means over the n
// return bars, std and var with ddof = 1:
//
//	total_return      = V/V0 − 1
//	cagr              = (V/V0)^(P/n) − 1                       (NaN if n < 1)
//	volatility        = std(r)·√P                              (NaN if n < 2)
//	sharpe            = mean(x)/std(x)·√P                      (NaN if n < 2 or std 0)
//	sortino           = mean(x)·P / (√mean(min(x,0)²)·√P)      (NaN if n < 1 or no x < 0)
//	max_drawdown      = max 1 − V[t]/max(V[0..t])              (0 if never below the peak)
//	max_drawdown_days = longest peak-to-recovery span in bars, an unrecovered one ending at T−1
//	calmar            = cagr/max_drawdown                      (NaN if max_drawdown = 0)
//	turnover          = Σu/2 · P/n                             (NaN if n < 1)
//	costs             = ΣC/V0
//	exposure          = exposed/n                              (NaN if n < 1)
//	beta              = cov(x, y)/var(y)                       (NaN if n < 2 or var 0)
//	alpha             = (1 + mean(x) − beta·mean(y))^P − 1
//	tracking_error    = std(a)·√P                              (NaN if n < 2)
//	information_ratio = mean(a)·P / tracking_error             (NaN if tracking_error = 0)
//	excess_cagr       = cagr − ((Π(1+b))^(P/n) − 1)
//
// Without a benchmark (b NaN) the last five are NaN. No metric is ±Inf.
func (s *ReturnStats) Metrics(P, turnover, costs float64, exposedBars int) Metrics {
	nan := math.NaN()
	n := s.N
	fn := float64(n)
	m := Metrics{
		TotalReturn: s.V/s.V0 - 1,
		Costs:       costs / s.V0,
		MaxDrawdown: s.MaxDD,
		CAGR:        nan, Volatility: nan, Sharpe: nan, Sortino: nan, Calmar: nan,
		Turnover: nan, Exposure: nan, Beta: nan, Alpha: nan,
		TrackingError: nan, InformationRatio: nan, ExcessCAGR: nan,
	}
	if math.IsNaN(s.V0) {
		m.MaxDrawdown = nan
	}
	dd := s.MaxDDBars
	if s.InDrawdown && n-s.PeakBar > dd {
		dd = n - s.PeakBar
	}
	m.MaxDrawdownDays = float64(dd)
	sqrtP := math.Sqrt(P)
	if n >= 1 {
		m.CAGR = math.Pow(s.V/s.V0, P/fn) - 1
		meanX := s.SumX / fn
		m.Sortino = div(meanX*P, math.Sqrt(s.SumDown2/fn)*sqrtP)
		m.Turnover = turnover / 2 * P / fn
		m.Exposure = float64(exposedBars) / fn
		m.Calmar = div(m.CAGR, m.MaxDrawdown)
		m.ExcessCAGR = m.CAGR - (math.Pow(s.BenchGrowth, P/fn) - 1)
	}
	if n >= 2 {
		m.Volatility = math.Sqrt(sampleVar(n, s.SumR, s.SumR2, s.MinR, s.MaxR)) * sqrtP
		m.Sharpe = div(s.SumX/fn, math.Sqrt(sampleVar(n, s.SumX, s.SumX2, s.MinX, s.MaxX))) * sqrtP
		varY := sampleVar(n, s.SumY, s.SumY2, s.MinY, s.MaxY)
		cov := 0.0
		if s.MinX != s.MaxX && s.MinY != s.MaxY {
			cov = (s.SumXY - s.SumX*s.SumY/fn) / (fn - 1)
		}
		if math.IsNaN(varY) {
			cov = nan
		}
		m.Beta = div(cov, varY)
		m.Alpha = math.Pow(1+s.SumX/fn-m.Beta*s.SumY/fn, P) - 1
		m.TrackingError = math.Sqrt(sampleVar(n, s.SumA, s.SumA2, s.MinA, s.MaxA)) * sqrtP
		m.InformationRatio = div(s.SumA/fn*P, m.TrackingError)
	}
	m.TotalReturn, m.CAGR, m.Volatility = finite(m.TotalReturn), finite(m.CAGR), finite(m.Volatility)
	m.Sharpe, m.Sortino, m.MaxDrawdown = finite(m.Sharpe), finite(m.Sortino), finite(m.MaxDrawdown)
	m.Calmar, m.Turnover, m.Costs, m.Exposure = finite(m.Calmar), finite(m.Turnover), finite(m.Costs), finite(m.Exposure)
	m.Beta, m.Alpha, m.TrackingError = finite(m.Beta), finite(m.Alpha), finite(m.TrackingError)
	m.InformationRatio, m.ExcessCAGR = finite(m.InformationRatio), finite(m.ExcessCAGR)
	return m
}
