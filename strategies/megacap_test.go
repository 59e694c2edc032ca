package strategies

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/rotor-bt/rotor/engine"
)

// mcDates returns n weekdays from y-m-d.
func mcDates(y int, m time.Month, d, n int) []engine.Date {
	out := make([]engine.Date, 0, n)
	for day := engine.DateOf(y, m, d); len(out) < n; day++ {
		if wd := day.Time().Weekday(); wd != time.Saturday && wd != time.Sunday {
			out = append(out, day)
		}
	}
	return out
}

// mcPanelOf builds a panel from per-asset close and volume series.
func mcPanelOf(t testing.TB, dates []engine.Date, syms []string, close, vol [][]float64) *engine.Panel {
	t.Helper()
	p, err := engine.NewPanel(dates, syms)
	if err != nil {
		t.Fatal(err)
	}
	c, v := p.AddColumn(engine.Close), p.AddColumn(engine.Volume)
	T := len(dates)
	for i := range syms {
		copy(c[i*T:(i+1)*T], close[i])
		copy(v[i*T:(i+1)*T], vol[i])
	}
	return p
}

func mcParams(t testing.TB, kv map[string]string) (engine.Params, MegacapParams) {
	t.Helper()
	spec, err := Lookup("megacap_rotation")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := spec.Parse(kv)
	if err != nil {
		t.Fatal(err)
	}
	q, err := ParseMegacapParams(ps)
	if err != nil {
		t.Fatal(err)
	}
	return ps, q
}

func mcStrategy(t testing.TB, kv map[string]string) *MegacapRotation {
	t.Helper()
	ps, _ := mcParams(t, kv)
	spec, _ := Lookup("megacap_rotation")
	s, err := spec.New(ps)
	if err != nil {
		t.Fatal(err)
	}
	return s.(*MegacapRotation)
}

// mcDecide runs Prepare and Decide over bars 0..T-2 and returns the
// weights of each decision bar (nil on bars without a trade).
func mcDecide(t testing.TB, s engine.Strategy, p *engine.Panel) [][]float64 {
	t.Helper()
	if err := s.(engine.Preparer).Prepare(p); err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, p.T()-1)
	for b := range out {
		w := make([]float64, p.N())
		trade, err := s.Decide(engine.NewView(p, b), w)
		if err != nil {
			t.Fatal(err)
		}
		if trade {
			out[b] = w
		}
	}
	return out
}

// mcHandPanel: 4 assets over 12 weekdays from Monday 2024-01-01 (so bar 4
// is Friday 2024-01-05, the first weekly period end), constant closes and
// volumes so that the dollar-volume sizes are A=100, B=400, C=300, D=200,
// except that D has no price on bars 7..8. The rates cut on bar 3
// (after a hike before the first bar) and hike again on bar 8.
func mcHandPanel(t testing.TB) *engine.Panel {
	dates := mcDates(2024, time.January, 1, 12)
	close := make([][]float64, 4)
	vol := make([][]float64, 4)
	for i, dv := range []float64{100, 400, 300, 200} {
		close[i], vol[i] = make([]float64, 12), make([]float64, 12)
		for b := range close[i] {
			close[i][b], vol[i][b] = 10, dv/10
		}
	}
	close[3][7], close[3][8] = math.NaN(), math.NaN()
	p := mcPanelOf(t, dates, []string{"A", "B", "C", "D"}, close, vol)
	p.SetRates(&engine.Rates{Name: "rate_pct",
		Dates: []engine.Date{dates[0] - 100, dates[0] - 50, dates[3], dates[8]},
		Pct:   []float64{1, 2, 1.5, 1.75}})
	return p
}

func TestMegacapDecisionsByHand(t *testing.T) {
	p := mcHandPanel(t)
	base := []float64{0.1, 0.4, 0.3, 0.2}
	baseNoD := []float64{1.0 / 8, 4.0 / 8, 3.0 / 8, 0}
	cases := []struct {
		name string
		kv   map[string]string
		want map[int][]float64 // decision bars and their weights
	}{
		{"out equal k=2 lag=1 hold=3 weekly",
			map[string]string{"k": "2", "lag": "1", "hold": "3", "rebalance": "weekly"},
			// Cut on bar 3: switch at 4 (also the week's end), exit at 7.
			// Top 2 by size: B, C; rotated = A, D equally.
			map[int][]float64{0: base, 4: {0.5, 0, 0, 0.5}, 7: baseNoD, 9: base}},
		{"into cap k=2 lag=0 hold=2",
			map[string]string{"k": "2", "lag": "0", "hold": "2", "rebalance": "monthly", "direction": "into", "weighting": "cap"},
			map[int][]float64{0: base, 3: {0, 4.0 / 7, 3.0 / 7, 0}, 5: base}},
		{"exit on the first hike",
			map[string]string{"k": "1", "lag": "2", "exit": "hike", "rebalance": "monthly", "direction": "out", "weighting": "cap"},
			// Switch at 5; hike on bar 8: exit at 8 (D has no price then).
			map[int][]float64{0: base, 5: {1.0 / 6, 0, 3.0 / 6, 2.0 / 6}, 8: baseNoD}},
		{"never exits, re-ranked on scheduled bars",
			map[string]string{"k": "3", "lag": "1", "exit": "never", "rebalance": "weekly"},
			// Rotated from 4: {A, D} out of top 3 → {A}... on bar 4 top 3 = B, C, D → A alone;
			// on bar 9 (week end) same; D is back.
			map[int][]float64{0: base, 4: {1, 0, 0, 0}, 9: {1, 0, 0, 0}}},
		{"lag beyond the last bar does nothing",
			map[string]string{"lag": "8", "rebalance": "weekly"},
			map[int][]float64{0: base, 4: base, 9: base}},
		{"switch at the event bar, hold until after the end",
			map[string]string{"k": "1", "lag": "0", "hold": "100", "rebalance": "quarterly"},
			map[int][]float64{0: base, 3: {1.0 / 3, 0, 1.0 / 3, 1.0 / 3}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := mcDecide(t, mcStrategy(t, c.kv), p)
			for b, w := range got {
				want, ok := c.want[b]
				if (w != nil) != ok {
					t.Fatalf("bar %d: trade=%v, want %v (weights %v)", b, w != nil, ok, w)
				}
				for i := range want {
					if math.Abs(w[i]-want[i]) > 1e-15 {
						t.Fatalf("bar %d: weights %v, want %v", b, w, want)
					}
				}
			}
		})
	}
}

func TestMegacapEventsReported(t *testing.T) {
	p := mcHandPanel(t)
	s := mcStrategy(t, nil)
	mcDecide(t, s, p)
	ev := s.Events()
	if len(ev.Events) != 1 || ev.Bars[0] != 3 || ev.Events[0].Date != p.Dates[3] || len(ev.Before) != 0 {
		t.Fatalf("events %+v", ev)
	}
	// A cut before the first bar is ignored and reported.
	r := p.Rates()
	r2 := &engine.Rates{Name: r.Name, Dates: append([]engine.Date{p.Dates[0] - 300, p.Dates[0] - 200}, r.Dates...), Pct: append([]float64{3, 2}, r.Pct...)}
	// 3 → 2 is the series' first change (never an event); 2 → 1 → 2 → 1.5:
	r2.Pct = []float64{3, 4, 2, 2.5, 1.5, 1.75}
	r2.Dates = []engine.Date{p.Dates[0] - 300, p.Dates[0] - 200, p.Dates[0] - 100, p.Dates[0] - 50, p.Dates[3], p.Dates[8]}
	p.SetRates(r2)
	ev, err := FindRotationEvents(p, engine.FirstCut)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Before) != 1 || ev.Before[0].Date != p.Dates[0]-100 || len(ev.Bars) != 1 || ev.Bars[0] != 3 {
		t.Fatalf("events %+v", ev)
	}
	s = mcStrategy(t, nil)
	mcDecide(t, s, p)
	notes := s.Notes()
	if len(notes) != 2 || notes[1] != "first_cut events before the first bar, ignored: "+(p.Dates[0]-100).String() {
		t.Fatalf("notes %q", notes)
	}
	// No rates: a clear error.
	p.SetRates(nil)
	if err := mcStrategy(t, nil).Prepare(p); err == nil {
		t.Fatal("no rates: want an error")
	}
}

func TestMegacapEpisodes(t *testing.T) {
	q := func(lag, hold int, exit string) MegacapParams {
		return MegacapParams{Lag: lag, Hold: hold, Exit: exit}
	}
	cases := []struct {
		name      string
		T         int
		trig, opp []int
		q         MegacapParams
		want      []mcEpisode
	}{
		{"days", 100, []int{10, 50}, nil, q(2, 5, "days"), []mcEpisode{{12, 17}, {52, 57}}},
		{"overlap merges", 100, []int{10, 14}, nil, q(0, 10, "days"), []mcEpisode{{10, 24}}},
		{"touching merges", 100, []int{10, 20}, nil, q(0, 10, "days"), []mcEpisode{{10, 30}}},
		{"exit at last bar does nothing", 100, []int{90}, nil, q(0, 9, "days"), []mcEpisode{{90, 100}}},
		{"exit before last bar", 100, []int{90}, nil, q(0, 8, "days"), []mcEpisode{{90, 98}}},
		{"switch at last bar does nothing", 100, []int{90}, nil, q(9, 1, "days"), nil},
		{"hike exit strictly after the switch", 100, []int{10, 60}, []int{12, 30, 70}, q(2, 1, "hike"), []mcEpisode{{12, 30}, {62, 70}}},
		{"hike exit none after", 100, []int{10}, []int{5}, q(0, 1, "hike"), []mcEpisode{{10, 100}}},
		{"never", 100, []int{10, 60}, nil, q(0, 1, "never"), []mcEpisode{{10, 100}}},
		{"huge lag", 100, []int{10}, nil, q(math.MaxInt, 1, "days"), nil},
		{"huge hold", 100, []int{10}, nil, q(0, math.MaxInt, "days"), []mcEpisode{{10, 100}}},
	}
	for _, c := range cases {
		got := mcEpisodes(nil, c.T, c.trig, c.opp, c.q)
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
			continue
		}
		for j := range got {
			if got[j] != c.want[j] {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
	}
}

// mcMarket is a random market: n assets over T weekdays, log-normal
// closes, adj_close a drifting multiple of close, volumes, optional shares,
// late listings, delistings and one-day halts, and a rates series with
// several easing and tightening cycles, starting before the first bar.
func mcMarket(t testing.TB, seed uint64, T, n int, shares bool) *engine.Panel {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 11))
	dates := mcDates(2001, time.January, 1, T)
	syms := make([]string, n)
	for i := range syms {
		syms[i] = string(rune('A'+i/676%26)) + string(rune('A'+i/26%26)) + string(rune('A'+i%26))
	}
	p, err := engine.NewPanel(dates, syms)
	if err != nil {
		t.Fatal(err)
	}
	c, a, v := p.AddColumn(engine.Close), p.AddColumn(engine.AdjClose), p.AddColumn(engine.Volume)
	var s []float64
	if shares {
		s = p.AddColumn(engine.Shares)
	}
	for i := 0; i < n; i++ {
		x := 10 + 90*rng.Float64()
		f := 0.8 + 0.2*rng.Float64()
		sh := 1e6 * math.Exp(2*rng.NormFloat64())
		start, end := 0, T
		if i%5 == 1 {
			start = rng.IntN(T / 2)
		}
		if i%7 == 2 {
			end = T - 1 - rng.IntN(T/2)
		}
		vol := sh * 0.01 * (0.5 + rng.Float64())
		for b := 0; b < T; b++ {
			x *= math.Exp(0.0003 + 0.02*rng.NormFloat64())
			f *= 1 + 0.00005*rng.Float64()
			if b < start || b >= end || rng.IntN(500) == 0 {
				continue
			}
			k := i*T + b
			c[k], a[k], v[k] = x, x*f, vol*math.Exp(0.3*rng.NormFloat64())
			if shares {
				s[k] = sh
			}
		}
	}
	r := &engine.Rates{Name: "rate_pct"}
	rate, dir := 3.0, 1.0
	for d := dates[0] - 1500; d <= dates[T-1]; d += 20 + engine.Date(rng.IntN(40)) {
		r.Dates = append(r.Dates, d)
		r.Pct = append(r.Pct, rate)
		if rng.IntN(6) == 0 {
			dir = -dir
		}
		rate = math.Max(0, rate+dir*0.25*float64(rng.IntN(2)+1))
	}
	p.SetRates(r)
	return p
}

// mcClose reports whether a and b agree within rel relative to the larger
// of |a|, |b| and 1 (NaN = NaN). The floor of 1 is for metrics near 0: a
// beta of -0.002 from weakly correlated returns is the ratio of two small
// sums, and the last-bit differences of two correct equity curves move it
// by more than 1e-12 of itself.
func mcClose(a, b, rel float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= rel*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// mcCheckSimulate fails unless got, the fast path's metrics of point ps,
// equal the simulator's within 1e-12 (relative, absolute below 1); it
// returns the largest deviation.
func mcCheckSimulate(t testing.TB, p *engine.Panel, cfg engine.Config, ps engine.Params, got engine.Metrics) float64 {
	t.Helper()
	spec, _ := Lookup("megacap_rotation")
	st, err := spec.New(ps)
	if err != nil {
		t.Fatal(err)
	}
	res, err := engine.Simulate(p, st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	want, g := res.Metrics.Values(), got.Values()
	for m := range want {
		if !mcClose(g[m], want[m], 1e-12) {
			t.Fatalf("T=%d %s: %s = %.17g, simulator %.17g", p.T(), ps, engine.MetricNames[m], g[m], want[m])
		}
		if d := math.Abs(g[m]-want[m]) / math.Max(1, math.Abs(want[m])); d > worst {
			worst = d
		}
	}
	return worst
}

// mcGrid is every combination of the given values.
func mcGrid(t testing.TB, axes map[string][]string) []engine.Params {
	t.Helper()
	pts := []map[string]string{{}}
	for name, vals := range axes {
		var next []map[string]string
		for _, p := range pts {
			for _, v := range vals {
				q := map[string]string{name: v}
				for k, x := range p {
					q[k] = x
				}
				next = append(next, q)
			}
		}
		pts = next
	}
	out := make([]engine.Params, len(pts))
	for j, kv := range pts {
		out[j], _ = mcParams(t, kv)
	}
	return out
}

func TestMegacapFastEqualsSimulate(t *testing.T) {
	spec, _ := Lookup("megacap_rotation")
	for _, tc := range []struct {
		name   string
		shares bool
		cfg    func(*engine.Config)
	}{
		{"dollar volume, no costs", false, func(c *engine.Config) {}},
		{"market cap, costs and spread", true, func(c *engine.Config) { c.CostBps, c.SpreadBps = 10, 4 }},
		{"fixed costs, no rates, P=260", false, func(c *engine.Config) {
			c.CostBps, c.FixedCost, c.UseRates, c.PeriodsPerYear = 5, 1e-5, false, 260
		}},
		{"benchmark, capital 1000", true, func(c *engine.Config) { c.CostBps, c.InitialCapital = 3, 1000 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mcMarket(t, 42, 700, 40, tc.shares)
			cfg := engine.DefaultConfig()
			tc.cfg(&cfg)
			if tc.name == "benchmark, capital 1000" {
				b := make([]float64, p.T())
				for k := 1; k < len(b); k++ {
					b[k] = 0.001 * math.Sin(float64(k))
				}
				cfg.Benchmark = b
			}
			for _, k := range []engine.EventKind{engine.FirstCut, engine.FirstHike} {
				e, err := FindRotationEvents(p, k)
				if err != nil || len(e.Bars) < 2 || len(e.Before) < 1 {
					t.Fatalf("fixture: want ≥ 2 %s events on bars and ≥ 1 before the first bar, got %+v (%v)", k, e, err)
				}
			}
			ev := spec.Fast(p, cfg)
			if ev == nil {
				t.Fatal("no fast evaluator")
			}
			axes := map[string][]string{
				"k": {"1", "5", "45"}, "lag": {"0", "3", "21"}, "hold": {"1", "20", "130"},
				"exit": {"days", "hike", "never"}, "direction": {"out", "into"}, "weighting": {"equal", "cap"},
				"rebalance": {"daily", "weekly", "monthly", "quarterly"}, "trigger": {"first_cut", "first_hike"},
			}
			if testing.Short() {
				axes["hold"], axes["k"] = []string{"20"}, []string{"5"}
			}
			pts := mcGrid(t, axes)
			out := make([]engine.Metrics, len(pts))
			if err := ev.Evaluate(pts, nil, out); err != nil {
				t.Fatal(err)
			}
			step := 1 + len(pts)/400 // simulate a deterministic spread of the points
			checked, worst := 0, 0.0
			for j := 0; j < len(pts); j += step {
				worst = math.Max(worst, mcCheckSimulate(t, p, cfg, pts[j], out[j]))
				checked++
			}
			t.Logf("%d points evaluated, %d checked against the simulator, largest deviation %.3g", len(pts), checked, worst)
		})
	}
}

// The fast evaluator's results do not depend on how points are grouped,
// ordered or spread over goroutines (SEMANTICS §5): fresh evaluators, one
// fed point by point in reverse order from two goroutines, agree bit for bit.
func TestMegacapFastGroupingInvariant(t *testing.T) {
	spec, _ := Lookup("megacap_rotation")
	p := mcMarket(t, 7, 400, 25, false)
	cfg := engine.DefaultConfig()
	cfg.CostBps = 7
	pts := mcGrid(t, map[string][]string{
		"k": {"2", "6"}, "lag": {"0", "4"}, "hold": {"10", "60"}, "exit": {"days", "hike"},
		"direction": {"out", "into"}, "rebalance": {"weekly", "quarterly"},
	})
	batch := make([]engine.Metrics, len(pts))
	if err := spec.Fast(p, cfg).Evaluate(pts, nil, batch); err != nil {
		t.Fatal(err)
	}
	ev := spec.Fast(p, cfg)
	single := make([]engine.Metrics, len(pts))
	errs := make(chan error, 2)
	for g := 0; g < 2; g++ {
		go func() {
			for j := len(pts) - 1 - g; j >= 0; j -= 2 {
				if err := ev.Evaluate(pts[j:j+1], nil, single[j:j+1]); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 2; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for j := range pts {
		a, b := batch[j].Values(), single[j].Values()
		for m := range a {
			if math.Float64bits(a[m]) != math.Float64bits(b[m]) {
				t.Fatalf("%s: %s %v (batch) vs %v (single, concurrent)", pts[j], engine.MetricNames[m], a[m], b[m])
			}
		}
	}
	if err := ev.Evaluate(pts[:1], []int{0}, single[:1]); err == nil {
		t.Fatal("per-asset mode: want an error")
	}
}

// Degenerate panels: one bar (no trade at all) and two bars.
func TestMegacapFastShortPanels(t *testing.T) {
	spec, _ := Lookup("megacap_rotation")
	full := mcMarket(t, 3, 50, 6, false)
	for _, T := range []int{1, 2, 3} {
		p := full.Slice(0, T)
		cfg := engine.DefaultConfig()
		cfg.CostBps = 10
		pts := mcGrid(t, map[string][]string{"lag": {"0", "1"}, "direction": {"out", "into"}})
		out := make([]engine.Metrics, len(pts))
		ev := spec.Fast(p, cfg)
		if ev == nil {
			t.Fatalf("T=%d: no fast evaluator", T)
		}
		if err := ev.Evaluate(pts, nil, out); err != nil {
			t.Fatal(err)
		}
		for j, ps := range pts {
			mcCheckSimulate(t, p, cfg, ps, out[j])
		}
	}
}

// Decisions on bar t do not change when everything after t is hidden
// (prices NaN, rates rows removed): sizes, rankings and episodes use data
// ≤ t only.
func TestMegacapCausal(t *testing.T) {
	p := mcMarket(t, 5, 300, 20, false)
	ev, _ := FindRotationEvents(p, engine.FirstCut)
	hk, _ := FindRotationEvents(p, engine.FirstHike)
	bars := []int{0, 1, 62, 63, 150, 298}
	for _, b := range append(ev.Bars, hk.Bars...) {
		for _, d := range []int{-1, 0, 1, 2, 5} {
			if b+d >= 0 && b+d < p.T() {
				bars = append(bars, b+d)
			}
		}
	}
	for _, kv := range []map[string]string{
		{"lag": "2", "hold": "5", "rebalance": "weekly"},
		{"lag": "0", "exit": "hike", "direction": "into", "weighting": "cap"},
		{"lag": "1", "exit": "never", "trigger": "first_hike", "k": "3"},
	} {
		err := engine.CheckCausal(p, func() (engine.Strategy, error) { return mcStrategy(t, kv), nil }, bars)
		if err != nil {
			t.Fatalf("%v: %v", kv, err)
		}
	}
}

// Episodes against a bar-by-bar reference: the rotated bars are the union
// of every event's [s, x) clipped to the calendar (a switch on or after the
// last bar does nothing, and the last bar has no decision); merged
// episodes neither overlap nor touch.
func FuzzMegacapEpisodes(f *testing.F) {
	f.Add(uint16(100), uint64(0x0102030405), uint8(3), uint8(10), uint8(0))
	f.Add(uint16(30), uint64(0xffffffffffff), uint8(0), uint8(1), uint8(1))
	f.Add(uint16(2), uint64(7), uint8(1), uint8(1), uint8(2))
	f.Fuzz(func(t *testing.T, T16 uint16, bits uint64, lag, hold, exit uint8) {
		T := int(T16%400) + 1
		rng := rand.New(rand.NewPCG(bits, uint64(T)))
		var trig, opp []int
		for b := 0; b < T; b++ {
			switch rng.IntN(12) {
			case 0:
				trig = append(trig, b)
			case 1:
				opp = append(opp, b)
			}
		}
		q := MegacapParams{Lag: int(lag), Hold: int(hold)%60 + 1, Exit: []string{"days", "hike", "never"}[exit%3]}
		ref := make([]bool, T)
		for _, tau := range trig {
			s := tau + q.Lag
			if s >= T-1 {
				continue
			}
			x := T
			switch q.Exit {
			case "days":
				x = s + q.Hold
			case "hike":
				for _, o := range opp {
					if o > s {
						x = o
						break
					}
				}
			}
			for b := s; b < min(x, T); b++ {
				ref[b] = true
			}
		}
		got := make([]bool, T)
		eps := mcEpisodes(nil, T, trig, opp, q)
		for j, e := range eps {
			if e.s >= T-1 || e.x <= e.s || (e.x < T && e.x >= T-1) || (j > 0 && e.s <= eps[j-1].x) {
				t.Fatalf("bad episode %v in %v (T=%d)", e, eps, T)
			}
			for b := e.s; b < min(e.x, T); b++ {
				got[b] = true
			}
		}
		for b := 0; b < T-1; b++ { // no decision on the last bar
			if got[b] != ref[b] {
				t.Fatalf("T=%d %+v trig %v opp %v: bar %d rotated=%v, reference %v (episodes %v)", T, q, trig, opp, b, got[b], ref[b], eps)
			}
		}
	})
}
