//go:build amd64 && !purego

#include "textflag.h"

// cleanState offsets (cleanpass.go).
#define ST_V 0
#define ST_PEAK 8
#define ST_KK 16
#define ST_MDD 24
#define ST_SUM 32
#define ST_SQ 40
#define ST_DSQ 48
#define ST_MN 56
#define ST_MX 64
#define ST_DAYS 72
#define ST_P 80
#define ST_EXPO 88
#define ST_SW 96

// Registers: DI state, BX f, SI s, R8 r, R10 g, R11 r2, R12 d2, CX i,
// R9 n, DX p, AX days, R13 scratch; X0 v, X1 peak, X2 kk, X3 mdd,
// X4 sum, X5 sq, X6 dsq, X7 mn, X8 mx, X9 1, X14 1+1e-12, X10-X13
// scratch.

// func cleanPassAsm(st *cleanState, f, s, r, g1, r2, d2 *float64, n int)
TEXT ·cleanPassAsm(SB), NOSPLIT, $0-64
	MOVQ st+0(FP), DI
	MOVQ f+8(FP), BX
	MOVQ s+16(FP), SI
	MOVQ r+24(FP), R8
	MOVQ g1+32(FP), R10
	MOVQ r2+40(FP), R11
	MOVQ d2+48(FP), R12
	MOVQ n+56(FP), R9
	MOVSD ST_V(DI), X0
	MOVSD ST_PEAK(DI), X1
	MOVSD ST_KK(DI), X2
	MOVSD ST_MDD(DI), X3
	MOVSD ST_SUM(DI), X4
	MOVSD ST_SQ(DI), X5
	MOVSD ST_DSQ(DI), X6
	MOVSD ST_MN(DI), X7
	MOVSD ST_MX(DI), X8
	MOVQ ST_DAYS(DI), AX
	MOVQ ST_P(DI), DX
	MOVQ $0x3ff0000000000000, R13
	MOVQ R13, X9             // 1
	MOVQ $0x3ff0000000001198, R13
	MOVQ R13, X14            // 1+1e-12
	XORQ CX, CX

flat:
	// Flat bars four at a time while four remain, then one at a time.
	LEAQ 4(CX), R13
	CMPQ R13, R9
	JGT flat1
	MOVSD (BX)(CX*8), X10
	UCOMISD (SI)(CX*8), X10
	JA start
	MOVSD 8(BX)(CX*8), X10
	UCOMISD 8(SI)(CX*8), X10
	JA start1
	MOVSD 16(BX)(CX*8), X10
	UCOMISD 16(SI)(CX*8), X10
	JA start2
	MOVSD 24(BX)(CX*8), X10
	UCOMISD 24(SI)(CX*8), X10
	JA start3
	MOVQ R13, CX
	JMP flat

start3:
	INCQ CX
start2:
	INCQ CX
start1:
	INCQ CX
	JMP start

flat1:
	CMPQ CX, R9
	JGE done
	MOVSD (BX)(CX*8), X10
	UCOMISD (SI)(CX*8), X10
	JA start
	INCQ CX
	JMP flat1

start:
	// A held run starts at bar CX: a trade; p = i if V is at its maximum.
	INCQ ST_SW(DI)
	SUBQ CX, ST_EXPO(DI)
	UCOMISD X1, X0
	CMOVQCC CX, DX

held:
	MOVSD (R8)(CX*8), X10    // x
	MULSD (R10)(CX*8), X0    // v *= 1+x
	ADDSD X10, X4            // sum += x
	ADDSD (R11)(CX*8), X5    // sq += x²
	ADDSD (R12)(CX*8), X6    // dsq += min(x,0)²
	MINSD X10, X7            // mn = mn < x ? mn : x
	MAXSD X10, X8            // mx = mx > x ? mx : x
	INCQ CX
	MOVQ CX, R13
	SUBQ DX, R13
	CMPQ R13, AX
	CMOVQGT R13, AX          // days = max(days, i-p)
	UCOMISD X1, X0
	CMOVQCC CX, DX           // v >= peak: p = i
	MAXSD X0, X1             // peak = max(peak, v)
	MOVAPD X1, X11
	MULSD X2, X11            // peak·kk
	UCOMISD X11, X0
	JCS ddcheck              // v < peak·kk
next:
	CMPQ CX, R9
	JGE heldend
	MOVSD (BX)(CX*8), X10
	UCOMISD (SI)(CX*8), X10
	JA held

heldend:
	ADDQ CX, ST_EXPO(DI)
	CMPQ CX, R9
	JGE done
	INCQ ST_SW(DI)
	INCQ CX                  // bar CX is flat
	JMP flat

ddcheck:
	// dd = 1 - v/peak; if dd > mdd { mdd = dd; kk = min(1, (1-mdd)·(1+1e-12)) }
	MOVAPD X0, X12
	DIVSD X1, X12
	MOVAPD X9, X13
	SUBSD X12, X13
	UCOMISD X3, X13
	JLS next                 // dd <= mdd (or unordered)
	MOVAPD X13, X3
	MOVAPD X9, X12
	SUBSD X3, X12
	MULSD X14, X12           // (1-mdd)·(1+1e-12)
	MOVAPD X9, X2
	UCOMISD X9, X12
	JCC next                 // ≥ 1: kk = 1
	MOVAPD X12, X2
	JMP next

done:
	MOVSD X0, ST_V(DI)
	MOVSD X1, ST_PEAK(DI)
	MOVSD X2, ST_KK(DI)
	MOVSD X3, ST_MDD(DI)
	MOVSD X4, ST_SUM(DI)
	MOVSD X5, ST_SQ(DI)
	MOVSD X6, ST_DSQ(DI)
	MOVSD X7, ST_MN(DI)
	MOVSD X8, ST_MX(DI)
	MOVQ AX, ST_DAYS(DI)
	MOVQ DX, ST_P(DI)
	RET
