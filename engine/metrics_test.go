package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Two-pass reference statistics, written from SEMANTICS §4 without the
// accumulator.
func refMean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func refCov(x, y []float64) float64 {
	mx, my := refMean(x), refMean(y)
	s := 0.0
	for k := range x {
		s += (x[k] - mx) * (y[k] - my)
	}
	return s / float64(len(x)-1)
}

func refStd(x []float64) float64 { return math.Sqrt(refCov(x, x)) }

func refMetrics(V, rf, b []float64, sumU, sumC float64, exposed int, P float64) Metrics {
	n := len(V) - 1
	r := make([]float64, n)
	x := make([]float64, n)
	y := make([]float64, n)
	a := make([]float64, n)
	down := make([]float64, n)
	gb := 1.0
	for k := 0; k < n; k++ {
		r[k] = V[k+1]/V[k] - 1
		x[k] = r[k] - rf[k+1]
		y[k] = b[k+1] - rf[k+1]
		a[k] = r[k] - b[k+1]
		down[k] = math.Pow(math.Min(x[k], 0), 2)
		gb *= 1 + b[k+1]
	}
	var m Metrics
	m.TotalReturn = V[n]/V[0] - 1
	m.CAGR = math.Pow(V[n]/V[0], P/float64(n)) - 1
	m.Volatility = refStd(r) * math.Sqrt(P)
	m.Sharpe = refMean(x) / refStd(x) * math.Sqrt(P)
	m.Sortino = refMean(x) * P / (math.Sqrt(refMean(down)) * math.Sqrt(P))
	peak := V[0]
	for _, v := range V {
		peak = math.Max(peak, v)
		m.MaxDrawdown = math.Max(m.MaxDrawdown, 1-v/peak)
	}
	m.Calmar = m.CAGR / m.MaxDrawdown
	m.Turnover = sumU / 2 * P / float64(n)
	m.Costs = sumC / V[0]
	m.Exposure = float64(exposed) / float64(n)
	m.Beta = refCov(x, y) / refCov(y, y)
	m.Alpha = math.Pow(1+refMean(x)-m.Beta*refMean(y), P) - 1
	m.TrackingError = refStd(a) * math.Sqrt(P)
	m.InformationRatio = refMean(a) * P / m.TrackingError
	m.ExcessCAGR = m.CAGR - (math.Pow(gb, P/float64(n)) - 1)
	return m
}

// refDrawdownDays follows the words of §4: for every bar p that is the last
// bar at the running max before V falls below it, q is the first later bar
// with V[q] ≥ V[p] (or T-1).
func refDrawdownDays(V []float64) int {
	best := 0
	for p := 0; p+1 < len(V); p++ {
		runMax := V[0]
		for k := 0; k <= p; k++ {
			runMax = math.Max(runMax, V[k])
		}
		if V[p] != runMax || !(V[p+1] < runMax) {
			continue
		}
		q := len(V) - 1
		for k := p + 1; k < len(V); k++ {
			if V[k] >= V[p] {
				q = k
				break
			}
		}
		best = max(best, q-p)
	}
	return best
}

func checkMetrics(t *testing.T, got, want Metrics, tol float64) {
	t.Helper()
	g, w := got.Values(), want.Values()
	for k, name := range MetricNames {
		if !closeRel(g[k], w[k], tol) && math.Abs(g[k]-w[k]) > 1e-15 {
			t.Errorf("%s = %.17g, want %.17g", name, g[k], w[k])
		}
	}
}

// Worked by hand on V = 1, 1.05, 1.15, 1.15, 1.3, 1.2, 1.35, 1.4, 1.375,
// 1.375 (the drift case of the simulator tests), rf = 0, no benchmark:
//
//	total_return = 0.375; cagr = 1.375^(252/9) − 1
//	max_drawdown = 1 − 1.2/1.3 = 1/13 (peak 1.3 on bar 4, 1.2 on bar 5)
//	max_drawdown_days = 2 (bar 4 → recovered on bar 6; bar 7 → never, 9−7 = 2)
//	calmar = cagr·13
func TestMetricsHandWorked(t *testing.T) {
	V := []float64{1, 1.05, 1.15, 1.15, 1.3, 1.2, 1.35, 1.4, 1.375, 1.375}
	m := ComputeMetrics(MetricInputs{Equity: V, PeriodsPerYear: 252, Turnover: 1, ExposedBars: 9})
	near(t, "total_return", m.TotalReturn, 0.375)
	cagr := math.Pow(1.375, 28) - 1
	near(t, "cagr", m.CAGR, cagr)
	near(t, "max_drawdown", m.MaxDrawdown, 1.0/13)
	near(t, "max_drawdown_days", m.MaxDrawdownDays, 2)
	near(t, "calmar", m.Calmar, cagr*13)
	near(t, "turnover", m.Turnover, 14)
	near(t, "exposure", m.Exposure, 1)
	for _, x := range []float64{m.Beta, m.Alpha, m.TrackingError, m.InformationRatio, m.ExcessCAGR} {
		if !math.IsNaN(x) {
			t.Errorf("benchmark metric without a benchmark: %v, want NaN", x)
		}
	}
	// Returns: 0.05, 0.0952…, 0, 0.1304…, −0.0769…, 0.125, 0.0370…, −0.0178…, 0.
	// Downside: only bars 5 and 8: sortino = mean(r)·√252/√((d5²+d8²)/9).
	r := []float64{0.05, 1.15/1.05 - 1, 0, 1.3/1.15 - 1, 1.2/1.3 - 1, 0.125, 1.4/1.35 - 1, 1.375/1.4 - 1, 0}
	d := math.Sqrt((r[4]*r[4] + r[7]*r[7]) / 9)
	near(t, "sortino", m.Sortino, refMean(r)*math.Sqrt(252)/d)
	near(t, "volatility", m.Volatility, refStd(r)*math.Sqrt(252))
	near(t, "sharpe", m.Sharpe, refMean(r)/refStd(r)*math.Sqrt(252))
}

// Drawdown durations: V = 1, 0.9, 1.0, 1.1, 1.0, 0.95, 1.05, 1.2, 1.1, 1.0.
// Drawdowns: bar 0 → recovered (V = 1.0 ≥ 1.0) on bar 2: 2 bars; bar 3 →
// recovered on bar 7: 4 bars; bar 7 → never: 9 − 7 = 2. Longest 4; deepest
// 1 − 1.0/1.2 = 1/6.
func TestMetricsDrawdownDays(t *testing.T) {
	V := []float64{1, 0.9, 1.0, 1.1, 1.0, 0.95, 1.05, 1.2, 1.1, 1.0}
	m := ComputeMetrics(MetricInputs{Equity: V, PeriodsPerYear: 252})
	near(t, "max_drawdown_days", m.MaxDrawdownDays, 4)
	near(t, "max_drawdown", m.MaxDrawdown, 1.0/6)
	if refDrawdownDays(V) != 4 {
		t.Fatal("reference drawdown days disagrees with the hand count")
	}
	// The longest drawdown is the unrecovered one at the end.
	V = []float64{1, 1.1, 1.05, 1.2, 1.19, 1.18, 1.17, 1.16, 1.15}
	m = ComputeMetrics(MetricInputs{Equity: V, PeriodsPerYear: 252})
	near(t, "max_drawdown_days (open)", m.MaxDrawdownDays, 5)
	// A flat stretch at the peak moves p to its last bar: 1, 1, 1, 0.9, 1 → 4−2 = 2.
	m = ComputeMetrics(MetricInputs{Equity: []float64{1, 1, 1, 0.9, 1}, PeriodsPerYear: 252})
	near(t, "max_drawdown_days (flat peak)", m.MaxDrawdownDays, 2)
}

// Every metric against the two-pass reference on random equity, cash and
// benchmark series.
func TestMetricsAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 200; trial++ {
		n := 2 + rng.IntN(300)
		V := make([]float64, n+1)
		rf := make([]float64, n+1)
		b := make([]float64, n+1)
		V[0] = 1 + 100*rng.Float64()
		for k := 1; k <= n; k++ {
			V[k] = V[k-1] * (1 + 0.02*rng.NormFloat64() + 0.0003)
			rf[k] = 0.0002 * rng.Float64()
			b[k] = 0.01*rng.NormFloat64() + 0.0002
		}
		P := []float64{252, 12, 365}[trial%3]
		sumU, sumC, exposed := 10*rng.Float64(), 0.01*rng.Float64(), rng.IntN(n+1)
		got := ComputeMetrics(MetricInputs{Equity: V, CashReturns: rf, Benchmark: b, Turnover: sumU, Costs: sumC, ExposedBars: exposed, PeriodsPerYear: P})
		want := refMetrics(V, rf, b, sumU, sumC, exposed, P)
		want.MaxDrawdownDays = float64(refDrawdownDays(V))
		checkMetrics(t, got, want, 1e-9)
		if t.Failed() {
			t.Fatalf("trial %d (n=%d)", trial, n)
		}
	}
}

// Benchmark-relative metrics worked by hand. Returns r = 0.02, 0, 0.01;
// benchmark b = 0.01, −0.01, 0.03; rf = 0.
//
//	x = r, y = b; mean x = 0.01, mean y = 0.01
//	cov(x,y) = ((0.01)(0) + (−0.01)(−0.02) + (0)(0.02))/2 = 0.0001
//	var(y) = (0 + 0.0004 + 0.0004)/2 = 0.0004 → beta = 0.25
//	alpha = (1 + 0.01 − 0.25·0.01)^252 − 1 = 1.0075^252 − 1
//	a = r − b = 0.01, 0.01, −0.02: mean 0, tracking_error = std(a)·√252,
//	  std(a) = √((0.0001+0.0001+0.0004)/2) = √0.0003; information_ratio = 0
//	excess_cagr = (1.02·1·1.01)^84 − (1.01·0.99·1.03)^84
func TestMetricsBenchmarkHandWorked(t *testing.T) {
	V := []float64{1, 1.02, 1.02, 1.02 * 1.01}
	b := []float64{0, 0.01, -0.01, 0.03}
	m := ComputeMetrics(MetricInputs{Equity: V, Benchmark: b, PeriodsPerYear: 252})
	near(t, "beta", m.Beta, 0.25)
	near(t, "alpha", m.Alpha, math.Pow(1.0075, 252)-1)
	near(t, "tracking_error", m.TrackingError, math.Sqrt(0.0003)*math.Sqrt(252))
	if math.Abs(m.InformationRatio) > 1e-12 {
		t.Errorf("information_ratio = %v, want 0", m.InformationRatio)
	}
	near(t, "excess_cagr", m.ExcessCAGR, math.Pow(1.02*1.01, 84)-math.Pow(1.01*0.99*1.03, 84))
}

func isNaN(t *testing.T, name string, x float64) {
	t.Helper()
	if !math.IsNaN(x) {
		t.Errorf("%s = %v, want NaN", name, x)
	}
}

func TestMetricsNaNCases(t *testing.T) {
	// One return: no std, so volatility, sharpe, beta, alpha, tracking
	// error and information ratio are NaN; cagr and sortino are defined.
	m := ComputeMetrics(MetricInputs{Equity: []float64{1, 0.9}, Benchmark: []float64{0, 0.01}, PeriodsPerYear: 252})
	for _, name := range []string{"volatility", "sharpe", "beta", "alpha", "tracking_error", "information_ratio"} {
		v, _ := m.Metric(name)
		isNaN(t, name, v)
	}
	near(t, "cagr", m.CAGR, math.Pow(0.9, 252)-1)
	near(t, "sortino", m.Sortino, -0.1*252/(0.1*math.Sqrt(252)))
	near(t, "max_drawdown", m.MaxDrawdown, 0.1)
	near(t, "max_drawdown_days", m.MaxDrawdownDays, 1)

	// No return (one bar): cagr and sortino NaN too; total_return 0.
	m = ComputeMetrics(MetricInputs{Equity: []float64{1}, PeriodsPerYear: 252})
	isNaN(t, "cagr", m.CAGR)
	isNaN(t, "sortino", m.Sortino)
	near(t, "total_return", m.TotalReturn, 0)

	// Zero volatility: r = 1 on every bar (V doubles). volatility is exactly
	// 0; sharpe NaN (std 0); sortino NaN (no bar below rf); no drawdown:
	// max_drawdown 0, calmar NaN, max_drawdown_days 0. A constant benchmark
	// has var 0: beta and alpha NaN. r − b constant: tracking error 0,
	// information ratio NaN.
	m = ComputeMetrics(MetricInputs{Equity: []float64{1, 2, 4, 8, 16}, Benchmark: []float64{0, 0.5, 0.5, 0.5, 0.5}, PeriodsPerYear: 252})
	if m.Volatility != 0 || m.TrackingError != 0 {
		t.Errorf("volatility %v, tracking error %v, want exactly 0", m.Volatility, m.TrackingError)
	}
	isNaN(t, "sharpe", m.Sharpe)
	isNaN(t, "sortino", m.Sortino)
	isNaN(t, "calmar", m.Calmar)
	isNaN(t, "beta", m.Beta)
	isNaN(t, "alpha", m.Alpha)
	isNaN(t, "information_ratio", m.InformationRatio)
	if m.MaxDrawdown != 0 || m.MaxDrawdownDays != 0 {
		t.Errorf("no drawdown: %v, %v days", m.MaxDrawdown, m.MaxDrawdownDays)
	}

	// Constant returns fed one by one: exactly 0 variance, not rounding noise.
	var s ReturnStats
	s.Reset(1)
	for k := 0; k < 1000; k++ {
		s.AddReturn(0.001, 0, 0.001)
	}
	m = s.Metrics(252, 0, 0, 0)
	if m.Volatility != 0 {
		t.Errorf("constant returns: volatility %v, want 0", m.Volatility)
	}
	isNaN(t, "sharpe (constant)", m.Sharpe)

	// All cash earning a changing rate: r equals rf up to rounding; the
	// excess is exactly 0, so sharpe and sortino are NaN, not noise.
	rf := []float64{0, 0.0001, 0.0002, 0.00013, 0.0004, 0.00007}
	V := []float64{1, 0, 0, 0, 0, 0}
	for k := 1; k < len(V); k++ {
		V[k] = V[k-1] + V[k-1]*rf[k]
	}
	m = ComputeMetrics(MetricInputs{Equity: V, CashReturns: rf, PeriodsPerYear: 252})
	isNaN(t, "sharpe (cash)", m.Sharpe)
	isNaN(t, "sortino (cash)", m.Sortino)

	// Never ±Inf: an alpha that would overflow is NaN.
	m = ComputeMetrics(MetricInputs{Equity: []float64{1, 30, 900, 27000}, Benchmark: []float64{0, 0, 0.1, 0}, PeriodsPerYear: 252})
	for k, v := range m.Values() {
		if math.IsInf(v, 0) {
			t.Errorf("%s is %v", MetricNames[k], v)
		}
	}
}

// AddReturn and Add agree: kernels that compound returns get the same
// metrics as the simulator's equity path.
func TestReturnStatsAddReturn(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var a, b ReturnStats
	a.Reset(1)
	b.Reset(1)
	v := 1.0
	for k := 0; k < 500; k++ {
		r := 0.01 * rng.NormFloat64()
		v *= 1 + r
		a.AddReturn(r, 0.0001, 0.001)
		b.Add(v, 0.0001, 0.001)
	}
	checkMetrics(t, a.Metrics(252, 3, 0.1, 400), b.Metrics(252, 3, 0.1, 400), 1e-9)
}
