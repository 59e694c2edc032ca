//go:build goexperiment.simd && amd64

package kernels

import (
	"math"
	"simd/archsimd"
	"sync"
	"unsafe"
)

var simdEnabled = archsimd.X86.AVX512()

// useLaneAsm selects the assembly two-pair clean tile (tests switch it off
// to compare with the Go one).
var useLaneAsm = laneAsm

// laneTile is the number of bars per time tile. A pair's pass over a tile
// reads two SMA tiles and four return rows (6 × 128 × 64 B = 48 KiB, L1
// sized); the SMA tiles of a typical grid (25 windows: 200 KiB) stay in L2.
const laneTile = 128

// laneState is one pair's running state across tiles, lane by lane.
//
// The longest drawdown is tracked as age, the number of bars since the
// last bar at the running maximum: a bar at or above the maximum offers
// age+1 as a candidate (which is 1 when no drawdown came between, and at
// least 2 when one did) and resets age; so the final days are the largest
// candidate, with 1 meaning none, and the age of an unrecovered drawdown.
type laneState struct {
	v, peak, mdd, kk, days, age [8]float64
	sum, sq, dsq, mn, mx        [8]float64
	expo, sw, del, costs, held  [8]float64
}

type laneScratch struct {
	ret          []float64 // [T][8]: r of bar t
	terms        []float64 // [T][4][8]: 1+r, r, r², min(r,0)² of bar t
	sig          [2]sigBuf // the assembly's signal bytes
	jobs         []tileJob
	x, run       []float64 // [T][8]: prices, equal runs
	hi, lo, miss []float64 // [T+1][8]: prefix sums and missing counts
	dirty        []bool    // per tile: a held lane may meet a missing return
	sma          []float64 // [windows][laneTile][8]
	state        []laneState
	tmp          []float64
	g            gridScratch
}

var lanePool = sync.Pool{New: func() any { return new(laneScratch) }}

func row(a []float64, t int) *[8]float64 { return (*[8]float64)(a[t*8 : t*8+8]) }

func crossGridLanesSIMD(prices [][]float64, pairs []Pair, costBps float64, out []CrossStats) bool {
	T := len(prices[0])
	if !simdEnabled || T < 2 {
		return false
	}
	c := costRate(costBps)
	sc := lanePool.Get().(*laneScratch)
	defer lanePool.Put(sc)
	sc.g.index(pairs)
	sc.layout(prices)
	n := T - 1
	nw := len(sc.g.windows)
	sc.sma = grow(sc.sma, nw*laneTile*8)
	if cap(sc.state) < len(pairs) {
		sc.state = make([]laneState, len(pairs))
	}
	sc.state = sc.state[:len(pairs)]
	for k := range sc.state {
		sc.state[k].init()
	}
	var jobs []tileJob
	if useLaneAsm {
		jobs = sc.cleanJobs(pairs)
	}
	for t0, tile := 0, 0; t0 < n; t0, tile = t0+laneTile, tile+1 {
		t1 := min(t0+laneTile, n)
		for w, win := range sc.g.windows {
			sc.smaTile(sc.sma[w*laneTile*8:(w+1)*laneTile*8], win, t0, t1)
		}
		clean := !sc.dirty[tile] && c == 0
		k := 0
		switch {
		case clean && useLaneAsm:
			sc.runCleanJobs(jobs, t0, t1)
			k = 2 * len(jobs)
		case clean:
			for ; k+2 <= len(pairs); k += 2 {
				p, q := pairs[k], pairs[k+1]
				sc.runTileClean2(&sc.state[k], &sc.state[k+1], sc.smaOf(p.Fast), sc.smaOf(p.Slow), sc.smaOf(q.Fast), sc.smaOf(q.Slow), t0, t1)
			}
		}
		for ; k < len(pairs); k++ {
			p := pairs[k]
			f, s := sc.smaOf(p.Fast), sc.smaOf(p.Slow)
			if clean {
				sc.runTileClean(&sc.state[k], f, s, t0, t1)
			} else {
				runTile(&sc.state[k], f, s, sc.ret, t0, t1, c)
			}
		}
	}
	archsimd.ClearAVXUpperBits() // before scalar code (see vector_simd_amd64.go)
	np := len(pairs)
	for k := range pairs {
		st := &sc.state[k]
		for l := range prices {
			out[l*np+k] = st.result(l, n)
		}
	}
	return true
}

// smaOf is the current tile of window w's SMA.
func (sc *laneScratch) smaOf(w int) []float64 {
	return sc.sma[int(sc.g.slot[w])*laneTile*8:]
}

// layout builds the interleaved [t][8] arrays of up to 8 series; missing
// lanes are all-missing series (never held). The prefix sums, missing
// counts and equal runs are those of Prefix.Reset, lane by lane, with its
// operations in 8 lanes at once.
func (sc *laneScratch) layout(prices [][]float64) {
	T := len(prices[0])
	sc.ret = grow(sc.ret, T*8)
	sc.x = grow(sc.x, T*8)
	sc.run = grow(sc.run, T*8)
	sc.terms = grow(sc.terms, T*32)
	for _, a := range []*[]float64{&sc.hi, &sc.lo, &sc.miss} {
		*a = grow(*a, (T+1)*8)
	}
	ntiles := (T - 1 + laneTile - 1) / laneTile
	if cap(sc.dirty) < ntiles {
		sc.dirty = make([]bool, ntiles)
	}
	sc.dirty = sc.dirty[:ntiles]
	clear(sc.dirty)
	nan := math.NaN()
	ret, x := sc.ret[:T*8], sc.x[:T*8]
	for l := 0; l < 8; l++ {
		if l >= len(prices) {
			for t := 0; t < T; t++ {
				ret[t*8+l], x[t*8+l] = nan, nan
			}
			continue
		}
		price := prices[l][:T]
		sc.tmp = AppendReturns(sc.tmp[:0], price)
		r := sc.tmp[:T]
		for t, v := range price {
			ret[t*8+l], x[t*8+l] = r[t], v
		}
		for t := 0; t+1 < T; t++ {
			if !missing(price[t]) && missing(r[t+1]) {
				sc.dirty[t/laneTile] = true
			}
		}
	}
	one := archsimd.BroadcastFloat64x8(1)
	zero := archsimd.Float64x8{}
	var s, c, m, run archsimd.Float64x8
	prev := archsimd.BroadcastFloat64x8(nan)
	zero.Store(row(sc.hi, 0))
	zero.Store(row(sc.lo, 0))
	zero.Store(row(sc.miss, 0))
	for t := 0; t < T; t++ {
		v := archsimd.LoadFloat64x8(row(x, t))
		ok := v.Sub(v).Equal(zero)
		tt := s.Add(v)
		bb := tt.Sub(s)
		cc := c.Add(s.Sub(tt.Sub(bb)).Add(v.Sub(bb)))
		s = tt.Merge(s, ok)
		c = cc.Merge(c, ok)
		m = m.Merge(m.Add(one), ok)
		run = run.Add(one).Merge(one, v.Equal(prev)).Merge(zero, ok)
		prev = v
		s.Store(row(sc.hi, t+1))
		c.Store(row(sc.lo, t+1))
		m.Store(row(sc.miss, t+1))
		run.Store(row(sc.run, t))
		// Per-row terms shared by every pair, with the operations of
		// crossRun: 1+r, r, r·r and min(r,0)·min(r,0).
		rt := archsimd.LoadFloat64x8(row(ret, t))
		tm := sc.terms[t*32 : t*32+32]
		one.Add(rt).Store((*[8]float64)(tm[0:8]))
		rt.Store((*[8]float64)(tm[8:16]))
		rt.Mul(rt).Store((*[8]float64)(tm[16:24]))
		d := rt.Min(zero)
		d.Mul(d).Store((*[8]float64)(tm[24:32]))
	}
	archsimd.ClearAVXUpperBits()
}

// termRows is the terms of rows lo..hi-1 and a pointer to their first.
func (sc *laneScratch) termRows(lo, hi int) unsafe.Pointer {
	return unsafe.Pointer(&sc.terms[lo*32 : hi*32][0])
}

// Offsets of the terms in a row of laneScratch.terms.
const (
	termG  = 0
	termR  = 64
	termR2 = 128
	termD2 = 192
)

// smaTile writes the SMA of window win for decision bars t0..t1-1 into
// dst rows 0..t1-t0-1, with the operations of Prefix.AppendMean.
func (sc *laneScratch) smaTile(dst []float64, win, t0, t1 int) {
	nan := archsimd.BroadcastFloat64x8(math.NaN())
	wv := archsimd.BroadcastFloat64x8(float64(win))
	t := t0
	for ; t < t1 && t < win-1; t++ {
		nan.Store(row(dst, t-t0))
	}
	if t >= t1 {
		return
	}
	// Rows are read through pointers stepped by one row (64 bytes); the
	// slice expressions check each range once.
	m := t1 - t
	j := t + 1 - win
	if useLaneAsm {
		smaRows(&dst[(t-t0)*8 : (t1-t0)*8][0],
			&sc.hi[(t+1)*8 : (t1+1)*8][0], &sc.hi[j*8 : (j+m)*8][0],
			&sc.lo[(t+1)*8 : (t1+1)*8][0], &sc.lo[j*8 : (j+m)*8][0],
			&sc.miss[(t+1)*8 : (t1+1)*8][0], &sc.miss[j*8 : (j+m)*8][0],
			&sc.run[t*8 : t1*8][0], &sc.x[t*8 : t1*8][0], m, float64(win))
		return
	}
	dp := unsafe.Pointer(&dst[(t-t0)*8 : (t1-t0)*8][0])
	hT := unsafe.Pointer(&sc.hi[(t+1)*8 : (t1+1)*8][0])
	hJ := unsafe.Pointer(&sc.hi[j*8 : (j+m)*8][0])
	lT := unsafe.Pointer(&sc.lo[(t+1)*8 : (t1+1)*8][0])
	lJ := unsafe.Pointer(&sc.lo[j*8 : (j+m)*8][0])
	mT := unsafe.Pointer(&sc.miss[(t+1)*8 : (t1+1)*8][0])
	mJ := unsafe.Pointer(&sc.miss[j*8 : (j+m)*8][0])
	rp := unsafe.Pointer(&sc.run[t*8 : t1*8][0])
	xp := unsafe.Pointer(&sc.x[t*8 : t1*8][0])
	ld := func(p unsafe.Pointer, off uintptr) archsimd.Float64x8 {
		return archsimd.LoadFloat64x8((*[8]float64)(unsafe.Add(p, off)))
	}
	for k := 0; k < m; k++ {
		off := uintptr(k) * 64
		s := ld(hT, off).Sub(ld(hJ, off)).Add(ld(lT, off).Sub(ld(lJ, off))).Div(wv)
		s = ld(xp, off).Merge(s, ld(rp, off).GreaterEqual(wv))
		s = nan.Merge(s, ld(mT, off).NotEqual(ld(mJ, off)))
		s.Store((*[8]float64)(unsafe.Add(dp, off)))
	}
}

func (st *laneState) init() {
	*st = laneState{}
	for l := 0; l < 8; l++ {
		st.v[l], st.peak[l], st.kk[l] = 1, 1, 1
		st.mn[l], st.mx[l] = math.Inf(1), math.Inf(-1)
	}
}

// result converts lane l's state after n decision bars to CrossStats.
func (st *laneState) result(l, n int) CrossStats {
	days := st.days[l]
	if days == 1 {
		days = 0
	}
	if st.v[l] < st.peak[l] {
		days = max(days, st.age[l])
	}
	mn, mx := st.mn[l], st.mx[l]
	if st.expo[l] < float64(n) { // flat bars returned 0
		mn, mx = min(mn, 0), max(mx, 0)
	}
	return CrossStats{
		N: n, Sum: st.sum[l], SumSq: st.sq[l], SumDownSq: st.dsq[l],
		Min: mn, Max: mx, Equity: st.v[l],
		MaxDrawdown: st.mdd[l], MaxDrawdownDays: int(days),
		Exposure: int(st.expo[l]), Switches: int(st.sw[l]), Costs: st.costs[l],
		Delistings: int(st.del[l]),
	}
}

// kkFactor widens the drawdown threshold by 1e-12 (see crossRun).
const kkFactor = 1 + 1e-12

// drawdown advances the running maximum, the drawdown-duration age and,
// when a lane comes within the threshold of a new maximum drawdown, the
// maximum drawdown (a rare branch, as in crossRun).
func drawdown(st *laneState, v, peak, kk, days, age, one archsimd.Float64x8) (archsimd.Float64x8, archsimd.Float64x8, archsimd.Float64x8, archsimd.Float64x8) {
	up := v.GreaterEqual(peak)
	age1 := age.Add(one)
	days = days.Max(age1.Masked(up))
	age = archsimd.Float64x8{}.Merge(age1, up)
	peak = peak.Max(v)
	if v.Less(peak.Mul(kk)).ToBits() != 0 {
		mdd := archsimd.LoadFloat64x8(&st.mdd).Max(one.Sub(v.Div(peak)))
		mdd.Store(&st.mdd)
		kk = one.Min(one.Sub(mdd).Mul(archsimd.BroadcastFloat64x8(kkFactor)))
	}
	return peak, kk, days, age
}

// drawdownDiv is drawdown with the maximum drawdown updated on every bar
// (one division per bar instead of a data-dependent branch: with 8 lanes
// some lane is often near a new record, and the mispredictions cost more
// than the division). The results are the same: the maximum over all bars
// of 1 - V/peak equals the maximum over the bars the threshold selects.
func drawdownDiv(v, peak, mdd, days, age, one archsimd.Float64x8) (archsimd.Float64x8, archsimd.Float64x8, archsimd.Float64x8, archsimd.Float64x8) {
	up := v.GreaterEqual(peak)
	age1 := age.Add(one)
	days = days.Max(age1.Masked(up))
	age = archsimd.Float64x8{}.Merge(age1, up)
	peak = peak.Max(v)
	mdd = mdd.Max(one.Sub(v.Div(peak)))
	return peak, mdd, days, age
}

// setThreshold sets the drawdown threshold of runTile from the maximum
// drawdown, after a clean tile advanced the maximum without it.
func (st *laneState) setThreshold() {
	one := archsimd.BroadcastFloat64x8(1)
	mdd := archsimd.LoadFloat64x8(&st.mdd)
	one.Min(one.Sub(mdd).Mul(archsimd.BroadcastFloat64x8(kkFactor))).Store(&st.kk)
}

// runTile advances one pair over decision bars t0..t1-1 with every rule:
// missing returns of held lanes (delistings) and costs.
func runTile(st *laneState, f, s, ret []float64, t0, t1 int, c float64) {
	one := archsimd.BroadcastFloat64x8(1)
	zero := archsimd.Float64x8{}
	cv := archsimd.BroadcastFloat64x8(c)
	omc := archsimd.BroadcastFloat64x8(1 - c)
	costly := 1-c != 1
	v := archsimd.LoadFloat64x8(&st.v)
	peak := archsimd.LoadFloat64x8(&st.peak)
	kk := archsimd.LoadFloat64x8(&st.kk)
	days := archsimd.LoadFloat64x8(&st.days)
	age := archsimd.LoadFloat64x8(&st.age)
	held := archsimd.LoadFloat64x8(&st.held)
	for t := t0; t < t1; t++ {
		k := t - t0
		tgt := archsimd.LoadFloat64x8(row(f, k)).Greater(archsimd.LoadFloat64x8(row(s, k)))
		tgtF := one.Masked(tgt)
		swM := tgtF.NotEqual(held)
		sw := archsimd.LoadFloat64x8(&st.sw).Add(one.Masked(swM))
		sw.Store(&st.sw)
		xr := archsimd.LoadFloat64x8(row(ret, t+1))
		ok := xr.Sub(xr).Equal(zero)
		hM := tgt.And(ok)
		heldF := one.Masked(hM)
		archsimd.LoadFloat64x8(&st.expo).Add(tgtF).Store(&st.expo)
		archsimd.LoadFloat64x8(&st.del).Add(tgtF.Sub(heldF)).Store(&st.del)
		held = heldF
		x := xr.Masked(hM)
		g := one.Add(x)
		rs := x
		if c != 0 {
			archsimd.LoadFloat64x8(&st.costs).Add(cv.Mul(v).Masked(swM)).Store(&st.costs)
		}
		if costly {
			g = omc.Merge(one, swM).Mul(g)
			rs = g.Sub(one).Merge(x, swM)
		}
		v = v.Mul(g)
		archsimd.LoadFloat64x8(&st.sum).Add(rs).Store(&st.sum)
		archsimd.LoadFloat64x8(&st.sq).Add(rs.Mul(rs)).Store(&st.sq)
		neg := rs.Min(zero)
		archsimd.LoadFloat64x8(&st.dsq).Add(neg.Mul(neg)).Store(&st.dsq)
		archsimd.LoadFloat64x8(&st.mn).Min(rs).Store(&st.mn)
		archsimd.LoadFloat64x8(&st.mx).Max(rs).Store(&st.mx)
		peak, kk, days, age = drawdown(st, v, peak, kk, days, age, one)
	}
	v.Store(&st.v)
	peak.Store(&st.peak)
	kk.Store(&st.kk)
	days.Store(&st.days)
	age.Store(&st.age)
	held.Store(&st.held)
}

// runTileClean advances one pair over a tile where no held lane meets a
// missing return and there is no cost: every per-bar term of a held lane
// is a merge-masked operation on the shared rows 1+r, r, r², min(r,0)²
// (flat lanes keep their values, as a flat bar's return of 0 leaves them),
// so the whole state stays in registers.
func (sc *laneScratch) runTileClean(st *laneState, f, s []float64, t0, t1 int) {
	if t1 <= t0 {
		return
	}
	// Two loops over the tile, each with its state in registers: the first
	// decides the signal (kept as one byte per row) and carries the
	// equity and the drawdown, the second adds the held rows' terms to the
	// sums under the saved signal.
	var sig [laneTile]uint8
	sg := sig[:t1-t0]
	tp := sc.termRows(t0+1, t1+1)
	tileSignal(st, sg, f, s, tp)
	sum := archsimd.LoadFloat64x8(&st.sum)
	sq := archsimd.LoadFloat64x8(&st.sq)
	dsq := archsimd.LoadFloat64x8(&st.dsq)
	mn := archsimd.LoadFloat64x8(&st.mn)
	mx := archsimd.LoadFloat64x8(&st.mx)
	for k, b := range sg {
		off := uintptr(k) * 64
		tgt := archsimd.Mask64x8FromBits(b)
		r := load8(tp, 4*off+termR)
		sum = sum.Add(r).Merge(sum, tgt)
		sq = sq.Add(load8(tp, 4*off+termR2)).Merge(sq, tgt)
		dsq = dsq.Add(load8(tp, 4*off+termD2)).Merge(dsq, tgt)
		mn = mn.Min(r).Merge(mn, tgt)
		mx = mx.Max(r).Merge(mx, tgt)
	}
	sum.Store(&st.sum)
	sq.Store(&st.sq)
	dsq.Store(&st.dsq)
	mn.Store(&st.mn)
	mx.Store(&st.mx)
}

// spread8[b] has byte l equal to bit l of b.
var spread8 = func() (t [256]uint64) {
	for b := range t {
		for l := range 8 {
			t[b] |= uint64(b>>l&1) << (8 * l)
		}
	}
	return t
}()

// The byte counters of runTileClean hold at most a tile's rows.
var _ [255 - laneTile]struct{}

// runTileClean2 is runTileClean for two pairs at once: the loops carry two
// independent dependency chains and the sums' loop reads the shared rows
// once for both.
func (sc *laneScratch) runTileClean2(st, su *laneState, f, s, f2, s2 []float64, t0, t1 int) {
	if t1 <= t0 {
		return
	}
	var sig, sig2 [laneTile]uint8
	m := t1 - t0
	sg, sg2 := sig[:m], sig2[:m]
	tp := sc.termRows(t0+1, t1+1)
	tileSignal(st, sg, f, s, tp)
	tileSignal(su, sg2, f2, s2, tp)
	sg2 = sg2[:len(sg)]
	sum := archsimd.LoadFloat64x8(&st.sum)
	sq := archsimd.LoadFloat64x8(&st.sq)
	dsq := archsimd.LoadFloat64x8(&st.dsq)
	mn := archsimd.LoadFloat64x8(&st.mn)
	mx := archsimd.LoadFloat64x8(&st.mx)
	sum2 := archsimd.LoadFloat64x8(&su.sum)
	sq2 := archsimd.LoadFloat64x8(&su.sq)
	dsq2 := archsimd.LoadFloat64x8(&su.dsq)
	mn2 := archsimd.LoadFloat64x8(&su.mn)
	mx2 := archsimd.LoadFloat64x8(&su.mx)
	for k, b := range sg {
		off := uintptr(k) * 64
		tgt := archsimd.Mask64x8FromBits(b)
		tgt2 := archsimd.Mask64x8FromBits(sg2[k])
		r := load8(tp, 4*off+termR)
		r2 := load8(tp, 4*off+termR2)
		d2 := load8(tp, 4*off+termD2)
		sum = sum.Add(r).Merge(sum, tgt)
		sq = sq.Add(r2).Merge(sq, tgt)
		dsq = dsq.Add(d2).Merge(dsq, tgt)
		mn = mn.Min(r).Merge(mn, tgt)
		mx = mx.Max(r).Merge(mx, tgt)
		sum2 = sum2.Add(r).Merge(sum2, tgt2)
		sq2 = sq2.Add(r2).Merge(sq2, tgt2)
		dsq2 = dsq2.Add(d2).Merge(dsq2, tgt2)
		mn2 = mn2.Min(r).Merge(mn2, tgt2)
		mx2 = mx2.Max(r).Merge(mx2, tgt2)
	}
	sum.Store(&st.sum)
	sq.Store(&st.sq)
	dsq.Store(&st.dsq)
	mn.Store(&st.mn)
	mx.Store(&st.mx)
	sum2.Store(&su.sum)
	sq2.Store(&su.sq)
	dsq2.Store(&su.dsq)
	mn2.Store(&su.mn)
	mx2.Store(&su.mx)
}

// tileSignal is the first loop of runTileClean: it stores the signal's
// bits per row in sg and advances the counts, the equity and the
// drawdown of one pair.
func tileSignal(st *laneState, sg []uint8, f, s []float64, tp unsafe.Pointer) {
	var prev uint8
	for l := range 8 {
		if st.held[l] != 0 {
			prev |= 1 << l
		}
	}
	var ex, swc uint64
	m := len(sg)
	fp := unsafe.Pointer(&f[:m*8][0])
	spt := unsafe.Pointer(&s[:m*8][0])
	one := archsimd.BroadcastFloat64x8(1)
	v := archsimd.LoadFloat64x8(&st.v)
	peak := archsimd.LoadFloat64x8(&st.peak)
	mdd := archsimd.LoadFloat64x8(&st.mdd)
	days := archsimd.LoadFloat64x8(&st.days)
	age := archsimd.LoadFloat64x8(&st.age)
	for k := range sg {
		off := uintptr(k) * 64
		tgt := archsimd.LoadFloat64x8((*[8]float64)(unsafe.Add(fp, off))).Greater(archsimd.LoadFloat64x8((*[8]float64)(unsafe.Add(spt, off))))
		b := tgt.ToBits()
		sg[k] = b
		ex += spread8[b]
		swc += spread8[b^prev]
		prev = b
		v = v.Mul(load8(tp, 4*off+termG)).Merge(v, tgt)
		peak, mdd, days, age = drawdownDiv(v, peak, mdd, days, age, one)
	}
	v.Store(&st.v)
	peak.Store(&st.peak)
	mdd.Store(&st.mdd)
	st.setThreshold()
	days.Store(&st.days)
	age.Store(&st.age)
	for l := range 8 {
		st.expo[l] += float64(ex >> (8 * l) & 0xff)
		st.sw[l] += float64(swc >> (8 * l) & 0xff)
		st.held[l] = float64(prev >> l & 1)
	}
}

// rowMask has bits 0..n-1 set, for n ≤ 128.
func rowMask(n int) (m [2]uint64) {
	for k := range m {
		switch r := n - 64*k; {
		case r >= 64:
			m[k] = ^uint64(0)
		case r > 0:
			m[k] = 1<<r - 1
		}
	}
	return m
}
