//go:build !purego

#include "textflag.h"

// Lane masks for VMASKMOVPS: the 8 dwords at maskTable<>+4·(8−nr) enable
// lanes 0…nr−1.
DATA maskTable<>+0(SB)/4, $0xffffffff
DATA maskTable<>+4(SB)/4, $0xffffffff
DATA maskTable<>+8(SB)/4, $0xffffffff
DATA maskTable<>+12(SB)/4, $0xffffffff
DATA maskTable<>+16(SB)/4, $0xffffffff
DATA maskTable<>+20(SB)/4, $0xffffffff
DATA maskTable<>+24(SB)/4, $0xffffffff
DATA maskTable<>+28(SB)/4, $0xffffffff
DATA maskTable<>+32(SB)/4, $0
DATA maskTable<>+36(SB)/4, $0
DATA maskTable<>+40(SB)/4, $0
DATA maskTable<>+44(SB)/4, $0
DATA maskTable<>+48(SB)/4, $0
DATA maskTable<>+52(SB)/4, $0
DATA maskTable<>+56(SB)/4, $0
DATA maskTable<>+60(SB)/4, $0
GLOBL maskTable<>(SB), RODATA|NOPTR, $64

// gemmTilesNarrowAVX2 is gemmTilesAVX2 for the last panel of B when it holds
// at most 8 real columns (n = 512 = 21·24 + 8): a 4×8 tile, one vector per
// row, so the 16 padding columns of the panel cost nothing, and masked loads
// and stores touch only the nr real columns of C and bias. Per tile and
// column the sums run over p in the same order as in gemmTilesAVX2.
//
//   Y0..Y3  the 4×8 tile of C, Y4 a row of B, Y5 an element of A, Y6 the mask

#define K_CNT   CX
#define A_PTR   SI
#define B_PTR   DI
#define C_PTR   DX
#define LDC     R8
#define BIAS    R9
#define ACT     R10
#define C_ROW2  R11
#define TILES   R12
#define B_START R13

// func gemmTilesNarrowAVX2(tiles, k int, a, b, c *float32, ldc int, beta float32, bias *float32, act, nr int)
TEXT ·gemmTilesNarrowAVX2(SB), NOSPLIT, $0-80
	MOVQ tiles+0(FP), TILES
	MOVQ a+16(FP), A_PTR
	MOVQ b+24(FP), B_START
	MOVQ c+32(FP), C_PTR
	MOVQ ldc+40(FP), LDC
	SHLQ $2, LDC
	MOVQ bias+56(FP), BIAS
	MOVQ act+64(FP), ACT
	MOVQ nr+72(FP), AX
	NEGQ AX
	LEAQ maskTable<>+32(SB), BX
	LEAQ (BX)(AX*4), BX               // &maskTable[8−nr]
	VMOVDQU (BX), Y6
	TESTQ TILES, TILES
	JZ   done

tile:
	MOVQ k+8(FP), K_CNT
	MOVQ B_START, B_PTR
	LEAQ (C_PTR)(LDC*2), C_ROW2
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

	PCALIGN $32
loop:
	VMOVUPS (B_PTR), Y4
	VBROADCASTSS (A_PTR), Y5
	VFMADD231PS Y4, Y5, Y0
	VBROADCASTSS 4(A_PTR), Y5
	VFMADD231PS Y4, Y5, Y1
	VBROADCASTSS 8(A_PTR), Y5
	VFMADD231PS Y4, Y5, Y2
	VBROADCASTSS 12(A_PTR), Y5
	VFMADD231PS Y4, Y5, Y3
	ADDQ $16, A_PTR
	ADDQ $96, B_PTR                   // next row of the NR-wide panel
	DECQ K_CNT
	JNZ  loop

	MOVL beta+48(FP), AX
	ANDL $0x7fffffff, AX
	JZ   bias
	VBROADCASTSS beta+48(FP), Y5
	VMASKMOVPS (C_PTR), Y6, Y4
	VFMADD231PS Y4, Y5, Y0
	VMASKMOVPS (C_PTR)(LDC*1), Y6, Y4
	VFMADD231PS Y4, Y5, Y1
	VMASKMOVPS (C_ROW2), Y6, Y4
	VFMADD231PS Y4, Y5, Y2
	VMASKMOVPS (C_ROW2)(LDC*1), Y6, Y4
	VFMADD231PS Y4, Y5, Y3

bias:
	TESTQ BIAS, BIAS
	JZ    act
	VMASKMOVPS (BIAS), Y6, Y4
	VADDPS Y4, Y0, Y0
	VADDPS Y4, Y1, Y1
	VADDPS Y4, Y2, Y2
	VADDPS Y4, Y3, Y3

act:
	TESTQ ACT, ACT
	JZ    store
	VXORPS Y5, Y5, Y5
	VMAXPS Y0, Y5, Y0
	VMAXPS Y1, Y5, Y1
	VMAXPS Y2, Y5, Y2
	VMAXPS Y3, Y5, Y3

store:
	VMASKMOVPS Y0, Y6, (C_PTR)
	VMASKMOVPS Y1, Y6, (C_PTR)(LDC*1)
	VMASKMOVPS Y2, Y6, (C_ROW2)
	VMASKMOVPS Y3, Y6, (C_ROW2)(LDC*1)
	LEAQ (C_PTR)(LDC*4), C_PTR
	DECQ TILES
	JNZ  tile

done:
	VZEROUPPER
	RET
