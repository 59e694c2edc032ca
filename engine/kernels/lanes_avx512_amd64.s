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
#define LS_KK 192
#define LS_EXPO 704
#define LS_SW 768
#define LS_HELD 960

// tileJob offsets (lanes_avx512_amd64.go).
#define TJ_ST 0
#define TJ_SU 8
#define TJ_F 16
#define TJ_S 24
#define TJ_F2 32
#define TJ_S2 40
#define TJ_SIZE 48

// The second pair's signal bytes follow the first's at this offset.
#define SIG2 256

// laneScratch.terms rows: 1+r, r, r², min(r,0)² of one bar, 64 bytes each.
#define TM_G 0
#define TM_R 64
#define TM_R2 128
#define TM_D2 192

// One pair's step on row k (R13 = 64k, R11 = k): the signal mask KT from
// fast > slow (rows at FA, SA), stored as a byte at SIGOFF+1+k(R9), the
// equity and the drawdown. T is scratch, KS a scratch mask, G the row's
// 1+r. The maximum drawdown is kept as QMIN, the smallest V/PEAK: the
// largest 1 - q over the rows is 1 - min(q), exactly, as x ↦ 1 - x rounds
// monotonically. Where V ≥ PEAK, the new maximum and the cleared age are
// masked moves, which leave the two arithmetic ports to the rest.
#define PAIR_STEP(FA, SA, SIGOFF, KT, KS, T, G, V, PEAK, QMIN, DAYS, AGE) \
	VMOVUPD (FA)(R13*1), T                \
	VCMPPD  $0x1e, (SA)(R13*1), T, KT     \
	KMOVB   KT, (SIGOFF+1)(R9)(R11*1)     \
	VMULPD  G, V, KT, V                   \
	VCMPPD  $0x1d, PEAK, V, KS            \
	VADDPD  Z0, AGE, AGE                  \
	VMAXPD  AGE, DAYS, KS, DAYS           \
	VMOVAPD Z1, KS, AGE                   \
	VMOVAPD V, KS, PEAK                   \
	VDIVPD  PEAK, V, T                    \
	VMINPD  T, QMIN, QMIN

// The held rows' terms under mask KT: r in Z26, r² in Z27, min(r,0)² in
// Z28.
#define PAIR_SUMS(KT, SUM, SQ, DSQ, MN, MX) \
	VADDPD Z26, SUM, KT, SUM \
	VADDPD Z27, SQ, KT, SQ   \
	VADDPD Z28, DSQ, KT, DSQ \
	VMINPD MN, Z26, KT, MN   \
	VMAXPD MX, Z26, KT, MX

// LOAD_STATE loads a pair's state and stores its held lanes as the signal
// byte before the tile at SIGOFF(R9).
#define LOAD_STATE(P, SIGOFF, V, PEAK, QMIN, DAYS, AGE, SUM, SQ, DSQ, MN, MX) \
	VCMPPD  $0x04, LS_HELD(P), Z1, K7 \
	KMOVB   K7, SIGOFF(R9)           \
	VMOVUPD LS_V(P), V               \
	VMOVUPD LS_PEAK(P), PEAK         \
	VMOVAPD Z0, QMIN                 \
	VMOVUPD LS_DAYS(P), DAYS         \
	VMOVUPD LS_AGE(P), AGE           \
	VMOVUPD LS_SUM(P), SUM           \
	VMOVUPD LS_SQ(P), SQ             \
	VMOVUPD LS_DSQ(P), DSQ           \
	VMOVUPD LS_MN(P), MN             \
	VMOVUPD LS_MX(P), MX

// STORE_STATE stores a pair's state: the maximum drawdown from QMIN, and
// the threshold of the general tile from it (laneState.setThreshold).
#define STORE_STATE(P, V, PEAK, QMIN, DAYS, AGE, SUM, SQ, DSQ, MN, MX) \
	VMOVUPD V, LS_V(P)            \
	VMOVUPD PEAK, LS_PEAK(P)      \
	VSUBPD  QMIN, Z0, QMIN        \
	VMAXPD  LS_MDD(P), QMIN, QMIN \
	VMOVUPD QMIN, LS_MDD(P)       \
	VSUBPD  QMIN, Z0, QMIN        \
	VMULPD  Z12, QMIN, QMIN       \
	VMINPD  Z0, QMIN, QMIN        \
	VMOVUPD QMIN, LS_KK(P)        \
	VMOVUPD DAYS, LS_DAYS(P)      \
	VMOVUPD AGE, LS_AGE(P)        \
	VMOVUPD SUM, LS_SUM(P)        \
	VMOVUPD SQ, LS_SQ(P)          \
	VMOVUPD DSQ, LS_DSQ(P)        \
	VMOVUPD MN, LS_MN(P)          \
	VMOVUPD MX, LS_MX(P)

// Lane L's counts of set bits in the rows Z2, Z3 and of changes in Z4,
// Z5 into the qwords L and 8+L at 0(SP).
#define COUNT_LANE(L) \
	MOVL $(1<<L), CX           \
	VPBROADCASTB CX, Z6        \
	VPTESTMB Z6, Z2, K1        \
	VPTESTMB Z6, Z3, K3        \
	VPTESTMB Z6, Z4, K5        \
	VPTESTMB Z6, Z5, K6        \
	KMOVQ K1, CX               \
	KMOVQ K3, DX               \
	KMOVQ K5, SI               \
	KMOVQ K6, DI               \
	POPCNTQ CX, CX             \
	POPCNTQ DX, DX             \
	POPCNTQ SI, SI             \
	POPCNTQ DI, DI             \
	ADDQ DX, CX                \
	ADDQ DI, SI                \
	MOVQ CX, (8*L)(SP)         \
	MOVQ SI, (64+8*L)(SP)

// COUNT adds to pair P's exposure and switch counts the rows of its
// signal bytes at SIGOFF(R9) (K2 and K4 select the tile's rows), and sets
// its held lanes from the last row (R12 = n).
#define COUNT(P, SIGOFF) \
	VMOVDQU8.Z (SIGOFF+1)(R9), K2, Z2  \
	VMOVDQU8.Z (SIGOFF+65)(R9), K4, Z3 \
	VMOVDQU8.Z SIGOFF(R9), K2, Z4      \
	VMOVDQU8.Z (SIGOFF+64)(R9), K4, Z5 \
	VPXORQ Z2, Z4, Z4                  \
	VPXORQ Z3, Z5, Z5                  \
	COUNT_LANE(0)                      \
	COUNT_LANE(1)                      \
	COUNT_LANE(2)                      \
	COUNT_LANE(3)                      \
	COUNT_LANE(4)                      \
	COUNT_LANE(5)                      \
	COUNT_LANE(6)                      \
	COUNT_LANE(7)                      \
	VCVTQQ2PD 0(SP), Z7                \
	VADDPD LS_EXPO(P), Z7, Z7          \
	VMOVUPD Z7, LS_EXPO(P)             \
	VCVTQQ2PD 64(SP), Z7               \
	VADDPD LS_SW(P), Z7, Z7            \
	VMOVUPD Z7, LS_SW(P)               \
	KMOVB SIGOFF(R9)(R12*1), K1        \
	VMOVAPD.Z Z0, K1, Z7               \
	VMOVUPD Z7, LS_HELD(P)

// Registers in the row loop: AX st, BX su, CX f, DX s, SI f2, DI s2, R8
// terms, R9 signal bytes, R10 job, R11 row, R12 end, R13 offset; Z0 1,
// Z1 0, Z12 kkFactor; Z2-Z11 the state of st (v, peak, min V/peak, days,
// age, sum, sq, dsq, mn, mx), Z14-Z23 that of su; Z26-Z28 r, r²,
// min(r,0)², Z29-Z31 scratch; K1 and K3 the pairs' signals.

// func tileCleanJobs(jobs *tileJob, njobs int, terms *float64, sig *byte, n int, rows0, rows1 uint64)
TEXT ·tileCleanJobs(SB), NOSPLIT, $128-56
	MOVQ $0x3ff0000000000000, AX
	VPBROADCASTQ AX, Z0
	VPXORQ Z1, Z1, Z1
	VBROADCASTSD ·kkFactorValue(SB), Z12
	MOVQ jobs+0(FP), R10
	MOVQ terms+16(FP), R8
	MOVQ sig+24(FP), R9
	// K2: the tile's rows among the first 64, K4: among the next 64.
	MOVQ rows0+40(FP), AX
	MOVQ rows1+48(FP), BX
	KMOVQ AX, K2
	KMOVQ BX, K4

job:
	MOVQ TJ_ST(R10), AX
	MOVQ TJ_SU(R10), BX
	MOVQ TJ_F(R10), CX
	MOVQ TJ_S(R10), DX
	MOVQ TJ_F2(R10), SI
	MOVQ TJ_S2(R10), DI
	MOVQ n+32(FP), R12
	SHLQ $6, R12
	XORQ R11, R11
	XORQ R13, R13
	LOAD_STATE(AX, 0, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11)
	LOAD_STATE(BX, SIG2, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)

row:
	VMOVUPD TM_G(R8)(R13*4), Z31
	PAIR_STEP(CX, DX, 0, K1, K5, Z29, Z31, Z2, Z3, Z4, Z5, Z6)
	PAIR_STEP(SI, DI, SIG2, K3, K6, Z30, Z31, Z14, Z15, Z16, Z17, Z18)
	VMOVUPD TM_R(R8)(R13*4), Z26
	VMOVUPD TM_R2(R8)(R13*4), Z27
	VMOVUPD TM_D2(R8)(R13*4), Z28
	PAIR_SUMS(K1, Z7, Z8, Z9, Z10, Z11)
	PAIR_SUMS(K3, Z19, Z20, Z21, Z22, Z23)
	ADDQ $1, R11
	ADDQ $64, R13
	CMPQ R13, R12
	JLT  row

	STORE_STATE(AX, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11)
	STORE_STATE(BX, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)
	MOVQ R11, R12
	COUNT(AX, 0)
	COUNT(BX, SIG2)
	ADDQ $TJ_SIZE, R10
	DECQ njobs+8(FP)
	JNZ  job
	VZEROUPPER
	RET

// func smaRows(dst, hT, hJ, lT, lJ, mT, mJ, run, x *float64, n int, w float64)
//
// Row k of dst = ((hT-hJ) + (lT-lJ)) / w, or x where run ≥ w, or NaN where
// mT ≠ mJ, for n ≥ 1 rows of 8 lanes (laneScratch.smaTile).
TEXT ·smaRows(SB), NOSPLIT, $0-88
	MOVQ dst+0(FP), DI
	MOVQ hT+8(FP), AX
	MOVQ hJ+16(FP), BX
	MOVQ lT+24(FP), CX
	MOVQ lJ+32(FP), DX
	MOVQ mT+40(FP), SI
	MOVQ mJ+48(FP), R8
	MOVQ run+56(FP), R9
	MOVQ x+64(FP), R10
	MOVQ n+72(FP), R12
	SHLQ $6, R12
	VBROADCASTSD w+80(FP), Z0
	MOVQ $0x7ff8000000000001, R11 // math.NaN()
	VPBROADCASTQ R11, Z1
	XORQ R11, R11

smarow:
	VMOVUPD (AX)(R11*1), Z2
	VSUBPD  (BX)(R11*1), Z2, Z2
	VMOVUPD (CX)(R11*1), Z3
	VSUBPD  (DX)(R11*1), Z3, Z3
	VADDPD  Z3, Z2, Z2
	VDIVPD  Z0, Z2, Z2
	VMOVUPD (R9)(R11*1), Z3
	VCMPPD  $0x1d, Z0, Z3, K1
	VMOVUPD (R10)(R11*1), K1, Z2
	VMOVUPD (SI)(R11*1), Z3
	VCMPPD  $0x04, (R8)(R11*1), Z3, K2
	VMOVAPD Z1, K2, Z2
	VMOVUPD Z2, (DI)(R11*1)
	ADDQ    $64, R11
	CMPQ    R11, R12
	JLT     smarow
	VZEROUPPER
	RET
