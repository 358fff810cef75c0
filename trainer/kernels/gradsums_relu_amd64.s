//go:build !purego

#include "textflag.h"
#include "gradsums.h"

// GradSumsReLU's kernels: gradSumsAVX512 and gradSumsAVX2 with the ReLU
// mask of ReLUGrad applied to each block of 16 elements of d first (d
// zeroed, and stored back, where 0 < h is false: h not positive, or NaN),
// so that batch norm's backward reads and writes d once rather than twice.
// The sums are those of the two kernels run one after the other, bit for
// bit.

// func gradSumsReLUAVX512(d, h, x *float32, n int, mu float64) (sumD, sumDX float64)
TEXT ·gradSumsReLUAVX512(SB), NOSPLIT, $0-56
	MOVQ d+0(FP), SI
	MOVQ h+8(FP), R9
	MOVQ x+16(FP), R8
	MOVQ n+24(FP), CX
	VBROADCASTSD mu+32(FP), Z7
	GS512_ZERO
	VPXORD Z14, Z14, Z14
	SHRQ $4, CX

loop:
	VCMPPS $0x11, (R9), Z14, K1
	VMOVUPS.Z (SI), K1, Z11
	VMOVUPS Z11, (SI)
	VCVTPS2PD Y11, Z4
	VEXTRACTF32X8 $1, Z11, Y12
	VCVTPS2PD Y12, Z5
	GS512_ADD
	ADDQ $64, SI
	ADDQ $64, R9
	DECQ CX
	JNZ loop

	GS512_FOLD
	MOVSD X0, sumD+40(FP)
	MOVSD X2, sumDX+48(FP)
	VZEROUPPER
	RET

// func gradSumsReLUAVX2(d, h, x *float32, n int, mu float64) (sumD, sumDX float64)
// As gradSumsAVX2; the mask is an AND with 0 < h, 8 elements at a time.
TEXT ·gradSumsReLUAVX2(SB), NOSPLIT, $0-56
	MOVQ d+0(FP), SI
	MOVQ h+8(FP), R9
	MOVQ x+16(FP), R8
	MOVQ n+24(FP), CX
	VBROADCASTSD mu+32(FP), Y15
	GS2_ZERO
	VXORPS Y14, Y14, Y14
	SHRQ $4, CX
	TESTQ CX, CX
	JZ   fold

loop2:
	VCMPPS $0x11, (R9), Y14, Y12
	VCMPPS $0x11, 32(R9), Y14, Y13
	VANDPS (SI), Y12, Y12
	VANDPS 32(SI), Y13, Y13
	VMOVUPS Y12, (SI)
	VMOVUPS Y13, 32(SI)
	VCVTPS2PD X12, Y4
	VEXTRACTF128 $1, Y12, X12
	VCVTPS2PD X12, Y5
	VCVTPS2PD X13, Y6
	VEXTRACTF128 $1, Y13, X13
	VCVTPS2PD X13, Y7
	GS2_ADD
	ADDQ $64, SI
	ADDQ $64, R9
	DECQ CX
	JNZ  loop2

fold:
	GS2_FOLD
	MOVSD X0, sumD+40(FP)
	MOVSD X8, sumDX+48(FP)
	VZEROUPPER
	RET
