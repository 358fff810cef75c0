//go:build !purego

#include "textflag.h"

// LOWMASK sets mask register k to the low n bits (n ≤ 16), using R15.
#define LOWMASK(n, k) \
	MOVL $1, R15; \
	SHLXL n, R15, R15; \
	DECL R15; \
	KMOVW R15, k

// Even indices 0, 2, …, 30: VPERMI2PS picks a chunk's window columns.
DATA planeEven<>+0(SB)/4, $0
DATA planeEven<>+4(SB)/4, $2
DATA planeEven<>+8(SB)/4, $4
DATA planeEven<>+12(SB)/4, $6
DATA planeEven<>+16(SB)/4, $8
DATA planeEven<>+20(SB)/4, $10
DATA planeEven<>+24(SB)/4, $12
DATA planeEven<>+28(SB)/4, $14
DATA planeEven<>+32(SB)/4, $16
DATA planeEven<>+36(SB)/4, $18
DATA planeEven<>+40(SB)/4, $20
DATA planeEven<>+44(SB)/4, $22
DATA planeEven<>+48(SB)/4, $24
DATA planeEven<>+52(SB)/4, $26
DATA planeEven<>+56(SB)/4, $28
DATA planeEven<>+60(SB)/4, $30
GLOBL planeEven<>(SB), RODATA|NOPTR, $64

// Interleaving indices: lanes 0…15 of (a, b) as a0 b0 a1 b1 … a7 b7
// (planeIlv+0), and a8 b8 … a15 b15 (planeIlv+64); b's lanes are 16…31.
DATA planeIlv<>+0(SB)/4, $0
DATA planeIlv<>+4(SB)/4, $16
DATA planeIlv<>+8(SB)/4, $1
DATA planeIlv<>+12(SB)/4, $17
DATA planeIlv<>+16(SB)/4, $2
DATA planeIlv<>+20(SB)/4, $18
DATA planeIlv<>+24(SB)/4, $3
DATA planeIlv<>+28(SB)/4, $19
DATA planeIlv<>+32(SB)/4, $4
DATA planeIlv<>+36(SB)/4, $20
DATA planeIlv<>+40(SB)/4, $5
DATA planeIlv<>+44(SB)/4, $21
DATA planeIlv<>+48(SB)/4, $6
DATA planeIlv<>+52(SB)/4, $22
DATA planeIlv<>+56(SB)/4, $7
DATA planeIlv<>+60(SB)/4, $23
DATA planeIlv<>+64(SB)/4, $8
DATA planeIlv<>+68(SB)/4, $24
DATA planeIlv<>+72(SB)/4, $9
DATA planeIlv<>+76(SB)/4, $25
DATA planeIlv<>+80(SB)/4, $10
DATA planeIlv<>+84(SB)/4, $26
DATA planeIlv<>+88(SB)/4, $11
DATA planeIlv<>+92(SB)/4, $27
DATA planeIlv<>+96(SB)/4, $12
DATA planeIlv<>+100(SB)/4, $28
DATA planeIlv<>+104(SB)/4, $13
DATA planeIlv<>+108(SB)/4, $29
DATA planeIlv<>+112(SB)/4, $14
DATA planeIlv<>+116(SB)/4, $30
DATA planeIlv<>+120(SB)/4, $15
DATA planeIlv<>+124(SB)/4, $31
GLOBL planeIlv<>(SB), RODATA|NOPTR, $128

// KEY turns the float bits in v into their key in k, using Z12 and K4:
// k = (|u| ^ s) − s with s = u >> 31 (arithmetic), ordered like the floats
// and ±0 equal, except that a NaN (|u| > 0x7f800000, Z30) gets 0x7fffffff
// (Z22), above every number's key: then "the first key greater than all
// before it" picks the first NaN of a window, as the Go loop does.
#define KEY(v, k) \
	VPANDD Z22, v, k; \
	VPCMPGTD Z30, k, K4; \
	VPSRAD $31, v, Z12; \
	VPXORD Z12, k, k; \
	VPSUBD Z12, k, k; \
	VMOVDQA32 Z22, K4, k

// POOL2X2 pools the 16 windows of a chunk: r0's 32 floats in Z0:Z1, r1's
// in Z2:Z3, Z26 the argmax base (base + offset of each window's top left).
// It leaves the maxima in Z4 and their argmax in Z13, selecting, as
// maxPool2RowGo does, a (r0 even), then b (r0 odd), c (r1 even), d (r1 odd)
// where its key is greater than the best so far. Uses Z4…Z13, K4, K5.
#define POOL2X2 \
	VMOVDQA32 Z20, Z4; \
	VPERMI2PS Z1, Z0, Z4; \
	VMOVDQA32 Z21, Z5; \
	VPERMI2PS Z1, Z0, Z5; \
	VMOVDQA32 Z20, Z6; \
	VPERMI2PS Z3, Z2, Z6; \
	VMOVDQA32 Z21, Z7; \
	VPERMI2PS Z3, Z2, Z7; \
	KEY(Z4, Z8); \
	KEY(Z5, Z9); \
	KEY(Z6, Z10); \
	KEY(Z7, Z11); \
	VPXORD Z13, Z13, Z13; \
	VPCMPGTD Z8, Z9, K5; \
	VMOVDQA32 Z9, K5, Z8; \
	VMOVAPS Z5, K5, Z4; \
	VMOVDQA32 Z25, K5, Z13; \
	VPCMPGTD Z8, Z10, K5; \
	VMOVDQA32 Z10, K5, Z8; \
	VMOVAPS Z6, K5, Z4; \
	VMOVDQA32 Z23, K5, Z13; \
	VPCMPGTD Z8, Z11, K5; \
	VMOVAPS Z7, K5, Z4; \
	VMOVDQA32 Z24, K5, Z13; \
	VPADDD Z26, Z13, Z13

// func maxPool2PlaneAVX512(y *float32, am *int32, x *float32, outH, outW, inW, base int)
//
// Registers: DI y, R8 am, SI the row pair's first input row, AX inW in
// bytes (r1 at r0 + AX), R12 2·inW in bytes, CX output rows left, R10 full
// 16-output chunks per row, R11 the tail's outputs (outW mod 16), R13 the
// chunk's r0, R14 chunks left. Z20 even indices, Z21 odd, Z22 0x7fffffff,
// Z23 the window offsets' vector of inW, Z24 inW+1, Z25 1, Z26 the chunk's
// argmax base, Z27 32, Z28 the row's argmax base (base + 2·oh·inW + 2·j in
// lane j), Z29 2·inW, Z30 0x7f800000. K1, K2 the tail's input masks, K3
// its output mask.
TEXT ·maxPool2PlaneAVX512(SB), NOSPLIT, $0-56
	MOVQ y+0(FP), DI
	MOVQ am+8(FP), R8
	MOVQ x+16(FP), SI
	MOVQ outH+24(FP), CX
	MOVQ outW+32(FP), R10
	MOVQ inW+40(FP), AX
	MOVQ base+48(FP), BX

	VMOVDQU32 planeEven<>(SB), Z20
	MOVL $1, DX
	VPBROADCASTD DX, Z25
	VPADDD Z25, Z20, Z21
	MOVL $0x7fffffff, DX
	VPBROADCASTD DX, Z22
	MOVL $0x7f800000, DX
	VPBROADCASTD DX, Z30
	VPBROADCASTD AX, Z23
	VPADDD Z25, Z23, Z24
	VPADDD Z23, Z23, Z29
	VPBROADCASTD BX, Z28
	VPADDD Z20, Z28, Z28
	MOVL $32, DX
	VPBROADCASTD DX, Z27
	SHLQ $2, AX
	LEAQ (AX)(AX*1), R12
	MOVQ R10, R11
	ANDQ $15, R11
	SHRQ $4, R10

	// Tail masks: K1 the first min(2t, 16) input floats, K2 the next
	// 2t − that, K3 the first t outputs, for t = outW mod 16.
	MOVQ R11, R13
	SHLQ $1, R13
	MOVQ R13, R14
	CMPQ R14, $16
	JLE  fmask
	MOVQ $16, R14
fmask:
	LOWMASK(R14, K1)
	SUBQ R14, R13
	LOWMASK(R13, K2)
	LOWMASK(R11, K3)

row:
	MOVQ SI, R13
	VMOVDQA32 Z28, Z26
	MOVQ R10, R14
	TESTQ R14, R14
	JZ   tail

full:
	VMOVUPS (R13), Z0
	VMOVUPS 64(R13), Z1
	VMOVUPS (R13)(AX*1), Z2
	VMOVUPS 64(R13)(AX*1), Z3
	POOL2X2
	VMOVUPS Z4, (DI)
	VMOVDQU32 Z13, (R8)
	ADDQ $64, DI
	ADDQ $64, R8
	ADDQ $128, R13
	VPADDD Z27, Z26, Z26
	DECQ R14
	JNZ  full

tail:
	TESTQ R11, R11
	JZ   next
	VMOVUPS.Z (R13), K1, Z0
	VMOVUPS.Z 64(R13), K2, Z1
	VMOVUPS.Z (R13)(AX*1), K1, Z2
	VMOVUPS.Z 64(R13)(AX*1), K2, Z3
	POOL2X2
	VMOVUPS Z4, K3, (DI)
	VMOVDQU32 Z13, K3, (R8)
	LEAQ (DI)(R11*4), DI
	LEAQ (R8)(R11*4), R8

next:
	ADDQ R12, SI
	VPADDD Z29, Z28, Z28
	DECQ CX
	JNZ  row

	VZEROUPPER
	RET

// SPREAD2X2 spreads a chunk's 16 output gradients (Z0) over their windows
// by their argmax (Z1), Z26 the argmax base as in POOL2X2: with
// rel = argmax − base, a window's element at offset 0, 1, inW, inW+1 gets
// 0 + g where rel is that offset, else +0. It leaves r0's 32 floats in
// Z8:Z9, r1's in Z10:Z11. Uses Z0, Z1, Z4…Z11, K4…K7.
#define SPREAD2X2 \
	VADDPS Z17, Z0, Z0; \
	VPSUBD Z26, Z1, Z1; \
	VPCMPEQD Z17, Z1, K4; \
	VPCMPEQD Z25, Z1, K5; \
	VPCMPEQD Z23, Z1, K6; \
	VPCMPEQD Z24, Z1, K7; \
	VMOVAPS.Z Z0, K4, Z4; \
	VMOVAPS.Z Z0, K5, Z5; \
	VMOVAPS.Z Z0, K6, Z6; \
	VMOVAPS.Z Z0, K7, Z7; \
	VMOVDQA32 Z18, Z8; \
	VPERMI2PS Z5, Z4, Z8; \
	VMOVDQA32 Z19, Z9; \
	VPERMI2PS Z5, Z4, Z9; \
	VMOVDQA32 Z18, Z10; \
	VPERMI2PS Z7, Z6, Z10; \
	VMOVDQA32 Z19, Z11; \
	VPERMI2PS Z7, Z6, Z11

// func maxPool2SpreadAVX512(dst, grad *float32, am *int32, outH, inW, base int)
//
// Chunks are 32 columns of a row pair of dx (16 windows); the last one
// holds the rest of the row, an odd last column included (its output lanes
// are masked off, so it gets 0 + 0 = +0).
//
// Registers: DI the row pair's first dx row, SI g, R8 am, AX inW in bytes
// (the second row at + AX), R12 2·inW in bytes, CX row pairs left, R10
// full 32-column chunks per row, R11 the tail's columns (inW mod 32), R9
// its outputs, R13 the chunk's first dx row, R14 chunks left. Z17 +0, Z18
// and Z19 the interleaving indices, Z23 inW, Z24 inW+1, Z25 1, Z26 the
// chunk's argmax base, Z27 32, Z28 the row's argmax base, Z29 2·inW. K1,
// K2 the tail's dx masks, K3 its output mask.
TEXT ·maxPool2SpreadAVX512(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ am+16(FP), R8
	MOVQ outH+24(FP), CX
	MOVQ inW+32(FP), AX
	MOVQ base+40(FP), BX

	VMOVDQU32 planeEven<>(SB), Z20
	VMOVDQU32 planeIlv<>+0(SB), Z18
	VMOVDQU32 planeIlv<>+64(SB), Z19
	VPXORD Z17, Z17, Z17
	MOVL $1, DX
	VPBROADCASTD DX, Z25
	VPBROADCASTD AX, Z23
	VPADDD Z25, Z23, Z24
	VPADDD Z23, Z23, Z29
	VPBROADCASTD BX, Z28
	VPADDD Z20, Z28, Z28
	MOVL $32, DX
	VPBROADCASTD DX, Z27

	// Tail masks: K1 the first min(c, 16) columns, K2 the next c − that,
	// K3 the first c/2 outputs, for c = inW mod 32 columns.
	MOVQ AX, R10
	MOVQ AX, R11
	ANDQ $31, R11
	SHRQ $5, R10
	MOVQ R11, R9
	SHRQ $1, R9
	MOVQ R11, R13
	MOVQ R13, R14
	CMPQ R14, $16
	JLE  smask
	MOVQ $16, R14
smask:
	LOWMASK(R14, K1)
	SUBQ R14, R13
	LOWMASK(R13, K2)
	LOWMASK(R9, K3)
	SHLQ $2, AX
	LEAQ (AX)(AX*1), R12

srow:
	MOVQ DI, R13
	VMOVDQA32 Z28, Z26
	MOVQ R10, R14
	TESTQ R14, R14
	JZ   stail

sfull:
	VMOVUPS (SI), Z0
	VMOVDQU32 (R8), Z1
	SPREAD2X2
	VMOVUPS Z8, (R13)
	VMOVUPS Z9, 64(R13)
	VMOVUPS Z10, (R13)(AX*1)
	VMOVUPS Z11, 64(R13)(AX*1)
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $128, R13
	VPADDD Z27, Z26, Z26
	DECQ R14
	JNZ  sfull

stail:
	TESTQ R11, R11
	JZ   snext
	VMOVUPS.Z (SI), K3, Z0
	VMOVDQU32.Z (R8), K3, Z1
	SPREAD2X2
	VMOVUPS Z8, K1, (R13)
	VMOVUPS Z9, K2, 64(R13)
	VMOVUPS Z10, K1, (R13)(AX*1)
	VMOVUPS Z11, K2, 64(R13)(AX*1)
	LEAQ (SI)(R9*4), SI
	LEAQ (R8)(R9*4), R8

snext:
	ADDQ R12, DI
	VPADDD Z29, Z28, Z28
	DECQ CX
	JNZ  srow

	VZEROUPPER
	RET
