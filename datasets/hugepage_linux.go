//go:build linux

package datasets

import (
	"syscall"
	"unsafe"
)

// adviseHuge asks the kernel to back the large slice c with transparent
// huge pages before it is first written: a panel of 140 MB then takes 70
// page faults instead of 35,000, and scattered writes stay within the TLB.
// Advice only: failures are ignored.
func adviseHuge(c []float64) {
	const huge = 2 << 20
	if len(c)*8 < 2*huge {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&c[0])), len(c)*8)
	// madvise wants a page-aligned start.
	off := int((4096 - uintptr(unsafe.Pointer(&b[0]))%4096) % 4096)
	_ = syscall.Madvise(b[off:], syscall.MADV_HUGEPAGE)
}
