"""What conv_indirect_avx512.py and conv_edges_avx512.py share: the
AVX-512 tile kernel of ConvIndirect, with the slots' masks fixed for a tile
(edges False: convTilesAVX512, over zero-bordered planes) or loaded for
each step from a table of masks by patch element (edges True:
convTilesEdgeAVX512, over planes without borders)."""


MACROS = '''// C += acc's row, masked, when beta is 1: one row of three slots.
#define ADD_C(za, zb, zc) \\
	VMOVUPS.Z (R13)(SI*1), K1, Z24; VADDPS Z24, za, za; \\
	VMOVUPS.Z (R13)(DI*1), K2, Z25; VADDPS Z25, zb, zb; \\
	VMOVUPS.Z (R13)(BX*1), K3, Z26; VADDPS Z26, zc, zc

#define STORE(za, zb, zc) \\
	VMOVUPS za, K1, (R13)(SI*1); \\
	VMOVUPS zb, K2, (R13)(DI*1); \\
	VMOVUPS zc, K3, (R13)(BX*1)

'''


# The three slots' masks (the slots' own, for the loads of B over bordered
# planes and for C's columns) into K1…K3.
SLOT_MASKS = '''	MOVL 8(R9), AX
	KMOVW AX, K1
	MOVL 20(R9), AX
	KMOVW AX, K2
	MOVL 32(R9), AX
	KMOVW AX, K3
'''


def tiles(edges):
    out = []
    w = out.append
    name = 'convTilesEdgeAVX512' if edges else 'convTilesAVX512'
    if edges:
        w('''//go:build !purego

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

''')
    else:
        w('''//go:build !purego

#include "textflag.h"

// convTilesAVX512 is the micro-kernel of ConvIndirect: an implicit-GEMM
// convolution. Each tile is 8 rows of C by three slots of 16 columns; slot s
// (three int32s at slots + 12·s: In, Out, Mask) reads B's row p at
// b + (koff[p] + In)·4 bytes and its columns are C's at c + (r·ldc + Out)·4,
// those whose bit is set in Mask (masked loads and stores: the other lanes
// are neither read nor written). A is a packed micro-panel, a[p·8 + r].
//
// Every element of C is accumulated as gemmTilesAVX512 accumulates it, so
// the two give the same bits for the same A and B: from +0,
// acc = fma(a_p, b_p, acc) for p in order, then acc + C when beta is 1
// (fma(1, C, acc) there); beta 0 does not read C. Rows past rows are not
// stored.
//
// Register use:
//   Z0..Z23   the 8×48 tile: row r, slot s in Z(3r+s)
//   Z24..Z26  the three slots' vectors of B at step p
//   Z27..Z31  elements of A, broadcast
//   K1..K3    the slots' masks
//   SI, DI, BX  the slots' B addresses (then their C offsets in bytes)
//   R8 ldc in bytes, R9 the slot triple, R10 tiles left, R11 A, R12 koff,
//   CX steps left (then rows left), DX beta, R13 C's row.

''')
    w(MACROS)
    if edges:
        w('''// func convTilesEdgeAVX512(tiles, kc int, a *float32, steps *int32, b *float32, slots *ConvSlot, c *float32, ldc, rows, beta int, edges *uint16, kk6 int)
TEXT ·convTilesEdgeAVX512(SB), NOSPLIT, $0-96
	MOVQ edges+80(FP), R14
''')
    else:
        w('''// func convTilesAVX512(tiles, kc int, a *float32, koff *int32, b *float32, slots *ConvSlot, c *float32, ldc, rows, beta int)
TEXT ·convTilesAVX512(SB), NOSPLIT, $0-80
''')
    w('''	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	MOVQ slots+40(FP), R9
	MOVQ tiles+0(FP), R10
	TESTQ R10, R10
	JLE  done

tile:
''')
    if not edges:
        w(SLOT_MASKS)
    w('''	MOVQ b+32(FP), DX
	MOVLQSX 0(R9), AX
	LEAQ (DX)(AX*4), SI
	MOVLQSX 12(R9), AX
	LEAQ (DX)(AX*4), DI
	MOVLQSX 24(R9), AX
	LEAQ (DX)(AX*4), BX
	MOVQ a+16(FP), R11
''')
    w('\tMOVQ steps+24(FP), R12\n' if edges else '\tMOVQ koff+24(FP), R12\n')
    w('\tMOVQ kc+8(FP), CX\n')
    for i in range(24):
        w(f'\tVPXORD Z{i}, Z{i}, Z{i}\n')
    w('''	TESTQ CX, CX
	JZ   store

	PCALIGN $64
loop:
	MOVLQSX (R12), AX
''')
    if edges:
        w('''	MOVLQSX 4(R12), DX
	KMOVW (R14)(DX*1), K1
	KMOVW 2(R14)(DX*1), K2
	KMOVW 4(R14)(DX*1), K3
''')
    w('''	VMOVUPS.Z (SI)(AX*4), K1, Z24
	VMOVUPS.Z (DI)(AX*4), K2, Z25
	VMOVUPS.Z (BX)(AX*4), K3, Z26
''')
    bregs = [27, 28, 29, 30, 31, 27, 28, 29]
    for r in range(8):
        z = bregs[r]
        w(f'\tVBROADCASTSS {4*r}(R11), Z{z}\n')
        for s in range(3):
            w(f'\tVFMADD231PS Z{24+s}, Z{z}, Z{3*r+s}\n')
    w('\tADDQ $8, R12\n' if edges else '\tADDQ $4, R12\n')
    w('''	ADDQ $32, R11
	DECQ CX
	JNZ  loop

store:
''')
    if edges:
        w(SLOT_MASKS)
    w('''	MOVQ c+48(FP), R13
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
''')
    for r in range(8):
        w(f'\tADD_C(Z{3*r}, Z{3*r+1}, Z{3*r+2})\n')
        w(f'\tSTORE(Z{3*r}, Z{3*r+1}, Z{3*r+2})\n')
        if r < 7:
            w('\tDECQ CX\n\tJZ   next\n\tADDQ R8, R13\n')
    w('\tJMP  next\n\nstore0:\n')
    for r in range(8):
        w(f'\tSTORE(Z{3*r}, Z{3*r+1}, Z{3*r+2})\n')
        if r < 7:
            w('\tDECQ CX\n\tJZ   next\n\tADDQ R8, R13\n')
    w('''
next:
	ADDQ $36, R9
''')
    if edges:
        w('\tADDQ kk6+88(FP), R14\n')
    w('''	DECQ R10
	JNZ  tile

done:
	VZEROUPPER
	RET
''')
    return out
