// Package kernels holds the hot numeric loops of rotor: returns from
// prices, rolling window statistics, cumulative products and drawdowns,
// drifting portfolio returns, per-row ranking and the SMA-crossover
// backtest in single, grid and lane-parallel forms.
//
// Every kernel has a plain reference loop (the functions ending in Ref)
// that documents what it computes; the tests check that each fast kernel
// matches its reference on random inputs with NaN, ±Inf, empty and
// length-1 slices, exactly where the order of floating-point operations is
// the same and within the tolerance stated on the kernel where it is not.
//
// Conventions shared by all kernels:
//   - A value that is NaN or ±Inf is missing. A price that is missing has
//     no return (NaN) and makes every window containing it undefined (NaN).
//   - Output slices are appended to dst (the AppendX(dst[:0], ...) idiom):
//     pass a slice with enough capacity and the kernel allocates nothing.
//   - The kernels import nothing from rotor and allocate no memory in
//     their loops; scratch comes from a sync.Pool.
//
// Fast paths that use SIMD instructions (through simd/archsimd) are built
// with GOEXPERIMENT=simd on amd64 and selected at run time when the CPU
// supports AVX-512; the pure-Go path is always built, tested, and
// produces bit-identical results (the SIMD paths perform the same
// operations in the same order for each series).
//
// Two loops also have amd64 assembly versions (SSE2, in the default
// build): the clean pass of the crossover kernels (cleanPass: flat runs
// skipped, held runs multiplying the equity; cleanpass_amd64.s) and the
// moving averages of a plain series (meanPlain, two divisions at a time;
// meanplain_amd64.s). -tags purego selects their pure-Go twins, and the
// tests compare each pair bit for bit. With GOEXPERIMENT=simd, the lanes
// kernel's clean tiles and SMA rows also run in AVX-512 assembly
// (lanes_avx512_amd64.s); -tags purego selects their archsimd twins.
package kernels
