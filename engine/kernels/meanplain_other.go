//go:build !amd64 || purego

package kernels

// meanPlainAsmBuilt reports that meanPlain runs in assembly.
const meanPlainAsmBuilt = false

// meanPlain computes meanPlainGo's means.
func meanPlain(out, hiT, hiJ, loT, loJ []float64, fn float64) {
	meanPlainGo(out, hiT, hiJ, loT, loJ, fn)
}
