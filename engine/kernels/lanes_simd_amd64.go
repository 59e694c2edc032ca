//go:build goexperiment.simd && amd64

package kernels

import (
	"math"
	"simd/archsimd"
	"sync"
)

var simdEnabled = archsimd.X86.AVX512()

// laneTile is the number of bars per time tile: the SMA tiles of a typical
// grid (25 windows × 256 bars × 8 lanes × 8 bytes = 400 KiB) stay in L2.
const laneTile = 256

// laneState is one pair's running state across tiles, lane by lane.
type laneState struct {
	v, peak, mdd, kk, days, p  [8]float64
	sum, sq, dsq, mn, mx       [8]float64
	expo, sw, del, costs, held [8]float64
	up, below                  uint8 // masks: V at its running maximum, V below it
}

type laneScratch struct {
	ret, x, run  []float64 // [T][8]: returns (bar t), prices, equal runs
	hi, lo, miss []float64 // [T+1][8]: prefix sums and missing counts
	dirty        []bool    // per tile: a held lane may meet a missing return
	sma          []float64 // [windows][laneTile][8]
	state        []laneState
	tmp          []float64
	xa, xb       []float64 // [laneTile][8] bar returns of two pairs
	g            gridScratch
	p            Prefix
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
	sc.xa = grow(sc.xa, laneTile*8)
	sc.xb = grow(sc.xb, laneTile*8)
	if cap(sc.state) < len(pairs) {
		sc.state = make([]laneState, len(pairs))
	}
	sc.state = sc.state[:len(pairs)]
	for k := range sc.state {
		sc.state[k].init()
	}
	for t0, tile := 0, 0; t0 < n; t0, tile = t0+laneTile, tile+1 {
		t1 := min(t0+laneTile, n)
		for w, win := range sc.g.windows {
			sc.smaTile(sc.sma[w*laneTile*8:(w+1)*laneTile*8], win, t0, t1)
		}
		clean := !sc.dirty[tile] && c == 0
		k := 0
		if clean {
			for ; k+1 < len(pairs); k += 2 {
				a, b := pairs[k], pairs[k+1]
				fa := sc.sma[int(sc.g.slot[a.Fast])*laneTile*8:]
				sa := sc.sma[int(sc.g.slot[a.Slow])*laneTile*8:]
				fb := sc.sma[int(sc.g.slot[b.Fast])*laneTile*8:]
				sb := sc.sma[int(sc.g.slot[b.Slow])*laneTile*8:]
				runTile2(&sc.state[k], &sc.state[k+1], fa, sa, fb, sb, sc.ret, t0, t1, sc.xa, sc.xb)
			}
		}
		for ; k < len(pairs); k++ {
			p := pairs[k]
			f := sc.sma[int(sc.g.slot[p.Fast])*laneTile*8:]
			s := sc.sma[int(sc.g.slot[p.Slow])*laneTile*8:]
			runTile(&sc.state[k], f, s, sc.ret, t0, t1, c)
		}
	}
	np := len(pairs)
	for k := range pairs {
		st := &sc.state[k]
		for l := range prices {
			out[l*np+k] = st.result(l, n)
		}
	}
	return true
}

// layout builds the interleaved [t][8] arrays of up to 8 series; missing
// lanes are all-missing series (never held).
func (sc *laneScratch) layout(prices [][]float64) {
	T := len(prices[0])
	sc.ret = grow(sc.ret, T*8)
	sc.x = grow(sc.x, T*8)
	sc.run = grow(sc.run, T*8)
	sc.hi = grow(sc.hi, (T+1)*8)
	sc.lo = grow(sc.lo, (T+1)*8)
	sc.miss = grow(sc.miss, (T+1)*8)
	ntiles := (T - 1 + laneTile - 1) / laneTile
	if cap(sc.dirty) < ntiles {
		sc.dirty = make([]bool, ntiles)
	}
	sc.dirty = sc.dirty[:ntiles]
	clear(sc.dirty)
	nan := math.NaN()
	for l := 0; l < 8; l++ {
		if l >= len(prices) {
			for t := 0; t < T; t++ {
				sc.ret[t*8+l], sc.x[t*8+l], sc.run[t*8+l] = nan, nan, 0
			}
			for t := 0; t <= T; t++ {
				sc.hi[t*8+l], sc.lo[t*8+l], sc.miss[t*8+l] = 0, 0, float64(t)
			}
			continue
		}
		price := prices[l]
		sc.p.Reset(price)
		sc.tmp = AppendReturns(sc.tmp[:0], price)
		for t := 0; t < T; t++ {
			sc.ret[t*8+l], sc.x[t*8+l], sc.run[t*8+l] = sc.tmp[t], price[t], sc.p.Run[t]
			if t+1 < T && !missing(price[t]) && missing(sc.tmp[t+1]) {
				sc.dirty[t/laneTile] = true
			}
		}
		for t := 0; t <= T; t++ {
			sc.hi[t*8+l], sc.lo[t*8+l], sc.miss[t*8+l] = sc.p.Hi[t], sc.p.Lo[t], sc.p.Miss[t]
		}
	}
	sc.p.X = nil
}

// smaTile writes the SMA of window win for decision bars t0..t1-1 into
// dst rows 0..t1-t0-1, with the operations of Prefix.AppendMean.
func (sc *laneScratch) smaTile(dst []float64, win, t0, t1 int) {
	nan := archsimd.BroadcastFloat64x8(math.NaN())
	wv := archsimd.BroadcastFloat64x8(float64(win))
	t := t0
	for ; t < t1 && t < win-1; t++ {
		nan.Store(row(dst, t-t0))
	}
	for ; t < t1; t++ {
		j := t + 1 - win
		hiT := archsimd.LoadFloat64x8(row(sc.hi, t+1))
		hiJ := archsimd.LoadFloat64x8(row(sc.hi, j))
		loT := archsimd.LoadFloat64x8(row(sc.lo, t+1))
		loJ := archsimd.LoadFloat64x8(row(sc.lo, j))
		s := hiT.Sub(hiJ).Add(loT.Sub(loJ)).Div(wv)
		run := archsimd.LoadFloat64x8(row(sc.run, t))
		x := archsimd.LoadFloat64x8(row(sc.x, t))
		s = x.Merge(s, run.GreaterEqual(wv))
		mT := archsimd.LoadFloat64x8(row(sc.miss, t+1))
		mJ := archsimd.LoadFloat64x8(row(sc.miss, j))
		s = nan.Merge(s, mT.NotEqual(mJ))
		s.Store(row(dst, t-t0))
	}
}

func (st *laneState) init() {
	*st = laneState{}
	for l := 0; l < 8; l++ {
		st.v[l], st.peak[l], st.kk[l] = 1, 1, 1
		st.mn[l], st.mx[l] = math.Inf(1), math.Inf(-1)
	}
	st.up = 0xff
}

// result converts lane l's state after n decision bars to CrossStats.
func (st *laneState) result(l, n int) CrossStats {
	days := st.days[l]
	if st.below&(1<<l) != 0 {
		days = max(days, float64(n)-st.p[l])
	}
	return CrossStats{
		N: n, Sum: st.sum[l], SumSq: st.sq[l], SumDownSq: st.dsq[l],
		Min: st.mn[l], Max: st.mx[l], Equity: st.v[l],
		MaxDrawdown: st.mdd[l], MaxDrawdownDays: int(days),
		Exposure: int(st.expo[l]), Switches: int(st.sw[l]), Costs: st.costs[l],
		Delistings: int(st.del[l]),
	}
}

// kkFactor widens the drawdown threshold by 1e-12 (see crossRun).
const kkFactor = 1 + 1e-12

// runTile advances one pair over decision bars t0..t1-1 with every rule:
// missing returns of held lanes (delistings) and costs.
func runTile(st *laneState, f, s, ret []float64, t0, t1 int, c float64) {
	one := archsimd.BroadcastFloat64x8(1)
	zero := archsimd.BroadcastFloat64x8(0)
	cv := archsimd.BroadcastFloat64x8(c)
	omc := archsimd.BroadcastFloat64x8(1 - c)
	kc := archsimd.BroadcastFloat64x8(kkFactor)
	costly := 1-c != 1
	v := archsimd.LoadFloat64x8(&st.v)
	peak := archsimd.LoadFloat64x8(&st.peak)
	mdd := archsimd.LoadFloat64x8(&st.mdd)
	kk := archsimd.LoadFloat64x8(&st.kk)
	days := archsimd.LoadFloat64x8(&st.days)
	p := archsimd.LoadFloat64x8(&st.p)
	sum := archsimd.LoadFloat64x8(&st.sum)
	sq := archsimd.LoadFloat64x8(&st.sq)
	dsq := archsimd.LoadFloat64x8(&st.dsq)
	mn := archsimd.LoadFloat64x8(&st.mn)
	mx := archsimd.LoadFloat64x8(&st.mx)
	expo := archsimd.LoadFloat64x8(&st.expo)
	sw := archsimd.LoadFloat64x8(&st.sw)
	del := archsimd.LoadFloat64x8(&st.del)
	costs := archsimd.LoadFloat64x8(&st.costs)
	held := archsimd.LoadFloat64x8(&st.held)
	upPrev := archsimd.Mask64x8FromBits(st.up)
	belPrev := archsimd.Mask64x8FromBits(st.below)
	iv := archsimd.BroadcastFloat64x8(float64(t0))
	for t := t0; t < t1; t++ {
		k := t - t0
		tgt := archsimd.LoadFloat64x8(row(f, k)).Greater(archsimd.LoadFloat64x8(row(s, k)))
		tgtF := one.Masked(tgt)
		swM := tgtF.NotEqual(held)
		sw = sw.Add(one.Masked(swM))
		xr := archsimd.LoadFloat64x8(row(ret, t+1))
		ok := xr.Sub(xr).Equal(zero)
		hM := tgt.And(ok)
		heldF := one.Masked(hM)
		expo = expo.Add(tgtF)
		del = del.Add(tgtF.Sub(heldF))
		held = heldF
		x := xr.Masked(hM)
		g := one.Add(x)
		rs := x
		if costly {
			costs = costs.Add(cv.Mul(v).Masked(swM))
			g = omc.Merge(one, swM).Mul(g)
			rs = g.Sub(one).Merge(x, swM)
		} else if c != 0 {
			costs = costs.Add(cv.Mul(v).Masked(swM))
		}
		v = v.Mul(g)
		sum = sum.Add(rs)
		sq = sq.Add(rs.Mul(rs))
		neg := rs.Min(zero)
		dsq = dsq.Add(neg.Mul(neg))
		mn = mn.Min(rs)
		mx = mx.Max(rs)
		iv1 := iv.Add(one)
		upM := v.GreaterEqual(peak)
		belM := v.Less(peak)
		days = days.Max(iv1.Sub(p).Masked(upM.And(belPrev)))
		p = iv.Merge(p, belM.And(upPrev))
		upPrev, belPrev = upM, belM
		peak = peak.Max(v)
		if v.Less(peak.Mul(kk)).ToBits() != 0 {
			mdd = mdd.Max(one.Sub(v.Div(peak)))
			kk = one.Min(one.Sub(mdd).Mul(kc))
		}
		iv = iv1
	}
	v.Store(&st.v)
	peak.Store(&st.peak)
	mdd.Store(&st.mdd)
	kk.Store(&st.kk)
	days.Store(&st.days)
	p.Store(&st.p)
	sum.Store(&st.sum)
	sq.Store(&st.sq)
	dsq.Store(&st.dsq)
	mn.Store(&st.mn)
	mx.Store(&st.mx)
	expo.Store(&st.expo)
	sw.Store(&st.sw)
	del.Store(&st.del)
	costs.Store(&st.costs)
	held.Store(&st.held)
	st.up, st.below = upPrev.ToBits(), belPrev.ToBits()
}

// runTile2 advances two pairs over a tile where no held lane can meet a
// missing return and there is no cost. Go's register allocator gives SIMD
// code 15 vector registers, too few for two pairs' whole state, so the
// work is split in passes that each keep their state in registers: the
// first runs both pairs at once (signals, switches, exposure, the bar
// returns, their minimum and maximum; the shared returns are loaded once
// and the two pairs' chains overlap) and writes each pair's returns to an
// L1-resident buffer; the second runs the equity, drawdown and sums of one
// pair from its buffer.
func runTile2(a, b *laneState, fa, sa, fb, sb, ret []float64, t0, t1 int, xa, xb []float64) {
	signals2(a, b, fa, sa, fb, sb, ret, t0, t1, xa, xb)
	equity(a, xa, t0, t1)
	equity(b, xb, t0, t1)
}

func signals2(a, b *laneState, fa, sa, fb, sb, ret []float64, t0, t1 int, xa, xb []float64) {
	one := archsimd.BroadcastFloat64x8(1)
	helda := archsimd.LoadFloat64x8(&a.held)
	heldb := archsimd.LoadFloat64x8(&b.held)
	expoa := archsimd.LoadFloat64x8(&a.expo)
	expob := archsimd.LoadFloat64x8(&b.expo)
	swa := archsimd.LoadFloat64x8(&a.sw)
	swb := archsimd.LoadFloat64x8(&b.sw)
	mna := archsimd.LoadFloat64x8(&a.mn)
	mnb := archsimd.LoadFloat64x8(&b.mn)
	mxa := archsimd.LoadFloat64x8(&a.mx)
	mxb := archsimd.LoadFloat64x8(&b.mx)
	for t := t0; t < t1; t++ {
		k := t - t0
		xr := archsimd.LoadFloat64x8(row(ret, t+1))
		tga := archsimd.LoadFloat64x8(row(fa, k)).Greater(archsimd.LoadFloat64x8(row(sa, k)))
		tgb := archsimd.LoadFloat64x8(row(fb, k)).Greater(archsimd.LoadFloat64x8(row(sb, k)))
		hfa := one.Masked(tga)
		hfb := one.Masked(tgb)
		swa = swa.Add(one.Masked(hfa.NotEqual(helda)))
		swb = swb.Add(one.Masked(hfb.NotEqual(heldb)))
		helda, heldb = hfa, hfb
		expoa = expoa.Add(hfa)
		expob = expob.Add(hfb)
		x := xr.Masked(tga)
		y := xr.Masked(tgb)
		mna = mna.Min(x)
		mnb = mnb.Min(y)
		mxa = mxa.Max(x)
		mxb = mxb.Max(y)
		x.Store(row(xa, k))
		y.Store(row(xb, k))
	}
	helda.Store(&a.held)
	heldb.Store(&b.held)
	expoa.Store(&a.expo)
	expob.Store(&b.expo)
	swa.Store(&a.sw)
	swb.Store(&b.sw)
	mna.Store(&a.mn)
	mnb.Store(&b.mn)
	mxa.Store(&a.mx)
	mxb.Store(&b.mx)
}

// equity runs one pair's equity, drawdown and sums over its bar returns
// xs (rows 0..t1-t0-1), with the operations of runTile.
func equity(st *laneState, xs []float64, t0, t1 int) {
	one := archsimd.BroadcastFloat64x8(1)
	v := archsimd.LoadFloat64x8(&st.v)
	peak := archsimd.LoadFloat64x8(&st.peak)
	kk := archsimd.LoadFloat64x8(&st.kk)
	days := archsimd.LoadFloat64x8(&st.days)
	p := archsimd.LoadFloat64x8(&st.p)
	sum := archsimd.LoadFloat64x8(&st.sum)
	sq := archsimd.LoadFloat64x8(&st.sq)
	dsq := archsimd.LoadFloat64x8(&st.dsq)
	upPrev := archsimd.Mask64x8FromBits(st.up)
	belPrev := archsimd.Mask64x8FromBits(st.below)
	iv := archsimd.BroadcastFloat64x8(float64(t0))
	for t := t0; t < t1; t++ {
		x := archsimd.LoadFloat64x8(row(xs, t-t0))
		v = v.Mul(one.Add(x))
		sum = sum.Add(x)
		sq = sq.Add(x.Mul(x))
		neg := x.Min(archsimd.Float64x8{})
		dsq = dsq.Add(neg.Mul(neg))
		iv1 := iv.Add(one)
		upM := v.GreaterEqual(peak)
		belM := v.Less(peak)
		days = days.Max(iv1.Sub(p).Masked(upM.And(belPrev)))
		p = iv.Merge(p, belM.And(upPrev))
		upPrev, belPrev = upM, belM
		peak = peak.Max(v)
		if v.Less(peak.Mul(kk)).ToBits() != 0 {
			mdd := archsimd.LoadFloat64x8(&st.mdd).Max(one.Sub(v.Div(peak)))
			mdd.Store(&st.mdd)
			kk = one.Min(one.Sub(mdd).Mul(archsimd.BroadcastFloat64x8(kkFactor)))
		}
		iv = iv1
	}
	v.Store(&st.v)
	peak.Store(&st.peak)
	kk.Store(&st.kk)
	days.Store(&st.days)
	p.Store(&st.p)
	sum.Store(&st.sum)
	sq.Store(&st.sq)
	dsq.Store(&st.dsq)
	st.up, st.below = upPrev.ToBits(), belPrev.ToBits()
}
