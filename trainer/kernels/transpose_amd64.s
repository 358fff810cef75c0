//go:build !purego

#include "textflag.h"
#include "transpose8x8.h"

// BLOCK transposes the 8×8 block at src + s bytes (rows 96 bytes apart)
// into dst + d bytes (rows 96 bytes apart).
#define BLOCK(s, d) \
	VMOVUPS (s+0)(SI), Y0; \
	VMOVUPS (s+96)(SI), Y1; \
	VMOVUPS (s+192)(SI), Y2; \
	VMOVUPS (s+288)(SI), Y3; \
	VMOVUPS (s+384)(SI), Y4; \
	VMOVUPS (s+480)(SI), Y5; \
	VMOVUPS (s+576)(SI), Y6; \
	VMOVUPS (s+672)(SI), Y7; \
	TRANSPOSE_8X8; \
	VMOVUPS Y8, (d+0)(DI); \
	VMOVUPS Y9, (d+96)(DI); \
	VMOVUPS Y10, (d+192)(DI); \
	VMOVUPS Y11, (d+288)(DI); \
	VMOVUPS Y12, (d+384)(DI); \
	VMOVUPS Y13, (d+480)(DI); \
	VMOVUPS Y14, (d+576)(DI); \
	VMOVUPS Y15, (d+672)(DI)

// func transpose24AVX2(dst, src *float32)
//
// dst[c*24+r] = src[r*24+c] for r, c < 24: a full NR×NR block, as nine 8×8
// register transposes. Block (rows 8i…, columns 8j…) of src starts at
// 768i + 32j bytes and goes to 768j + 32i of dst.
TEXT ·transpose24AVX2(SB), NOSPLIT, $0-16
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	BLOCK(0, 0)
	BLOCK(32, 768)
	BLOCK(64, 1536)
	BLOCK(768, 32)
	BLOCK(800, 800)
	BLOCK(832, 1568)
	BLOCK(1536, 64)
	BLOCK(1568, 832)
	BLOCK(1600, 1600)
	VZEROUPPER
	RET
