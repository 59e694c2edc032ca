package kernels

import (
	"fmt"
	"math"
)

// Pair is one (fast, slow) pair of SMA windows, in bars.
type Pair struct{ Fast, Slow int }

// CrossStats holds what one SMA-crossover backtest (SEMANTICS §6, with an
// optional cost) accumulates in its single pass: enough to compute every
// metric of SEMANTICS §4 for a single asset without a benchmark or cash
// rate. r below is the strategy's return series, T-1 values (flat bars
// count as 0).
type CrossStats struct {
	N               int     // number of returns: T-1 (0 when T < 2)
	Sum             float64 // Σ r
	SumSq           float64 // Σ r²
	SumDownSq       float64 // Σ min(r,0)²
	Min, Max        float64 // smallest and largest r (0 when N = 0)
	Equity          float64 // V[T-1], with V[0] = 1
	MaxDrawdown     float64 // max over t of 1 - V[t]/max(V[0..t]), ≥ 0
	MaxDrawdownDays int     // longest drawdown, in bars (SEMANTICS §4)
	Exposure        int     // return bars that started invested (weight 1)
	Switches        int     // trades; each moves the weight by 1, so Σu = Switches
	Costs           float64 // Σ C / V[0]
	Delistings      int     // held bars whose price went missing (sold at the last price)
}

// TotalReturn is V[T-1]/V[0] - 1.
func (s *CrossStats) TotalReturn() float64 { return s.Equity - 1 }

// Mean is Σr/N, NaN when N < 1.
func (s *CrossStats) Mean() float64 {
	if s.N < 1 {
		return math.NaN()
	}
	return s.Sum / float64(s.N)
}

// Std is the sample standard deviation of r (ddof = 1) from the sums:
// NaN when N < 2, exactly 0 when all returns are equal (Min == Max).
func (s *CrossStats) Std() float64 {
	if s.N < 2 {
		return math.NaN()
	}
	if s.Min == s.Max {
		return 0
	}
	n := float64(s.N)
	v := (s.SumSq - s.Sum*s.Sum/n) / (n - 1)
	if v < 0 {
		v = 0
	}
	return math.Sqrt(v)
}

// Sharpe is Mean/Std·√P (no cash rate): NaN when N < 2 or Std is 0.
func (s *CrossStats) Sharpe(periodsPerYear float64) float64 {
	sd := s.Std()
	if !(sd > 0) {
		return math.NaN()
	}
	return s.Mean() / sd * math.Sqrt(periodsPerYear)
}

// costRate converts basis points to a fraction, rejecting what cannot be a
// cost.
func costRate(costBps float64) float64 {
	if missing(costBps) || costBps < 0 || costBps >= 10000 {
		panic(fmt.Sprintf("kernels: cost %v bps: want a finite value in [0, 10000)", costBps))
	}
	return costBps / 10000
}

func checkPair(p Pair) {
	if p.Fast < 1 || p.Slow < 1 {
		panic(fmt.Sprintf("kernels: SMA windows %d/%d: want windows ≥ 1", p.Fast, p.Slow))
	}
}

// CrossBacktest runs the canonical SMA crossover of SEMANTICS §6 on one
// price series in one pass and returns its sums: long (weight 1) at the
// close of bar t when both SMAs are defined and SMA_fast[t] > SMA_slow[t]
// (strict), else flat; fill close, so w[t] earns r[t+1]; decisions on bars
// 0..T-2; equity starts at 1. The SMAs are those of Prefix.AppendMean.
//
// Costs: a change of weight at bar t (a switch, u = 1) costs
// C = costBps/10000 · V[t]; the bar then returns
// r = (1 - costBps/10000)·(1 + w[t]·r[t+1]) - 1, and r = w[t]·r[t+1] on
// bars without a trade; V[t+1] = V[t]·(1 + r).
//
// A held bar whose return is missing (a price that is NaN, ±Inf or not
// positive, or a return that overflows) is a
// delisting (SEMANTICS §3): the asset is sold at its last price, the bar
// returns 0, and the position is flat before the next decision (no cost).
// Exposure counts the return bars that started invested, delisting bars
// included.
//
// It panics on windows < 1 or a cost outside [0, 10000) bps. Results equal
// crossRef (the reference loop over the same SMAs) exactly; CrossBacktestRef,
// which recomputes each SMA from its window, agrees exactly whenever no
// SMA comparison is within rounding of a tie.
func CrossBacktest(price []float64, fast, slow int, costBps float64) CrossStats {
	checkPair(Pair{fast, slow})
	c := costRate(costBps)
	T := len(price)
	sc := getScratch(6 * T)
	buf := sc.buf[:6*T]
	// Returns, the shared terms of the clean pass and whether the series is
	// plain, in one pass; then the prefix sums and the two SMAs.
	var rt rowTerms
	clean, plain := rt.returnsTerms(buf[3*T:6*T], buf[:T], price)
	ret := rt.r
	p := prefixPool.Get().(*Prefix)
	p.reset(price, plain)
	f, s := p.appendCrossInputs(buf[T:T], buf[2*T:2*T], fast, slow)
	var st CrossStats
	if c == 0 && clean {
		// Without costs, a series whose returns are all finite takes the
		// run-by-run pass of the sweep kernels (same results).
		st = crossRunClean(&rt, f, s)
	} else {
		st = crossRun(ret, f, s, c)
	}
	putPrefix(p)
	putScratch(sc)
	return st
}

// crossRun is the fused one-pass backtest over precomputed returns (aligned
// with the prices, ret[0] unused) and SMAs.
//
// Flat bars without a trade do almost no work: they leave every sum, the
// equity and the drawdown state unchanged, and only their number is kept
// (a flat bar's return is 0, which matters for Min and Max). Held bars
// avoid unpredictable branches: the running maximum of V (always > 0) is
// kept on its bit pattern with conditional moves, the drawdown's division
// runs only when V is within 1e-12 of setting a new maximum drawdown (a
// threshold kept as peak·(1-maxDD)·(1+1e-12)), and the longest drawdown is
// tracked with conditional moves. All of it gives the results of crossRef
// exactly.
func crossRun(ret, f, s []float64, c float64) (st CrossStats) {
	clearUpper()
	T := len(ret)
	st.Equity = 1
	if T < 2 {
		return st
	}
	n := T - 1
	f, s = f[:n], s[:n]
	r := ret[1 : n+1]
	omc := 1 - c
	v := 1.0
	pb := int64(math.Float64bits(1)) // bits of the running maximum of V
	var sum, sq, dsq, mdd, costs float64
	mn, mx := math.Inf(1), math.Inf(-1)
	var expo, sw, del, zero, days int
	p := 0     // the last bar at the running maximum before the current drawdown
	below := 0 // 1 while V is below its running maximum
	kk := 1.0  // min(1, (1-maxDD)(1+1e-12))
	held := false
	for i := 0; i < n; i++ {
		tgt := f[i] > s[i]
		m := 1.0
		if tgt != held {
			sw++
			held = tgt
			if c != 0 {
				costs += float64(c * v)
				m = omc
			}
		}
		x := 0.0
		if held {
			expo++
			x = r[i]
			if x-x != 0 {
				x = 0
				del++
				held = false
			}
		} else if m == 1 {
			zero++
			continue
		}
		rs, g := x, 1+x
		if m != 1 {
			g = m * (1 + x)
			rs = g - 1
		}
		v *= g
		sum += rs
		sq += float64(rs * rs)
		rb := math.Float64bits(rs)
		neg := math.Float64frombits(rb & uint64(int64(rb)>>63)) // min(rs, 0), sign aside
		dsq += float64(neg * neg)
		if rs < mn {
			mn = rs
		}
		if rs > mx {
			mx = rs
		}
		vb := int64(math.Float64bits(v))
		up := 0
		if vb >= pb {
			up = 1
		}
		cand := i + 1 - p
		if up&below == 0 {
			cand = 0
		}
		if cand > days {
			days = cand
		}
		if up|below == 0 {
			p = i
		}
		below = up ^ 1
		if vb > pb {
			pb = vb
		}
		peak := math.Float64frombits(uint64(pb))
		if v < peak*kk {
			if dd := 1 - v/peak; dd > mdd {
				mdd = dd
				kk = min(1, (1-mdd)*(1+1e-12))
			}
		}
	}
	if below != 0 {
		days = max(days, n-p)
	}
	if zero > 0 {
		mn = min(mn, 0)
		mx = max(mx, 0)
	}
	st.N = n
	st.Sum, st.SumSq, st.SumDownSq = sum, sq, dsq
	st.Min, st.Max = mn, mx
	st.Equity = v
	st.MaxDrawdown, st.MaxDrawdownDays = mdd, days
	st.Exposure, st.Switches, st.Costs, st.Delistings = expo, sw, costs, del
	return st
}

// CrossBacktestRef is the reference of CrossBacktest and the baseline of
// its benchmark: the plain per-pair loop that computes each bar's two SMAs
// from their windows (the definition of SEMANTICS §6, nothing shared,
// nothing incremental), then the returns, equity, drawdown and sums bar by
// bar in the most direct form.
func CrossBacktestRef(price []float64, fast, slow int, costBps float64) CrossStats {
	checkPair(Pair{fast, slow})
	T := len(price)
	f := make([]float64, T)
	s := make([]float64, T)
	for t := range price {
		f[t] = windowMean(price, t, fast)
		s[t] = windowMean(price, t, slow)
	}
	return crossRef(price, f, s, costRate(costBps))
}

// windowMean is the SMA of the n values ending at t: NaN before the
// window is full or when it holds a missing value, x[t] when its values
// are all equal, else their sum divided by n.
func windowMean(x []float64, t, n int) float64 {
	if t < n-1 {
		return math.NaN()
	}
	s, equal, bad := scanWindow(x, t, n)
	if bad {
		return math.NaN()
	}
	if equal {
		return x[t]
	}
	return s / float64(n)
}

// crossRef is the reference backtest over given SMAs: one bar at a time,
// the weight, its trade and cost, the bar's return, the equity, its
// running maximum and drawdown, and the sums.
func crossRef(price, f, s []float64, c float64) (st CrossStats) {
	T := len(price)
	st.Equity = 1
	if T < 2 {
		return st
	}
	st.N = T - 1
	rets := make([]float64, 0, T-1)
	equity := []float64{1}
	w := 0.0 // weight held after the last trade, drifted (always 0 or 1)
	v := 1.0
	for t := 0; t < T-1; t++ {
		target := 0.0
		if f[t] > s[t] {
			target = 1
		}
		u := math.Abs(target - w)
		k := 0.0
		if u != 0 {
			st.Switches++
			st.Costs += float64(c * v)
			k = c
		}
		w = target
		x := 0.0
		if w != 0 {
			st.Exposure++
			r := price[t+1]/price[t] - 1
			if !validPrice(price[t]) || !validPrice(price[t+1]) || missing(r) {
				st.Delistings++
				w = 0
			} else {
				x = r
			}
		}
		g, rs := 1+x, x
		if k != 0 && 1-k != 1 { // a cost too small to change 1 changes nothing
			g = (1 - k) * (1 + x)
			rs = g - 1
		}
		v *= g
		rets = append(rets, rs)
		equity = append(equity, v)
	}
	st.Equity = v
	st.Min, st.Max = math.Inf(1), math.Inf(-1)
	for _, r := range rets {
		st.Sum += r
		st.SumSq += float64(r * r)
		if r < 0 {
			st.SumDownSq += float64(r * r)
		}
		st.Min = min(st.Min, r)
		st.Max = max(st.Max, r)
	}
	st.MaxDrawdown, st.MaxDrawdownDays = MaxDrawdownRef(equity)
	return st
}
