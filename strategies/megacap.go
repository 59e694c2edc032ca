package strategies

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/rotor-bt/rotor/engine"
)

// MegacapRotation is the flagship study of SEMANTICS §7: hold the
// cap-weighted universe, and around each turn of the rate cycle rotate out
// of the K largest assets (or into them).
//
// Rule: the base portfolio is every eligible asset (a price and a finite
// positive size on the bar) weighted by size. Events of the trigger kind
// (first_cut by default) are found on the whole rates series and carried
// by the first bar dated on or after them; events before the first bar are
// ignored (reported by Notes). An event on bar τ opens an episode: switch
// to the rotated portfolio at s = τ + lag and back at x = s + hold
// (exit=days: the rotated book earns exactly hold returns with fill close),
// at the first opposite event on a bar after s (exit=hike) or never
// (exit=never). Overlapping or touching episodes merge; a switch or exit on
// or after the last bar does nothing. The rotated portfolio is the eligible
// universe without the K largest (direction=out) or those K alone
// (direction=into), weighted equally or by size (weighting). Sizes are
// ranked on every decision bar, ties by symbol name.
//
// Timing: decision bars are bar 0, every scheduled period end (rebalance)
// and every switch and exit bar; on each the target replaces all weights
// (fill close, data ≤ t). Weights drift in between. An empty rotated set
// (e.g. K ≥ the number of eligible assets with direction=out) is all cash.
type MegacapRotation struct {
	q MegacapParams

	m        *mcPanel
	events   RotationEvents
	decision []bool // per bar: decision bar
	rotated  []bool // per bar: the target is the rotated portfolio
	ranked   []int32
	tgtIdx   []int32
	tgtW     []float64
	scratch  []bool
}

// MegacapParams are the resolved parameters of megacap_rotation.
type MegacapParams struct {
	K, Lag, Hold int
	Exit         string // days|hike|never
	Into         bool   // direction=into
	CapWeight    bool   // weighting=cap
	Rebalance    engine.Period
	Trigger      engine.EventKind
}

// ParseMegacapParams reads resolved megacap_rotation parameters.
func ParseMegacapParams(ps engine.Params) (MegacapParams, error) {
	get := func(n string) (engine.Value, error) {
		v, ok := ps.Get(n)
		if !ok {
			return v, fmt.Errorf("megacap_rotation: parameter %s missing", n)
		}
		return v, nil
	}
	var q MegacapParams
	var vals [8]engine.Value
	for j, n := range []string{"direction", "exit", "hold", "k", "lag", "rebalance", "trigger", "weighting"} {
		v, err := get(n)
		if err != nil {
			return q, err
		}
		vals[j] = v
	}
	q.Into = vals[0].S == "into"
	q.Exit = vals[1].S
	q.Hold, q.K, q.Lag = vals[2].Int(), vals[3].Int(), vals[4].Int()
	var err error
	if q.Rebalance, err = engine.ParsePeriod(vals[5].S); err != nil {
		return q, fmt.Errorf("megacap_rotation: %w", err)
	}
	if q.Trigger, err = engine.ParseEventKind(vals[6].S); err != nil {
		return q, fmt.Errorf("megacap_rotation: %w", err)
	}
	q.CapWeight = vals[7].S == "cap"
	return q, nil
}

func (q MegacapParams) sleeve() mcSleeve {
	return mcSleeve{rotated: true, k: q.K, into: q.Into, capW: q.CapWeight}
}

// Prepare computes sizes, events, episodes and the rebalance calendar.
func (s *MegacapRotation) Prepare(p *engine.Panel) error {
	m, err := newMCPanel(p)
	if err != nil {
		return err
	}
	s.m = m
	ev, err := FindRotationEvents(p, s.q.Trigger)
	if err != nil {
		return err
	}
	s.events = ev
	var opp []int
	if s.q.Exit == "hike" {
		oe, _ := FindRotationEvents(p, opposite(s.q.Trigger))
		opp = oe.Bars
	}
	T := p.T()
	eps := mcEpisodes(nil, T, ev.Bars, opp, s.q)
	s.decision = engine.PeriodEnds(p.Dates, s.q.Rebalance)
	if T > 0 {
		s.decision[0] = true
	}
	s.rotated = make([]bool, T)
	for _, e := range eps {
		s.decision[e.s] = true
		if e.x < T {
			s.decision[e.x] = true
		}
		for t := e.s; t < e.x && t < T; t++ {
			s.rotated[t] = true
		}
	}
	N := p.N()
	s.ranked = make([]int32, 0, N)
	s.tgtIdx = make([]int32, 0, N)
	s.tgtW = make([]float64, 0, N)
	s.scratch = make([]bool, N)
	return nil
}

// Decide sets the target on decision bars.
func (s *MegacapRotation) Decide(v engine.View, w []float64) (bool, error) {
	t := v.Bar()
	if !s.decision[t] {
		return false, nil
	}
	q := mcSleeve{}
	if s.rotated[t] {
		q = s.q.sleeve()
	}
	s.ranked = s.m.rank(s.ranked[:0], t)
	s.tgtIdx, s.tgtW = s.m.target(s.tgtIdx[:0], s.tgtW[:0], t, s.ranked, q, s.scratch)
	for j, i := range s.tgtIdx {
		w[i] = s.tgtW[j]
	}
	return true, nil
}

// Notes names the size source and the events the run ignored.
func (s *MegacapRotation) Notes() []string {
	out := []string{SizeNote(s.m.src)}
	if len(s.events.Before) > 0 {
		out = append(out, fmt.Sprintf("%s events before the first bar, ignored: %s", s.q.Trigger, eventDates(s.events.Before)))
	}
	return out
}

// Events returns the trigger events found on the prepared panel.
func (s *MegacapRotation) Events() RotationEvents { return s.events }

func eventDates(ev []engine.Event) string {
	ds := make([]string, len(ev))
	for j, e := range ev {
		ds[j] = e.Date.String()
	}
	return strings.Join(ds, ", ")
}

func opposite(k engine.EventKind) engine.EventKind {
	if k == engine.FirstCut {
		return engine.FirstHike
	}
	return engine.FirstCut
}

// RotationEvents are the events of one kind found on a panel's whole rates
// series (SEMANTICS §7): those carried by a bar (Events[j] on bar Bars[j]),
// and those dated before the first bar (ignored, to be reported) or after
// the last.
type RotationEvents struct {
	Kind   engine.EventKind
	Events []engine.Event
	Bars   []int
	Before []engine.Event
	After  []engine.Event
}

// FindRotationEvents finds the events of kind k on p's rates. A panel
// without rates is an error.
func FindRotationEvents(p *engine.Panel, k engine.EventKind) (RotationEvents, error) {
	r := p.Rates()
	ev := RotationEvents{Kind: k}
	if r == nil || len(r.Dates) == 0 {
		return ev, fmt.Errorf("megacap_rotation needs a rates series to find %s events, and the data has none (give one with --rates)", k)
	}
	all := engine.FindEvents(r, k)
	bars, outside := engine.EventBars(p.Dates, all)
	ev.Bars = bars
	for _, e := range all {
		if p.T() > 0 && e.Date >= p.Dates[0] && e.Date <= p.Dates[p.T()-1] {
			ev.Events = append(ev.Events, e)
		}
	}
	for _, e := range outside {
		if p.T() == 0 || e.Date < p.Dates[0] {
			ev.Before = append(ev.Before, e)
		} else {
			ev.After = append(ev.After, e)
		}
	}
	return ev, nil
}

// mcEpisode holds the rotated portfolio on bars s ≤ t < x (x = T: no exit).
type mcEpisode struct{ s, x int }

// mcEpisodes returns the merged episodes of q on a calendar of T bars from
// the trigger event bars trig and the opposite event bars opp (both
// sorted). Switches on or after the last bar are dropped; exits on or after
// it become x = T.
func mcEpisodes(dst []mcEpisode, T int, trig, opp []int, q MegacapParams) []mcEpisode {
	for _, tau := range trig {
		if q.Lag >= T-1-tau { // s = tau + lag on or after the last bar (no overflow)
			break
		}
		s := tau + q.Lag
		x := T
		switch q.Exit {
		case "days":
			if q.Hold < T-1-s {
				x = s + q.Hold
			}
		case "hike":
			j, _ := slices.BinarySearch(opp, s+1)
			if j < len(opp) {
				x = opp[j]
			}
		}
		if x >= T-1 {
			x = T
		}
		if n := len(dst); n > 0 && s <= dst[n-1].x {
			dst[n-1].x = max(dst[n-1].x, x)
			continue
		}
		dst = append(dst, mcEpisode{s, x})
	}
	return dst
}

// mcSleeve names one of the two portfolios: the cap-weighted base (the
// zero value) or a rotated set.
type mcSleeve struct {
	rotated bool
	k       int
	into    bool
	capW    bool
}

// mcPanel is what megacap_rotation derives from a panel once: the return
// prices and the size column. Cell (i, t) of px and size is at
// i*si + t*st: asset-major as in the panel (si = T, st = 1) or time-major
// (si = 1, st = N, see timeMajor) for loops over the assets of one bar.
type mcPanel struct {
	p      *engine.Panel
	T, N   int
	si, st int
	px     []float64 // return price column
	size   []float64 // engine.SizeColumn
	src    string
}

func newMCPanel(p *engine.Panel) (*mcPanel, error) {
	px := p.Column(p.PriceField())
	if px == nil {
		return nil, fmt.Errorf("megacap_rotation: the data has neither adj_close nor close")
	}
	size, src := engine.SizeColumn(p)
	if size == nil {
		return nil, fmt.Errorf("megacap_rotation: no size data: the panel needs shares_outstanding (market cap) or volume (dollar-volume proxy)")
	}
	return &mcPanel{p: p, T: p.T(), N: p.N(), si: p.T(), st: 1, px: px, size: size, src: src}, nil
}

// timeMajor returns a copy of m laid out time-major. The values, and so
// every weight computed from them, are the same.
func (m *mcPanel) timeMajor() *mcPanel {
	T, N := m.T, m.N
	q := *m
	q.si, q.st = 1, N
	q.px, q.size = make([]float64, T*N), make([]float64, T*N)
	const blk = 64 // transpose in tiles that stay in cache
	for i0 := 0; i0 < N; i0 += blk {
		for t0 := 0; t0 < T; t0 += blk {
			for i := i0; i < min(i0+blk, N); i++ {
				for t := t0; t < min(t0+blk, T); t++ {
					q.px[t*N+i] = m.px[i*T+t]
					q.size[t*N+i] = m.size[i*T+t]
				}
			}
		}
	}
	return &q
}

// at is the index of cell (i, t).
func (m *mcPanel) at(i, t int) int { return i*m.si + t*m.st }

// eligible reports whether asset i can be held on bar t: a price and a
// finite positive size.
func (m *mcPanel) eligible(i, t int) bool {
	k := m.at(i, t)
	x, z := m.px[k], m.size[k]
	return x == x && z > 0 && z-z == 0
}

// rank appends to dst the eligible assets of bar t from largest to smallest
// size, ties by column (symbol) order.
func (m *mcPanel) rank(dst []int32, t int) []int32 {
	for i := 0; i < m.N; i++ {
		if m.eligible(i, t) {
			dst = append(dst, int32(i))
		}
	}
	si, size := m.si, m.size[t*m.st:]
	slices.SortFunc(dst, func(a, b int32) int {
		za, zb := size[int(a)*si], size[int(b)*si]
		switch {
		case za > zb:
			return -1
		case za < zb:
			return 1
		}
		return int(a) - int(b)
	})
	return dst
}

// target appends the target of sleeve q on bar t as (asset, weight) pairs
// in column order, given the ranking of bar t. mark is scratch of length N
// (left all false).
func (m *mcPanel) target(idx []int32, w []float64, t int, ranked []int32, q mcSleeve, mark []bool) ([]int32, []float64) {
	si, size := m.si, m.size[t*m.st:]
	if !q.rotated {
		// Base: every eligible asset by size, summed in column order.
		var sum float64
		for i := 0; i < m.N; i++ {
			if m.eligible(i, t) {
				idx = append(idx, int32(i))
				sum += size[i*si]
			}
		}
		for _, i := range idx {
			w = append(w, size[int(i)*si]/sum)
		}
		return idx, w
	}
	top := ranked[:min(q.k, len(ranked))]
	for _, i := range top {
		mark[i] = true
	}
	var sum float64
	for i := 0; i < m.N; i++ {
		if mark[i] == q.into && m.eligible(i, t) {
			idx = append(idx, int32(i))
			sum += size[i*si]
		}
	}
	for _, i := range top {
		mark[i] = false
	}
	if len(idx) == 0 {
		return idx, w
	}
	if q.capW {
		for _, i := range idx {
			w = append(w, size[int(i)*si]/sum)
		}
	} else {
		x := 1 / float64(len(idx))
		for range idx {
			w = append(w, x)
		}
	}
	return idx, w
}

var megacapParamSpecs = []engine.ParamSpec{
	{Name: "direction", Kind: engine.EnumParam, Default: engine.Enum("out"), Choices: []string{"out", "into"},
		Doc: "out: the rotated portfolio is the universe without the K largest; into: the K largest alone"},
	{Name: "exit", Kind: engine.EnumParam, Default: engine.Enum("days"), Choices: []string{"days", "hike", "never"},
		Doc: "days: switch back hold bars after the switch; hike: at the first opposite event after the switch (a first hike for first_cut); never: stay rotated"},
	{Name: "hold", Kind: engine.BarsParam, Default: engine.Bars(252), Min: 1, Max: math.Inf(1),
		Doc: "with exit=days: bars the rotated portfolio is held (it earns exactly hold returns)"},
	{Name: "k", Kind: engine.IntParam, Default: engine.Int(7), Min: 1, Max: math.Inf(1),
		Doc: "number of mega-caps: the K eligible assets of largest size, re-ranked on every decision bar"},
	{Name: "lag", Kind: engine.BarsParam, Default: engine.Bars(0), Min: 0, Max: math.Inf(1),
		Doc: "bars from the event's bar to the switch (0: switch at the close of the event's bar)"},
	{Name: "rebalance", Kind: engine.EnumParam, Default: engine.Enum("monthly"), Choices: []string{"daily", "weekly", "monthly", "quarterly"},
		Doc: "scheduled rebalance of both portfolios: at the close of the last bar of each day, ISO week, month or quarter"},
	{Name: "trigger", Kind: engine.EnumParam, Default: engine.Enum("first_cut"), Choices: []string{"first_cut", "first_hike"},
		Doc: "the event that opens an episode: the first cut of an easing cycle or the first hike of a tightening cycle"},
	{Name: "weighting", Kind: engine.EnumParam, Default: engine.Enum("equal"), Choices: []string{"equal", "cap"},
		Doc: "weights within the rotated set: equal, or by size (size_i / Σ size over the set)"},
}

func init() {
	Register(&Spec{
		Name: "megacap_rotation",
		Doc: "Hold the cap-weighted universe; lag bars after each first rate cut (trigger) rotate out of " +
			"the K largest assets (direction=out) or into them (direction=into), weighted equally or by size, " +
			"for hold bars (exit=days), until the first opposite event (exit=hike) or for good (exit=never). " +
			"Events come from the whole rates series (those before the first bar are reported and ignored); " +
			"overlapping episodes merge. Decision bars: bar 0, every scheduled rebalance, every switch and exit " +
			"(fill close). Size is market cap when the data has share counts, else the 63-bar dollar-volume " +
			"proxy, and the source is printed (SEMANTICS §7).",
		Params: megacapParamSpecs,
		New: func(ps engine.Params) (engine.Strategy, error) {
			q, err := ParseMegacapParams(ps)
			if err != nil {
				return nil, err
			}
			return &MegacapRotation{q: q}, nil
		},
		Fast: newMegacapFast,
	})
}
