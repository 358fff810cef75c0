//go:build !purego

#include "textflag.h"

// convTilesEdgeAVX512 is convTilesAVX512 over input planes without zero
// borders: the padding's zeros come from the masks instead of from memory.
// steps holds, for each step p, B's offset koff[p] and then the byte
// offset of p's patch-element class in a tile's masks (6 times the class:
// three uint16 masks a class, one per slot); edges holds each tile's masks
// by class, and kk6 is one tile's share of edges in bytes. A lane outside
// its step's mask loads +0, as the zero border it stands for would, so
// every sum is convTilesAVX512's over the bordered planes, bit for bit.
// The slots' own masks (in the slot triple) choose the columns stored.
//
// Register use: as convTilesAVX512, and
//   R14  the tile's masks, DX a step's class offset (in the loop)

// C += acc's row, masked, when beta is 1: one row of three slots.
#define ADD_C(za, zb, zc) \
	VMOVUPS.Z (R13)(SI*1), K1, Z24; VADDPS Z24, za, za; \
	VMOVUPS.Z (R13)(DI*1), K2, Z25; VADDPS Z25, zb, zb; \
	VMOVUPS.Z (R13)(BX*1), K3, Z26; VADDPS Z26, zc, zc

#define STORE(za, zb, zc) \
	VMOVUPS za, K1, (R13)(SI*1); \
	VMOVUPS zb, K2, (R13)(DI*1); \
	VMOVUPS zc, K3, (R13)(BX*1)

// func convTilesEdgeAVX512(tiles, kc int, a *float32, steps *int32, b *float32, slots *ConvSlot, c *float32, ldc, rows, beta int, edges *uint16, kk6 int)
TEXT ·convTilesEdgeAVX512(SB), NOSPLIT, $0-96
	MOVQ edges+80(FP), R14
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	MOVQ slots+40(FP), R9
	MOVQ tiles+0(FP), R10
	TESTQ R10, R10
	JLE  done

tile:
	MOVQ b+32(FP), DX
	MOVLQSX 0(R9), AX
	LEAQ (DX)(AX*4), SI
	MOVLQSX 12(R9), AX
	LEAQ (DX)(AX*4), DI
	MOVLQSX 24(R9), AX
	LEAQ (DX)(AX*4), BX
	MOVQ a+16(FP), R11
	MOVQ steps+24(FP), R12
	MOVQ kc+8(FP), CX
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
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	TESTQ CX, CX
	JZ   store

	PCALIGN $64
loop:
	MOVLQSX (R12), AX
	MOVLQSX 4(R12), DX
	KMOVW (R14)(DX*1), K1
	KMOVW 2(R14)(DX*1), K2
	KMOVW 4(R14)(DX*1), K3
	VMOVUPS.Z (SI)(AX*4), K1, Z24
	VMOVUPS.Z (DI)(AX*4), K2, Z25
	VMOVUPS.Z (BX)(AX*4), K3, Z26
	VBROADCASTSS 0(R11), Z27
	VFMADD231PS Z24, Z27, Z0
	VFMADD231PS Z25, Z27, Z1
	VFMADD231PS Z26, Z27, Z2
	VBROADCASTSS 4(R11), Z28
	VFMADD231PS Z24, Z28, Z3
	VFMADD231PS Z25, Z28, Z4
	VFMADD231PS Z26, Z28, Z5
	VBROADCASTSS 8(R11), Z29
	VFMADD231PS Z24, Z29, Z6
	VFMADD231PS Z25, Z29, Z7
	VFMADD231PS Z26, Z29, Z8
	VBROADCASTSS 12(R11), Z30
	VFMADD231PS Z24, Z30, Z9
	VFMADD231PS Z25, Z30, Z10
	VFMADD231PS Z26, Z30, Z11
	VBROADCASTSS 16(R11), Z31
	VFMADD231PS Z24, Z31, Z12
	VFMADD231PS Z25, Z31, Z13
	VFMADD231PS Z26, Z31, Z14
	VBROADCASTSS 20(R11), Z27
	VFMADD231PS Z24, Z27, Z15
	VFMADD231PS Z25, Z27, Z16
	VFMADD231PS Z26, Z27, Z17
	VBROADCASTSS 24(R11), Z28
	VFMADD231PS Z24, Z28, Z18
	VFMADD231PS Z25, Z28, Z19
	VFMADD231PS Z26, Z28, Z20
	VBROADCASTSS 28(R11), Z29
	VFMADD231PS Z24, Z29, Z21
	VFMADD231PS Z25, Z29, Z22
	VFMADD231PS Z26, Z29, Z23
	ADDQ $8, R12
	ADDQ $32, R11
	DECQ CX
	JNZ  loop

store:
	MOVL 8(R9), AX
	KMOVW AX, K1
	MOVL 20(R9), AX
	KMOVW AX, K2
	MOVL 32(R9), AX
	KMOVW AX, K3
	MOVQ c+48(FP), R13
	MOVLQSX 4(R9), SI
	SHLQ $2, SI
	MOVLQSX 16(R9), DI
	SHLQ $2, DI
	MOVLQSX 28(R9), BX
	SHLQ $2, BX
	MOVQ rows+64(FP), CX
	MOVQ beta+72(FP), DX
	TESTQ DX, DX
	JZ   store0
	ADD_C(Z0, Z1, Z2)
	STORE(Z0, Z1, Z2)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	ADD_C(Z3, Z4, Z5)
	STORE(Z3, Z4, Z5)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	ADD_C(Z6, Z7, Z8)
	STORE(Z6, Z7, Z8)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	ADD_C(Z9, Z10, Z11)
	STORE(Z9, Z10, Z11)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	ADD_C(Z12, Z13, Z14)
	STORE(Z12, Z13, Z14)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	ADD_C(Z15, Z16, Z17)
	STORE(Z15, Z16, Z17)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	ADD_C(Z18, Z19, Z20)
	STORE(Z18, Z19, Z20)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	ADD_C(Z21, Z22, Z23)
	STORE(Z21, Z22, Z23)
	JMP  next

store0:
	STORE(Z0, Z1, Z2)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	STORE(Z3, Z4, Z5)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	STORE(Z6, Z7, Z8)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	STORE(Z9, Z10, Z11)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	STORE(Z12, Z13, Z14)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	STORE(Z15, Z16, Z17)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	STORE(Z18, Z19, Z20)
	DECQ CX
	JZ   next
	ADDQ R8, R13
	STORE(Z21, Z22, Z23)

next:
	ADDQ $36, R9
	ADDQ kk6+88(FP), R14
	DECQ R10
	JNZ  tile

done:
	VZEROUPPER
	RET
