"""Writes conv_wgrad_avx512_amd64.s: ConvGradT's AVX-512 micro-kernels (convGradTAVX512N, N = 1…4).

The assembly is unrolled, so it is generated: edit this script, run
`go generate ./trainer/kernels` (python3 -B asmgen/conv_wgrad_avx512.py DIR writes into DIR,
the package folder by default), and TestGeneratedAssembly checks that the
committed file is this script's output.
"""
from _asmfile import write


out = []
w = out.append
w('''//go:build !purego

#include "textflag.h"

// convGradTAVX512N (N = 1…4 zmm vectors, 16N ≥ n columns) is the
// micro-kernel of ConvGradT: R rows (8, or 6 for N = 4) of C = A·Bp over one
// K block, A read where it lies. Row r of A at position p is
// x[offs[r] + pos(p)], where the block's positions run through runs
// (int32 pairs: first pos, count) in order; Bp is GemmPacked's panel layout
// (24 columns a panel, panel stride pstride bytes), b pointing at the
// block's first row of panel 0. Vector v holds columns 16v…16v+15: two
// 8-column halves, each inside one panel.
//
// Each element is accumulated as GemmPacked's kernels accumulate it, so the
// bits are the same: from +0, acc = fma(a_p, b_p, acc) for p in order, then
// acc + C when beta is 1 (beta 0 does not read C). Only rows < rows and, in
// the last vector, the columns of mask are stored.
//
// Register use: Z0…Z23 accumulators (row r, vector v in Z(N·r+v)), Z24…Z27
// a row of Bp, Z28…Z31 broadcasts; the row pointers of A in AX, BX, CX,
// DX, SI, DI, R8, R9; R10 the position, R11 the count, R12 the runs,
// R13 Bp's row, R14 runs left, R15 the panel stride.
''')
A = ['AX', 'BX', 'CX', 'DX', 'SI', 'DI', 'R8', 'R9']

def halves(v):
    # column ranges lo = 16v..16v+7, hi = 16v+8..16v+15 -> (panel, col offset in panel)
    res = []
    for c in (16*v, 16*v+8):
        res.append((c // 24, c % 24))
    return res

def load_b(v, z):
    (p0, c0), (p1, c1) = halves(v)
    def addr(p, c):
        base = '(R13)' if p == 0 else ('(R13)(R15*1)' if p == 1 else '(R13)(R15*2)')
        return f'{4*c}{base}' if c else base
    if p0 == p1:
        w(f'\tVMOVUPS {addr(p0, c0)}, Z{z}\n')
    else:
        w(f'\tVMOVUPS {addr(p0, c0)}, Y{z}\n')
        w(f'\tVINSERTF32X8 $1, {addr(p1, c1)}, Z{z}, Z{z}\n')

def kernel(name, sfx, ptrs, R, N, step, pstride=True):
    """Writes one kernel: the pointers of A from offs[0…ptrs), the runs,
    R×N accumulators from +0, step() for each position, and the store of
    rows < rows (the last vector of a row masked by mask), labels suffixed
    by sfx."""
    w(f'''
// func {name}(x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, pstride int, c *float32, ldc, rows, mask, beta int)
TEXT ·{name}(SB), NOSPLIT, $0-88
	MOVQ x+0(FP), R10
	MOVQ offs+8(FP), R11
''')
    for r in range(ptrs):
        w(f'\tMOVLQSX {4*r}(R11), R12\n\tLEAQ (R10)(R12*4), {A[r]}\n')
    w('''	MOVQ runs+16(FP), R12
	MOVQ nruns+24(FP), R14
	MOVQ b+32(FP), R13
''')
    if pstride:
        w('\tMOVQ pstride+40(FP), R15\n')
    for i in range(R*N):
        w(f'\tVPXORD Z{i}, Z{i}, Z{i}\n')
    w(f'''	TESTQ R14, R14
	JLE  store{sfx}

run{sfx}:
	MOVLQSX 0(R12), R10
	MOVLQSX 4(R12), R11
	TESTQ R11, R11
	JLE  nextrun{sfx}

	PCALIGN $32
step{sfx}:
''')
    step()
    w(f'''	INCQ R10
	ADDQ $96, R13
	DECQ R11
	JNZ  step{sfx}

nextrun{sfx}:
	ADDQ $8, R12
	DECQ R14
	JNZ  run{sfx}

store{sfx}:
	MOVQ mask+72(FP), AX
	KMOVW AX, K1
	MOVQ c+48(FP), SI
	MOVQ ldc+56(FP), DI
	SHLQ $2, DI
	MOVQ rows+64(FP), CX
	MOVQ beta+80(FP), DX
''')
    for r in range(R):
        for v in range(N):
            last = v == N-1
            k = ', K1' if last else ''
            kz = '.Z' if last else ''
            w(f'\tTESTQ DX, DX\n\tJZ   3(PC)\n')
            w(f'\tVMOVUPS{kz} {64*v}(SI){k}, Z24\n')
            w(f'\tVADDPS Z24, Z{N*r+v}, Z{N*r+v}\n')
            w(f'\tVMOVUPS Z{N*r+v}{k}, {64*v}(SI)\n')
        if r < R-1:
            w(f'\tDECQ CX\n\tJZ   done{sfx}\n\tADDQ DI, SI\n')
    w(f'''
done{sfx}:
	VZEROUPPER
	RET
''')


def step_rows(R, N):
    # A row of Bp, then each row's broadcast against it.
    for v in range(N):
        load_b(v, 24+v)
    bt = [28, 29, 30, 31]
    for r in range(R):
        z = bt[r % 4]
        w(f'\tVBROADCASTSS ({A[r]})(R10*4), Z{z}\n')
        for v in range(N):
            w(f'\tVFMADD231PS Z{24+v}, Z{z}, Z{N*r+v}\n')


def step_triples(NT):
    # A row of Bp (one vector), each row's element its multiply-add's
    # broadcast memory operand: row 3t + j at pointer t plus 4j bytes.
    w('\tVMOVUPS (R13), Z24\n')
    for t in range(NT):
        for j in range(3):
            disp = f'{4*j}' if j else ''
            w(f'\tVFMADD231PS.BCST {disp}({A[t]})(R10*4), Z24, Z{3*t+j}\n')


for N in (1, 2, 3, 4):
    R = 8 if N <= 3 else 6
    kernel(f'convGradTAVX512{N}', f'{N}', R, R, N, lambda: step_rows(R, N))
w('''
// convGradTAVX512T8 is convGradTAVX5121 (one zmm vector, n ≤ 16 columns)
// for 24 rows that come in eight triples of consecutive elements of x: row
// 3t + j at position p is x[offs[t] + j + pos(p)], as a 3×3 kernel's
// window rows are. Each triple shares one pointer, so that 24 rows fit the
// eight pointer registers and each row of Bp feeds 24 multiply-adds
// instead of 8; each broadcast is the multiply-add's own memory operand.
// convGradTAVX512T3 is the same for 9 rows, three triples (a one-channel
// 3×3 convolution's whole window). The sums are convGradTAVX5121's, bit
// for bit.
//
// Register use: as convGradTAVX5121, Z0…Z23 the rows' accumulators and Z24
// the row of Bp; AX, BX, CX, DX, SI, DI, R8, R9 the triples' pointers.
''')
for NT in (8, 3):
    kernel(f'convGradTAVX512T{NT}', f'T{NT}', NT, 3*NT, 1, lambda: step_triples(NT), pstride=False)
write('conv_wgrad_avx512_amd64.s', out)
