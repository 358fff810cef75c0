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

// BNGRAD adds, for k = 0…3, dy = X(8+k) and x = Xk widened to float64,
// dy·(x − MU)·IS to G and dy to B, in order of k; the difference and both
// products are rounded before the additions. mu and is, at DX and 8(DX),
// are broadcast into Y6 and Y7, free after TRANSPOSE4.
#define BNGRAD(G, B) \
	VBROADCASTSD (DX), Y6; VBROADCASTSD 8(DX), Y7; \
	VCVTPS2PD X8, Y4; VADDPD Y4, B, B; VCVTPS2PD X0, Y5; VSUBPD Y6, Y5, Y5; VMULPD Y5, Y4, Y5; VMULPD Y7, Y5, Y5; VADDPD Y5, G, G; \
	VCVTPS2PD X9, Y4; VADDPD Y4, B, B; VCVTPS2PD X1, Y5; VSUBPD Y6, Y5, Y5; VMULPD Y5, Y4, Y5; VMULPD Y7, Y5, Y5; VADDPD Y5, G, G; \
	VCVTPS2PD X10, Y4; VADDPD Y4, B, B; VCVTPS2PD X2, Y5; VSUBPD Y6, Y5, Y5; VMULPD Y5, Y4, Y5; VMULPD Y7, Y5, Y5; VADDPD Y5, G, G; \
	VCVTPS2PD X11, Y4; VADDPD Y4, B, B; VCVTPS2PD X3, Y5; VSUBPD Y6, Y5, Y5; VMULPD Y5, Y4, Y5; VMULPD Y7, Y5, Y5; VADDPD Y5, G, G

// KEEP4 moves X0…X3 to X8…X11.
#define KEEP4 \
	VMOVAPS X0, X8; \
	VMOVAPS X1, X9; \
	VMOVAPS X2, X10; \
	VMOVAPS X3, X11

// func rowBNGradF64AVX(gs, bs *[8]float64, x, dy *float32, stride, n int, mu, is float64)
TEXT ·rowBNGradF64AVX(SB), NOSPLIT, $0-64
	MOVQ x+16(FP), SI
	MOVQ dy+24(FP), R10
	MOVQ stride+32(FP), R8
	MOVQ n+40(FP), CX
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	LEAQ (SI)(R8*4), DI
	LEAQ (R10)(R8*4), R11
	SHRQ $2, CX
	LEAQ mu+48(FP), DX
	MOVQ gs+0(FP), AX
	MOVQ bs+8(FP), BX
	VMOVUPD (AX), Y12
	VMOVUPD 32(AX), Y13
	VMOVUPD (BX), Y14
	VMOVUPD 32(BX), Y15
	TESTQ CX, CX
	JZ   bn_done

bn_loop:
	TRANSPOSE4(R10)
	KEEP4
	TRANSPOSE4(SI)
	BNGRAD(Y12, Y14)
	TRANSPOSE4(R11)
	KEEP4
	TRANSPOSE4(DI)
	BNGRAD(Y13, Y15)
	ADDQ $16, SI
	ADDQ $16, DI
	ADDQ $16, R10
	ADDQ $16, R11
	DECQ CX
	JNZ  bn_loop

bn_done:
	VMOVUPD Y12, (AX)
	VMOVUPD Y13, 32(AX)
	VMOVUPD Y14, (BX)
	VMOVUPD Y15, 32(BX)
	VZEROUPPER
	RET
