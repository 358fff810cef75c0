//go:build !purego

#include "textflag.h"

DATA poolEven<>+0(SB)/4, $0
DATA poolEven<>+4(SB)/4, $2
DATA poolEven<>+8(SB)/4, $4
DATA poolEven<>+12(SB)/4, $6
DATA poolEven<>+16(SB)/4, $8
DATA poolEven<>+20(SB)/4, $10
DATA poolEven<>+24(SB)/4, $12
DATA poolEven<>+28(SB)/4, $14
DATA poolEven<>+32(SB)/4, $16
DATA poolEven<>+36(SB)/4, $18
DATA poolEven<>+40(SB)/4, $20
DATA poolEven<>+44(SB)/4, $22
DATA poolEven<>+48(SB)/4, $24
DATA poolEven<>+52(SB)/4, $26
DATA poolEven<>+56(SB)/4, $28
DATA poolEven<>+60(SB)/4, $30
GLOBL poolEven<>(SB), RODATA|NOPTR, $64

// func maxPool2RowAVX512(y *float32, am *int32, r0, r1 *float32, n, w, base int) int
//
// Registers: Z20 even indices (0, 2, …, 30), Z21 odd (1, 3, …), Z22 the
// sign-less mask 0x7fffffff, Z23 the window offsets' vector of w, Z24 w+1,
// Z25 1, Z26 the argmax base of the chunk's lanes (base + 2·o), Z27 32.
// Keys: k(u) = (u & 0x7fffffff ^ s) − s with s = u >> 31 (arithmetic):
// ordered like the floats, ±0 equal.
TEXT ·maxPool2RowAVX512(SB), NOSPLIT, $0-64
	MOVQ y+0(FP), DI
	MOVQ am+8(FP), R8
	MOVQ r0+16(FP), SI
	MOVQ r1+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ w+40(FP), AX
	MOVQ base+48(FP), BX
	XORQ R12, R12                  // outputs done

	VMOVDQU32 poolEven<>(SB), Z20
	MOVL $1, DX
	VPBROADCASTD DX, Z25
	VPADDD Z25, Z20, Z21
	MOVL $0x7fffffff, DX
	VPBROADCASTD DX, Z22
	VPBROADCASTD AX, Z23
	VPADDD Z25, Z23, Z24
	VPBROADCASTD BX, Z26
	VPADDD Z20, Z26, Z26
	MOVL $32, DX
	VPBROADCASTD DX, Z27
	SHLQ $2, AX                    // w in bytes

chunk:
	MOVQ CX, DX
	SUBQ R12, DX                   // outputs left
	JLE  out
	CMPQ DX, $16
	JLE  masks
	MOVQ $16, DX
masks:
	// K1: the first min(2·cnt, 16) input floats, K2 the next; K3: cnt outputs.
	MOVQ DX, R13
	SHLQ $1, R13
	MOVQ R13, R14
	CMPQ R14, $16
	JLE  m1
	MOVQ $16, R14
m1:
	MOVL $1, R15
	SHLXL R14, R15, R15
	DECL R15
	KMOVW R15, K1
	SUBQ R14, R13
	MOVL $1, R15
	SHLXL R13, R15, R15
	DECL R15
	KMOVW R15, K2
	MOVL $1, R15
	SHLXL DX, R15, R15
	DECL R15
	KMOVW R15, K3

	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K2, Z1
	VMOVUPS.Z (R9), K1, Z2
	VMOVUPS.Z 64(R9), K2, Z3
	VMOVDQA32 Z20, Z4              // a: r0 even
	VPERMI2PS Z1, Z0, Z4
	VMOVDQA32 Z21, Z5              // b: r0 odd
	VPERMI2PS Z1, Z0, Z5
	VMOVDQA32 Z20, Z6              // c: r1 even
	VPERMI2PS Z3, Z2, Z6
	VMOVDQA32 Z21, Z7              // d: r1 odd
	VPERMI2PS Z3, Z2, Z7

	// Any NaN among the chunk's windows: leave the chunk to the Go loop.
	VCMPPS $3, Z4, Z4, K4
	VCMPPS $3, Z5, Z5, K5
	KORW K4, K5, K4
	VCMPPS $3, Z6, Z6, K5
	KORW K4, K5, K4
	VCMPPS $3, Z7, Z7, K5
	KORW K4, K5, K4
	KANDW K3, K4, K4
	KORTESTW K4, K4
	JNZ  out

	// keys: Z8 a, Z9 b, Z10 c, Z11 d
	VPSRAD $31, Z4, Z12
	VPANDD Z22, Z4, Z8
	VPXORD Z12, Z8, Z8
	VPSUBD Z12, Z8, Z8
	VPSRAD $31, Z5, Z12
	VPANDD Z22, Z5, Z9
	VPXORD Z12, Z9, Z9
	VPSUBD Z12, Z9, Z9
	VPSRAD $31, Z6, Z12
	VPANDD Z22, Z6, Z10
	VPXORD Z12, Z10, Z10
	VPSUBD Z12, Z10, Z10
	VPSRAD $31, Z7, Z12
	VPANDD Z22, Z7, Z11
	VPXORD Z12, Z11, Z11
	VPSUBD Z12, Z11, Z11

	// best key Z8, value Z4, offset Z13 (0, 1, w, w+1)
	VPXORD Z13, Z13, Z13
	VPCMPGTD Z8, Z9, K5            // b > best
	VMOVDQA32 Z9, K5, Z8
	VMOVAPS Z5, K5, Z4
	VMOVDQA32 Z25, K5, Z13
	VPCMPGTD Z8, Z10, K5           // c > best
	VMOVDQA32 Z10, K5, Z8
	VMOVAPS Z6, K5, Z4
	VMOVDQA32 Z23, K5, Z13
	VPCMPGTD Z8, Z11, K5           // d > best
	VMOVAPS Z7, K5, Z4
	VMOVDQA32 Z24, K5, Z13
	VPADDD Z26, Z13, Z13

	VMOVUPS Z4, K3, (DI)
	VMOVDQU32 Z13, K3, (R8)

	ADDQ $64, DI
	ADDQ $64, R8
	ADDQ $128, SI
	ADDQ $128, R9
	VPADDD Z27, Z26, Z26
	ADDQ DX, R12
	JMP  chunk

out:
	MOVQ R12, ret+56(FP)
	VZEROUPPER
	RET
