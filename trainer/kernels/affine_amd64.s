//go:build !purego

#include "textflag.h"

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
