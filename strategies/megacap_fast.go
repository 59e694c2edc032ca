package strategies

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/rotor-bt/rotor/engine"
)

// megacapFast evaluates many megacap_rotation points on one panel, sharing
// the work that does not depend on the episode parameters.
//
// Every point's book is one of two sleeves at any time: the base or its
// rotated set. A sleeve simulated alone from bar 0 with its rebalance
// schedule (its path) gives, per bar, the value relative to the post-trade
// value of its last decision bar, the turnover at each scheduled rebalance
// and whether it held anything; none of these depend on the equity level.
// A point follows the path of its current sleeve, except right after a
// switch or exit bar a that is not a scheduled rebalance: there the book
// was set to the target on bar a, so until the next scheduled rebalance it
// follows a short transient segment simulated exactly from a (cached per
// sleeve and bar). Turnover at a switch or exit is charged from the drifted
// weights of the segment in force, rebuilt from the units bought at the
// segment's start, the prices on the bar and the segment's value (cached
// per segment start and bar). Composing a point is then one pass over the
// bars feeding the metrics accumulator.
//
// Paths are cached per (sleeve, rebalance): the base per rebalance
// schedule, the rotated set per (k, direction, weighting, rebalance);
// rankings per bar. All caches hold pure functions of their keys, so
// results do not depend on the order or grouping of points or on the
// number of goroutines.
type megacapFast struct {
	m        *mcPanel
	cfg      engine.Config
	T, N     int
	rc       []float64 // cash return per bar, as the simulator computes it
	costRate float64
	fixed    float64
	trig     map[engine.EventKind][]int // event bars by kind

	ranks   []atomic.Pointer[[]int32] // per bar: eligible assets by size
	lastNaN []int32                   // time-major: the last bar ≤ t without a price (-1: none)

	mu      sync.Mutex
	cals    map[engine.Period]*mcCalendar
	sleeves map[mcSleeveKey]*mcPath
	targets map[mcSleeve][]atomic.Pointer[mcTarget] // per sleeve and bar, for switches and exits

	pool sync.Pool // *mcScratch
}

// newMegacapFast builds the shared evaluator, or returns nil when it does
// not cover cfg or the panel (the generic path then reports the problem).
func newMegacapFast(p *engine.Panel, cfg engine.Config) engine.Evaluator {
	// Weights sum to at most 1, so a leverage limit ≥ 1 never binds; below
	// 1 the simulator reports the breach.
	if p == nil || p.T() < 1 || p.N() < 1 || cfg.Validate() != nil || cfg.Fill != engine.FillClose ||
		!(cfg.MaxLeverage >= 1) || (cfg.Benchmark != nil && len(cfg.Benchmark) != p.T()) {
		return nil
	}
	m, err := newMCPanel(p)
	if err != nil {
		return nil
	}
	cut, err1 := FindRotationEvents(p, engine.FirstCut)
	hike, err2 := FindRotationEvents(p, engine.FirstHike)
	if err1 != nil || err2 != nil {
		return nil
	}
	T := p.T()
	f := &megacapFast{
		m: m.timeMajor(), cfg: cfg, T: T, N: p.N(),
		rc:       make([]float64, T),
		costRate: (cfg.CostBps + cfg.SpreadBps/2) / 10000,
		fixed:    cfg.FixedCost * cfg.InitialCapital,
		trig:     map[engine.EventKind][]int{engine.FirstCut: cut.Bars, engine.FirstHike: hike.Bars},
		ranks:    make([]atomic.Pointer[[]int32], T),
		cals:     map[engine.Period]*mcCalendar{},
		sleeves:  map[mcSleeveKey]*mcPath{},
		targets:  map[mcSleeve][]atomic.Pointer[mcTarget]{},
	}
	N := p.N()
	f.lastNaN = make([]int32, T*N)
	for i := 0; i < N; i++ {
		f.lastNaN[i] = -1
		if x := f.m.px[i]; x != x {
			f.lastNaN[i] = 0
		}
	}
	for t := 1; t < T; t++ {
		row, prev, px := f.lastNaN[t*N:(t+1)*N], f.lastNaN[(t-1)*N:t*N], f.m.px[t*N:(t+1)*N]
		for i := range row {
			row[i] = prev[i]
			if x := px[i]; x != x {
				row[i] = int32(t)
			}
		}
	}
	if rate := p.RatePct(); cfg.UseRates && rate != nil {
		for t := 1; t < T; t++ {
			if r := rate[t-1]; r == r {
				f.rc[t] = r / 100 / cfg.PeriodsPerYear
			}
		}
	}
	return f
}

// mcCalendar is a rebalance schedule on the panel's calendar.
type mcCalendar struct {
	ends []bool  // scheduled rebalance bars (never the last bar)
	prev []int32 // prev[t]: the last scheduled bar before t, or 0
	next []int32 // next[t]: the first scheduled bar after t, or T-1
}

func (f *megacapFast) calendar(p engine.Period) *mcCalendar {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.cals[p]; ok {
		return c
	}
	T := f.T
	c := &mcCalendar{ends: engine.PeriodEnds(f.m.p.Dates, p), prev: make([]int32, T), next: make([]int32, T)}
	last := int32(0)
	for t := 0; t < T; t++ {
		c.prev[t] = last
		if c.ends[t] {
			last = int32(t)
		}
	}
	nxt := int32(T - 1)
	for t := T - 1; t >= 0; t-- {
		c.next[t] = nxt
		if c.ends[t] {
			nxt = int32(t)
		}
	}
	f.cals[p] = c
	return c
}

// ranked returns the eligible assets of bar t by size (cached).
func (f *megacapFast) ranked(t int) []int32 {
	if r := f.ranks[t].Load(); r != nil {
		return *r
	}
	r := f.m.rank(nil, t)
	f.ranks[t].Store(&r)
	return r
}

// mcTarget is a sleeve's target on one bar: weights w[j] on assets idx[j]
// (column order).
type mcTarget struct {
	idx []int32
	w   []float64
}

// mcScratch is per-goroutine scratch.
type mcScratch struct {
	book  mcBook
	tgt   mcTarget
	mark  []bool
	dense []float64
	eps   []mcEpisode
}

func (f *megacapFast) scratch() *mcScratch {
	if s, ok := f.pool.Get().(*mcScratch); ok {
		return s
	}
	N := f.N
	return &mcScratch{
		book:  mcBook{units: make([]float64, N), held: make([]int32, 0, N)},
		tgt:   mcTarget{idx: make([]int32, 0, N), w: make([]float64, 0, N)},
		mark:  make([]bool, N),
		dense: make([]float64, N),
	}
}

// target computes the target of sleeve q on bar t into sc.tgt (valid
// until the next call with sc).
func (f *megacapFast) target(sc *mcScratch, q mcSleeve, t int) *mcTarget {
	var r []int32
	if q.rotated {
		r = f.ranked(t)
	}
	sc.tgt.idx, sc.tgt.w = f.m.target(sc.tgt.idx[:0], sc.tgt.w[:0], t, r, q, sc.mark)
	return &sc.tgt
}

// cachedTarget returns the target of sleeve q on bar t, computed once and
// kept (read only): switches and exits ask for the same few targets from
// many points and sleeves (the base target on an exit bar is shared by
// every rotated set).
func (f *megacapFast) cachedTarget(sc *mcScratch, q mcSleeve, t int) *mcTarget {
	f.mu.Lock()
	c, ok := f.targets[q]
	if !ok {
		c = make([]atomic.Pointer[mcTarget], f.T)
		f.targets[q] = c
	}
	f.mu.Unlock()
	if x := c[t].Load(); x != nil {
		return x
	}
	tg := f.target(sc, q, t)
	x := &mcTarget{idx: slices.Clone(tg.idx), w: slices.Clone(tg.w)}
	c[t].Store(x)
	return x
}

// mcBook is a book per unit of post-trade value, stepped bar by bar the
// way the simulator steps its holdings (engine.Simulate).
type mcBook struct {
	units []float64 // asset units per unit of post-trade value
	held  []int32   // assets held, in column order
	cash  float64
}

// set fills the book with target (idx, w) at bar a, from a post-trade
// value of 1.
func (b *mcBook) set(f *megacapFast, a int, idx []int32, w []float64) {
	for _, i := range b.held {
		b.units[i] = 0
	}
	b.held = b.held[:0]
	// The cash left, 1 − Σ w, is summed with compensation: a residual
	// rounded the same way on every trade would bias the equity by a few
	// units of rounding per trade, which compounds over thousands of trades.
	cash, comp := 1.0, 0.0
	px := f.m.px[a*f.N:]
	for j, i := range idx {
		x := w[j]
		if x == 0 {
			continue
		}
		b.units[i] = x / px[int(i)]
		s := cash - x
		if math.Abs(cash) >= math.Abs(x) {
			comp += (cash - s) - x
		} else {
			comp += (-x - s) + cash
		}
		cash = s
		b.held = append(b.held, i)
	}
	b.cash = cash + comp
}

// step moves the book to the close of bar t: cash earns rc[t], held assets
// without a price are sold at their last price into cash. It returns the
// value and whether anything was held over the bar.
func (b *mcBook) step(f *megacapFast, t int) (v float64, exposed bool) {
	b.cash += b.cash * f.rc[t]
	exposed = len(b.held) > 0
	v = b.cash
	N := f.N
	px := f.m.px[(t-1)*N : (t+1)*N] // bars t-1 and t, time-major
	for k := 0; k < len(b.held); k++ {
		i := int(b.held[k])
		x := px[N+i]
		if x != x {
			last := b.units[i] * px[i]
			v += last
			b.cash += last
			b.units[i] = 0
			b.held = append(b.held[:k], b.held[k+1:]...)
			k--
			continue
		}
		v += b.units[i] * x
	}
	return v, exposed
}

// turnover returns Σ|w*_i − w⁻_i| from the book's drifted weights at bar t
// (value v) to the target (idx, w), and the number of assets whose weight
// changes.
func (b *mcBook) turnover(f *megacapFast, t int, v float64, idx []int32, w []float64, dense []float64) (float64, int32) {
	px := f.m.px[t*f.N:]
	for _, i := range b.held {
		dense[i] = -(b.units[i] * px[i] / v)
	}
	for j, i := range idx {
		dense[i] += w[j]
	}
	// Sum in column order over the union of both supports.
	u, n := 0.0, int32(0)
	hi, ti := b.held, idx
	for len(hi) > 0 || len(ti) > 0 {
		var i int32
		switch {
		case len(ti) == 0 || len(hi) > 0 && hi[0] < ti[0]:
			i, hi = hi[0], hi[1:]
		case len(hi) == 0 || ti[0] < hi[0]:
			i, ti = ti[0], ti[1:]
		default:
			i, hi, ti = hi[0], hi[1:], ti[1:]
		}
		if d := dense[i]; d != 0 {
			u += math.Abs(d)
			n++
		}
		dense[i] = 0
	}
	return u, n
}

// mcSleeveKey names a sleeve path: a portfolio and its rebalance schedule.
type mcSleeveKey struct {
	q   mcSleeve
	reb engine.Period
}

// mcPath is one sleeve simulated alone from bar 0 with its schedule, and
// its cached transients and turnovers.
type mcPath struct {
	once sync.Once
	key  mcSleeveKey
	cal  *mcCalendar
	G    []float64 // G[t]: value at t per unit of post-trade value at cal.prev[t] (bar 0: 1)
	ex   []bool    // ex[t]: something was held over bar t
	u    []float64 // turnover at bar 0 and at each scheduled bar
	tr   []int32   // assets traded there

	mu    sync.Mutex
	trans map[int32]*mcSegment // transients starting at an unscheduled switch or exit bar
	turn  map[mcTurnKey]mcTurn // turnover to another sleeve's target
}

// mcSegment is the book set to the sleeve's target on bar a and drifting
// until bar n, the next scheduled bar (or the last bar).
type mcSegment struct {
	a, n  int
	G     []float64 // G[t-a-1] for t = a+1..n
	ex    []bool
	uEnd  float64 // turnover at n to the sleeve's own target (n scheduled)
	trEnd int32
}

type mcTurnKey struct {
	a, t int32    // segment start and bar of the trade
	to   mcSleeve // target sleeve
}

type mcTurn struct {
	u  float64
	tr int32
}

// path returns the path of sleeve q with schedule reb, computing it once.
func (f *megacapFast) path(q mcSleeve, reb engine.Period) *mcPath {
	k := mcSleeveKey{q, reb}
	f.mu.Lock()
	p, ok := f.sleeves[k]
	if !ok {
		p = &mcPath{key: k, trans: map[int32]*mcSegment{}, turn: map[mcTurnKey]mcTurn{}}
		f.sleeves[k] = p
	}
	f.mu.Unlock()
	p.once.Do(func() { f.fillPath(p) })
	return p
}

func (f *megacapFast) fillPath(p *mcPath) {
	T := f.T
	p.cal = f.calendar(p.key.reb)
	p.G = make([]float64, T)
	p.ex = make([]bool, T)
	p.u = make([]float64, T)
	p.tr = make([]int32, T)
	sc := f.scratch()
	defer f.pool.Put(sc)
	b := &sc.book
	tg := f.target(sc, p.key.q, 0)
	b.set(f, 0, tg.idx, tg.w)
	p.G[0] = 1
	for j := range tg.idx {
		if x := tg.w[j]; x != 0 {
			p.u[0] += math.Abs(x)
			p.tr[0]++
		}
	}
	for t := 1; t < T; t++ {
		v, ex := b.step(f, t)
		p.G[t], p.ex[t] = v, ex
		if t < T-1 && p.cal.ends[t] {
			tg := f.target(sc, p.key.q, t)
			p.u[t], p.tr[t] = b.turnover(f, t, v, tg.idx, tg.w, sc.dense)
			b.set(f, t, tg.idx, tg.w)
		}
	}
}

// transient returns the segment of the path's sleeve set to target on the
// unscheduled bar a.
func (f *megacapFast) transient(p *mcPath, a int) *mcSegment {
	p.mu.Lock()
	s, ok := p.trans[int32(a)]
	p.mu.Unlock()
	if ok {
		return s
	}
	n := int(p.cal.next[a])
	s = &mcSegment{a: a, n: n, G: make([]float64, n-a), ex: make([]bool, n-a)}
	sc := f.scratch()
	b := &sc.book
	tg := f.target(sc, p.key.q, a)
	b.set(f, a, tg.idx, tg.w)
	for t := a + 1; t <= n; t++ {
		v, ex := b.step(f, t)
		s.G[t-a-1], s.ex[t-a-1] = v, ex
		if t == n && n < f.T-1 && p.cal.ends[n] {
			tg := f.target(sc, p.key.q, n)
			s.uEnd, s.trEnd = b.turnover(f, n, v, tg.idx, tg.w, sc.dense)
		}
	}
	f.pool.Put(sc)
	p.mu.Lock()
	if s2, ok := p.trans[int32(a)]; ok {
		s = s2
	} else {
		p.trans[int32(a)] = s
	}
	p.mu.Unlock()
	return s
}

// switchTurnover returns the turnover at bar t from the path's book, set to
// its target on bar a and drifting since, to the target of sleeve to.
func (f *megacapFast) switchTurnover(p *mcPath, a, t int, g float64, to mcSleeve) mcTurn {
	key := mcTurnKey{int32(a), int32(t), to}
	p.mu.Lock()
	r, ok := p.turn[key]
	p.mu.Unlock()
	if ok {
		return r
	}
	// The book set on bar a holds, at t, the assets of its target whose
	// price did not end in (a, t] (the others were sold into cash), in the
	// units bought on a; g is its value at t. No need to replay the bars.
	sc := f.scratch()
	b := &sc.book
	for _, i := range b.held {
		b.units[i] = 0
	}
	b.held = b.held[:0]
	from := f.cachedTarget(sc, p.key.q, a)
	N := f.N
	pxa, last := f.m.px[a*N:(a+1)*N], f.lastNaN[t*N:(t+1)*N]
	for j, i := range from.idx {
		if x := from.w[j]; x != 0 && last[i] < int32(a) {
			b.units[i] = x / pxa[i]
			b.held = append(b.held, i)
		}
	}
	tg := f.cachedTarget(sc, to, t)
	r.u, r.tr = b.turnover(f, t, g, tg.idx, tg.w, sc.dense)
	f.pool.Put(sc)
	p.mu.Lock()
	p.turn[key] = r
	p.mu.Unlock()
	return r
}

// Evaluate computes the metrics of each point on the whole panel.
func (f *megacapFast) Evaluate(points []engine.Params, assets []int, out []engine.Metrics) error {
	if assets != nil {
		return errors.New("megacap_rotation is a portfolio strategy: per-asset mode does not apply")
	}
	sc := f.scratch()
	defer f.pool.Put(sc)
	for k, ps := range points {
		q, err := ParseMegacapParams(ps)
		if err != nil {
			return err
		}
		m, err := f.point(sc, q)
		if err != nil {
			return fmt.Errorf("megacap_rotation %s: %w", ps, err)
		}
		out[k] = m
	}
	return nil
}

// point composes one parameter point from the cached sleeves: one pass
// over the bars, run by run between decision bars, feeding the equity
// V[t] = V⁺(last decision) · G[t] straight into the metrics accumulator
// (the same calls engine.ComputeMetrics makes on the simulator's curve).
func (f *megacapFast) point(sc *mcScratch, q MegacapParams) (engine.Metrics, error) {
	T := f.T
	var opp []int
	if q.Exit == "hike" {
		opp = f.trig[opposite(q.Trigger)]
	}
	sc.eps = mcEpisodes(sc.eps[:0], T, f.trig[q.Trigger], opp, q)
	eps := sc.eps
	paths := [2]*mcPath{f.path(mcSleeve{}, q.Rebalance), f.path(q.sleeve(), q.Rebalance)}
	sleeves := [2]mcSleeve{{}, q.sleeve()}
	cal := paths[0].cal

	// Event decision bars in order: s0, x0, s1, x1, … (x = T: none).
	ei, inEp := 0, false // next episode, whether the next event is its exit
	nextEvent := func() int {
		if ei >= len(eps) {
			return T
		}
		if inEp {
			return eps[ei].x
		}
		return eps[ei].s
	}
	mode := 0
	if len(eps) > 0 && eps[0].s == 0 {
		mode, inEp = 1, true
	}
	ev := nextEvent()

	var st engine.ReturnStats
	v0 := f.cfg.InitialCapital
	st.Reset(v0)
	if T < 2 { // no return bar: no trade (the simulator trades on bars 0..T-2)
		return st.Metrics(f.cfg.PeriodsPerYear, 0, 0, 0), nil
	}
	u := paths[mode].u[0]
	c := f.costRate*u*v0 + f.fixed*float64(paths[mode].tr[0])
	vp := v0 - c
	turnSum, costSum := u, c
	exposed := 0
	charge := func(t int, v, u float64, tr int32) error {
		c := f.costRate*u*v + f.fixed*float64(tr)
		vp = v - c
		if !(vp > 0) {
			return fmt.Errorf("bar %d (%s): costs of %.6g exceed the portfolio's value %.6g", t, f.m.p.Dates[t], c, v)
		}
		turnSum += u
		costSum += c
		return nil
	}
	rc, bench := f.rc, f.cfg.Benchmark
	nan := math.NaN()
	var seg *mcSegment
	for t := 1; ; {
		// The run of bars t..d follows one source; d is the next decision
		// bar (or the last bar).
		G, ex, off := paths[mode].G, paths[mode].ex, 0
		if seg != nil {
			G, ex, off = seg.G, seg.ex, seg.a+1
		}
		d := t
		if !cal.ends[t] {
			d = int(cal.next[t])
		}
		d = min(d, ev, T-1)
		G, ex = G[t-off:d-off+1], ex[t-off:d-off+1]
		var v float64
		if bench == nil {
			for j, g := range G {
				v = vp * g
				st.Add(v, rc[t+j], nan)
				if ex[j] {
					exposed++
				}
			}
		} else {
			for j, g := range G {
				v = vp * g
				st.Add(v, rc[t+j], bench[t+j])
				if ex[j] {
					exposed++
				}
			}
		}
		t = d
		if t == T-1 {
			break
		}
		if t == ev {
			a := int(cal.prev[t])
			if seg != nil {
				a = seg.a
			}
			r := f.switchTurnover(paths[mode], a, t, G[len(G)-1], sleeves[1-mode])
			if err := charge(t, v, r.u, r.tr); err != nil {
				return engine.Metrics{}, err
			}
			mode = 1 - mode
			if inEp {
				ei++
			}
			inEp = !inEp
			ev = nextEvent()
			seg = nil
			if !cal.ends[t] {
				seg = f.transient(paths[mode], t)
			}
		} else { // a scheduled rebalance
			u, tr := paths[mode].u[t], paths[mode].tr[t]
			if seg != nil {
				u, tr = seg.uEnd, seg.trEnd
				seg = nil
			}
			if err := charge(t, v, u, tr); err != nil {
				return engine.Metrics{}, err
			}
		}
		t++
	}
	return st.Metrics(f.cfg.PeriodsPerYear, turnSum, costSum, exposed), nil
}
