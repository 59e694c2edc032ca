//go:build amd64 && !purego

package kernels

// cleanPassAsm is cleanPassGo in assembly (SSE2): all n ≥ 1 elements of
// f, s, r, g, r2, d2 must exist.
//
//go:noescape
func cleanPassAsm(st *cleanState, f, s, r, g1, r2, d2 *float64, n int)

// cleanPass runs the clean pass (see cleanPassGo) in assembly.
func cleanPass(st *cleanState, f, s, r, g, r2, d2 []float64) {
	n := len(f)
	if n == 0 {
		return
	}
	s, r, g, r2, d2 = s[:n], r[:n], g[:n], r2[:n], d2[:n]
	cleanPassAsm(st, &f[0], &s[0], &r[0], &g[0], &r2[0], &d2[0], n)
}
