//go:build !purego

#include "textflag.h"
#include "gradsums.h"

// func affineF64AVX512(y, x *float32, n int, scale, shift float64, relu int)
// 8 floats per step: widen to float64, multiply, add (two roundings, as Go
// computes v*scale+shift), narrow to float32; with relu, max(·, 0) then the
// NaN lanes put back (VMAXPS returns 0 for them, Go's max the NaN).
TEXT ·affineF64AVX512(SB), NOSPLIT, $0-48
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD scale+24(FP), Z4
	VBROADCASTSD shift+32(FP), Z5
	MOVQ relu+40(FP), DX
	VXORPS Y6, Y6, Y6
	SHRQ $3, CX
	TESTQ CX, CX
	JZ done
	TESTQ DX, DX
	JNZ relu_loop

plain_loop:
	VCVTPS2PD (SI), Z0
	VMULPD Z4, Z0, Z0
	VADDPD Z5, Z0, Z0
	VCVTPD2PS Z0, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ plain_loop
	JMP done

relu_loop:
	VCVTPS2PD (SI), Z0
	VMULPD Z4, Z0, Z0
	VADDPD Z5, Z0, Z0
	VCVTPD2PS Z0, Y1
	VMAXPS Y6, Y1, Y2          // y1 > 0 ? y1 : 0
	VCMPPS $3, Y1, Y1, K1      // unordered: NaN lanes
	VMOVAPS Y1, K1, Y2
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ relu_loop

done:
	VZEROUPPER
	RET

// func affine2F64AVX512(y, d, x *float32, n int, a, b, c float64)
TEXT ·affine2F64AVX512(SB), NOSPLIT, $0-56
	MOVQ y+0(FP), DI
	MOVQ d+8(FP), SI
	MOVQ x+16(FP), R8
	MOVQ n+24(FP), CX
	VBROADCASTSD a+32(FP), Z4
	VBROADCASTSD b+40(FP), Z5
	VBROADCASTSD c+48(FP), Z6
	SHRQ $3, CX
	TESTQ CX, CX
	JZ done2

loop2:
	VCVTPS2PD (SI), Z0
	VCVTPS2PD (R8), Z1
	VMOVAPD Z6, Z2
	VFMADD231PD Z4, Z0, Z2     // c + a·d
	VFMADD231PD Z5, Z1, Z2     // + b·x
	VCVTPD2PS Z2, Y3
	VMOVUPS Y3, (DI)
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, DI
	DECQ CX
	JNZ loop2

done2:
	VZEROUPPER
	RET

// func gradSumsAVX512(d, x *float32, n int, mu float64) (sumD, sumDX float64)
// 16 floats per step into two pairs of 8-lane float64 accumulators.
TEXT ·gradSumsAVX512(SB), NOSPLIT, $0-48
	MOVQ d+0(FP), SI
	MOVQ x+8(FP), R8
	MOVQ n+16(FP), CX
	VBROADCASTSD mu+24(FP), Z7
	GS512_ZERO
	SHRQ $4, CX

loop3:
	VCVTPS2PD (SI), Z4
	VCVTPS2PD 32(SI), Z5
	GS512_ADD
	ADDQ $64, SI
	DECQ CX
	JNZ loop3

	GS512_FOLD
	MOVSD X0, sumD+32(FP)
	MOVSD X2, sumDX+40(FP)
	VZEROUPPER
	RET
