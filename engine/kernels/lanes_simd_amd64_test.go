//go:build goexperiment.simd && amd64

package kernels

import (
	"simd/archsimd"
	"testing"
)

// With the experiment on an AVX-512 CPU the SIMD path must be the one the
// other tests exercise.
func TestSIMDSelected(t *testing.T) {
	if archsimd.X86.AVX512() != SIMDEnabled() {
		t.Fatalf("AVX-512 %v but SIMD path enabled %v", archsimd.X86.AVX512(), SIMDEnabled())
	}
}
