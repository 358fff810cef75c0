//go:build !purego

#include "textflag.h"

// func copyRunsAVX512(dst *float32, dstStride int, src *float32, srcStride int, n, count int)
// K1 masks the first min(n, 16) floats of a run, K2 the next n−16.
TEXT ·copyRunsAVX512(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ dstStride+8(FP), R8
	MOVQ src+16(FP), SI
	MOVQ srcStride+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ count+40(FP), DX
	SHLQ $2, R8
	SHLQ $2, R9

	// K1 = (1 << min(n, 16)) − 1, K2 = (1 << max(n−16, 0)) − 1
	MOVQ CX, BX
	CMPQ BX, $16
	JLE  lo_ok
	MOVQ $16, BX
lo_ok:
	MOVL $1, AX
	SHLXL BX, AX, AX
	DECL AX
	KMOVW AX, K1
	SUBQ BX, CX
	MOVL $1, AX
	SHLXL CX, AX, AX
	DECL AX
	KMOVW AX, K2

loop:
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K2, Z1
	VMOVUPS Z0, K1, (DI)
	VMOVUPS Z1, K2, 64(DI)
	ADDQ R9, SI
	ADDQ R8, DI
	DECQ DX
	JNZ  loop
	VZEROUPPER
	RET
