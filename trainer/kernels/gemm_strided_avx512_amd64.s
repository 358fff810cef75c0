//go:build !purego

#include "textflag.h"

// gemmStridedAVX512 is the zmm kernel of products with at most 16 columns
// (the output layer, n = 10) reading A where it lies, as
// gemmKernelStridedAVX2 does: A(r, p) at a + r·rs + p·ks bytes. It runs over
// tiles of 16 rows, each row's nr ≤ 16 columns in one zmm register against
// the first 16 columns of the B micro-panel (kc×NR, packed), and stores
// only the nr real columns of C (row stride ldc floats), through mask K1.
//
// Its sums are gemmKernelStridedAVX2's: from +0, acc = fma(a_p, b_p, acc) for
// p in order, with a and b in the same operand slots. The epilogue is that
// of storeRow, which finishes the AVX2 path's edge tiles (fewer than NR
// columns): acc + round(beta·C) unless beta is ±0 (then C is not read),
// then + bias, then ReLU keeping −0 and NaN, each in storeRow's operand
// order, so the bits are the same.
//
// Register use:
//   Z0..Z15   the 16 rows of the tile
//   Z16       a row of B (first 16 columns)
//   Z17..Z24  elements of A, broadcast
//   SI, AX, R13, R14: rows 0, 4, 8, 12 of A at step p; R12 rs, R15 3·rs

#define K_CNT   CX
#define P0      SI
#define P1      AX
#define P2      R13
#define P3      R14
#define RS      R12
#define RS3     R15
#define KS      R11
#define B_PTR   DI
#define C_PTR   DX
#define LDC     R8
#define BIAS    R9
#define ACT     R10
#define ROW     BX

// func gemmStridedAVX512(tiles, k int, a *float32, rs, ks int, b, c *float32, ldc int, beta float32, bias *float32, act, nr int)
TEXT ·gemmStridedAVX512(SB), NOSPLIT, $0-96
	MOVQ nr+88(FP), CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1                      // the nr real columns
	MOVQ rs+24(FP), RS
	LEAQ (RS)(RS*2), RS3
	MOVQ ks+32(FP), KS
	MOVQ c+48(FP), C_PTR
	MOVQ ldc+56(FP), LDC
	SHLQ $2, LDC                      // row stride of C in bytes
	MOVQ bias+72(FP), BIAS
	MOVQ act+80(FP), ACT
	CMPQ tiles+0(FP), $0
	JLE  done

tile:
	MOVQ a+16(FP), P0
	LEAQ (P0)(RS*4), P1
	LEAQ (P1)(RS*4), P2
	LEAQ (P2)(RS*4), P3
	MOVQ b+40(FP), B_PTR
	MOVQ k+8(FP), K_CNT
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	TESTQ K_CNT, K_CNT
	JZ   epilogue

	PCALIGN $64
loop:
	VMOVUPS (B_PTR), Z16
	VBROADCASTSS (P0), Z17
	VFMADD231PS Z16, Z17, Z0
	VBROADCASTSS (P0)(RS*1), Z18
	VFMADD231PS Z16, Z18, Z1
	VBROADCASTSS (P0)(RS*2), Z19
	VFMADD231PS Z16, Z19, Z2
	VBROADCASTSS (P0)(RS3*1), Z20
	VFMADD231PS Z16, Z20, Z3
	VBROADCASTSS (P1), Z21
	VFMADD231PS Z16, Z21, Z4
	VBROADCASTSS (P1)(RS*1), Z22
	VFMADD231PS Z16, Z22, Z5
	VBROADCASTSS (P1)(RS*2), Z23
	VFMADD231PS Z16, Z23, Z6
	VBROADCASTSS (P1)(RS3*1), Z24
	VFMADD231PS Z16, Z24, Z7
	VBROADCASTSS (P2), Z17
	VFMADD231PS Z16, Z17, Z8
	VBROADCASTSS (P2)(RS*1), Z18
	VFMADD231PS Z16, Z18, Z9
	VBROADCASTSS (P2)(RS*2), Z19
	VFMADD231PS Z16, Z19, Z10
	VBROADCASTSS (P2)(RS3*1), Z20
	VFMADD231PS Z16, Z20, Z11
	VBROADCASTSS (P3), Z21
	VFMADD231PS Z16, Z21, Z12
	VBROADCASTSS (P3)(RS*1), Z22
	VFMADD231PS Z16, Z22, Z13
	VBROADCASTSS (P3)(RS*2), Z23
	VFMADD231PS Z16, Z23, Z14
	VBROADCASTSS (P3)(RS3*1), Z24
	VFMADD231PS Z16, Z24, Z15
	ADDQ KS, P0
	ADDQ KS, P1
	ADDQ KS, P2
	ADDQ KS, P3
	ADDQ $96, B_PTR                   // next row of the B micro-panel
	DECQ K_CNT
	JNZ  loop

epilogue:
	// beta = ±0 does not read C; else acc + round(beta·C).
	MOVL beta+64(FP), BX
	ANDL $0x7fffffff, BX
	JZ   bias
	VBROADCASTSS beta+64(FP), Z16
	MOVQ C_PTR, ROW
	VMOVUPS.Z (ROW), K1, Z17
	VMULPS Z17, Z16, Z17
	VADDPS Z17, Z0, Z0
	ADDQ LDC, ROW
	VMOVUPS.Z (ROW), K1, Z17
	VMULPS Z17, Z16, Z17
	VADDPS Z17, Z1, Z1
	ADDQ LDC, ROW
	VMOVUPS.Z (ROW), K1, Z17
	VMULPS Z17, Z16, Z17
	VADDPS Z17, Z2, Z2
	ADDQ LDC, ROW
	VMOVUPS.Z (ROW), K1, Z17
	VMULPS Z17, Z16, Z17
	VADDPS Z17, Z3, Z3
	ADDQ LDC, ROW
	VMOVUPS.Z (ROW), K1, Z17
	VMULPS Z17, Z16, Z17
	VADDPS Z17, Z4, Z4
	ADDQ LDC, ROW
	VMOVUPS.Z (ROW), K1, Z17
	VMULPS Z17, Z16, Z17
	VADDPS Z17, Z5, Z5
	ADDQ LDC, ROW
	VMOVUPS.Z (ROW), K1, Z17
	VMULPS Z17, Z16, Z17
	VADDPS Z17, Z6, Z6
	ADDQ LDC, ROW
	VMOVUPS.Z (ROW), K1, Z17
	VMULPS Z17, Z16, Z17
	VADDPS Z17, Z7, Z7
	ADDQ LDC, ROW
	VMOVUPS.Z (ROW), K1, Z17
	VMULPS Z17, Z16, Z17
	VADDPS Z17, Z8, Z8
	ADDQ LDC, ROW
	VMOVUPS.Z (ROW), K1, Z17
	VMULPS Z17, Z16, Z17
	VADDPS Z17, Z9, Z9
	ADDQ LDC, ROW
	VMOVUPS.Z (ROW), K1, Z17
	VMULPS Z17, Z16, Z17
	VADDPS Z17, Z10, Z10
	ADDQ LDC, ROW
	VMOVUPS.Z (ROW), K1, Z17
	VMULPS Z17, Z16, Z17
	VADDPS Z17, Z11, Z11
	ADDQ LDC, ROW
	VMOVUPS.Z (ROW), K1, Z17
	VMULPS Z17, Z16, Z17
	VADDPS Z17, Z12, Z12
	ADDQ LDC, ROW
	VMOVUPS.Z (ROW), K1, Z17
	VMULPS Z17, Z16, Z17
	VADDPS Z17, Z13, Z13
	ADDQ LDC, ROW
	VMOVUPS.Z (ROW), K1, Z17
	VMULPS Z17, Z16, Z17
	VADDPS Z17, Z14, Z14
	ADDQ LDC, ROW
	VMOVUPS.Z (ROW), K1, Z17
	VMULPS Z17, Z16, Z17
	VADDPS Z17, Z15, Z15

bias:
	TESTQ BIAS, BIAS
	JZ    act
	VMOVUPS.Z (BIAS), K1, Z18
	VADDPS Z18, Z0, Z0
	VADDPS Z18, Z1, Z1
	VADDPS Z18, Z2, Z2
	VADDPS Z18, Z3, Z3
	VADDPS Z18, Z4, Z4
	VADDPS Z18, Z5, Z5
	VADDPS Z18, Z6, Z6
	VADDPS Z18, Z7, Z7
	VADDPS Z18, Z8, Z8
	VADDPS Z18, Z9, Z9
	VADDPS Z18, Z10, Z10
	VADDPS Z18, Z11, Z11
	VADDPS Z18, Z12, Z12
	VADDPS Z18, Z13, Z13
	VADDPS Z18, Z14, Z14
	VADDPS Z18, Z15, Z15

act:
	TESTQ ACT, ACT
	JZ    store
	VPXORD Z19, Z19, Z19
	VMAXPS Z0, Z19, Z0
	VMAXPS Z1, Z19, Z1
	VMAXPS Z2, Z19, Z2
	VMAXPS Z3, Z19, Z3
	VMAXPS Z4, Z19, Z4
	VMAXPS Z5, Z19, Z5
	VMAXPS Z6, Z19, Z6
	VMAXPS Z7, Z19, Z7
	VMAXPS Z8, Z19, Z8
	VMAXPS Z9, Z19, Z9
	VMAXPS Z10, Z19, Z10
	VMAXPS Z11, Z19, Z11
	VMAXPS Z12, Z19, Z12
	VMAXPS Z13, Z19, Z13
	VMAXPS Z14, Z19, Z14
	VMAXPS Z15, Z19, Z15

store:
	MOVQ C_PTR, ROW
	VMOVUPS Z0, K1, (ROW)
	ADDQ LDC, ROW
	VMOVUPS Z1, K1, (ROW)
	ADDQ LDC, ROW
	VMOVUPS Z2, K1, (ROW)
	ADDQ LDC, ROW
	VMOVUPS Z3, K1, (ROW)
	ADDQ LDC, ROW
	VMOVUPS Z4, K1, (ROW)
	ADDQ LDC, ROW
	VMOVUPS Z5, K1, (ROW)
	ADDQ LDC, ROW
	VMOVUPS Z6, K1, (ROW)
	ADDQ LDC, ROW
	VMOVUPS Z7, K1, (ROW)
	ADDQ LDC, ROW
	VMOVUPS Z8, K1, (ROW)
	ADDQ LDC, ROW
	VMOVUPS Z9, K1, (ROW)
	ADDQ LDC, ROW
	VMOVUPS Z10, K1, (ROW)
	ADDQ LDC, ROW
	VMOVUPS Z11, K1, (ROW)
	ADDQ LDC, ROW
	VMOVUPS Z12, K1, (ROW)
	ADDQ LDC, ROW
	VMOVUPS Z13, K1, (ROW)
	ADDQ LDC, ROW
	VMOVUPS Z14, K1, (ROW)
	ADDQ LDC, ROW
	VMOVUPS Z15, K1, (ROW)
	LEAQ (C_PTR)(LDC*8), C_PTR       // next tile: 16 rows down
	LEAQ (C_PTR)(LDC*8), C_PTR
	MOVQ a+16(FP), P0
	SHLQ $4, RS
	ADDQ RS, P0
	SHRQ $4, RS
	MOVQ P0, a+16(FP)                 // next tile's row 0 of A
	DECQ tiles+0(FP)
	JNZ  tile

done:
	VZEROUPPER
	RET
