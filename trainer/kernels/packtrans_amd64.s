//go:build !purego

#include "textflag.h"

// func packTransAVX512(dst, b *float32, idx *int32, k int, lo, hi uint32)
// Per row: two masked gathers (16 and 8 lanes) into zeroed registers, one
// 96-byte row store. A gather clears its mask, so the masks are reloaded.
TEXT ·packTransAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ idx+16(FP), AX
	MOVQ k+24(FP), CX
	MOVL lo+32(FP), R10
	MOVL hi+36(FP), R11
	VMOVDQU32 (AX), Z6
	VMOVDQU32 64(AX), Y7

row:
	VPXORD Z0, Z0, Z0
	VPXORD Y1, Y1, Y1
	KMOVW R10, K1
	KMOVW R11, K2
	VGATHERDPS (SI)(Z6*4), K1, Z0
	VGATHERDPS (SI)(Y7*4), K2, Y1
	VMOVUPS Z0, (DI)
	VMOVUPS Y1, 64(DI)
	ADDQ $4, SI
	ADDQ $96, DI
	DECQ CX
	JNZ  row
	VZEROUPPER
	RET
