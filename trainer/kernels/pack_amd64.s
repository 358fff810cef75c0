//go:build !purego

#include "textflag.h"

// func packA4RowsAVX2(dst, a *float32, lda, kc int, alpha float32)
//
// dst[p*4+r] = alpha·a[r*lda+p] for r < 4, p < kc, kc a multiple of 8: four
// rows of A, 8 columns at a time, transposed 4×8 → 8×4 in registers.
TEXT ·packA4RowsAVX2(SB), NOSPLIT, $0-36
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), BX
	SHLQ $2, BX                       // row stride in bytes
	MOVQ kc+24(FP), CX
	VBROADCASTSS alpha+32(FP), Y15
	LEAQ (SI)(BX*2), DX
	ADDQ BX, DX                       // row 3
	SHRQ $3, CX                       // blocks of 8 columns
	JZ   rowsdone

rowsloop:
	VMULPS (SI), Y15, Y0              // row 0, columns p…p+7
	VMULPS (SI)(BX*1), Y15, Y1        // row 1
	VMULPS (SI)(BX*2), Y15, Y2        // row 2
	VMULPS (DX), Y15, Y3              // row 3
	VUNPCKLPS Y1, Y0, Y4              // a0 b0 a1 b1 | a4 b4 a5 b5
	VUNPCKHPS Y1, Y0, Y5              // a2 b2 a3 b3 | a6 b6 a7 b7
	VUNPCKLPS Y3, Y2, Y6              // c0 d0 c1 d1 | c4 d4 c5 d5
	VUNPCKHPS Y3, Y2, Y7              // c2 d2 c3 d3 | c6 d6 c7 d7
	VUNPCKLPD Y6, Y4, Y8              // col 0 | col 4
	VUNPCKHPD Y6, Y4, Y9              // col 1 | col 5
	VUNPCKLPD Y7, Y5, Y10             // col 2 | col 6
	VUNPCKHPD Y7, Y5, Y11             // col 3 | col 7
	VPERM2F128 $0x20, Y9, Y8, Y12     // cols 0, 1
	VPERM2F128 $0x20, Y11, Y10, Y13   // cols 2, 3
	VPERM2F128 $0x31, Y9, Y8, Y14     // cols 4, 5
	VPERM2F128 $0x31, Y11, Y10, Y0    // cols 6, 7
	VMOVUPS Y12, (DI)
	VMOVUPS Y13, 32(DI)
	VMOVUPS Y14, 64(DI)
	VMOVUPS Y0, 96(DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $128, DI
	DECQ CX
	JNZ  rowsloop

rowsdone:
	VZEROUPPER
	RET

// func packA4ColsAVX2(dst, a *float32, lda, kc int, alpha float32)
//
// dst[p*4+r] = alpha·a[p*lda+r] for r < 4, p < kc: the four contiguous values
// of each row of stored Aᵀ.
TEXT ·packA4ColsAVX2(SB), NOSPLIT, $0-36
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), BX
	SHLQ $2, BX
	MOVQ kc+24(FP), CX
	VBROADCASTSS alpha+32(FP), X15
	TESTQ CX, CX
	JZ   colsdone

colsloop:
	VMULPS (SI), X15, X0
	VMOVUPS X0, (DI)
	ADDQ BX, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  colsloop

colsdone:
	VZEROUPPER
	RET
