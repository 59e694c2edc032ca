package kernels

// meanPlainGo sets out[k] = ((hiT[k] - hiJ[k]) + (loT[k] - loJ[k])) / fn:
// the windowed means of appendWindow where every window is defined and
// none is all-equal (hiT, loT are the prefix sums at the window's end,
// hiJ, loJ at its start). meanPlainAsm performs the same operations.
func meanPlainGo(out, hiT, hiJ, loT, loJ []float64, fn float64) {
	n := len(out)
	hiT, hiJ, loT, loJ = hiT[:n], hiJ[:n], loT[:n], loJ[:n]
	for k := range out {
		out[k] = ((hiT[k] - hiJ[k]) + (loT[k] - loJ[k])) / fn
	}
}
