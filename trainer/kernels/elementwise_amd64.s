//go:build !purego

#include "textflag.h"

// Element-wise loops: 32 floats (4 ymm) per iteration, then 8, then one at a
// time. Each routine ends with VZEROUPPER.

// func axpyAVX2(alpha float32, x, y *float32, n int)
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Y0
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX

axpy_loop32:
	CMPQ CX, $32
	JLT  axpy_loop8
	VMOVUPS (DI), Y1                  // y[0:32] += alpha·x[0:32]
	VMOVUPS 32(DI), Y2
	VMOVUPS 64(DI), Y3
	VMOVUPS 96(DI), Y4
	VFMADD231PS (SI), Y0, Y1
	VFMADD231PS 32(SI), Y0, Y2
	VFMADD231PS 64(SI), Y0, Y3
	VFMADD231PS 96(SI), Y0, Y4
	VMOVUPS Y1, (DI)
	VMOVUPS Y2, 32(DI)
	VMOVUPS Y3, 64(DI)
	VMOVUPS Y4, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  axpy_loop32

axpy_loop8:
	CMPQ CX, $8
	JLT  axpy_loop1
	VMOVUPS (DI), Y1
	VFMADD231PS (SI), Y0, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  axpy_loop8

axpy_loop1:
	TESTQ CX, CX
	JZ    axpy_done
	VMOVSS (DI), X1
	VFMADD231SS (SI), X0, X1
	VMOVSS X1, (DI)
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ CX
	JMP  axpy_loop1

axpy_done:
	VZEROUPPER
	RET

// func reluGradAVX2(d, h *float32, n int)
TEXT ·reluGradAVX2(SB), NOSPLIT, $0-24
	MOVQ d+0(FP), DI
	MOVQ h+8(FP), SI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0

relu_loop32:
	CMPQ CX, $32
	JLT  relu_loop8
	// mask = 0 < h (ordered: false for NaN); d &= mask
	VCMPPS $0x11, (SI), Y0, Y1
	VCMPPS $0x11, 32(SI), Y0, Y2
	VCMPPS $0x11, 64(SI), Y0, Y3
	VCMPPS $0x11, 96(SI), Y0, Y4
	VANDPS (DI), Y1, Y1
	VANDPS 32(DI), Y2, Y2
	VANDPS 64(DI), Y3, Y3
	VANDPS 96(DI), Y4, Y4
	VMOVUPS Y1, (DI)
	VMOVUPS Y2, 32(DI)
	VMOVUPS Y3, 64(DI)
	VMOVUPS Y4, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  relu_loop32

relu_loop8:
	CMPQ CX, $8
	JLT  relu_loop1
	VCMPPS $0x11, (SI), Y0, Y1
	VANDPS (DI), Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  relu_loop8

relu_loop1:
	TESTQ CX, CX
	JZ    relu_done
	VMOVSS (SI), X1
	VCMPSS $0x1e, X0, X1, X1
	VMOVSS (DI), X2
	VANDPS X2, X1, X1
	VMOVSS X1, (DI)
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ CX
	JMP  relu_loop1

relu_done:
	VZEROUPPER
	RET

// func tanhGradAVX2(d, h *float32, n int)
TEXT ·tanhGradAVX2(SB), NOSPLIT, $0-24
	MOVQ d+0(FP), DI
	MOVQ h+8(FP), SI
	MOVQ n+16(FP), CX
	MOVL $0x3f800000, AX              // 1.0
	VMOVD AX, X0
	VBROADCASTSS X0, Y0

tanh_loop32:
	CMPQ CX, $32
	JLT  tanh_loop8
	VMOVUPS (SI), Y5                  // d *= 1 - h·h (one rounding for 1 - h·h)
	VMOVUPS 32(SI), Y6
	VMOVUPS 64(SI), Y7
	VMOVUPS 96(SI), Y8
	VMOVAPS Y0, Y1
	VMOVAPS Y0, Y2
	VMOVAPS Y0, Y3
	VMOVAPS Y0, Y4
	VFNMADD231PS Y5, Y5, Y1
	VFNMADD231PS Y6, Y6, Y2
	VFNMADD231PS Y7, Y7, Y3
	VFNMADD231PS Y8, Y8, Y4
	VMULPS (DI), Y1, Y1
	VMULPS 32(DI), Y2, Y2
	VMULPS 64(DI), Y3, Y3
	VMULPS 96(DI), Y4, Y4
	VMOVUPS Y1, (DI)
	VMOVUPS Y2, 32(DI)
	VMOVUPS Y3, 64(DI)
	VMOVUPS Y4, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  tanh_loop32

tanh_loop8:
	CMPQ CX, $8
	JLT  tanh_loop1
	VMOVUPS (SI), Y5
	VMOVAPS Y0, Y1
	VFNMADD231PS Y5, Y5, Y1
	VMULPS (DI), Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  tanh_loop8

tanh_loop1:
	TESTQ CX, CX
	JZ    tanh_done
	VMOVSS (SI), X5
	VMOVAPS X0, X1
	VFNMADD231SS X5, X5, X1
	VMULSS (DI), X1, X1
	VMOVSS X1, (DI)
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ CX
	JMP  tanh_loop1

tanh_done:
	VZEROUPPER
	RET

// func sumSquares64AVX2(x *float32, n int) float64
//
// Same order as sumSquares64Go: accumulators Y0..Y3 take interleaved blocks
// of 4 within each block of 16; blocks of 4 then go to Y0; then
// (Y0+Y1)+(Y2+Y3), lanes (0+2)+(1+3), then the scalar tail.
TEXT ·sumSquares64AVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3

ss_loop16:
	CMPQ CX, $16
	JLT  ss_loop4
	VCVTPS2PD (SI), Y4                // 4 floats → 4 doubles
	VCVTPS2PD 16(SI), Y5
	VCVTPS2PD 32(SI), Y6
	VCVTPS2PD 48(SI), Y7
	VFMADD231PD Y4, Y4, Y0
	VFMADD231PD Y5, Y5, Y1
	VFMADD231PD Y6, Y6, Y2
	VFMADD231PD Y7, Y7, Y3
	ADDQ $64, SI
	SUBQ $16, CX
	JMP  ss_loop16

ss_loop4:
	CMPQ CX, $4
	JLT  ss_reduce
	VCVTPS2PD (SI), Y4
	VFMADD231PD Y4, Y4, Y0
	ADDQ $16, SI
	SUBQ $4, CX
	JMP  ss_loop4

ss_reduce:
	VADDPD Y1, Y0, Y0                 // acc0+acc1
	VADDPD Y3, Y2, Y2                 // acc2+acc3
	VADDPD Y2, Y0, Y0                 // t[l]
	VEXTRACTF128 $1, Y0, X1           // t2, t3
	VADDPD X1, X0, X0                 // t0+t2, t1+t3
	VUNPCKHPD X0, X0, X1              // t1+t3
	VADDSD X1, X0, X0

ss_loop1:
	TESTQ CX, CX
	JZ    ss_done
	VCVTSS2SD (SI), X4, X4
	VFMADD231SD X4, X4, X0
	ADDQ $4, SI
	DECQ CX
	JMP  ss_loop1

ss_done:
	VMOVSD X0, ret+16(FP)
	VZEROUPPER
	RET

// func addTo64AVX2(dst *float64, src *float32, n int)
TEXT ·addTo64AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX

add_loop16:
	CMPQ CX, $16
	JLT  add_loop4
	VCVTPS2PD (SI), Y0                // dst[0:16] += float64(src[0:16])
	VCVTPS2PD 16(SI), Y1
	VCVTPS2PD 32(SI), Y2
	VCVTPS2PD 48(SI), Y3
	VADDPD (DI), Y0, Y0
	VADDPD 32(DI), Y1, Y1
	VADDPD 64(DI), Y2, Y2
	VADDPD 96(DI), Y3, Y3
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	ADDQ $64, SI
	ADDQ $128, DI
	SUBQ $16, CX
	JMP  add_loop16

add_loop4:
	CMPQ CX, $4
	JLT  add_loop1
	VCVTPS2PD (SI), Y0
	VADDPD (DI), Y0, Y0
	VMOVUPD Y0, (DI)
	ADDQ $16, SI
	ADDQ $32, DI
	SUBQ $4, CX
	JMP  add_loop4

add_loop1:
	TESTQ CX, CX
	JZ    add_done
	VCVTSS2SD (SI), X0, X0
	VADDSD (DI), X0, X0
	VMOVSD X0, (DI)
	ADDQ $4, SI
	ADDQ $8, DI
	DECQ CX
	JMP  add_loop1

add_done:
	VZEROUPPER
	RET

// func colSumsAVX2(beta float32, dst, x *float32, rows, cols, ldx int)
//
// Columns in blocks of 32, then 8, then one at a time; each column summed
// from row 0 down starting at +0, then dst = s (beta = 0) or beta·dst + s
// (one rounding).
TEXT ·colSumsAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+8(FP), DI
	MOVQ x+16(FP), SI
	MOVQ rows+24(FP), R9
	MOVQ cols+32(FP), CX
	MOVQ ldx+40(FP), R8
	SHLQ $2, R8                       // row stride in bytes
	VBROADCASTSS beta+0(FP), Y15
	MOVL beta+0(FP), R11
	ANDL $0x7fffffff, R11             // R11 = 0 iff beta = ±0

cs_block32:
	CMPQ CX, $32
	JLT  cs_block8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ SI, AX
	MOVQ R9, DX

cs_rows32:
	VADDPS (AX), Y0, Y0
	VADDPS 32(AX), Y1, Y1
	VADDPS 64(AX), Y2, Y2
	VADDPS 96(AX), Y3, Y3
	ADDQ R8, AX
	DECQ DX
	JNZ  cs_rows32

	TESTL R11, R11
	JZ    cs_store32
	VFMADD231PS (DI), Y15, Y0         // s + beta·dst
	VFMADD231PS 32(DI), Y15, Y1
	VFMADD231PS 64(DI), Y15, Y2
	VFMADD231PS 96(DI), Y15, Y3

cs_store32:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  cs_block32

cs_block8:
	CMPQ CX, $8
	JLT  cs_col1
	VXORPS Y0, Y0, Y0
	MOVQ SI, AX
	MOVQ R9, DX

cs_rows8:
	VADDPS (AX), Y0, Y0
	ADDQ R8, AX
	DECQ DX
	JNZ  cs_rows8

	TESTL R11, R11
	JZ    cs_store8
	VFMADD231PS (DI), Y15, Y0

cs_store8:
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  cs_block8

cs_col1:
	TESTQ CX, CX
	JZ    cs_done
	VXORPS X0, X0, X0
	MOVQ SI, AX
	MOVQ R9, DX

cs_rows1:
	VADDSS (AX), X0, X0
	ADDQ R8, AX
	DECQ DX
	JNZ  cs_rows1

	TESTL R11, R11
	JZ    cs_store1
	VFMADD231SS (DI), X15, X0

cs_store1:
	VMOVSS X0, (DI)
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ CX
	JMP  cs_col1

cs_done:
	VZEROUPPER
	RET
