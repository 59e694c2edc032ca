package report

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/rotor-bt/rotor/engine"
)

func seriesPaths(doc *html.Node, name string) []*html.Node {
	return findAll(doc, func(n *html.Node) bool { return n.Data == "path" && attr(n, "data-series") == name })
}

func TestRunReport(t *testing.T) {
	r := fixtureRun()
	for _, log := range []bool{false, true} {
		r.Log = log
		var b bytes.Buffer
		if err := r.Render(&b); err != nil {
			t.Fatal(err)
		}
		if log {
			saveArtifact(t, "run-log.html", b.Bytes())
		} else {
			saveArtifact(t, "run.html", b.Bytes())
		}
		doc := checkDocument(t, b.Bytes())
		T := len(r.Dates)
		// Equity chart: the strategy path's last point is the final equity
		// on the last date; the benchmark's is the rebased final value.
		paths := seriesPaths(doc, "strategy")
		if len(paths) < 4 {
			t.Fatalf("want strategy paths in equity, drawdown and rolling charts, got %d", len(paths))
		}
		eq := paths[0]
		d, v := lastPoint(t, eq)
		if d != r.Dates[T-1] {
			t.Errorf("equity path ends on %s, want %s", d, r.Dates[T-1])
		}
		if tol := yTolerance(eq, r.Equity[T-1]); math.Abs(v-r.Equity[T-1]) > tol {
			t.Errorf("log=%v: equity path ends at %g, want %g ± %g", log, v, r.Equity[T-1], tol)
		}
		if got := attr(eq, "data-last-value"); got != strconv.FormatFloat(r.Equity[T-1], 'g', -1, 64) {
			t.Errorf("data-last-value %s, want %v", got, r.Equity[T-1])
		}
		bp := seriesPaths(doc, "equal weight (rebased)")
		if len(bp) != 1 {
			t.Fatalf("benchmark paths: %d", len(bp))
		}
		wantB := r.Benchmark[T-1] * r.Equity[0] / r.Benchmark[0]
		if _, v := lastPoint(t, bp[0]); math.Abs(v-wantB) > yTolerance(bp[0], wantB) {
			t.Errorf("benchmark path ends at %g, want %g", v, wantB)
		}
		// Drawdown: last point is the final drawdown; the area's minimum is
		// -max drawdown of the curve.
		dd := Drawdown(r.Equity)
		if _, v := lastPoint(t, paths[1]); math.Abs(v-dd[T-1]) > yTolerance(paths[1], 0) {
			t.Errorf("drawdown path ends at %g, want %g", v, dd[T-1])
		}
		// Rolling Sharpe path ends at the last window's Sharpe.
		rs := RollingSharpe(r.Equity, r.CashReturns, 252, 252)
		if _, v := lastPoint(t, paths[3]); math.Abs(v-rs[T-1]) > yTolerance(paths[3], 0) {
			t.Errorf("rolling sharpe path ends at %g, want %g", v, rs[T-1])
		}
		// Monthly calendar: every cell equals the month's return.
		cells := findAll(doc, func(n *html.Node) bool { return n.Data == "td" && attr(n, "data-value") != "" })
		mr := Monthly(r.Dates, r.Equity)
		var want []float64
		for k := range mr.Years {
			for _, v := range mr.Months[k] {
				if !math.IsNaN(v) {
					want = append(want, v)
				}
			}
			if !math.IsNaN(mr.Year[k]) {
				want = append(want, mr.Year[k])
			}
		}
		if len(cells) != len(want) {
			t.Fatalf("calendar cells %d, want %d", len(cells), len(want))
		}
		for k, c := range cells {
			if got, _ := strconv.ParseFloat(attr(c, "data-value"), 64); got != want[k] {
				t.Errorf("calendar cell %d = %g, want %g", k, got, want[k])
			}
		}
		if !strings.Contains(b.String(), "fill close, cost 5 bps, P = 252") {
			t.Error("conventions missing")
		}
	}
}

func TestMonthlyHandComputed(t *testing.T) {
	dates := []engine.Date{engine.DateOf(2020, 12, 30), engine.DateOf(2020, 12, 31), engine.DateOf(2021, 1, 4), engine.DateOf(2021, 1, 29), engine.DateOf(2021, 2, 1)}
	v := []float64{100, 110, 99, 121, 133.1}
	mr := Monthly(dates, v)
	// Dec 2020: 110/100-1; Jan 2021: 121/110-1; Feb: 133.1/121-1; year 2021: 133.1/110-1.
	if len(mr.Years) != 2 || math.Abs(mr.Months[0][11]-0.1) > 1e-15 || math.Abs(mr.Months[1][0]-0.1) > 1e-15 ||
		math.Abs(mr.Months[1][1]-0.1) > 1e-15 || math.Abs(mr.Year[1]-0.21) > 1e-15 || math.Abs(mr.Year[0]-0.1) > 1e-15 {
		t.Errorf("monthly: %+v", mr)
	}
	if !math.IsNaN(mr.Months[1][2]) {
		t.Error("March 2021 has no bar: want NaN")
	}
	// A year whose only bar is bar 0 has no return (not 0%).
	mr = Monthly(dates[1:], v[1:])
	if !math.IsNaN(mr.Months[0][11]) || !math.IsNaN(mr.Year[0]) || math.Abs(mr.Months[1][0]-0.1) > 1e-15 || math.Abs(mr.Year[1]-0.21) > 1e-15 {
		t.Errorf("monthly from a single December bar: %+v", mr)
	}
}

func TestRollingHandComputed(t *testing.T) {
	v := []float64{1, 1.1, 0.99, 1.089, 1.089}
	// Returns: .1, -.1, .1, 0. Window 3 at t=3: {.1,-.1,.1}: mean 1/30,
	// std = sqrt(((2/30)^2*2+(4/30)^2)/2) = sqrt(24/900/2)... computed below.
	rs := RollingSharpe(v, nil, 3, 4)
	m := 0.1 / 3
	sd := math.Sqrt((2*math.Pow(0.1-m, 2) + math.Pow(-0.1-m, 2)) / 2)
	if !math.IsNaN(rs[2]) || math.Abs(rs[3]-m/sd*2)/math.Abs(rs[3]) > 1e-12 {
		t.Errorf("rolling sharpe %v, want NaN at 2 and %g at 3", rs, m/sd*2)
	}
	rr := RollingReturn(v, 2)
	if !math.IsNaN(rr[1]) || math.Abs(rr[2]-(-0.01)) > 1e-15 || math.Abs(rr[4]-0.1) > 1e-12 {
		t.Errorf("rolling return %v", rr)
	}
	flat := RollingSharpe([]float64{1, 1, 1, 1}, nil, 2, 252)
	if !math.IsNaN(flat[3]) {
		t.Error("zero volatility window must be NaN")
	}
	dd := Drawdown([]float64{1, 2, 1.5, 3, 1.5})
	if dd[0] != 0 || dd[2] != -0.25 || dd[4] != -0.5 {
		t.Errorf("drawdown %v", dd)
	}
}

// naiveHeat computes the heatmap by holding every row: the best (or mean)
// sharpe per (fast, slow) over weighting and symbol, with the fixed filter.
func naiveHeat(s *Sweep, agg string, fixed map[string]string) map[[2]string]float64 {
	type acc struct {
		best, sum float64
		n         int
	}
	cells := map[[2]string]*acc{}
	s.Scan(func(r *SweepRow) error {
		if v, ok := fixed["weighting"]; ok && r.Params[2] != v {
			return nil
		}
		if v, ok := fixed["symbol"]; ok && r.Symbol != v {
			return nil
		}
		k := [2]string{r.Params[0], r.Params[1]}
		a := cells[k]
		if a == nil {
			a = &acc{best: math.NaN()}
			cells[k] = a
		}
		v := r.Metrics[3]
		if math.IsNaN(v) {
			return nil
		}
		if math.IsNaN(a.best) || v > a.best {
			a.best = v
		}
		a.sum += v
		a.n++
		return nil
	})
	out := map[[2]string]float64{}
	for k, a := range cells {
		if agg == "mean" {
			if a.n == 0 {
				out[k] = math.NaN()
			} else {
				out[k] = a.sum / float64(a.n)
			}
		} else {
			out[k] = a.best
		}
	}
	return out
}

func TestSweepReport(t *testing.T) {
	cases := []struct {
		name    string
		symbols []string
		agg     string
		fixed   map[string]string
	}{
		{"best", nil, "best", nil},
		{"fixed", nil, "best", map[string]string{"weighting": "cap"}},
		{"perasset-mean", []string{"AAA", "BBB", "CCC"}, "mean", nil},
		{"perasset-fixed", []string{"AAA", "BBB", "CCC"}, "best", map[string]string{"symbol": "BBB", "weighting": "equal"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := fixtureSweep(c.symbols)
			s.Agg, s.Fixed, s.X, s.Y = c.agg, c.fixed, "fast", "slow"
			var b bytes.Buffer
			if err := s.Render(&b); err != nil {
				t.Fatal(err)
			}
			saveArtifact(t, "sweep-"+c.name+".html", b.Bytes())
			doc := checkDocument(t, b.Bytes())
			want := naiveHeat(s, c.agg, c.fixed)
			cells := findAll(doc, func(n *html.Node) bool { return n.Data == "rect" && attr(n, "class") == "cell" })
			if len(cells) != 10*19 {
				t.Fatalf("%d cells, want 190 (10 fast × 19 slow values)", len(cells))
			}
			seen := 0
			for _, n := range cells {
				k := [2]string{attr(n, "data-x"), attr(n, "data-y")}
				got, _ := strconv.ParseFloat(attr(n, "data-value"), 64)
				w, ok := want[k]
				if !ok {
					w = math.NaN() // fast ≥ slow: no row
				} else {
					seen++
				}
				if !(got == w || math.IsNaN(got) && math.IsNaN(w)) && math.Abs(got-w) > 1e-12*math.Abs(w) {
					t.Errorf("cell fast=%s slow=%s: %v, want %v", k[0], k[1], got, w)
				}
			}
			if seen != len(want) {
				t.Errorf("cells with rows: %d, want %d", seen, len(want))
			}
			// The histogram counts every row with a finite sharpe.
			var finite, total int64
			s.Scan(func(r *SweepRow) error {
				total++
				if !math.IsNaN(r.Metrics[3]) {
					finite++
				}
				return nil
			})
			var hist int64
			for _, n := range findAll(doc, func(n *html.Node) bool { return n.Data == "rect" && attr(n, "class") == "bar" }) {
				k, _ := strconv.ParseInt(attr(n, "data-count"), 10, 64)
				hist += k
			}
			if hist != finite {
				t.Errorf("histogram counts %d rows, want %d", hist, finite)
			}
			// The top table is sorted best first and its first row is the
			// global best.
			sum, err := s.Aggregate()
			if err != nil {
				t.Fatal(err)
			}
			best := math.Inf(-1)
			s.Scan(func(r *SweepRow) error {
				if r.Metrics[3] > best {
					best = r.Metrics[3]
				}
				return nil
			})
			if len(sum.Top) != 20 || sum.Top[0].Value != best {
				t.Errorf("top: %d rows, first %v, want 20 and %v", len(sum.Top), sum.Top[0].Value, best)
			}
			for k := 1; k < len(sum.Top); k++ {
				if sum.Top[k].Value > sum.Top[k-1].Value {
					t.Errorf("top not sorted at %d", k)
				}
			}
			if !strings.Contains(b.String(), "fill close, no costs, P = 252") {
				t.Error("conventions missing")
			}
		})
	}
}

func TestSweepLowerIsBetter(t *testing.T) {
	s := fixtureSweep(nil)
	s.Metric = "max_drawdown"
	sum, err := s.Aggregate()
	if err != nil {
		t.Fatal(err)
	}
	// max_drawdown = 0.1 + 0.002·slow + 0.001·(fast mod 5): the best
	// (smallest) is slow=20 with fast a multiple of 5: 0.14.
	if math.Abs(sum.Top[0].Value-0.14) > 1e-12 || sum.Top[0].Params[1] != "20" {
		t.Errorf("best max_drawdown %v at %v, want 0.14 at slow=20", sum.Top[0].Value, sum.Top[0].Params)
	}
	tb := s.TopTable(sum)
	if !strings.Contains(tb.Title, "lowest first") || tb.Columns[5] != "max_drawdown" {
		t.Errorf("top table %q %v", tb.Title, tb.Columns)
	}
}

func TestSweepErrors(t *testing.T) {
	for _, c := range []struct {
		mod  func(*Sweep)
		want string
	}{
		{func(s *Sweep) { s.Metric = "shrpe" }, `metric "shrpe" is not in the results; valid: total_return`},
		{func(s *Sweep) { s.X = "fats" }, `--x "fats" is not a parameter of the sweep; valid: fast, slow, weighting`},
		{func(s *Sweep) { s.X, s.Y = "fast", "fast" }, "choose two different parameters"},
		{func(s *Sweep) { s.Fixed = map[string]string{"weighting": "inverse"} }, "no row has weighting=inverse; values: cap, equal"},
		{func(s *Sweep) { s.Fixed = map[string]string{"fast": "5"}; s.X, s.Y = "fast", "slow" }, "fast is a heatmap axis"},
		{func(s *Sweep) { s.Agg = "median" }, "want best|mean"},
		{func(s *Sweep) {
			s.Scan = func(fn func(*SweepRow) error) error { return nil }
		}, "the sweep has no rows"},
	} {
		s := fixtureSweep(nil)
		c.mod(s)
		_, err := s.Aggregate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}

func TestSweepBinnedAxis(t *testing.T) {
	// 300 distinct values of x: the axis is binned into numeric ranges and
	// every row lands in one bin.
	s := &Sweep{Params: []string{"a", "b"}, Metrics: []string{"sharpe"}, Scan: func(fn func(*SweepRow) error) error {
		r := &SweepRow{Params: make([]string, 2), Metrics: make([]float64, 1)}
		for a := 0; a < 300; a++ {
			for b := 0; b < 3; b++ {
				r.Params[0], r.Params[1] = strconv.Itoa(a), strconv.Itoa(b)
				r.ConfigID = r.Params[0] + "/" + r.Params[1]
				r.Metrics[0] = float64(a)
				if err := fn(r); err != nil {
					return err
				}
			}
		}
		return nil
	}}
	sum, err := s.Aggregate()
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.XCats) != maxHeatCats/2 || sum.X != "a" || sum.Y != "b" {
		t.Fatalf("x %s %d cats, y %s", sum.X, len(sum.XCats), sum.Y)
	}
	var n int64
	for y := range sum.Cells {
		for x := range sum.Cells[y] {
			n += sum.Cells[y][x].N
		}
	}
	if n != 900 || sum.Cells[0][len(sum.XCats)-1].Best != 299 || sum.Cells[0][0].Best != 9 {
		t.Errorf("rows %d, last bin best %v, first bin best %v", n, sum.Cells[0][len(sum.XCats)-1].Best, sum.Cells[0][0].Best)
	}
}

func TestStudyReport(t *testing.T) {
	s := fixtureStudy()
	var b bytes.Buffer
	if err := s.Render(&b); err != nil {
		t.Fatal(err)
	}
	saveArtifact(t, "study.html", b.Bytes())
	doc := checkDocument(t, b.Bytes())
	// Rate chart: the step path ends at the last rate; markers at each
	// first cut of the series (2019-08-01 and 2024-09-19).
	rp := seriesPaths(doc, "target_rate_pct")
	if len(rp) != 1 {
		t.Fatalf("rate paths: %d", len(rp))
	}
	if _, v := lastPoint(t, rp[0]); math.Abs(v-4.5) > yTolerance(rp[0], 4.5) {
		t.Errorf("rate path ends at %g, want 4.5", v)
	}
	svg := ancestor(rp[0], "svg")
	var dates []string
	for _, m := range findAll(svg, func(n *html.Node) bool { return n.Data == "g" && attr(n, "class") == "marker" }) {
		dates = append(dates, attr(m, "data-date"))
	}
	if strings.Join(dates, " ") != "2019-08-01 2024-09-19" {
		t.Errorf("rate markers %v, want the first cuts 2019-08-01 2024-09-19", dates)
	}
	// One event window (2019-08-01 is inside the calendar, 2024-09-19 after
	// it): rebased to 1 on the event bar; the rotated path ends at its
	// return over the window.
	ws := s.Windows()
	if len(ws) != 1 || ws[0].Event.Date != engine.DateOf(2019, 8, 1) || s.Dates[ws[0].Bar] != engine.DateOf(2019, 8, 1) {
		t.Fatalf("windows %+v", ws)
	}
	w := ws[0]
	rot := seriesPaths(doc, "rotated")
	if len(rot) != 2 {
		t.Fatalf("rotated paths: %d", len(rot))
	}
	if _, v := lastPoint(t, rot[1]); math.Abs(v-(1+w.RotRet)) > yTolerance(rot[1], 1) {
		t.Errorf("window path ends at %g, want %g", v, 1+w.RotRet)
	}
	if got, want := w.RotRet, s.Rotated[w.Bar+252]/s.Rotated[w.Bar]-1; got != want {
		t.Errorf("window return %v, want %v", got, want)
	}
	if !strings.Contains(b.String(), "switch (lag 5)") || !strings.Contains(b.String(), "exit (hold 126)") {
		t.Error("switch and exit markers missing")
	}
	et := s.EventTable()
	if len(et.Rows) != 2 || et.Rows[1][4] != "after the data" {
		t.Errorf("event table rows %v", et.Rows)
	}
}

// A report of a real simulation: equal weights over three random assets
// with monthly rebalancing. The equity path ends at the simulator's final
// equity and the metrics table shows its metrics.
func TestRunOfSimulation(t *testing.T) {
	dates := weekdays(engine.DateOf(2020, 1, 1), 600)
	p, err := engine.NewPanel(dates, []string{"A", "B", "C"})
	if err != nil {
		t.Fatal(err)
	}
	col := p.AddColumn(engine.Close)
	for i := 0; i < 3; i++ {
		copy(col[i*len(dates):], randomWalk(uint64(10+i), len(dates), 50, 0.0003, 0.015))
	}
	ends := engine.PeriodEnds(dates, engine.Monthly)
	st := engine.StrategyFunc(func(v engine.View, w []float64) (bool, error) {
		if v.Bar() > 0 && !ends[v.Bar()] {
			return false, nil
		}
		for i := range w {
			w[i] = 1.0 / 3
		}
		return true, nil
	})
	cfg := engine.DefaultConfig()
	cfg.CostBps, cfg.Record = 10, true
	cfg.Benchmark = engine.EqualWeightReturns(p)
	res, err := engine.Simulate(p, st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := RunOf(p, res, cfg.Benchmark, "equal weight daily")
	var b bytes.Buffer
	if err := r.Render(&b); err != nil {
		t.Fatal(err)
	}
	doc := checkDocument(t, b.Bytes())
	eq := seriesPaths(doc, "strategy")[0]
	T := len(dates)
	if d, v := lastPoint(t, eq); d != dates[T-1] || math.Abs(v-res.Equity[T-1]) > yTolerance(eq, v) {
		t.Errorf("equity path ends at %s %v, want %s %v", d, v, dates[T-1], res.Equity[T-1])
	}
	if !strings.Contains(b.String(), FormatMetric("sharpe", res.Metrics.Sharpe)) || len(res.Trades) == 0 || !strings.Contains(b.String(), strconv.Itoa(len(res.Trades))) {
		t.Error("metrics or trades missing from the report")
	}
}
