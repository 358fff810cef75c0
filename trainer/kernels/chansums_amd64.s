//go:build !purego

#include "textflag.h"

// Row sums of chansums.go: eight rows of float32, stride apart, four
// values of each at a time. Rows 0–3 start at SI, rows 4–7 at DI (R8 the
// stride in bytes, R9 three strides). TRANSPOSE4 loads four values of four
// rows and transposes them, so that X0…X3 hold the rows' values j, j+1,
// j+2, j+3 (lane r is row r); the sums then add X0, X1, X2, X3 in that
// order, lane by lane: each lane is its row's running sum in order. The
// sums of rows 0–3 are in Y14 (X14), of rows 4–7 in Y15 (X15). AVX
// instructions only, so these run on the avx2 and avx512 paths.

#define TRANSPOSE4(B) \
	VMOVUPS (B), X0; \
	VMOVUPS (B)(R8*1), X1; \
	VMOVUPS (B)(R8*2), X2; \
	VMOVUPS (B)(R9*1), X3; \
	VUNPCKLPS X1, X0, X4; \
	VUNPCKHPS X1, X0, X5; \
	VUNPCKLPS X3, X2, X6; \
	VUNPCKHPS X3, X2, X7; \
	VMOVLHPS X6, X4, X0; \
	VMOVHLPS X4, X6, X1; \
	VMOVLHPS X7, X5, X2; \
	VMOVHLPS X5, X7, X3

// ADDF64 adds X0…X3, widened to float64, to ACC in order.
#define ADDF64(ACC) \
	VCVTPS2PD X0, Y4; \
	VADDPD Y4, ACC, ACC; \
	VCVTPS2PD X1, Y5; \
	VADDPD Y5, ACC, ACC; \
	VCVTPS2PD X2, Y6; \
	VADDPD Y6, ACC, ACC; \
	VCVTPS2PD X3, Y7; \
	VADDPD Y7, ACC, ACC

// SQDEV adds (X − MU)², for X = X0…X3 widened to float64, to ACC in order;
// the difference and the square are rounded before the addition.
#define SQDEV(ACC, MU) \
	VCVTPS2PD X0, Y4; \
	VSUBPD MU, Y4, Y4; \
	VMULPD Y4, Y4, Y4; \
	VADDPD Y4, ACC, ACC; \
	VCVTPS2PD X1, Y5; \
	VSUBPD MU, Y5, Y5; \
	VMULPD Y5, Y5, Y5; \
	VADDPD Y5, ACC, ACC; \
	VCVTPS2PD X2, Y6; \
	VSUBPD MU, Y6, Y6; \
	VMULPD Y6, Y6, Y6; \
	VADDPD Y6, ACC, ACC; \
	VCVTPS2PD X3, Y7; \
	VSUBPD MU, Y7, Y7; \
	VMULPD Y7, Y7, Y7; \
	VADDPD Y7, ACC, ACC

// ADDF32 adds X0…X3 to ACC in order.
#define ADDF32(ACC) \
	VADDPS X0, ACC, ACC; \
	VADDPS X1, ACC, ACC; \
	VADDPS X2, ACC, ACC; \
	VADDPS X3, ACC, ACC

// ROWS sets SI, DI, R8, R9 and CX (n/4) from the arguments x, stride, n.
#define ROWS \
	MOVQ x+8(FP), SI; \
	MOVQ stride+16(FP), R8; \
	MOVQ n+24(FP), CX; \
	SHLQ $2, R8; \
	LEAQ (R8)(R8*2), R9; \
	LEAQ (SI)(R8*4), DI; \
	SHRQ $2, CX

// func rowSumsF64AVX(acc *[8]float64, x *float32, stride, n int)
TEXT ·rowSumsF64AVX(SB), NOSPLIT, $0-32
	MOVQ acc+0(FP), AX
	ROWS
	VMOVUPD (AX), Y14
	VMOVUPD 32(AX), Y15
	TESTQ CX, CX
	JZ   f64_done

f64_loop:
	TRANSPOSE4(SI)
	ADDF64(Y14)
	TRANSPOSE4(DI)
	ADDF64(Y15)
	ADDQ $16, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  f64_loop

f64_done:
	VMOVUPD Y14, (AX)
	VMOVUPD Y15, 32(AX)
	VZEROUPPER
	RET

// func rowSqDevsF64AVX(acc *[8]float64, x *float32, stride, n int, mu *[8]float64)
TEXT ·rowSqDevsF64AVX(SB), NOSPLIT, $0-40
	MOVQ acc+0(FP), AX
	MOVQ mu+32(FP), DX
	ROWS
	VMOVUPD (AX), Y14
	VMOVUPD 32(AX), Y15
	VMOVUPD (DX), Y12
	VMOVUPD 32(DX), Y13
	TESTQ CX, CX
	JZ   sq_done

sq_loop:
	TRANSPOSE4(SI)
	SQDEV(Y14, Y12)
	TRANSPOSE4(DI)
	SQDEV(Y15, Y13)
	ADDQ $16, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  sq_loop

sq_done:
	VMOVUPD Y14, (AX)
	VMOVUPD Y15, 32(AX)
	VZEROUPPER
	RET

// func rowSumsAVX(acc *[8]float32, x *float32, stride, n int)
TEXT ·rowSumsAVX(SB), NOSPLIT, $0-32
	MOVQ acc+0(FP), AX
	ROWS
	VMOVUPS (AX), X14
	VMOVUPS 16(AX), X15
	TESTQ CX, CX
	JZ   f32_done

f32_loop:
	TRANSPOSE4(SI)
	ADDF32(X14)
	TRANSPOSE4(DI)
	ADDF32(X15)
	ADDQ $16, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  f32_loop

f32_done:
	VMOVUPS X14, (AX)
	VMOVUPS X15, 16(AX)
	VZEROUPPER
	RET
