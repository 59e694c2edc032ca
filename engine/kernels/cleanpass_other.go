//go:build !amd64 || purego

package kernels

// cleanPass runs the clean pass (see cleanPassGo).
func cleanPass(st *cleanState, f, s, r, g, r2, d2 []float64) {
	cleanPassGo(st, f, s, r, g, r2, d2)
}
