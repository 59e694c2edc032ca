//go:build goexperiment.simd && amd64 && purego

package kernels

const laneAsm = false

// The assembly's types and calls, unused without it.
type (
	tileJob struct{}
	sigBuf  [0]byte
)

func (sc *laneScratch) cleanJobs(pairs []Pair) []tileJob { return nil }

func (sc *laneScratch) runCleanJobs(jobs []tileJob, t0, t1 int) {}

func smaRows(dst, hT, hJ, lT, lJ, mT, mJ, run, x *float64, n int, w float64) {}
