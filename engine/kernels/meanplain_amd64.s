//go:build amd64 && !purego

#include "textflag.h"

// func meanPlainAsm(out, hiT, hiJ, loT, loJ *float64, n int, fn float64)
TEXT ·meanPlainAsm(SB), NOSPLIT, $0-56
	MOVQ out+0(FP), DI
	MOVQ hiT+8(FP), SI
	MOVQ hiJ+16(FP), BX
	MOVQ loT+24(FP), R8
	MOVQ loJ+32(FP), R9
	MOVQ n+40(FP), CX
	MOVSD fn+48(FP), X4
	UNPCKLPD X4, X4          // fn in both halves
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-2, DX             // elements done two at a time

pairs:
	CMPQ AX, DX
	JGE tail
	MOVUPD (SI)(AX*8), X0
	MOVUPD (BX)(AX*8), X1
	SUBPD X1, X0             // hiT - hiJ
	MOVUPD (R8)(AX*8), X2
	MOVUPD (R9)(AX*8), X3
	SUBPD X3, X2             // loT - loJ
	ADDPD X2, X0
	DIVPD X4, X0
	MOVUPD X0, (DI)(AX*8)
	ADDQ $2, AX
	JMP pairs

tail:
	CMPQ AX, CX
	JGE done
	MOVSD (SI)(AX*8), X0
	SUBSD (BX)(AX*8), X0
	MOVSD (R8)(AX*8), X2
	SUBSD (R9)(AX*8), X2
	ADDSD X2, X0
	DIVSD X4, X0
	MOVSD X0, (DI)(AX*8)

done:
	RET
