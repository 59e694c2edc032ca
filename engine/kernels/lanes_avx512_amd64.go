//go:build goexperiment.simd && amd64 && !purego

package kernels

// laneAsm reports that the two-pair clean tile runs in AVX-512 assembly.
const laneAsm = true

// tileClean2AVX512 is the main loop of runTileClean2 for n ≥ 1 rows in
// assembly: the signal, equity, drawdown and sums of both pairs in one
// loop with the whole state in registers. f, s, f2, s2 point at the
// tile's SMA rows, terms at the terms row of the tile's first return. The
// signals are stored as bytes at sig[1..n] and sig2[1..n] for
// countSignals; the switch and exposure counts and held are left to the
// caller.
//
//go:noescape
func tileClean2AVX512(st, su *laneState, f, s, f2, s2, terms *float64, sig, sig2 *byte, n int)

// countSignals counts, per lane, the rows of sig[1..n] with the lane's bit
// set (cnt[0:8]) and the rows where it differs from the row before
// (cnt[8:16]), sig[0] being the row before the first.
//
//go:noescape
func countSignals(sig *byte, n int, cnt *[16]uint64)

// sigBuf holds a tile's signal bytes after the signal before it.
type sigBuf [laneTile + 64]byte

var _ [len(sigBuf{}) - laneTile - 1]struct{}

// runTileClean2Asm is runTileClean2 through tileClean2AVX512.
func (sc *laneScratch) runTileClean2Asm(st, su *laneState, f, s, f2, s2 []float64, t0, t1 int) {
	m := t1 - t0
	if m <= 0 {
		return
	}
	terms := sc.terms[(t0+1)*32 : (t1+1)*32]
	n := m * 8
	f, s, f2, s2 = f[:n], s[:n], f2[:n], s2[:n]
	a, b := &sc.sig[0], &sc.sig[1]
	a[0], b[0] = st.heldBits(), su.heldBits()
	tileClean2AVX512(st, su, &f[0], &s[0], &f2[0], &s2[0], &terms[0], &a[0], &b[0], m)
	st.addSignals(a, m)
	su.addSignals(b, m)
	st.setThreshold()
	su.setThreshold()
}

// heldBits is the held lanes as bits.
func (st *laneState) heldBits() byte {
	var b byte
	for l := range 8 {
		if st.held[l] != 0 {
			b |= 1 << l
		}
	}
	return b
}

// addSignals adds the exposure and switch counts of the tile's m signal
// rows in sg to st and sets the held lanes from the last row.
func (st *laneState) addSignals(sg *sigBuf, m int) {
	var cnt [16]uint64
	for c := 0; c < m; c += 128 {
		countSignals(&sg[c], min(m-c, 128), &cnt)
		for l := range 8 {
			st.expo[l] += float64(cnt[l])
			st.sw[l] += float64(cnt[8+l])
		}
	}
	last := sg[m]
	for l := range 8 {
		st.held[l] = float64(last >> l & 1)
	}
}
