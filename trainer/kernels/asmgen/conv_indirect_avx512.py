"""Writes conv_indirect_avx512_amd64.s: ConvIndirect's AVX-512 micro-kernel (convTilesAVX512).

The assembly is unrolled, so it is generated: edit this script, run
`go generate ./trainer/kernels` (python3 -B asmgen/conv_indirect_avx512.py DIR writes into DIR,
the package folder by default), and TestGeneratedAssembly checks that the
committed file is this script's output.
"""
from _asmfile import write


out = []
w = out.append
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

// C += acc's row, masked, when beta is 1: one row of three slots.
#define ADD_C(za, zb, zc) \\
	VMOVUPS.Z (R13)(SI*1), K1, Z24; VADDPS Z24, za, za; \\
	VMOVUPS.Z (R13)(DI*1), K2, Z25; VADDPS Z25, zb, zb; \\
	VMOVUPS.Z (R13)(BX*1), K3, Z26; VADDPS Z26, zc, zc

#define STORE(za, zb, zc) \\
	VMOVUPS za, K1, (R13)(SI*1); \\
	VMOVUPS zb, K2, (R13)(DI*1); \\
	VMOVUPS zc, K3, (R13)(BX*1)

// func convTilesAVX512(tiles, kc int, a *float32, koff *int32, b *float32, slots *ConvSlot, c *float32, ldc, rows, beta int)
TEXT ·convTilesAVX512(SB), NOSPLIT, $0-80
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	MOVQ slots+40(FP), R9
	MOVQ tiles+0(FP), R10
	TESTQ R10, R10
	JLE  done

tile:
	MOVL 8(R9), AX
	KMOVW AX, K1
	MOVL 20(R9), AX
	KMOVW AX, K2
	MOVL 32(R9), AX
	KMOVW AX, K3
	MOVQ b+32(FP), DX
	MOVLQSX 0(R9), AX
	LEAQ (DX)(AX*4), SI
	MOVLQSX 12(R9), AX
	LEAQ (DX)(AX*4), DI
	MOVLQSX 24(R9), AX
	LEAQ (DX)(AX*4), BX
	MOVQ a+16(FP), R11
	MOVQ koff+24(FP), R12
	MOVQ kc+8(FP), CX
''')
for i in range(24):
    w(f'\tVPXORD Z{i}, Z{i}, Z{i}\n')
w('''	TESTQ CX, CX
	JZ   store

	PCALIGN $64
loop:
	MOVLQSX (R12), AX
	VMOVUPS.Z (SI)(AX*4), K1, Z24
	VMOVUPS.Z (DI)(AX*4), K2, Z25
	VMOVUPS.Z (BX)(AX*4), K3, Z26
''')
bregs = [27, 28, 29, 30, 31, 27, 28, 29]
for r in range(8):
    z = bregs[r]
    w(f'\tVBROADCASTSS {4*r}(R11), Z{z}\n')
    for s in range(3):
        w(f'\tVFMADD231PS Z{24+s}, Z{z}, Z{3*r+s}\n')
w('''	ADDQ $4, R12
	ADDQ $32, R11
	DECQ CX
	JNZ  loop

store:
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
	DECQ R10
	JNZ  tile

done:
	VZEROUPPER
	RET
''')
write('conv_indirect_avx512_amd64.s', out)
