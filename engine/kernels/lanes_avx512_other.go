//go:build goexperiment.simd && amd64 && purego

package kernels

const laneAsm = false

// sigBuf is the assembly's signal buffer (unused without it).
type sigBuf [0]byte

func (sc *laneScratch) runTileClean2Asm(st, su *laneState, f, s, f2, s2 []float64, t0, t1 int) {
	sc.runTileClean2(st, su, f, s, f2, s2, t0, t1)
}
