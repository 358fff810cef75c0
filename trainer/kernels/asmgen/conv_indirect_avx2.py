"""Writes conv_indirect_avx2_amd64.s: the AVX2 micro-kernels of ConvIndirect and ConvGradT.

The assembly is unrolled, so it is generated: edit this script, run
`go generate ./trainer/kernels` (python3 -B asmgen/conv_indirect_avx2.py DIR writes into DIR,
the package folder by default), and TestGeneratedAssembly checks that the
committed file is this script's output.
"""
from _asmfile import write


out=[]; w=out.append
w('''//go:build !purego

#include "textflag.h"

// convTilesAVX2 is ConvIndirect's micro-kernel on the avx2 path: tiles of
// 4 rows of C by three slots of 8 columns (slot s: three int32s at
// slots + 12·s, In, Out, Mask, Mask's set bits the low popcount ones). B's
// rows are read 8 lanes wide, unmasked: the caller leaves room for them;
// C is read (beta 1) and written through lane masks (VMASKMOVPS), only the
// slot's columns. a is a packed 4-row micro-panel, a[p·4 + r].
//
// The sums are gemmTilesAVX2's: from +0, acc = fma(a_p, b_p, acc) for p in
// order, then acc + C when beta is 1 (beta 0 does not read C).
//
// Register use: Y0…Y11 the tile (row r, slot s in Y(3r+s)); Y12…Y14 the
// slots' B vectors (then their lane masks); Y15 A broadcasts, then C.
// SI, DI, BX the slots' B addresses (then their C offsets in bytes),
// R8 ldc in bytes, R9 the slot triple, R10 tiles left, R11 A, R12 koff,
// CX steps left (then rows left), DX beta, R13 C's row, R14 the lane masks.

#define MASK(off, y) \\
	MOVL off(R9), AX; POPCNTL AX, AX; SHLQ $5, AX; VMOVDQU (R14)(AX*1), y

#define ADD_C(ya, yb, yc) \\
	VMASKMOVPS (R13)(SI*1), Y12, Y15; VADDPS Y15, ya, ya; \\
	VMASKMOVPS (R13)(DI*1), Y13, Y15; VADDPS Y15, yb, yb; \\
	VMASKMOVPS (R13)(BX*1), Y14, Y15; VADDPS Y15, yc, yc

#define STORE(ya, yb, yc) \\
	VMASKMOVPS ya, Y12, (R13)(SI*1); \\
	VMASKMOVPS yb, Y13, (R13)(DI*1); \\
	VMASKMOVPS yc, Y14, (R13)(BX*1)

// func convTilesAVX2(tiles, kc int, a *float32, koff *int32, b *float32, slots *ConvSlot, c *float32, ldc, rows, beta int, masks *int32)
TEXT ·convTilesAVX2(SB), NOSPLIT, $0-88
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	MOVQ slots+40(FP), R9
	MOVQ tiles+0(FP), R10
	MOVQ masks+80(FP), R14
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
	MOVQ koff+24(FP), R12
	MOVQ kc+8(FP), CX
''')
for i in range(12):
    w(f'\tVXORPS Y{i}, Y{i}, Y{i}\n')
w('''	TESTQ CX, CX
	JZ   store

	PCALIGN $32
loop:
	MOVLQSX (R12), AX
	VMOVUPS (SI)(AX*4), Y12
	VMOVUPS (DI)(AX*4), Y13
	VMOVUPS (BX)(AX*4), Y14
''')
for r in range(4):
    w(f'\tVBROADCASTSS {4*r}(R11), Y15\n')
    for s in range(3):
        w(f'\tVFMADD231PS Y{12+s}, Y15, Y{3*r+s}\n')
w('''	ADDQ $4, R12
	ADDQ $16, R11
	DECQ CX
	JNZ  loop

store:
	MASK(8, Y12)
	MASK(20, Y13)
	MASK(32, Y14)
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
for r in range(4):
    w(f'\tADD_C(Y{3*r}, Y{3*r+1}, Y{3*r+2})\n\tSTORE(Y{3*r}, Y{3*r+1}, Y{3*r+2})\n')
    if r < 3:
        w('\tDECQ CX\n\tJZ   next\n\tADDQ R8, R13\n')
w('\tJMP  next\n\nstore0:\n')
for r in range(4):
    w(f'\tSTORE(Y{3*r}, Y{3*r+1}, Y{3*r+2})\n')
    if r < 3:
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

# ConvGradT on avx2: one panel (24 columns) of C, NV = 1..3 ymm vectors, 4 rows.
A = ['AX', 'BX', 'CX', 'DX']
for N in (1, 2, 3):
    R = 4
    w(f'''
// func convGradTAVX2{N}(x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, c *float32, ldc, rows, mask, beta int, masks *int32)
//
// ConvGradT's micro-kernel on the avx2 path: 4 rows of C by {N} vector(s) of
// 8 columns, one panel of Bp (b at the K block's first row); the last
// vector's columns are the low popcount(mask) ones. As convGradTAVX512N
// otherwise: the same sums, bit for bit.
TEXT ·convGradTAVX2{N}(SB), NOSPLIT, $0-88
	MOVQ x+0(FP), R10
	MOVQ offs+8(FP), R11
''')
    for r in range(R):
        w(f'\tMOVLQSX {4*r}(R11), R12\n\tLEAQ (R10)(R12*4), {A[r]}\n')
    w('''	MOVQ runs+16(FP), R12
	MOVQ nruns+24(FP), R14
	MOVQ b+32(FP), R13
''')
    for i in range(R*N):
        w(f'\tVXORPS Y{i}, Y{i}, Y{i}\n')
    w(f'''	TESTQ R14, R14
	JLE  store{N}

run{N}:
	MOVLQSX 0(R12), R10
	MOVLQSX 4(R12), R11
	TESTQ R11, R11
	JLE  nextrun{N}

	PCALIGN $32
step{N}:
''')
    for v in range(N):
        w(f'\tVMOVUPS {32*v}(R13), Y{12+v}\n')
    for r in range(R):
        w(f'\tVBROADCASTSS ({A[r]})(R10*4), Y15\n')
        for v in range(N):
            w(f'\tVFMADD231PS Y{12+v}, Y15, Y{N*r+v}\n')
    w(f'''	INCQ R10
	ADDQ $96, R13
	DECQ R11
	JNZ  step{N}

nextrun{N}:
	ADDQ $8, R12
	DECQ R14
	JNZ  run{N}

store{N}:
	MOVQ mask+64(FP), AX
	POPCNTL AX, AX
	SHLQ $5, AX
	MOVQ masks+80(FP), BX
	VMOVDQU (BX)(AX*1), Y14
	MOVQ c+40(FP), SI
	MOVQ ldc+48(FP), DI
	SHLQ $2, DI
	MOVQ rows+56(FP), CX
	MOVQ beta+72(FP), DX
''')
    for r in range(R):
        for v in range(N):
            last = v == N-1
            w('\tTESTQ DX, DX\n\tJZ   3(PC)\n')
            if last:
                w(f'\tVMASKMOVPS {32*v}(SI), Y14, Y15\n')
            else:
                w(f'\tVMOVUPS {32*v}(SI), Y15\n')
            w(f'\tVADDPS Y15, Y{N*r+v}, Y{N*r+v}\n')
            if last:
                w(f'\tVMASKMOVPS Y{N*r+v}, Y14, {32*v}(SI)\n')
            else:
                w(f'\tVMOVUPS Y{N*r+v}, {32*v}(SI)\n')
        if r < R-1:
            w(f'\tDECQ CX\n\tJZ   done{N}\n\tADDQ DI, SI\n')
    w(f'''
done{N}:
	VZEROUPPER
	RET
''')
write('conv_indirect_avx2_amd64.s', out)
