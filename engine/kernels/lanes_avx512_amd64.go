//go:build goexperiment.simd && amd64 && !purego

package kernels

// laneAsm reports that the two-pair clean tiles run in AVX-512 assembly.
const laneAsm = true

// tileJob is two pairs' states and their SMA tiles for tileCleanJobs.
type tileJob struct {
	st, su       *laneState
	f, s, f2, s2 *float64
}

// kkFactorValue is kkFactor for the assembly.
var kkFactorValue float64 = kkFactor

// tileCleanJobs runs runTileClean2 on n rows (1 ≤ n ≤ laneTile) for each
// of the njobs ≥ 1 jobs, in assembly: per job, one loop carries the
// signal, equity, drawdown and sums of both pairs with the whole state in
// registers and stores the signals as bytes in sig (the held lanes before
// the tile at sig[0], row k at sig[1+k]; the second pair's at 256 more);
// then the exposure and switch counts are taken from the bytes with
// VPTESTMB and POPCNT, and held and the threshold set. terms points at
// the terms row of the tile's first return; rows0 and rows1 have bit k set
// for each row k < n and 64+k < n (rowMask).
//
//go:noescape
func tileCleanJobs(jobs *tileJob, njobs int, terms *float64, sig *byte, n int, rows0, rows1 uint64)

// smaRows is the row loop of laneScratch.smaTile in assembly: n ≥ 1
// rows of 8 lanes, each pointer at its first row.
//
//go:noescape
func smaRows(dst, hT, hJ, lT, lJ, mT, mJ, run, x *float64, n int, w float64)

// sigBuf holds a tile's signal bytes after the signal before it.
type sigBuf [256]byte

var _ [len(sigBuf{}) - laneTile - 1]struct{}

// cleanJobs builds the jobs of the pairs k, k+1 for k = 0, 2, ...: the
// SMA tiles stay at the same addresses from tile to tile.
func (sc *laneScratch) cleanJobs(pairs []Pair) []tileJob {
	sc.jobs = sc.jobs[:0]
	for k := 0; k+2 <= len(pairs); k += 2 {
		p, q := pairs[k], pairs[k+1]
		sc.jobs = append(sc.jobs, tileJob{
			st: &sc.state[k], su: &sc.state[k+1],
			f: &sc.smaOf(p.Fast)[0], s: &sc.smaOf(p.Slow)[0],
			f2: &sc.smaOf(q.Fast)[0], s2: &sc.smaOf(q.Slow)[0],
		})
	}
	return sc.jobs
}

// runCleanJobs runs the jobs on decision bars t0..t1-1.
func (sc *laneScratch) runCleanJobs(jobs []tileJob, t0, t1 int) {
	m := t1 - t0
	if m <= 0 || len(jobs) == 0 {
		return
	}
	if m > laneTile {
		panic("kernels: tile too long")
	}
	terms := sc.terms[(t0+1)*32 : (t1+1)*32]
	rows := rowMask(m)
	tileCleanJobs(&jobs[0], len(jobs), &terms[0], &sc.sig[0][0], m, rows[0], rows[1])
}
