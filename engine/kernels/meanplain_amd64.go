//go:build amd64 && !purego

package kernels

// meanPlainAsmBuilt reports that meanPlain runs in assembly.
const meanPlainAsmBuilt = true

// meanPlainAsm is meanPlainGo two elements at a time (SSE2 DIVPD): all n
// elements of each slice must exist.
//
//go:noescape
func meanPlainAsm(out, hiT, hiJ, loT, loJ *float64, n int, fn float64)

// meanPlain computes meanPlainGo's means in assembly.
func meanPlain(out, hiT, hiJ, loT, loJ []float64, fn float64) {
	n := len(out)
	if n == 0 {
		return
	}
	hiT, hiJ, loT, loJ = hiT[:n], hiJ[:n], loT[:n], loJ[:n]
	meanPlainAsm(&out[0], &hiT[0], &hiJ[0], &loT[0], &loJ[0], n, fn)
}
