//go:build !purego

#include "textflag.h"

// SGDUpdate's kernels: p −= lr·g, a multiply then a subtraction (two
// roundings, as the Go loop), 64 (32) floats per step while there are that
// many, then 16 (8).

// func sgdUpdateAVX512(p, grad *float32, n int, rate float32)
TEXT ·sgdUpdateAVX512(SB), NOSPLIT, $0-28
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS rate+24(FP), Z0

loop64:
	CMPQ CX, $64
	JLT  loop16
	VMULPS 0(SI), Z0, Z1
	VMULPS 64(SI), Z0, Z2
	VMULPS 128(SI), Z0, Z3
	VMULPS 192(SI), Z0, Z4
	VMOVUPS 0(DI), Z5
	VMOVUPS 64(DI), Z6
	VMOVUPS 128(DI), Z7
	VMOVUPS 192(DI), Z8
	VSUBPS Z1, Z5, Z5
	VSUBPS Z2, Z6, Z6
	VSUBPS Z3, Z7, Z7
	VSUBPS Z4, Z8, Z8
	VMOVUPS Z5, 0(DI)
	VMOVUPS Z6, 64(DI)
	VMOVUPS Z7, 128(DI)
	VMOVUPS Z8, 192(DI)
	ADDQ $256, SI
	ADDQ $256, DI
	SUBQ $64, CX
	JMP  loop64

loop16:
	CMPQ CX, $16
	JLT  done
	VMULPS (SI), Z0, Z1
	VMOVUPS (DI), Z5
	VSUBPS Z1, Z5, Z5
	VMOVUPS Z5, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  loop16

done:
	VZEROUPPER
	RET

// func sgdUpdateAVX2(p, grad *float32, n int, rate float32)
TEXT ·sgdUpdateAVX2(SB), NOSPLIT, $0-28
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS rate+24(FP), Y0

loop32:
	CMPQ CX, $32
	JLT  loop8
	VMULPS 0(SI), Y0, Y1
	VMULPS 32(SI), Y0, Y2
	VMULPS 64(SI), Y0, Y3
	VMULPS 96(SI), Y0, Y4
	VMOVUPS 0(DI), Y5
	VMOVUPS 32(DI), Y6
	VMOVUPS 64(DI), Y7
	VMOVUPS 96(DI), Y8
	VSUBPS Y1, Y5, Y5
	VSUBPS Y2, Y6, Y6
	VSUBPS Y3, Y7, Y7
	VSUBPS Y4, Y8, Y8
	VMOVUPS Y5, 0(DI)
	VMOVUPS Y6, 32(DI)
	VMOVUPS Y7, 64(DI)
	VMOVUPS Y8, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  loop32

loop8:
	CMPQ CX, $8
	JLT  done2
	VMULPS (SI), Y0, Y1
	VMOVUPS (DI), Y5
	VSUBPS Y1, Y5, Y5
	VMOVUPS Y5, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  loop8

done2:
	VZEROUPPER
	RET
