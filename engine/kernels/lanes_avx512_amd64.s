//go:build goexperiment.simd && amd64 && !purego

#include "textflag.h"

// laneState offsets (lanes_simd_amd64.go): each field is [8]float64.
#define LS_V 0
#define LS_PEAK 64
#define LS_MDD 128
#define LS_DAYS 256
#define LS_AGE 320
#define LS_SUM 384
#define LS_SQ 448
#define LS_DSQ 512
#define LS_MN 576
#define LS_MX 640

// laneScratch.terms rows: 1+r, r, r², min(r,0)² of one bar, 64 bytes each.
#define TM_G 0
#define TM_R 64
#define TM_R2 128
#define TM_D2 192

// One pair's step on row k (R13 = 64k, R11 = k): the signal mask KT from
// fast > slow (rows at FA, SA), stored as a byte at 1+k(BUF), the equity
// and the drawdown. T is scratch, KS a scratch mask, G the row's 1+r.
// The maximum drawdown is kept as QMIN, the smallest V/PEAK: the largest
// 1 - q over the rows is 1 - min(q), exactly, as x ↦ 1 - x rounds
// monotonically. Where V ≥ PEAK, the new maximum and the cleared age are
// masked moves, which leave the arithmetic ports to the rest.
#define PAIR_STEP(FA, SA, BUF, KT, KS, T, G, V, PEAK, QMIN, DAYS, AGE) \
	VMOVUPD (FA)(R13*1), T            \
	VCMPPD  $0x1e, (SA)(R13*1), T, KT \
	KMOVB   KT, 1(BUF)(R11*1)         \
	VMULPD  G, V, KT, V               \
	VCMPPD  $0x1d, PEAK, V, KS        \
	VADDPD  Z0, AGE, AGE              \
	VMAXPD  AGE, DAYS, KS, DAYS       \
	VMOVAPD Z1, KS, AGE               \
	VMOVAPD V, KS, PEAK               \
	VDIVPD  PEAK, V, T                \
	VMINPD  T, QMIN, QMIN

// The held rows' terms under mask KT: r in Z26, r² in Z27, min(r,0)² in
// Z28.
#define PAIR_SUMS(KT, SUM, SQ, DSQ, MN, MX) \
	VADDPD Z26, SUM, KT, SUM \
	VADDPD Z27, SQ, KT, SQ   \
	VADDPD Z28, DSQ, KT, DSQ \
	VMINPD MN, Z26, KT, MN   \
	VMAXPD MX, Z26, KT, MX

#define LOAD_STATE(P, V, PEAK, QMIN, DAYS, AGE, SUM, SQ, DSQ, MN, MX) \
	VMOVUPD LS_V(P), V       \
	VMOVUPD LS_PEAK(P), PEAK \
	VMOVAPD Z0, QMIN         \
	VMOVUPD LS_DAYS(P), DAYS \
	VMOVUPD LS_AGE(P), AGE   \
	VMOVUPD LS_SUM(P), SUM   \
	VMOVUPD LS_SQ(P), SQ     \
	VMOVUPD LS_DSQ(P), DSQ   \
	VMOVUPD LS_MN(P), MN     \
	VMOVUPD LS_MX(P), MX

#define STORE_STATE(P, V, PEAK, QMIN, DAYS, AGE, SUM, SQ, DSQ, MN, MX) \
	VMOVUPD V, LS_V(P)          \
	VMOVUPD PEAK, LS_PEAK(P)    \
	VSUBPD  QMIN, Z0, QMIN      \
	VMAXPD  LS_MDD(P), QMIN, QMIN \
	VMOVUPD QMIN, LS_MDD(P)     \
	VMOVUPD DAYS, LS_DAYS(P)    \
	VMOVUPD AGE, LS_AGE(P)      \
	VMOVUPD SUM, LS_SUM(P)      \
	VMOVUPD SQ, LS_SQ(P)        \
	VMOVUPD DSQ, LS_DSQ(P)      \
	VMOVUPD MN, LS_MN(P)        \
	VMOVUPD MX, LS_MX(P)

// Registers: AX st, BX su, CX f, DX s, SI f2, DI s2, R8 terms, R9 and
// R10 the signal bytes of st and su, R11 row, R12 end, R13 offset; Z0 1,
// Z1 0; Z2-Z11 the state of st (v, peak, min V/peak, days, age, sum, sq,
// dsq, mn, mx), Z14-Z23 that of su; Z26-Z28 r, r², min(r,0)², Z29-Z31
// scratch.

// func tileClean2AVX512(st, su *laneState, f, s, f2, s2, terms *float64, sig, sig2 *byte, n int)
TEXT ·tileClean2AVX512(SB), NOSPLIT, $0-80
	MOVQ $0x3ff0000000000000, R12
	VPBROADCASTQ R12, Z0
	VPXORQ Z1, Z1, Z1
	MOVQ st+0(FP), AX
	MOVQ su+8(FP), BX
	MOVQ f+16(FP), CX
	MOVQ s+24(FP), DX
	MOVQ f2+32(FP), SI
	MOVQ s2+40(FP), DI
	MOVQ terms+48(FP), R8
	MOVQ sig+56(FP), R9
	MOVQ sig2+64(FP), R10
	MOVQ n+72(FP), R12
	SHLQ $6, R12
	XORQ R11, R11
	XORQ R13, R13
	LOAD_STATE(AX, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11)
	LOAD_STATE(BX, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)

loop:
	VMOVUPD TM_G(R8)(R13*4), Z31
	PAIR_STEP(CX, DX, R9, K1, K5, Z29, Z31, Z2, Z3, Z4, Z5, Z6)
	PAIR_STEP(SI, DI, R10, K3, K6, Z30, Z31, Z14, Z15, Z16, Z17, Z18)
	VMOVUPD TM_R(R8)(R13*4), Z26
	VMOVUPD TM_R2(R8)(R13*4), Z27
	VMOVUPD TM_D2(R8)(R13*4), Z28
	PAIR_SUMS(K1, Z7, Z8, Z9, Z10, Z11)
	PAIR_SUMS(K3, Z19, Z20, Z21, Z22, Z23)
	ADDQ $1, R11
	ADDQ $64, R13
	CMPQ R13, R12
	JLT  loop

	STORE_STATE(AX, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11)
	STORE_STATE(BX, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)
	VZEROUPPER
	RET

// Lane L's counts of set bits in the rows Z2, Z3 and the changes Z4, Z5
// into cnt[L] and cnt[8+L] (DI).
#define COUNT_LANE(L) \
	MOVL $(1<<L), AX           \
	VPBROADCASTB AX, Z6        \
	VPTESTMB Z6, Z2, K1        \
	VPTESTMB Z6, Z3, K2        \
	VPTESTMB Z6, Z4, K3        \
	VPTESTMB Z6, Z5, K4        \
	KMOVQ K1, AX               \
	KMOVQ K2, BX               \
	KMOVQ K3, CX               \
	KMOVQ K4, DX               \
	POPCNTQ AX, AX             \
	POPCNTQ BX, BX             \
	POPCNTQ CX, CX             \
	POPCNTQ DX, DX             \
	ADDQ BX, AX                \
	ADDQ DX, CX                \
	MOVQ AX, (8*L)(DI)         \
	MOVQ CX, (64+8*L)(DI)

// func countSignals(sig *byte, n int, cnt *[16]uint64)
//
// sig[0] holds the signal before the tile and sig[1..n] the n ≤ 128 rows'
// signals (lane l in bit l); sig has at least 129 bytes. cnt[l] is the
// number of rows with bit l set, cnt[8+l] the number of rows whose bit l
// differs from the row before.
TEXT ·countSignals(SB), NOSPLIT, $0-24
	MOVQ sig+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ cnt+16(FP), DI
	// K1: rows 0..min(n,64)-1 of the first 64; K2: rows 64..n-1.
	MOVQ $-1, AX
	XORQ BX, BX
	CMPQ CX, $64
	JGE  full
	MOVQ CX, BX
	BZHIQ BX, AX, AX
	XORQ BX, BX
	JMP  masks
full:
	MOVQ CX, DX
	SUBQ $64, DX
	MOVQ $-1, BX
	BZHIQ DX, BX, BX
masks:
	KMOVQ AX, K1
	KMOVQ BX, K2
	VMOVDQU8.Z 1(SI), K1, Z2
	VMOVDQU8.Z 65(SI), K2, Z3
	VMOVDQU8.Z 0(SI), K1, Z4
	VMOVDQU8.Z 64(SI), K2, Z5
	VPXORQ Z2, Z4, Z4
	VPXORQ Z3, Z5, Z5
	COUNT_LANE(0)
	COUNT_LANE(1)
	COUNT_LANE(2)
	COUNT_LANE(3)
	COUNT_LANE(4)
	COUNT_LANE(5)
	COUNT_LANE(6)
	COUNT_LANE(7)
	VZEROUPPER
	RET
