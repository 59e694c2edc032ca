//go:build !linux

package datasets

// adviseHuge is a no-op where transparent huge pages are not available.
func adviseHuge(c []float64) {}
