//go:build !purego

#include "textflag.h"

// Element-wise loops with zmm registers for the AVX-512 path: 64 floats (4
// zmm) per iteration, then 16, then the last n%16 under a mask (K2), whose
// masked-off lanes are neither loaded nor stored. Every element goes through
// the same operations as in the AVX2 loops (elementwise_amd64.s), so the
// results are bit-identical. Each routine ends with VZEROUPPER.

// TAIL_MASK sets K2 to the low CX bits (CX in 0…15), using AX.
#define TAIL_MASK \
	MOVL $1, AX \
	SHLL CX, AX \
	DECL AX \
	KMOVW AX, K2

// func axpyAVX512(alpha float32, x, y *float32, n int)
TEXT ·axpyAVX512(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Z0
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX

axpy_loop64:
	CMPQ CX, $64
	JLT  axpy_loop16
	VMOVUPS 0(DI), Z1
	VMOVUPS 64(DI), Z2
	VMOVUPS 128(DI), Z3
	VMOVUPS 192(DI), Z4
	VFMADD231PS 0(SI), Z0, Z1
	VFMADD231PS 64(SI), Z0, Z2
	VFMADD231PS 128(SI), Z0, Z3
	VFMADD231PS 192(SI), Z0, Z4
	VMOVUPS Z1, 0(DI)
	VMOVUPS Z2, 64(DI)
	VMOVUPS Z3, 128(DI)
	VMOVUPS Z4, 192(DI)
	ADDQ $256, SI
	ADDQ $256, DI
	SUBQ $64, CX
	JMP  axpy_loop64

axpy_loop16:
	CMPQ CX, $16
	JLT  axpy_tail
	VMOVUPS (DI), Z1
	VFMADD231PS (SI), Z0, Z1
	VMOVUPS Z1, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  axpy_loop16

axpy_tail:
	TESTQ CX, CX
	JZ    axpy_done
	TAIL_MASK
	VMOVUPS.Z (DI), K2, Z1
	VMOVUPS.Z (SI), K2, Z2
	VFMADD231PS Z2, Z0, Z1
	VMOVUPS Z1, K2, (DI)

axpy_done:
	VZEROUPPER
	RET

// func reluGradAVX512(d, h *float32, n int)
//
// K1 = 0 < h (ordered: false for NaN); d is reloaded zeroed where K1 is
// false, which stores +0 there as the AVX2 loop's AND with a zero mask does.
TEXT ·reluGradAVX512(SB), NOSPLIT, $0-24
	MOVQ d+0(FP), DI
	MOVQ h+8(FP), SI
	MOVQ n+16(FP), CX
	VPXORD Z0, Z0, Z0

relu_loop64:
	CMPQ CX, $64
	JLT  relu_loop16
	VCMPPS $0x11, 0(SI), Z0, K3
	VCMPPS $0x11, 64(SI), Z0, K4
	VCMPPS $0x11, 128(SI), Z0, K5
	VCMPPS $0x11, 192(SI), Z0, K6
	VMOVUPS.Z 0(DI), K3, Z1
	VMOVUPS.Z 64(DI), K4, Z2
	VMOVUPS.Z 128(DI), K5, Z3
	VMOVUPS.Z 192(DI), K6, Z4
	VMOVUPS Z1, 0(DI)
	VMOVUPS Z2, 64(DI)
	VMOVUPS Z3, 128(DI)
	VMOVUPS Z4, 192(DI)
	ADDQ $256, SI
	ADDQ $256, DI
	SUBQ $64, CX
	JMP  relu_loop64

relu_loop16:
	CMPQ CX, $16
	JLT  relu_tail
	VCMPPS $0x11, (SI), Z0, K1
	VMOVUPS.Z (DI), K1, Z1
	VMOVUPS Z1, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  relu_loop16

relu_tail:
	TESTQ CX, CX
	JZ    relu_done
	TAIL_MASK
	VMOVUPS.Z (SI), K2, Z2
	VCMPPS $0x11, Z2, Z0, K2, K1
	VMOVUPS.Z (DI), K1, Z1
	VMOVUPS Z1, K2, (DI)

relu_done:
	VZEROUPPER
	RET

// func tanhGradAVX512(d, h *float32, n int)
//
// d *= 1 − h·h, with one rounding for 1 − h·h, as in tanhGradAVX2.
TEXT ·tanhGradAVX512(SB), NOSPLIT, $0-24
	MOVQ d+0(FP), DI
	MOVQ h+8(FP), SI
	MOVQ n+16(FP), CX
	MOVL $0x3f800000, AX              // 1.0
	VMOVD AX, X0
	VBROADCASTSS X0, Z0

tanh_loop64:
	CMPQ CX, $64
	JLT  tanh_loop16
	VMOVUPS 0(SI), Z5
	VMOVUPS 64(SI), Z6
	VMOVUPS 128(SI), Z7
	VMOVUPS 192(SI), Z8
	VMOVAPS Z0, Z1
	VMOVAPS Z0, Z2
	VMOVAPS Z0, Z3
	VMOVAPS Z0, Z4
	VFNMADD231PS Z5, Z5, Z1
	VFNMADD231PS Z6, Z6, Z2
	VFNMADD231PS Z7, Z7, Z3
	VFNMADD231PS Z8, Z8, Z4
	VMULPS 0(DI), Z1, Z1
	VMULPS 64(DI), Z2, Z2
	VMULPS 128(DI), Z3, Z3
	VMULPS 192(DI), Z4, Z4
	VMOVUPS Z1, 0(DI)
	VMOVUPS Z2, 64(DI)
	VMOVUPS Z3, 128(DI)
	VMOVUPS Z4, 192(DI)
	ADDQ $256, SI
	ADDQ $256, DI
	SUBQ $64, CX
	JMP  tanh_loop64

tanh_loop16:
	CMPQ CX, $16
	JLT  tanh_tail
	VMOVUPS (SI), Z5
	VMOVAPS Z0, Z1
	VFNMADD231PS Z5, Z5, Z1
	VMULPS (DI), Z1, Z1
	VMOVUPS Z1, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  tanh_loop16

tanh_tail:
	TESTQ CX, CX
	JZ    tanh_done
	TAIL_MASK
	VMOVUPS.Z (SI), K2, Z5
	VMOVUPS.Z (DI), K2, Z6
	VMOVAPS Z0, Z1
	VFNMADD231PS Z5, Z5, Z1
	VMULPS Z6, Z1, Z1
	VMOVUPS Z1, K2, (DI)

tanh_done:
	VZEROUPPER
	RET

// func addTo64AVX512(dst *float64, src *float32, n int)
//
// 32 elements (4 zmm of 8 doubles) per iteration, then 8, then the last n%8
// under a mask.
TEXT ·addTo64AVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX

add_loop32:
	CMPQ CX, $32
	JLT  add_loop8
	VCVTPS2PD 0(SI), Z0
	VCVTPS2PD 32(SI), Z1
	VCVTPS2PD 64(SI), Z2
	VCVTPS2PD 96(SI), Z3
	VADDPD 0(DI), Z0, Z0
	VADDPD 64(DI), Z1, Z1
	VADDPD 128(DI), Z2, Z2
	VADDPD 192(DI), Z3, Z3
	VMOVUPD Z0, 0(DI)
	VMOVUPD Z1, 64(DI)
	VMOVUPD Z2, 128(DI)
	VMOVUPD Z3, 192(DI)
	ADDQ $128, SI
	ADDQ $256, DI
	SUBQ $32, CX
	JMP  add_loop32

add_loop8:
	CMPQ CX, $8
	JLT  add_tail
	VCVTPS2PD (SI), Z0
	VADDPD (DI), Z0, Z0
	VMOVUPD Z0, (DI)
	ADDQ $32, SI
	ADDQ $64, DI
	SUBQ $8, CX
	JMP  add_loop8

add_tail:
	TESTQ CX, CX
	JZ    add_done
	TAIL_MASK
	VMOVUPS.Z (SI), K2, Y1
	VCVTPS2PD Y1, Z0
	VMOVUPD.Z (DI), K2, Z2
	VADDPD Z2, Z0, Z0
	VMOVUPD Z0, K2, (DI)

add_done:
	VZEROUPPER
	RET

// func colSumsAVX512(beta float32, dst, x *float32, rows, cols, ldx int)
//
// Columns in blocks of 64, then 16, then the last cols%16 under a mask;
// each column summed from row 0 down starting at +0, then dst = s (beta =
// 0) or fma(beta, dst, s), as in colSumsAVX2.
TEXT ·colSumsAVX512(SB), NOSPLIT, $0-48
	MOVQ dst+8(FP), DI
	MOVQ x+16(FP), SI
	MOVQ rows+24(FP), R9
	MOVQ cols+32(FP), CX
	MOVQ ldx+40(FP), R8
	SHLQ $2, R8                       // row stride in bytes
	VBROADCASTSS beta+0(FP), Z15
	MOVL beta+0(FP), R11
	ANDL $0x7fffffff, R11             // R11 = 0 iff beta = ±0

cs_block64:
	CMPQ CX, $64
	JLT  cs_block16
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	MOVQ SI, AX
	MOVQ R9, DX

cs_rows64:
	VADDPS 0(AX), Z0, Z0
	VADDPS 64(AX), Z1, Z1
	VADDPS 128(AX), Z2, Z2
	VADDPS 192(AX), Z3, Z3
	ADDQ R8, AX
	DECQ DX
	JNZ  cs_rows64
	TESTL R11, R11
	JZ    cs_store64
	VFMADD231PS 0(DI), Z15, Z0
	VFMADD231PS 64(DI), Z15, Z1
	VFMADD231PS 128(DI), Z15, Z2
	VFMADD231PS 192(DI), Z15, Z3
cs_store64:
	VMOVUPS Z0, 0(DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	ADDQ $256, SI
	ADDQ $256, DI
	SUBQ $64, CX
	JMP  cs_block64

cs_block16:
	CMPQ CX, $16
	JLT  cs_tail
	VPXORD Z0, Z0, Z0
	MOVQ SI, AX
	MOVQ R9, DX

cs_rows16:
	VADDPS (AX), Z0, Z0
	ADDQ R8, AX
	DECQ DX
	JNZ  cs_rows16
	TESTL R11, R11
	JZ    cs_store16
	VFMADD231PS (DI), Z15, Z0

cs_store16:
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  cs_block16

cs_tail:
	TESTQ CX, CX
	JZ    cs_done
	TAIL_MASK
	VPXORD Z0, Z0, Z0
	MOVQ SI, AX
	MOVQ R9, DX

cs_rows_tail:
	VMOVUPS.Z (AX), K2, Z1
	VADDPS Z1, Z0, Z0
	ADDQ R8, AX
	DECQ DX
	JNZ  cs_rows_tail
	TESTL R11, R11
	JZ    cs_store_tail
	VMOVUPS.Z (DI), K2, Z1
	VFMADD231PS Z1, Z15, Z0

cs_store_tail:
	VMOVUPS Z0, K2, (DI)

cs_done:
	VZEROUPPER
	RET
